import { describe, expect, it } from '@jest/globals'
import semver from 'semver'
import {
  checkDevTag,
  devRelease,
  devVersion,
  highestDevVersion,
  isDevVersion,
  resolveRun
} from '../../src/version/dev.js'

const SHA = 'abc1234def5678abc1234def5678abc1234def56'
const dev = (soVersion: string, lastRelease?: string, commits = 5) =>
  devVersion({ soVersion, lastRelease, commits, commit: SHA })

describe('devVersion', () => {
  it('the .so not bumped since the last release: the next patch, commits, commit', () => {
    expect(dev('1.4.2', '1.4.2')).toBe('1.4.3-dev.5.gabc1234')
  })

  it('the .so already bumped: its version, so the dev build sorts before that release', () => {
    expect(dev('1.5.0', '1.4.2')).toBe('1.5.0-dev.5.gabc1234')
    expect(dev('2.0.0', '1.4.2', 0)).toBe('2.0.0-dev.0.gabc1234')
    // A pre-release the .so reports is not released yet: the dev build comes before it.
    expect(dev('1.5.0-rc.1', '1.4.2')).toBe('1.5.0-dev.5.gabc1234')
  })

  it('after a pre-release of the same version: after that pre-release, before the final', () => {
    expect(dev('1.5.0', '1.5.0-rc.1')).toBe('1.5.0-rc.1.dev.5.gabc1234')
    expect(dev('1.5.0-rc.1', '1.5.0-rc.1')).toBe('1.5.0-rc.1.dev.5.gabc1234')
    expect(dev('1.5.0-rc.2', '1.5.0-rc.1')).toBe('1.5.0-rc.1.dev.5.gabc1234')
    expect(dev('1.6.0', '1.5.0-rc.1')).toBe('1.6.0-dev.5.gabc1234')
  })

  it('no release tag yet: the .so version, counting every commit', () => {
    expect(dev('0.1.0', undefined, 12)).toBe('0.1.0-dev.12.gabc1234')
    expect(dev('0.1.0-alpha.1', undefined, 1)).toBe('0.1.0-dev.1.gabc1234')
  })

  it('refuses a .so older than the last release, naming both and the fix', () => {
    expect(() => dev('1.4.1', '1.4.2')).toThrow(
      /reports version 1\.4\.1.*older than 1\.4\.2.*1\.4\.3/
    )
    expect(() => dev('1.5.0-beta', '1.5.0-rc.1')).toThrow(/older than 1\.5\.0-rc\.1/)
  })

  it('refuses a .so version that is no semantic version', () => {
    expect(() => dev('1.4', '1.4.2')).toThrow(/"1\.4".*not a semantic version/)
    expect(() => dev('1.4.2+build.1', '1.4.2')).toThrow(/not a semantic version/)
  })

  it('is valid SemVer with no build metadata, and a valid OCI tag', () => {
    for (const v of [dev('1.4.2', '1.4.2'), dev('1.5.0', '1.5.0-rc.1'), dev('0.1.0')]) {
      expect(semver.valid(v)).toBe(v)
      expect(v).not.toContain('+')
      expect(v).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/)
      expect(isDevVersion(v)).toBe(true)
    }
  })

  it('a commit id of digits only still makes an alphanumeric identifier (no leading-zero number)', () => {
    const v = devVersion({ soVersion: '1.0.0', commits: 3, commit: '0123456789' })
    expect(v).toBe('1.0.0-dev.3.g0123456')
    expect(semver.valid(v)).toBe(v)
  })

  it('every dev version sorts after the last release; more commits sort later', () => {
    const cases: Array<[string, string]> = [
      ['1.4.2', '1.4.2'],
      ['1.5.0', '1.4.2'],
      ['1.5.0', '1.5.0-rc.1'],
      ['1.5.0-rc.2', '1.5.0-rc.1'],
      ['3.0.0', '2.9.9-beta.1']
    ]
    for (const [so, last] of cases) {
      const v = dev(so, last)
      expect([so, last, semver.gt(v, last)]).toEqual([so, last, true])
      // Not yet released versions the .so reports stay ahead of their dev builds.
      if (semver.gt(so, last)) expect([so, last, semver.lt(v, so)]).toEqual([so, last, true])
      expect(semver.gt(dev(so, last, 10), dev(so, last, 9))).toBe(true)
    }
  })
})

