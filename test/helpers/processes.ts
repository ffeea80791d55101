// Whether a process a test started (or made a plugin start) is still there, and cleaning up
// after a test that failed to end it.
import { readFileSync } from 'node:fs'

/** True while pid runs; a zombie (killed, not yet reaped by init) counts as gone. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // pid (comm) state ...: comm may hold spaces and parentheses, the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Waits (up to timeoutMs) for pid to be gone; returns whether it is. */
export async function waitUntilGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 50))
  }
  return true
}

/** Kills pid if it still runs (cleanup for a test that failed). */
export function killIfRunning(pid: number | undefined): void {
  if (pid === undefined || !isRunning(pid)) return
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone meanwhile
  }
}
