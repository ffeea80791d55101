// JSON exactly as Go's encoding/json (Go >= 1.22) writes it, so that manifests, indexes and config
// blobs are byte-identical to what falcoctl/oras would produce for the same values.
//
// - compact, no trailing newline;
// - object keys in insertion order: callers build objects in Go struct field order;
// - maps (annotations) are passed as a Map, built by sortedRecord(), because Go sorts map keys
//   and a plain JS object cannot hold integer-like keys in insertion order;
// - strings escape '"', '\\', control characters (\b \f \n \r \t short forms, others \u00XX with
//   lower-case hex), '<' '>' '&' (\u003c \u003e \u0026), U+2028 and U+2029; every other
//   character is written raw. A lone surrogate becomes a raw U+FFFD, which is what its UTF-8
//   conversion (Buffer.from) gives and what Go then writes for that valid UTF-8.
// - only safe integers are accepted as numbers (Go's float formatting is not reproduced).

export type GoJsonValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly GoJsonValue[]
  | ReadonlyMap<string, GoJsonValue>
  | { readonly [key: string]: GoJsonValue }

const HEX = '0123456789abcdef'
const ARRAY_INDEX_KEY = /^(?:0|[1-9]\d*)$/

function escapeString(s: string): string {
  let out = '"'
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    let rep: string | undefined
    if (c < 0x20) {
      switch (c) {
        case 0x08:
          rep = '\\b'
          break
        case 0x0c:
          rep = '\\f'
          break
        case 0x0a:
          rep = '\\n'
          break
        case 0x0d:
          rep = '\\r'
          break
        case 0x09:
          rep = '\\t'
          break
        default:
          rep = '\\u00' + HEX[c >> 4] + HEX[c & 0xf]
      }
    } else if (c === 0x22) {
      rep = '\\"'
    } else if (c === 0x5c) {
      rep = '\\\\'
    } else if (c === 0x3c) {
      rep = '\\u003c'
    } else if (c === 0x3e) {
      rep = '\\u003e'
    } else if (c === 0x26) {
      rep = '\\u0026'
    } else if (c === 0x2028) {
      rep = '\\u2028'
    } else if (c === 0x2029) {
      rep = '\\u2029'
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++ // a valid surrogate pair: written raw
        continue
      }
      rep = '\ufffd'
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      rep = '\ufffd'
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep
      start = i + 1
    }
  }
  return out + s.slice(start) + '"'
}

function encode(value: GoJsonValue, path: string): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return escapeString(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new Error(`goJson: ${path} is not a safe integer: ${value}`)
      }
      return Object.is(value, -0) ? '0' : String(value)
    case 'object':
      break
    default:
      throw new Error(`goJson: ${path} has unsupported type ${typeof value}`)
  }
  if (Array.isArray(value)) {
    const items = (value as readonly GoJsonValue[]).map((v, i) => {
      if (v === undefined) throw new Error(`goJson: ${path}[${i}] is undefined`)
      return encode(v, `${path}[${i}]`)
    })
    return '[' + items.join(',') + ']'
  }
  const parts: string[] = []
  if (value instanceof Map) {
    for (const [k, v] of value as ReadonlyMap<string, GoJsonValue>) {
      if (typeof k !== 'string') throw new Error(`goJson: ${path} has a non-string map key`)
      if (v === undefined) continue
      parts.push(escapeString(k) + ':' + encode(v, `${path}.${k}`))
    }
    return '{' + parts.join(',') + '}'
  }
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) {
    throw new Error(`goJson: ${path} is not a plain object`)
  }
  for (const [k, v] of Object.entries(value as { [key: string]: GoJsonValue })) {
    if (ARRAY_INDEX_KEY.test(k)) {
      // JS orders such keys numerically, not by insertion: the caller must use a Map.
      throw new Error(`goJson: ${path} has the integer-like key "${k}"; use a Map`)
    }
    if (v === undefined) continue
    parts.push(escapeString(k) + ':' + encode(v, `${path}.${k}`))
  }
  return '{' + parts.join(',') + '}'
}

/** Serialises a value as Go's json.Marshal would (see the notes at the top of this file). */
export function goJson(value: GoJsonValue): string {
  if (value === undefined) throw new Error('goJson: value is undefined')
  return encode(value, '$')
}

/** Go's map key order: byte-wise comparison of the UTF-8 encodings (strings.Compare). */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/** A map with Go's encoding order (sorted keys), for annotations and other map[string]string. */
export function sortedRecord(record: Readonly<Record<string, string>>): Map<string, string> {
  const keys = Object.keys(record).sort(compareGoStrings)
  return new Map(keys.map((k) => [k, record[k]]))
}
