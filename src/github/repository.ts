// A GitHub repository's owner and name, checked (they go into API paths). Apart from the API
// client (client.ts), which loads Octokit: runs that never call the API need these too.

/** Checks the owner and name of a repository (they go into API paths). */
export function checkRepository(owner: string, repo: string): { owner: string; repo: string } {
  for (const [what, v] of [
    ['owner', owner],
    ['repo', repo]
  ]) {
    if (!/^[A-Za-z0-9_.-]+$/.test(v) || v === '.' || v === '..') {
      throw new Error(`invalid GitHub repository ${what} ${JSON.stringify(v)}`)
    }
  }
  return { owner, repo }
}

/** `owner/repo` from GITHUB_REPOSITORY (or a given `owner/repo`). */
export function parseRepository(value: string | undefined): { owner: string; repo: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec((value ?? '').trim())
  if (!m) {
    throw new Error(
      `expected a GitHub repository as owner/name, got ${JSON.stringify(value ?? '')} (GITHUB_REPOSITORY is not set?)`
    )
  }
  return checkRepository(m[1], m[2])
}
