// Builds the plugin for every requested platform, checks each .so the way a
// user's machine will see it (ELF machine, Falco's required symbols, glibc
// floor), and reads the metadata by loading the .so: natively when the host
// platform is among the builds, under qemu otherwise. Foreign builds must
// export the same plugin_* symbols as the native one and, when qemu can load
// them, report the same metadata.
//
// With the glibc input, every platform is built with zig cc for <arch>-linux-gnu.<glibc> (see
// build/zig.ts) and checked against that glibc, unversioned symbols included (glibc-abi.ts).
// Platforms build at once (bounded by the cores; Go's build cache is safe for concurrent builds,
// and each build writes its own folder), and the inspectors are compiled while Go builds.
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { buildPlugin, logRemovedVariables } from '../build/go.js'
import type { RunContext } from '../context.js'
import { abilistsPath, setupZig, ZIG_VERSION, zigCompilers, type Zig } from '../build/zig.js'
import type { Inputs } from '../inputs/inputs.js'
import { checkElfForPlatform, compareExports, describeGlibcFloor } from '../inspect/checks.js'
import { compareGlibcVersions, readElf, type ElfInfo } from '../inspect/elf.js'
import { foreignInspector, type ForeignInspector } from '../inspect/foreign.js'
import { newestGlibc, oldestGlibc, parseAbilists, type GlibcAbi } from '../inspect/glibc-abi.js'
import { checkPlugin, compileInspector, inspectPlugin } from '../inspect/inspect.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import { validatePluginAgainstRelease } from '../inspect/validate.js'
import type { Logger } from '../log.js'
import {
  architectureFacts,
  formatPlatform,
  hostPlatform,
  samePlatform,
  type Platform
} from '../platform/platform.js'
import type { EnvPolicy } from '../process/child-env.js'

export interface PlatformBuild {
  platform: Platform
  /** The built .so (a scratch copy: every platform's build lives in its own folder). */
  soPath: string
  elf: ElfInfo
  /** One line for logs and the summary, e.g. "glibc 2.34 (pthread_create, ...)". */
  glibcFloor: string
}

export interface PluginBuilds {
  metadata: PluginMetadata
  builds: PlatformBuild[]
}

/**
 * What of the run's context builds and inspections use: the environment children inherit
 * (filtered by childEnv), $CC and the inspector cache.
 */
export type BuildContext = Pick<RunContext, 'childEnvBase' | 'cc' | 'inspectorCache'>

/** What children (build, inspector, qemu) keep of the environment: see childEnv. */
function envPolicy(inputs: Inputs, logger: Logger): EnvPolicy {
  return {
    keep: inputs.buildEnvKeep,
    containsSecret: (text) => logger.containsSecret?.(text) ?? false
  }
}

/**
 * What builds and inspects the plugin: zig and its glibc database with the glibc input, and the
 * inspectors (compiled once, while Go builds).
 */
export interface Toolchain {
  glibc?: { version: string; zig: Zig; abi: GlibcAbi }
  /** The inspector of each platform ("linux/arm64"), started early, or why it cannot load it. */
  inspectors: Map<string, Promise<InspectorFor>>
}

type InspectorFor = { ok: true; inspector: ForeignInspector } | { ok: false; why: string }

