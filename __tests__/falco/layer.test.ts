import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 as zlibCrc32, gunzipSync, inflateRawSync } from 'node:zlib'
import {
  crc32Js,
  LAYER_SEGMENT_SIZE,
  layerFileName,
  packLayer,
  tarHeader
} from '../../src/falco/layer.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'falco-layer-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A parsed USTAR header: the fields a reader looks at. */
function parseHeader(block: Buffer) {
  const str = (o: number, n: number): string => {
    const s = block.subarray(o, o + n)
    const nul = s.indexOf(0)
    return s.subarray(0, nul < 0 ? n : nul).toString('ascii')
  }
  const sumAsSpaces = (): number => {
    let sum = 0
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]
    return sum
  }
  return {
    name: str(0, 100),
    modeField: block.subarray(100, 108).toString('latin1'),
    uidField: block.subarray(108, 116).toString('latin1'),
    gidField: block.subarray(116, 124).toString('latin1'),
    sizeField: block.subarray(124, 136).toString('latin1'),
    mtimeField: block.subarray(136, 148).toString('latin1'),
    chksumField: block.subarray(148, 156).toString('latin1'),
    typeflag: String.fromCharCode(block[156]),
    linkname: str(157, 100),
    magic: block.subarray(257, 263).toString('latin1'),
    version: block.subarray(263, 265).toString('latin1'),
    uname: block.subarray(265, 297),
    gname: block.subarray(297, 329),
    devmajor: block.subarray(329, 337).toString('latin1'),
    devminor: block.subarray(337, 345).toString('latin1'),
    prefix: block.subarray(345, 500),
    computedSum: sumAsSpaces()
  }
}

/** Some bytes that are neither trivial nor random: deterministic, several chunks long. */
function sampleData(size: number): Buffer {
  const b = Buffer.alloc(size)
  let x = 12345
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff
    b[i] = i % 7 === 0 ? x & 0xff : 0x61 + (i % 13)
  }
  return b
}

describe('layerFileName', () => {
  it.each([
    ['libfoo.so', 'libfoo.tar.gz'],
    ['foo_rules.yaml', 'foo_rules.tar.gz'],
    ['my.rules.yaml', 'my.tar.gz'],
    ['build/out/libfoo.so', 'libfoo.tar.gz'],
    ['README', 'README.tar.gz'],
    ['libk8saudit-eks.so', 'libk8saudit-eks.tar.gz']
  ])('%s -> %s', (input, expected) => {
    expect(layerFileName(input)).toBe(expected)
  })

  it('refuses a name that is empty before the first dot', () => {
    expect(() => layerFileName('.hidden.yaml')).toThrow(/empty before the first "."/)
  })
})

describe('tarHeader', () => {
  it('writes the USTAR header Go archive/tar writes', () => {
    const h = parseHeader(tarHeader('libfoo.so', 0o755, 13))
    expect(h.name).toBe('libfoo.so')
    expect(h.modeField).toBe('0000755\0')
    expect(h.uidField).toBe('0000000\0')
    expect(h.gidField).toBe('0000000\0')
    expect(h.sizeField).toBe('00000000015\0')
    expect(h.mtimeField).toBe('00000000000\0')
    expect(h.typeflag).toBe('0')
    expect(h.linkname).toBe('')
    expect(h.magic).toBe('ustar\0')
    expect(h.version).toBe('00')
    expect(h.uname.every((b) => b === 0)).toBe(true)
    expect(h.gname.every((b) => b === 0)).toBe(true)
    expect(h.devmajor).toBe('0000000\0')
    expect(h.devminor).toBe('0000000\0')
    expect(h.prefix.every((b) => b === 0)).toBe(true)
    // 6 octal digits, NUL, space; the value Go computed for the same header is 011021.
    expect(h.chksumField).toBe('011021\0 ')
    expect(parseInt(h.chksumField.slice(0, 6), 8)).toBe(h.computedSum)
  })

  it('writes mode 0644 and large sizes in octal', () => {
    const h = parseHeader(tarHeader('foo_rules.yaml', 0o644, 512 * 1024 * 1024))
    expect(h.modeField).toBe('0000644\0')
    expect(h.sizeField).toBe('04000000000\0')
    expect(parseInt(h.chksumField.slice(0, 6), 8)).toBe(h.computedSum)
  })

  it.each([
    ['dir/libfoo.so', /path separator/],
    ['..', /"\.\."/],
    ['a..b', /"\.\."/],
    ['', /empty/],
    ['.', /"\."/],
    ['libfé.so', /printable ASCII/],
    ['x'.repeat(101), /100 bytes/]
  ])('rejects the entry name %j', (name, message) => {
    expect(() => tarHeader(name, 0o644, 1)).toThrow(message)
  })

  it('accepts a 100-byte name and rejects other modes and sizes', () => {
    expect(parseHeader(tarHeader('x'.repeat(100), 0o644, 1)).name).toBe('x'.repeat(100))
    expect(() => tarHeader('a', 0o600, 1)).toThrow(/mode 0600/)
    expect(() => tarHeader('a', 0o4755, 1)).toThrow(/mode/)
    expect(() => tarHeader('a', 0o644, 8 * 1024 ** 3)).toThrow(/8 GiB/)
  })
})

