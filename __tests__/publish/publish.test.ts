import { describe, expect, it } from '@jest/globals'
import { silentLogger } from '../../src/log.js'
import { makePlan } from '../../src/plan/plan.js'
import { publish } from '../../src/publish/publish.js'
import { MemoryTarget, type Write } from '../helpers/memory-target.js'
import { planFacts } from '../helpers/plan-facts.js'

const FLOATING = ['1.4', '1', 'latest']

async function publishedPair(log: Write[], failAt?: () => boolean) {
  const plugin = new MemoryTarget('plugin', log, failAt)
  const rules = new MemoryTarget('rules', log, failAt)
  return { plugin, rules }
}

describe('publish', () => {
  it('writes blobs, then manifests by digest, then version tags, then floating tags', async () => {
    const log: Write[] = []
    const targets = await publishedPair(log)
    const plan = makePlan(await planFacts())
    const report = await publish(plan, targets, silentLogger)

    const phase = (w: Write) =>
      w.kind === 'blob' ? 0 : w.ref.startsWith('sha256:') ? 1 : w.ref === '1.4.2' ? 2 : 3
    const phases = log.map(phase)
    expect(phases).toEqual([...phases].sort())
    // Rules before plugin within the version-tag phase, so the plugin's dependency resolves.
    expect(log.filter((w) => w.ref === '1.4.2').map((w) => w.location)).toEqual(['rules', 'plugin'])
    expect(report.blobsUploaded).toBe(4)
    expect(report.manifestsWritten).toBe(3) // the plugin's manifest and index, the rules manifest
    expect(targets.plugin.tags.get('latest')).toBe(plan.plugin.root.descriptor.digest)
    expect(targets.rules.tags.get('latest')).toBe(plan.rules?.root.descriptor.digest)
    expect([...targets.plugin.tags.keys()].sort()).toEqual(['1', '1.4', '1.4.2', 'latest'])
  })

  it('spares a new version the reads that cannot find anything', async () => {
    const log: Write[] = []
    const targets = await publishedPair(log)
    const plan = makePlan(await planFacts())
    await publish(plan, targets, silentLogger)

    for (const t of [targets.plugin, targets.rules]) {
      // Every manifest refers to a blob (or a manifest) this push wrote: no HEAD before it.
      expect(t.reads.filter((r) => r.kind === 'manifest')).toEqual([])
      // A new version's tags cannot name its new root yet: none is read before the tags are
      // written (the convergence check reads them after).
      const firstTagWrite = log.findIndex(
        (w) => w.kind === 'manifest' && !w.ref.startsWith('sha256:')
      )
      expect(t.reads.filter((r) => r.kind === 'tag' && r.afterWrites <= firstTagWrite)).toEqual([])
    }
  })

  it('publishing the same release again writes nothing', async () => {
    const log: Write[] = []
    const targets = await publishedPair(log)
    const facts = await planFacts()
    await publish(makePlan(facts), targets, silentLogger)
    const before = log.length
    // A re-run plans again from what the registry holds: the version is "same", and each tag
    // is read once, at once, before any would be written.
    const replanned = makePlan({
      ...facts,
      publishedTags: {
        plugin: [...targets.plugin.tags.keys()],
        rules: [...targets.rules.tags.keys()]
      },
      existing: { plugin: targets.plugin.tags.get('1.4.2'), rules: targets.rules.tags.get('1.4.2') }
    })
    expect([replanned.plugin.status, replanned.rules?.status]).toEqual(['same', 'same'])
    const readsBefore = targets.plugin.reads.length
    const again = await publish(replanned, targets, silentLogger)
    const tagReads = targets.plugin.reads.slice(readsBefore).filter((r) => r.kind === 'tag')
    expect(
      tagReads
        .slice(0, 4)
        .map((r) => r.ref)
        .sort()
    ).toEqual(['1', '1.4', '1.4.2', 'latest'])
    expect(log.length).toBe(before)
    expect(again).toMatchObject({ blobsUploaded: 0, bytesUploaded: 0, manifestsWritten: 0 })
    // It looked for each manifest (3) before deciding not to write it.
    const manifestReads = [targets.plugin, targets.rules].flatMap((t) =>
      t.reads.filter((r) => r.kind === 'manifest')
    )
    expect(manifestReads).toHaveLength(3)
    expect(again.tags.every((t) => !t.written)).toBe(true)
  })

  it('a failure at any write leaves every floating tag where it was', async () => {
    // First publish 1.4.1 so that the floating tags point somewhere.
    const log: Write[] = []
    const old = makePlan(await planFacts({}, '1.4.1'))
    let failNext = false
    const targets = await publishedPair(log, () => failNext)
    await publish(old, targets, silentLogger)
    const before = {
      plugin: new Map(targets.plugin.tags),
      rules: new Map(targets.rules.tags)
    }
    const plan = makePlan(
      await planFacts({
        publishedTags: {
          plugin: [...targets.plugin.tags.keys()],
          rules: [...targets.rules.tags.keys()]
        }
      })
    )
    // Count the writes of a clean run, then fail at each one in turn.
    const countLog: Write[] = []
    const scratch = await publishedPair(countLog)
    await publish(old, scratch, silentLogger)
    const base = countLog.length
    await publish(plan, scratch, silentLogger)
    const writes = countLog.length - base
    expect(writes).toBeGreaterThan(6)

    for (let n = 0; n < writes; n++) {
      const l: Write[] = []
      let count = 0
      const t = await publishedPair(l, () => failNext && count++ === n)
      failNext = false
      await publish(old, t, silentLogger)
      const start = l.length
      failNext = true
      await expect(publish(plan, t, silentLogger)).rejects.toThrow(/injected failure/)
      const movedAFloatingTag = l.slice(start).some((w) => FLOATING.includes(w.ref))
      if (!movedAFloatingTag) {
        for (const tag of FLOATING) {
          expect(t.plugin.tags.get(tag)).toBe(before.plugin.get(tag))
          expect(t.rules.tags.get(tag)).toBe(before.rules.get(tag))
        }
        // Never a floating tag on a half-published release: both version tags exist first.
      } else {
        expect(t.plugin.tags.get('1.4.2')).toBe(plan.plugin.root.descriptor.digest)
        expect(t.rules.tags.get('1.4.2')).toBe(plan.rules?.root.descriptor.digest)
      }
    }
  })
})
