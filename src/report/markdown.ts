// Text from the plugin (its description, contact, event source), from the rules file or from a
// registry must not shape the job summary: a `\r` or `\n` would end a table row and start a
// heading, `[x](y)` would make a link, raw HTML would render. These helpers make any string
// inert in GitHub-flavoured Markdown.

/** Control characters, and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/** One line of plain text: every control character and line break becomes a space. */
export function oneLine(s: string): string {
  return s.replace(BREAKS, ' ').trim()
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }

/**
 * Literal text for a table cell, a list item or the rest of a line: no HTML, no Markdown
 * syntax, one line. Never used at the start of a line, so only the characters that act
 * inside a line are escaped (emphasis, code, links, tables, strikethrough).
 */
export function mdText(s: string): string {
  return escapeInline(oneLine(s))
}

function escapeInline(s: string): string {
  return s.replace(/[&<>"]/g, (c) => HTML[c]).replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
}

/**
 * A message of ours (a warning, why a tag did not move, why nothing was signed): literal text
 * like mdText, except that its `quoted` parts are shown as code, as the message means them.
 * Every part is made inert on its own, so a message that quotes a plugin's text stays safe.
 */
export function mdMessage(s: string): string {
  const parts = oneLine(s).split(/`([^`]+)`/)
  return parts.map((part, i) => (i % 2 === 1 ? mdCode(part) : escapeInline(part))).join('')
}

/** An inline code span that shows `s` as it is, whatever backticks it holds. */
export function mdCode(s: string): string {
  const text = oneLine(s)
  if (text === '') return '` `'
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length))
  const fence = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  // A pipe would still split a table cell: GitHub reads \| inside code spans as a pipe.
  return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`
}

/** A fenced code block that the text cannot close early. */
export function mdFence(text: string, lang = ''): string[] {
  const longest = Math.max(0, ...(text.match(/`{3,}|~{3,}/g) ?? []).map((r) => r.length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return [`${fence}${lang}`, text.replace(/\r\n?/g, '\n').trimEnd(), fence]
}

/** A URL that GitHub shows as a link, when it is one; anything else as plain text. */
export function mdUrl(s: string): string {
  return /^https?:\/\/[^\s<>()[\]`|\\"']+$/.test(s) ? s : mdText(s)
}
