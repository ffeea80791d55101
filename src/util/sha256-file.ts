// The SHA-256 of a file, streamed: release assets (checksums.txt) and the zig wheel's pin.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/** Lower-case hex, as checksums.txt and PyPI write it. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
