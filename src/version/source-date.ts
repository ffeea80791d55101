// The release's timestamp for org.opencontainers.image.created: never the
// clock, so that re-running a release gives the same manifest digests.
import { gitAt, type Git } from './git.js'

export class SourceDateError extends Error {}

/** Through the dev builds' git runner: bounded in time and output, a small environment. */
async function commitTime(git: Git, rev: string): Promise<number | undefined> {
  try {
    const stdout = await git(['log', '-1', '--format=%ct', rev, '--'])
    const n = Number.parseInt(stdout.trim(), 10)
    return Number.isFinite(n) ? n : undefined
  } catch {
    return undefined
  }
}

/**
 * Seconds since the epoch: SOURCE_DATE_EPOCH when set, else the commit time of
 * the tag (then GITHUB_SHA, then HEAD) in the git checkout at cwd.
 */
export async function sourceDateEpoch(
  env: NodeJS.ProcessEnv,
  cwd: string,
  tag: string
): Promise<{ epoch: number; from: string }> {
  const fixed = env.SOURCE_DATE_EPOCH?.trim()
  if (fixed) {
    if (!/^\d+$/.test(fixed)) {
      throw new SourceDateError(
        `SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${fixed}"`
      )
    }
    return { epoch: Number.parseInt(fixed, 10), from: 'SOURCE_DATE_EPOCH' }
  }
  const candidates = [`refs/tags/${tag}^{commit}`, env.GITHUB_SHA, 'HEAD'].filter(
    (r): r is string => !!r
  )
  // git runs with this process's PATH and HOME, as ever: `env` may name only the variables above.
  const git = gitAt(cwd)
  for (const rev of candidates) {
    const t = await commitTime(git, rev)
    if (t !== undefined) return { epoch: t, from: `commit time of ${rev.replace('^{commit}', '')}` }
  }
  throw new SourceDateError(
    `cannot tell when ${tag} was made: ${cwd} is not a git checkout. ` +
      'Check out the repository first (actions/checkout), or set SOURCE_DATE_EPOCH.'
  )
}

/** RFC 3339 with second precision and Z, as oras writes org.opencontainers.image.created. */
export function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