/** Finds (or installs) zig and reads its glibc database when the glibc input is set. */
export async function prepareToolchain(opts: {
  inputs: Inputs
  platforms: Platform[]
  context: BuildContext
  logger: Logger
}): Promise<Toolchain> {
  const { inputs, logger } = opts
  const toolchain: Toolchain = { inspectors: new Map() }
  if (inputs.glibc === '') return toolchain
  const zig = await logger.group(`zig ${ZIG_VERSION} (glibc ${inputs.glibc})`, async () => {
    const z = await setupZig({
      env: opts.context.childEnvBase,
      policy: envPolicy(inputs, logger),
      logger
    })
    logger.info(`zig ${z.version} from ${z.from}: ${z.path}`)
    return z
  })
  let abi: GlibcAbi
  try {
    abi = parseAbilists(await readFile(abilistsPath(zig)))
  } catch (e) {
    throw new Error(
      `cannot read glibc ${inputs.glibc}'s symbols from zig in ${zig.libDir}: ${(e as Error).message}`
    )
  }
  for (const p of opts.platforms) {
    const triplet = architectureFacts(p).gnuTriplet
    const oldest = oldestGlibc(abi, triplet)
    const newest = newestGlibc(abi)
    const known = abi.versions.includes(inputs.glibc)
    if (!known || compareGlibcVersions(inputs.glibc, oldest) < 0) {
      throw new Error(
        `glibc ${inputs.glibc} is not a glibc release zig ${zig.version} can build ` +
          `${formatPlatform(p)} for: it knows ${oldest} to ${newest} for ${triplet}` +
          (compareGlibcVersions(inputs.glibc, oldest) < 0
            ? ` (${triplet} starts at glibc ${oldest})`
            : '')
      )
    }
  }
  return { ...toolchain, glibc: { version: inputs.glibc, zig, abi } }
}

/** The C compiler for a platform: zig with the glibc input, else the cc-* inputs for a cross build. */
function compilerFor(inputs: Inputs, p: Platform, toolchain?: Toolchain): string | undefined {
  if (toolchain?.glibc) return zigCompilers(toolchain.glibc.zig.path, p, toolchain.glibc.version).CC
  if (samePlatform(p, hostPlatform())) return undefined
  const cc = p.architecture === 'arm64' ? inputs.ccArm64 : inputs.ccAmd64
  return cc || undefined
}

/**
 * The inspector for a platform: compiled (and, for a foreign one, tried under qemu) once, the
 * first time it is asked for; buildPlatforms asks before Go builds, so both run at once.
 */
function inspectorFor(
  p: Platform,
  opts: { inputs: Inputs; context: BuildContext; logger: Logger; toolchain: Toolchain }
): Promise<InspectorFor> {
  const key = formatPlatform(p)
  const known = opts.toolchain.inspectors.get(key)
  if (known) return known
  const { inputs, logger, context } = opts
  const children = { env: context.childEnvBase, envPolicy: envPolicy(inputs, logger) }
  const cacheDir = context.inspectorCache
  const cc = compilerFor(inputs, p, opts.toolchain)
  const started: Promise<InspectorFor> = (async (): Promise<InspectorFor> => {
    if (samePlatform(p, hostPlatform())) {
      // The host's inspector: the compiler cgo uses ($CC unless zig), as before.
      const inspector = await compileInspector({ cc: cc ?? context.cc, cacheDir, ...children })
      return { ok: true, inspector: { inspector, runner: [] } }
    }
    const why: string[] = []
    const fi = await foreignInspector(p, {
      cacheDir,
      cc,
      onUnavailable: (r) => why.push(r),
      ...children,
      timeoutMs: inputs.inspectTimeout * 1000
    })
    return fi ? { ok: true, inspector: fi } : { ok: false, why: why.join('; ') }
  })()
  // Kept for whoever asks: a failure must not be an unhandled rejection meanwhile.
  started.catch(() => undefined)
  opts.toolchain.inspectors.set(key, started)
  return started
}

