// Builds the plugin for every requested platform, checks each .so the way a
// user's machine will see it (ELF machine, Falco's required symbols, glibc
// floor), and reads the metadata by loading the .so: natively when the host
// platform is among the builds, under qemu otherwise. Foreign builds must
// export the same plugin_* symbols as the native one and, when qemu can load
// them, report the same metadata.
import { copyFile, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { buildPlugin } from '../build/go.js'
import type { Inputs } from '../inputs/inputs.js'
import { checkElfForPlatform, compareExports, describeGlibcFloor } from '../inspect/checks.js'
import { readElf, type ElfInfo } from '../inspect/elf.js'
import { foreignInspector } from '../inspect/foreign.js'
import { checkPlugin, compileInspector, inspectPlugin } from '../inspect/inspect.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import { validatePluginAgainstRelease } from '../inspect/validate.js'
import type { Logger } from '../log.js'
import { formatPlatform, hostPlatform, samePlatform, type Platform } from '../platform/platform.js'
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

/** What children (build, inspector, qemu) keep of the environment: see childEnv. */
function envPolicy(inputs: Inputs, logger: Logger): EnvPolicy {
  return {
    keep: inputs.buildEnvKeep,
    containsSecret: (text) => logger.containsSecret?.(text) ?? false
  }
}

function compilerFor(inputs: Inputs, p: Platform): string | undefined {
  if (samePlatform(p, hostPlatform())) return undefined
  const cc = p.architecture === 'arm64' ? inputs.ccArm64 : inputs.ccAmd64
  return cc || undefined
}

async function buildOne(
  inputs: Inputs,
  p: Platform,
  workDir: string,
  scratch: string,
  env: NodeJS.ProcessEnv,
  logger: Logger
): Promise<string> {
  const out = join(scratch, 'build', `${p.os}-${p.architecture}`, 'plugin.so')
  await mkdir(dirname(out), { recursive: true })
  const ownBuild = inputs.buildCommand === ''
  const built = await buildPlugin({
    workingDirectory: workDir,
    goPackage: inputs.goPackage,
    output: out,
    buildCommand: ownBuild ? undefined : inputs.buildCommand,
    pluginPath: ownBuild ? undefined : inputs.pluginPath,
    platform: p,
    cc: compilerFor(inputs, p),
    env,
    envPolicy: envPolicy(inputs, logger),
    logger
  })
  // A build command writes to the same plugin-path for every platform: keep a copy.
  if (built !== out) await copyFile(built, out)
  return out
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

/** Builds every platform; each .so goes to its own scratch folder. */
export async function buildPlatforms(opts: {
  inputs: Inputs
  platforms: Platform[]
  workDir: string
  scratch: string
  env: NodeJS.ProcessEnv
  logger: Logger
}): Promise<Array<{ platform: Platform; soPath: string }>> {
  const out: Array<{ platform: Platform; soPath: string }> = []
  for (const p of opts.platforms) {
    const soPath = await buildOne(opts.inputs, p, opts.workDir, opts.scratch, opts.env, opts.logger)
    out.push({ platform: p, soPath })
  }
  return out
}

/**
 * Checks every .so (ELF machine, required symbols, glibc floor) and reads the
 * plugin's metadata, natively or under qemu; foreign builds must agree.
 */
export async function inspectBuilds(opts: {
  inputs: Inputs
  built: Array<{ platform: Platform; soPath: string }>
  /** The version the .so must report; undefined for a dev build (src/version/dev.ts checks it). */
  version?: string
  expectedName?: string
  scratch: string
  env: NodeJS.ProcessEnv
  logger: Logger
  warn: (w: string) => void
}): Promise<PluginBuilds> {
  const { inputs, logger, scratch } = opts
  const builds: PlatformBuild[] = []
  for (const { platform: p, soPath } of opts.built) {
    const elf = await readElf(soPath)
    for (const note of checkElfForPlatform(elf, p, { maxGlibc: inputs.maxGlibc || undefined })) {
      opts.warn(`${formatPlatform(p)}: ${note}`)
    }
    const glibcFloor = describeGlibcFloor(elf)
    logger.info(`${formatPlatform(p)}: ${glibcFloor}`)
    builds.push({ platform: p, soPath, elf, glibcFloor })
  }
  const platforms = builds.map((b) => b.platform)

  const cacheDir = join(scratch, 'inspector')
  const children = { env: opts.env, envPolicy: envPolicy(inputs, logger) }
  const inspectOptions = {
    ...children,
    timeoutMs: inputs.inspectTimeout * 1000,
    log: (line: string) => logger.info(line)
  }
  const native = builds.find((b) => samePlatform(b.platform, hostPlatform()))
  const reference = native ?? builds[0]
  const metadata = await logger.group('Inspect the plugin', async () => {
    let meta: PluginMetadata
    if (native) {
      const inspector = await compileInspector({ cc: opts.env.CC, cacheDir, ...children })
      meta = await inspectPlugin(native.soPath, { ...inspectOptions, inspector })
    } else {
      const why: string[] = []
      const fi = await foreignInspector(reference.platform, {
        cacheDir,
        cc: compilerFor(inputs, reference.platform),
        onUnavailable: (r) => why.push(r),
        ...children,
        timeoutMs: inspectOptions.timeoutMs
      })
      if (!fi) {
        throw new Error(
          `cannot read the plugin's metadata: this runner is ${formatPlatform(hostPlatform())} ` +
            `but only ${platforms.map(formatPlatform).join(', ')} is at hand, and it cannot be loaded ` +
            `here (${why.join('; ')}). Include ${formatPlatform(hostPlatform())} in platforms, ` +
            'run on a native runner, or install qemu-user and the cross libc.'
        )
      }
      meta = await inspectPlugin(reference.soPath, { ...inspectOptions, ...fi })
    }
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

    // Every other build: same exported symbols, and the same metadata when qemu can load it.
    for (const b of builds) {
      if (b === reference) continue
      compareExports(reference.elf, b.elf, {
        native: formatPlatform(reference.platform),
        foreign: formatPlatform(b.platform)
      })
      const fi = await foreignInspector(b.platform, {
        cacheDir,
        cc: compilerFor(inputs, b.platform),
        onUnavailable: (r) =>
          logger.info(`${formatPlatform(b.platform)}: checked through its ELF only (${r})`),
        ...children,
        timeoutMs: inspectOptions.timeoutMs
      })
      if (!fi) continue
      const other = await inspectPlugin(b.soPath, { ...inspectOptions, ...fi })
      const diffs = sameMetadata(meta, other)
      if (diffs.length > 0) {
        throw new Error(
          `the ${formatPlatform(b.platform)} build reports other metadata than the ` +
            `${formatPlatform(reference.platform)} build: ${diffs.join('; ')}`
        )
      }
      logger.info(`${formatPlatform(b.platform)}: loaded under emulation, same metadata`)
    }
    return meta
  })
  return { metadata, builds }
}
