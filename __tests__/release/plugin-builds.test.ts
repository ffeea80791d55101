// How many platforms build at once, and the inspector cache (compiled once per source and
// compiler, reused by later runs).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readInputs, type InputName } from '../../src/inputs/inputs.js'
import { compileInspector, inspectorCacheDir } from '../../src/inspect/inspect.js'
import { buildConcurrency } from '../../src/release/plugin-builds.js'
import { requireTool } from '../../test/helpers/tools.js'
import { contextFrom } from '../../test/helpers/context.js'

const inputs = (values: Partial<Record<InputName, string>>) =>
  readInputs((n) => values[n] ?? '', contextFrom({ GITHUB_REPOSITORY: 'acme/p' }).github)

describe('buildConcurrency', () => {
  it('builds every platform at once, up to one per core', () => {
    expect(buildConcurrency(inputs({}), 2, 2)).toBe(2)
    expect(buildConcurrency(inputs({}), 2, 8)).toBe(2)
    expect(buildConcurrency(inputs({}), 2, 1)).toBe(1)
    expect(buildConcurrency(inputs({}), 1, 4)).toBe(1)
  })

  it('runs a build-command once at a time: it writes one plugin-path for every platform', () => {
    const i = inputs({ 'build-command': 'make', 'plugin-path': 'libp.so' })
    expect(buildConcurrency(i, 2, 8)).toBe(1)
  })
})

describe('the inspector cache', () => {
  let dir: string
  beforeAll(() => {
    requireTool('gcc')
    dir = mkdtempSync(join(tmpdir(), 'fpr-inspector-cache-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('lives in the tool cache under a runner, else in the user cache directory', () => {
    expect(inspectorCacheDir({ RUNNER_TOOL_CACHE: '/opt/tc', HOME: '/h' })).toBe(
      '/opt/tc/falco-plugin-release/inspector'
    )
    expect(inspectorCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe(
      '/x/falco-plugin-release/inspector'
    )
    expect(inspectorCacheDir({ HOME: '/h' })).toBe('/h/.cache/falco-plugin-release/inspector')
  })

  it('compiles once per compiler and reuses the binary', async () => {
    const first = await compileInspector({ env: process.env, cc: 'gcc', cacheDir: dir })
    const built = statSync(first).mtimeMs
    const again = await compileInspector({ env: process.env, cc: 'gcc', cacheDir: dir })
    expect(again).toBe(first)
    expect(statSync(again).mtimeMs).toBe(built)
    // Another compiler command (or another compiler binary) is another entry.
    const other = await compileInspector({ env: process.env, cc: 'gcc -O1', cacheDir: dir })
    expect(other).not.toBe(first)
  }, 120_000)
})
