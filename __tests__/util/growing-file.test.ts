import { describe, expect, it } from '@jest/globals'
import { mkdtemp, open, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GrowingFile } from '../../src/util/growing-file.js'

/** Every chunk, copied (a reader's chunks share one buffer). */
async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const copies: Buffer[] = []
  for await (const c of chunks) copies.push(Buffer.from(c))
  return Buffer.concat(copies)
}

const tick = () => new Promise((r) => setTimeout(r, 5))

async function scratch(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'fpr-growing-')), 'file')
}

describe('GrowingFile', () => {
  it('gives a reader every byte as it is written, and ends when the file is complete', async () => {
    const path = await scratch()
    const file = new GrowingFile(path)
    const early = readAll(file.chunks()) // opened before the file exists
    const out = await open(path, 'w')
    const parts = [Buffer.alloc(3 << 20, 1), Buffer.from('middle'), Buffer.alloc(70000, 2)]
    let written = 0
    let finished = false
    void early.then(() => (finished = true))
    for (const part of parts) {
      await out.write(part)
      written += part.length
      file.grew(written)
      await tick()
      expect(finished).toBe(false) // not before complete()
    }
    await out.close()
    const late = readAll(file.chunks())
    file.complete(written)
    expect(file.settled).toBe(true)
    const whole = Buffer.concat(parts)
    // Buffer.equals: Jest's toEqual compares megabytes one element at a time.
    expect((await early).equals(whole)).toBe(true)
    expect((await late).equals(whole)).toBe(true)
    // After the end, a new reader reads the whole file at once.
    expect((await readAll(file.chunks())).equals(whole)).toBe(true)
  })

  it('never gives a byte the writer has not declared written', async () => {
    const path = await scratch()
    await writeFile(path, 'declared-and-more')
    const file = new GrowingFile(path)
    file.grew(8)
    const reading = readAll(file.chunks())
    await tick()
    file.complete(8)
    expect((await reading).toString()).toBe('declared')
  })

  it("fails its readers with the writer's error", async () => {
    const path = await scratch()
    await writeFile(path, 'partial')
    const file = new GrowingFile(path)
    file.grew(7)
    const reading = readAll(file.chunks())
    await tick()
    file.fail(new Error('the packing failed'))
    await expect(reading).rejects.toThrow('the packing failed')
    expect(file.settled).toBe(true)
    await expect(readAll(file.chunks())).rejects.toThrow('the packing failed')
  })

  it('reads every chunk of a reader into one buffer', async () => {
    const path = await scratch()
    await writeFile(path, Buffer.alloc(3 << 20, 7))
    const file = new GrowingFile(path)
    file.complete(3 << 20)
    const buffers = new Set<ArrayBufferLike>()
    let total = 0
    for await (const c of file.chunks()) {
      buffers.add(c.buffer)
      total += c.length
    }
    expect(total).toBe(3 << 20)
    expect(buffers.size).toBe(1)
  })

  it('ends an empty file', async () => {
    const path = await scratch()
    await writeFile(path, '')
    const file = new GrowingFile(path)
    const reading = readAll(file.chunks())
    file.complete(0)
    expect((await reading).length).toBe(0)
  })

  it('refuses a length that goes back', () => {
    const file = new GrowingFile('/nonexistent')
    file.grew(10)
    expect(() => file.grew(9)).toThrow('shrank from 10 to 9')
  })
})
