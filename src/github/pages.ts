// index.yaml on a branch (gh-pages by default), written through the Git data API only: no git
// CLI, no checkout, no credentials on disk. Each attempt reads the branch head, lets the caller
// merge into the file found there, writes blob -> tree -> commit, and moves the branch with
// force: false. A concurrent writer makes that update fail (not a fast forward): we read again
// and merge again, so no one's entries are lost.
import type { Logger } from '../log.js'
import { formatBytes } from '../util/bytes.js'
import { MAX_INDEX_FILE_BYTES } from '../util/bounded-read.js'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  GitHubApiError,
  GitHubClient,
  refPath,
  unlessNotFound,
  type GitHubApiOptions,
  type Octokit
} from './client.js'
import { checkRepository } from './repository.js'

export interface CommitIndexOptions {
  api: GitHubApiOptions
  owner: string
  repo: string
  /** e.g. gh-pages. Created (as an orphan branch) when missing. */
  branch: string
  /** File in the branch, e.g. index.yaml or falco/index.yaml. */
  path: string
  /** New content from the current one (undefined when the file or branch does not exist). */
  update: (existing: string | undefined) => string
  message: string
  logger: Logger
  /** Attempts in all when the branch moves under us (default 5). */
  maxAttempts?: number
  /** Base delay between attempts (default 1000 ms, grows with each attempt; tests use 0). */
  retryDelayMs?: number
  /** Ask the Pages API where the site is served (default true); falls back to the github.io URL. */
  lookupPages?: boolean
}

export interface CommitIndexResult {
  /** The branch head after the update (the old head when nothing changed). */
  commitSha: string
  /** Where falcoctl can read the file: the Pages URL (`falcoctl index add <name> <url>`). */
  url: string
  /** The raw file URL, which works without Pages. */
  rawUrl: string
  /** False when the file already had the new content (no commit made). */
  changed: boolean
  createdBranch: boolean
  attempts: number
}

/** A repository as Octokit's methods take it. */
type Repo = { owner: string; repo: string }
type GitRef = Awaited<ReturnType<Octokit['rest']['git']['getRef']>>['data']
type PagesSite = Awaited<ReturnType<Octokit['rest']['repos']['getPages']>>['data']

/** A file path inside the branch: relative, no empty, "." or ".." segments. */
function checkPath(path: string): string[] {
  const parts = path.split('/')
  if (path === '' || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(
      `invalid path ${JSON.stringify(path)} for the index in the branch: use e.g. index.yaml`
    )
  }
  return parts
}

