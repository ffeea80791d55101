// Before the first registry write: can this token write the repository's contents (needed by
// the GitHub Release and by index-branch)? GitHub has no read-only way to ask for a workflow
// token, so we ask by doing the one write that changes nothing anyone can see: storing the
// empty blob. Git objects are content-addressed, the empty blob exists in nearly every
// repository already, and an unreachable object is garbage-collected.
import {
  CONTENTS_WRITE_HINT,
  GitHubApiError,
  GitHubClient,
  type GitHubApiOptions
} from './client.js'
import { checkRepository } from './repository.js'
import type { Logger } from '../log.js'

export interface ContentsAccessRequest {
  api: GitHubApiOptions
  owner: string
  repo: string
  /** What needs the access, for the message, e.g. "github-release (auto: a tag run)". */
  neededBy: string[]
  logger: Logger
}

/** Throws an Error that names the fix when the token cannot write the repository's contents. */
export async function checkContentsWrite(req: ContentsAccessRequest): Promise<void> {
  const gh = new GitHubClient(req.api, req.logger)
  const repo = checkRepository(req.owner, req.repo)
  const where = `${req.owner}/${req.repo}`
  const who = req.neededBy.join(' and ')
  try {
    await gh.rest.git.createBlob({ ...repo, content: '', encoding: 'utf-8' })
  } catch (err) {
    if (!(err instanceof GitHubApiError)) {
      throw new Error(
        `cannot reach the GitHub API to check access for ${who}: ${(err as Error).message}`,
        {
          cause: err
        }
      )
    }
    if (err.status === 403) {
      throw new Error(
        `${who} needs to write to ${where}, but the GitHub token may not (GitHub answered 403: ` +
          `${err.apiMessage}): ${CONTENTS_WRITE_HINT}; or turn it off (github-release: false, ` +
          'no index-branch). Nothing was pushed.',
        { cause: err }
      )
    }
    if (err.status === 404) {
      throw new Error(
        `${who}: the repository ${where} was not found with this GitHub token (wrong ` +
          'GITHUB_REPOSITORY, or a token without access to it). Nothing was pushed.',
        { cause: err }
      )
    }
    if (err.status === 401) {
      throw new Error(
        `${who}: GitHub refused the token (401): pass the workflow token (\`\${{ github.token }}\`) ` +
          'or a valid token in github-token. Nothing was pushed.',
        { cause: err }
      )
    }
    throw err
  }
}