describe('packLayer', () => {
  it('writes one flat entry, padded, with two end blocks and a fixed gzip header', async () => {
    const source = join(dir, 'libfoo.so')
    await writeFile(source, 'hello, world\n')
    const destination = join(dir, 'libfoo.tar.gz')
    const r = await packLayer({ source, entryName: 'libfoo.so', mode: 0o755, destination })

    const gz = await readFile(destination)
    expect(r.path).toBe(destination)
    expect(r.size).toBe(gz.length)
    expect(r.digest).toBe('sha256:' + createHash('sha256').update(gz).digest('hex'))
    // 1f 8b, deflate, no flags, mtime 0, XFL 0, OS 3 (Unix).
    expect(gz.subarray(0, 10).toString('hex')).toBe('1f8b0800000000000003')

    const tar = gunzipSync(gz)
    expect(tar.length).toBe(512 + 512 + 1024)
    const h = parseHeader(tar.subarray(0, 512))
    expect(h.name).toBe('libfoo.so')
    expect(h.sizeField).toBe('00000000015\0')
    expect(h.mtimeField).toBe('00000000000\0')
    expect(parseInt(h.chksumField.slice(0, 6), 8)).toBe(h.computedSum)
    expect(tar.subarray(512, 525).toString()).toBe('hello, world\n')
    expect(tar.subarray(525).every((b) => b === 0)).toBe(true)
    // The whole tar stream is byte-identical to what Go's archive/tar writes for this file
    // (tar.Header{Name, Size, Mode: 0755, Typeflag: TypeReg}, as falcoctl; Go 1.26).
    expect(createHash('sha256').update(tar).digest('hex')).toBe(
      '8be2562717c641f9cf9d928dc376a751d950ae70e22ccc7119c450ee1daad151'
    )
    // A golden digest: it changes only if the tar bytes, the segment size or the encoder
    // (src/falco/deflate.ts) change.
    expect(r.digest).toBe(GOLDEN_SMALL)
  })

  it('is listed by tar as a single 0/0 entry at the epoch, and passes gzip -t', async () => {
    const source = join(dir, 'rules.yaml')
    await writeFile(source, '- rule: x\n')
    const destination = join(dir, 'rules.tar.gz')
    await packLayer({ source, entryName: 'foo_rules.yaml', mode: 0o644, destination })
    const listing = execFileSync('tar', ['-tvzf', destination], {
      env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' }
    })
      .toString()
      .trim()
      .split('\n')
    expect(listing).toHaveLength(1)
    expect(listing[0]).toMatch(/^-rw-r--r-- 0\/0\s+10 1970-01-01 00:00(:00)? foo_rules\.yaml$/)
    // Same bytes as Go's archive/tar for a 0644 foo_rules.yaml (Go 1.26).
    expect(
      createHash('sha256')
        .update(gunzipSync(await readFile(destination)))
        .digest('hex')
    ).toBe('0cb0f4a530acd1b55fcc511f239bcdb9adfa50bcba9b426e07a5cc87dac375de')
    expect(() => execFileSync('gzip', ['-t', destination])).not.toThrow()
  })

  it('gives the same digest on every run and with any number of workers', async () => {
    // 4 segments: the header, 3 MiB of data crossing segment boundaries, padding, end blocks.
    const data = sampleData(3 * LAYER_SEGMENT_SIZE + 777)
    const source = join(dir, 'libdet.so')
    await writeFile(source, data)
    const digests = new Set<string>()
    for (const workers of [undefined, 0, 1, 2, 8]) {
      const r = await packLayer({
        source,
        entryName: 'libdet.so',
        mode: 0o755,
        destination: join(dir, `det-${workers}.tar.gz`),
        workers
      })
      digests.add(r.digest)
      const tar = gunzipSync(await readFile(r.path))
      expect(tar.subarray(512, 512 + data.length).equals(data)).toBe(true)
      expect(tar.length).toBe(512 + Math.ceil(data.length / 512) * 512 + 1024)
    }
    expect([...digests]).toEqual([GOLDEN_MULTI])
    // Pure-JavaScript compression of 5 x 3 MiB: seconds on a busy 2-core machine.
  }, 180_000)

  it('writes one gzip member: one DEFLATE stream, then the CRC-32 and size of the tar', async () => {
    const data = sampleData(2 * LAYER_SEGMENT_SIZE + 5000)
    const source = join(dir, 'libone.so')
    await writeFile(source, data)
    const r = await packLayer({
      source,
      entryName: 'libone.so',
      mode: 0o755,
      destination: join(dir, 'one.tar.gz'),
      workers: 2
    })
    const gz = await readFile(r.path)
    expect(gz.subarray(0, 10).toString('hex')).toBe('1f8b0800000000000003')
    const body = gz.subarray(10, gz.length - 8)
    const { buffer: tar, engine } = inflateRawSync(body, { info: true }) as unknown as {
      buffer: Buffer
      engine: { bytesWritten: number }
    }
    // The stream's final block ends exactly where the trailer starts: nothing after it.
    expect(engine.bytesWritten).toBe(body.length)
    expect(gz.readUInt32LE(gz.length - 8)).toBe(zlibCrc32(tar))
    expect(gz.readUInt32LE(gz.length - 4)).toBe(tar.length)
    expect(tar.subarray(512, 512 + data.length).equals(data)).toBe(true)
    expect(() => execFileSync('gzip', ['-t', r.path])).not.toThrow()
    expect(execFileSync('tar', ['-tzf', r.path]).toString()).toBe('libone.so\n')
  }, 120_000)

  it('computes the CRC-32 zlib computes, with or without zlib.crc32', () => {
    const data = sampleData(100_000)
    expect(crc32Js(data, 0)).toBe(zlibCrc32(data))
    expect(crc32Js(data.subarray(5000), crc32Js(data.subarray(0, 5000), 0))).toBe(zlibCrc32(data))
    expect(crc32Js(new Uint8Array(0), 0)).toBe(0)
  })

  it('packs an empty file', async () => {
    const source = join(dir, 'empty.yaml')
    await writeFile(source, '')
    const r = await packLayer({
      source,
      entryName: 'empty.yaml',
      mode: 0o644,
      destination: join(dir, 'empty.tar.gz')
    })
    expect(gunzipSync(await readFile(r.path)).length).toBe(1536)
  })

  it('changes the digest when the mode, the name or the content changes', async () => {
    const source = join(dir, 'libv.so')
    await writeFile(source, 'v1')
    const pack = (entryName: string, mode: number) =>
      packLayer({ source, entryName, mode, destination: join(dir, 'v.tar.gz') }).then(
        (r) => r.digest
      )
    const a = await pack('libv.so', 0o755)
    const b = await pack('libv.so', 0o644)
    const c = await pack('libw.so', 0o755)
    await writeFile(source, 'v2')
    const d = await pack('libv.so', 0o755)
    expect(new Set([a, b, c, d]).size).toBe(4)
  })

  it('rejects bad entry names and non-files, and leaves no output behind', async () => {
    const source = join(dir, 'libfoo.so')
    await writeFile(source, 'x')
    const destination = join(dir, 'bad.tar.gz')
    await expect(
      packLayer({ source, entryName: '../libfoo.so', mode: 0o644, destination })
    ).rejects.toThrow(/invalid layer entry name/)
    await expect(
      packLayer({ source: dir, entryName: 'x', mode: 0o644, destination })
    ).rejects.toThrow(/not a regular file/)
    await expect(
      packLayer({ source: join(dir, 'missing'), entryName: 'x', mode: 0o644, destination })
    ).rejects.toThrow(/ENOENT/)
    expect(existsSync(destination)).toBe(false)
  })

  it('streams a large file with little memory, with workers', async () => {
    const size = 96 * 1024 * 1024
    const source = join(dir, 'libbig.so')
    const block = sampleData(1024 * 1024)
    const fh = await open(source, 'w')
    for (let i = 0; i < size / block.length; i++) await fh.write(block)
    await fh.close()

    const before = process.memoryUsage().rss
    let peak = before
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    const r = await packLayer({
      source,
      entryName: 'libbig.so',
      mode: 0o755,
      destination: join(dir, 'libbig.tar.gz'),
      workers: 2
    })
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage().rss)
    await rm(source)
    await rm(r.path)
    // Holding the file would cost 96 MiB; two worker threads (about 15 MiB each) and six
    // segments in flight (1 MiB in + 1 MiB out each) cost well under half of that.
    expect(peak - before).toBeLessThan(48 * 1024 * 1024)
    expect(r.size).toBeGreaterThan(0)
  }, 600_000)

  it('rejects a bad number of workers', async () => {
    const source = join(dir, 'libw.so')
    await writeFile(source, 'x')
    await expect(
      packLayer({
        source,
        entryName: 'libw.so',
        mode: 0o755,
        destination: join(dir, 'w'),
        workers: -1
      })
    ).rejects.toThrow(/workers/)
  })
})

// Golden digests of the layer format. They were re-baselined when fflate's level-6 deflate
// (one stream, fed in 64 KiB chunks) gave way to our own encoder (src/falco/deflate.ts) run on
// 1 MiB segments in parallel: same tar bytes, different (still deterministic) DEFLATE bytes.
// They must never change by accident: a new digest for the same input means every published
// layer gets a new digest on its next release.
const GOLDEN_SMALL = 'sha256:1bc05ab9de7e884ef5593d95e895ff32d0642700aa3ff2e801e32dc1392db1fa'
const GOLDEN_MULTI = 'sha256:8ece8ab866bde6743a91dadaf8dc33d7ed6ca7d885e180b933d3c22607d3a640'
