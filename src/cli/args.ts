// Command-line flags of the CLI: the action's input names, so the CLI and the
// action never drift apart.
import { INPUT_DEFAULTS, type InputName } from '../inputs/inputs.js'

export const BOOLEAN_INPUTS = new Set<InputName>([
  'plain-http',
  'overwrite',
  'dry-run',
  'major-zero-tag',
  'plugin-depends-on-rules',
  'check-dependencies'
])

export const USAGE = `usage: falco-plugin-release [--INPUT VALUE]... [--dry-run] [--json]

Runs the same pipeline as the GitHub Action: build the plugin, read its
metadata from the .so, pack falcoctl artifacts, and push them (or, with
--dry-run, print the plan and push nothing).

Inputs (as in action.yml; defaults in brackets):
${Object.entries(INPUT_DEFAULTS)
  .map(([k, v]) => `  --${k}${BOOLEAN_INPUTS.has(k as InputName) ? '' : ' VALUE'}  [${v}]`)
  .join('\n')}

Other flags: --json (print the metadata JSON), --verbose, --help.
The password may also come from the environment variable FPR_PASSWORD, and
--signing-key-password (for --signing-key, a path to cosign.key) from COSIGN_PASSWORD.`

export function parseArgs(argv: string[]): {
  values: Map<InputName, string>
  json: boolean
  verbose: boolean
  help: boolean
} {
  const values = new Map<InputName, string>()
  let json = false
  let verbose = false
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h') help = true
    else if (arg === '--json') json = true
    else if (arg === '--verbose') verbose = true
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = (eq > 0 ? arg.slice(2, eq) : arg.slice(2)) as InputName
      if (!(name in INPUT_DEFAULTS)) throw new Error(`unknown flag --${name}\n\n${USAGE}`)
      if (eq > 0) values.set(name, arg.slice(eq + 1))
      else if (
        BOOLEAN_INPUTS.has(name) &&
        (argv[i + 1] === undefined || argv[i + 1].startsWith('--'))
      )
        values.set(name, 'true')
      else {
        const v = argv[++i]
        if (v === undefined) throw new Error(`--${name} needs a value`)
        values.set(name, v)
      }
    } else throw new Error(`unexpected argument "${arg}"\n\n${USAGE}`)
  }
  return { values, json, verbose, help }
}
