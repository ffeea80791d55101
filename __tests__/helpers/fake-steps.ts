// Fake build and inspect steps and an in-memory registry, so the pipeline's stages run from
// source in a unit test: each "build" writes a small ELF header for its platform (what the merge
// stage reads the architecture from) plus a payload, and "loading" it reports the metadata the
// test chose, checked against the release as the real inspection checks it.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { readElf } from '../../src/inspect/elf.js'
import type { PluginMetadata } from '../../src/inspect/metadata.js'
import { validatePluginAgainstRelease } from '../../src/inspect/validate.js'
import type { ReleaseSteps } from '../../src/pipeline/steps.js'
import { formatPlatform, type Platform } from '../../src/platform/platform.js'
import type { PlatformBuild } from '../../src/release/plugin-builds.js'
import { MemoryTarget, type Write } from './memory-target.js'

/** elf.h's EM_X86_64 and EM_AARCH64. */
const ELF_MACHINES: Record<string, number> = { amd64: 62, arm64: 183 }

/** A 64-bit little-endian ET_DYN ELF header for `platform`, then `payload`. */
export function fakeSharedObject(platform: Platform, payload: string): Buffer {
  const head = Buffer.alloc(64)
  head.write('\x7fELF', 0, 'latin1')
  head[4] = 2 // ELFCLASS64
  head[5] = 1 // ELFDATA2LSB
  head[6] = 1 // EV_CURRENT
  head.writeUInt16LE(3, 16) // ET_DYN
  const machine = ELF_MACHINES[platform.architecture]
  if (machine === undefined) throw new Error(`no ELF machine for ${formatPlatform(platform)}`)
  head.writeUInt16LE(machine, 18)
  head.writeUInt32LE(1, 20)
  head.writeUInt16LE(64, 0x34)
  return Buffer.concat([head, Buffer.from(payload)])
}

/** Every repository of one registry, by location; every write in one log. */
export class MemoryRegistry {
  readonly writes: Write[] = []
  private readonly repos = new Map<string, MemoryTarget>()

  target(location: string): MemoryTarget {
    let t = this.repos.get(location)
    if (!t) {
      t = new MemoryTarget(location, this.writes)
      this.repos.set(location, t)
    }
    return t
  }
}

export interface FakeSteps extends ReleaseSteps {
  /** The platforms each build call built. */
  built: Platform[][]
}

/**
 * Steps whose builds report `metadata` (per platform when it is a function), pushing to
 * `registry` (repositories named registry-input/repository).
 */
export function fakeSteps(
  registry: MemoryRegistry,
  metadata: PluginMetadata | ((p: Platform) => PluginMetadata)
): FakeSteps {
  const metaOf = (p: Platform) => (typeof metadata === 'function' ? metadata(p) : metadata)
  const load = async (
    opts: Parameters<ReleaseSteps['inspect']>[0],
    onInspect?: () => void
  ): Promise<{ metadata: PluginMetadata; builds: PlatformBuild[] }> => {
    onInspect?.()
    const builds: PlatformBuild[] = []
    for (const b of opts.built) {
      const elf = await readElf(b.soPath)
      builds.push({ platform: b.platform, soPath: b.soPath, elf, glibcFloor: 'no glibc symbols' })
    }
    const meta = metaOf(builds[0].platform)
    for (const w of validatePluginAgainstRelease(meta, opts)) opts.warn(w)
    for (const b of builds.slice(1)) {
      if (metaOf(b.platform).version !== meta.version) {
        throw new Error(`the ${formatPlatform(b.platform)} build reports other metadata`)
      }
    }
    return { metadata: meta, builds }
  }
  const steps: FakeSteps = {
    built: [],
    build: async (opts) => {
      steps.built.push(opts.platforms)
      const built = []
      for (const p of opts.platforms) {
        const soPath = join(opts.scratch, 'build', `${p.os}-${p.architecture}`, 'plugin.so')
        await mkdir(dirname(soPath), { recursive: true })
        await writeFile(soPath, fakeSharedObject(p, `${metaOf(p).name} ${metaOf(p).version}`))
        built.push({ platform: p, soPath })
      }
      const { metadata: meta, builds } = await load({ ...opts, built }, opts.onInspect)
      return {
        metadata: meta,
        builds,
        packed: Promise.all(builds.map((b) => opts.pack(b, meta.name)))
      }
    },
    inspect: (opts) => load(opts, opts.onInspect),
    openTargets: (inputs, _logger, repos) => ({
      plugin: registry.target(`${inputs.registry}/${repos.plugin}`),
      rules: registry.target(`${inputs.registry}/${repos.rules}`)
    })
  }
  return steps
}
