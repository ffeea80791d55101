// Reads a layer back: the one regular file of a falcoctl tar.gz layer,
// streamed to disk (a layer can be hundreds of MiB).
import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { createGunzip } from 'node:zlib'

const BLOCK = 512

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end === -1 ? length : end).toString('utf8')
}

/**
 * Extracts the first regular file of a gzip'd tar into `destination`.
 * Returns its name in the archive and its size. Throws when the archive holds
 * no regular file first (falcoctl layers hold exactly one flat file).
 */
export async function extractSingleFile(
  tarGz: string,
  destination: string
): Promise<{ name: string; size: number }> {
  const input = createReadStream(tarGz).pipe(createGunzip())
  let header: Buffer | undefined
  let pending: Buffer = Buffer.alloc(0)
  let remaining = 0
  let name = ''
  const out = createWriteStream(destination)
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let data: Buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk
      pending = Buffer.alloc(0)
      if (!header) {
        if (data.length < BLOCK) {
          pending = data
          continue
        }
        header = data.subarray(0, BLOCK)
        const type = String.fromCharCode(header[156] || 0x30)
        name = field(header, 0, 100)
        if (type !== '0')
          throw new Error(`${tarGz}: the first entry "${name}" is not a regular file`)
        remaining = Number.parseInt(field(header, 124, 12).trim() || '0', 8)
        data = data.subarray(BLOCK)
      }
      if (remaining > 0 && data.length > 0) {
        const piece = data.subarray(0, Math.min(remaining, data.length))
        remaining -= piece.length
        if (!out.write(piece)) await once(out, 'drain')
      }
      if (remaining === 0) break
    }
    if (!header) throw new Error(`${tarGz}: not a tar archive`)
    if (remaining > 0) throw new Error(`${tarGz}: "${name}" is truncated`)
  } finally {
    input.destroy()
    out.end()
    await once(out, 'close')
  }
  return { name, size: Number.parseInt(field(header, 124, 12).trim() || '0', 8) }
}
