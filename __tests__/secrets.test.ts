import { describe, expect, it } from '@jest/globals'
import { SecretScrubber } from '../src/log-core.js'
import { describeBody, httpError, type HttpFailure } from '../src/oci/errors.js'
import {
  MIN_SECRET_LENGTH,
  SecretMask,
  safeExcerpt,
  secretForms,
  unsafeToMask
} from '../src/secrets.js'

const PASSWORD = 'Sup3r/Secret+Registry&Passw0rd=42!'
const SPACED = 'zebra   quartz    violin  mango     kiwi'

function pieces(s: string, n = 8): string[] {
  const out: string[] = []
  for (let i = 0; i + n <= s.length; i++) out.push(s.slice(i, i + n))
  return out
}

/** The 8-character pieces of `secret` that `text` shows. */
function leaked(text: string, secret: string): string[] {
  return pieces(secret).filter((p) => text.includes(p))
}

describe('the masking rule', () => {
  it('refuses values too short or too common to mask safely, and says why', () => {
    expect(unsafeToMask('sha256')).toMatch(/shorter than 8/)
    expect(unsafeToMask('   abc   ')).toMatch(/shorter/)
    expect(unsafeToMask('aaaaaaaaaaaa')).toMatch(/repeats/)
    expect(unsafeToMask('Password')).toMatch(/common word/)
    expect(unsafeToMask('application')).toMatch(/common word/)
    expect(unsafeToMask(PASSWORD)).toBeUndefined()
    expect(MIN_SECRET_LENGTH).toBe(8)
  })

  it('masks the collapsed, URL-encoded, form-encoded, JSON-escaped and base64 forms', () => {
    const forms = secretForms(`${PASSWORD} "x"`, 'ci-bot')
    expect(forms).toEqual(
      expect.arrayContaining([
        `${PASSWORD} "x"`,
        encodeURIComponent(`${PASSWORD} "x"`),
        encodeURIComponent(`${PASSWORD} "x"`).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
        new URLSearchParams({ p: `${PASSWORD} "x"` }).toString().slice(2),
        JSON.stringify(`${PASSWORD} "x"`).slice(1, -1),
        Buffer.from(`${PASSWORD} "x"`).toString('base64'),
        Buffer.from(`ci-bot:${PASSWORD} "x"`).toString('base64')
      ])
    )
    expect(secretForms(SPACED)).toContain('zebra quartz violin mango kiwi')
  })

  it('replaces the longest form first, and nothing for a refused value', () => {
    const mask = new SecretMask()
    expect(mask.add('sha256')).toEqual({ masked: false, reason: expect.any(String) })
    expect(mask.add('')).toEqual({ masked: false })
    expect(mask.add(SPACED).masked).toBe(true)
    expect(mask.redact(`a ${SPACED} b sha256:0123`)).toBe('a *** b sha256:0123')
    expect(mask.redact('zebra quartz violin mango kiwi!')).toBe('***!')
  })

  it('redacts before it cuts, at every offset around the cut', () => {
    const mask = new SecretMask()
    mask.add(PASSWORD, 'ci-bot')
    mask.add(SPACED)
    for (const secret of [PASSWORD, SPACED, Buffer.from(`ci-bot:${PASSWORD}`).toString('base64')]) {
      for (let at = 150; at <= 210; at++) {
        const text = `${'x'.repeat(at)}${secret}${' tail'.repeat(20)}`
        expect(
          leaked(
            safeExcerpt(text, (t) => mask.redact(t), 200),
            secret
          )
        ).toEqual([])
      }
    }
  })
})

describe('registry error texts', () => {
  const mask = new SecretMask()
  mask.add(PASSWORD, 'ci-bot')
  mask.add(SPACED)
  const redact = (t: string) => mask.redact(t)
  const failure = (body: Buffer): HttpFailure => ({
    registry: 'registry.example',
    method: 'GET',
    url: new URL('https://registry.example/v2/acme/tags/list'),
    status: 403,
    statusText: 'Forbidden',
    body,
    hasCredentials: true,
    redact
  })

  it('never keep a piece of a password echoed across the 200-character excerpt', () => {
    for (let at = 150; at <= 210; at++) {
      for (const secret of [PASSWORD, SPACED, encodeURIComponent(PASSWORD)]) {
        const body = Buffer.from(`${'-'.repeat(at)}${secret} refused`)
        expect(leaked(httpError(failure(body)).message, secret)).toEqual([])
        expect(leaked(httpError(failure(body)).message, PASSWORD)).toEqual([])
      }
    }
  })

  it('never keep a piece of a password echoed across the 300-character JSON message', () => {
    for (let at = 250; at <= 310; at++) {
      const message = `${'-'.repeat(at)}${PASSWORD} refused`
      const body = Buffer.from(JSON.stringify({ errors: [{ code: 'DENIED', message }] }))
      const { text } = describeBody(body, redact)
      expect(text).toMatch(/^DENIED: -+/)
      expect(leaked(text, PASSWORD)).toEqual([])
    }
  })

  it('whitespace-collapsed echoes of a password with runs of spaces are masked too', () => {
    const body = Buffer.from(`you said "${SPACED.replace(/\s+/g, ' ')}" and\n${SPACED}`)
    const { text } = describeBody(body, redact)
    expect(text).toBe('you said "***" and ***')
  })
})

describe('SecretScrubber', () => {
  it('warns about a value it will not mask, without printing it, once', () => {
    const scrubber = new SecretScrubber()
    const first = scrubber.add('sha256', 'the token issued by https://r.example')
    expect(first.forms).toEqual([])
    expect(first.warning).toMatch(/^the token issued by https:\/\/r\.example is not masked/)
    expect(first.warning).not.toContain('sha256')
    expect(scrubber.add('sha256').warning).toBeUndefined()
    expect(scrubber.scrub('sha256:abc')).toBe('sha256:abc')
  })

  it('masks a secret with the same rule as the registry session', () => {
    const scrubber = new SecretScrubber()
    const { forms } = scrubber.add(PASSWORD)
    expect(forms).toContain(encodeURIComponent(PASSWORD))
    expect(scrubber.scrub(`x ${encodeURIComponent(PASSWORD)} y`)).toBe('x *** y')
  })
})
