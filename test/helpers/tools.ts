// Locates the external tools the integration tests need. A missing tool fails
// the test with a message that says how to get it: tests never skip silently.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'

const HOW_TO_GET: Record<string, string> = {
  'docker-registry': 'apt-get install docker-registry (or run `bash .ci/run`)',
  skopeo: 'apt-get install skopeo (or run `bash .ci/run`)',
  htpasswd: 'apt-get install apache2-utils (or run `bash .ci/run`)',
  go: 'install Go >= 1.25 from https://go.dev/dl/',
  cc: 'apt-get install gcc',
  gcc: 'apt-get install gcc',
  objdump: 'apt-get install binutils (comes with gcc)',
  readelf: 'apt-get install binutils (comes with gcc)',
  'x86_64-linux-gnu-gcc':
    'apt-get install gcc (on amd64), or gcc-x86-64-linux-gnu libc6-dev-amd64-cross elsewhere',
  'aarch64-linux-gnu-gcc':
    'apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross (or run `bash .ci/run`)',
  'qemu-aarch64': 'apt-get install qemu-user (or run `bash .ci/run`)'
}

function onPath(name: string): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined
    )
  } catch {
    return undefined
  }
}

/** Folders that must exist, with how to get them (checked by requirePath). */
const PATH_HOW_TO_GET: Record<string, string> = {
  '/usr/aarch64-linux-gnu/lib':
    'apt-get install libc6-dev-arm64-cross (the arm64 C library qemu-aarch64 -L needs)',
  '/usr/aarch64-linux-gnu/lib/libc.so.6': 'apt-get install libc6-dev-arm64-cross'
}

/** The path itself, or throws an Error naming how to get it. */
export function requirePath(path: string): string {
  if (existsSync(path)) return path
  throw new Error(`required path "${path}" does not exist: ${PATH_HOW_TO_GET[path] ?? 'create it'}`)
}

/** Absolute path of a tool, or throws an Error naming how to install it. */
export function requireTool(name: string): string {
  const found = onPath(name)
  if (found) return found
  throw new Error(`required tool "${name}" was not found: ${HOW_TO_GET[name] ?? 'install it'}`)
}

/** The zig the glibc input is pinned to, as scripts/install-zig.sh installs it. */
export const ZIG_VERSION = '0.17.0'

/**
 * zig from PyPI's wheel, installed by the set-up script into .tools: its folder (put it first on
 * PATH), the shared cache that keeps zig's compiled glibc stubs between tests (for
 * ZIG_GLOBAL_CACHE_DIR) and the wheel file. Throws with how to get it.
 */
export function requireZig(): { bin: string; dir: string; cache: string; wheel: string } {
  const root = new URL('../../.tools/', import.meta.url).pathname
  const dir = `${root}zig-${ZIG_VERSION}`
  const wheels = `${root}wheels`
  const wheel = existsSync(wheels)
    ? readdirSync(wheels).find((f) => f.startsWith(`ziglang-${ZIG_VERSION}-`))
    : undefined
  if (!existsSync(`${dir}/zig`) || wheel === undefined) {
    throw new Error(
      `zig ${ZIG_VERSION} was not found in ${dir} (with its wheel in ${wheels}): run ` +
        "`bash scripts/install-zig.sh` (pip downloads PyPI's ziglang wheel), or `bash scripts/setup.sh`"
    )
  }
  mkdirSync(`${root}zig-cache`, { recursive: true })
  return { bin: `${dir}/zig`, dir, cache: `${root}zig-cache`, wheel: `${wheels}/${wheel}` }
}

/** The Node the action runs on (action.yml: runs.using: node24), as install-node24.sh pins it. */
const ACTION_NODE_VERSION = '24.22.3'

/**
 * Node 24, installed by the set-up script into .tools: what runs the bundled action in the
 * integration tests, as on the runner. Throws with how to get it.
 */
export function requireActionNode(): string {
  const bin = new URL('../../.tools/bin/node24', import.meta.url).pathname
  let version = ''
  try {
    version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    // reported below
  }
  if (version !== `v${ACTION_NODE_VERSION}`) {
    throw new Error(
      `Node ${ACTION_NODE_VERSION} (the runtime action.yml declares) was not found at ${bin}: run ` +
        '`bash scripts/install-node24.sh` (it comes from the npm registry), or `bash scripts/setup.sh`'
    )
  }
  return bin
}
