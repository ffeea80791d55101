// Reproducible falcoctl layers: gzip(tar) holding exactly one flat regular file.
//
// The tar entry is a USTAR header as Go's archive/tar writes it for falcoctl's
// CreateTarGzArchive (mtime 0, uid/gid 0, empty uname/gname, typeflag '0', numeric fields in
// zero-padded octal with a trailing NUL, checksum as 6 octal digits + NUL + space), the file data
// padded to 512 bytes, then two zero blocks. No pax headers, no directory entries.
//
// The gzip is one member with a fixed header (1f 8b 08 00 00000000 00 03: no name, mtime 0,
// XFL 0, OS Unix) around one DEFLATE stream from our own encoder (deflate.c compiled to
// WebAssembly, loaded by deflate.js: integer arithmetic only, so the bytes do not depend on the
// Node version, the zlib build or the CPU; an exact port of the JavaScript encoder used before).
//
// Speed: the tar stream is cut into fixed LAYER_SEGMENT_SIZE segments, compressed in parallel in
// worker threads (pigz's scheme) when there are more than INLINE_SEGMENTS; the encoder is
// compiled once and sent to them. Each segment is encoded on its own, with the 32 KiB before it
// as its window, and ends with a sync flush, so the pieces concatenate into one valid DEFLATE
// stream. A segment's bytes depend only on the input, never on which worker ran it or how many
// there are: the digest is the same with 0, 1 or 8 workers. The CRC-32 and length go in the
// one gzip trailer.
//
// The source is streamed: at most 3 segments per worker are in memory, whatever the file size,
// plus each encoder's WebAssembly memory (its tables and one segment in and out: about 3 MiB).

import { createHash } from 'node:crypto'
import { open, rm, stat, type FileHandle } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { basename } from 'node:path'
import { Worker } from 'node:worker_threads'
import * as zlib from 'node:zlib'
import { createSegmentDeflater, deflateModule, WINDOW, type SegmentDeflater } from './deflate.js'

/**
 * Size of the segments compressed independently (each with the previous 32 KiB as window).
 * Changing it changes the layer digests.
 */
export const LAYER_SEGMENT_SIZE = 1 << 20
/** Modes a layer entry may have: 0644 for rules and data, 0755 for shared libraries. */
export const LAYER_MODES: readonly number[] = [0o644, 0o755]
/** The USTAR size field holds 11 octal digits. */
export const MAX_ENTRY_SIZE = 0o77777777777

const BLOCK = 512

/**
 * falcoctl's archive name for a file: the base name cut at the first '.', plus '.tar.gz'
 * (libfoo.so -> libfoo.tar.gz, my.rules.yaml -> my.tar.gz). It is also the layer title.
 */
export function layerFileName(sourceFileName: string): string {
  const base = basename(sourceFileName)
  const stem = base.split('.')[0]
  if (stem === '') {
    throw new Error(
      `cannot name a layer after ${JSON.stringify(sourceFileName)}: its base name is empty before the first "."`
    )
  }
  return `${stem}.tar.gz`
}

/** Throws unless `name` is a plain file name that falcoctl extracts flat (no '/', no '..'). */
export function assertEntryName(name: string): void {
  const problem =
    name === ''
      ? 'it is empty'
      : name === '.'
        ? 'it is "."'
        : name.includes('/') || name.includes('\\')
          ? 'it contains a path separator; give a base name'
          : name.includes('..')
            ? 'it contains ".." (falcoctl refuses to extract such names)'
            : !/^[\x20-\x7e]+$/.test(name)
              ? 'it has characters outside printable ASCII (USTAR would need a pax header)'
              : name.length > 100
                ? 'it is longer than 100 bytes (the USTAR name field)'
                : undefined
  if (problem !== undefined) {
    throw new Error(`invalid layer entry name ${JSON.stringify(name)}: ${problem}`)
  }
}

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  // Go's formatString: copy, then NULs (Go writes one NUL into an already zeroed block).
  const n = block.write(value, offset, length, 'ascii')
  block.fill(0, offset + n, offset + length)
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  // Go's formatOctal: zero-padded to length-1 digits, then a NUL.
  const digits = value.toString(8)
  if (digits.length > length - 1) throw new Error(`tar: ${value} does not fit in ${length} bytes`)
  writeString(block, offset, length, digits.padStart(length - 1, '0'))
}

