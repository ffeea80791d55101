// Wiring of the action entry point: inputs in, outputs and summary out, and
// failures reported through core.setFailed with secrets scrubbed.
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { ReleaseResult } from '../src/pipeline/state.js'
import { makePlan } from '../src/plan/plan.js'
import type { RunContext } from '../src/context.js'
import { githubContextFrom } from '../test/helpers/context.js'
import { planFacts, metadata } from './helpers/plan-facts.js'

const summaryWrite = jest.fn(async () => undefined)
const core = {
  info: jest.fn(),
  warning: jest.fn(),
  debug: jest.fn(),
  setSecret: jest.fn(),
  setOutput: jest.fn(),
  setFailed: jest.fn(),
  group: jest.fn(async (_t: string, fn: () => Promise<unknown>) => fn()),
  summary: { addRaw: jest.fn(() => ({ write: summaryWrite })) }
}
const runRelease = jest.fn<(...args: unknown[]) => Promise<ReleaseResult>>()

jest.unstable_mockModule('@actions/core', () => core)
jest.unstable_mockModule('../src/pipeline/run.js', () => ({ runRelease }))
const { run } = await import('../src/main.js')

const env = {
  GITHUB_REPOSITORY: 'acme/plugins',
  GITHUB_REF: 'refs/tags/1.4.2',
  GITHUB_STEP_SUMMARY: '/dev/null',
  INPUT_PASSWORD: 'hunter2-secret'
}

describe('run', () => {
  beforeEach(() => {
    jest.clearAllMocks()
  })

  it('sets every output and writes the summary', async () => {
    const plan = makePlan(await planFacts())
    runRelease.mockResolvedValue({
      mode: 'release',
      builds: [
        {
          platform: { os: 'linux', architecture: 'amd64' },
          glibcFloor: 'glibc 2.34',
          glibcVersion: '2.34',
          manifestDigest: plan.plugin.manifests[0].descriptor.digest
        }
      ],
      plan,
      metadata: metadata(),
      pluginPath: '/w/libfoo.so',
      indexFile: '/w/index.yaml',
      dryRun: false,
      warnings: []
    })
    await run(env, githubContextFrom(env))
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(core.setSecret).toHaveBeenCalledWith('hunter2-secret')
    const outputs = Object.fromEntries(core.setOutput.mock.calls as Array<[string, string]>)
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'digest',
        'glibc-floor',
        'index-file',
        'index-url',
        'metadata',
        'platform',
        'plugin-digest',
        'plugin-path',
        'plugin-ref',
        'registry-entry',
        'release-url',
        'rules-digest',
        'rules-ref',
        'signed',
        'skipped',
        'tags',
        'version'
      ].sort()
    )
    expect(outputs['plugin-ref']).toBe('ghcr.io/acme/plugins/plugin/foo:1.4.2')
    expect(outputs.tags).toBe('1.4.2\n1.4\n1\nlatest')
    expect(outputs.skipped).toBe('false')
    expect(JSON.parse(outputs.metadata).plugin.requiredApiVersion).toBe('3.11.0')
    expect(summaryWrite).toHaveBeenCalledTimes(1)
    const summary = (core.summary.addRaw.mock.calls[0] as unknown as [string])[0]
    expect(summary).toContain('falcoctl artifact install foo-rules:latest')
  })

  it('fails the step with the error, never showing the password', async () => {
    runRelease.mockRejectedValue(new Error('registry said no to hunter2-secret'))
    await run(env, githubContextFrom(env))
    expect(core.setFailed).toHaveBeenCalledWith('registry said no to ***')
  })

  it('reads the inputs from INPUT_* with the defaults of action.yml', async () => {
    runRelease.mockRejectedValue(new Error('stop'))
    const withDir = { ...env, 'INPUT_WORKING-DIRECTORY': 'plugins/foo' }
    await run(withDir, githubContextFrom(withDir))
    const { inputs, context } = runRelease.mock.calls[0][0] as {
      inputs: Record<string, unknown>
      context: RunContext
    }
    // The tag comes from the context read once here, not from the environment below.
    expect(context.github).toMatchObject({ ref: 'refs/tags/1.4.2', repository: 'acme/plugins' })
    expect(inputs).toMatchObject({
      workingDirectory: 'plugins/foo',
      goPackage: './plugin',
      registry: 'ghcr.io',
      repository: 'acme/plugins',
      password: 'hunter2-secret'
    })
  })
})
