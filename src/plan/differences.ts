// Why a version tag that already exists points at other content than this release: the .so or
// rules file, the config (a rules artifact added after the plugin was published), the platforms,
// or only the annotations (the release time, the source URL). Pure: it reads the published
// objects the targets returned and the objects this release would push.
import { ANNOTATION_CREATED, ANNOTATION_SOURCE } from '../oci/media-types.js'
import type { Platform } from '../oci/types.js'

/** What the registry holds at the version tag (read before planning). */
export interface PublishedArtifact {
  /** The root: the plugin's index or the rulesfile's manifest. */
  root: Buffer
  /** For a plugin index, the platform manifests it lists (those that could be read). */
  manifests: Array<{ platform?: Platform; bytes: Buffer }>
  /** The config blob, when it could be read. */
  config?: Buffer
}

/** The same, for the objects this release would push. */
export interface PlannedArtifact {
  kind: 'plugin' | 'rulesfile'
  name: string
  version: string
  manifests: Array<{ platform?: Platform; bytes: Buffer }>
  configJson: string
}

interface ManifestFacts {
  platform: string
  configDigest?: string
  layers: string[]
  annotations: Record<string, string>
}

function parse(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'))
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function manifestFacts(m: { platform?: Platform; bytes: Buffer }): ManifestFacts {
  const j = parse(m.bytes) ?? {}
  const config = j.config as { digest?: string } | undefined
  const layers = Array.isArray(j.layers) ? (j.layers as Array<{ digest?: string }>) : []
  return {
    platform: m.platform ? `${m.platform.os}/${m.platform.architecture}` : '',
    configDigest: config?.digest,
    layers: layers.map((l) => l.digest ?? ''),
    annotations: (j.annotations as Record<string, string> | undefined) ?? {}
  }
}

interface Deps {
  dependencies?: Array<{ name: string; version: string }>
  requirements?: Array<{ name: string; version: string }>
}

const depNames = (c: Deps | undefined) =>
  new Set((c?.dependencies ?? []).map((d) => `${d.name}:${d.version}`))

/** Sentences saying what differs between the published artifact and this release's. */
export function describeDifferences(
  published: PublishedArtifact,
  planned: PlannedArtifact
): string[] {
  const out: string[] = []
  const pub = published.manifests.map(manifestFacts)
  const now = planned.manifests.map(manifestFacts)
  const thing = planned.kind === 'plugin' ? 'the .so' : 'the rules file'

  const pubPlatforms = pub.map((m) => m.platform).filter((p) => p !== '')
  const nowPlatforms = now.map((m) => m.platform).filter((p) => p !== '')
  if (pubPlatforms.length > 0 && pubPlatforms.sort().join(',') !== nowPlatforms.sort().join(',')) {
    out.push(
      `the platforms differ: published ${pubPlatforms.join(', ')}, this release ${nowPlatforms.join(', ')}`
    )
  }

  const changedLayers = now.filter((n) => {
    const p = pub.find((x) => x.platform === n.platform)
    return p !== undefined && p.layers.join(',') !== n.layers.join(',')
  })
  if (changedLayers.length > 0) {
    out.push(
      `${thing} differs from the published one (${changedLayers
        .map((n) => n.platform || 'layer')
        .join(', ')}): the sources changed since it was published, or the build is not ` +
        'reproducible here (another Go version or build command)'
    )
  }

  const samePlatform = now.filter((n) => pub.some((p) => p.platform === n.platform))
  const configChanged = samePlatform.some(
    (n) => pub.find((p) => p.platform === n.platform)?.configDigest !== n.configDigest
  )
  if (configChanged) {
    const before = published.config ? published.config.toString('utf8') : undefined
    const was = before ? parse(Buffer.from(before)) : undefined
    const is = parse(Buffer.from(planned.configJson))
    const rulesDep = `${planned.name}-rules:${planned.version}`
    const what =
      changedLayers.length === 0
        ? `only the ${planned.kind} config differs (${thing} is byte-identical)`
        : `the ${planned.kind} config differs too`
    out.push(
      before
        ? `${what}: published ${before}, this release ${planned.configJson}`
        : `${what}: this release's is ${planned.configJson}`
    )
    if (planned.kind === 'plugin' && was) {
      const gained = depNames(is as Deps).has(rulesDep) && !depNames(was as Deps).has(rulesDep)
      const lost = !depNames(is as Deps).has(rulesDep) && depNames(was as Deps).has(rulesDep)
      if (gained) {
        out.push(
          `this release adds rules to a version published without them, and the plugin's config ` +
            `now depends on ${rulesDep}. To publish the rules for this version and leave the plugin ` +
            'as published, set plugin-depends-on-rules: false; or release the rules with a new version'
        )
      } else if (lost) {
        out.push(
          `the published plugin depends on ${rulesDep}, but this release has no rules file or ` +
            'plugin-depends-on-rules: false: bring the rules file back, or release a new version'
        )
      }
    }
  }

  const pubAnn = pub[0]?.annotations ?? {}
  const nowAnn = now[0]?.annotations ?? {}
  if (pub.length > 0 && now.length > 0) {
    if (pubAnn[ANNOTATION_CREATED] !== nowAnn[ANNOTATION_CREATED]) {
      out.push(
        `the release time differs: published ${pubAnn[ANNOTATION_CREATED] ?? '(none)'}, this run ` +
          `${nowAnn[ANNOTATION_CREATED] ?? '(none)'}; it comes from SOURCE_DATE_EPOCH or the tagged ` +
          'commit: run from the same tag, or set SOURCE_DATE_EPOCH to the published time'
      )
    }
    if (pubAnn[ANNOTATION_SOURCE] !== nowAnn[ANNOTATION_SOURCE]) {
      out.push(
        `the source annotation differs: published ${pubAnn[ANNOTATION_SOURCE] ?? '(none)'}, this ` +
          `run ${nowAnn[ANNOTATION_SOURCE] ?? '(none)'}: set source-url to the published value ` +
          '(outside GitHub, pass --repository as GitHub spells the repository, or --source-url)'
      )
    }
  }
  return out
}
