// Releasing a plugin whose code is hostile, through the bundled action as the runner runs it: C
// plugins built with gcc by build-command, pushed to a real registry that requires the password.
// Loading the .so runs its constructors and getters, and the build runs the user's command: none
// of them may see the release's secrets, hang the release, or stop a plugin that prints from
// being released.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, type ActionRun } from '../helpers/action.js'
import { cPluginSource } from '../helpers/fixtures.js'
import { killIfRunning, waitUntilGone } from '../helpers/processes.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'
import { requireTool } from '../helpers/tools.js'

const USER = 'releaser'
const PASSWORD = 'registry-Pa55word-for-untrusted'
const SECRETS = {
  'github-token': 'ghs_inputTokenValue0123456789',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token-value-4242',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/token?value=4343',
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-value-4444',
  GITHUB_TOKEN: 'ghs_envTokenValue9876543210',
  // Not a token by name, but it holds the registry password.
  DEPLOY_COPY: PASSWORD
}
/** A cosign key (a test fixture) and its password: signing with them must not leak them either. */
const SIGNING_KEY = readFileSync(
  join(process.cwd(), '__tests__', 'sign', 'fixtures', 'cosign.key'),
  'utf8'
)
const SIGNING_KEY_PASSWORD = 'fixture-password'
/** A runner variable removed by default, which build-env-keep passes on purpose. */
const KEPT = { name: 'ACTIONS_CACHE_URL', value: 'https://cache.example/kept-on-purpose' }

/** Wide: a run builds a C plugin and pushes a few KiB; it only takes long when something hangs. */
const RUN_TIMEOUT = 120_000

const C_INCLUDES = '#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\n'

/** C for fork_sleeper(): forks a child that sleeps forever, holding stdout/stderr, and records its pid. */
function forkSleeper(pidFile: string): string {
  return [
    'static void fork_sleeper(void) {',
    '  pid_t pid = fork();',
    '  if (pid == 0) { for (;;) pause(); }',
    `  FILE *f = fopen(${JSON.stringify(pidFile)}, "w"); fprintf(f, "%d", (int)pid); fclose(f);`,
    '}',
    ''
  ].join('\n')
}

