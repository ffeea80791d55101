// A file that one task is still writing and others read as it grows: each reader gets every byte
// once the writer says it is written, and its stream ends when the writer says the file is
// complete, or fails with the writer's error. Readers read the file itself (the page cache), so
// the writer may reuse its buffers at once and memory stays flat whatever the size.
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'

/** How much a reader reads at a time. */
const READ_SIZE = 1 << 20

export class GrowingFile {
  private length = 0
  private ended = false
  private error: Error | undefined
  private wake: Array<() => void> = []

  constructor(readonly path: string) {}

  /** The writer: the first `length` bytes are written. */
  grew(length: number): void {
    if (length < this.length)
      throw new Error(`${this.path}: shrank from ${this.length} to ${length}`)
    this.length = length
    this.notify()
  }

  /** The writer: the file is complete at `length` bytes. */
  complete(length: number): void {
    this.grew(length)
    this.ended = true
    this.notify()
  }

  /** The writer: the file will never be complete. */
  fail(err: Error): void {
    this.error ??= err
    this.notify()
  }

  /** Whether the writer is done (complete or failed). */
  get settled(): boolean {
    return this.ended || this.error !== undefined
  }

  /** A fresh stream of the file from its first byte, following it until it is complete. */
  open(): NodeJS.ReadableStream {
    return Readable.from(this.chunks(), { objectMode: false })
  }

  private async *chunks(): AsyncGenerator<Buffer> {
    // The file exists once a byte is written (or it ended empty).
    await this.until(() => this.length > 0 || this.ended)
    const file = await open(this.path, 'r')
    try {
      let position = 0
      for (;;) {
        await this.until(() => position < this.length || this.ended)
        if (position >= this.length) return
        const buffer = Buffer.allocUnsafe(Math.min(READ_SIZE, this.length - position))
        const { bytesRead } = await file.read(buffer, 0, buffer.length, position)
        if (bytesRead === 0)
          throw new Error(`${this.path}: ended at ${position} of ${this.length} bytes`)
        position += bytesRead
        yield buffer.subarray(0, bytesRead)
      }
    } finally {
      await file.close()
    }
  }

  /** Waits until `ready()` holds; throws the writer's error first. */
  private async until(ready: () => boolean): Promise<void> {
    for (;;) {
      if (this.error) throw this.error
      if (ready()) return
      await new Promise<void>((resolve) => this.wake.push(resolve))
    }
  }

  private notify(): void {
    const waiting = this.wake
    this.wake = []
    for (const resolve of waiting) resolve()
  }
}
