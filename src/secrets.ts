// The one masking rule of the project: which values are masked, in which forms, and how text is
// redacted. Used by the loggers (and so core.setSecret), the registry session and the GitHub
// client, so that every place masks the same values the same way.
//
// A value is masked when it is at least MIN_SECRET_LENGTH characters long and not a common word:
// masking a short or common value ("sha256", "password") would also hide it in digests, media
// types and messages, and corrupt the outputs. Such values are not masked; the logger warns
// instead (without printing the value). Each masked value is also masked in the forms a server
// or a message may show it in: whitespace-collapsed, trimmed, URL- and form-encoded, JSON-escaped
// and base64 (and base64 of `user:password`, as in HTTP Basic authentication).

/** Values shorter than this are not masked. */
export const MIN_SECRET_LENGTH = 8

// Words that appear in our own outputs, messages and media types: masking them would corrupt
// those. Compared case-insensitively with the whole value.
const COMMON_WORDS = new Set([
  'anonymous',
  'application',
  'changeme',
  'extractor',
  'falcosecurity',
  'localhost',
  'manifest',
  'password',
  'registry',
  'rulesfile',
  'username'
])

/** Why a value cannot be masked safely, or undefined when it can. */
export function unsafeToMask(value: string): string | undefined {
  const v = value.trim()
  if (v.length < MIN_SECRET_LENGTH) {
    return `it is shorter than ${MIN_SECRET_LENGTH} characters`
  }
  if (new Set(v).size < 3) return 'it repeats one or two characters'
  if (COMMON_WORDS.has(v.toLowerCase())) return 'it is a common word'
  return undefined
}

/** The forms of a secret that are masked along with it (the maskable ones only). */
export function secretForms(value: string, username?: string): string[] {
  const forms = new Set<string>([value])
  const collapsedSpace = value.replace(/\s+/g, ' ')
  forms.add(collapsedSpace)
  forms.add(collapsedSpace.trim())
  forms.add(value.trim())
  const uri = encodeURIComponent(value)
  forms.add(uri)
  forms.add(lowerHexEscapes(uri))
  const form = new URLSearchParams({ v: value }).toString().slice(2)
  forms.add(form)
  forms.add(lowerHexEscapes(form))
  forms.add(JSON.stringify(value).slice(1, -1))
  forms.add(Buffer.from(value).toString('base64'))
  if (username !== undefined) forms.add(Buffer.from(`${username}:${value}`).toString('base64'))
  return [...forms].filter((f) => unsafeToMask(f) === undefined)
}

function lowerHexEscapes(s: string): string {
  return s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())
}

/** What `SecretMask.add` did with a value. */
export type MaskResult =
  | { masked: true; forms: string[] }
  /** Not masked: `reason` says why (never the value). Empty values are ignored silently. */
  | { masked: false; reason?: string }

/** A set of secrets and the text redaction they imply. */
export class SecretMask {
  /** Longest first, so that a form containing another is replaced whole. */
  private forms: string[] = []

  /** Masks `value` (and its forms) from now on, unless it is unsafe to. */
  add(value: string, username?: string): MaskResult {
    if (value === '') return { masked: false }
    const reason = unsafeToMask(value)
    if (reason !== undefined) return { masked: false, reason }
    const forms = secretForms(value, username)
    const known = new Set(this.forms)
    const fresh = forms.filter((f) => !known.has(f))
    if (fresh.length > 0) {
      this.forms = [...this.forms, ...fresh].sort((a, b) => b.length - a.length)
    }
    return { masked: true, forms: fresh }
  }

  /** The text with every secret form replaced by ***. Redact before shortening a text. */
  redact(text: string): string {
    let out = text
    for (const f of this.forms) if (out.includes(f)) out = out.split(f).join('***')
    return out
  }
}

/**
 * A short excerpt of a text that may hold secrets: redacted first, then whitespace-collapsed
 * (and redacted again, for secrets with runs of spaces), then cut to `max` characters. Cutting
 * first would leave a piece of a secret that no longer matches it.
 */
export function safeExcerpt(text: string, redact: (t: string) => string, max: number): string {
  const flat = redact(redact(text).replace(/\s+/g, ' ').trim())
  return flat.length > max ? `${flat.slice(0, max)}...` : flat
}
