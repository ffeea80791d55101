import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rfc3339, sourceDateEpoch } from '../../src/version/source-date.js'

function gitRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fpr-git-'))
  const git = (args: string[], date?: string) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
        ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {})
      }
    })
  const commit = (file: string, date: string) => {
    writeFileSync(join(dir, file), file)
    git(['add', file])
    git(['commit', '-qm', file], date)
  }
  git(['init', '-q'])
  commit('a', '2025-03-04T05:06:07Z')
  git(['tag', '1.0.0'])
  commit('b', '2026-01-01T00:00:00Z')
  return dir
}

// git finds PATH and HOME here, as the run context gives them to children.
const childEnvBase = process.env

describe('sourceDateEpoch', () => {
  it('prefers SOURCE_DATE_EPOCH', async () => {
    expect(
      await sourceDateEpoch(
        { sourceDateEpoch: '1700000000', childEnvBase },
        '/nonexistent',
        '1.0.0'
      )
    ).toEqual({
      epoch: 1700000000,
      from: 'SOURCE_DATE_EPOCH'
    })
  })

  it('refuses a SOURCE_DATE_EPOCH that is not whole seconds', async () => {
    await expect(
      sourceDateEpoch({ sourceDateEpoch: '2026-01-01', childEnvBase }, '.', '1.0.0')
    ).rejects.toThrow(/whole seconds/)
  })

  it('uses the tagged commit, not HEAD and not the clock', async () => {
    const dir = gitRepo()
    const { epoch } = await sourceDateEpoch({ childEnvBase }, dir, '1.0.0')
    expect(rfc3339(epoch)).toBe('2025-03-04T05:06:07Z')
  })

  it('falls back to HEAD when the tag is not in the checkout', async () => {
    const dir = gitRepo()
    const { epoch } = await sourceDateEpoch({ childEnvBase }, dir, '9.9.9')
    expect(rfc3339(epoch)).toBe('2026-01-01T00:00:00Z')
  })

  it('says how to fix a directory that is not a git checkout', async () => {
    await expect(sourceDateEpoch({ childEnvBase }, tmpdir(), '1.0.0')).rejects.toThrow(
      /not a git checkout.*actions\/checkout.*SOURCE_DATE_EPOCH/
    )
  })
})