function checkBranch(branch: string): void {
  if (
    branch === '' ||
    branch.startsWith('refs/') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.lock') ||
    /\.\.|[\s~^:?*[\\]|@\{|\/\//.test(branch)
  ) {
    throw new Error(`invalid branch name ${JSON.stringify(branch)}: use e.g. gh-pages`)
  }
}

/** The head of a branch, or undefined when the branch does not exist. */
function branchHead(gh: GitHubClient, repo: Repo, branch: string): Promise<GitRef | undefined> {
  return unlessNotFound(
    gh.octokit.request(`GET /repos/{owner}/{repo}/git/ref/${refPath('heads', branch)}`, repo)
  ) as Promise<GitRef | undefined>
}

/** `<branch>` for a raw-file URL: each segment escaped, slashes kept. */
const branchPath = (branch: string) => branch.split('/').map(encodeURIComponent).join('/')

/**
 * Where GitHub Pages serves `path` of this repository on github.com: https://<owner>.github.io/<repo>/<path>,
 * or https://<owner>.github.io/<path> for the <owner>.github.io repository itself.
 */
export function pagesUrl(owner: string, repo: string, path: string): string {
  const host = `${owner.toLowerCase()}.github.io`
  const file = path.split('/').map(encodeURIComponent).join('/')
  if (repo.toLowerCase() === host) return `https://${host}/${file}`
  return `https://${host}/${encodeURIComponent(repo)}/${file}`
}

/** The raw URL of a file on a branch: raw.githubusercontent.com on github.com, /raw/ on a server. */
export function rawFileUrl(
  apiBaseUrl: string,
  owner: string,
  repo: string,
  branch: string,
  path: string
): string {
  const file = path.split('/').map(encodeURIComponent).join('/')
  const api = new URL(apiBaseUrl)
  if (api.hostname === 'api.github.com') {
    return `https://raw.githubusercontent.com/${owner}/${repo}/${branchPath(branch)}/${file}`
  }
  return `${api.origin}/${owner}/${repo}/raw/${branchPath(branch)}/${file}`
}

/** A concurrent writer moved (or created) the branch between our read and our write. */
function isRace(err: unknown): boolean {
  if (!(err instanceof GitHubApiError)) return false
  if (err.status === 409) return true
  return (
    err.status === 422 &&
    /fast[ -]?forward|reference already exists|reference cannot be updated/i.test(err.apiMessage)
  )
}

/** Reads `parts` from a tree, one level at a time (never a truncated recursive listing). */
async function readFile(
  gh: GitHubClient,
  repo: Repo,
  treeSha: string,
  parts: string[]
): Promise<string | undefined> {
  let sha = treeSha
  for (let i = 0; i < parts.length; i++) {
    const tree = (await gh.rest.git.getTree({ ...repo, tree_sha: sha })).data
    const entry = tree.tree.find((e) => e.path === parts[i])
    if (entry === undefined) return undefined
    const last = i === parts.length - 1
    if (last && entry.type !== 'blob') {
      throw new Error(`${parts.join('/')} in the branch is a ${entry.type}, not a file`)
    }
    if (!last && entry.type !== 'tree') {
      throw new Error(`${parts.slice(0, i + 1).join('/')} in the branch is a file, not a folder`)
    }
    if (last) checkIndexSize(parts, entry.size)
    sha = entry.sha
  }
  const blob = (await gh.rest.git.getBlob({ ...repo, file_sha: sha })).data
  if (blob.encoding !== undefined && blob.encoding !== 'base64') {
    throw new Error(`unexpected blob encoding ${blob.encoding} for ${parts.join('/')}`)
  }
  checkIndexSize(parts, blob.size)
  const content = Buffer.from(blob.content ?? '', 'base64')
  checkIndexSize(parts, content.length)
  return content.toString('utf8')
}

/** Refuses an index in the branch larger than MAX_INDEX_FILE_BYTES, before reading it. */
function checkIndexSize(parts: string[], size: number | null | undefined): void {
  if (size === undefined || size === null || size <= MAX_INDEX_FILE_BYTES) return
  throw new Error(
    `${parts.join('/')} in the branch is ${formatBytes(size)}, more than the ` +
      `${formatBytes(MAX_INDEX_FILE_BYTES)} this action reads: check that index-file names a ` +
      'falcoctl index.yaml, or publish the index to another branch (index-branch)'
  )
}

/**
 * The file as it is on the branch now (undefined when the branch or the file does not exist):
 * read before the first registry write, to refuse a branch whose index.yaml we could not merge.
 */
export async function readBranchFile(opts: {
  api: GitHubApiOptions
  owner: string
  repo: string
  branch: string
  path: string
  logger: Logger
}): Promise<string | undefined> {
  checkBranch(opts.branch)
  const parts = checkPath(opts.path)
  const gh = new GitHubClient(opts.api, opts.logger)
  const repo = checkRepository(opts.owner, opts.repo)
  const ref = await branchHead(gh, repo, opts.branch)
  if (ref === undefined) return undefined
  const head = (await gh.rest.git.getCommit({ ...repo, commit_sha: ref.object.sha })).data
  return readFile(gh, repo, head.tree.sha, parts)
}

/** Creates or updates one file on a branch with a single commit, retried on concurrent updates. */
export async function commitIndexToBranch(opts: CommitIndexOptions): Promise<CommitIndexResult> {
  const { logger } = opts
  checkBranch(opts.branch)
  const parts = checkPath(opts.path)
  const gh = new GitHubClient(opts.api, logger)
  const repo = checkRepository(opts.owner, opts.repo)
  const maxAttempts = opts.maxAttempts ?? 5
  const delay = opts.retryDelayMs ?? 1000
  const where = `${opts.owner}/${opts.repo}@${opts.branch}`

  const done = async (r: Omit<CommitIndexResult, 'url' | 'rawUrl'>): Promise<CommitIndexResult> => {
    const rawUrl = rawFileUrl(opts.api.baseUrl, opts.owner, opts.repo, opts.branch, opts.path)
    const url =
      opts.lookupPages === false
        ? pagesUrl(opts.owner, opts.repo, opts.path)
        : await servedUrl(gh, repo, opts, rawUrl)
    return { ...r, url, rawUrl }
  }

  let result: Omit<CommitIndexResult, 'url' | 'rawUrl'> | undefined
  for (let attempt = 1; result === undefined; attempt++) {
    try {
      const ref = await branchHead(gh, repo, opts.branch)
      if (ref === undefined) {
        const content = opts.update(undefined)
        const blob = await createBlob(gh, repo, content)
        const tree = await gh.rest.git.createTree({
          ...repo,
          tree: [
            { path: opts.path, mode: '100644', type: 'blob', sha: blob },
            // Serve files as they are, without a Jekyll build.
            ...(opts.path === '.nojekyll'
              ? []
              : [
                  { path: '.nojekyll', mode: '100644' as const, type: 'blob' as const, content: '' }
                ])
          ]
        })
        const commit = await gh.rest.git.createCommit({
          ...repo,
          message: opts.message,
          tree: tree.data.sha,
          parents: []
        })
        await gh.rest.git.createRef({
          ...repo,
          ref: `refs/heads/${opts.branch}`,
          sha: commit.data.sha
        })
        logger.info(`created branch ${opts.branch} in ${opts.owner}/${opts.repo} with ${opts.path}`)
        result = {
          commitSha: commit.data.sha,
          changed: true,
          createdBranch: true,
          attempts: attempt
        }
        continue
      }

      const head = ref.object.sha
      const headCommit = (await gh.rest.git.getCommit({ ...repo, commit_sha: head })).data
      const existing = await readFile(gh, repo, headCommit.tree.sha, parts)
      const content = opts.update(existing)
      if (content === existing) {
        logger.info(`${opts.path} on ${where} is already up to date`)
        result = {
          commitSha: head,
          changed: false,
          createdBranch: false,
          attempts: attempt
        }
        continue
      }
      const blob = await createBlob(gh, repo, content)
      const tree = await gh.rest.git.createTree({
        ...repo,
        base_tree: headCommit.tree.sha,
        tree: [{ path: opts.path, mode: '100644', type: 'blob', sha: blob }]
      })
      const commit = await gh.rest.git.createCommit({
        ...repo,
        message: opts.message,
        tree: tree.data.sha,
        parents: [head]
      })
      await gh.octokit.request(
        `PATCH /repos/{owner}/{repo}/git/refs/${refPath('heads', opts.branch)}`,
        {
          ...repo,
          sha: commit.data.sha,
          force: false
        }
      )
      logger.info(`committed ${opts.path} to ${where} (${commit.data.sha.slice(0, 12)})`)
      result = {
        commitSha: commit.data.sha,
        changed: true,
        createdBranch: false,
        attempts: attempt
      }
    } catch (err) {
      if (
        err instanceof GitHubApiError &&
        err.status === 422 &&
        /protected branch/i.test(err.apiMessage)
      ) {
        throw new Error(
          `${where} is a protected branch the workflow token may not push to: publish the index to an unprotected branch (index-branch), or allow GitHub Actions to push to it`,
          { cause: err }
        )
      }
      if (err instanceof GitHubApiError && err.status === 409 && /empty/i.test(err.apiMessage)) {
        throw new Error(
          `${opts.owner}/${opts.repo} has no commits yet: the Git data API cannot write to an empty repository; push a first commit`,
          { cause: err }
        )
      }
      if (!isRace(err) || attempt >= maxAttempts) {
        if (isRace(err)) {
          throw new Error(
            `${where} kept moving while we updated ${opts.path} (${maxAttempts} attempts): ${(err as Error).message}`,
            { cause: err }
          )
        }
        throw err
      }
      logger.info(
        `${where} changed while we were writing (${(err as GitHubApiError).apiMessage}); reading it again (attempt ${attempt + 1} of ${maxAttempts})`
      )
      await sleep(delay * attempt * (0.5 + Math.random()))
    }
  }
  return done(result)
}

async function createBlob(gh: GitHubClient, repo: Repo, content: string): Promise<string> {
  const res = await gh.rest.git.createBlob({
    ...repo,
    content: Buffer.from(content, 'utf8').toString('base64'),
    encoding: 'base64'
  })
  return res.data.sha
}

/**
 * The URL Pages serves the file at, from the Pages API when the token may read it (custom domains,
 * GitHub Enterprise Server), with warnings when Pages would not serve this branch.
 */
async function servedUrl(
  gh: GitHubClient,
  repo: Repo,
  opts: CommitIndexOptions,
  rawUrl: string
): Promise<string> {
  const fallback = pagesUrl(opts.owner, opts.repo, opts.path)
  let site: PagesSite
  try {
    const found = await unlessNotFound(gh.rest.repos.getPages(repo))
    if (found === undefined) {
      opts.logger.warning(
        `GitHub Pages is not enabled for ${opts.owner}/${opts.repo}: enable it (Settings -> Pages -> ` +
          `Deploy from a branch -> ${opts.branch}, / (root)) to serve ${fallback}; until then the raw URL works: ${rawUrl}`
      )
      return fallback
    }
    site = found
  } catch (err) {
    // Typically 403: the token has no `pages: read`. The github.io URL is the usual answer.
    opts.logger.debug(`could not read the Pages settings: ${(err as Error).message}`)
    return fallback
  }
  if (site.build_type === 'workflow') {
    opts.logger.warning(
      `GitHub Pages of ${opts.owner}/${opts.repo} is deployed by a workflow, not from the ${opts.branch} branch: ` +
        `make that workflow publish ${opts.path}, or switch Pages to "Deploy from a branch"`
    )
  } else if (site.source?.branch && site.source.branch !== opts.branch) {
    opts.logger.warning(
      `GitHub Pages serves the ${site.source.branch} branch, not ${opts.branch}: ${opts.path} will not be published there`
    )
    return fallback
  }
  if (!site.html_url) return fallback
  let rel = opts.path
  const dir = (site.source?.path ?? '/').replace(/^\/+|\/+$/g, '')
  if (dir !== '' && site.build_type !== 'workflow') {
    if (!rel.startsWith(dir + '/')) {
      opts.logger.warning(
        `GitHub Pages serves the /${dir} folder of ${opts.branch}: ${opts.path} is outside it; use index-file under ${dir}/`
      )
      return fallback
    }
    rel = rel.slice(dir.length + 1)
  }
  return new URL(
    rel.split('/').map(encodeURIComponent).join('/'),
    site.html_url.replace(/\/*$/, '/')
  ).toString()
}
