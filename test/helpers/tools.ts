// Locates the external tools the integration tests need. A missing tool fails
// the test with a message that says how to get it: tests never skip silently.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

const HOW_TO_GET: Record<string, string> = {
  'docker-registry': 'apt-get install docker-registry (or run `bash .ci/run`)',
  skopeo: 'apt-get install skopeo (or run `bash .ci/run`)',
  htpasswd: 'apt-get install apache2-utils (or run `bash .ci/run`)',
  go: 'install Go >= 1.25 from https://go.dev/dl/',
  cc: 'apt-get install gcc',
  falcoctl:
    'run `bash scripts/install-falcoctl.sh` (builds falcoctl v0.12.2 with Go), or set FALCOCTL'
}

function onPath(name: string): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined
    )
  } catch {
    return undefined
  }
}

/** Absolute path of a tool, or throws an Error naming how to install it. */
export function requireTool(name: string): string {
  const candidates: Array<string | undefined> = []
  if (name === 'falcoctl') {
    candidates.push(process.env.FALCOCTL, join(process.cwd(), '.tools', 'bin', 'falcoctl'))
    candidates.push(join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', 'falcoctl'))
  }
  for (const c of candidates) if (c && existsSync(c)) return c
  const found = onPath(name)
  if (found) return found
  throw new Error(`required tool "${name}" was not found: ${HOW_TO_GET[name] ?? 'install it'}`)
}
