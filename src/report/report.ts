// What a release tells its users: action outputs, the metadata JSON, the job
// summary (markdown) and the plan as text for dry runs. Pure functions of the
// result; nothing here may ever see a secret.
import type { ArtifactPlan, ReleasePlan } from '../plan/plan.js'
import type { ReleaseResult } from '../pipeline/state.js'
import { STAGE_TEXT, type Journal } from './journal.js'
import { mdCode, mdFence, mdMessage, mdText, mdUrl } from './markdown.js'
import { installSection } from './install.js'

export interface Outputs {
  version: string
  tags: string
  'plugin-ref': string
  'plugin-digest': string
  'rules-ref': string
  'rules-digest': string
  'index-file': string
  'plugin-path': string
  digest: string
  platform: string
  'glibc-floor': string
  'release-url': string
  'index-url': string
  'registry-entry': string
  signed: string
  metadata: string
  /** "true" when a dev build was skipped (its push did not touch the plugin). */
  skipped: string
}

function artifactJson(a: ArtifactPlan | undefined) {
  if (!a) return undefined
  return {
    name: a.name,
    ref: a.ref,
    digest: a.root.descriptor.digest,
    mediaType: a.root.descriptor.mediaType,
    tags: a.tags,
    status: a.status,
    config: a.config,
    manifests: a.manifests.map((m) => ({ platform: m.platform, digest: m.descriptor.digest }))
  }
}

function platformName(p: { os: string; architecture: string }): string {
  return `${p.os}/${p.architecture}`
}

export function metadataJson(result: ReleaseResult): Record<string, unknown> {
  const { plan, metadata } = result
  return {
    mode: result.mode,
    version: plan.version,
    created: plan.created,
    dryRun: result.dryRun,
    tags: plan.plugin.tags,
    skippedTags: plan.tagPlan.floating
      .filter((d) => !d.move)
      .map((d) => ({ tag: d.tag, reason: d.reason })),
    plugin: {
      ...artifactJson(plan.plugin),
      requiredApiVersion: metadata.requiredApiVersion,
      description: metadata.description,
      contact: metadata.contact,
      capabilities: metadata.capabilities,
      ...(metadata.id !== undefined ? { id: metadata.id, eventSource: metadata.eventSource } : {})
    },
    rules: artifactJson(plan.rules),
    platforms: result.builds.map((b) => ({
      platform: platformName(b.platform),
      manifestDigest: b.manifestDigest,
      glibcFloor: b.glibcVersion ?? null
    })),
    indexFile: result.indexFile ?? null,
    indexUrl: result.distribution?.index?.url ?? null,
    githubRelease: result.distribution?.githubRelease
      ? {
          url: result.distribution.githubRelease.htmlUrl,
          assets: result.distribution.githubRelease.assets.map((a) => ({
            name: a.name,
            url: a.url,
            sha256: a.sha256
          }))
        }
      : null,
    registryEntry: result.registryEntry ?? null,
    signing: signingJson(result),
    dev: devJson(result),
    published: result.report
      ? {
          blobsUploaded: result.report.blobsUploaded,
          bytesUploaded: result.report.bytesUploaded,
          manifestsWritten: result.report.manifestsWritten,
          tagsWritten: result.report.tags.filter((t) => t.written).map((t) => `${t.ref}:${t.tag}`)
        }
      : null,
    warnings: result.warnings
  }
}

function signingJson(result: ReleaseResult): Record<string, unknown> | null {
  const s = result.signing
  if (!s) return null
  if (!s.signed) return { signed: false, reason: s.reason ?? null }
  const id = s.identity
  return {
    signed: true,
    ...(id?.kind === 'keyless'
      ? { mode: 'keyless', identity: id.subject, issuer: id.issuer }
      : { mode: 'key', publicKey: id?.publicKeyPem ?? null }),
    index: s.indexSignature ?? null,
    signatures: s.signatures.map((x) => ({
      ref: x.ref,
      legacyTag: x.legacy.tag,
      bundle: x.bundle.digest,
      via: x.bundle.via
    })),
    attestation: result.distribution?.attestation ?? null
  }
}

function devJson(result: ReleaseResult): Record<string, unknown> | null {
  const dev = result.plan.tagPlan.devTag !== undefined ? result.devChannel : undefined
  if (!dev) return null
  const r = result.retention
  return {
    branch: dev.branch,
    devTag: dev.devTag,
    commit: dev.commit,
    lastRelease: dev.lastRelease ?? null,
    commits: dev.commits,
    soVersion: dev.soVersion,
    retention: r
      ? {
          keep: r.keep,
          deleted: r.deleted.map((d) => `${d.ref}:${d.tag}`),
          left: r.left.flatMap((l) => l.tags.map((t) => `${l.ref}:${t}`)),
          unsupported: r.unsupported ?? null
        }
      : null
  }
}

