// runChild: every child in its own process group, killed whole when it exits or times out, with a
// filtered environment and bounded output.
import { afterEach, describe, expect, it } from '@jest/globals'
import { MAX_LINE, runChild } from '../../src/process/run.js'
import { isRunning, killIfRunning, waitUntilGone } from '../../test/helpers/processes.js'

/** Pids a test made, killed afterwards whatever happened. */
const started: number[] = []
afterEach(() => {
  started.splice(0).forEach(killIfRunning)
})

/** The pid a shell script printed on its first line. */
function firstPid(stdout: string): number {
  const pid = Number(stdout.split('\n')[0])
  expect(pid).toBeGreaterThan(1)
  started.push(pid)
  return pid
}

describe('runChild', () => {
  it('ends what the child left behind holding its pipes, and does not wait for them', async () => {
    // Today's hang: a background process keeps stdout open after its parent exited.
    const r = await runChild(['sh', '-c', 'sleep 1000 & echo $!; echo done'], { env: process.env })
    expect(r.code).toBe(0)
    expect(r.timedOut).toBe(false)
    expect(r.stdout).toContain('done')
    expect(await waitUntilGone(firstPid(r.stdout))).toBe(true)
  }, 30_000)

  it('kills the whole group on timeout', async () => {
    const r = await runChild(['sh', '-c', 'sleep 1000 & echo $!; sleep 1000'], {
      env: process.env,
      timeoutMs: 300
    })
    expect(r.timedOut).toBe(true)
    expect(r.signal).toBe('SIGKILL')
    expect(await waitUntilGone(firstPid(r.stdout))).toBe(true)
  }, 30_000)

  it('stops reading pipes held by a process that left the group', async () => {
    // setsid takes it out of reach of a group kill: we cannot end it, but we must not hang.
    const r = await runChild(['sh', '-c', 'setsid sleep 1000 & echo $!; sleep 0.2'], {
      env: process.env
    })
    const pid = firstPid(r.stdout)
    expect(r.code).toBe(0)
    expect(isRunning(pid)).toBe(true)
  }, 30_000)

  it('keeps only the end of a huge output and cuts endless lines', async () => {
    const lines: string[] = []
    const r = await runChild(
      ['sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" a; echo; echo last line'],
      { env: process.env, keepBytes: 1000, onLine: (l) => lines.push(l) }
    )
    expect(r.code).toBe(0)
    expect(r.stdout.length).toBeLessThanOrEqual(1000)
    expect(r.stdout.endsWith('a\nlast line\n')).toBe(true)
    expect(lines[lines.length - 1]).toBe('last line')
    expect(Math.max(...lines.map((l) => l.length))).toBe(MAX_LINE)
    expect(lines.slice(0, -1).join('').length).toBe(3_000_000)
  }, 60_000)

  it('gives the child a filtered environment', async () => {
    const r = await runChild(['env'], {
      env: {
        PATH: process.env.PATH,
        INPUT_PASSWORD: 'p1',
        ACTIONS_RUNTIME_TOKEN: 'p2',
        COPY: 'p3-secret',
        KEPT: 'ghs-kept',
        GITHUB_TOKEN: 'ghs-kept',
        PLAIN: 'visible'
      },
      policy: { keep: ['GITHUB_TOKEN'], containsSecret: (t) => t.includes('secret') }
    })
    const names = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('=')[0])
      .sort()
    expect(names).toEqual(['GITHUB_TOKEN', 'KEPT', 'PATH', 'PLAIN'])
  })

  it('reports a command that does not exist', async () => {
    const r = await runChild(['no-such-command-fpr'], { env: process.env })
    expect(r.error?.code).toBe('ENOENT')
    expect(r.code).toBeNull()
  })
})
