import { describe, expect, it } from '@jest/globals'
import {
  checkInputs,
  envInputReader,
  INPUT_DEFAULTS,
  InputError,
  readInputs
} from '../../src/inputs/inputs.js'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { actionDefaults } from '../../test/helpers/action.js'
import { contextFrom } from '../../test/helpers/context.js'

const env = contextFrom({ GITHUB_REPOSITORY: 'Acme/Docker-Plugin', GITHUB_ACTOR: 'octocat' }).github
const none = contextFrom().github

describe('inputs', () => {
  it('every action.yml input has a default in the code, and the same one', () => {
    const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8'))
    const declared = Object.keys(action.inputs).sort()
    expect(Object.keys(INPUT_DEFAULTS).sort()).toEqual(declared)
    for (const [name, spec] of Object.entries(action.inputs) as Array<
      [string, { default: string }]
    >) {
      // Expressions (github.actor, github.token) are resolved from the environment in code.
      if (spec.default.startsWith('${{')) continue
      expect([name, INPUT_DEFAULTS[name as keyof typeof INPUT_DEFAULTS]]).toEqual([
        name,
        spec.default
      ])
    }
  })

  it('reads INPUT_* as @actions/core does (hyphens kept, upper case)', () => {
    const read = envInputReader({ 'INPUT_WORKING-DIRECTORY': ' plugins/foo ', INPUT_TAG: 'v1.0.0' })
    expect(read('working-directory')).toBe('plugins/foo')
    expect(read('tag')).toBe('v1.0.0')
    expect(read('registry')).toBe('')
  })

  it('applies the defaults when nothing is set, lower-casing the repository', () => {
    const inputs = readInputs(() => '', env)
    expect(inputs).toMatchObject({
      workingDirectory: '.',
      goPackage: './plugin',
      registry: 'ghcr.io',
      repository: 'acme/docker-plugin',
      username: 'octocat',
      plainHttp: false,
      dryRun: false,
      indexFile: 'index.yaml',
      home: 'https://github.com/Acme/Docker-Plugin',
      sourceUrl: 'https://github.com/Acme/Docker-Plugin'
    })
  })

  it('refuses booleans that are not true or false', () => {
    expect(() => readInputs((n) => (n === 'plain-http' ? 'yes' : ''), env)).toThrow(
      /plain-http.*true or false.*"yes"/
    )
  })

  it('needs plugin-path with build-command', () => {
    const inputs = readInputs((n) => (n === 'build-command' ? 'make' : ''), env)
    expect(() => checkInputs(inputs)).toThrow(InputError)
    expect(() => checkInputs(inputs)).toThrow(/plugin-path/)
  })

  it('needs a repository outside GitHub', () => {
    const inputs = readInputs(() => '', none)
    expect(() => checkInputs(inputs)).toThrow(/repository/)
  })

  it('splits keywords on commas and newlines', () => {
    const inputs = readInputs((n) => (n === 'keywords' ? 'docker, containers\naudit' : ''), env)
    expect(inputs.keywords).toEqual(['docker', 'containers', 'audit'])
  })

  it('reads build-env-keep as variable names, refusing NAME=value without echoing it', () => {
    const read = (value: string) =>
      readInputs((n) => (n === 'build-env-keep' ? value : ''), env).buildEnvKeep
    expect(read('')).toEqual([])
    expect(read('GITHUB_TOKEN, NPM_TOKEN\nINPUT_GITHUB-TOKEN,,GITHUB_TOKEN')).toEqual([
      'GITHUB_TOKEN',
      'NPM_TOKEN',
      'INPUT_GITHUB-TOKEN'
    ])
    expect(() => read('A, TOKEN=s3cr3t-value')).toThrow(InputError)
    expect(() => read('A, TOKEN=s3cr3t-value')).toThrow(/entry 2 is not a name/)
    expect(() => read('A, TOKEN=s3cr3t-value')).not.toThrow(/s3cr3t/)
    expect(() => read('two words')).toThrow(/entry 1/)
  })

  it('reads inspect-timeout in seconds, at least 1', () => {
    const read = (value: string) =>
      readInputs((n) => (n === 'inspect-timeout' ? value : ''), env).inspectTimeout
    expect(read('')).toBe(60)
    expect(read('5')).toBe(5)
    expect(() => read('0')).toThrow(/"inspect-timeout" must be a whole number >= 1/)
  })

  it('outside GitHub, the repository input gives the same source URL as GITHUB_REPOSITORY', () => {
    const cli = readInputs((n) => (n === 'repository' ? 'Acme/Docker-Plugin' : ''), none)
    const action = readInputs(() => '', env)
    expect(cli.sourceUrl).toBe(action.sourceUrl)
    expect(cli.repository).toBe(action.repository)
    // A registry prefix that is no GitHub repository gives no URL.
    expect(readInputs((n) => (n === 'repository' ? 'a/b/c' : ''), none).sourceUrl).toBe('')
  })

  it('knows which inputs were given', () => {
    const inputs = readInputs((n) => (n === 'working-directory' ? 'plugins/x' : ''), env)
    expect(inputs.given.has('working-directory')).toBe(true)
    expect(inputs.given.has('home')).toBe(false)
  })

  it('counts an input at its action.yml default as not given: the runner passes every default', () => {
    // What the runner sets for a step that gives only glibc and tag-pattern.
    const runner: Record<string, string> = {
      ...actionDefaults(),
      glibc: '2.17',
      'tag-pattern': 'plugins/{name}/v{version}'
    }
    const inputs = readInputs((n) => runner[n] ?? '', env)
    expect([...inputs.given].sort()).toEqual(['glibc', 'tag-pattern'])
    // So glibc with the default cc-* is no conflict, and the tag's plugin folder is used.
    expect(() => checkInputs(inputs)).not.toThrow()
    const clang: Record<string, string> = { ...runner, 'cc-arm64': 'clang' }
    const set = readInputs((n) => clang[n] ?? '', env)
    expect(() => checkInputs(set)).toThrow(/cc-arm64 would be ignored/)
  })

  it('reads dependency indexes (none for none), maintainers, and refuses non-URLs', () => {
    expect(readInputs(() => '', env).dependencyIndexes).toEqual([
      'https://falcosecurity.github.io/falcoctl/index.yaml'
    ])
    expect(
      readInputs((n) => (n === 'dependency-indexes' ? 'none' : ''), env).dependencyIndexes
    ).toEqual([])
    const two = readInputs(
      (n) => (n === 'dependency-indexes' ? 'file:///tmp/a.yaml\nhttp://127.0.0.1:1/i.yaml' : ''),
      env
    )
    expect(two.dependencyIndexes).toEqual(['file:///tmp/a.yaml', 'http://127.0.0.1:1/i.yaml'])
    const bad = readInputs((n) => (n === 'dependency-indexes' ? 'index.yaml' : ''), env)
    expect(() => checkInputs(bad)).toThrow(/dependency-indexes: "index.yaml" is not an index URL/)
    expect(
      readInputs((n) => (n === 'maintainers' ? 'Ann <ann@a.test>, Bob <bob@b.test>\nCy' : ''), env)
        .maintainers
    ).toEqual(['Ann <ann@a.test>', 'Bob <bob@b.test>', 'Cy'])
  })

  it('glibc takes a glibc version and refuses the cc-* inputs it would override', () => {
    const read = (values: Record<string, string>) => readInputs((n) => values[n] ?? '', env)
    expect(read({ glibc: '2.17' }).glibc).toBe('2.17')
    expect(read({}).glibc).toBe('')
    expect(() => checkInputs(read({ glibc: '2.17' }))).not.toThrow()
    expect(() => checkInputs(read({ glibc: 'bullseye' }))).toThrow(
      /glibc: "bullseye" is not a glibc version: .* like 2.17/
    )
    expect(() => checkInputs(read({ glibc: '2.17', 'cc-arm64': 'my-gcc' }))).toThrow(
      /glibc builds every platform with zig as the C compiler, so cc-arm64 would be ignored/
    )
  })
})