export function outputsOf(result: ReleaseResult): Outputs {
  const { plan } = result
  const at = (a?: ArtifactPlan) => (a ? `${a.ref}:${plan.version}` : '')
  const glibc = Object.fromEntries(
    result.builds.map((b) => [platformName(b.platform), b.glibcVersion ?? null])
  )
  const common = {
    version: plan.version,
    'plugin-path': result.pluginPath,
    'glibc-floor': JSON.stringify(glibc),
    metadata: JSON.stringify(metadataJson(result))
  }
  if (result.mode === 'push-by-digest') {
    // A matrix job: only the platform manifest exists; the merge job takes it from here.
    const b = result.builds[0]
    return {
      ...common,
      tags: '',
      'plugin-ref': `${plan.plugin.ref}@${b.manifestDigest}`,
      'plugin-digest': b.manifestDigest,
      'rules-ref': '',
      'rules-digest': '',
      'index-file': '',
      digest: b.manifestDigest,
      platform: platformName(b.platform),
      'release-url': '',
      'index-url': '',
      'registry-entry': '',
      signed: 'false',
      skipped: 'false'
    }
  }
  return {
    ...common,
    tags: plan.plugin.tags.join('\n'),
    'plugin-ref': at(plan.plugin),
    'plugin-digest': plan.plugin.root.descriptor.digest,
    'rules-ref': at(plan.rules),
    'rules-digest': plan.rules?.root.descriptor.digest ?? '',
    'index-file': result.indexFile ?? '',
    digest: plan.plugin.root.descriptor.digest,
    platform: result.builds.map((b) => platformName(b.platform)).join(','),
    'release-url': result.distribution?.githubRelease?.htmlUrl ?? '',
    'index-url': result.distribution?.index?.url ?? '',
    'registry-entry': result.registryEntry?.yaml ?? '',
    signed: result.signing?.signed ? 'true' : 'false',
    skipped: 'false'
  }
}

/** The summary of a dev build that had nothing to build. */
export function skippedMarkdown(reason: string): string {
  return `## Falco plugin dev build skipped\n\n${mdMessage(reason)}\n`
}

/** What a dev build is and left alone, and what happened to old dev builds. */
function devSection(result: ReleaseResult): string[] {
  const dev = result.devChannel
  if (!dev || result.plan.tagPlan.devTag === undefined) return []
  const out = ['', `### Dev build of ${mdCode(dev.branch)}`, '']
  out.push(
    `${mdCode(result.plan.version)}: ` +
      (dev.lastRelease
        ? `${dev.commits} commit(s) after ${mdCode(dev.lastRelease.tag)}`
        : `no release yet, ${dev.commits} commit(s) in all`) +
      `, commit ${mdCode(dev.commit.slice(0, 12))}, the .so reports ${mdCode(dev.soVersion)}.`
  )
  out.push(
    '',
    `Stable tags (${['X.Y.Z', 'X.Y', 'X', 'latest'].map(mdCode).join(', ')}) and the stable ` +
      'index were left alone; no GitHub Release.'
  )
  const r = result.retention
  if (r && r.keep > 0) {
    const left = r.left.reduce((n, l) => n + l.tags.length, 0)
    out.push(
      '',
      `Old dev builds (keeping the newest ${r.keep} per repository): ${r.deleted.length} deleted` +
        (left > 0
          ? `, ${left} left in place${r.unsupported ? ' (the registry refuses deletion)' : ''}`
          : '') +
        '.'
    )
  }
  return out
}

/** The plan as plain text: what a dry run prints. */
export function planText(plan: ReleasePlan): string {
  const lines: string[] = [`Release ${plan.version} (created ${plan.created})`]
  for (const a of [plan.plugin, plan.rules]) {
    if (!a) continue
    lines.push('', `${a.kind} ${a.name}`, `  ref:     ${a.ref}`)
    lines.push(`  digest:  ${a.root.descriptor.digest} (${a.root.descriptor.mediaType})`)
    lines.push(`  status:  ${a.status}`)
    lines.push(`  tags:    ${a.tags.join(', ')}`)
    lines.push(`  config:  ${a.configJson}`)
    for (const m of a.manifests) {
      lines.push(
        `  manifest ${m.platform ? `${m.platform.os}/${m.platform.architecture}` : ''}: ${m.descriptor.digest}`
      )
    }
    for (const b of a.blobs)
      lines.push(
        `  blob:    ${b.descriptor.digest} ${b.descriptor.size} B ${b.descriptor.mediaType}`
      )
  }
  const skipped = plan.tagPlan.floating.filter((d) => !d.move)
  if (skipped.length > 0) {
    lines.push('', 'Tags left where they are:')
    for (const d of skipped) lines.push(`  ${d.tag}: ${d.reason}`)
  }
  return lines.join('\n')
}

