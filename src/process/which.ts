// Program lookups on the PATH a child will get, with npm's `which` (what npm and cross-spawn use).
// Not @actions/io's which: it searches process.env.PATH only, and our lookups must search the PATH
// they are given. Only executable files count, as for execvp.
import which from 'which'

/** Where to look: a PATH value (unset: nowhere) and, on Windows, PATHEXT. */
export interface SearchPath {
  path: string | undefined
  pathExt?: string
}

/** Whether a lookup can find anything: a command with a "/" is checked as it is. */
function searchable(command: string, where: SearchPath): boolean {
  return command !== '' && (command.includes('/') || (where.path ?? '') !== '')
}

/** The first executable `command` on the path, or undefined. */
export async function findProgram(command: string, where: SearchPath): Promise<string | undefined> {
  if (!searchable(command, where)) return undefined
  // `?? ''`: an unset PATH must not make `which` search process.env.PATH.
  const found = await which(command, {
    path: where.path ?? '',
    pathExt: where.pathExt,
    nothrow: true
  })
  return found ?? undefined
}

/** Every executable `command` on the path, in order. */
export async function findPrograms(command: string, where: SearchPath): Promise<string[]> {
  if (!searchable(command, where)) return []
  const found = await which(command, {
    path: where.path ?? '',
    pathExt: where.pathExt,
    all: true,
    nothrow: true
  })
  return found ? [...found] : []
}
