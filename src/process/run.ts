// Starts the children that run the plugin's or the user's code (the build, the C compiler, the
// plugin inspector, qemu). Each runs in its own process group with a filtered environment
// (child-env.ts). When it exits, times out, or we are stopped, the whole group is killed: a plugin
// that fork()s a child which never exits would otherwise hold our pipes open forever. Its output
// is read as it comes, keeping only a bounded tail, since a plugin can print gigabytes.
//
// Ours, not @actions/exec or execFile: neither starts a process group to kill whole, @actions/exec
// has no timeout and keeps all output, and execFile's maxBuffer kills a child that prints much
// (a verbose build) where we keep its tail. The other children (git, a docker credential helper)
// use execFile, which bounds their time and output.
import { spawn, type ChildProcess } from 'node:child_process'
import { StringDecoder } from 'node:string_decoder'
import { childEnv, type EnvPolicy } from './child-env.js'

export interface RunOptions {
  cwd?: string
  /** The environment before filtering (the run context's childEnvBase). */
  env: NodeJS.ProcessEnv
  /** What to keep of it (see childEnv). */
  policy?: EnvPolicy
  /** After this long the whole group is killed and the result says timedOut. */
  timeoutMs?: number
  /** Every output line as it comes (cut into pieces of at most MAX_LINE characters). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void
  /** Bytes kept from the end of each stream (default 64 KiB). */
  keepBytes?: number
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  /** The last keepBytes of stdout. */
  stdout: string
  /** The last keepBytes of stderr. */
  stderr: string
  /** Set when the command could not be started (ENOENT...). */
  error?: NodeJS.ErrnoException
  timedOut: boolean
}

export const MAX_LINE = 4096
const DEFAULT_KEEP_BYTES = 64 * 1024
/** How long output still in the pipes may take to arrive once the group is gone. */
const DRAIN_MS = 2000

// Groups still running, killed if we exit or are stopped (e.g. a cancelled workflow run).
const live = new Set<number>()
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // ESRCH: nothing left of it
  }
}

function killAll(): void {
  for (const pid of live) killGroup(pid)
}

function onStopSignal(signal: NodeJS.Signals): void {
  killAll()
  stopWatching()
  // Without listeners left, take the signal's default action (end the process), as before.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

function startWatching(): void {
  process.on('exit', killAll)
  for (const s of STOP_SIGNALS) process.on(s, onStopSignal)
}

function stopWatching(): void {
  process.off('exit', killAll)
  for (const s of STOP_SIGNALS) process.off(s, onStopSignal)
}

function track(pid: number): void {
  if (live.size === 0) startWatching()
  live.add(pid)
}

function untrack(pid: number): void {
  if (live.delete(pid) && live.size === 0) stopWatching()
}

/** Keeps the last `max` bytes written to it. */
class Tail {
  private chunks: Buffer[] = []
  private size = 0
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    while (this.chunks.length > 1 && this.size - this.chunks[0].length >= this.max) {
      this.size -= (this.chunks.shift() as Buffer).length
    }
  }
  text(): string {
    const all = Buffer.concat(this.chunks)
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8')
  }
}

/** Splits a stream into lines for onLine, never holding more than MAX_LINE characters. */
function lineSplitter(emit: (line: string) => void): {
  push(chunk: Buffer): void
  flush(): void
} {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  const drain = (): void => {
    for (;;) {
      const nl = pending.indexOf('\n')
      if (nl >= 0 && nl <= MAX_LINE) {
        emit(pending.slice(0, nl).replace(/\r$/, ''))
        pending = pending.slice(nl + 1)
      } else if (pending.length > MAX_LINE) {
        emit(pending.slice(0, MAX_LINE))
        pending = pending.slice(MAX_LINE)
      } else return
    }
  }
  return {
    push: (chunk) => {
      pending += decoder.write(chunk)
      drain()
    },
    flush: () => {
      pending += decoder.end()
      drain()
      if (pending !== '') emit(pending)
      pending = ''
    }
  }
}

/**
 * Runs argv (no shell) in a new process group and resolves once it has exited and its group is
 * gone. Never rejects: a command that cannot start comes back with `error`.
 */
export function runChild(argv: string[], options: RunOptions): Promise<RunResult> {
  const keep = options.keepBytes ?? DEFAULT_KEEP_BYTES
  const tails = { stdout: new Tail(keep), stderr: new Tail(keep) }
  return new Promise((done) => {
    let child: ChildProcess
    const env = childEnv(options.env, options.policy).env
    try {
      child = spawn(argv[0], argv.slice(1), {
        cwd: options.cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group (setsid), so that we can kill everything it starts.
        detached: true
      })
    } catch (e) {
      done({
        code: null,
        signal: null,
        stdout: '',
        stderr: '',
        error: e as NodeJS.ErrnoException,
        timedOut: false
      })
      return
    }
    const pid = child.pid
    if (pid !== undefined) track(pid)

    const splitters = (['stdout', 'stderr'] as const).map((name) => {
      const split = lineSplitter((l) => options.onLine?.(l, name))
      child[name]?.on('data', (chunk: Buffer) => {
        tails[name].push(chunk)
        if (options.onLine) split.push(chunk)
      })
      return split
    })

    let timedOut = false
    let error: NodeJS.ErrnoException | undefined
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
    let drainTimer: NodeJS.Timeout | undefined
    const timer =
      options.timeoutMs === undefined || pid === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            killGroup(pid)
          }, options.timeoutMs)

    let finished = false
    const finish = (): void => {
      if (finished) return
      finished = true
      if (timer) clearTimeout(timer)
      if (drainTimer) clearTimeout(drainTimer)
      if (pid !== undefined) {
        killGroup(pid)
        untrack(pid)
      }
      splitters.forEach((s) => s.flush())
      done({
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: tails.stdout.text(),
        stderr: tails.stderr.text(),
        error,
        timedOut
      })
    }

    child.on('error', (e) => {
      error ??= e
      if (child.pid === undefined) finish() // never started
    })
    child.on('exit', (code, signal) => {
      exit = { code, signal }
      if (timer) clearTimeout(timer)
      // What it left behind (a forked child, a daemon) goes with it; then the pipes close. A
      // process that left the group (setsid) may still hold them: stop reading after a while.
      killGroup(pid as number)
      drainTimer = setTimeout(() => {
        child.stdout?.destroy()
        child.stderr?.destroy()
        finish()
      }, DRAIN_MS)
    })
    child.on('close', finish)
  })
}

/** The last `lines` lines of text. */
export function lastLines(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}
