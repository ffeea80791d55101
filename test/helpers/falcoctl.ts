// Runs the real falcoctl (v0.12.2) the way a Falco user would: an index
// added by URL, `artifact install <name>:<tag>`, plain HTTP to our loopback
// registry. HOME and the config file are throw-away, so nothing leaks between tests.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { requireTool } from './tools.js'

const run = promisify(execFile)

export interface InstallResult {
  pluginsDir: string
  rulesDir: string
  plugins: string[]
  rules: string[]
  output: string
}

export async function falcoctlInstall(opts: {
  indexFile: string
  refs: string[]
  platform?: string
  extraArgs?: string[]
}): Promise<InstallResult> {
  const bin = requireTool('falcoctl')
  const home = mkdtempSync(join(tmpdir(), 'fpr-falcoctl-'))
  const pluginsDir = join(home, 'plugins')
  const rulesDir = join(home, 'rules')
  mkdirSync(pluginsDir)
  mkdirSync(rulesDir)
  const config = join(home, 'falcoctl.yaml')
  writeFileSync(
    config,
    [
      'indexes:',
      '  - name: test',
      `    url: file://${opts.indexFile}`,
      '    backend: file',
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
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') }
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
