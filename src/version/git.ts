// What a dev build needs from the git checkout: the commit, the release tags it contains, the
// commits since, whether the history is complete, and which files a push changed. Read-only git
// commands with a small environment (no action inputs, no tokens), never a diff driver.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export class GitError extends Error {}

/** Commands that read the object database are quick; a huge history still gets a bound. */
const GIT_TIMEOUT_MS = 60_000
const MAX_OUTPUT = 64 << 20

/** git's environment, from the one children inherit: PATH and HOME only. */
function gitEnv(childEnvBase: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // HOME keeps the global config (actions/checkout's safe.directory); nothing else is needed.
  return {
    PATH: childEnvBase.PATH ?? '',
    HOME: childEnvBase.HOME ?? '',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0'
  }
}

export interface Git {
  /** Runs `git -C cwd args`, returns stdout; throws GitError with git's message. */
  (args: string[]): Promise<string>
  cwd: string
}

/** git at `cwd`; `childEnvBase`: the environment children inherit (RunContext.childEnvBase). */
export function gitAt(cwd: string, childEnvBase: NodeJS.ProcessEnv): Git {
  const git = (async (args: string[]) => {
    try {
      const { stdout } = await run('git', ['-C', cwd, ...args], {
        env: gitEnv(childEnvBase),
        timeout: GIT_TIMEOUT_MS,
        maxBuffer: MAX_OUTPUT
      })
      return stdout
    } catch (err) {
      const e = err as { stderr?: string; message: string; code?: unknown }
      if (e.code === 'ENOENT') {
        throw new GitError('git is not installed: dev builds read the version from the history')
      }
      const why = (e.stderr ?? '').trim().split('\n')[0] || e.message
      throw new GitError(`git ${args.join(' ')} failed in ${cwd}: ${why}`)
    }
  }) as Git
  git.cwd = cwd
  return git
}

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')

/** The top folder of the work tree. */
export async function topLevel(git: Git): Promise<string> {
  return (await git(['rev-parse', '--show-toplevel'])).trim()
}

export async function headCommit(git: Git): Promise<string> {
  return (await git(['rev-parse', '--verify', 'HEAD^{commit}'])).trim()
}

/** A shallow clone lacks tags and history: the dev version would be wrong. */
export async function isShallow(git: Git): Promise<boolean> {
  return (await git(['rev-parse', '--is-shallow-repository'])).trim() === 'true'
}

/** Tags whose commit HEAD contains (so not a backport made on another branch). */
export async function tagsMerged(git: Git): Promise<string[]> {
  return lines(await git(['tag', '--merged', 'HEAD']))
}

/** Commits in HEAD and not in `since` (all of HEAD's history without it). */
export async function commitsSince(git: Git, since?: string): Promise<number> {
  const range = since === undefined ? 'HEAD' : `refs/tags/${since}..HEAD`
  const n = Number.parseInt((await git(['rev-list', '--count', range, '--'])).trim(), 10)
  if (!Number.isFinite(n)) throw new GitError(`git rev-list --count ${range} gave no number`)
  return n
}

export async function hasCommit(git: Git, rev: string): Promise<boolean> {
  try {
    await git(['cat-file', '-e', `${rev}^{commit}`])
    return true
  } catch {
    return false
  }
}

/** Files changed between two commits under `paths` (relative to the top of the work tree). */
export async function changedFiles(
  git: Git,
  before: string,
  after: string,
  paths: string[]
): Promise<string[]> {
  const out = await git([
    'diff',
    '--no-ext-diff',
    '--no-textconv',
    '--name-only',
    before,
    after,
    '--',
    // From the top whatever git's folder; literal, so a folder name is never a glob.
    ...paths.map((p) => `:(top,literal)${p === '' ? '.' : p}`)
  ])
  return lines(out)
}
