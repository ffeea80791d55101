// Reading the files the user points us at (the rules file, index.yaml) with a size limit, so that
// a huge or endless file fails with a clear error instead of exhausting memory.
import { open } from 'node:fs/promises'
import { formatBytes } from './bytes.js'

/**
 * The largest rules file we read. Falco's own falco_rules.yaml is about 100 KiB; a release's
 * rules are packed into one layer and parsed whole.
 */
export const MAX_RULES_FILE_BYTES = 8 << 20
/** The largest index.yaml we read (falcosecurity's index, with every plugin, is about 50 KiB). */
export const MAX_INDEX_FILE_BYTES = 8 << 20

export class FileTooLargeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FileTooLargeError'
  }
}

export interface ReadLimits {
  /** The most bytes to read. */
  limit: number
  /** What the file is, for the message, e.g. "the rules file". */
  what: string
  /** What to do about it, e.g. "check that rules-file names the rules YAML". */
  fix: string
}

/**
 * The file as UTF-8 text, or a FileTooLargeError naming the file, its size and the limit. A
 * regular file is judged by its size before anything is read; anything else (a device, a pipe,
 * a file still growing) stops after `limit` bytes.
 */
export async function readTextFileBounded(path: string, opts: ReadLimits): Promise<string> {
  const tooLarge = (size?: number): FileTooLargeError =>
    new FileTooLargeError(
      `${opts.what} ${path} is ` +
        (size === undefined ? 'larger than' : `${formatBytes(size)}, more than`) +
        ` the ${formatBytes(opts.limit)} this action reads: ${opts.fix}`
    )
  const file = await open(path, 'r')
  try {
    const st = await file.stat()
    if (st.isFile() && st.size > opts.limit) throw tooLarge(st.size)
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const chunk = Buffer.alloc(Math.min(256 << 10, opts.limit + 1 - total))
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      total += bytesRead
      if (total > opts.limit) throw tooLarge()
    }
    return Buffer.concat(chunks).toString('utf8')
  } finally {
    await file.close()
  }
}
