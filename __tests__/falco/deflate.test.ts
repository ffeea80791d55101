import { describe, it, expect } from '@jest/globals'
import { createHash } from 'node:crypto'
import { constants, inflateRawSync } from 'node:zlib'
import { readFileSync } from 'node:fs'
import { createSegmentDeflater, type SegmentDeflater } from '../../src/falco/deflate.js'
import { createSegmentDeflater as createOracle } from '../helpers/deflate-oracle.js'

const WINDOW = 32768

/** A deterministic pseudo-random generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x
  }
}

function randomBytes(size: number, seed: number): Uint8Array {
  const next = rng(seed)
  const b = new Uint8Array(size)
  for (let i = 0; i < size; i++) b[i] = next() & 0xff
  return b
}

/** Text-like data with many repeats at all distances. */
function textLike(size: number, seed: number): Uint8Array {
  const next = rng(seed)
  const words = ['falco', 'plugin', 'rule', ' ', '\n', 'evt.type', '=', 'open', 'proc.name', '0x']
  let s = ''
  while (s.length < size) {
    const r = next()
    s += r % 17 === 0 ? String(r % 100000) : words[r % words.length]
  }
  return new TextEncoder().encode(s.slice(0, size))
}

/** Symbols with Fibonacci-like frequencies: an unlimited Huffman code would be deeper than 15. */
function deepHuffman(size: number): Uint8Array {
  const out = new Uint8Array(size)
  const freq: number[] = [1, 1]
  while (freq.length < 40) freq.push(freq[freq.length - 1] + freq[freq.length - 2])
  const next = rng(7)
  let o = 0
  while (o < size) {
    // symbol k with probability ~ freq[k]; spread so that few 4-byte repeats occur
    let r = next() % freq[freq.length - 1]
    let k = freq.length - 1
    while (k > 0 && r >= freq[k - 1]) {
      r -= freq[k - 1]
      k--
    }
    out[o++] = (k * 6 + (next() % 3)) & 0xff
  }
  return out
}

function inflate(data: Uint8Array, dictionary?: Uint8Array, sync = false): Buffer {
  return inflateRawSync(data, {
    ...(dictionary && dictionary.length > 0 ? { dictionary } : {}),
    ...(sync ? { finishFlush: constants.Z_SYNC_FLUSH } : {})
  })
}

