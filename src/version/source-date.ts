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
 * Seconds since the epoch: SOURCE_DATE_EPOCH (`fixed`) when set, else the commit time of the tag
 * (then the workflow's commit `sha`, then HEAD) in the git checkout at cwd.
 */
export async function sourceDateEpoch(
  run: { sourceDateEpoch?: string; sha?: string; childEnvBase: NodeJS.ProcessEnv },
  cwd: string,
  tag: string
): Promise<{ epoch: number; from: string }> {
  const fixed = run.sourceDateEpoch?.trim()
  if (fixed) {
    if (!/^\d+$/.test(fixed)) {
      throw new SourceDateError(
        `SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${fixed}"`
      )
    }
    return { epoch: Number.parseInt(fixed, 10), from: 'SOURCE_DATE_EPOCH' }
  }
  const candidates = [`refs/tags/${tag}^{commit}`, run.sha, 'HEAD'].filter((r): r is string => !!r)
  // git gets PATH and HOME of the environment children inherit.
  const git = gitAt(cwd, run.childEnvBase)
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
