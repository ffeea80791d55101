// The environment of every child we start (the build, the C compiler, the plugin inspector, qemu).
// They run the plugin's and the user's code (a Go init(), a C constructor, a Makefile and whatever
// it downloads), so they get the action's environment minus what could let that code act with the
// release's rights: action inputs, runner tokens, GitHub tokens, the workflow command files and any
// variable holding a registered secret. A user who needs one of them names it in build-env-keep.

/** How to filter an environment for a child. */
export interface EnvPolicy {
  /** Names passed through although the rules below would remove them (build-env-keep). */
  keep?: readonly string[]
  /** Whether a value holds a registered secret (Logger.containsSecret). */
  containsSecret?: (text: string) => boolean
}

/** Action inputs (INPUT_PASSWORD, INPUT_GITHUB-TOKEN) and the runner's tokens and service URLs. */
const REMOVED_PREFIXES = ['INPUT_', 'ACTIONS_']

const REMOVED_NAMES = new Set([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  // The CLI's password.
  'FPR_PASSWORD',
  // Workflow command files: a child writing there could set the environment, PATH or outputs of
  // later steps (and ours).
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_OUTPUT',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY'
])

function removed(name: string, value: string, policy: EnvPolicy): boolean {
  const upper = name.toUpperCase()
  return (
    REMOVED_PREFIXES.some((p) => upper.startsWith(p)) ||
    REMOVED_NAMES.has(upper) ||
    (value !== '' && policy.containsSecret?.(value) === true)
  )
}

/**
 * The environment a child gets from `env`, and the names removed (for the log: names only,
 * never values).
 */
export function childEnv(
  env: NodeJS.ProcessEnv,
  policy: EnvPolicy = {}
): { env: NodeJS.ProcessEnv; removed: string[] } {
  const keep = new Set(policy.keep ?? [])
  const out: NodeJS.ProcessEnv = {}
  const dropped: string[] = []
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    if (!keep.has(name) && removed(name, value, policy)) dropped.push(name)
    else out[name] = value
  }
  return { env: out, removed: dropped.sort() }
}
