import { describe, expect, it } from '@jest/globals'
import { planTags, stableVersions, tagsToWrite } from '../../src/plan/tags.js'
import { parseReleaseTag } from '../../src/version/version.js'

const tags = (version: string, published: string[], majorZeroTag = false) =>
  tagsToWrite(planTags(parseReleaseTag(version), published, { majorZeroTag }))

describe('planTags', () => {
  it('first stable release gets every tag', () => {
    expect(tags('1.0.0', [])).toEqual(['1.0.0', '1.0', '1', 'latest'])
  })

  it('a patch on top moves everything', () => {
    expect(tags('1.0.1', ['1.0.0', '1.0', '1', 'latest'])).toEqual(['1.0.1', '1.0', '1', 'latest'])
  })

  it('a backport moves only its minor line', () => {
    const published = ['1.3.8', '1.3', '1.4.2', '1.4', '1', 'latest']
    expect(tags('1.3.9', published)).toEqual(['1.3.9', '1.3'])
  })

  it('a fix on an old major moves that major but not latest', () => {
    expect(tags('1.0.2', ['1.0.1', '2.0.0'])).toEqual(['1.0.2', '1.0', '1'])
  })

  it('a pre-release gets only its exact tag', () => {
    expect(tags('2.1.0-rc.1', ['2.0.0'])).toEqual(['2.1.0-rc.1'])
    expect(tags('1.0.0-alpha', [])).toEqual(['1.0.0-alpha'])
  })

  it('published pre-releases do not hold back a stable release', () => {
    expect(tags('2.0.0', ['1.9.0', '2.0.0-rc.1', '2.1.0-rc.1'])).toEqual([
      '2.0.0',
      '2.0',
      '2',
      'latest'
    ])
  })

  it('re-running a published release yields the same tags', () => {
    expect(tags('1.4.2', ['1.4.2', '1.4', '1', 'latest', '1.3.9'])).toEqual([
      '1.4.2',
      '1.4',
      '1',
      'latest'
    ])
  })

  it('major zero gets no bare 0 tag unless asked', () => {
    expect(tags('0.4.0', ['0.3.0'])).toEqual(['0.4.0', '0.4', 'latest'])
    expect(tags('0.4.0', ['0.3.0'], true)).toEqual(['0.4.0', '0.4', '0', 'latest'])
  })

  it('explains every tag it does not move', () => {
    const plan = planTags(parseReleaseTag('1.3.9'), ['1.4.2'])
    const latest = plan.floating.find((d) => d.tag === 'latest')
    expect(latest).toMatchObject({ move: false })
    expect(latest?.reason).toMatch(/1\.4\.2 is newer than 1\.3\.9/)
  })
})

describe('stableVersions', () => {
  it('keeps only canonical stable X.Y.Z tags, sorted', () => {
    expect(
      stableVersions(['latest', '1', '1.4', '1.10.0', '1.9.0', '2.0.0-rc.1', 'v3.0.0', 'main'])
    ).toEqual(['1.9.0', '1.10.0'])
  })
})
