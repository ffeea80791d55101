// Compiles the real inspector and tiny hand-written C plugins, and checks what inspectPlugin and
// checkPlugin make of them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  REQUIRED_SYMBOLS,
  checkPlugin,
  compileInspector,
  inspectPlugin
} from '../../src/inspect/inspect.js'
import { killIfRunning, waitUntilGone } from '../../test/helpers/processes.js'
import { requireTool } from '../../test/helpers/tools.js'

const run = promisify(execFile)

// Pieces of C plugins. Each definition sits on its own line so tests can drop some.
const PRELUDE = '#include <stdint.h>\n#include <stddef.h>\n'
const REQUIRED: Record<string, string> = {
  plugin_get_required_api_version:
    'const char *plugin_get_required_api_version(void) { return "3.0.0"; }',
  plugin_get_version: 'const char *plugin_get_version(void) { return "1.2.3"; }',
  plugin_get_name: 'const char *plugin_get_name(void) { return "cplugin"; }',
  plugin_get_description: 'const char *plugin_get_description(void) { return "A C plugin"; }',
  plugin_get_contact: 'const char *plugin_get_contact(void) { return "me@example.com"; }',
  plugin_init: 'void *plugin_init(const void *in, int32_t *rc) { (void)in; *rc = 1; return NULL; }',
  plugin_destroy: 'void plugin_destroy(void *s) { (void)s; }',
  plugin_get_last_error: 'const char *plugin_get_last_error(void *s) { (void)s; return "e"; }'
}
const EXTRACTION = `
const char *plugin_get_fields(void) { return "[{\\"type\\":\\"string\\",\\"name\\":\\"c.f\\",\\"desc\\":\\"d\\"}]"; }
int32_t plugin_extract_fields(void *s, const void *e, const void *in) { (void)s; (void)e; (void)in; return 3; }
`
const sourcing = (id: number, source: string): string => `
uint32_t plugin_get_id(void) { return ${id}; }
const char *plugin_get_event_source(void) { return "${source}"; }
void *plugin_open(void *s, const char *p, int32_t *rc) { (void)s; (void)p; *rc = 1; return NULL; }
void plugin_close(void *s, void *h) { (void)s; (void)h; }
int32_t plugin_next_batch(void *s, void *h, uint32_t *n, void ***e) { (void)s; (void)h; (void)e; *n = 0; return 2; }
`

function plugin(parts: { omit?: string[]; replace?: Record<string, string>; extra?: string }) {
  const required = Object.entries(REQUIRED)
    .filter(([name]) => !parts.omit?.includes(name))
    .map(([name, code]) => parts.replace?.[name] ?? code)
  return [PRELUDE, ...required, parts.extra ?? ''].join('\n')
}

