// Credentials through the bundled action, against a real registry that
// requires them: from inputs, from a Docker config (as after
// docker/login-action), and wrong ones. The password must never appear in
// anything the action prints or writes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, type ActionRun } from '../helpers/action.js'
import { makePluginFixture } from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const USER = 'releaser'
const PASSWORD = 'Pa55-word-that-must-never-leak'

/** Everything but the runner's own mask command, which the runner consumes. */
const visible = (r: ActionRun) => r.everything.replace(/^::add-mask::.*$/gm, '')

describe('credentials', () => {
  let reg: RunningRegistry

  beforeAll(async () => {
    reg = await startRegistry({ basicAuth: { username: USER, password: PASSWORD } })
  }, 60_000)
  afterAll(async () => reg?.stop())

  async function release(
    name: string,
    inputs: Record<string, string>,
    env: Record<string, string> = {}
  ) {
    const f = await makePluginFixture({ kind: 'extractor', name, version: '1.0.0' })
    return runAction({
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'working-directory': f.dir,
        'go-package': f.goPackage,
        'index-file': join(f.dir, 'index.yaml'),
        'github-release': 'false',
        ...inputs
      },
      env: { GITHUB_REF: 'refs/tags/1.0.0', ...env }
    })
  }

  async function tagsOf(repo: string): Promise<string[]> {
    const res = await fetch(`${reg.url}/v2/${repo}/tags/list`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` }
    })
    if (res.status === 404) return []
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort()
  }

  it('pushes with the username and password inputs, and never shows the password', async () => {
    const r = await release('withcreds', { username: USER, password: PASSWORD })
    expect(r.stdout).not.toMatch(/::error::/)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`::add-mask::${PASSWORD}`)
    expect(visible(r)).not.toContain(PASSWORD)
    expect(visible(r)).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'))
    expect(await tagsOf('acme/falco-plugins/plugin/withcreds')).toEqual([
      '1',
      '1.0',
      '1.0.0',
      'latest'
    ])
  }, 180_000)

  it('a wrong password fails clearly, without echoing it, and pushes nothing', async () => {
    const wrong = 'not-the-password-either'
    const r = await release('wrongpass', { username: USER, password: wrong })
    expect(r.code).not.toBe(0)
    expect(r.stdout).toMatch(/::error::.*(401|unauthori[sz]ed|credentials|password)/i)
    expect(visible(r)).not.toContain(wrong)
    expect(await tagsOf('acme/falco-plugins/plugin/wrongpass')).toEqual([])
  }, 180_000)

  it('no credentials at all: says which input to set', async () => {
    const r = await release('nocreds', {})
    expect(r.code).not.toBe(0)
    expect(r.stdout).toMatch(/::error::.*(username|password|credentials)/i)
  }, 180_000)

  it('uses the Docker config when no password input is set (as after docker/login-action)', async () => {
    const dockerConfig = await mkdtemp(join(tmpdir(), 'fpr-docker-'))
    await writeFile(
      join(dockerConfig, 'config.json'),
      JSON.stringify({
        auths: { [reg.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } }
      })
    )
    const r = await release('dockerconfig', {}, { DOCKER_CONFIG: dockerConfig })
    expect(r.stdout).not.toMatch(/::error::/)
    expect(r.code).toBe(0)
    expect(visible(r)).not.toContain(PASSWORD)
    expect(await tagsOf('acme/falco-plugins/plugin/dockerconfig')).toEqual([
      '1',
      '1.0',
      '1.0.0',
      'latest'
    ])
  }, 180_000)
})