/** The 512-byte USTAR header of a regular file entry with mtime 0 and owner 0:0. */
export function tarHeader(entryName: string, mode: number, size: number): Buffer {
  assertEntryName(entryName)
  if (!LAYER_MODES.includes(mode)) {
    throw new Error(`invalid layer entry mode 0${mode.toString(8)}: use 0644 or 0755`)
  }
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_ENTRY_SIZE) {
    throw new Error(`cannot pack ${entryName}: size ${size} is over the USTAR limit of 8 GiB`)
  }
  const h = Buffer.alloc(BLOCK)
  writeString(h, 0, 100, entryName) // name
  writeOctal(h, 100, 8, mode) // mode
  writeOctal(h, 108, 8, 0) // uid
  writeOctal(h, 116, 8, 0) // gid
  writeOctal(h, 124, 12, size) // size
  writeOctal(h, 136, 12, 0) // mtime
  h[156] = 0x30 // typeflag '0': regular file
  // linkname (157, 100): empty
  writeString(h, 257, 6, 'ustar\0') // magic
  writeString(h, 263, 2, '00') // version
  // uname (265, 32), gname (297, 32): empty
  writeOctal(h, 329, 8, 0) // devmajor
  writeOctal(h, 337, 8, 0) // devminor
  // prefix (345, 155): empty
  h.fill(0x20, 148, 156) // the checksum is computed with its own field as spaces
  let sum = 0
  for (const byte of h) sum += byte
  writeOctal(h, 148, 7, sum) // 6 digits + NUL ...
  h[155] = 0x20 // ... + space
  return h
}

export interface PackLayerOptions {
  /** The file to pack. */
  source: string
  /** The entry's name inside the archive, e.g. libfoo.so: a plain base name. */
  entryName: string
  /** 0o644 or 0o755. */
  mode: number
  /** The .tar.gz to write (created or truncated). */
  destination: string
  /**
   * Compression threads (default: one per CPU, at most 8; none for files of a few MiB, which are
   * compressed on the calling thread). Tuning only: it never changes the output.
   */
  workers?: number
  /** Told, after each write, how many bytes of the .tar.gz are in the destination so far. */
  onWritten?: (bytes: number) => void
}

export interface PackedLayer {
  path: string
  /** sha256 of the .tar.gz bytes, "sha256:<hex>". */
  digest: string
  /** Size of the .tar.gz in bytes. */
  size: number
}

/** gzip member header: deflate, no flags, mtime 0, XFL 0, OS 3 (Unix). */
const GZIP_HEADER = Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03])
/** Files up to this many segments (MiB) are compressed on the calling thread. The encoder needs
 * no JIT warm-up any more (WebAssembly, about 14 ms per MiB), but starting the workers still costs
 * 20-60 ms: on two idle cores they break even at 8-9 MiB and pay above (16 MiB: 0.15 s instead
 * of 0.19 s; 50 MiB: 0.37 s instead of 0.64 s), on busy ones inline is as fast (BENCHMARKS.md). */
const INLINE_SEGMENTS = 8
const MAX_WORKERS = 8

