// zig as cgo's C compiler, for plugins that load on an older glibc than the runner's: with
// CC="zig cc -target x86_64-linux-gnu.2.17", the .so links against stubs of glibc 2.17's
// libraries (generated from zig's symbol database), so it needs nothing newer, on amd64 and on
// arm64 alike, from one machine, without a container or a cross gcc.
//
// zig is pinned (ZIG_VERSION). We take it, in this order, from: a `zig` on PATH of that version;
// the runner's tool cache (@actions/tool-cache; outside a runner, a cache folder in the user's
// cache directory); PyPI's `ziglang` wheel, which is a zip of the official build, downloaded
// with the tool cache's downloadTool, checked against its pinned SHA-256, extracted and cached.
// No pip, no Python needed on the runner.
import { createWriteStream, existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises'
import { arch as osArch, homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web'
import type { Logger } from '../log.js'
import { architectureFacts, type Platform } from '../platform/platform.js'
import type { EnvPolicy } from '../process/child-env.js'
import { lastLines, runChild } from '../process/run.js'
import { findPrograms } from '../process/which.js'
import { sha256File } from '../util/sha256-file.js'

/** The zig release the glibc input builds with. */
export const ZIG_VERSION = '0.17.0'

/** PyPI's ziglang wheels of ZIG_VERSION, by the host's Node architecture. */
export const ZIG_WHEELS: Readonly<Record<string, { url: string; sha256: string }>> = {
  x64: {
    url:
      'https://files.pythonhosted.org/packages/fe/6f/e1c380fe61db36cb464d5d4d18c557338812500986885373e2550d4ebf6b/' +
      'ziglang-0.17.0-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl',
    sha256: '97079827064a7492cce5541ceb438ae8003ce1e54e399676da2d62fb7a5dc08b'
  },
  arm64: {
    url:
      'https://files.pythonhosted.org/packages/02/21/abee2f0524f54fe3e8783748b9df79bb07d4b955e6b465677d1cfbda335c/' +
      'ziglang-0.17.0-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64.whl',
    sha256: 'd2804f94f54f7fcf8169f4b212a619ad688a4e2e6592e976f0cf2e58e2cd8af3'
  }
}

export interface Zig {
  /** Absolute path of the zig executable. */
  path: string
  version: string
  /** zig's lib folder (holds libc/glibc/abilists). */
  libDir: string
  /** Where it came from, for the log. */
  from: string
}

export interface ZigOptions {
  env: NodeJS.ProcessEnv
  policy?: EnvPolicy
  logger: Logger
  /** The host's Node architecture (default os.arch()). */
  arch?: string
  /** Another wheel to download (tests serve the real one on 127.0.0.1). */
  wheel?: { url: string; sha256: string }
}

/** "x86_64-linux-gnu.2.17": zig's target for a platform and a glibc version. */
export function zigTarget(platform: Platform, glibc: string): string {
  return `${architectureFacts(platform).gnuTriplet}.${glibc}`
}

/** CC and CXX for cgo: zig cc / zig c++ for the platform's triplet at that glibc. */
export function zigCompilers(zig: string, platform: Platform, glibc: string): { CC: string; CXX: string } {
  if (/\s/.test(zig)) {
    throw new Error(
      `zig is at '${zig}', a path with a space, which cannot be part of CC: install it elsewhere`
    )
  }
  const target = zigTarget(platform, glibc)
  return { CC: `${zig} cc -target ${target}`, CXX: `${zig} c++ -target ${target}` }
}

/** Reads `zig env`: its version and lib folder, or undefined when it does not run. */
async function zigEnv(
  path: string,
  opts: Pick<ZigOptions, 'env' | 'policy'>
): Promise<{ version: string; libDir: string } | undefined> {
  const r = await runChild([path, 'env'], { env: opts.env, policy: opts.policy, timeoutMs: 60_000 })
  if (r.error || r.code !== 0) return undefined
  // ZON in recent releases (.version = "0.17.0"), JSON before ("version": "0.13.0").
  const field = (name: string): string | undefined =>
    new RegExp(`"?\\.?${name}"?\\s*[:=]\\s*"([^"]*)"`).exec(r.stdout)?.[1]
  const version = field('version')
  const libDir = field('lib_dir')
  return version && libDir ? { version, libDir } : undefined
}

/** The Node architecture name the tool cache files tools under. */
function cacheArch(opts: ZigOptions): string {
  return opts.arch ?? osArch()
}

/** Our cache folder outside a runner (no RUNNER_TOOL_CACHE): the tool cache's layout. */
function ownCacheDir(env: NodeJS.ProcessEnv, arch: string): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache')
  return join(base, 'falco-plugin-release', 'tools', 'zig', ZIG_VERSION, arch)
}

async function fetchToFile(url: string, file: string): Promise<void> {
  const res = await fetch(url, { redirect: 'follow' })
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`)
  await pipeline(Readable.fromWeb(res.body as NodeWebReadableStream<Uint8Array>), createWriteStream(file))
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** Downloads the pinned wheel, checks it, and extracts its ziglang/ folder; returns that folder. */
async function downloadWheel(opts: ZigOptions, work: string): Promise<string> {
  const arch = cacheArch(opts)
  const wheel = opts.wheel ?? ZIG_WHEELS[arch]
  if (!wheel) {
    throw new Error(
      `no zig ${ZIG_VERSION} wheel for a ${arch} machine: the glibc input works on amd64 and ` +
        'arm64 runners, or put zig ' + ZIG_VERSION + ' on PATH'
    )
  }
  const file = join(work, 'ziglang.whl')
  opts.logger.info(`downloading zig ${ZIG_VERSION} (PyPI's ziglang wheel): ${wheel.url}`)
  try {
    // Under a runner, the tool cache's downloader (retries, proxy settings); elsewhere (the CLI)
    // fetch, as @actions/core would print its debug lines on our standard output.
    if (opts.env.RUNNER_TOOL_CACHE) await (await toolCache()).downloadTool(wheel.url, file)
    else await fetchToFile(wheel.url, file)
  } catch (e) {
    throw new Error(
      `could not download zig ${ZIG_VERSION} from ${wheel.url}: ${(e as Error).message}. ` +
        `Put zig ${ZIG_VERSION} on PATH instead (e.g. pip install ziglang==${ZIG_VERSION} and ` +
        'add its ziglang folder to PATH), or let the runner reach PyPI'
    )
  }
  const digest = await sha256File(file)
  if (digest !== wheel.sha256) {
    throw new Error(
      `the zig wheel from ${wheel.url} has SHA-256 ${digest}, not the pinned ${wheel.sha256}: ` +
        'refusing to run it'
    )
  }
  const out = join(work, 'x')
  await mkdir(out)
  const r = await runChild(['unzip', '-q', '-o', file, 'ziglang/*', '-d', out], {
    env: opts.env,
    policy: opts.policy,
    keepBytes: 16 * 1024
  })
  if (r.error || r.code !== 0) {
    throw new Error(
      `could not extract the zig wheel with unzip (${r.error?.message ?? `exit ${r.code}`}): ` +
        `${lastLines(r.stderr + r.stdout, 10)}; install unzip (apt-get install unzip)`
    )
  }
  const dir = join(out, 'ziglang')
  await chmod(join(dir, 'zig'), 0o755)
  return dir
}

/** @actions/tool-cache (and its HTTP client) loads only for the glibc input. */
const toolCache = () => import('@actions/tool-cache')

/** Puts an extracted zig folder in the tool cache (or our own cache) and returns where it is. */
async function cacheZig(opts: ZigOptions, dir: string): Promise<string> {
  const arch = cacheArch(opts)
  if (opts.env.RUNNER_TOOL_CACHE) return (await toolCache()).cacheDir(dir, 'zig', ZIG_VERSION, arch)
  const dest = ownCacheDir(opts.env, arch)
  await rm(dest, { recursive: true, force: true })
  await mkdir(join(dest, '..'), { recursive: true })
  await rename(dir, dest)
  await writeFile(`${dest}.complete`, '')
  return dest
}

async function cached(opts: ZigOptions): Promise<string | undefined> {
  const arch = cacheArch(opts)
  if (opts.env.RUNNER_TOOL_CACHE) return (await toolCache()).find('zig', ZIG_VERSION, arch) || undefined
  const dir = ownCacheDir(opts.env, arch)
  return existsSync(`${dir}.complete`) ? dir : undefined
}

/**
 * Finds zig ZIG_VERSION (PATH, then the tool cache) or installs it from PyPI into the tool
 * cache. Throws with what to do when neither works.
 */
export async function setupZig(opts: ZigOptions): Promise<Zig> {
  const skipped: string[] = []
  for (const candidate of await findPrograms('zig', { path: opts.env.PATH })) {
    const e = await zigEnv(candidate, opts)
    if (e?.version === ZIG_VERSION) return { path: candidate, ...e, from: 'PATH' }
    skipped.push(`${candidate} (${e ? `zig ${e.version}` : 'does not run'})`)
  }
  if (skipped.length > 0) {
    opts.logger.info(`not using ${skipped.join(', ')}: glibc builds are pinned to zig ${ZIG_VERSION}`)
  }
  const inCache = await cached(opts)
  if (inCache) {
    const path = join(inCache, 'zig')
    const e = (await isExecutable(path)) ? await zigEnv(path, opts) : undefined
    if (e?.version === ZIG_VERSION) return { path, ...e, from: 'the tool cache' }
    opts.logger.info(`the cached zig in ${inCache} does not run: installing it again`)
  }
  const work = await mkdtemp(join(opts.env.RUNNER_TEMP || tmpdir(), 'zig-'))
  try {
    const dir = await cacheZig(opts, await downloadWheel(opts, work))
    const path = join(dir, 'zig')
    const e = await zigEnv(path, opts)
    if (e?.version !== ZIG_VERSION) {
      throw new Error(`the zig installed in ${dir} does not run or is not ${ZIG_VERSION}`)
    }
    return { path, ...e, from: 'PyPI (ziglang wheel), now in the tool cache' }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** Path of the glibc symbol database of a zig installation. */
export function abilistsPath(zig: Zig): string {
  return join(zig.libDir, 'libc', 'glibc', 'abilists')
}
