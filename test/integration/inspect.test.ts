// Builds real plugin-sdk-go plugins (the test fixtures and examples/hello) with buildPlugin and
// reads them back with the C inspector, as the action does.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildPlugin } from '../../src/build/go.js'
import { checkPlugin, compileInspector, inspectPlugin } from '../../src/inspect/inspect.js'
import { validatePluginAgainstRelease } from '../../src/inspect/validate.js'
import { makePluginFixture, recordingLogger } from '../helpers/fixtures.js'
import { requireTool } from '../helpers/tools.js'

const HELLO = fileURLToPath(new URL('../../examples/hello/', import.meta.url))
// The first build compiles plugin-sdk-go (and may download it); later ones hit Go's cache.
const BUILD_TIMEOUT = 300_000

describe('building and inspecting real Go plugins', () => {
  let out: string
  let inspector: string
  const fixtures: string[] = []

  beforeAll(async () => {
    requireTool('go')
    requireTool('cc')
    out = mkdtempSync(join(tmpdir(), 'fpr-inspect-it-'))
    inspector = await compileInspector({ env: process.env, cacheDir: join(out, 'cache') })
  }, 60_000)
  afterAll(() => {
    for (const d of [out, ...fixtures]) if (d) rmSync(d, { recursive: true, force: true })
  })

  async function fixture(opts: Parameters<typeof makePluginFixture>[0]) {
    const f = await makePluginFixture(opts)
    fixtures.push(f.dir)
    return f
  }

  it(
    'builds and reads an extraction-only plugin',
    async () => {
      const f = await fixture({ kind: 'extractor', name: 'fixture-extractor', version: '1.2.3' })
      const logger = recordingLogger()
      const so = await buildPlugin({
        env: process.env,
        workingDirectory: f.dir,
        goPackage: f.goPackage,
        output: join(out, 'extractor', 'libfixture-extractor.so'),
        logger
      })
      expect(so).toBe(join(out, 'extractor', 'libfixture-extractor.so'))
      expect(statSync(so).size).toBeGreaterThan(1_000_000)
      expect(logger.groups).toEqual(['Build ./extractor'])
      expect(logger.lines[0]).toMatch(/^\$ CGO_ENABLED=1 go build -buildmode=c-shared -trimpath/)

      const meta = await inspectPlugin(so, { env: process.env, inspector })
      expect(meta).toMatchObject({
        requiredApiVersion: '3.11.0',
        name: 'fixture-extractor',
        version: '1.2.3',
        capabilities: ['extraction'],
        fields: ['fixture.evtnum'],
        extractEventSources: ['syscall']
      })
      // Go plugins export plugin_get_id (0 here) even without sourcing: it must not show.
      expect(meta.symbols).toContain('plugin_get_id')
      expect(meta).not.toHaveProperty('id')
      expect(meta).not.toHaveProperty('eventSource')
      expect(meta.symbols).not.toContain('plugin_open')
      expect(() => checkPlugin(meta)).not.toThrow()
      expect(validatePluginAgainstRelease(meta, { version: '1.2.3' })).toEqual([])
    },
    BUILD_TIMEOUT
  )

  it(
    'builds and reads a sourcing plugin, reporting its id and source',
    async () => {
      const f = await fixture({
        kind: 'source',
        name: 'fixture-source',
        version: '0.4.0',
        requiredApiVersion: '3.10.0',
        id: 999
      })
      const so = await buildPlugin({
        env: process.env,
        workingDirectory: f.dir,
        goPackage: f.goPackage,
        output: join(out, 'source', 'libfixture-source.so'),
        logger: recordingLogger()
      })
      const meta = await inspectPlugin(so, { env: process.env, inspector })
      expect(meta).toMatchObject({
        requiredApiVersion: '3.10.0',
        name: 'fixture-source',
        version: '0.4.0',
        capabilities: ['sourcing', 'extraction'],
        id: 999,
        eventSource: 'fixture',
        fields: ['fixture.counter'],
        extractEventSources: []
      })
      expect(meta.symbols).toEqual(
        expect.arrayContaining(['plugin_open', 'plugin_close', 'plugin_next_batch'])
      )
      expect(() => checkPlugin(meta)).not.toThrow()
      expect(validatePluginAgainstRelease(meta, { version: '0.4.0' })).toEqual([
        expect.stringMatching(/ID 999, which is reserved for development/)
      ])
    },
    BUILD_TIMEOUT
  )

  it(
    'builds examples/hello with the default go-package',
    async () => {
      const so = await buildPlugin({
        env: process.env,
        workingDirectory: HELLO,
        output: join(out, 'hello', 'libhello.so'),
        logger: recordingLogger()
      })
      const meta = await inspectPlugin(so, { env: process.env, inspector })
      expect(meta).toMatchObject({
        requiredApiVersion: '3.11.0',
        name: 'hello',
        version: '0.1.0',
        capabilities: ['extraction'],
        fields: ['hello.greeting', 'hello.evtnum'],
        extractEventSources: ['syscall']
      })
      expect(meta).not.toHaveProperty('id')
      expect(JSON.parse(meta.initSchema ?? '')).toMatchObject({ type: 'object' })
      expect(() => checkPlugin(meta)).not.toThrow()
      expect(
        validatePluginAgainstRelease(meta, { version: '0.1.0', expectedName: 'hello' })
      ).toEqual([])
    },
    BUILD_TIMEOUT
  )

  it(
    'reports a Go panic while the plugin loads',
    async () => {
      // plugin-sdk-go v0.8.3 compares API versions as strings: "9" > "11", so it panics in init().
      const f = await fixture({
        kind: 'extractor',
        name: 'panicky',
        version: '0.1.0',
        requiredApiVersion: '3.9.0'
      })
      const so = await buildPlugin({
        env: process.env,
        workingDirectory: f.dir,
        goPackage: f.goPackage,
        output: join(out, 'panicky', 'libpanicky.so'),
        logger: recordingLogger()
      })
      await expect(inspectPlugin(so, { env: process.env, inspector })).rejects.toThrow(
        /the plugin crashed \(SIGABRT\) while calling plugin_get_\w+ \(a Go panic, printed below\)[^]*\npanic: The plugin requires a Minor version greater than the SDK one/
      )
    },
    BUILD_TIMEOUT
  )

  it(
    'surfaces the Go compiler message when the build fails',
    async () => {
      const f = await fixture({ kind: 'extractor', name: 'broken', version: '0.1.0' })
      appendFileSync(join(f.dir, 'extractor', 'meta.go'), '\nvar broken int = "not a number"\n')
      const logger = recordingLogger()
      let message = ''
      try {
        await buildPlugin({
          env: process.env,
          workingDirectory: f.dir,
          goPackage: f.goPackage,
          output: join(out, 'broken', 'libbroken.so'),
          logger
        })
      } catch (e) {
        message = (e as Error).message
      }
      expect(message).toMatch(
        /^go build exited with status 1: CGO_ENABLED=1 go build -buildmode=c-shared/
      )
      expect(message).toContain(`(in ${f.dir})`)
      expect(message).toMatch(/meta\.go:\d+:\d+: cannot use "not a number"/)
      expect(logger.lines.join('\n')).toMatch(/cannot use "not a number"/)
    },
    BUILD_TIMEOUT
  )

  it(
    'refuses a plugin whose version differs from the tag, naming both',
    async () => {
      const f = await fixture({ kind: 'extractor', name: 'fixture-extractor', version: '1.4.1' })
      const so = await buildPlugin({
        env: process.env,
        workingDirectory: f.dir,
        goPackage: f.goPackage,
        output: join(out, 'mismatch', 'libfixture-extractor.so'),
        logger: recordingLogger()
      })
      const meta = await inspectPlugin(so, { env: process.env, inspector })
      expect(() => validatePluginAgainstRelease(meta, { version: '1.4.2' })).toThrow(
        "the plugin reports version 1.4.1 (plugin_get_version) but the tag says 1.4.2: bump the version in your plugin's Info or tag the right commit"
      )
    },
    BUILD_TIMEOUT
  )

  it(
    'writes the rules file of a fixture and refuses an invalid name',
    async () => {
      const f = await fixture({
        kind: 'extractor',
        name: 'Bad_Name',
        version: '0.1.0',
        rules: '- required_engine_version: 0.31.0\n'
      })
      expect(statSync(join(f.dir, 'rules', 'Bad_Name_rules.yaml')).isFile()).toBe(true)
      const so = await buildPlugin({
        env: process.env,
        workingDirectory: f.dir,
        goPackage: f.goPackage,
        output: join(out, 'badname', 'libbad.so'),
        logger: recordingLogger()
      })
      const meta = await inspectPlugin(so, { env: process.env, inspector })
      expect(meta.name).toBe('Bad_Name')
      expect(() => validatePluginAgainstRelease(meta, { version: '0.1.0' })).toThrow(
        /the plugin reports the name 'Bad_Name' \(plugin_get_name\), which is not a valid plugin name/
      )
    },
    BUILD_TIMEOUT
  )
})
