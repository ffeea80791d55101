import { describe, expect, it } from '@jest/globals'
import { installTag, makePlan } from '../../src/plan/plan.js'
import { chooseDevTags } from '../../src/plan/retention.js'
import { planDevTags, tagsToWrite } from '../../src/plan/tags.js'
import { devRelease } from '../../src/version/dev.js'
import { metadata, planFacts } from '../helpers/plan-facts.js'

const release = (version: string, devTag = 'main') =>
  devRelease(version, {
    branch: 'main',
    devTag,
    commit: 'abc1234def5678',
    commits: 5,
    soVersion: '1.4.2',
    lastRelease: { tag: 'v1.4.2', version: '1.4.2' }
  })

const STABLE = ['1.4.2', '1.4', '1', 'latest', '1.3.9', '1.3']

describe('planDevTags', () => {
  it('writes the exact dev version and moves the dev tag, nothing stable', () => {
    const plan = planDevTags(release('1.4.3-dev.5.gabc1234'), 'main', STABLE)
    expect(tagsToWrite(plan)).toEqual(['1.4.3-dev.5.gabc1234', 'main'])
    expect(plan.devTag).toBe('main')
    for (const t of STABLE) expect(tagsToWrite(plan)).not.toContain(t)
  })

  it('a dev build of a bumped major still moves no stable tag', () => {
    const plan = planDevTags(release('2.0.0-dev.1.gabc1234'), 'main', STABLE)
    expect(tagsToWrite(plan)).toEqual(['2.0.0-dev.1.gabc1234', 'main'])
  })

  it('leaves the dev tag on a newer dev build (a re-run of an older push), saying why', () => {
    const plan = planDevTags(release('1.4.3-dev.5.gabc1234'), 'main', [
      ...STABLE,
      '1.4.3-dev.4.g1111111',
      '1.4.3-dev.6.g2222222',
      'main'
    ])
    expect(tagsToWrite(plan)).toEqual(['1.4.3-dev.5.gabc1234'])
    expect(plan.floating[0]).toMatchObject({
      tag: 'main',
      move: false,
      reason: expect.stringMatching(/1\.4\.3-dev\.6\.g2222222, a newer dev build/)
    })
  })

  it('moves the dev tag again on a re-run of the newest build (same version)', () => {
    const plan = planDevTags(release('1.4.3-dev.6.g2222222'), 'main', [
      '1.4.3-dev.6.g2222222',
      'main'
    ])
    expect(tagsToWrite(plan)).toEqual(['1.4.3-dev.6.g2222222', 'main'])
  })

  it('after a release, the next dev builds win over the last ones before it', () => {
    const plan = planDevTags(release('1.4.4-dev.1.g3333333'), 'main', [
      '1.4.3-dev.9.g1111111',
      '1.4.3'
    ])
    expect(tagsToWrite(plan)).toEqual(['1.4.4-dev.1.g3333333', 'main'])
  })
})

describe('makePlan for a dev build', () => {
  it('both artifacts carry the dev version, point at each other by it, and get the same tags', async () => {
    const version = '1.4.3-dev.5.gabc1234'
    const plan = makePlan(
      await planFacts(
        { release: release(version), publishedTags: { plugin: STABLE, rules: STABLE } },
        version
      )
    )
    expect(plan.plugin.tags).toEqual([version, 'main'])
    expect(plan.rules?.tags).toEqual([version, 'main'])
    expect(plan.plugin.config.version).toBe(version)
    expect(plan.plugin.config.dependencies).toEqual([{ name: 'foo-rules', version }])
    expect(plan.rules?.config.version).toBe(version)
    expect(plan.rules?.config.dependencies).toEqual([{ name: 'foo', version }])
    expect(installTag(plan)).toBe('main')
  })

  it('installs by the exact version when the dev tag stays', async () => {
    const version = '1.4.3-dev.5.gabc1234'
    const newer = ['1.4.3-dev.7.gfffffff']
    const plan = makePlan(
      await planFacts(
        { release: release(version), publishedTags: { plugin: newer, rules: newer } },
        version
      )
    )
    expect(plan.plugin.tags).toEqual([version])
    expect(installTag(plan)).toBe(version)
  })

  it('a stable release still installs by latest', async () => {
    const plan = makePlan(await planFacts({ metadata: metadata() }))
    expect(installTag(plan)).toBe('latest')
  })
})

describe('chooseDevTags', () => {
  const tags = [
    'latest',
    '1.4.2',
    '1.4',
    'main',
    '1.4.3-dev.1.g1111111',
    '1.4.3-dev.2.g2222222',
    '1.4.3-dev.10.gaaaaaaa',
    '1.4.4-dev.1.g3333333',
    '1.5.0-rc.1'
  ]

  it('keeps the newest N dev tags and never proposes anything else', () => {
    expect(chooseDevTags(tags, 2)).toEqual({
      keep: ['1.4.4-dev.1.g3333333', '1.4.3-dev.10.gaaaaaaa'],
      remove: ['1.4.3-dev.2.g2222222', '1.4.3-dev.1.g1111111']
    })
  })

  it('0 keeps every dev tag', () => {
    expect(chooseDevTags(tags, 0).remove).toEqual([])
  })

  it('never removes a protected tag (the one just published)', () => {
    expect(chooseDevTags(tags, 1, ['1.4.3-dev.1.g1111111'])).toEqual({
      keep: ['1.4.4-dev.1.g3333333', '1.4.3-dev.1.g1111111'],
      remove: ['1.4.3-dev.10.gaaaaaaa', '1.4.3-dev.2.g2222222']
    })
  })
})
