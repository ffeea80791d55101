// What children (build, inspector, qemu) keep of the action's environment.
import { describe, expect, it } from '@jest/globals'
import { childEnv } from '../../src/process/child-env.js'

const ACTION_ENV = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/runner',
  GOPATH: '/home/runner/go',
  GOFLAGS: '-mod=mod',
  CGO_CFLAGS: '-O2',
  CC: 'gcc',
  HTTPS_PROXY: 'http://proxy:3128',
  GITHUB_WORKSPACE: '/home/runner/work/p/p',
  GITHUB_REF: 'refs/tags/1.0.0',
  GITHUB_REPOSITORY: 'acme/plugins',
  RUNNER_TEMP: '/home/runner/work/_temp',
  INPUT_PASSWORD: 'registry-password',
  'INPUT_GITHUB-TOKEN': 'ghs_token',
  INPUT_TAG: '1.0.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc',
  ACTIONS_RUNTIME_TOKEN: 'runtime',
  ACTIONS_RUNTIME_URL: 'https://runtime',
  ACTIONS_CACHE_URL: 'https://cache',
  ACTIONS_RESULTS_URL: 'https://results',
  GITHUB_TOKEN: 'ghs_token',
  GH_TOKEN: 'ghs_token',
  FPR_PASSWORD: 'cli-password',
  GITHUB_ENV: '/tmp/set_env',
  GITHUB_PATH: '/tmp/add_path',
  GITHUB_OUTPUT: '/tmp/set_output',
  GITHUB_STATE: '/tmp/save_state',
  GITHUB_STEP_SUMMARY: '/tmp/step_summary'
}

describe('childEnv', () => {
  it('keeps what builds need and removes inputs, runner tokens and command files', () => {
    const { env, removed } = childEnv(ACTION_ENV)
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/runner',
      GOPATH: '/home/runner/go',
      GOFLAGS: '-mod=mod',
      CGO_CFLAGS: '-O2',
      CC: 'gcc',
      HTTPS_PROXY: 'http://proxy:3128',
      GITHUB_WORKSPACE: '/home/runner/work/p/p',
      GITHUB_REF: 'refs/tags/1.0.0',
      GITHUB_REPOSITORY: 'acme/plugins',
      RUNNER_TEMP: '/home/runner/work/_temp'
    })
    expect(removed).toEqual(
      Object.keys(ACTION_ENV)
        .filter((k) => !(k in env))
        .sort()
    )
  })

  it('matches names whatever their case', () => {
    const { env } = childEnv({ input_password: 'x', Actions_Runtime_Token: 'y', github_token: 'z' })
    expect(env).toEqual({})
  })

  it('removes any variable whose value holds a registered secret', () => {
    const secrets = ['registry-password']
    const containsSecret = (t: string) => secrets.some((s) => t.includes(s))
    const { env, removed } = childEnv(
      {
        PATH: '/bin',
        MY_COPY: 'registry-password',
        DOCKER_AUTH: 'user:registry-password@host',
        EMPTY: ''
      },
      { containsSecret }
    )
    expect(env).toEqual({ PATH: '/bin', EMPTY: '' })
    expect(removed).toEqual(['DOCKER_AUTH', 'MY_COPY'])
  })

  it('passes what the user names in keep, even a token', () => {
    const { env, removed } = childEnv(
      { GITHUB_TOKEN: 'ghs', ACTIONS_CACHE_URL: 'https://cache', MY_COPY: 'pw', INPUT_TAG: '1' },
      { keep: ['GITHUB_TOKEN', 'MY_COPY'], containsSecret: (t) => t === 'pw' }
    )
    expect(env).toEqual({ GITHUB_TOKEN: 'ghs', MY_COPY: 'pw' })
    expect(removed).toEqual(['ACTIONS_CACHE_URL', 'INPUT_TAG'])
  })

  it('does not change its argument', () => {
    const input = { ...ACTION_ENV }
    childEnv(input)
    expect(input).toEqual(ACTION_ENV)
  })
})
