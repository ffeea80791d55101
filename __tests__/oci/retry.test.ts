import { describe, expect, it } from '@jest/globals'
import {
  RetryPolicy,
  RetryReason,
  backoffDelay,
  parseRetryAfter,
  retriesExhausted,
  retryDelay,
  seconds,
  transientFailure,
  withRetries
} from '../../src/oci/retry.js'
import { ConnectionError, RegistryError, httpError } from '../../src/oci/errors.js'
import { fakeClock, rejection } from './support.js'

const NOW = Date.parse('2026-11-22T10:00:00Z')

function policy(
  over: Partial<RetryPolicy> = {}
): RetryPolicy & { clock: ReturnType<typeof fakeClock> } {
  return {
    budgetMs: 60_000,
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    random: () => 0.5,
    clock: fakeClock(NOW),
    ...over
  } as RetryPolicy & { clock: ReturnType<typeof fakeClock> }
}

class Flaky extends Error {
  constructor(readonly retryAfterMs?: number) {
    super('flaky')
  }
}

const classify = (err: unknown): RetryReason | undefined =>
  err instanceof Flaky ? { reason: 'flaky', retryAfterMs: err.retryAfterMs } : undefined

describe('backoffDelay (full jitter)', () => {
  it('doubles the ceiling per retry up to the cap', () => {
    const top = (retry: number): number => backoffDelay(retry, 100, 1000, () => 0.999999)
    expect([1, 2, 3, 4, 5, 6].map(top)).toEqual([99, 199, 399, 799, 999, 999])
  })

  it('is uniform between 0 and the ceiling', () => {
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(0)
    expect(backoffDelay(3, 100, 10_000, () => 0.25)).toBe(100)
    expect(backoffDelay(3, 100, 10_000, () => 0.5)).toBe(200)
  })

  it('survives huge retry counts and odd random values', () => {
    expect(backoffDelay(10_000, 500, 30_000, () => 0.5)).toBe(15_000)
    expect(backoffDelay(1, 500, 30_000, () => 7)).toBe(500)
    expect(backoffDelay(1, 500, 30_000, () => -1)).toBe(0)
  })
})

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0)
  })

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', NOW)).toBe(30_000)
    // A date in the past means "now".
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', NOW)).toBe(0)
  })

  it('ignores absent or malformed values', () => {
    for (const v of [undefined, '', '-1', '1.5', 'soon', '12abc']) {
      expect(parseRetryAfter(v, NOW)).toBeUndefined()
    }
  })

  it('never waits less than the server asked', () => {
    const p = policy({ random: () => 0 })
    expect(retryDelay(1, p)).toBe(0)
    expect(retryDelay(1, p, 3000)).toBe(3000)
    expect(retryDelay(4, policy({ random: () => 0.99 }), 10)).toBe(7920)
  })
})

