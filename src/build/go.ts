// Builds the plugin's shared library: `go build -buildmode=c-shared` by default, or the user's
// build-command. Output is streamed to the logger; failures carry the tail of it. With a foreign
// platform (linux/arm64 on an amd64 machine), Go cross-compiles with cgo through a C cross
// compiler (Debian's aarch64-linux-gnu-gcc by default).
import { existsSync } from 'node:fs'
import { mkdir, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { Logger } from '../log.js'
import {
  architectureFacts,
  formatPlatform,
  hostPlatform,
  isHostPlatform,
  type Platform
} from '../platform/platform.js'
import { childEnv, type EnvPolicy } from '../process/child-env.js'
import { runChild, type RunResult } from '../process/run.js'
import { findProgram } from '../process/which.js'

export interface BuildOptions {
  /** The folder that holds the plugin's go.mod; every command runs there. */
  workingDirectory: string
  /** The main package to build (default ./plugin). */
  goPackage?: string
  /** Absolute path of the .so the default build writes. */
  output: string
  /** Replaces the default build; run with bash -c (or sh -c). */
  buildCommand?: string
  /** The .so the build-command produces, relative to workingDirectory. Required with it. */
  pluginPath?: string
  /** The environment the build starts from (the run context's childEnvBase). */
  env: NodeJS.ProcessEnv
  /**
   * What of that environment the build keeps (see childEnv): action inputs, runner tokens and
   * secrets are removed unless named in envPolicy.keep.
   */
  envPolicy?: EnvPolicy
  /**
   * The platform to build for (default: this machine's). Another architecture than the host's
   * is cross-compiled: GOOS=linux, GOARCH=<arch>, CGO_ENABLED=1, CC=<cc>.
   */
  platform?: Platform
  /**
   * The C compiler for a cross build (default: Debian's cross compiler of the platform,
   * aarch64-linux-gnu-gcc or x86_64-linux-gnu-gcc; $CC is ignored, as it is usually the host's).
   * For a native build it becomes CC when set.
   */
  cc?: string
  /**
   * The C and C++ compilers for the platform, native or not (zig cc for the glibc input): they
   * replace cc and the cross compiler, and the build always names GOOS and GOARCH.
   */
  compilers?: { CC: string; CXX: string }
  /**
   * Other builds run at the same time: no log group of its own (groups cannot interleave), each
   * output line prefixed with the platform.
   */
  concurrent?: boolean
  logger: Logger
}

/** The environment a build for `platform` needs on `host`: {} for a native build without cc. */
export function crossCompileEnv(
  platform: Platform | undefined,
  cc?: string,
  host: Platform = hostPlatform()
): Record<string, string> {
  const explicitCc = cc?.trim() || undefined
  if (platform === undefined || isHostPlatform(platform, host)) {
    if (platform !== undefined) architectureFacts(platform)
    return explicitCc ? { CC: explicitCc } : {}
  }
  const facts = architectureFacts(platform)
  return {
    GOOS: 'linux',
    GOARCH: facts.goarch,
    CGO_ENABLED: '1',
    CC: explicitCc ?? facts.crossCompiler
  }
}

/** Whether the first word of a CC value is an executable on PATH (or an executable path). */
async function commandExists(command: string, pathVar: string | undefined): Promise<boolean> {
  const name = command.trim().split(/\s+/)[0]
  return (await findProgram(name, { path: pathVar })) !== undefined
}

function missingCrossCompiler(platform: Platform, cc: string, host: Platform): Error {
  const facts = architectureFacts(platform)
  const name = cc.trim().split(/\s+/)[0]
  const fix =
    name === facts.crossCompiler
      ? `Install it (sudo apt-get install -y ${facts.crossPackages.join(' ')}), set cc to ` +
        `another ${facts.gnuTriplet} compiler`
      : `Install it or set cc to another ${facts.gnuTriplet} compiler (Debian's is ` +
        `${facts.crossCompiler}, from ${facts.crossPackages.join(' ')})`
  return new Error(
    `the C cross compiler '${name}' for ${formatPlatform(platform)} was not found on PATH: ` +
      `cgo needs one to build a ${facts.goarch} plugin on this ${host.architecture} machine. ` +
      `${fix}, or build on a native ${facts.goarch} runner (runs-on: ${facts.runner}) with the ` +
      'matrix mode'
  )
}

const TAIL_LINES = 40

interface StreamResult extends RunResult {
  /** The last TAIL_LINES lines of output. */
  tail: string[]
}

/**
 * Runs argv without a shell, in its own process group with a filtered environment, forwarding
 * each output line to log and keeping the last ones.
 */
async function runStreaming(
  argv: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; policy?: EnvPolicy; log: (line: string) => void }
): Promise<StreamResult> {
  const tail: string[] = []
  const r = await runChild(argv, {
    cwd: options.cwd,
    env: options.env,
    policy: options.policy,
    keepBytes: 0,
    onLine: (l) => {
      options.log(l)
      tail.push(l)
      if (tail.length > TAIL_LINES) tail.shift()
    }
  })
  return { ...r, tail }
}

