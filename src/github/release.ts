// GitHub Releases as a second distribution channel: the same .so and rules file as the OCI
// artifacts, as downloadable tar.gz assets with a checksums.txt, on the release of the tag.
//
// Idempotent: a re-run finds the release by tag, keeps an asset whose sha256 (GitHub's `digest`)
// already matches, and replaces one of the same name otherwise (delete, then upload), so assets
// are never duplicated.
//
// Never half-published: a new release is created as a draft (invisible to the public), gets all
// its assets, and only then is published. A run that fails in between leaves a draft marked as
// ours, which the re-run finishes and publishes; a draft a person made stays a draft.
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ARTIFACT_NAME_PATTERN } from '../falco/conventions.js'
import type { Logger } from '../log.js'
import { sha256File } from '../util/sha256-file.js'
import {
  GitHubApiError,
  GitHubClient,
  refPath,
  unlessNotFound,
  type GitHubApiOptions,
  type Octokit,
  type ReleaseAsset
} from './client.js'
import { checkRepository } from './repository.js'

export interface ReleaseAssetFile {
  /** The asset's name on the release, e.g. foo-1.2.3-linux-x86_64.tar.gz. */
  name: string
  /** The file to upload. */
  path: string
  /** Default: application/gzip for .tar.gz / .tgz, text/plain for .txt, else application/octet-stream. */
  contentType?: string
}

/** An asset built by buildReleaseAssets. */
export interface BuiltAsset extends ReleaseAssetFile {
  contentType: string
  /** Hex sha256 of the file. */
  sha256: string
  size: number
}

export type ReleaseArchitecture = 'amd64' | 'arm64'

/** The architecture names used in release asset names (as falcosecurity/plugins does). */
export const ASSET_ARCH: Record<ReleaseArchitecture, string> = {
  amd64: 'x86_64',
  arm64: 'aarch64'
}

export const CHECKSUMS_FILE = 'checksums.txt'

export interface BuildReleaseAssetsOptions {
  /** Plugin name (from the .so). */
  name: string
  /** The release's version (ReleaseVersion.version: parsed once, no v), e.g. 1.2.3 or 1.3.0-rc.1. */
  version: string
  /**
   * Per platform, the archive of a flat lib<name>.so: the OCI layer the release pushed (the same
   * reproducible tar.gz falcoctl installs), so it is packed once.
   */
  plugins: Array<{ architecture: ReleaseArchitecture; archive: string }>
  /** The archive of the rules file: the rules artifact's layer. */
  rulesArchive?: string
  /** Where checksums.txt is written (created if missing). */
  outDir: string
}

function defaultContentType(name: string): string {
  if (/\.(tar\.gz|tgz|gz)$/.test(name)) return 'application/gzip'
  if (name.endsWith('.txt')) return 'text/plain; charset=utf-8'
  return 'application/octet-stream'
}