describe('inspector on hand-written C plugins', () => {
  let dir: string
  let inspector: string
  let cc: string
  let counter = 0

  async function build(source: string): Promise<string> {
    const name = `p${counter++}`
    writeFileSync(join(dir, `${name}.c`), source)
    const so = join(dir, `lib${name}.so`)
    await run(cc, ['-shared', '-fPIC', '-o', so, join(dir, `${name}.c`)])
    return so
  }

  beforeAll(async () => {
    cc = requireTool('cc')
    dir = mkdtempSync(join(tmpdir(), 'fpr-inspect-'))
    inspector = await compileInspector({ env: process.env, cacheDir: join(dir, 'cache'), cc })
  }, 60_000)
  /** Pids the plugins forked, killed at the end whatever happened. */
  const forked: number[] = []
  afterAll(() => {
    forked.forEach(killIfRunning)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** C for a function that forks a child sleeping forever (holding stdout/stderr) and records its pid. */
  function forkSleeper(pidFile: string): string {
    return (
      '#include <stdio.h>\n#include <unistd.h>\n' +
      'static void fork_sleeper(void) {\n' +
      '  pid_t pid = fork();\n' +
      '  if (pid == 0) { for (;;) pause(); }\n' +
      `  FILE *f = fopen(${JSON.stringify(pidFile)}, "w"); fprintf(f, "%d", (int)pid); fclose(f);\n` +
      '}\n'
    )
  }

  function recordedPid(pidFile: string): number {
    const pid = Number(readFileSync(pidFile, 'utf8'))
    expect(pid).toBeGreaterThan(1)
    forked.push(pid)
    return pid
  }

  it('compiles the inspector once per source and compiler', async () => {
    expect(statSync(inspector).mode & 0o111).not.toBe(0)
    expect(inspector).toMatch(/inspector-[0-9a-f]{16}$/)
    const again = await compileInspector({ env: process.env, cacheDir: join(dir, 'cache'), cc })
    expect(again).toBe(inspector)
    expect(statSync(again).mtimeMs).toBe(statSync(inspector).mtimeMs)
  })

  it('says how to get a C compiler when there is none', async () => {
    await expect(
      compileInspector({ env: process.env, cacheDir: join(dir, 'cache2'), cc: 'no-such-cc-xyz' })
    ).rejects.toThrow(
      /C compiler 'no-such-cc-xyz' was not found.*apt-get install gcc.*build-essential/
    )
  })

  it('reads a valid extractor, escaping strings correctly', async () => {
    const so = await build(
      plugin({
        replace: {
          plugin_get_description:
            'const char *plugin_get_description(void) { return "q\\" b\\\\ n\\n t\\t c\\x01 \\xc3\\xa9 \\xe2\\x9c\\x93 d\\x7f"; }'
        },
        extra:
          EXTRACTION +
          'const char *plugin_get_extract_event_sources(void) { return "[\\"syscall\\",\\"k8s_audit\\"]"; }\n' +
          'const char *plugin_get_init_schema(int32_t *t) { *t = 1; return "{\\"type\\":\\"object\\"}"; }\n'
      })
    )
    const meta = await inspectPlugin(so, { env: process.env, inspector })
    expect(meta).toEqual({
      requiredApiVersion: '3.0.0',
      name: 'cplugin',
      version: '1.2.3',
      description: 'q" b\\ n\n t\t c\u0001 é ✓ d\u007f',
      contact: 'me@example.com',
      capabilities: ['extraction'],
      symbols: [
        ...REQUIRED_SYMBOLS,
        'plugin_get_fields',
        'plugin_extract_fields',
        'plugin_get_extract_event_sources',
        'plugin_get_init_schema'
      ].sort(),
      fields: ['c.f'],
      extractEventSources: ['syscall', 'k8s_audit'],
      initSchema: '{"type":"object"}'
    })
    expect(() => checkPlugin(meta)).not.toThrow()
  }, 30_000)

  it('reads a sourcing plugin and runs it through a runner prefix', async () => {
    const so = await build(plugin({ extra: sourcing(42, 'csource') }))
    const meta = await inspectPlugin(so, {
      env: process.env,
      inspector,
      runner: ['env', 'INSPECTED=1']
    })
    expect(meta.capabilities).toEqual(['sourcing'])
    expect(meta.id).toBe(42)
    expect(meta.eventSource).toBe('csource')
    expect(meta.fields).toBeUndefined()
    expect(() => checkPlugin(meta)).not.toThrow()
  }, 30_000)

  it('reports missing required symbols', async () => {
    const so = await build(
      plugin({ omit: ['plugin_init', 'plugin_destroy', 'plugin_get_contact'], extra: EXTRACTION })
    )
    const meta = await inspectPlugin(so, { env: process.env, inspector })
    expect(meta.contact).toBe('')
    expect(() => checkPlugin(meta)).toThrow(
      /missing required symbols: plugin_get_contact, plugin_init, plugin_destroy/
    )
  }, 30_000)

  it('reports an inconsistent id/source pair', async () => {
    const so = await build(plugin({ extra: sourcing(7, '') }))
    const meta = await inspectPlugin(so, { env: process.env, inspector })
    expect(meta.capabilities).toEqual([])
    expect(meta.id).toBe(7)
    expect(meta.eventSource).toBe('')
    expect(() => checkPlugin(meta)).toThrow(
      /inconsistent event source: plugin_get_id returns 7 but plugin_get_event_source returns ""/
    )
  }, 30_000)

  it('reports plugin_extract_fields without plugin_get_fields', async () => {
    const so = await build(
      plugin({
        extra:
          'int32_t plugin_extract_fields(void *s, const void *e, const void *i) { (void)s; (void)e; (void)i; return 0; }'
      })
    )
    const meta = await inspectPlugin(so, { env: process.env, inspector })
    expect(meta.capabilities).toEqual([])
    expect(() => checkPlugin(meta)).toThrow(
      /plugin_extract_fields is exported without plugin_get_fields/
    )
  }, 30_000)

  it('treats NULL strings as absent', async () => {
    const so = await build(
      plugin({
        replace: {
          plugin_get_description: 'const char *plugin_get_description(void) { return NULL; }'
        },
        extra:
          'const char *plugin_get_init_schema(int32_t *t) { *t = 0; return NULL; }\n' + EXTRACTION
      })
    )
    const meta = await inspectPlugin(so, { env: process.env, inspector })
    expect(meta.description).toBe('')
    expect(meta.initSchema).toBeUndefined()
    expect(meta.extractEventSources).toEqual([])
  }, 30_000)

  it('fails like Falco on an unresolved symbol (RTLD_NOW)', async () => {
    const so = await build(
      plugin({
        extra:
          EXTRACTION +
          'extern int does_not_exist(void);\nint use_it(void) { return does_not_exist(); }\n'
      })
    )
    await expect(inspectPlugin(so, { env: process.env, inspector })).rejects.toThrow(
      /cannot load plugin '.*' with dlopen: .*undefined symbol: does_not_exist.*RTLD_NOW/
    )
  }, 30_000)

  it('survives a plugin that crashes in a getter, naming the getter', async () => {
    const so = await build(
      plugin({
        replace: {
          plugin_get_name:
            'const char *plugin_get_name(void) { volatile int *p = NULL; *p = 1; return "x"; }'
        },
        extra: EXTRACTION
      })
    )
    await expect(inspectPlugin(so, { env: process.env, inspector })).rejects.toThrow(
      /the plugin crashed \(SIGSEGV\) while calling plugin_get_name/
    )
  }, 30_000)

  it('survives a plugin that aborts while loading', async () => {
    const so = await build(
      plugin({
        extra:
          '#include <stdlib.h>\n__attribute__((constructor)) static void boom(void) { abort(); }\n'
      })
    )
    await expect(inspectPlugin(so, { env: process.env, inspector })).rejects.toThrow(
      /the plugin crashed \(SIGABRT\) while loading it \(dlopen\)/
    )
  }, 30_000)

  it('reports the exit status and output of a plugin that exits while loading', async () => {
    const so = await build(
      plugin({
        extra:
          '#include <stdio.h>\n#include <unistd.h>\n' +
          '__attribute__((constructor)) static void boom(void) { fputs("panic: boom\\n", stderr); _exit(2); }\n'
      })
    )
    await expect(inspectPlugin(so, { env: process.env, inspector })).rejects.toThrow(
      /the plugin inspector exited with status 2 while loading it \(dlopen\) for '.*'\npanic: boom/
    )
  }, 30_000)

  it('gives up on a plugin that hangs', async () => {
    const so = await build(
      plugin({
        extra:
          '#include <unistd.h>\n__attribute__((constructor)) static void hang(void) { sleep(30); }\n'
      })
    )
    await expect(
      inspectPlugin(so, { env: process.env, inspector, timeoutMs: 500 })
    ).rejects.toThrow(/did not finish within 0.5s while loading it/)
  }, 30_000)

  it('reports files that are not plugins', async () => {
    const notElf = join(dir, 'text.so')
    writeFileSync(notElf, 'hello\n')
    await expect(inspectPlugin(notElf, { env: process.env, inspector })).rejects.toThrow(
      /cannot load plugin '.*text.so' with dlopen: .*(invalid ELF header|file too short)/
    )
    await expect(
      inspectPlugin(join(dir, 'absent.so'), { env: process.env, inspector })
    ).rejects.toThrow(/plugin file '.*absent.so' does not exist/)
    await expect(
      inspectPlugin(notElf, { env: process.env, inspector: join(dir, 'no-inspector') })
    ).rejects.toThrow(/could not run the plugin inspector/)
  }, 30_000)

  it('reads a plugin that prints while it loads, and logs what it printed', async () => {
    const so = await build(
      plugin({
        replace: {
          plugin_get_name:
            'const char *plugin_get_name(void) { printf("{\\"name\\":\\"forged\\"}\\n"); fflush(stdout); return "cplugin"; }'
        },
        extra:
          '__attribute__((constructor)) static void hello(void) {\n' +
          '  printf("hello from the constructor\\n"); fflush(stdout);\n' +
          '  fprintf(stderr, "calling plugin_get_version\\n");\n' +
          '}\n' +
          EXTRACTION
      }).replace(PRELUDE, PRELUDE + '#include <stdio.h>\n')
    )
    const log: string[] = []
    const meta = await inspectPlugin(so, { env: process.env, inspector, log: (l) => log.push(l) })
    expect(meta).toMatchObject({ name: 'cplugin', version: '1.2.3', fields: ['c.f'] })
    expect(log).toEqual([
      expect.stringMatching(/^the plugin printed 3 lines while loaded:$/),
      expect.stringMatching(/^\[plugin std(out|err)\] /),
      expect.stringMatching(/^\[plugin std(out|err)\] /),
      expect.stringMatching(/^\[plugin std(out|err)\] /)
    ])
    expect(log).toContain('[plugin stdout] hello from the constructor')
    expect(log).toContain('[plugin stdout] {"name":"forged"}')
    expect(log).toContain('[plugin stderr] calling plugin_get_version')
  }, 30_000)

  it('keeps only the last lines of a plugin that prints a lot', async () => {
    const so = await build(
      plugin({
        extra:
          '#include <stdio.h>\n' +
          '__attribute__((constructor)) static void chatty(void) {\n' +
          '  for (int i = 0; i < 200000; i++) printf("line %d %0200d\\n", i, 0);\n' +
          "  for (int i = 0; i < 100000; i++) fputc('x', stderr);\n" +
          '}\n' +
          EXTRACTION
      })
    )
    const log: string[] = []
    const meta = await inspectPlugin(so, { env: process.env, inspector, log: (l) => log.push(l) })
    expect(meta.name).toBe('cplugin')
    expect(log[0]).toMatch(/^the plugin printed \d+ lines while loaded, the last 100:$/)
    expect(log).toHaveLength(101)
    expect(log.join('\n').length).toBeLessThan(200_000)
  }, 60_000)

  it('ends a child forked by a getter that returned, without waiting for it', async () => {
    const pidFile = join(dir, 'forked-getter.pid')
    const so = await build(
      plugin({
        replace: {
          plugin_get_contact:
            'const char *plugin_get_contact(void) { fork_sleeper(); return "me@example.com"; }'
        },
        extra: EXTRACTION
      }).replace(PRELUDE, PRELUDE + forkSleeper(pidFile))
    )
    const meta = await inspectPlugin(so, { env: process.env, inspector })
    expect(meta.contact).toBe('me@example.com')
    expect(await waitUntilGone(recordedPid(pidFile))).toBe(true)
  }, 60_000)

  it('ends a hanging plugin and what it forked on timeout, naming the getter', async () => {
    const pidFile = join(dir, 'forked-hang.pid')
    const so = await build(
      plugin({
        replace: {
          plugin_get_version:
            'const char *plugin_get_version(void) { fork_sleeper(); for (;;) pause(); return "1"; }'
        },
        extra: EXTRACTION
      }).replace(PRELUDE, PRELUDE + forkSleeper(pidFile))
    )
    await expect(
      inspectPlugin(so, { env: process.env, inspector, timeoutMs: 1000 })
    ).rejects.toThrow(
      /did not finish within 1s while calling plugin_get_version: .*inspect-timeout/
    )
    expect(await waitUntilGone(recordedPid(pidFile))).toBe(true)
  }, 60_000)

  it('reports a plugin that ends the process while loading', async () => {
    const so = await build(
      plugin({
        extra:
          '#include <stdlib.h>\n__attribute__((constructor)) static void bye(void) { exit(0); }\n' +
          EXTRACTION
      })
    )
    await expect(inspectPlugin(so, { env: process.env, inspector })).rejects.toThrow(
      /the plugin ended the inspector \(exit status 0\) while loading it \(dlopen\), before its metadata was read/
    )
  }, 30_000)

  it('loads the plugin without the action inputs, runner tokens and secrets in its environment', async () => {
    const envFile = join(dir, 'plugin-env.txt')
    const so = await build(
      plugin({
        extra:
          '#include <stdio.h>\nextern char **environ;\n' +
          '__attribute__((constructor)) static void dump(void) {\n' +
          `  FILE *f = fopen(${JSON.stringify(envFile)}, "w");\n` +
          '  for (char **e = environ; *e; e++) fprintf(f, "%s\\n", *e);\n' +
          '  fclose(f);\n' +
          '}\n' +
          EXTRACTION
      })
    )
    await inspectPlugin(so, {
      inspector,
      env: {
        PATH: process.env.PATH,
        'INPUT_GITHUB-TOKEN': 'value-1',
        ACTIONS_RUNTIME_TOKEN: 'value-2',
        SECRET_COPY: 'value-3',
        KEEP_ME: 'value-4',
        GITHUB_TOKEN: 'value-5'
      },
      envPolicy: { keep: ['GITHUB_TOKEN'], containsSecret: (t) => t === 'value-3' }
    })
    const seen = readFileSync(envFile, 'utf8')
    for (const v of ['value-1', 'value-2', 'value-3']) expect(seen).not.toContain(v)
    expect(seen).toContain('KEEP_ME=value-4')
    expect(seen).toContain('GITHUB_TOKEN=value-5')
  }, 30_000)
})
