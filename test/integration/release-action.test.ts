// Releasing the action itself: the release commit pins the reusable workflow's call of the
// action to the released commit, so `release-plugin.yml@vX.Y.Z` runs the action of vX.Y.Z.
// Run on a clone of this repository, as .github/workflows/release-action.yml runs it.
import { describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from '../helpers/action.js'

const run = promisify(execFile)
const git = async (cwd: string, ...args: string[]) =>
  (await run('git', args, { cwd })).stdout.trim()

describe('scripts/release-action.sh', () => {
  it('tags a commit whose release-plugin.yml runs the action at the released SHA, and only that', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'fpr-release-action-')), 'repo')
    await run('git', ['clone', '--quiet', '--no-local', ROOT, dir])
    const branch = await git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')
    const source = await git(dir, 'rev-parse', 'HEAD')
    const { stdout } = await run('bash', ['scripts/release-action.sh', 'v9.8.7'], { cwd: dir })
    expect(stdout).toContain(`runs the action at ${source}`)

    const workflow = await git(dir, 'show', 'v9.8.7:.github/workflows/release-plugin.yml')
    const calls = [
      ...workflow.matchAll(/uses:\s+falco-plugin-release\/falco-plugin-release@(\S+)/g)
    ]
    expect(calls.length).toBeGreaterThan(0)
    expect(calls.map((m) => m[1])).toEqual(calls.map(() => source))
    // The tag is one commit on top of the released one, changing nothing but that line.
    expect(await git(dir, 'rev-parse', 'v9.8.7^{commit}~1')).toBe(source)
    expect(await git(dir, 'diff', '--name-only', source, 'v9.8.7')).toBe(
      '.github/workflows/release-plugin.yml'
    )
    // The branch did not move, and the work tree is back on it.
    expect(await git(dir, 'rev-parse', 'HEAD')).toBe(source)
    expect(await git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(branch)

    // A second release of the same version, or a version that is not vX.Y.Z, is refused.
    await expect(
      run('bash', ['scripts/release-action.sh', 'v9.8.7'], { cwd: dir })
    ).rejects.toThrow(/already exists/)
    await expect(run('bash', ['scripts/release-action.sh', '9.8.8'], { cwd: dir })).rejects.toThrow(
      /vX\.Y\.Z/
    )
  }, 120_000)
})