/** Compresses `data` as consecutive segments of `segment` bytes, as layer.ts does. */
function deflateSegments(d: SegmentDeflater, data: Uint8Array, segment: number): Uint8Array[] {
  const parts: Uint8Array[] = []
  let from = 0
  do {
    const to = Math.min(data.length, from + segment)
    const window = Math.min(WINDOW, from)
    const src = data.subarray(from - window, to)
    parts.push(d.deflateSegment(src, window, to === data.length).slice())
    from = to
  } while (from < data.length)
  return parts
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('createSegmentDeflater', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(42)],
    ['three bytes', Uint8Array.of(1, 2, 3)],
    ['all zeros (distance-1 matches of 258)', new Uint8Array(300_000)],
    ['every byte value', Uint8Array.from({ length: 256 * 40 }, (_, i) => i & 0xff)],
    ['random (stored blocks)', randomBytes(200_000, 1)],
    ['text-like', textLike(400_000, 2)],
    ['deep Huffman tree (length limit)', deepHuffman(300_000)],
    [
      'repeats at exactly 32768 bytes',
      (() => {
        const a = randomBytes(WINDOW, 3)
        return concat([a, a, a])
      })()
    ],
    [
      'random then text then random',
      concat([randomBytes(70_000, 4), textLike(90_000, 5), randomBytes(70_000, 6)])
    ]
  ]

  it.each(cases)('round-trips %s through zlib as one last segment', (_name, data) => {
    const out = createSegmentDeflater().deflateSegment(data, 0, true)
    expect(inflate(out).equals(data)).toBe(true)
  })

  it.each(cases)('round-trips %s as chained 64 KiB segments', (_name, data) => {
    const parts = deflateSegments(createSegmentDeflater(), data, 65536)
    expect(inflate(concat(parts)).equals(data)).toBe(true)
  })

  it('ends a segment that is not the last with a sync flush, and the last with BFINAL', () => {
    const d = createSegmentDeflater()
    const data = textLike(100_000, 8)
    const head = d.deflateSegment(data, 0, false)
    expect(Buffer.from(head.subarray(-4)).toString('hex')).toBe('0000ffff')
    // Inflating it alone gives everything so far, without an end of stream.
    expect(inflate(head, undefined, true).equals(data)).toBe(true)
    expect(() => inflate(head)).toThrow(/unexpected end/)
    const tail = d.deflateSegment(data.subarray(data.length - WINDOW), WINDOW, true)
    expect(inflate(tail, data.subarray(data.length - WINDOW)).length).toBe(0)
  })

  it('refers back into the window given before the segment', () => {
    const d = createSegmentDeflater()
    const window = randomBytes(WINDOW, 9)
    const data = concat([window, window.subarray(0, 20_000)])
    const withWindow = d.deflateSegment(data, WINDOW, true)
    const without = d.deflateSegment(data.subarray(WINDOW), 0, true)
    expect(without.length).toBeGreaterThan(20_000) // random: stored
    expect(withWindow.length).toBeLessThan(1000) // 78 matches of 258 bytes, 32 KiB back
    expect(inflate(withWindow, window).equals(data.subarray(WINDOW))).toBe(true)
  })

  it('gives the same bytes from a fresh or a reused deflater, and into a given buffer', () => {
    const data = concat([textLike(150_000, 10), deepHuffman(50_000), randomBytes(30_000, 11)])
    const reused = createSegmentDeflater()
    reused.deflateSegment(randomBytes(100_000, 12), 0, false) // leaves state behind
    const a = sha(concat(deflateSegments(createSegmentDeflater(), data, 65536)))
    const b = sha(concat(deflateSegments(reused, data, 65536)))
    const into = new Uint8Array(reused.outputBound(data.length))
    const c = reused.deflateSegment(data, 0, true, into)
    expect(b).toBe(a)
    expect(c.buffer).toBe(into.buffer)
    expect(sha(c)).toBe(sha(createSegmentDeflater().deflateSegment(data, 0, true)))
  })

  it('never writes more than outputBound', () => {
    const d = createSegmentDeflater()
    for (const data of [randomBytes(1 << 20, 13), deepHuffman(1 << 18), new Uint8Array(5)]) {
      expect(d.deflateSegment(data, 0, true).length).toBeLessThanOrEqual(d.outputBound(data.length))
    }
  })

  it('refuses a window longer than 32 KiB', () => {
    expect(() =>
      createSegmentDeflater().deflateSegment(new Uint8Array(40_000), 32769, true)
    ).toThrow(/bad window/)
  })

  it('compresses text and binary like zlib level 6, give or take a few percent', () => {
    const d = createSegmentDeflater()
    const text = textLike(1 << 20, 16)
    const random = randomBytes(1 << 20, 17)
    const textOut = concat(deflateSegments(d, text, 1 << 20)).length
    const randomOut = concat(deflateSegments(d, random, 1 << 20)).length
    expect(textOut).toBeLessThan(text.length / 3)
    // Incompressible data is stored: 5 bytes per block (16 KiB of literals), plus the end.
    expect(randomOut).toBeLessThan(random.length * 1.001)
  })
})

