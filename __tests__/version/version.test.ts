import { describe, expect, it } from '@jest/globals'
import { parseReleaseTag, VersionError } from '../../src/version/version.js'

describe('parseReleaseTag', () => {
  it('accepts a plain version', () => {
    expect(parseReleaseTag('1.4.2')).toMatchObject({
      version: '1.4.2',
      major: 1,
      minor: 4,
      patch: 2,
      prerelease: false
    })
  })

  it('drops a leading v', () => {
    expect(parseReleaseTag('v1.4.2').version).toBe('1.4.2')
    expect(parseReleaseTag('v1.4.2').tag).toBe('v1.4.2')
  })

  it('recognises pre-releases', () => {
    const v = parseReleaseTag('2.0.0-rc.1')
    expect(v.version).toBe('2.0.0-rc.1')
    expect(v.prerelease).toBe(true)
  })

  it.each([
    '1.2',
    '1',
    'latest',
    '01.2.3',
    '1.02.3',
    '1.2.3-',
    '1.2.3-01',
    'V1.2.3',
    'vv1.2.3',
    ' ',
    'release-1.2.3',
    '1.2.3.4'
  ])('refuses %p, quoting it and showing a valid tag', (tag) => {
    expect(() => parseReleaseTag(tag)).toThrow(VersionError)
    if (tag.trim() !== '') expect(() => parseReleaseTag(tag)).toThrow(`"${tag.trim()}"`)
    expect(() => parseReleaseTag(tag)).toThrow(/1\.4\.2/)
  })

  it('refuses build metadata and proposes the tag without it', () => {
    expect(() => parseReleaseTag('1.2.3+abc')).toThrow(/build metadata.*tag the release as 1\.2\.3/)
  })
})
