// Merge mode: the platform manifests were pushed by digest by per-platform
// (matrix) jobs on native runners. This job reads them back, checks that they
// are one plugin at one version, and assembles the index and tags from them.
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { extractSingleFile } from '../falco/layer-read.js'
import { PLUGIN_CONFIG_MEDIA_TYPE, PLUGIN_LAYER_MEDIA_TYPE } from '../falco/media-types.js'
import { readElf } from '../inspect/elf.js'
import type { Logger } from '../log.js'
import type { OciTarget } from '../oci/types.js'
import {
  ARCHITECTURES,
  architectureOfElfMachine,
  byReleaseOrder,
  formatPlatform,
  parsePlatforms,
  samePlatform,
  type Platform
} from '../platform/platform.js'

export interface MergeEntry {
  digest: string
  /** Declared by the entry ("linux/arm64@sha256:..."); checked against the .so. */
  platform?: Platform
  /** From a full reference ("ghcr.io/acme/x/plugin/foo@sha256:..."). */
  registry?: string
  repository?: string
}

const DIGEST = /^sha256:[a-f0-9]{64}$/

/** Parses the `merge` input: digests, `os/arch@digest` or `registry/repository@digest`, one per line or comma. */
export function parseMergeInput(text: string): MergeEntry[] {
  const items = text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (items.length === 0) throw new Error('merge: no digests given')
  return items.map((item) => {
    const at = item.lastIndexOf('@')
    const digest = at === -1 ? item : item.slice(at + 1)
    if (!DIGEST.test(digest)) {
      throw new Error(
        `merge: "${item}" is not a digest: give the digest output of each push-by-digest job ` +
          '(sha256:<64 hex>), optionally as linux/arm64@sha256:... or <registry>/<repository>@sha256:...'
      )
    }
    if (at === -1) return { digest }
    const prefix = item.slice(0, at)
    if (/^[a-z0-9_]+\/[a-z0-9_]+$/.test(prefix)) {
      return { digest, platform: parsePlatforms(prefix)[0] }
    }
    const slash = prefix.indexOf('/')
    if (slash === -1) throw new Error(`merge: cannot read "${item}"`)
    return { digest, registry: prefix.slice(0, slash), repository: prefix.slice(slash + 1) }
  })
}

export interface PushedPlatform {
  platform: Platform
  manifestBytes: Buffer
  configDigest: string
  configBytes: Buffer
  /** The platform's layer as the registry holds it (the GitHub Release's archive). */
  layerPath: string
  soPath: string
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(c))
  return Buffer.concat(chunks)
}

export async function loadPushedPlatforms(
  target: OciTarget,
  entries: MergeEntry[],
  scratch: string,
  logger: Logger
): Promise<PushedPlatform[]> {
  const out: PushedPlatform[] = []
  for (const entry of entries) {
    const m = await target.fetchManifest(entry.digest)
    if (!m) {
      throw new Error(
        `merge: ${target.location}@${entry.digest} does not exist: was it pushed by a ` +
          'push-by-digest job of this release, to the same registry and repository?'
      )
    }
    const manifest = JSON.parse(m.body.toString('utf8')) as {
      config?: { mediaType?: string; digest?: string; size?: number }
      layers?: Array<{ mediaType?: string; digest?: string; size?: number }>
    }
    const layer = manifest.layers?.[0]
    if (
      manifest.config?.mediaType !== PLUGIN_CONFIG_MEDIA_TYPE ||
      manifest.layers?.length !== 1 ||
      layer?.mediaType !== PLUGIN_LAYER_MEDIA_TYPE ||
      !manifest.config.digest ||
      !layer.digest
    ) {
      throw new Error(`merge: ${entry.digest} is not a Falco plugin manifest`)
    }
    // The descriptors' sizes bound the downloads.
    const configStream = await target.fetchBlob(manifest.config.digest, sizeOf(manifest.config))
    const layerStream = await target.fetchBlob(layer.digest, sizeOf(layer))
    if (!configStream || !layerStream) {
      throw new Error(`merge: a blob of ${entry.digest} is missing from ${target.location}`)
    }
    const configBytes = await readAll(configStream)
    const dir = join(scratch, 'merge', entry.digest.slice(7, 19))
    await mkdir(dir, { recursive: true })
    const tarGz = join(dir, 'layer.tar.gz')
    await pipeline(layerStream as NodeJS.ReadableStream, createWriteStream(tarGz))
    const soPath = join(dir, 'plugin.so')
    await extractSingleFile(tarGz, soPath)
    const elf = await readElf(soPath)
    const arch = architectureOfElfMachine(elf.machine)
    if (!arch)
      throw new Error(
        `merge: ${entry.digest} holds a ${elf.machineName} .so, not a supported platform`
      )
    const platform: Platform = { os: 'linux', architecture: ARCHITECTURES[arch].goarch }
    if (entry.platform && !samePlatform(entry.platform, platform)) {
      throw new Error(
        `merge: ${entry.digest} was given as ${formatPlatform(entry.platform)} but holds a ${formatPlatform(platform)} .so`
      )
    }
    if (out.some((o) => samePlatform(o.platform, platform))) {
      throw new Error(`merge: two digests are ${formatPlatform(platform)} builds`)
    }
    logger.info(`merge: ${entry.digest} is the ${formatPlatform(platform)} build`)
    out.push({
      platform,
      manifestBytes: m.body,
      configDigest: manifest.config.digest,
      configBytes,
      layerPath: tarGz,
      soPath
    })
  }
  // amd64 first, as in a single-job release, so both paths give the same index.
  return out.sort((a, b) => byReleaseOrder(a.platform, b.platform))
}

/** A descriptor's size, when it is a plausible one. */
function sizeOf(d: { size?: unknown }): number | undefined {
  return typeof d.size === 'number' && Number.isSafeInteger(d.size) && d.size >= 0
    ? d.size
    : undefined
}