async function buildOne(
  inputs: Inputs,
  p: Platform,
  workDir: string,
  scratch: string,
  childEnvBase: NodeJS.ProcessEnv,
  logger: Logger,
  toolchain: Toolchain,
  concurrent: boolean,
  onlyBuild: boolean
): Promise<string> {
  const out = join(scratch, 'build', `${p.os}-${p.architecture}`, 'plugin.so')
  await mkdir(dirname(out), { recursive: true })
  const ownBuild = inputs.buildCommand === ''
  const glibc = toolchain.glibc
  const built = await buildPlugin({
    workingDirectory: workDir,
    goPackage: inputs.goPackage,
    output: out,
    buildCommand: ownBuild ? undefined : inputs.buildCommand,
    pluginPath: ownBuild ? undefined : inputs.pluginPath,
    platform: p,
    cc: compilerFor(inputs, p),
    compilers: glibc ? zigCompilers(glibc.zig.path, p, glibc.version) : undefined,
    concurrent,
    env: childEnvBase,
    envPolicy: envPolicy(inputs, logger),
    logger
  })
  // A build command writes to the same plugin-path for every platform: keep a copy, unless no
  // other build follows (copying a large plugin costs more than the rest of its checks).
  if (built === out || onlyBuild) return built
  await copyFile(built, out)
  return out
}

/** How many builds run at once: one per core (each go build uses them all, but its cgo, link
 * and zig steps leave gaps the other fills), and one at a time for a build-command, which writes
 * the same plugin-path for every platform. */
export function buildConcurrency(
  inputs: Inputs,
  platforms: number,
  cores = availableParallelism()
): number {
  if (inputs.buildCommand !== '') return 1
  return Math.max(1, Math.min(platforms, cores))
}

/**
 * fn over items, at most `limit` at once, in order; each result as its own promise. After a
 * failure, items not started yet are not started (their promises fail too).
 */
function startLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R>[] {
  let running = 0
  let failed = false
  const queue: Array<{ start: () => void; skip: () => void }> = []
  const next = (): void => {
    while (failed && queue.length > 0) queue.shift()?.skip()
    if (running >= limit) return
    const job = queue.shift()
    if (job) {
      running++
      job.start()
    }
  }
  return items.map(
    (item) =>
      new Promise<R>((resolve, reject) => {
        queue.push({
          start: () => {
            fn(item)
              .then(resolve, (e: unknown) => {
                failed = true
                reject(e)
              })
              .finally(() => {
                running--
                next()
              })
          },
          skip: () => reject(new Error('not built: an earlier build failed'))
        })
        next()
      })
  )
}

function sameMetadata(a: PluginMetadata, b: PluginMetadata): string[] {
  const diffs: string[] = []
  for (const k of ['name', 'version', 'requiredApiVersion', 'id', 'eventSource'] as const) {
    if (a[k] !== b[k]) diffs.push(`${k}: ${String(a[k])} vs ${String(b[k])}`)
  }
  if (a.capabilities.join(',') !== b.capabilities.join(',')) {
    diffs.push(`capabilities: ${a.capabilities.join(',')} vs ${b.capabilities.join(',')}`)
  }
  return diffs
}

export interface CheckOptions {
  inputs: Inputs
  /** The version the .so must report; undefined for a dev build (src/version/dev.ts checks it). */
  version?: string
  expectedName?: string
  context: BuildContext
  logger: Logger
  warn: (w: string) => void
  /** From prepareToolchain (absent in merge mode: then glibc is checked as a maximum only). */
  toolchain?: Toolchain
  /** Called when the plugin is first loaded (for the failure summary's stage). */
  onInspect?: () => void
}

export interface PluginBuildsWith<T> extends PluginBuilds {
  /** What `pack` returns for each build, in the builds' order (still packing, maybe). */
  packed: Promise<T[]>
}

/**
 * Checks every .so (ELF machine, required symbols, glibc floor), reads the plugin's metadata from
 * the native build (else the first, under qemu), and compares the others with it (exports, and
 * the metadata when qemu can load them). Each .so may still be building: its checks start when it
 * is there, and `pack` gets each build as soon as it is checked and the plugin's name is known,
 * so packing overlaps the other builds and the emulated loads.
 */
