import { describe, expect, it } from '@jest/globals'
import { mkdtemp, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  FileTooLargeError,
  MAX_RULES_FILE_BYTES,
  readTextFileBounded
} from '../../src/util/bounded-read.js'
import { formatBytes } from '../../src/util/bytes.js'

const limits = { limit: 1024, what: 'the rules file', fix: 'check rules-file' }

describe('readTextFileBounded', () => {
  it('reads a file within the limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fpr-bounded-'))
    const path = join(dir, 'ok.yaml')
    await writeFile(path, 'a'.repeat(1024))
    expect(await readTextFileBounded(path, limits)).toBe('a'.repeat(1024))
  })

  it('refuses a huge (sparse) file at once, naming its size, the limit and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fpr-bounded-'))
    const path = join(dir, 'big.yaml')
    await writeFile(path, '- rule: x\n')
    await truncate(path, 200 << 20)
    const started = Date.now()
    const err = await readTextFileBounded(path, { ...limits, limit: MAX_RULES_FILE_BYTES }).catch(
      (e: Error) => e
    )
    expect(err).toBeInstanceOf(FileTooLargeError)
    expect((err as Error).message).toBe(
      `the rules file ${path} is 200 MiB, more than the 8 MiB this action reads: check rules-file`
    )
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('stops an endless file (a device) after the limit', async () => {
    const err = await readTextFileBounded('/dev/zero', limits).catch((e: Error) => e)
    expect((err as Error).message).toBe(
      'the rules file /dev/zero is larger than the 1 KiB this action reads: check rules-file'
    )
  })
})

describe('formatBytes', () => {
  it('uses the largest whole unit', () => {
    expect(formatBytes(1)).toBe('1 byte')
    expect(formatBytes(512)).toBe('512 bytes')
    expect(formatBytes(16 << 10)).toBe('16 KiB')
    expect(formatBytes(1.5 * (1 << 20))).toBe('1.5 MiB')
    expect(formatBytes(200 << 20)).toBe('200 MiB')
  })
})
