// Where the action finds things in a plugin repository: the rules file, the plugin's folder for
// a monorepo tag, and the links index.yaml and registry.yaml give to its sources.
import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readInputs } from '../../src/inputs/inputs.js'
import { pluginWorkDir } from '../../src/release/paths.js'
import { contextFrom } from '../../test/helpers/context.js'
import { chooseRulesFile } from '../../src/release/rules.js'
import { sourceLinks } from '../../src/release/source-links.js'

const env = contextFrom({ GITHUB_REPOSITORY: 'Acme/Plugins' }).github
const inputs = (values: Record<string, string> = {}) => readInputs((n) => values[n] ?? '', env)

function tree(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fpr-discovery-'))
  for (const f of files) {
    if (f.endsWith('/')) mkdirSync(join(dir, f), { recursive: true })
    else {
      mkdirSync(join(dir, f, '..'), { recursive: true })
      writeFileSync(join(dir, f), '- rule: x\n')
    }
  }
  return dir
}

describe('chooseRulesFile', () => {
  it('takes the one YAML file in rules/, whatever its name (k8saudit, cloudtrail, github)', () => {
    const dir = tree(['rules/k8s_audit_rules.yaml', 'rules/README.md'])
    expect(chooseRulesFile(inputs(), dir, 'k8saudit').file).toBe(
      join(dir, 'rules/k8s_audit_rules.yaml')
    )
  })

  it('takes <name>_rules.yaml next to go.mod (dummy)', () => {
    const dir = tree(['dummy_rules.yaml', 'go.mod'])
    expect(chooseRulesFile(inputs(), dir, 'dummy').file).toBe(join(dir, 'dummy_rules.yaml'))
  })

  it('refuses to guess between several, listing them', () => {
    const dir = tree(['rules/a.yaml', 'rules/b.yml'])
    expect(() => chooseRulesFile(inputs(), dir, 'foo')).toThrow(
      /rules\/ holds several YAML files \(a\.yaml, b\.yml\).*set rules-file/
    )
    expect(chooseRulesFile(inputs({ 'rules-file': 'rules/b.yml' }), dir, 'foo').file).toBe(
      join(dir, 'rules/b.yml')
    )
    expect(chooseRulesFile(inputs({ 'rules-file': 'none' }), dir, 'foo').file).toBeUndefined()
  })

  it('warns when rules/ exists but gives no file; says nothing without rules/', () => {
    const empty = tree(['rules/README.md'])
    const choice = chooseRulesFile(inputs(), empty, 'foo')
    expect(choice.file).toBeUndefined()
    expect(choice.warning).toMatch(/rules\/ exists but holds no \.yaml file.*rules-file/)
    expect(chooseRulesFile(inputs(), tree(['go.mod']), 'foo').warning).toBeUndefined()
  })

  it('refuses a rules-file that does not exist', () => {
    expect(() =>
      chooseRulesFile(inputs({ 'rules-file': 'nope.yaml' }), tree(['go.mod']), 'foo')
    ).toThrow(/rules-file "nope.yaml" does not exist/)
  })
})

describe('pluginWorkDir', () => {
  const pattern = { 'tag-pattern': 'plugins/{name}/v{version}' }

  it('is plugins/<name> for a monorepo tag', () => {
    const repo = tree(['plugins/json/go.mod', 'plugins/k8saudit/go.mod'])
    expect(pluginWorkDir(inputs(pattern), 'plugins/json/v0.7.4', 'json', repo)).toBe(
      join(repo, 'plugins/json')
    )
  })

  it('says that the folder of the plugin a tag names does not exist, listing the others', () => {
    const repo = tree(['plugins/json/go.mod', 'plugins/k8saudit/go.mod', 'plugin/main.go'])
    expect(() => pluginWorkDir(inputs(pattern), 'plugins/jsno/v0.7.4', 'jsno', repo)).toThrow(
      /tag "plugins\/jsno\/v0.7.4" releases the plugin "jsno", but its folder plugins\/jsno does not exist .*\(plugins has json, k8saudit\).*working-directory/
    )
  })

  it('is plugins/<name> too when working-directory is at its default, as the runner passes it', () => {
    const repo = tree(['plugins/json/go.mod'])
    const runner = inputs({ ...pattern, 'working-directory': '.' })
    expect(pluginWorkDir(runner, 'plugins/json/v0.7.4', 'json', repo)).toBe(
      join(repo, 'plugins/json')
    )
  })

  it('is the repository itself for a single-plugin repository whose tags name the plugin', () => {
    const single = { 'tag-pattern': '{name}-v{version}', 'working-directory': '.' }
    const repo = tree(['go.mod', 'plugin/main.go'])
    expect(pluginWorkDir(inputs(single), 'json-v1.0.0', 'json', repo)).toBe(repo)
    const built = tree(['CMakeLists.txt'])
    expect(
      pluginWorkDir(inputs({ ...single, 'build-command': 'make' }), 'json-v1.0.0', 'json', built)
    ).toBe(built)
    // A monorepo's top folder is no plugin: a tag naming a missing plugin is still refused.
    expect(() => pluginWorkDir(inputs(single), 'json-v1.0.0', 'json', tree(['README.md']))).toThrow(
      /its folder plugins\/json does not exist/
    )
  })

  it('keeps a working-directory the user gives', () => {
    const repo = tree(['src/go.mod'])
    expect(
      pluginWorkDir(
        inputs({ ...pattern, 'working-directory': 'src' }),
        'plugins/x/v1.0.0',
        'x',
        repo
      )
    ).toBe(join(repo, 'src'))
  })
})

describe('sourceLinks', () => {
  it('links a plugin in a folder at that folder, at the release tag', () => {
    const repo = tree(['.git/', 'plugins/k8saudit/rules/k8s_audit_rules.yaml'])
    const links = sourceLinks({
      inputs: inputs(),
      workDir: join(repo, 'plugins/k8saudit'),
      tag: 'plugins/k8saudit/v0.18.0',
      rulesFile: join(repo, 'plugins/k8saudit/rules/k8s_audit_rules.yaml')
    })
    const tree_ = 'https://github.com/Acme/Plugins/tree/plugins/k8saudit/v0.18.0/plugins/k8saudit'
    expect(links).toEqual({
      home: tree_,
      sources: [tree_],
      url: tree_,
      rulesUrl: `${tree_}/rules`,
      pluginFolder: 'plugins/k8saudit'
    })
  })

  it('links the repository for a plugin at its root, and keeps home and source-url when given', () => {
    const repo = tree(['.git/', 'go.mod'])
    expect(sourceLinks({ inputs: inputs(), workDir: repo, tag: 'v1.0.0' })).toMatchObject({
      home: 'https://github.com/Acme/Plugins',
      sources: ['https://github.com/Acme/Plugins'],
      url: 'https://github.com/Acme/Plugins'
    })
    const given = inputs({ home: 'https://acme.test', 'source-url': 'https://git.acme.test/p' })
    expect(sourceLinks({ inputs: given, workDir: join(repo), tag: 'v1.0.0' })).toMatchObject({
      home: 'https://acme.test',
      sources: ['https://git.acme.test/p'],
      url: 'https://git.acme.test/p'
    })
  })
})
