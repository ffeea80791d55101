// Shared bits for the OCI client tests.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Logger } from '../../src/log.js'
import type { BlobSource } from '../../src/oci/types.js'

/** A logger that keeps every line and every registered secret. */
export function recordingLogger(): Logger & { lines: string[]; secrets: string[] } {
  const lines: string[] = []
  const secrets: string[] = []
  return {
    lines,
    secrets,
    info: (m) => lines.push(m),
    warning: (m) => lines.push(m),
    debug: (m) => lines.push(m),
    secret: (v) => secrets.push(v),
    group: (_t, fn) => fn()
  }
}

/**
 * A blob generated chunk by chunk on demand, never held in memory. `produced` tells how far the
 * current stream got, so a test can see whether the consumer streams or buffers.
 */
export function generatedBlob(
  size: number,
  chunkSize = 64 << 10
): BlobSource & { produced: number } {
  const chunk = (i: number, n: number): Buffer => Buffer.alloc(n, i % 251)
  const hash = createHash('sha256')
  for (let off = 0, i = 0; off < size; off += chunkSize, i++) {
    hash.update(chunk(i, Math.min(chunkSize, size - off)))
  }
  const blob = {
    digest: `sha256:${hash.digest('hex')}`,
    size,
    produced: 0,
    open(): NodeJS.ReadableStream {
      blob.produced = 0
      let i = 0
      return new Readable({
        read() {
          if (blob.produced >= size) return void this.push(null)
          const n = Math.min(chunkSize, size - blob.produced)
          blob.produced += n
          this.push(chunk(i++, n))
        }
      })
    }
  }
  return blob
}

/** Reads a stream to the end. */
export async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks)
}

/** The rejection of a promise, which must reject. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

/** A clock whose sleep returns at once and moves time forward: retries cost no real time. */
export function fakeClock(start = 1_700_000_000_000): {
  now(): number
  sleep(ms: number): Promise<void>
  sleeps: number[]
} {
  let t = start
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms)
      t += ms
    }
  }
}
