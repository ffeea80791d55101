// Reproducible falcoctl layers: gzip(tar) holding exactly one flat regular file.
//
// The tar entry is a USTAR header as Go's archive/tar writes it for falcoctl's
// CreateTarGzArchive (mtime 0, uid/gid 0, empty uname/gname, typeflag '0', numeric fields in
// zero-padded octal with a trailing NUL, checksum as 6 octal digits + NUL + space), the file data
// padded to 512 bytes, then two zero blocks. No pax headers, no directory entries.
//
// gzip comes from fflate (plain JavaScript) rather than node:zlib, whose output depends on the
// zlib build Node bundles (Chromium's, with CPU-dependent paths), so the bytes here do not depend
// on the Node version or the CPU. fflate's output also depends on how the input is cut into
// push() calls, so the tar stream is fed in fixed LAYER_CHUNK_SIZE pieces whatever the reads
// deliver. Header: 1f 8b 08 00 00000000 00 03 (no name, mtime 0, XFL 0, OS Unix). Measured
// against our own parallel encoder, which this replaced, in BENCHMARKS.md ("Deflate: own encoder
// or fflate"): fflate costs a few percent of a release.
//
// The source is streamed: memory stays at a few MiB whatever the file size.

import { createHash } from 'node:crypto'
import { open, rm, stat, type FileHandle } from 'node:fs/promises'
import { basename } from 'node:path'
import { Gzip } from 'fflate'

/** Size of every piece pushed into the compressor. Changing it changes the layer digests. */
export const LAYER_CHUNK_SIZE = 64 * 1024
/** Deflate level. Changing it changes the layer digests. */
const LAYER_GZIP_LEVEL = 6
/** Modes a layer entry may have: 0644 for rules and data, 0755 for shared libraries. */
export const LAYER_MODES: readonly number[] = [0o644, 0o755]
/** The USTAR size field holds 11 octal digits. */
export const MAX_ENTRY_SIZE = 0o77777777777

const BLOCK = 512
/** How much of the source one read asks for. Tuning only: it never changes the output. */
const READ_SIZE = 256 * 1024
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
}

export interface PackedLayer {
  path: string
  /** sha256 of the .tar.gz bytes, "sha256:<hex>". */
  digest: string
  /** Size of the .tar.gz in bytes. */
  size: number
}

/** Writes a reproducible single-entry tar.gz of `source`, streaming, and returns its digest. */
export async function packLayer(opts: PackLayerOptions): Promise<PackedLayer> {
  const info = await stat(opts.source)
  if (!info.isFile()) throw new Error(`cannot pack ${opts.source}: not a regular file`)
  const size = info.size
  const header = tarHeader(opts.entryName, opts.mode, size)

  const input = await open(opts.source, 'r')
  let output: FileHandle | undefined
  try {
    output = await open(opts.destination, 'w', 0o644)
    const out = output
    const hash = createHash('sha256')
    let written = 0
    // fflate hands its output to this callback, synchronously, during push().
    const pending: Uint8Array[] = []
    const gzip = new Gzip({ level: LAYER_GZIP_LEVEL, mtime: 0 }, (data) => pending.push(data))
    const drain = async (): Promise<void> => {
      for (const data of pending) {
        hash.update(data)
        let offset = 0
        while (offset < data.length) {
          const { bytesWritten } = await out.write(data, offset, data.length - offset)
          offset += bytesWritten
        }
        written += data.length
      }
      pending.length = 0
    }

    // The tar stream, re-cut into LAYER_CHUNK_SIZE pieces. A Uint8Array, not a Buffer:
    // Uint8Array#slice copies (Buffer#slice would share memory with the next piece).
    const piece = new Uint8Array(LAYER_CHUNK_SIZE)
    let fill = 0
    const feed = async (data: Uint8Array): Promise<void> => {
      let offset = 0
      while (offset < data.length) {
        const n = Math.min(LAYER_CHUNK_SIZE - fill, data.length - offset)
        piece.set(data.subarray(offset, offset + n), fill)
        fill += n
        offset += n
        if (fill === LAYER_CHUNK_SIZE) {
          gzip.push(piece.slice(), false)
          fill = 0
          await drain()
        }
      }
    }

    await feed(header)
    const buf = new Uint8Array(READ_SIZE)
    for (let at = 0; at < size;) {
      const { bytesRead } = await input.read(buf, 0, Math.min(READ_SIZE, size - at), at)
      if (bytesRead === 0) throw changedSize(opts.source, size)
      await feed(buf.subarray(0, bytesRead))
      at += bytesRead
    }
    // The file must not have grown either.
    const { bytesRead } = await input.read(new Uint8Array(1), 0, 1, size)
    if (bytesRead !== 0) throw changedSize(opts.source, size)
    const padding = (BLOCK - (size % BLOCK)) % BLOCK
    await feed(new Uint8Array(padding + 2 * BLOCK)) // data padding + end-of-archive blocks
    gzip.push(piece.slice(0, fill), true)
    await drain()
    await out.close()
    return { path: opts.destination, digest: 'sha256:' + hash.digest('hex'), size: written }
  } catch (err) {
    await output?.close().catch(() => undefined)
    await rm(opts.destination, { force: true })
    throw err
  } finally {
    await input.close().catch(() => undefined)
  }
}

function changedSize(path: string, size: number): Error {
  return new Error(`${path} changed size while it was being packed (it had ${size} bytes)`)
}