/** Writes a reproducible single-entry tar.gz of `source`, streaming, and returns its digest. */
export async function packLayer(opts: PackLayerOptions): Promise<PackedLayer> {
  const info = await stat(opts.source)
  if (!info.isFile()) throw new Error(`cannot pack ${opts.source}: not a regular file`)
  const size = info.size
  const header = tarHeader(opts.entryName, opts.mode, size)
  // The tar stream: header, data padded to a block, two zero blocks.
  const tarLength = BLOCK + Math.ceil(size / BLOCK) * BLOCK + 2 * BLOCK
  const segments = Math.ceil(tarLength / LAYER_SEGMENT_SIZE)
  const workers = workerCount(opts.workers, segments)

  const input = await open(opts.source, 'r')
  let pool: DeflatePool | undefined
  let output: FileHandle | undefined
  try {
    // Workers start now, while the first segments are being read.
    pool = workers > 0 ? new DeflatePool(workers) : undefined
    output = await open(opts.destination, 'w', 0o644)
    const out = output
    const hash = createHash('sha256')
    let written = 0
    const write = async (data: Uint8Array): Promise<void> => {
      hash.update(data)
      let offset = 0
      while (offset < data.length) {
        const { bytesWritten } = await out.write(data, offset, data.length - offset)
        offset += bytesWritten
      }
      written += data.length
      opts.onWritten?.(written)
    }
    await write(GZIP_HEADER)

    // Reads segment k of the tar stream into buf[window..]; returns its length.
    const fill = async (buf: Uint8Array, window: number, k: number): Promise<number> => {
      const from = k * LAYER_SEGMENT_SIZE
      const to = Math.min(tarLength, from + LAYER_SEGMENT_SIZE)
      let at = from
      if (at < BLOCK) {
        buf.set(header.subarray(at, Math.min(BLOCK, to)), window)
        at = Math.min(BLOCK, to)
      }
      while (at < to && at < BLOCK + size) {
        const want = Math.min(to, BLOCK + size) - at
        const { bytesRead } = await input.read(buf, window + at - from, want, at - BLOCK)
        if (bytesRead === 0) throw changedSize(opts.source, size)
        at += bytesRead
      }
      buf.fill(0, window + at - from, window + to - from) // padding and end-of-archive blocks
      return to - from
    }

    // Input and output buffers go to a worker and come back with the result, to be used again:
    // no garbage per segment, so every thread's memory stays flat.
    const inputs: ArrayBuffer[] = []
    const outputs: ArrayBuffer[] = []
    const deflater = pool === undefined ? createSegmentDeflater() : undefined
    const tail = new Uint8Array(WINDOW) // the last WINDOW bytes of the previous segment
    const pending: Array<Promise<Segment>> = []
    const maxInFlight = Math.max(1, workers * 3)
    let crc = 0
    const flushOne = async (): Promise<void> => {
      const done = await (pending.shift() as Promise<Segment>)
      inputs.push(done.input)
      await write(done.output)
      outputs.push(done.output.buffer as ArrayBuffer)
    }
    for (let k = 0; k < segments; k++) {
      if (pending.length >= maxInFlight) await flushOne()
      const buf = new Uint8Array(inputs.pop() ?? new ArrayBuffer(WINDOW + LAYER_SEGMENT_SIZE))
      const window = Math.min(WINDOW, k * LAYER_SEGMENT_SIZE)
      buf.set(tail.subarray(WINDOW - window), 0)
      const length = await fill(buf, window, k)
      const data = buf.subarray(window, window + length)
      crc = crc32(data, crc)
      if (length >= WINDOW) tail.set(data.subarray(length - WINDOW))
      const last = k === segments - 1
      const output = outputs.pop()
      let job: Promise<Segment>
      if (pool !== undefined) {
        job = pool.run(buf.buffer as ArrayBuffer, window, window + length, last, output)
      } else {
        const d = deflater as SegmentDeflater
        const out = d.deflateSegment(
          buf.subarray(0, window + length),
          window,
          last,
          output && new Uint8Array(output)
        )
        job = Promise.resolve({ input: buf.buffer as ArrayBuffer, output: out })
      }
      job.catch(() => undefined) // failures surface when the segment is awaited, in order
      pending.push(job)
    }
    while (pending.length > 0) await flushOne()
    // The file must not have grown either.
    const { bytesRead } = await input.read(new Uint8Array(1), 0, 1, size)
    if (bytesRead !== 0) throw changedSize(opts.source, size)

    const trailer = new Uint8Array(8)
    const view = new DataView(trailer.buffer)
    view.setUint32(0, crc >>> 0, true)
    view.setUint32(4, tarLength % 2 ** 32, true)
    await write(trailer)
    await out.close()
    return { path: opts.destination, digest: 'sha256:' + hash.digest('hex'), size: written }
  } catch (err) {
    await output?.close().catch(() => undefined)
    await rm(opts.destination, { force: true })
    throw err
  } finally {
    await input.close().catch(() => undefined)
    await pool?.close()
  }
}

