// Runs the real cosign (v3.1.3, built by scripts/install-cosign.sh into .tools/bin) to verify
// what the action signed. HOME is throw-away so no TUF cache or config leaks between runs.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from './action.js'

const run = promisify(execFile)

export function requireCosign(): string {
  const bin = join(ROOT, '.tools', 'bin', 'cosign')
  if (existsSync(bin)) return bin
  throw new Error(
    `cosign was not found at ${bin}: run \`bash scripts/install-cosign.sh\` ` +
      '(builds cosign v3.1.3 from the Go module proxy), or `bash .ci/run`'
  )
}

export interface CosignResult {
  ok: boolean
  output: string
}

/** Runs cosign with `args`; never throws for a non-zero exit (ok tells). */
export async function cosign(
  args: string[],
  env: Record<string, string> = {}
): Promise<CosignResult> {
  const home = mkdtempSync(join(tmpdir(), 'fpr-cosign-'))
  try {
    const { stdout, stderr } = await run(requireCosign(), args, {
      env: { PATH: process.env.PATH ?? '', HOME: home, TUF_ROOT: join(home, 'tuf'), ...env },
      timeout: 120_000
    })
    return { ok: true, output: stdout + stderr }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    return { ok: false, output: `${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}
