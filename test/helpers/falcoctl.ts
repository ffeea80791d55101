// Runs the real falcoctl (every verified version: v0.12.2 and v0.13.0) the way a Falco user
// would: an index added by URL, `artifact install <name>:<tag>`, plain HTTP to our loopback
// registry. HOME and the config file are throw-away, so nothing leaks between tests.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from './action.js'

/** The falcoctl releases we verify against (scripts/install-falcoctl.sh builds each). */
export const FALCOCTL_VERSIONS = ['v0.12.2', 'v0.13.0'] as const
export type FalcoctlVersion = (typeof FALCOCTL_VERSIONS)[number]

/** Path of falcoctl <version>, or throws an Error saying how to build it. */
export function requireFalcoctl(version: FalcoctlVersion = FALCOCTL_VERSIONS[0]): string {
  const bin = join(ROOT, '.tools', 'bin', `falcoctl-${version}`)
  if (existsSync(bin)) return bin
  throw new Error(
    `falcoctl ${version} was not found at ${bin}: run \`bash scripts/install-falcoctl.sh\` ` +
      '(builds every verified falcoctl version from the Go module proxy), or `bash .ci/run`'
  )
}

const run = promisify(execFile)

export interface InstallResult {
  pluginsDir: string
  rulesDir: string
  plugins: string[]
  rules: string[]
  output: string
}

export async function falcoctlInstall(opts: {
  /** The index users add (a file path); more in `indexes`; none at all: no index configured. */
  indexFile?: string
  /** More indexes, as file paths or URLs, after indexFile. */
  indexes?: string[]
  refs: string[]
  platform?: string
  extraArgs?: string[]
  /** Which falcoctl (default: the oldest verified one). */
  version?: FalcoctlVersion
  /** Extra environment (e.g. TUF_MIRROR for signature verification). */
  env?: Record<string, string>
}): Promise<InstallResult> {
  const bin = requireFalcoctl(opts.version)
  const home = mkdtempSync(join(tmpdir(), 'fpr-falcoctl-'))
  const pluginsDir = join(home, 'plugins')
  const rulesDir = join(home, 'rules')
  mkdirSync(pluginsDir)
  mkdirSync(rulesDir)
  const config = join(home, 'falcoctl.yaml')
  const indexes = [...(opts.indexFile ? [opts.indexFile] : []), ...(opts.indexes ?? [])].map(
    (i, n) => {
      const url = /^[a-z]+:\/\//.test(i) ? i : `file://${i}`
      const backend = url.startsWith('file://') ? 'file' : url.split(':')[0]
      return [`  - name: index${n}`, `    url: ${url}`, `    backend: ${backend}`]
    }
  )
  writeFileSync(
    config,
    [
      ...(indexes.length > 0 ? ['indexes:', ...indexes.flat()] : ['indexes: []']),
      'artifact:',
      '  allowedTypes: [plugin, rulesfile]',
      ''
    ].join('\n')
  )
  const args = [
    'artifact',
    'install',
    ...opts.refs,
    '--config',
    config,
    '--plain-http',
    '--plugins-dir',
    pluginsDir,
    '--rulesfiles-dir',
    rulesDir,
    ...(opts.platform ? ['--platform', opts.platform] : []),
    ...(opts.extraArgs ?? [])
  ]
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...opts.env }
  try {
    const { stdout, stderr } = await run(bin, args, { env, timeout: 120_000 })
    return {
      pluginsDir,
      rulesDir,
      plugins: readdirSync(pluginsDir).sort(),
      rules: readdirSync(rulesDir).sort(),
      output: stdout + stderr
    }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    throw new Error(
      `falcoctl ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`
    )
  }
}
