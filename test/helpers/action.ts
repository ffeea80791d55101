// Runs the bundled action the way the GitHub runner does: `node dist/index.js`
// in a clean environment holding only PATH/HOME/Go settings, GITHUB_* and
// INPUT_* variables (every input action.yml declares, defaults included, as the
// runner sets them), with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { requireActionNode } from './tools.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const ACTION = join(ROOT, 'dist', 'index.js')

export interface ActionRun {
  code: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** Everything the run printed or wrote, for secret checks. */
  everything: string
  /** The run was killed after timeoutMs (or killAfterMs). */
  timedOut: boolean
  /** Same as timedOut. */
  killed: boolean
}

/** Parses the GITHUB_OUTPUT file format (name<<delimiter ... delimiter, or name=value). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delim] = heredoc
      const value: string[] = []
      while (++i < lines.length && lines[i] !== delim) value.push(lines[i])
      out[name] = value.join('\n')
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return out
}

/**
 * The environment runAction gives the action, as the runner would: PATH, HOME and Go's settings,
 * GITHUB_*, GITHUB_WORKSPACE (the checkout, `cwd`, when the test names one), RUNNER_TEMP (`dir`),
 * SOURCE_DATE_EPOCH, `env` over those, and the inputs as INPUT_* (action.yml's defaults for those
 * the test does not give); GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are files in `dir`.
 */
export function actionEnv(opts: {
  inputs: Record<string, string>
  env?: Record<string, string>
  dir: string
  cwd?: string
}): Record<string, string> {
  const { dir } = opts
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const keep = ['PATH', 'HOME', 'GOPATH', 'GOCACHE', 'GOMODCACHE', 'GOPROXY', 'GOFLAGS', 'TMPDIR']
  const env: Record<string, string> = {}
  for (const k of keep) if (process.env[k]) env[k] = process.env[k] as string
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'Acme/Falco-Plugins',
    GITHUB_ACTOR: 'octocat',
    RUNNER_TEMP: dir,
    SOURCE_DATE_EPOCH: '1767225600',
    // The runner starts an action in the checkout, GITHUB_WORKSPACE, whose confinement applies.
    ...(opts.cwd !== undefined ? { GITHUB_WORKSPACE: opts.cwd } : {}),
    ...opts.env
  })
  // Like the runner, every input action.yml declares is set: to the step's value, else to its
  // default (actions/runner, ActionRunner.cs, "Merge the default inputs from the definition").
  // An expression default (github.token) is the runner's to evaluate: a test passes it itself.
  const inputs = { ...actionDefaults(), ...opts.inputs }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  return env
}

let defaults: Record<string, string> | undefined

/** action.yml's literal input defaults: what the runner passes for inputs a step does not give. */
export function actionDefaults(): Record<string, string> {
  if (defaults) return defaults
  const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>
  }
  defaults = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value = spec.default ?? ''
    if (!value.includes('${{')) defaults[name] = value
  }
  return defaults
}

export async function runAction(opts: {
  inputs: Record<string, string>
  env?: Record<string, string>
  cwd?: string
  /** Kill the run (and everything in its process group) after this long. */
  timeoutMs?: number
  /** Same as timeoutMs (kills a run that is still going after this long). */
  killAfterMs?: number
  /** Called with the action's process once started (e.g. to signal it). */
  onSpawn?: (child: ChildProcess) => void
}): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'fpr-run-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  const env = actionEnv({ ...opts, dir })
  const timeoutMs = opts.timeoutMs ?? opts.killAfterMs
  const detached = timeoutMs !== undefined
  // Node 24, as action.yml's runs.using says (the CLI and the unit tests use the machine's Node).
  const child = spawn(requireActionNode(), [ACTION], { cwd: opts.cwd ?? ROOT, env, detached })
  opts.onSpawn?.(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  let timedOut = false
  const timer = detached
    ? setTimeout(() => {
        timedOut = true
        try {
          process.kill(-(child.pid as number), 'SIGKILL')
        } catch {
          // already gone
        }
        // Whatever still holds its pipes must not keep the test waiting.
        child.stdout.destroy()
        child.stderr.destroy()
      }, timeoutMs)
    : undefined
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)))
  if (timer) clearTimeout(timer)
  const outputText = readFileSync(outputFile, 'utf8')
  const summary = readFileSync(summaryFile, 'utf8')
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(outputText),
    summary,
    everything: [stdout, stderr, outputText, summary].join('\n'),
    timedOut,
    killed: timedOut
  }
}