// deflate.wasm is an exact port of the JavaScript encoder that made the published layers: every
// byte of its output is part of a digest. The oracle (__tests__/helpers/deflate-oracle.js) is that
// encoder, unchanged.
describe('deflate.wasm against the JavaScript oracle', () => {
  const wasm = createSegmentDeflater()
  const oracle = createOracle()
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

  /**
   * Compares both encoders on data[start..] with data[0..start) as window, last or not; returns
   * where they differ (the first differing bytes, not a 1 MiB diff), or nothing.
   */
  function differences(data: Uint8Array, start: number): string[] {
    const found: string[] = []
    for (const last of [true, false]) {
      const expected = oracle.deflateSegment(data, start, last)
      const actual = wasm.deflateSegment(data, start, last)
      if (actual.length === expected.length && sha(actual) === sha(expected)) continue
      let at = 0
      while (at < expected.length && actual[at] === expected[at]) at++
      found.push(
        `${data.length} bytes, window ${start}, last ${last}: ${actual.length} bytes instead of ${expected.length}, first difference at ${at}: ${hex(actual.subarray(at, at + 8))} instead of ${hex(expected.subarray(at, at + 8))}`
      )
    }
    return found
  }

  // Real machine code: a slice of the running node binary (a few MiB of x86-64 or arm64).
  const binary = (() => {
    const node = readFileSync(process.execPath)
    const from = Math.floor(node.length / 3)
    return new Uint8Array(node.subarray(from, from + 3 * (1 << 20) + 12345))
  })()
  const kinds: Array<[string, (size: number) => Uint8Array]> = [
    ['zeros', (n) => new Uint8Array(n)],
    ['random', (n) => randomBytes(n, n + 1)],
    ['text-like', (n) => textLike(n, n + 2)],
    ['deep Huffman', (n) => deepHuffman(n)],
    ['machine code', (n) => binary.subarray(0, n)],
    [
      'runs',
      (n) => {
        const next = rng(n + 3)
        const b = new Uint8Array(n)
        for (let i = 0; i < n;) {
          const run = 1 + (next() % 600)
          b.fill(next() & 0xff, i, i + run)
          i += run
        }
        return b
      }
    ]
  ]
  // Around the minimum match, a block (16 Ki symbols), a stored piece (64 KiB), the window and
  // a segment (1 MiB).
  const sizes = [
    0, 1, 2, 3, 4, 5, 8, 63, 258, 259, 16383, 16384, 16385, 32767, 32768, 32769, 65535, 65536,
    65537, 200_000
  ]

  it.each(kinds)(
    'writes the same bytes for %s of many sizes, windows of 0 and 32 KiB',
    (_, gen) => {
      const found: string[] = []
      for (const size of sizes) {
        const data = gen(size + WINDOW)
        found.push(...differences(data.subarray(WINDOW), 0))
        found.push(...differences(data, WINDOW))
        found.push(...differences(data.subarray(WINDOW - 100), 100)) // a short window: a file's start
      }
      expect(found).toEqual([])
    }
  )

  it.each(kinds)(
    'writes the same bytes for 1 MiB segments of %s',
    (_, gen) => {
      const data = gen(WINDOW + (1 << 20) + 1)
      expect([
        ...differences(data.subarray(0, WINDOW + (1 << 20) - 1), WINDOW),
        ...differences(data.subarray(0, WINDOW + (1 << 20)), WINDOW),
        ...differences(data, WINDOW)
      ]).toEqual([])
    },
    120_000
  )

  it('writes the same bytes for a machine-code file cut into 1 MiB segments', () => {
    const wasmParts = deflateSegments(wasm, binary, 1 << 20)
    const oracleParts = deflateSegments(oracle, binary, 1 << 20)
    expect(wasmParts.map(sha)).toEqual(oracleParts.map(sha))
    expect(inflate(concat(wasmParts)).equals(binary)).toBe(true)
  }, 120_000)

  it('has the same output bound', () => {
    for (const n of [0, 1, 1023, 1024, 65536, 1 << 20, (1 << 20) + 32768, 2 ** 31]) {
      expect(wasm.outputBound(n)).toBe(oracle.outputBound(n))
    }
  })

  it('grows its memory for a larger input and keeps its output right after', () => {
    const d = createSegmentDeflater()
    const small = textLike(1000, 20)
    const big = concat([randomBytes(3 << 20, 21), textLike(1 << 20, 22)])
    const first = hex(d.deflateSegment(small, 0, true))
    expect(sha(d.deflateSegment(big, 0, true))).toBe(sha(oracle.deflateSegment(big, 0, true)))
    expect(hex(d.deflateSegment(small, 0, true))).toBe(first)
  }, 120_000)
})
