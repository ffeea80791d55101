import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { VerifyingStream, bufferBlob, sha256Digest } from '../../src/oci/blob.js'
import { collect } from './support.js'

const ABC = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'

describe('blobs', () => {
  it('computes sha256 digests', () => {
    expect(sha256Digest('abc')).toBe(ABC)
    expect(sha256Digest(Buffer.from('abc'))).toBe(ABC)
  })

  it('makes a re-openable buffer blob', async () => {
    const blob = bufferBlob(Buffer.from('abc'))
    expect(blob).toMatchObject({ digest: ABC, size: 3 })
    expect((await collect(blob.open())).toString()).toBe('abc')
    expect((await collect(blob.open())).toString()).toBe('abc')
  })

  it('verifies streamed content', async () => {
    const ok = Readable.from([Buffer.from('abc')]).pipe(new VerifyingStream(ABC, 3))
    expect((await collect(ok)).toString()).toBe('abc')
    const bad = Readable.from([Buffer.from('abd')]).pipe(new VerifyingStream(ABC))
    await expect(collect(bad)).rejects.toThrow(/content has digest/)
    const short = Readable.from([Buffer.from('abc')]).pipe(new VerifyingStream(ABC, 4))
    await expect(collect(short)).rejects.toThrow(/got 3 bytes, expected 4/)
  })
})