function changedSize(path: string, size: number): Error {
  return new Error(`${path} changed size while it was being packed (it had ${size} bytes)`)
}

function workerCount(requested: number | undefined, segments: number): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 0) {
      throw new Error(`packLayer: workers must be a whole number >= 0, not ${requested}`)
    }
    return Math.min(requested, segments)
  }
  if (segments <= INLINE_SEGMENTS) return 0
  return Math.min(availableParallelism(), MAX_WORKERS, segments)
}

// ---- CRC-32 (gzip trailer): zlib.crc32 when Node has it (>= 20.15), else a table ----

type Crc32 = (data: Uint8Array, value: number) => number
const nativeCrc32 = (zlib as unknown as { crc32?: Crc32 }).crc32
let crcTable: Int32Array | undefined

function crc32(data: Uint8Array, value: number): number {
  if (nativeCrc32) return nativeCrc32(data, value)
  return crc32Js(data, value)
}

/** Plain table-driven CRC-32 (IEEE), the same function as zlib.crc32. Exported for tests. */
export function crc32Js(data: Uint8Array, value: number): number {
  if (!crcTable) {
    crcTable = new Int32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c
    }
  }
  const t = crcTable
  let c = ~value
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8)
  return ~c >>> 0
}

// ---- the worker pool ----

interface Segment {
  /** The job's input buffer, handed back for reuse. */
  input: ArrayBuffer
  /** Raw DEFLATE of the segment (a view of a buffer that may be reused once written). */
  output: Uint8Array
}

// The worker module sits beside this one: src/falco/deflate-worker.js in the source tree (plain
// JavaScript, as the encoder it runs), dist/deflate-worker.js beside the bundle's chunks.
const WORKER_URL = new URL('./deflate-worker.js', import.meta.url)

interface WorkerReply {
  id: number
  buffer?: ArrayBuffer
  out?: Uint8Array
  error?: string
}

class DeflatePool {
  private readonly workers: Worker[] = []
  private readonly load: number[] = []
  private readonly waiting = new Map<
    number,
    { worker: number; resolve: (s: Segment) => void; reject: (e: Error) => void }
  >()
  private nextId = 0
  private failure: Error | undefined

  constructor(size: number) {
    for (let w = 0; w < size; w++) {
      // The module compiled once, here, and shared: its code is not compiled again per worker.
      const worker = new Worker(WORKER_URL, { workerData: { module: deflateModule() } })
      worker.on('message', (reply: WorkerReply) => this.settle(reply))
      worker.on('error', (err) => this.fail(new Error(`layer compression worker: ${err.message}`)))
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`layer compression worker exited with code ${code}`))
      })
      this.workers.push(worker)
      this.load.push(0)
    }
  }

  /**
   * Compresses buffer[start..end) with buffer[0..start) as window, into `output` if given. Both
   * buffers are transferred to the worker, and come back in the Segment.
   */
  run(
    buffer: ArrayBuffer,
    start: number,
    end: number,
    last: boolean,
    output?: ArrayBuffer
  ): Promise<Segment> {
    if (this.failure) return Promise.reject(this.failure)
    let w = 0
    for (let i = 1; i < this.workers.length; i++) if (this.load[i] < this.load[w]) w = i
    const id = this.nextId++
    this.load[w]++
    return new Promise<Segment>((resolve, reject) => {
      this.waiting.set(id, { worker: w, resolve, reject })
      const transfer = output ? [buffer, output] : [buffer]
      this.workers[w].postMessage({ id, buffer, output, start, end, last }, transfer)
    })
  }

  private settle(reply: WorkerReply): void {
    const job = this.waiting.get(reply.id)
    if (!job) return
    this.waiting.delete(reply.id)
    this.load[job.worker]--
    if (reply.error !== undefined || !reply.buffer || !reply.out) {
      job.reject(new Error(`layer compression failed: ${reply.error ?? 'no output'}`))
      return
    }
    job.resolve({ input: reply.buffer, output: reply.out })
  }

  private fail(err: Error): void {
    this.failure ??= err
    for (const job of this.waiting.values()) job.reject(err)
    this.waiting.clear()
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}
