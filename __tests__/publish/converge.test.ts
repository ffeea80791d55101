import { describe, expect, it } from '@jest/globals'
import { silentLogger } from '../../src/log.js'
import { makePlan } from '../../src/plan/plan.js'
import { expectedFloating, floatingRange } from '../../src/publish/converge.js'
import { publish } from '../../src/publish/publish.js'
import { MemoryTarget, type Write } from '../helpers/memory-target.js'
import { planFacts } from '../helpers/plan-facts.js'
import { devRelease } from '../../src/version/dev.js'

describe('expectedFloating', () => {
  it('points each floating tag at the highest stable version of its range', () => {
    const tags = ['1.1.0', '1.2.0', '1.2.1-rc.1', '1.1', '1', 'latest', '2.0.0-rc.1', '0.9.0']
    expect(Object.fromEntries(expectedFloating(['1.1', '1.2', '1', 'latest', '0'], tags))).toEqual({
      '1.1': '1.1.0',
      '1.2': '1.2.0',
      '1': '1.2.0',
      latest: '1.2.0',
      '0': '0.9.0'
    })
  })

  it('leaves out a tag whose range holds no stable version', () => {
    expect([...expectedFloating(['3', '3.1'], ['1.0.0', '3.1.0-rc.1']).keys()]).toEqual([])
  })

  it('knows only floating tags', () => {
    expect(floatingRange('1.2.3')).toBeUndefined()
    expect(floatingRange('main')).toBeUndefined()
    expect(() => expectedFloating(['main'], [])).toThrow(/not a floating tag/)
  })
})

describe('publish converges the floating tags', () => {
  it('a release that planned before a newer one was published does not leave latest behind', async () => {
    const log: Write[] = []
    const plugin = new MemoryTarget('plugin', log)
    const rules = new MemoryTarget('rules', log)
    // 1.1.0 and 1.2.0 are planned at the same time, on an empty repository...
    const older = makePlan(await planFacts({}, '1.1.0'))
    const newer = makePlan(await planFacts({}, '1.2.0'))
    expect(older.plugin.tags).toEqual(['1.1.0', '1.1', '1', 'latest'])
    // ...and 1.2.0 finishes first; 1.1.0's floating writes land after it.
    await publish(newer, { plugin, rules }, silentLogger)
    const report = await publish(older, { plugin, rules }, silentLogger)

    for (const [target, plan] of [
      [plugin, newer.plugin],
      [rules, newer.rules]
    ] as const) {
      expect(target.tags.get('latest')).toBe(plan?.root.descriptor.digest)
      expect(target.tags.get('1')).toBe(plan?.root.descriptor.digest)
      expect(target.tags.get('1.2')).toBe(plan?.root.descriptor.digest)
    }
    // 1.1 is 1.1.0's own: nothing to repair there.
    expect(plugin.tags.get('1.1')).toBe(older.plugin.root.descriptor.digest)
    expect(report.repairs.map((r) => `${r.ref}:${r.tag}->${r.version}`).sort()).toEqual(
      [
        `${older.plugin.ref}:1->1.2.0`,
        `${older.plugin.ref}:latest->1.2.0`,
        `${older.rules?.ref}:1->1.2.0`,
        `${older.rules?.ref}:latest->1.2.0`
      ].sort()
    )
  })

  it('repairs nothing and writes nothing more when no release raced', async () => {
    const log: Write[] = []
    const plugin = new MemoryTarget('plugin', log)
    const rules = new MemoryTarget('rules', log)
    const plan = makePlan(await planFacts({}, '1.4.2'))
    const report = await publish(plan, { plugin, rules }, silentLogger)
    expect(report.repairs).toEqual([])
    // 4 blobs, 3 manifests by digest, 2 x 4 tags: no extra write.
    expect(log.length).toBe(4 + 3 + 8)
    // The check, after the last write: the floating tags, the list and the released version
    // (read with the list), each once.
    for (const t of [plugin, rules]) {
      const check = t.reads.filter((r) => r.afterWrites === log.length)
      expect(check.map((r) => `${r.kind} ${r.ref}`).sort()).toEqual(
        ['tag 1', 'tag 1.4', 'tag 1.4.2', 'tag latest', 'tags '].sort()
      )
    }
  })

  it('does not touch a floating tag the release did not move (a backport leaves latest alone)', async () => {
    const log: Write[] = []
    const plugin = new MemoryTarget('plugin', log)
    const rules = new MemoryTarget('rules', log)
    await publish(makePlan(await planFacts({}, '1.4.2')), { plugin, rules }, silentLogger)
    // Someone points latest at 1.4.2's index by hand: a backport must not "fix" it.
    const pinned = plugin.tags.get('latest')
    const backport = makePlan(
      await planFacts(
        {
          publishedTags: { plugin: [...plugin.tags.keys()], rules: [...rules.tags.keys()] }
        },
        '1.3.9'
      )
    )
    expect(backport.plugin.tags).toEqual(['1.3.9', '1.3'])
    const report = await publish(backport, { plugin, rules }, silentLogger)
    expect(report.repairs).toEqual([])
    expect(plugin.tags.get('latest')).toBe(pinned)
  })
})

describe('publish converges the dev tag', () => {
  const devFacts = async (version: string) =>
    planFacts(
      {
        release: devRelease(version, {
          branch: 'main',
          devTag: 'main',
          commit: 'abc1234',
          commits: 1,
          soVersion: '1.4.2'
        })
      },
      version
    )

  it('two pushes built at once: main ends on the newer dev build, stable tags never written', async () => {
    const log: Write[] = []
    const plugin = new MemoryTarget('plugin', log)
    const rules = new MemoryTarget('rules', log)
    const older = makePlan(await devFacts('1.4.3-dev.5.g5555555'))
    const newer = makePlan(await devFacts('1.4.3-dev.6.g6666666'))
    expect(older.plugin.tags).toEqual(['1.4.3-dev.5.g5555555', 'main'])
    await publish(newer, { plugin, rules }, silentLogger)
    const report = await publish(older, { plugin, rules }, silentLogger)
    expect(plugin.tags.get('main')).toBe(newer.plugin.root.descriptor.digest)
    expect(rules.tags.get('main')).toBe(newer.rules?.root.descriptor.digest)
    expect(report.repairs.map((r) => `${r.tag}->${r.version}`)).toEqual([
      'main->1.4.3-dev.6.g6666666',
      'main->1.4.3-dev.6.g6666666'
    ])
    expect([...plugin.tags.keys()].sort()).toEqual([
      '1.4.3-dev.5.g5555555',
      '1.4.3-dev.6.g6666666',
      'main'
    ])
  })
})