describe('untrusted plugin code', () => {
  let reg: RunningRegistry
  /** Pids the plugins or builds started, killed at the end whatever happened. */
  const started: number[] = []
  const dirs: string[] = []

  beforeAll(async () => {
    requireTool('gcc')
    reg = await startRegistry({ basicAuth: { username: USER, password: PASSWORD } })
  }, 60_000)
  afterAll(async () => {
    started.forEach(killIfRunning)
    await reg?.stop()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  /** A folder holding plugin.c (a valid extractor plus `extra` C code). */
  async function pluginDir(
    extra: string,
    omit: string[] = []
  ): Promise<{ dir: string; file: (n: string) => string }> {
    const dir = await mkdtemp(join(tmpdir(), 'fpr-untrusted-'))
    dirs.push(dir)
    const file = (n: string) => join(dir, n)
    await writeFile(file('plugin.c'), C_INCLUDES + cPluginSource(omit, extra))
    return { dir, file }
  }

  async function release(
    dir: string,
    repository: string,
    inputs: Record<string, string> = {},
    env: Record<string, string> = {},
    onSpawn?: (child: ChildProcess) => void
  ): Promise<ActionRun> {
    const r = await runAction({
      onSpawn,
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        username: USER,
        password: PASSWORD,
        repository,
        'working-directory': dir,
        'build-command': 'gcc -shared -fPIC -o libcplugin.so plugin.c',
        'plugin-path': 'libcplugin.so',
        'index-file': join(dir, 'index.yaml'),
        'github-release': 'false',
        ...inputs
      },
      env: { GITHUB_REF: 'refs/tags/1.2.3', ...env },
      timeoutMs: RUN_TIMEOUT - 20_000
    })
    expect(r.timedOut).toBe(false)
    return r
  }

  async function tagsOf(repo: string): Promise<string[]> {
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64')
    const res = await fetch(`${reg.url}/v2/${repo}/tags/list`, {
      headers: { authorization: `Basic ${auth}` }
    })
    if (res.status === 404) return []
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort()
  }

  function recordedPid(path: string): number {
    expect(existsSync(path)).toBe(true)
    const pid = Number(readFileSync(path, 'utf8'))
    expect(pid).toBeGreaterThan(1)
    started.push(pid)
    return pid
  }

  it(
    'neither the build nor the loaded plugin sees the inputs, runner tokens or secrets',
    async () => {
      const { dir, file } = await pluginDir(
        [
          'extern char **environ;',
          '__attribute__((constructor)) static void steal(void) {',
          `  FILE *f = fopen(${JSON.stringify(join('PLUGIN_DIR', 'plugin-env.txt'))}, "w");`,
          '  for (char **e = environ; *e; e++) fprintf(f, "%s\\n", *e);',
          '  fclose(f);',
          '}',
          ''
        ].join('\n')
      )
      // The constructor writes beside plugin.c.
      const source = readFileSync(file('plugin.c'), 'utf8').replace('PLUGIN_DIR', dir)
      await writeFile(file('plugin.c'), source)
      const { 'github-token': githubToken, ...envSecrets } = SECRETS
      const r = await release(
        dir,
        'acme/untrusted-env',
        {
          'github-token': githubToken,
          'build-command': 'env > build-env.txt && gcc -shared -fPIC -o libcplugin.so plugin.c',
          'build-env-keep': `${KEPT.name}, SOME_ABSENT_NAME`,
          // With a key, sign: auto signs with it (not keylessly through the OIDC variables above).
          'signing-key': SIGNING_KEY,
          'signing-key-password': SIGNING_KEY_PASSWORD
        },
        { ...envSecrets, [KEPT.name]: KEPT.value }
      )
      expect(r.stdout).not.toMatch(/^::error::/m)
      expect(r.code).toBe(0)
      expect(await tagsOf('acme/untrusted-env/plugin/cplugin')).toContain('1.2.3')

      for (const seenBy of ['build-env.txt', 'plugin-env.txt']) {
        const seen = readFileSync(file(seenBy), 'utf8')
        const keyLines = SIGNING_KEY.split('\n').filter((l) => l.length > 20 && !l.startsWith('-'))
        for (const secret of [
          PASSWORD,
          ...Object.values(SECRETS),
          SIGNING_KEY_PASSWORD,
          ...keyLines
        ]) {
          expect([seenBy, seen.includes(secret)]).toEqual([seenBy, false])
        }
        expect([seenBy, seen]).toEqual([seenBy, expect.stringMatching(/^PATH=/m)])
        expect([seenBy, seen]).toEqual([
          seenBy,
          expect.stringContaining(`${KEPT.name}=${KEPT.value}`)
        ])
      }
      // The log names what was removed (never the values).
      const removed = /not passed to the build or the plugin: (.*); name a variable/.exec(r.stdout)
      expect(removed?.[1].split(', ').sort()).toEqual([
        'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
        'ACTIONS_ID_TOKEN_REQUEST_URL',
        'ACTIONS_RUNTIME_TOKEN',
        'DEPLOY_COPY',
        'GITHUB_OUTPUT',
        'GITHUB_STEP_SUMMARY',
        'GITHUB_TOKEN',
        'INPUT_* (the action inputs)'
      ])
    },
    RUN_TIMEOUT
  )

  it(
    'a getter that forks a child which never exits does not hang the release, nor does the build',
    async () => {
      const { dir, file } = await pluginDir('', ['plugin_get_contact'])
      const source = readFileSync(file('plugin.c'), 'utf8')
      await writeFile(
        file('plugin.c'),
        source +
          forkSleeper(file('getter.pid')) +
          'const char *plugin_get_contact(void) { fork_sleeper(); return "me@example.com"; }\n'
      )
      const r = await release(dir, 'acme/untrusted-fork', {
        'inspect-timeout': '10',
        // The build leaves a process behind that holds its output open, too.
        'build-command':
          'sleep 100000 & echo $! > build.pid; gcc -shared -fPIC -o libcplugin.so plugin.c'
      })
      expect(r.stdout).not.toMatch(/^::error::/m)
      expect(r.code).toBe(0)
      expect(await tagsOf('acme/untrusted-fork/plugin/cplugin')).toContain('1.2.3')
      expect(await waitUntilGone(recordedPid(file('getter.pid')))).toBe(true)
      expect(await waitUntilGone(recordedPid(file('build.pid')))).toBe(true)
    },
    RUN_TIMEOUT
  )

  it(
    'a getter that forks and then hangs fails the release on inspect-timeout, pushing nothing',
    async () => {
      const { dir, file } = await pluginDir('', ['plugin_get_version'])
      const source = readFileSync(file('plugin.c'), 'utf8')
      await writeFile(
        file('plugin.c'),
        source +
          forkSleeper(file('getter.pid')) +
          'const char *plugin_get_version(void) { fork_sleeper(); for (;;) pause(); return "1.2.3"; }\n'
      )
      const r = await release(dir, 'acme/untrusted-hang', { 'inspect-timeout': '2' })
      expect(r.code).not.toBe(0)
      expect(r.stdout).toMatch(
        /::error::loading plugin '.*' did not finish within 2s while calling plugin_get_version/
      )
      expect(await tagsOf('acme/untrusted-hang/plugin/cplugin')).toEqual([])
      expect(await waitUntilGone(recordedPid(file('getter.pid')))).toBe(true)
    },
    RUN_TIMEOUT
  )

  it(
    'a plugin that prints while it loads is released, and what it printed shows in the log',
    async () => {
      const { dir } = await pluginDir(
        [
          '__attribute__((constructor)) static void chatty(void) {',
          '  printf("hello from the plugin on stdout\\n");',
          '  printf("::error::a workflow command from the plugin\\n");',
          '  printf("{\\"name\\":\\"forged\\"}\\n");',
          '  fflush(stdout);',
          '  fprintf(stderr, "hello from the plugin on stderr\\n");',
          '}',
          ''
        ].join('\n')
      )
      const r = await release(dir, 'acme/untrusted-chatty')
      expect(r.stdout).not.toMatch(/^::error::/m)
      expect(r.code).toBe(0)
      expect(r.outputs['plugin-ref']).toBe(`${reg.host}/acme/untrusted-chatty/plugin/cplugin:1.2.3`)
      expect(await tagsOf('acme/untrusted-chatty/plugin/cplugin')).toContain('1.2.3')
      expect(r.stdout).toContain('[plugin stdout] hello from the plugin on stdout')
      expect(r.stdout).toContain('[plugin stderr] hello from the plugin on stderr')
      // Its lines cannot pass for workflow commands.
      expect(r.stdout).toContain('[plugin stdout] ::error::a workflow command from the plugin')
    },
    RUN_TIMEOUT
  )

  it(
    'a cancelled run (SIGTERM, as the runner sends) ends the build and everything it started',
    async () => {
      const { dir, file } = await pluginDir('')
      let signalled = false
      const r = await release(
        dir,
        'acme/untrusted-cancel',
        { 'build-command': 'sleep 100000 & echo $! > build.pid; sleep 100000' },
        {},
        (child) => {
          const poll = setInterval(() => {
            if (!existsSync(file('build.pid')) || readFileSync(file('build.pid'), 'utf8') === '') {
              return
            }
            clearInterval(poll)
            signalled = true
            child.kill('SIGTERM')
          }, 100)
          child.on('exit', () => clearInterval(poll))
        }
      )
      expect(signalled).toBe(true)
      expect(r.code).not.toBe(0)
      expect(await tagsOf('acme/untrusted-cancel/plugin/cplugin')).toEqual([])
      expect(await waitUntilGone(recordedPid(file('build.pid')))).toBe(true)
    },
    RUN_TIMEOUT
  )
})