function platformsTable(result: ReleaseResult): string[] {
  const out = ['| Platform | Manifest | glibc floor |', '|---|---|---|']
  for (const b of result.builds) {
    out.push(
      `| ${mdCode(platformName(b.platform))} | ${mdCode(b.manifestDigest)} | ${mdText(b.glibcFloor)} |`
    )
  }
  return out
}

function pushByDigestSummary(result: ReleaseResult): string {
  const b = result.builds[0]
  return [
    `## Falco plugin ${mdText(result.metadata.name)} ${mdText(result.plan.version)}: ${mdText(platformName(b.platform))} pushed by digest`,
    '',
    mdCode(`${result.plan.plugin.ref}@${b.manifestDigest}`),
    '',
    ...platformsTable(result),
    '',
    'No tags were written: the merge job assembles the index and tags the release.',
    ''
  ].join('\n')
}

/** The job summary, in GitHub-flavoured markdown. */
export function summaryMarkdown(result: ReleaseResult): string {
  if (result.mode === 'push-by-digest') return pushByDigestSummary(result)
  const { plan, metadata } = result
  const rows = [plan.plugin, plan.rules].filter((a): a is ArtifactPlan => !!a)
  const out: string[] = []
  out.push(
    `## Falco plugin ${mdText(metadata.name)} ${mdText(plan.version)}${result.dryRun ? ' (dry run: nothing pushed)' : ''}`
  )
  out.push('')
  out.push('| Artifact | Reference | Digest | Tags |')
  out.push('|---|---|---|---|')
  for (const a of rows) {
    out.push(
      `| ${a.kind} ${mdCode(a.name)} | ${mdCode(`${a.ref}:${plan.version}`)} | ${mdCode(a.root.descriptor.digest)} | ${a.tags.map(mdCode).join(' ')} |`
    )
  }
  const skipped = plan.tagPlan.floating.filter((d) => !d.move)
  if (skipped.length > 0) {
    out.push('', 'Tags not moved:', '')
    for (const d of skipped) out.push(`- ${mdCode(d.tag)}: ${mdMessage(d.reason)}`)
  }
  out.push(...devSection(result))
  out.push('', '### Platforms', '', ...platformsTable(result))
  out.push('', '### Plugin metadata (read from the .so)', '')
  out.push('| Field | Value |', '|---|---|')
  out.push(`| name | ${mdCode(metadata.name)} |`)
  out.push(`| version | ${mdCode(metadata.version)} |`)
  out.push(`| required plugin API | ${mdCode(metadata.requiredApiVersion)} |`)
  out.push(`| capabilities | ${mdText(metadata.capabilities.join(', '))} |`)
  if (metadata.id !== undefined)
    out.push(`| event source | ${mdCode(metadata.eventSource ?? '')} (id ${metadata.id}) |`)
  out.push(`| description | ${mdText(metadata.description)} |`)
  out.push(`| contact | ${mdText(metadata.contact)} |`)
  const release = result.distribution?.githubRelease
  if (release) {
    const count = (a: string) => release.assets.filter((x) => x.action === a).length
    out.push(
      '',
      `GitHub release: ${mdUrl(release.htmlUrl)} (${release.created ? 'created' : 'updated'}): ` +
        `${count('uploaded')} uploaded, ${count('replaced')} replaced, ${count('unchanged')} unchanged`
    )
  }
  out.push('', ...signingSummary(result))
  const index = result.distribution?.index
  if (index) {
    const what = index.changed ? `committed ${index.commitSha.slice(0, 12)}` : 'already up to date'
    out.push('', `index.yaml: ${what} (${mdUrl(index.url)})`)
  }
  out.push('', ...installSection(result))
  if (result.registryEntry) {
    const e = result.registryEntry
    out.push('', '<details><summary>registry.yaml entry (for falcosecurity/plugins)</summary>', '')
    out.push(...mdFence(e.yaml, 'yaml'))
    for (const x of e.errors) out.push(`- error: ${mdMessage(x)}`)
    for (const x of e.warnings) out.push(`- warning: ${mdMessage(x)}`)
    out.push('', '</details>')
  }
  if (result.warnings.length > 0) {
    out.push('', '### Warnings', '')
    for (const w of result.warnings) out.push(`- ${mdMessage(w)}`)
  }
  return out.join('\n') + '\n'
}

