import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { packLayer } from '../../src/falco/layer.js'
import { buildReleaseAssets, checksumsText } from '../../src/github/release.js'

/** The entries of a tar: name, mode, mtime, size, data. */
function untar(gz: Buffer) {
  const tar = gunzipSync(gz)
  const out: Array<{
    name: string
    mode: number
    mtime: number
    uid: number
    size: number
    data: Buffer
  }> = []
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512)
    if (h.every((b) => b === 0)) break
    const str = (a: number, n: number) => h.toString('ascii', a, a + n).replace(/\0.*$/s, '')
    const size = parseInt(str(124, 12), 8)
    out.push({
      name: str(0, 100),
      mode: parseInt(str(100, 8), 8),
      uid: parseInt(str(108, 8), 8),
      mtime: parseInt(str(136, 12), 8),
      size,
      data: tar.subarray(off + 512, off + 512 + size)
    })
    off += 512 + Math.ceil(size / 512) * 512
  }
  return out
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('buildReleaseAssets', () => {
  let dir: string
  let amd64: string
  let arm64: string
  let rules: string

  /** A layer as the pipeline packs it (src/pipeline/stages.ts, src/release/rules.ts). */
  const layer = (source: string, entryName: string, mode: number, name: string) =>
    packLayer({ source, entryName, mode, destination: join(dir, name) }).then((l) => l.path)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fpr-assets-'))
    await writeFile(join(dir, 'amd64.so'), Buffer.alloc(70_000, 1))
    await writeFile(join(dir, 'arm64.so'), Buffer.alloc(1234, 2))
    await writeFile(join(dir, 'foo_rules.yaml'), '- required_engine_version: 0.31.0\n')
    amd64 = await layer(join(dir, 'amd64.so'), 'libfoo.so', 0o755, 'plugin-amd64.tar.gz')
    arm64 = await layer(join(dir, 'arm64.so'), 'libfoo.so', 0o755, 'plugin-arm64.tar.gz')
    rules = await layer(join(dir, 'foo_rules.yaml'), 'foo_rules.yaml', 0o644, 'rules.tar.gz')
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('names the layers per architecture, uploads them as they are, and lists their sha256', async () => {
    const out = join(dir, 'out')
    const assets = await buildReleaseAssets({
      name: 'foo',
      version: '1.2.3-rc.1',
      plugins: [
        { architecture: 'arm64', archive: arm64 },
        { architecture: 'amd64', archive: amd64 }
      ],
      rulesArchive: rules,
      outDir: out
    })
    expect(assets.map((a) => a.name)).toEqual([
      'foo-1.2.3-rc.1-linux-x86_64.tar.gz',
      'foo-1.2.3-rc.1-linux-aarch64.tar.gz',
      'foo-rules-1.2.3-rc.1.tar.gz',
      'checksums.txt'
    ])
    expect(assets.map((a) => a.contentType)).toEqual([
      'application/gzip',
      'application/gzip',
      'application/gzip',
      'text/plain; charset=utf-8'
    ])
    // The archives are the layers themselves: nothing is packed a second time.
    expect(assets.slice(0, 3).map((a) => a.path)).toEqual([amd64, arm64, rules])
    const x86 = untar(await readFile(assets[0].path))
    expect(x86).toHaveLength(1)
    expect(x86[0]).toMatchObject({ name: 'libfoo.so', mode: 0o755, mtime: 0, uid: 0, size: 70_000 })
    expect(x86[0].data.equals(await readFile(join(dir, 'amd64.so')))).toBe(true)
    const r = untar(await readFile(assets[2].path))
    expect(r).toEqual([expect.objectContaining({ name: 'foo_rules.yaml', mode: 0o644 })])

    const sums = await readFile(assets[3].path, 'utf8')
    expect(assets[3].path).toBe(join(out, 'checksums.txt'))
    const lines = sums.trimEnd().split('\n')
    expect(lines.map((l) => l.split('  ')[1])).toEqual([
      'foo-1.2.3-rc.1-linux-aarch64.tar.gz',
      'foo-1.2.3-rc.1-linux-x86_64.tar.gz',
      'foo-rules-1.2.3-rc.1.tar.gz'
    ])
    for (const a of assets.slice(0, 3)) {
      const hex = sha256(await readFile(a.path))
      expect(a.sha256).toBe(hex)
      expect(a.size).toBe((await readFile(a.path)).length)
      expect(lines).toContain(`${hex}  ${a.name}`)
    }
    expect(assets[3].sha256).toBe(sha256(Buffer.from(sums)))
  })

  it('refuses bad names and duplicate or unknown architectures', async () => {
    const base = { name: 'foo', version: '1.0.0', outDir: join(dir, 'bad') }
    const plugins = [{ architecture: 'amd64' as const, archive: amd64 }]
    await expect(buildReleaseAssets({ ...base, name: 'Foo', plugins })).rejects.toThrow(
      /plugin name/
    )
    await expect(buildReleaseAssets({ ...base, plugins: [] })).rejects.toThrow(/no plugin/)
    await expect(
      buildReleaseAssets({
        ...base,
        plugins: [...plugins, { architecture: 'amd64', archive: arm64 }]
      })
    ).rejects.toThrow(/two plugin builds for amd64/)
    await expect(
      buildReleaseAssets({
        ...base,
        plugins: [{ architecture: 'x86_64' as unknown as 'amd64', archive: amd64 }]
      })
    ).rejects.toThrow(/unsupported architecture x86_64/)
  })
})

describe('checksumsText', () => {
  it('writes sha256sum lines sorted by file name', () => {
    expect(
      checksumsText([
        { name: 'b.tar.gz', sha256: 'bb' },
        { name: 'a.tar.gz', sha256: 'aa' }
      ])
    ).toBe('aa  a.tar.gz\nbb  b.tar.gz\n')
  })
})
