// A RunContext from an environment object, for tests that run the pipeline's parts in-process
// with their own variables. The GitHub part is read the way @actions/github's Context reads the
// process environment (__tests__/context.test.ts checks the real one against runAction's).
import { existsSync, readFileSync } from 'node:fs'
import { readRunContext, type GitHubContext, type RunContext } from '../../src/context.js'

export function githubContextFrom(env: NodeJS.ProcessEnv): GitHubContext {
  const path = env.GITHUB_EVENT_PATH
  return {
    payload: path && existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {},
    eventName: env.GITHUB_EVENT_NAME as string,
    sha: env.GITHUB_SHA as string,
    ref: env.GITHUB_REF as string,
    actor: env.GITHUB_ACTOR as string,
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com'
  }
}

export function contextFrom(env: NodeJS.ProcessEnv = {}, cwd?: string): RunContext {
  return readRunContext(env, githubContextFrom(env), cwd)
}
