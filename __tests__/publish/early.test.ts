import { describe, expect, it } from '@jest/globals'
import { readFile, open } from 'node:fs/promises'
import { join, dirname } from 'node:path'
import { silentLogger, type Logger } from '../../src/log.js'
import { makePlan, type PlanFacts } from '../../src/plan/plan.js'
import { EarlyUploads, startEarlyUploads, type PackingLayer } from '../../src/publish/early.js'
import { publish } from '../../src/publish/publish.js'
import { GrowingFile } from '../../src/util/growing-file.js'
import { MemoryTarget, type Write } from '../helpers/memory-target.js'
import { planFacts } from '../helpers/plan-facts.js'

/**
 * A plugin layer "being packed": the bytes of a real packed layer, written to a new file in
 * pieces when the test says so, with the packing's result once they are all there.
 */
async function packingLayer(facts: PlanFacts) {
  const packed = facts.pluginLayers[0]
  const bytes = await readFile(packed.path)
  const path = join(dirname(packed.path), 'growing.tar.gz')
  const file = new GrowingFile(path)
  const out = await open(path, 'w')
  let finish!: (r: { digest: string; size: number }) => void
  let failPacking!: (e: Error) => void
  const result = new Promise<{ digest: string; size: number }>((resolve, reject) => {
    finish = resolve
    failPacking = reject
  })
  result.catch(() => undefined)
  let written = 0
  const layer: PackingLayer = { file, packed: result }
  return {
    layer,
    facts: { ...facts, pluginLayers: [{ ...packed, path }] },
    /** Writes the next `n` bytes. */
    async write(n: number) {
      const part = bytes.subarray(written, written + n)
      await out.write(part)
      written += part.length
      file.grew(written)
    },
    async finish() {
      await this.write(bytes.length)
      await out.close()
      file.complete(written)
      finish({ digest: packed.digest, size: packed.size })
    },
    async fail(err: Error) {
      await out.close()
      file.fail(err)
      failPacking(err)
    }
  }
}

function targets(log: Write[]) {
  return { plugin: new MemoryTarget('plugin', log), rules: new MemoryTarget('rules', log) }
}

function recordingLogger(lines: string[]): Logger {
  return { ...silentLogger, info: (m: string) => void lines.push(m) }
}

describe('early uploads', () => {
  it('streams a layer while it is packed, and publish sends it only once', async () => {
    const log: Write[] = []
    const t = targets(log)
    const packing = await packingLayer(await planFacts())
    const early = new EarlyUploads(silentLogger)
    await packing.write(100) // the packing is under way when publishing starts
    early.stream(t.plugin, [packing.layer])
    await packing.write(50)
    expect(log).toEqual([]) // nothing is stored before the content is complete
    await packing.finish()
    await early.ready()
    const plan = makePlan(packing.facts)
    const layerDigest = plan.plugin.blobs[1].descriptor.digest
    const report = await publish(plan, t, silentLogger, { early })

    expect(t.plugin.growingUploads).toBe(1)
    expect(log.filter((w) => w.ref === layerDigest)).toHaveLength(1)
    expect(t.plugin.blobs.get(layerDigest)?.equals(await readFile(packing.layer.file.path))).toBe(
      true
    )
    // Still blobs first, then manifests, then tags; the streamed layer counts as uploaded.
    const phase = (w: Write) => (w.kind === 'blob' ? 0 : w.ref.startsWith('sha256:') ? 1 : 2)
    expect(log.map(phase)).toEqual(log.map(phase).sort())
    expect(report.blobsUploaded).toBe(4)
    expect(report.bytesUploaded).toBeGreaterThan(plan.plugin.blobs[1].descriptor.size)
  })

  it('uploads the blobs the outline knows before the plan is complete', async () => {
    const log: Write[] = []
    const t = targets(log)
    const facts = await planFacts()
    const plan = makePlan(facts)
    const early = startEarlyUploads({
      outline: plan, // a whole plan is an outline too
      rulesLayer: facts.rules?.layer,
      packing: [],
      targets: t,
      logger: silentLogger
    })
    // The two configs and the rules layer: the blobs of the plan that are not plugin layers.
    expect(await early.settle()).toEqual({
      blobs: 3,
      bytes: [plan.plugin.blobs[0], ...(plan.rules?.blobs ?? [])]
        .map((b) => b.descriptor.size)
        .reduce((a, b) => a + b)
    })
    const known = [plan.plugin.blobs[0], ...(plan.rules?.blobs ?? [])].map(
      (b) => b.descriptor.digest
    )
    const before = { plugin: t.plugin.reads.length, rules: t.rules.reads.length }
    await publish(plan, t, silentLogger, { early })
    // Awaited, not sent again, and not even looked up again.
    for (const digest of known) expect(log.filter((w) => w.ref === digest)).toHaveLength(1)
    const reads = [...t.plugin.reads.slice(before.plugin), ...t.rules.reads.slice(before.rules)]
    expect(reads.filter((r) => known.includes(r.ref))).toEqual([])
  })

  it('uploads a layer again, the usual way, when the registry refuses the stream', async () => {
    const log: Write[] = []
    const t = targets(log)
    t.plugin.refuseGrowing = true
    const packing = await packingLayer(await planFacts())
    const lines: string[] = []
    const early = new EarlyUploads(silentLogger)
    await packing.write(10)
    early.stream(t.plugin, [packing.layer])
    await packing.finish()
    await early.ready()
    const plan = makePlan(packing.facts)
    const report = await publish(plan, t, recordingLogger(lines), { early })

    const layerDigest = plan.plugin.blobs[1].descriptor.digest
    expect(t.plugin.growingUploads).toBe(1)
    expect(t.plugin.blobs.has(layerDigest)).toBe(true)
    expect(t.plugin.tags.get('1.4.2')).toBe(plan.plugin.root.descriptor.digest)
    expect(report.blobsUploaded).toBe(4)
    expect(lines.some((l) => l.includes('streamed uploads refused') && l.includes('again'))).toBe(
      true
    )
  })

  it('does not stream a layer that is packed already', async () => {
    const log: Write[] = []
    const t = targets(log)
    const packing = await packingLayer(await planFacts())
    await packing.finish()
    const early = new EarlyUploads(silentLogger)
    early.stream(t.plugin, [packing.layer])
    await early.ready()
    await publish(makePlan(packing.facts), t, silentLogger, { early })
    expect(t.plugin.growingUploads).toBe(0)
  })

  it('stores nothing of a layer whose packing fails', async () => {
    const log: Write[] = []
    const t = targets(log)
    const packing = await packingLayer(await planFacts())
    const early = new EarlyUploads(silentLogger)
    await packing.write(30)
    early.stream(t.plugin, [packing.layer])
    await packing.fail(new Error('the .so changed size while it was being packed'))
    expect(await early.settle()).toEqual({ blobs: 0, bytes: 0 })
    expect(log).toEqual([])
  })
})