async function checkBuilds<T>(
  opts: CheckOptions & {
    sources: Array<{ platform: Platform; soPath: Promise<string> }>
    /** The builds run at once: one log group for all, lines prefixed with the platform. */
    concurrent: boolean
    pack?: (build: PlatformBuild, name: string) => Promise<T>
  }
): Promise<PluginBuildsWith<T>> {
  const { inputs, logger } = opts
  const toolchain: Toolchain = opts.toolchain ?? { inspectors: new Map() }
  const glibcTarget = toolchain.glibc
    ? { version: toolchain.glibc.version, abi: toolchain.glibc.abi }
    : inputs.glibc !== ''
      ? { version: inputs.glibc }
      : undefined
  const platforms = opts.sources.map((s) => s.platform)
  const checked = opts.sources.map(async ({ platform: p, soPath: built }) => {
    const soPath = await built
    const elf = await readElf(soPath)
    const checks = { maxGlibc: inputs.maxGlibc || undefined, glibcTarget }
    for (const note of checkElfForPlatform(elf, p, checks)) {
      opts.warn(`${formatPlatform(p)}: ${note}`)
    }
    const glibcFloor = describeGlibcFloor(elf)
    logger.info(`${formatPlatform(p)}: ${glibcFloor}`)
    return { platform: p, soPath, elf, glibcFloor }
  })
  checked.forEach((c) => c.catch(() => undefined))
  // One at a time, the inspection waits for every build: its log group follows theirs.
  const allBuilt = opts.concurrent ? undefined : Promise.allSettled(checked)

  const children = { env: opts.context.childEnvBase, envPolicy: envPolicy(inputs, logger) }
  const inspectOptions = {
    ...children,
    timeoutMs: inputs.inspectTimeout * 1000,
    log: (line: string) => logger.info(line)
  }
  const nativeIndex = platforms.findIndex((p) => samePlatform(p, hostPlatform()))
  const refIndex = nativeIndex >= 0 ? nativeIndex : 0
  const inspectorOf = (p: Platform) => inspectorFor(p, { ...opts, toolchain })

  const work = async (): Promise<PluginBuildsWith<T>> => {
    const metadata = (async (): Promise<PluginMetadata> => {
      const reference = await checked[refIndex]
      await allBuilt
      opts.onInspect?.()
      const first = await inspectorOf(reference.platform)
      if (!first.ok) {
        throw new Error(
          `cannot read the plugin's metadata: this runner is ${formatPlatform(hostPlatform())} ` +
            `but only ${platforms.map(formatPlatform).join(', ')} is at hand, and it cannot be ` +
            `loaded here (${first.why}). Include ${formatPlatform(hostPlatform())} in platforms, ` +
            'run on a native runner, or install qemu-user and the cross libc.'
        )
      }
      const meta = await inspectPlugin(reference.soPath, { ...inspectOptions, ...first.inspector })
      checkPlugin(meta)
      for (const w of validatePluginAgainstRelease(meta, {
        version: opts.version,
        expectedName: opts.expectedName
      })) {
        opts.warn(w)
      }
      logger.info(
        `${meta.name} ${meta.version}: requires plugin API ${meta.requiredApiVersion}, ` +
          `capabilities ${meta.capabilities.join(', ')}`
      )
      return meta
    })()
    metadata.catch(() => undefined)

    // Every build: packed once the name is known; every other build than the reference: the same
    // exported symbols, and the same metadata when qemu can load it.
    const perPlatform = checked.map(
      async (c, i): Promise<{ build: PlatformBuild; packing?: Promise<T> }> => {
        const b = await c
        const meta = await metadata
        const packing = opts.pack?.(b, meta.name)
        packing?.catch(() => undefined)
        if (i !== refIndex) {
          const reference = await checked[refIndex]
          compareExports(reference.elf, b.elf, {
            native: formatPlatform(reference.platform),
            foreign: formatPlatform(b.platform)
          })
          const fi = await inspectorOf(b.platform)
          if (!fi.ok) {
            logger.info(`${formatPlatform(b.platform)}: checked through its ELF only (${fi.why})`)
          } else {
            const other = await inspectPlugin(b.soPath, { ...inspectOptions, ...fi.inspector })
            const diffs = sameMetadata(meta, other)
            if (diffs.length > 0) {
              throw new Error(
                `the ${formatPlatform(b.platform)} build reports other metadata than the ` +
                  `${formatPlatform(reference.platform)} build: ${diffs.join('; ')}`
              )
            }
            logger.info(`${formatPlatform(b.platform)}: loaded under emulation, same metadata`)
          }
        }
        return { build: b, packing }
      }
    )
    // The first failure ends it (a build still running is killed when we exit).
    perPlatform.forEach((p) => p.catch(() => undefined))
    const [, ...results] = await Promise.all([metadata, ...perPlatform])
    const packed = Promise.all(results.map((r) => r.packing as Promise<T>))
    packed.catch(() => undefined) // awaited by the caller
    return { metadata: await metadata, builds: results.map((r) => r.build), packed }
  }
  if (opts.concurrent) return work()
  // Sequential builds opened their own groups; the inspection gets one of its own.
  await allBuilt
  return logger.group('Inspect the plugin', work)
}

