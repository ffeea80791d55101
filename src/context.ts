// The run's context, read once at the edges (src/main.ts for the action, src/cli.ts for the CLI)
// into one typed value, as docker/metadata-action's context.ts does: the GitHub facts (from
// @actions/github's `context`), the runner's folders, SOURCE_DATE_EPOCH, the OIDC token request,
// the workflow token and where the Docker config is. Nothing below the entry points reads
// process.env or an environment object for a fact; `childEnvBase` is the one environment passed
// down, and only as the base that src/process/child-env.ts filters for the children we start.
import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import type { context as actionsContext } from '@actions/github'
import { inspectorCacheDir } from './inspect/inspect.js'
import { dockerConfigPath } from './oci/docker-config.js'

/** What @actions/github's `context` gives (it reads GITHUB_* and the event payload at load). */
export type GitHubContext = Pick<
  typeof actionsContext,
  'ref' | 'sha' | 'eventName' | 'actor' | 'serverUrl' | 'apiUrl' | 'payload'
>

/** What the event payload says, as far as this action cares. */
export interface RunEvent {
  /** The repository's default branch: dev builds publish its pushes. */
  defaultBranch?: string
  /** A push: the commits before and after it (the monorepo push filter compares them). */
  before?: string
  after?: string
  /** A push that deleted the branch. */
  deleted: boolean
  /** The repository is private or internal (keyless signing writes its name to a public log). */
  privateRepository: boolean
}

export interface GitHubFacts {
  /** owner/name (GITHUB_REPOSITORY); '' outside GitHub Actions. */
  repository: string
  /** The web server, without a trailing "/": https://github.com or a GitHub Enterprise host. */
  serverUrl: string
  /** The REST API root, https://api.github.com by default. */
  apiUrl: string
  /** GITHUB_REF: refs/tags/<tag> or refs/heads/<branch>; '' when unset. */
  ref: string
  /** The commit the workflow runs on; '' when unset. */
  sha: string
  /** Who started the run (the username default). */
  actor: string
  /** push, workflow_dispatch, ...; '' when unset. */
  eventName: string
  event: RunEvent
  /** Under the GitHub Actions runner (GITHUB_ACTIONS=true). */
  actions: boolean
  /** GITHUB_TOKEN from the environment (the github-token default); '' when unset. */
  token: string
}

export interface RunContext {
  github: GitHubFacts
  /** The checkout (GITHUB_WORKSPACE) paths are confined to; undefined outside GitHub Actions. */
  workspace?: string
  /** The folder relative paths start from. */
  cwd: string
  /** The runner's temp space (RUNNER_TEMP), else the OS temp folder. */
  runnerTemp: string
  /** SOURCE_DATE_EPOCH as given (checked where the timestamp is needed); undefined when unset. */
  sourceDateEpoch?: string
  /** The GitHub OIDC token request, when the job may ask for one (permissions: id-token: write). */
  oidc?: { requestUrl: string; requestToken: string }
  /** The config.json docker would read ($DOCKER_CONFIG, else ~/.docker). */
  dockerConfig: string
  /** $CC: the C compiler cgo uses, so the inspector is compiled with it too. */
  cc?: string
  /** Where compiled inspectors are kept between runs (tool cache, else the user's cache). */
  inspectorCache: string
  /**
   * The process environment, ONLY as the base src/process/child-env.ts filters for children (the
   * build, C compilers, the inspector, qemu, git, zig, docker credential helpers). Never read a
   * fact from it: every fact is a field above.
   */
  childEnvBase: NodeJS.ProcessEnv
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

function eventOf(payload: unknown): RunEvent {
  const p = (payload !== null && typeof payload === 'object' ? payload : {}) as Record<
    string,
    unknown
  >
  const repo = (
    p.repository !== null && typeof p.repository === 'object' ? p.repository : {}
  ) as Record<string, unknown>
  return {
    defaultBranch: str(repo.default_branch),
    before: str(p.before),
    after: str(p.after),
    deleted: p.deleted === true,
    privateRepository:
      repo.private === true || (repo.visibility !== undefined && repo.visibility !== 'public')
  }
}

/**
 * The context of this run: the GitHub parts from @actions/github's `context` (read from the
 * process environment when it loaded), the rest from `env`.
 */
export function readRunContext(
  env: NodeJS.ProcessEnv,
  github: GitHubContext,
  cwd = process.cwd()
): RunContext {
  const trimmed = (v: string | undefined) => v?.trim() || undefined
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  return {
    github: {
      repository: env.GITHUB_REPOSITORY ?? '',
      serverUrl: github.serverUrl.replace(/\/+$/, ''),
      apiUrl: github.apiUrl?.trim() || 'https://api.github.com',
      ref: (github.ref ?? '').trim(),
      sha: github.sha ?? '',
      actor: github.actor ?? '',
      eventName: (github.eventName ?? '').trim(),
      event: eventOf(github.payload),
      actions: env.GITHUB_ACTIONS === 'true',
      token: env.GITHUB_TOKEN ?? ''
    },
    workspace: trimmed(env.GITHUB_WORKSPACE),
    cwd: resolve(cwd),
    runnerTemp: env.RUNNER_TEMP || tmpdir(),
    sourceDateEpoch: trimmed(env.SOURCE_DATE_EPOCH),
    oidc: requestUrl && requestToken ? { requestUrl, requestToken } : undefined,
    dockerConfig: dockerConfigPath(env),
    cc: trimmed(env.CC),
    inspectorCache: inspectorCacheDir(env),
    childEnvBase: env
  }
}
