import { describe, it, expect } from '@jest/globals'
import { compareGoStrings, goJson, sortedRecord } from '../../src/falco/json.js'

describe('goJson', () => {
  it('escapes < > & as Go does (checked against Go 1.26 json.Marshal)', () => {
    expect(goJson('a<b>c&d')).toBe('"a\\u003cb\\u003ec\\u0026d"')
    expect(goJson('https://x.test/?a=1&b=<2>')).toBe(
      '"https://x.test/?a=1\\u0026b=\\u003c2\\u003e"'
    )
  })

  it('escapes U+2028 and U+2029', () => {
    expect(goJson('line\u2028sep\u2029')).toBe('"line\\u2028sep\\u2029"')
  })

  it('writes control characters like Go >= 1.22 (short forms for \\b \\f \\n \\r \\t)', () => {
    expect(goJson('\b\f\n\r\t\u0000\u0001\u001f\u007f')).toBe(
      '"\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\u007f"'
    )
    expect(goJson('quote" back\\ slash/')).toBe('"quote\\" back\\\\ slash/"')
  })

  it('writes other non-ASCII characters raw and lone surrogates as a raw U+FFFD', () => {
    expect(goJson('é ü 中 😀')).toBe('"é ü 中 😀"')
    expect(goJson('\ud800x')).toBe('"\ufffdx"')
    expect(goJson('x\udc00')).toBe('"x\ufffd"')
  })

  it('is compact, keeps insertion order, skips undefined fields, no trailing newline', () => {
    const out = goJson({ z: 1, a: [true, false, null], m: undefined, b: { y: 'x', c: -0 } })
    expect(out).toBe('{"z":1,"a":[true,false,null],"b":{"y":"x","c":0}}')
  })

  it('refuses what it cannot write like Go', () => {
    expect(() => goJson(1.5)).toThrow(/safe integer/)
    expect(() => goJson({ '1': 'a' })).toThrow(/integer-like key "1"; use a Map/)
    expect(() => goJson(new Date(0) as never)).toThrow(/not a plain object/)
    expect(() => goJson([undefined])).toThrow(/undefined/)
  })

  it('writes Maps in their order', () => {
    expect(
      goJson(
        new Map([
          ['9', 'a'],
          ['10', 'b']
        ])
      )
    ).toBe('{"9":"a","10":"b"}')
  })
})

describe('sortedRecord', () => {
  it('sorts keys byte-wise on UTF-8, as Go sorts map keys (checked against Go)', () => {
    const keys = ['b', 'a', 'B', '\uff61', '😀', 'org.x.source', 'org.x.created', '10', '9', 'a-b']
    const record = Object.fromEntries(keys.map((k) => [k, 'v']))
    expect(goJson(sortedRecord(record))).toBe(
      '{"10":"v","9":"v","B":"v","a":"v","a-b":"v","b":"v","org.x.created":"v","org.x.source":"v","｡":"v","😀":"v"}'
    )
  })

  it('differs from UTF-16 order for characters above the surrogate range', () => {
    expect(['\uff61', '😀'].sort()).toEqual(['😀', '\uff61'])
    expect(['\uff61', '😀'].sort(compareGoStrings)).toEqual(['\uff61', '😀'])
  })
})
