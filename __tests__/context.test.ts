// The run's context is read once, at the entry points: the GitHub parts from @actions/github's
// context, which reads the environment the runner (here, runAction's) gives the action.
import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRunContext, type GitHubContext } from '../src/context.js'
import { actionEnv, ROOT } from '../test/helpers/action.js'
import { contextFrom } from '../test/helpers/context.js'

const dir = mkdtempSync(join(tmpdir(), 'fpr-context-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** @actions/github's context, as a process started with `env` reads it. */
function actionsContextIn(env: Record<string, string>): GitHubContext {
  const script =
    "import { context } from '@actions/github'\n" +
    'const { ref, sha, eventName, actor, serverUrl, apiUrl, payload } = context\n' +
    'process.stdout.write(JSON.stringify({ ref, sha, eventName, actor, serverUrl, apiUrl, payload }))'
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env
  })
  return JSON.parse(out.toString('utf8')) as GitHubContext
}

describe('readRunContext', () => {
  const event = join(dir, 'event.json')
  writeFileSync(
    event,
    JSON.stringify({
      before: 'b'.repeat(40),
      after: 'c'.repeat(40),
      repository: { default_branch: 'trunk', private: true }
    })
  )
  const env = actionEnv({
    dir,
    inputs: { 'dry-run': 'true' },
    env: {
      GITHUB_REF: 'refs/heads/trunk',
      GITHUB_SHA: 'c'.repeat(40),
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: event,
      GITHUB_WORKSPACE: dir,
      GITHUB_SERVER_URL: 'https://ghes.example/',
      GITHUB_API_URL: 'https://ghes.example/api/v3',
      GITHUB_TOKEN: 'workflow-token',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/?api-version=2.0',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
      DOCKER_CONFIG: join(dir, 'docker'),
      CC: ' clang '
    }
  })

  it('reads what runAction sets through @actions/github and the environment', () => {
    const ctx = readRunContext(env, actionsContextIn(env), dir)
    expect(ctx.github).toEqual({
      repository: 'Acme/Falco-Plugins',
      serverUrl: 'https://ghes.example',
      apiUrl: 'https://ghes.example/api/v3',
      ref: 'refs/heads/trunk',
      sha: 'c'.repeat(40),
      actor: 'octocat',
      eventName: 'push',
      event: {
        defaultBranch: 'trunk',
        before: 'b'.repeat(40),
        after: 'c'.repeat(40),
        deleted: false,
        privateRepository: true
      },
      actions: true,
      token: 'workflow-token'
    })
    expect(ctx).toMatchObject({
      workspace: dir,
      cwd: dir,
      runnerTemp: dir,
      sourceDateEpoch: '1767225600',
      oidc: {
        requestUrl: 'https://token.example/?api-version=2.0',
        requestToken: 'request-token'
      },
      dockerConfig: join(dir, 'docker', 'config.json'),
      cc: 'clang'
    })
    // The environment is passed down only for children, whole (child-env.ts filters it).
    expect(ctx.childEnvBase).toBe(env)
  })

  it('the tests read it the same way (test/helpers/context.ts)', () => {
    expect(contextFrom(env, dir)).toEqual(readRunContext(env, actionsContextIn(env), dir))
  })

  it('has defaults outside GitHub Actions', () => {
    const bare = { PATH: process.env.PATH ?? '', HOME: dir }
    const ctx = readRunContext(bare, actionsContextIn(bare), dir)
    expect(ctx.github).toEqual({
      repository: '',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      ref: '',
      sha: '',
      actor: '',
      eventName: '',
      event: { deleted: false, privateRepository: false },
      actions: false,
      token: ''
    })
    expect(ctx.workspace).toBeUndefined()
    expect(ctx.oidc).toBeUndefined()
    expect(ctx.sourceDateEpoch).toBeUndefined()
    expect(ctx.runnerTemp).toBe(tmpdir())
    expect(ctx.dockerConfig).toBe(join(dir, '.docker', 'config.json'))
  })
})