describe('isDevVersion and highestDevVersion', () => {
  it('tells dev versions from releases, pre-releases and floating tags', () => {
    expect(isDevVersion('1.4.3-dev.5.gabc1234')).toBe(true)
    expect(isDevVersion('1.5.0-rc.1.dev.0.gabc1234')).toBe(true)
    for (const t of [
      '1.4.2',
      '1.5.0-rc.1',
      'latest',
      'main',
      '1.4',
      '1.4.3-dev.5',
      'v1.4.3-dev.5.gabc1234'
    ]) {
      expect([t, isDevVersion(t)]).toEqual([t, false])
    }
  })

  it('orders by SemVer: base version first, then commits', () => {
    expect(
      highestDevVersion([
        '1.4.3-dev.9.gaaaaaaa',
        '1.4.3-dev.10.gbbbbbbb',
        'latest',
        '1.4.2',
        '9.9.9'
      ])
    ).toBe('1.4.3-dev.10.gbbbbbbb')
    expect(highestDevVersion(['1.4.3-dev.10.gbbbbbbb', '1.4.4-dev.1.gccccccc'])).toBe(
      '1.4.4-dev.1.gccccccc'
    )
    expect(highestDevVersion(['1.4.2', 'latest'])).toBeUndefined()
  })
})

describe('checkDevTag', () => {
  it('accepts branch-like names', () => {
    for (const t of ['main', 'dev', 'nightly', 'main-dev', 'edge_1'])
      expect(() => checkDevTag(t)).not.toThrow()
  })
  it('refuses what a release would also write, and what is no OCI tag', () => {
    for (const t of ['latest', '1', '1.4', '1.4.2', 'v2', '1.5.0-rc.1']) {
      expect(() => checkDevTag(t)).toThrow(/looks like a release tag/)
    }
    for (const t of ['', 'feature/x', '-main', 'a'.repeat(129)]) {
      expect(() => checkDevTag(t)).toThrow(/is not an OCI tag/)
    }
  })
})

describe('resolveRun', () => {
  const event = { repository: { default_branch: 'main' } }
  const push = (ref: string, extra: Record<string, string> = {}) => ({
    GITHUB_REF: ref,
    GITHUB_EVENT_NAME: 'push',
    ...extra
  })
  /** The run's GitHub facts, as the context gives them, from its variables and event. */
  const gh = (env: Record<string, string>, e?: typeof event) => ({
    ref: env.GITHUB_REF ?? '',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event: { defaultBranch: e?.repository.default_branch, deleted: false, privateRepository: false }
  })

  it('a tag input or a tag ref is a tag release', () => {
    expect(
      resolveRun({ tagInput: '1.2.3', devBranch: '', github: gh(push('refs/heads/main'), event) })
    ).toEqual({
      kind: 'tag',
      tag: '1.2.3'
    })
    expect(
      resolveRun({ tagInput: '', devBranch: '', github: gh(push('refs/tags/v1.2.3'), event) })
    ).toEqual({
      kind: 'tag',
      tag: 'v1.2.3'
    })
  })

  it('a push to the default branch (from the event) is a dev build; so is workflow_dispatch', () => {
    expect(
      resolveRun({ tagInput: '', devBranch: '', github: gh(push('refs/heads/main'), event) })
    ).toEqual({
      kind: 'dev',
      branch: 'main',
      eventName: 'push'
    })
    const dispatch = { GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_NAME: 'workflow_dispatch' }
    expect(resolveRun({ tagInput: '', devBranch: '', github: gh(dispatch, event) }).kind).toBe(
      'dev'
    )
  })

  it('dev-branch names another branch, and works without an event payload', () => {
    expect(
      resolveRun({ tagInput: '', devBranch: 'develop', github: gh(push('refs/heads/develop')) })
    ).toEqual({ kind: 'dev', branch: 'develop', eventName: 'push' })
  })

  it('refuses other branches, other events and an unknown default branch, with the fix', () => {
    expect(() =>
      resolveRun({ tagInput: '', devBranch: '', github: gh(push('refs/heads/feature'), event) })
    ).toThrow(
      /branch "feature", which is not a tag and not the dev branch "main".*branches: \[main\]/
    )
    expect(() =>
      resolveRun({
        tagInput: '',
        devBranch: '',
        github: gh({ GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_NAME: 'pull_request' }, event)
      })
    ).toThrow(/"refs\/heads\/main" \(pull_request event\), which is not a tag/)
    expect(() =>
      resolveRun({ tagInput: '', devBranch: '', github: gh({ GITHUB_REF: 'refs/heads/main' }) })
    ).toThrow(/refs\/heads\/main.*not a tag/)
    expect(() =>
      resolveRun({ tagInput: '', devBranch: '', github: gh(push('refs/heads/main')) })
    ).toThrow(/default branch is unknown.*set dev-branch/)
    expect(() => resolveRun({ tagInput: '', devBranch: '', github: gh({}) })).toThrow(
      /no tag to release/
    )
  })
})

describe('devRelease', () => {
  it('is a pre-release named after the branch, carrying its channel', () => {
    const channel = {
      branch: 'main',
      devTag: 'main',
      commit: SHA,
      commits: 5,
      soVersion: '1.4.2',
      lastRelease: { tag: 'v1.4.2', version: '1.4.2' }
    }
    const r = devRelease('1.4.3-dev.5.gabc1234', channel)
    expect(r).toMatchObject({
      version: '1.4.3-dev.5.gabc1234',
      major: 1,
      minor: 4,
      patch: 3,
      prerelease: true,
      tag: 'main',
      dev: channel
    })
  })
})