/** `<hex>  <file>` lines sorted by file name (the format `sha256sum -c` reads). */
export function checksumsText(files: Array<{ name: string; sha256: string }>): string {
  return [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.name}\n`)
    .join('')
}

/**
 * The release assets: `<name>-<version>-linux-<x86_64|aarch64>.tar.gz` per platform (a flat
 * `lib<name>.so`, mode 0755), `<name>-rules-<version>.tar.gz` (the rules file, 0644) and
 * `checksums.txt`. The archives are the release's OCI layers (reproducible: mtime 0, owner 0:0,
 * fixed gzip), uploaded under these names; only checksums.txt is written. Returns them in upload
 * order, checksums.txt last.
 */
export async function buildReleaseAssets(opts: BuildReleaseAssetsOptions): Promise<BuiltAsset[]> {
  if (!ARTIFACT_NAME_PATTERN.test(opts.name)) {
    throw new Error(
      `cannot name release assets after ${JSON.stringify(opts.name)}: a plugin name matches ${ARTIFACT_NAME_PATTERN.source}`
    )
  }
  if (opts.plugins.length === 0) throw new Error('no plugin .so to put on the release')
  const seen = new Set<string>()
  for (const p of opts.plugins) {
    if (!(p.architecture in ASSET_ARCH)) {
      throw new Error(`unsupported architecture ${p.architecture}: use amd64 or arm64`)
    }
    if (seen.has(p.architecture)) throw new Error(`two plugin builds for ${p.architecture}`)
    seen.add(p.architecture)
  }
  await mkdir(opts.outDir, { recursive: true })

  const assets: BuiltAsset[] = []
  const add = async (name: string, path: string): Promise<void> => {
    const [sha256, info] = await Promise.all([sha256File(path), stat(path)])
    assets.push({ name, path, contentType: defaultContentType(name), sha256, size: info.size })
  }
  const plugins = [...opts.plugins].sort((a, b) => a.architecture.localeCompare(b.architecture))
  for (const p of plugins) {
    await add(`${opts.name}-${opts.version}-linux-${ASSET_ARCH[p.architecture]}.tar.gz`, p.archive)
  }
  if (opts.rulesArchive !== undefined) {
    await add(`${opts.name}-rules-${opts.version}.tar.gz`, opts.rulesArchive)
  }
  const sums = join(opts.outDir, CHECKSUMS_FILE)
  await writeFile(sums, checksumsText(assets))
  await add(CHECKSUMS_FILE, sums)
  return assets
}

/** Marks a draft this action created and will publish once its assets are up. */
export const DRAFT_MARKER = '<!-- falco-plugin-release: draft until every asset is uploaded -->'

/** A release as GitHub answers it (Octokit's type). */
type Release = Awaited<ReturnType<Octokit['rest']['repos']['getRelease']>>['data']
/** A repository as Octokit's methods take it. */
type Repo = { owner: string; repo: string }

export interface PublishGitHubReleaseOptions {
  api: GitHubApiOptions
  owner: string
  repo: string
  /** The git tag, as pushed (e.g. v1.2.3 or plugins/foo/v1.2.3). */
  tag: string
  /** Release title for a new release (an existing release keeps its title). */
  name: string
  prerelease: boolean
  /**
   * Mark a new release as the repository's latest. Compute it from the tag plan: false for a
   * backport older than the highest release, always false for pre-releases.
   */
  makeLatest: boolean
  assets: ReleaseAssetFile[]
  /**
   * Commit to create the tag on if it does not exist yet (e.g. GITHUB_SHA). Without it, a tag
   * missing from the repository is an error rather than a new tag on the default branch.
   */
  targetCommitish?: string
  logger: Logger
}

export interface PublishedAsset {
  name: string
  id: number
  size: number
  sha256: string
  url: string
  /** uploaded: new; replaced: an asset of that name with other content was deleted first; unchanged: kept. */
  action: 'uploaded' | 'replaced' | 'unchanged'
}

export interface PublishedRelease {
  id: number
  htmlUrl: string
  /** True when this run created the release. */
  created: boolean
  draft: boolean
  prerelease: boolean
  assets: PublishedAsset[]
}

const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/

function checkAssets(assets: ReleaseAssetFile[]): void {
  const names = new Set<string>()
  for (const a of assets) {
    // GitHub silently renames other names, which would defeat replace-by-name.
    if (!ASSET_NAME.test(a.name)) {
      throw new Error(
        `release asset name ${JSON.stringify(a.name)} has characters GitHub would rewrite: use letters, digits, ".", "_", "+", "-"`
      )
    }
    if (names.has(a.name)) throw new Error(`release asset ${a.name} is given twice`)
    names.add(a.name)
  }
}

/** The release of a tag, drafts included (the by-tag endpoint does not see drafts). */
async function findRelease(
  gh: GitHubClient,
  repo: Repo,
  tag: string
): Promise<Release | undefined> {
  const published = await unlessNotFound(gh.rest.repos.getReleaseByTag({ ...repo, tag }))
  if (published !== undefined) return published
  const all = await gh.paginate(gh.rest.repos.listReleases, repo)
  return all.find((r) => r.draft && r.tag_name === tag)
}

/** Creates or updates the release of `tag` and uploads the assets to it. */
export async function publishGitHubRelease(
  opts: PublishGitHubReleaseOptions
): Promise<PublishedRelease> {
  const { logger } = opts
  checkAssets(opts.assets)
  const gh = new GitHubClient(opts.api, logger)
  const repo = checkRepository(opts.owner, opts.repo)
  const makeLatest = opts.makeLatest && !opts.prerelease
  const where = `${opts.owner}/${opts.repo}`

  let release = await findRelease(gh, repo, opts.tag)
  let created = false
  if (release === undefined) {
    if (opts.targetCommitish === undefined) {
      const ref = await unlessNotFound(
        gh.octokit.request(`GET /repos/{owner}/{repo}/git/ref/${refPath('tags', opts.tag)}`, repo)
      )
      if (ref === undefined) {
        throw new Error(
          `tag ${opts.tag} does not exist in ${where}: push the tag before the release runs`
        )
      }
    }
    try {
      const res = await gh.rest.repos.createRelease({
        ...repo,
        tag_name: opts.tag,
        target_commitish: opts.targetCommitish,
        name: opts.name,
        body: DRAFT_MARKER,
        draft: true,
        prerelease: opts.prerelease,
        generate_release_notes: true,
        make_latest: 'false'
      })
      release = res.data
      created = true
      logger.info(
        `created a draft ${opts.prerelease ? 'pre-release' : 'release'} ${opts.tag} of ${where}; ` +
          'it is published once every asset is uploaded'
      )
    } catch (err) {
      // Another job (a matrix sibling, a re-run) created it in the meantime.
      if (!(err instanceof GitHubApiError && err.alreadyExists)) throw err
      release = await findRelease(gh, repo, opts.tag)
      if (release === undefined) throw err
      logger.info(`release ${opts.tag} was created concurrently; updating it`)
    }
  }
  const ours = release.draft && (release.body ?? '').includes(DRAFT_MARKER)
  if (!created && ours) {
    logger.info(`finishing the draft release ${opts.tag} an earlier run of this action left`)
  } else if (!created) {
    const patch: { prerelease?: boolean; make_latest?: 'true' | 'false' } = {}
    if (release.prerelease !== opts.prerelease) patch.prerelease = opts.prerelease
    if (makeLatest && !release.draft) patch.make_latest = 'true'
    else if (patch.prerelease !== undefined) patch.make_latest = 'false'
    if (Object.keys(patch).length > 0) {
      release = (await gh.rest.repos.updateRelease({ ...repo, release_id: release.id, ...patch }))
        .data
    }
    logger.info(
      `updating the existing ${release.draft ? 'draft ' : ''}release ${opts.tag}` +
        (patch.prerelease !== undefined
          ? ` (now ${opts.prerelease ? 'a pre-release' : 'a full release'})`
          : '') +
        `: ${release.html_url}`
    )
    if (release.draft) logger.info(`release ${opts.tag} is a draft: publish it when it is ready`)
  }

  const listAssets = (release_id: number) =>
    gh.paginate(gh.rest.repos.listReleaseAssets, { ...repo, release_id })
  const existing = await listAssets(release.id)
  const published: PublishedAsset[] = []
  for (const asset of opts.assets) {
    const [sha256, info] = await Promise.all([sha256File(asset.path), stat(asset.path)])
    const old = existing.find((a) => a.name === asset.name)
    if (
      old !== undefined &&
      old.state === 'uploaded' &&
      old.size === info.size &&
      old.digest === `sha256:${sha256}`
    ) {
      logger.info(`${asset.name}: already on the release with the same sha256, kept`)
      published.push(toPublished(old, sha256, 'unchanged'))
      continue
    }
    if (old !== undefined) {
      await deleteAsset(gh, repo, old.id)
      logger.info(`${asset.name}: replacing the asset of the same name (other content)`)
    }
    const file = {
      name: asset.name,
      path: asset.path,
      contentType: asset.contentType ?? defaultContentType(asset.name)
    }
    let uploaded: ReleaseAsset
    try {
      uploaded = await gh.upload(release.upload_url, file)
    } catch (err) {
      // An interrupted upload can leave a half-created asset holding the name: drop it, retry once.
      const holder = (await listAssets(release.id)).find((a) => a.name === asset.name)
      const clientError = err instanceof GitHubApiError && err.status < 500
      if (holder === undefined && clientError) throw err
      logger.info(`${asset.name}: upload failed (${(err as Error).message}); retrying once`)
      if (holder !== undefined) await deleteAsset(gh, repo, holder.id)
      uploaded = await gh.upload(release.upload_url, file)
    }
    if (uploaded.digest && uploaded.digest !== `sha256:${sha256}`) {
      throw new Error(
        `${asset.name}: GitHub stored ${uploaded.digest}, but the file is sha256:${sha256} (changed during the upload?)`
      )
    }
    logger.info(`${asset.name}: uploaded (${info.size} bytes)`)
    published.push(toPublished(uploaded, sha256, old === undefined ? 'uploaded' : 'replaced'))
  }
  if (created || ours) {
    // Every asset is there: publish the draft.
    const body = (release.body ?? '').replace(DRAFT_MARKER, '').trim()
    release = (
      await gh.rest.repos.updateRelease({
        ...repo,
        release_id: release.id,
        draft: false,
        body,
        prerelease: opts.prerelease,
        make_latest: makeLatest ? 'true' : 'false'
      })
    ).data
    logger.info(
      `published ${opts.prerelease ? 'pre-release' : 'release'} ${opts.tag} of ${where}` +
        (makeLatest ? ' (marked latest)' : ' (not marked latest)') +
        `: ${release.html_url}`
    )
  }
  return {
    id: release.id,
    htmlUrl: release.html_url,
    created,
    draft: release.draft,
    prerelease: release.prerelease,
    assets: published
  }
}

async function deleteAsset(gh: GitHubClient, repo: Repo, id: number): Promise<void> {
  await unlessNotFound(gh.rest.repos.deleteReleaseAsset({ ...repo, asset_id: id }))
}

function toPublished(
  a: ReleaseAsset,
  sha256: string,
  action: PublishedAsset['action']
): PublishedAsset {
  return { name: a.name, id: a.id, size: a.size, sha256, url: a.browser_download_url, action }
}
