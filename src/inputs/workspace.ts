// Paths the inputs name stay inside the workspace (GITHUB_WORKSPACE, the checkout), so that a
// workflow cannot be talked into publishing `../secrets.yaml` or writing over a file outside the
// checkout, and files are never written through a symbolic link. Outside GitHub Actions (the
// CLI) there is no workspace and nothing is confined.
import { lstatSync, realpathSync } from 'node:fs'
import { rename, writeFile, lstat, mkdir } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { InputError } from './inputs.js'

export interface Workspace {
  /** The real path of GITHUB_WORKSPACE; undefined outside GitHub Actions (nothing confined). */
  root?: string
  /** allow-outside-workspace: the user accepts paths outside it. */
  allowOutside: boolean
}

/** The workspace of a run whose checkout is `dir` (GITHUB_WORKSPACE; undefined: none). */
export function workspaceOf(dir: string | undefined, allowOutside: boolean): Workspace {
  return { root: dir ? realOrSelf(resolve(dir)) : undefined, allowOutside }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** The real path of `path`, following every symbolic link of the part that exists. */
export function realPathOf(path: string): string {
  const abs = resolve(path)
  const missing: string[] = []
  let existing = abs
  for (;;) {
    try {
      lstatSync(existing)
      break
    } catch {
      const parent = dirname(existing)
      if (parent === existing) break
      missing.unshift(basename(existing))
      existing = parent
    }
  }
  return join(realOrSelf(existing), ...missing)
}

export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Refuses a path (to read or to write) that leads outside the workspace, symbolic links
 * included, unless allow-outside-workspace is set. Returns the absolute path.
 */
export function confine(ws: Workspace, path: string, what: string): string {
  const abs = resolve(path)
  if (ws.root === undefined || ws.allowOutside) return abs
  const real = realPathOf(abs)
  if (!isInside(real, ws.root)) {
    const via = real !== abs ? ` (through a symbolic link, it is ${real})` : ''
    throw new InputError(
      `${what} "${path}" is outside the workspace ${ws.root}${via}: use a path inside the ` +
        'repository checkout, or set allow-outside-workspace: true if this is intended. Nothing was pushed.'
    )
  }
  return abs
}

/**
 * Writes a file without ever following a symbolic link at its path: a link there is refused
 * (a checked-in `index.yaml -> /etc/...` must not redirect the write). The content goes to a
 * temporary file first and is renamed into place, so a reader never sees half a file.
 */
export async function writeFileNoFollow(
  path: string,
  content: string,
  what: string
): Promise<void> {
  const abs = resolve(path)
  const info = await lstat(abs).catch(() => undefined)
  if (info?.isSymbolicLink()) {
    throw new Error(
      `${what} ${path} is a symbolic link: refusing to write through it; point ${what} at a regular file`
    )
  }
  if (info !== undefined && !info.isFile()) throw new Error(`${what} ${path} is not a regular file`)
  await mkdir(dirname(abs), { recursive: true })
  const tmp = join(dirname(abs), `.${basename(abs)}.${randomBytes(6).toString('hex')}.tmp`)
  await writeFile(tmp, content, { flag: 'wx', mode: info ? info.mode & 0o777 : 0o644 })
  await rename(tmp, abs)
}
