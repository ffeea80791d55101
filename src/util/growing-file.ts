// A file that one task is still writing and others read as it grows: each reader gets every byte
// once the writer says it is written, and its chunks end when the writer says the file is
// complete, or fail with the writer's error. Readers read the file itself (the page cache), so
// the writer may reuse its buffers at once; each reader reads into one buffer of its own, so
// memory stays flat whatever the size, and no garbage piles up until a collection.
import { open } from 'node:fs/promises'

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

  /**
   * The file from its first byte, following it until it is complete. Each chunk is read into the
   * same buffer: a consumer is done with a chunk before it asks for the next (or copies it).
   */
  async *chunks(): AsyncGenerator<Buffer> {
    // The file exists once a byte is written (or it ended empty).
    await this.until(() => this.length > 0 || this.ended)
    const file = await open(this.path, 'r')
    try {
      let position = 0
      let buffer: Buffer | undefined
      for (;;) {
        await this.until(() => position < this.length || this.ended)
        if (position >= this.length) return
        buffer ??= Buffer.allocUnsafe(READ_SIZE)
        const want = Math.min(READ_SIZE, this.length - position)
        const { bytesRead } = await file.read(buffer, 0, want, position)
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
