import { describe, expect, it } from '@jest/globals'
import { mdCode, mdFence, mdMessage, mdText, mdUrl, oneLine } from '../../src/report/markdown.js'

const HOSTILE =
  'Nice plugin\r## Injected heading\n[click](https://evil.example)<img src=x onerror=alert(1)> | x'

describe('markdown escaping', () => {
  it('keeps plugin text on one line, with no heading, link, HTML or table break', () => {
    const t = mdText(HOSTILE)
    expect(t).not.toMatch(/[\r\n]/)
    expect(t).not.toMatch(/(^|[^\\])\[click/)
    expect(t).not.toContain('<img')
    expect(t).not.toMatch(/(^|[^\\])\|/)
    expect(t).toContain('Nice plugin ## Injected heading \\[click\\](https://evil.example)')
    expect(t).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })

  it('turns every control character and Unicode line break into a space', () => {
    expect(oneLine('a\rb\nc\td\u2028e\u0085f\u0000g')).toBe('a b c d e f g')
  })

  it('makes code spans that no backtick in the text can close', () => {
    expect(mdCode('plain')).toBe('`plain`')
    expect(mdCode('a`b')).toBe('``a`b``')
    expect(mdCode('`edge`')).toBe('`` `edge` ``')
    expect(mdCode('a|b')).toBe('`a\\|b`')
    expect(mdCode('x\ny')).toBe('`x y`')
  })

  it("shows a message's quoted parts as code and keeps the rest inert", () => {
    expect(
      mdMessage('add `permissions: id-token: write` to the job; `sign: false` silences it')
    ).toBe('add `permissions: id-token: write` to the job; `sign: false` silences it')
    // Each part on its own: a quoted part cannot close its span early or split a table cell,
    // and the text around it is escaped as mdText escapes it.
    expect(mdMessage('see `a|b` and <b>[x](y)</b>')).toBe(
      'see `a\\|b` and &lt;b&gt;\\[x\\](y)&lt;/b&gt;'
    )
    // A lone backtick is text.
    expect(mdMessage('a ` b')).toBe('a \\` b')
    const t = mdMessage(`quoted \`${HOSTILE}\` then ${HOSTILE}`)
    expect(t).not.toMatch(/[\r\n]/)
    // Inside a code span HTML and links are shown as they are, not rendered; outside, escaped.
    expect(t).toMatch(/^quoted `Nice plugin [^`]*<img[^`]*\\\| x` then /)
    expect(t.split('` then ')[1]).toBe(mdText(HOSTILE))
  })

  it('makes fences longer than any run of backticks inside', () => {
    const [open, body, close] = mdFence('a\n```\n## not a heading\n````', 'yaml')
    expect(open).toBe('`````yaml')
    expect(close).toBe('`````')
    expect(body).toContain('## not a heading')
  })

  it('shows real URLs as links and anything else as text', () => {
    expect(mdUrl('https://github.com/acme/x/releases/tag/1.0.0')).toBe(
      'https://github.com/acme/x/releases/tag/1.0.0'
    )
    expect(mdUrl('https://x.example/a)[b](c')).not.toMatch(/[^\\]\]\(/)
  })
})

describe('log lines', () => {
  it('never start a workflow command, whatever a build or plugin printed', async () => {
    const { inertCommands } = await import('../../src/log-core.js')
    const out = inertCommands('ok\n::add-mask::x\n  ::error::fake\nnot ::this')
    for (const line of out.split('\n')) expect(line.trim().startsWith('::')).toBe(false)
    expect(out).toContain('not ::this')
    expect(out.replace(/\u200b/g, '')).toBe('ok\n::add-mask::x\n  ::error::fake\nnot ::this')
  })
})
