// Starts the registry with the OCI 1.1 referrers API (go-containerregistry's, built by
// scripts/install-referrers-registry.sh into .tools/bin) on 127.0.0.1 with a random port.
// Debian's docker-registry 2.8 (registry.ts) has no referrers API: the signing tests run on both.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from './action.js'
import type { RunningRegistry } from './registry.js'

export function requireReferrersRegistry(): string {
  const bin = join(ROOT, '.tools', 'bin', 'referrers-registry')
  if (existsSync(bin)) return bin
  throw new Error(
    `the referrers-API registry was not found at ${bin}: run \`bash scripts/install-referrers-registry.sh\` ` +
      '(builds it from the Go module proxy), or `bash .ci/run`'
  )
}

export async function startReferrersRegistry(): Promise<RunningRegistry> {
  const bin = requireReferrersRegistry()
  const dir = mkdtempSync(join(tmpdir(), 'fpr-refreg-'))
  const child = spawn(bin, ['-addr', '127.0.0.1:0', '-blobs', dir], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d.toString()))
  const host = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`referrers-registry did not start: ${stderr}`))
    }, 15_000)
    child.stdout.on('data', (d) => {
      out += d.toString()
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`referrers-registry exited with ${code}: ${stderr}`))
    })
  })
  return {
    host,
    url: `http://${host}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