/** A reason that starts with "not signed: " (as the log line says it) after our own "Not signed:". */
function withoutPrefix(reason: string): string {
  return reason.replace(/^not signed:\s*/i, '')
}

/** How the release was signed and how users verify it (or why it was not signed). */
function signingSummary(result: ReleaseResult): string[] {
  const s = result.signing
  if (!s) return result.dryRun ? [] : ['Not signed.']
  if (!s.signed) return [`Not signed: ${mdMessage(withoutPrefix(s.reason ?? 'signing is off'))}`]
  const id = s.identity
  const out = ['### Signatures', '']
  const flags =
    id?.kind === 'keyless'
      ? `--certificate-oidc-issuer ${id.issuer} --certificate-identity '${id.subject}'`
      : '--key cosign.pub --insecure-ignore-tlog'
  out.push(
    id?.kind === 'keyless'
      ? `Signed keylessly as ${mdCode(id.subject)} (issuer ${mdCode(id.issuer)}), in the cosign v2 (\`.sig\`) and v3 (bundle referrer) formats.`
      : 'Signed with the cosign key below, in the cosign v2 (`.sig`) and v3 (bundle referrer) formats.'
  )
  out.push('', '```sh')
  for (const x of s.signatures) out.push(`cosign verify ${flags} ${x.ref}`)
  out.push('```')
  if (id?.kind === 'key') out.push('', '```', id.publicKeyPem.trim(), '```')
  if (!s.indexSignature) {
    out.push('', 'index.yaml has no `signature` block (set `signing-public-key-ref`).')
  }
  return out
}

/**
 * The job summary of a failed run: where it stopped, the error, what was and was not written,
 * and what to do. `message` must already be scrubbed of secrets.
 */
export function failureMarkdown(journal: Journal, message: string): string {
  const what = [journal.plugin, journal.version].filter(Boolean).join(' ')
  const out: string[] = [
    `## Falco plugin release failed${what ? `: ${mdText(what)}` : ''}`,
    '',
    `It stopped while ${STAGE_TEXT[journal.stage]}:`,
    '',
    ...mdFence(message, 'text'),
    ''
  ]
  const p = journal.publish
  const tagsWritten = p?.tags.filter((t) => t.written) ?? []
  const floatingWritten = tagsWritten.filter((t) => journal.floating.includes(t.tag))
  const written: string[] = []
  if (p && (p.blobsUploaded > 0 || p.manifestsWritten > 0)) {
    written.push(
      `registry: ${p.blobsUploaded} blob(s) (${p.bytesUploaded} bytes) and ` +
        `${p.manifestsWritten} manifest(s) by digest, which no tag points at until the release ends`
    )
  }
  for (const s of p?.signatures ?? []) {
    written.push(`signatures of ${mdCode(s.ref)} (${mdCode(s.legacy.tag)} and a bundle referrer)`)
  }
  for (const t of tagsWritten) written.push(`registry tag ${mdCode(`${t.ref}:${t.tag}`)}`)
  for (const r of p?.repairs ?? [])
    written.push(`registry tag ${mdCode(`${r.ref}:${r.tag}`)} moved to ${mdCode(r.version)}`)
  if (journal.indexFile) written.push(`index file ${mdCode(journal.indexFile)}`)
  if (journal.indexBranchUrl) written.push(`index branch: ${mdUrl(journal.indexBranchUrl)}`)
  if (journal.releaseUrl) written.push(`GitHub Release: ${mdUrl(journal.releaseUrl)}`)

  out.push('### What was written', '')
  if (written.length === 0) {
    out.push(
      journal.dryRun
        ? 'Nothing: this was a dry run.'
        : 'Nothing. Every check that can refuse a release runs before the first registry write.'
    )
  } else {
    out.push(...written.map((w) => `- ${w}`))
  }
  const notWritten: string[] = []
  if (journal.floating.length > 0 && floatingWritten.length === 0) {
    notWritten.push(
      `floating tags (${journal.floating.map(mdCode).join(', ')}): unchanged, still where they were`
    )
  }
  if (!journal.indexFile) notWritten.push('index.yaml')
  if (!journal.indexBranchUrl) notWritten.push('the index branch')
  if (!journal.releaseUrl)
    notWritten.push('the GitHub Release (no published release, at most a draft)')
  if (notWritten.length > 0) {
    out.push('', '### Not written', '', ...notWritten.map((w) => `- ${w}`))
  }
  out.push(
    '',
    '### What to do',
    '',
    'Fix what the error says, then re-run the job: a re-run rebuilds the same digests, skips ' +
      'what the registry already has and writes the rest.',
    ''
  )
  return out.join('\n')
}
