// Starts a real OCI registry (Debian's docker-registry, distribution 2.8) on
// 127.0.0.1 with a random port and throw-away storage.
import { ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { requireTool } from './tools.js'

export interface RunningRegistry {
  /** "127.0.0.1:PORT" */
  host: string
  url: string
  stop(): Promise<void>
}

export interface RegistryOptions {
  /** Require HTTP Basic auth with this user. */
  basicAuth?: { username: string; password: string }
  /** Allow DELETE of manifests (storage.delete.enabled); default true. false answers 405. */
  deletes?: boolean
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const bin = requireTool('docker-registry')
  const dir = mkdtempSync(join(tmpdir(), 'fpr-registry-'))
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  let auth = ''
  if (options.basicAuth) {
    const htpasswd = requireTool('htpasswd')
    const line = execFileSync(htpasswd, [
      '-Bbn',
      options.basicAuth.username,
      options.basicAuth.password
    ]).toString()
    writeFileSync(join(dir, 'htpasswd'), line)
    auth = `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${join(dir, 'htpasswd')}\n`
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    `    enabled: ${options.deletes ?? true}`,
    'http:',
    `  addr: ${host}`,
    '  secret: test-only-secret',
    auth
  ].join('\n')
  writeFileSync(join(dir, 'config.yml'), config)
  const child: ChildProcess = spawn(bin, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr += d.toString()))
  const url = `http://${host}`
  const deadline = Date.now() + 90_000 // generous: a busy machine starts it slowly
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`)
    try {
      const res = await fetch(`${url}/v2/`)
      if (res.status === 200 || res.status === 401) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`docker-registry did not start on ${host}: ${stderr}`)
    }
    await sleep(100)
  }
  return {
    host,
    url,
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
