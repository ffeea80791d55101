// Command-line flags of the CLI: the action's input names, so the CLI and the
// action never drift apart. Tokenised by node:util parseArgs; a boolean input
// may be followed by an explicit true/false (`--dry-run false`), which parseArgs
// alone does not allow, hence the pass over its tokens.
import { parseArgs as parseTokens, type ParseArgsConfig } from 'node:util'
import { INPUT_DEFAULTS, type InputName } from '../inputs/inputs.js'

const BOOLEAN_INPUTS = new Set<InputName>([
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

const OWN_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' }
} as const

const OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  ...Object.fromEntries(
    Object.keys(INPUT_DEFAULTS).map((name) => [
      name,
      { type: BOOLEAN_INPUTS.has(name as InputName) ? 'boolean' : 'string' }
    ])
  ),
  ...OWN_FLAGS
}

const isInput = (name: string): name is InputName => Object.hasOwn(INPUT_DEFAULTS, name)

export function parseArgs(argv: string[]): {
  values: Map<InputName, string>
  json: boolean
  verbose: boolean
  help: boolean
} {
  // Not strict: unknown flags and stray words are reported below, with the usage.
  const { tokens } = parseTokens({
    args: argv,
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true
  })
  const values = new Map<InputName, string>()
  const own = { json: false, verbose: false, help: false }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]
    if (t.kind === 'option-terminator') continue
    if (t.kind === 'positional') {
      throw new Error(`unexpected argument "${t.value}"\n\n${USAGE}`)
    }
    if (t.name in OWN_FLAGS && t.value === undefined) {
      own[t.name as keyof typeof own] = true
      continue
    }
    if (!isInput(t.name)) {
      throw new Error(`unknown flag ${t.rawName}\n\n${USAGE}`)
    }
    if (BOOLEAN_INPUTS.has(t.name)) {
      // `--flag`, `--flag=value` or `--flag value`: the value is the next word unless it is a flag.
      const next = tokens[i + 1]
      if (t.value !== undefined) values.set(t.name, t.value)
      else if (next?.kind === 'positional') {
        values.set(t.name, next.value)
        i++
      } else values.set(t.name, 'true')
      continue
    }
    if (t.value === undefined) throw new Error(`--${t.name} needs a value`)
    values.set(t.name, t.value)
  }
  return { values, ...own }
}