describe('withRetries', () => {
  const hooks = (log: string[] = []) => ({
    classify,
    onRetry: (what: string, why: RetryReason, delay: number, attempt: number) =>
      log.push(`${what} ${why.reason} ${delay} ${attempt}`)
  })

  it('retries until success, waiting the jittered backoff', async () => {
    const p = policy()
    const log: string[] = []
    let calls = 0
    const result = await withRetries('op', p, hooks(log), async (attempt) => {
      calls++
      if (attempt < 4) throw new Flaky()
      return 'done'
    })
    expect(result).toBe('done')
    expect(calls).toBe(4)
    expect(p.clock.sleeps).toEqual([500, 1000, 2000])
    expect(log).toEqual(['op flaky 500 1', 'op flaky 1000 2', 'op flaky 2000 3'])
  })

  it('fails at once on a failure that is not retryable', async () => {
    const p = policy()
    let calls = 0
    const err = await rejection(
      withRetries('op', p, hooks(), async () => {
        calls++
        throw new Error('final')
      })
    )
    expect(err.message).toBe('final')
    expect(calls).toBe(1)
    expect(p.clock.sleeps).toEqual([])
  })

  it('stops before a wait would overrun the budget, and says so', async () => {
    const p = policy({ budgetMs: 5000, random: () => 0.999 })
    let calls = 0
    const err = await rejection(
      withRetries('op', p, hooks(), async () => {
        calls++
        throw new Flaky()
      })
    )
    // Waits 999 + 1998 = 2997 ms; the next (3996 ms) would end past 5000 ms.
    expect(p.clock.sleeps).toEqual([999, 1998])
    expect(calls).toBe(3)
    expect(err.message).toBe('flaky (gave up after 3 attempts in 3.0 s; retry budget 5.0 s)')
    expect(retriesExhausted(err)).toBe(true)
  })

  it('honours Retry-After, and gives up when it is beyond the budget', async () => {
    const p = policy({ random: () => 0 })
    let n = 0
    await withRetries('op', p, hooks(), async () => {
      if (n++ === 0) throw new Flaky(7000)
    })
    expect(p.clock.sleeps).toEqual([7000])
    const err = await rejection(
      withRetries('op', policy(), hooks(), async () => {
        throw new Flaky(3_600_000)
      })
    )
    expect(err.message).toMatch(/gave up after 1 attempt .*asked to wait 3600 s, beyond the budget/)
  })

  it('retries nothing with a budget of 0', async () => {
    const p = policy({ budgetMs: 0 })
    const err = await rejection(
      withRetries('op', p, hooks(), async () => {
        throw new Flaky()
      })
    )
    expect(err.message).toBe('flaky')
  })

  it('shares one deadline between nested loops', async () => {
    const p = policy({ budgetMs: 4000, random: () => 0.999, baseDelayMs: 1000 })
    let inner = 0
    const err = await rejection(
      withRetries('outer', p, hooks(), () =>
        withRetries('inner', p, hooks(), async () => {
          inner++
          throw new Flaky()
        })
      )
    )
    // The inner loop spends the budget; the outer one does not start it again.
    expect(inner).toBe(3)
    expect(p.clock.now() - NOW).toBeLessThanOrEqual(4000)
    expect(err.message.match(/gave up/g)).toHaveLength(1)
  })

  it('is bounded even when time does not move', async () => {
    const p = policy({ random: () => 0 })
    let calls = 0
    await rejection(
      withRetries('op', p, hooks(), async () => {
        calls++
        throw new Flaky()
      })
    )
    expect(calls).toBe(100)
  })

  it('formats durations', () => {
    expect([0, 999, 1000, 1500, 12_345, 300_000].map(seconds)).toEqual([
      '0 ms',
      '999 ms',
      '1.0 s',
      '1.5 s',
      '12 s',
      '300 s'
    ])
  })
})

describe('transientFailure (the retry policy)', () => {
  const status = (code: number, retryAfter?: string): RegistryError =>
    httpError({
      registry: 'r.example',
      method: 'GET',
      url: new URL('https://r.example/v2/a/tags/list'),
      status: code,
      statusText: '',
      body: Buffer.from('{"errors":[{"code":"TOOMANYREQUESTS"}]}'),
      hasCredentials: false,
      retryAfter,
      redact: (t) => t
    })
  const connection = (code: string, connected: boolean, answeredBefore: boolean) =>
    new ConnectionError(
      'x',
      { method: 'GET', url: 'u', codes: [code] },
      code,
      connected,
      answeredBefore
    )

  it('retries 408, 429 and 5xx gateways, with the wait the registry asks for', () => {
    expect([408, 429, 500, 502, 503, 504].map((s) => transientFailure(status(s), NOW))).toEqual(
      [408, 429, 500, 502, 503, 504].map((s) =>
        expect.objectContaining({ reason: expect.stringContaining(`HTTP ${s}`) })
      )
    )
    expect(transientFailure(status(429, '3'), NOW)).toEqual({
      reason: 'HTTP 429 TOOMANYREQUESTS, Retry-After 3.0 s',
      retryAfterMs: 3000
    })
    for (const s of [400, 401, 403, 404, 413, 501])
      expect(transientFailure(status(s), NOW)).toBeUndefined()
  })

  it('retries a dropped connection, but a refused one only on a host that answered before', () => {
    expect(transientFailure(connection('ECONNRESET', true, false), NOW)).toEqual({
      reason: 'connection failed (ECONNRESET)'
    })
    expect(transientFailure(connection('ECONNREFUSED', false, false), NOW)).toBeUndefined()
    expect(transientFailure(connection('ECONNREFUSED', false, true), NOW)).toBeDefined()
    expect(transientFailure(connection('ENOTFOUND', false, false), NOW)).toBeUndefined()
    expect(transientFailure(connection('EAI_AGAIN', false, false), NOW)).toBeDefined()
    expect(transientFailure(connection('EPROTO', true, true), NOW)).toBeUndefined()
  })

  it('leaves other errors alone', () => {
    expect(transientFailure(new Error('boom'), NOW)).toBeUndefined()
    expect(
      transientFailure(new RegistryError('local', { method: 'PUT', url: 'u', codes: [] }), NOW)
    ).toBeUndefined()
  })
})