/** Says which variables the build does not get (names only), and how to pass one. */
export function logRemovedVariables(
  env: NodeJS.ProcessEnv,
  policy: EnvPolicy | undefined,
  logger: Logger
): void {
  const { removed } = childEnv(env, policy)
  // The action's own inputs are many and expected: one entry for them all.
  const inputs = removed.some((n) => /^INPUT_/i.test(n)) ? ['INPUT_* (the action inputs)'] : []
  const names = [...inputs, ...removed.filter((n) => !/^INPUT_/i.test(n))]
  if (names.length === 0) return
  logger.info(
    `not passed to the build or the plugin: ${names.join(', ')}; name a variable in ` +
      'build-env-keep to pass it'
  )
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** Quotes an argument for display only (we never run through a shell). */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

function status(r: StreamResult): string {
  return r.signal ? `was killed by ${r.signal}` : `exited with status ${r.code}`
}

function outputBlock(tail: string[]): string {
  return tail.length > 0 ? `\n${tail.join('\n')}` : ' (no output)'
}

/** A relative path (./x, ../x, x/y on disk) rather than an import path (example.com/x). */
function isLocalPackage(pkg: string): boolean {
  return pkg === '.' || pkg === '..' || pkg.startsWith('./') || pkg.startsWith('../') || isAbsolute(pkg)
}

/** cgo includes the SDK's plugin_api.h by a relative path that a stray $TMPDIR copy shadows. */
function strayHeaderWarning(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of new Set([env.GOTMPDIR, env.TMPDIR, tmpdir()])) {
    if (dir && existsSync(join(dir, 'plugin_api.h'))) {
      return (
        `${join(dir, 'plugin_api.h')} exists: cgo may pick it up instead of plugin-sdk-go's copy ` +
        '(the SDK includes it by a relative path); remove it if the build misbehaves'
      )
    }
  }
  return undefined
}

/**
 * Builds the plugin and returns the absolute path of its .so. Throws with the compiler's output
 * and the command when the build fails.
 */
