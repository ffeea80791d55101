// Reading the metadata of a plugin built for another architecture: the inspector is compiled
// with that architecture's cross compiler and run under qemu-user with Debian's cross libc as its
// root (`qemu-aarch64 -L /usr/aarch64-linux-gnu inspector lib.so`), so the .so is loaded by the
// real dynamic linker of its architecture, as Falco would. When any piece is missing we say so
// and the caller relies on the ELF comparison (checks.ts) instead.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  architectureFacts,
  formatPlatform,
  hostPlatform,
  isHostPlatform,
  type Platform
} from '../platform/platform.js'
import { runChild } from '../process/run.js'
import { findProgram } from '../process/which.js'
import { compileInspector, type ChildEnvironment } from './inspect.js'

export interface ForeignInspector {
  /** The inspector binary, built for the platform. */
  inspector: string
  /** Prefix to run it with (qemu-user and its -L root); [] for the host platform. */
  runner: string[]
}

export interface ForeignInspectorOptions extends ChildEnvironment {
  /** Where compiled inspectors are cached (as for compileInspector). */
  cacheDir: string
  /** C compiler for the platform (default: Debian's cross compiler, e.g. aarch64-linux-gnu-gcc). */
  cc?: string
  /** The emulator (default qemu-<arch>, then qemu-<arch>-static). */
  qemu?: string
  /** The target's root holding its dynamic linker and libc (default /usr/<triplet>). */
  sysroot?: string
  /** PATH to search (default: the PATH of env). */
  path?: string
  /** Told why qemu inspection is not possible, when undefined is returned. */
  onUnavailable?: (reason: string) => void
  /** The host (default hostPlatform()). */
  host?: Platform
  /** How long the emulated inspector may take to start (default 60 s). */
  timeoutMs?: number
}

/**
 * An inspector able to load a plugin built for `platform`: on the host platform, the native one;
 * otherwise the inspector cross-compiled for it plus a qemu-user runner, when qemu-<arch>, the
 * cross compiler and the cross libc (/usr/<triplet>) are all present and the emulated inspector
 * starts. Returns undefined (after telling onUnavailable why) when they are not.
 */
export async function foreignInspector(
  platform: Platform,
  opts: ForeignInspectorOptions
): Promise<ForeignInspector | undefined> {
  const host = opts.host ?? hostPlatform()
  const children: ChildEnvironment = { env: opts.env, envPolicy: opts.envPolicy }
  if (isHostPlatform(platform, host)) {
    return {
      inspector: await compileInspector({ cc: opts.cc, cacheDir: opts.cacheDir, ...children }),
      runner: []
    }
  }
  const facts = architectureFacts(platform)
  const p = formatPlatform(platform)
  const unavailable = (why: string): undefined => {
    opts.onUnavailable?.(
      `cannot load the ${p} plugin under emulation: ${why}; relying on the ELF checks ` +
        `(exports compared with the ${formatPlatform(host)} build) instead`
    )
    return undefined
  }
  const path = { path: opts.path ?? opts.env.PATH }
  const qemuNames = opts.qemu ? [opts.qemu] : [facts.qemu, `${facts.qemu}-static`]
  let qemu: string | undefined
  for (const name of qemuNames) qemu ??= await findProgram(name, path)
  if (!qemu) return unavailable(`${qemuNames[0]} not found (apt-get install qemu-user)`)
  const cc = opts.cc ?? facts.crossCompiler
  const ccCommand = cc.trim().split(/\s+/)[0]
  if ((await findProgram(ccCommand, path)) === undefined) {
    return unavailable(
      `the cross compiler ${ccCommand} was not found (apt-get install ${facts.crossPackages.join(' ')})`
    )
  }
  const sysroot = opts.sysroot ?? facts.crossSysroot
  if (!existsSync(join(sysroot, 'lib'))) {
    return unavailable(
      `the ${facts.gnuTriplet} C library is not in ${sysroot} (apt-get install ` +
        `${facts.crossPackages[1]})`
    )
  }
  let inspector: string
  try {
    inspector = await compileInspector({ cc, cacheDir: opts.cacheDir, ...children })
  } catch (e) {
    return unavailable(`compiling the inspector with ${cc} failed: ${(e as Error).message}`)
  }
  const runner = [qemu, '-L', sysroot]
  // Without arguments the inspector prints its usage and exits with 1: proof that it runs.
  const probe = await runChild([...runner, inspector], {
    env: opts.env,
    policy: opts.envPolicy,
    timeoutMs: opts.timeoutMs ?? 60_000
  })
  const output = probe.error?.message ?? probe.stdout + probe.stderr
  if (probe.code !== 1 || !output.includes('usage:')) {
    return unavailable(
      `the ${p} inspector does not run under ${runner.join(' ')} ` +
        `(${probe.timedOut ? 'timed out' : `exit ${probe.code}`}): ${output.trim().slice(0, 300)}`
    )
  }
  return { inspector, runner }
}