/** What building needs besides the check options (the toolchain comes from prepareToolchain). */
export interface BuildOptions<T> extends CheckOptions {
  platforms: Platform[]
  workDir: string
  scratch: string
  pack: (build: PlatformBuild, name: string) => Promise<T>
}

/**
 * Builds every platform (at once, up to one per core, while the inspectors compile), checks and
 * inspects each build as soon as it is there, and packs it (pack) as soon as the plugin's name is
 * known. Each .so goes to its own scratch folder.
 */
export async function buildAndInspect<T>(
  opts: BuildOptions<T> & { toolchain: Toolchain }
): Promise<PluginBuildsWith<T>> {
  const { inputs, logger, platforms, toolchain } = opts
  for (const p of platforms) void inspectorFor(p, { ...opts, toolchain })
  const limit = buildConcurrency(inputs, platforms.length)
  const concurrent = limit > 1
  const build = (p: Platform): Promise<string> =>
    buildOne(
      inputs,
      p,
      opts.workDir,
      opts.scratch,
      opts.context.childEnvBase,
      logger,
      toolchain,
      concurrent,
      platforms.length === 1
    )
  if (!concurrent) {
    const soPaths = startLimited(platforms, 1, build)
    soPaths.forEach((s) => s.catch(() => undefined))
    const sources = platforms.map((platform, i) => ({ platform, soPath: soPaths[i] }))
    return checkBuilds({ ...opts, sources, concurrent })
  }
  const names = platforms.map(formatPlatform).join(', ')
  return logger.group(
    `Build and inspect ${inputs.goPackage} (${names}, ${limit} at once)`,
    async () => {
      logRemovedVariables(opts.context.childEnvBase, envPolicy(inputs, logger), logger)
      const started = Date.now()
      const soPaths = startLimited(platforms, limit, async (p) => {
        const so = await build(p)
        logger.info(
          `${formatPlatform(p)}: built in ${((Date.now() - started) / 1000).toFixed(1)} s`
        )
        return so
      })
      soPaths.forEach((s) => s.catch(() => undefined))
      const sources = platforms.map((platform, i) => ({ platform, soPath: soPaths[i] }))
      const result = await checkBuilds({ ...opts, sources, concurrent })
      logger.info(`built and checked ${names} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      return result
    }
  )
}

/**
 * Checks .so files built elsewhere (merge mode: the matrix jobs' manifests) and reads the
 * plugin's metadata, natively or under qemu; foreign builds must agree.
 */
export interface InspectOptions extends CheckOptions {
  built: Array<{ platform: Platform; soPath: string }>
}

export async function inspectBuilds(opts: InspectOptions): Promise<PluginBuilds> {
  const sources = opts.built.map((b) => ({
    platform: b.platform,
    soPath: Promise.resolve(b.soPath)
  }))
  const { metadata, builds } = await checkBuilds<never>({ ...opts, sources, concurrent: false })
  return { metadata, builds }
}