export async function buildPlugin(opts: BuildOptions): Promise<string> {
  const { logger } = opts
  const wd = resolve(opts.workingDirectory)
  if (!(await isDirectory(wd))) {
    const what = existsSync(wd) ? 'is not a directory' : 'does not exist'
    throw new Error(
      `working-directory '${opts.workingDirectory}' ${what}: set the input to the folder that ` +
        "holds your plugin's go.mod"
    )
  }
  const env: NodeJS.ProcessEnv = { ...opts.env }
  const host = hostPlatform()
  const targetEnv: Record<string, string> =
    opts.compilers && opts.platform
      ? {
          GOOS: 'linux',
          GOARCH: architectureFacts(opts.platform).goarch,
          CGO_ENABLED: '1',
          ...opts.compilers
        }
      : crossCompileEnv(opts.platform, opts.cc, host)
  const cross = opts.platform !== undefined && !isHostPlatform(opts.platform, host)
  const group = <T>(title: string, fn: () => Promise<T>): Promise<T> =>
    opts.concurrent ? fn() : logger.group(title, fn)
  const tag = opts.concurrent && opts.platform ? `[${formatPlatform(opts.platform)}] ` : ''
  const log = (l: string): void => logger.info(`${tag}${l}`)
  const suffix = opts.platform ? ` (${formatPlatform(opts.platform)})` : ''

  if (opts.buildCommand !== undefined && opts.buildCommand.trim() !== '') {
    // The user's command sees the target in GOOS/GOARCH (and CC for a cross build).
    if (opts.platform) {
      Object.assign(env, { GOOS: opts.platform.os, GOARCH: opts.platform.architecture })
    }
    Object.assign(env, targetEnv)
    return runBuildCommand(opts.buildCommand, opts.pluginPath, wd, env, opts.envPolicy, logger, suffix)
  }

  const goPackage = opts.goPackage?.trim() || './plugin'
  if (isLocalPackage(goPackage) && !(await isDirectory(resolve(wd, goPackage)))) {
    throw new Error(
      `go-package '${goPackage}' not found in ${wd}: set go-package to the folder of your ` +
        "plugin's main package (relative to working-directory, e.g. ./plugin or .)"
    )
  }
  const output = resolve(wd, opts.output)
  await mkdir(dirname(output), { recursive: true })
  const warning = strayHeaderWarning(env)
  if (warning) logger.warning(warning)

  if (cross && !opts.compilers && !(await commandExists(targetEnv.CC, env.PATH))) {
    throw missingCrossCompiler(opts.platform as Platform, targetEnv.CC, host)
  }

  // c-shared needs cgo, which cross-compiling or a bare environment would turn off.
  env.CGO_ENABLED = '1'
  Object.assign(env, targetEnv)
  const argv = [
    'go',
    'build',
    '-buildmode=c-shared',
    '-trimpath',
    '-buildvcs=false',
    // An empty Go build ID makes the .so byte-identical across runs and
    // directories (the GNU build-id is then derived from the content alone),
    // so re-running a release reproduces the published digests.
    '-ldflags=-buildid=',
    '-o',
    output,
    goPackage
  ]
  const shown = Object.entries({ CGO_ENABLED: '1', ...targetEnv }).map(
    ([k, v]) => `${k}=${shellQuote(v)}`
  )
  const command = `${shown.join(' ')} ${argv.map(shellQuote).join(' ')}`
  const r = await group(`Build ${goPackage}${suffix}`, async () => {
    log(`$ ${command}  (in ${wd})`)
    if (!opts.concurrent) logRemovedVariables(env, opts.envPolicy, logger)
    return runStreaming(argv, { cwd: wd, env, policy: opts.envPolicy, log })
  })
  if (r.error?.code === 'ENOENT') {
    throw new Error(
      "the Go toolchain ('go') was not found on PATH: add actions/setup-go before this action " +
        '(e.g. with go-version-file: go.mod), or install Go from https://go.dev/dl/'
    )
  }
  if (r.error) throw new Error(`could not run go: ${r.error.message}`)
  if (r.code !== 0) {
    const crossHint = opts.compilers
      ? `\nThis build used ${targetEnv.CC}: C code that includes headers or links libraries ` +
        'of this machine (pkg-config, -I/usr/include, -L/usr/lib) does not work with it; ' +
        'libraries the plugin links must be built for the target too'
      : cross
      ? `\nThis was a cross build for ${formatPlatform(opts.platform as Platform)}: C libraries ` +
        `the plugin links must be installed for ${targetEnv.GOARCH} too, or build on a native ` +
        `${targetEnv.GOARCH} runner (runs-on: ${architectureFacts(opts.platform as Platform).runner})`
      : ''
    throw new Error(
      `go build ${status(r)}: ${command} (in ${wd})${outputBlock(r.tail)}${crossHint}`
    )
  }
  if (!(await isFile(output))) {
    throw new Error(`go build succeeded but did not write ${output}: ${command} (in ${wd})`)
  }
  return output
}

async function runBuildCommand(
  buildCommand: string,
  pluginPath: string | undefined,
  wd: string,
  env: NodeJS.ProcessEnv,
  policy: EnvPolicy | undefined,
  logger: Logger,
  suffix = ''
): Promise<string> {
  if (pluginPath === undefined || pluginPath.trim() === '') {
    throw new Error(
      'build-command is set, so plugin-path is required: set it to the .so your command produces ' +
        '(relative to working-directory)'
    )
  }
  const so = resolve(wd, pluginPath.trim())
  const r = await logger.group(`Build (build-command)${suffix}`, async () => {
    logger.info(`$ ${buildCommand}  (in ${wd})`)
    logRemovedVariables(env, policy, logger)
    const log = (l: string): void => logger.info(l)
    const bash = await runStreaming(['bash', '-c', buildCommand], { cwd: wd, env, policy, log })
    if (bash.error?.code !== 'ENOENT') return bash
    return runStreaming(['sh', '-c', buildCommand], { cwd: wd, env, policy, log })
  })
  if (r.error) throw new Error(`could not run build-command: ${r.error.message}`)
  if (r.code !== 0) {
    throw new Error(`build-command ${status(r)}: ${buildCommand} (in ${wd})${outputBlock(r.tail)}`)
  }
  if (!(await isFile(so))) {
    throw new Error(
      `build-command finished but plugin-path '${pluginPath}' (${so}) does not exist: set ` +
        'plugin-path to the .so your command produces'
    )
  }
  return so
}
