// The README and the workflow examples must use the inputs the action really
// has, and document all of them; action.yml must declare every output we set.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { parse, parseAllDocuments } from 'yaml'
import { INPUT_DEFAULTS, readInputs, type InputName } from '../src/inputs/inputs.js'
import { requiredPermissions } from '../src/inputs/permissions.js'
import { contextFrom } from '../test/helpers/context.js'
import type { GitHubFacts } from '../src/context.js'

const root = new URL('../', import.meta.url)
const read = (p: string) => readFileSync(new URL(p, root), 'utf8')
const action = parse(read('action.yml')) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
}
const ACTION = 'falco-plugin-release/falco-plugin-release@v1'
const REUSABLE = 'falco-plugin-release/falco-plugin-release/.github/workflows/release-plugin.yml@v1'

/** YAML code blocks of a markdown file (fragments that do not parse are skipped by the caller). */
function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1])
}

/** Every `uses:` object with its `with:` keys, found anywhere in a parsed YAML value. */
function usesOf(value: unknown, out: Array<{ uses: string; with: string[] }> = []) {
  if (Array.isArray(value)) value.forEach((v) => usesOf(v, out))
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    if (typeof o.uses === 'string') {
      out.push({ uses: o.uses, with: Object.keys((o.with as object) ?? {}) })
    }
    Object.values(o).forEach((v) => usesOf(v, out))
  }
  return out
}

function sources(): Array<{ file: string; text: string }> {
  const docs = readdirSync(new URL('docs/workflows/', root)).map((f) => `docs/workflows/${f}`)
  const workflows = readdirSync(new URL('.github/workflows/', root)).map(
    (f) => `.github/workflows/${f}`
  )
  const out: Array<{ file: string; text: string }> = []
  for (const file of ['README.md', ...docs]) {
    for (const block of yamlBlocks(read(file))) out.push({ file, text: block })
  }
  for (const file of workflows) out.push({ file, text: read(file) })
  return out
}

describe('documentation matches the action', () => {
  const reusable = parse(read('.github/workflows/release-plugin.yml')) as {
    on: { workflow_call: { inputs: Record<string, unknown> } }
  }
  const reusableInputs = Object.keys(reusable.on.workflow_call.inputs)

  it('every example passes only inputs the action (or the reusable workflow) declares', () => {
    let checked = 0
    for (const { file, text } of sources()) {
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) continue
        for (const u of usesOf(doc.toJS())) {
          const known =
            u.uses === ACTION
              ? Object.keys(action.inputs)
              : u.uses === REUSABLE
                ? reusableInputs
                : undefined
          if (!known) continue
          checked++
          for (const key of u.with)
            expect([file, key, known.includes(key)]).toEqual([file, key, true])
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8)
  })

  it('the reusable workflow passes on only real inputs and offers the main ones', () => {
    for (const key of reusableInputs) {
      if (key in action.inputs) continue
      expect(['reusable input without an action input', key]).toEqual([
        'reusable input without an action input',
        expect.stringMatching(
          /^(go-version|runs-on|runner|setup-cross|cross-compile|go-version-file)/
        )
      ])
    }
    for (const key of ['tag', 'working-directory', 'platforms', 'registry', 'index-branch']) {
      expect(reusableInputs).toContain(key)
    }
  })

  it('the README documents every input and output', () => {
    const readme = read('README.md')
    for (const name of Object.keys(INPUT_DEFAULTS))
      expect([name, readme.includes(`\`${name}\``)]).toEqual([name, true])
    for (const name of Object.keys(action.outputs))
      expect([name, readme.includes(`\`${name}\``)]).toEqual([name, true])
  })

  it("action.yml's description fits the Marketplace (at most 125 characters)", () => {
    const description = (parse(read('action.yml')) as { description: string }).description
    expect(description.length).toBeLessThanOrEqual(125)
  })
})

type Workflow = {
  on?: { push?: { tags?: unknown; branches?: unknown } }
  permissions?: Record<string, string>
  jobs?: Record<
    string,
    {
      permissions?: Record<string, string>
      uses?: string
      with?: Record<string, unknown>
      steps?: Array<{ uses?: string; with?: Record<string, unknown> }>
    }
  >
}

/** The inputs of a step as the action reads them; an expression counts as a non-empty value. */
function inputsOf(withs: Record<string, unknown>, defaults: Record<string, string> = {}) {
  const values: Record<string, string> = { ...defaults }
  for (const [k, v] of Object.entries(withs)) {
    const expression = typeof v === 'string' && v.includes('${{')
    const flag = ['true', 'false', 'auto'].includes(INPUT_DEFAULTS[k as InputName] ?? '')
    values[k] = expression
      ? flag
        ? INPUT_DEFAULTS[k as InputName]
        : 'from-an-expression'
      : String(v)
  }
  return readInputs(
    (name: InputName) => values[name] ?? '',
    contextFrom({ GITHUB_REPOSITORY: 'acme/plugin' }).github
  )
}

const LEVEL = { none: 0, read: 1, write: 2 } as const
const granted = (p: Record<string, string> | undefined, scope: string): number =>
  LEVEL[(p?.[scope] ?? 'none') as keyof typeof LEVEL] ?? 0

describe('the documented workflows grant the permissions their inputs need', () => {
  const reusableDefaults = {}
  const tagRun = contextFrom({ GITHUB_ACTIONS: 'true', GITHUB_REF: 'refs/tags/1.4.2' }).github

  const devRun = contextFrom({ GITHUB_ACTIONS: 'true', GITHUB_REF: 'refs/heads/main' }).github

  function check(file: string, wf: Workflow, env: GitHubFacts = tagRun): number {
    let checked = 0
    for (const [name, job] of Object.entries(wf.jobs ?? {})) {
      const perms = job.permissions ?? wf.permissions
      const calls: Array<Record<string, unknown>> = []
      if (job.uses === REUSABLE) calls.push({ ...reusableDefaults, ...(job.with ?? {}) })
      for (const step of job.steps ?? []) if (step.uses === ACTION) calls.push(step.with ?? {})
      for (const withs of calls) {
        const needs = requiredPermissions(inputsOf(withs as Record<string, string>), env)
        for (const [scope, level] of Object.entries(needs)) {
          expect([
            file,
            name,
            scope,
            granted(perms, scope) >= LEVEL[level as keyof typeof LEVEL]
          ]).toEqual([file, name, scope, true])
        }
        checked++
      }
    }
    return checked
  }

  it("the README's headline workflow: contents: write (the tag's GitHub Release) and packages: write (ghcr.io)", () => {
    const headline = parse(yamlBlocks(read('README.md'))[0]) as Workflow
    expect(headline.on?.push?.tags).toBeDefined()
    expect(check('README.md (headline)', headline)).toBe(1)
    const needs = requiredPermissions(inputsOf({}), tagRun)
    expect(needs).toEqual({ contents: 'write', packages: 'write' })
    expect(headline.permissions).toMatchObject({ contents: 'write', packages: 'write' })
  })

  it('every documented workflow that runs on tags grants what it needs', () => {
    let checked = 0
    for (const { file, text } of sources()) {
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) continue
        const wf = doc.toJS() as Workflow & { on?: unknown }
        if (!wf || typeof wf !== 'object' || !wf.jobs) continue
        // Release workflows: on tags, or a fragment of one (no `on:`). Not workflow_call etc.
        if (wf.on !== undefined && wf.on?.push?.tags === undefined) continue
        checked += check(file, wf)
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8)
  })

  it('every documented workflow that runs on branch pushes (dev builds) grants what it needs', () => {
    let checked = 0
    for (const { file, text } of sources()) {
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) continue
        const wf = doc.toJS() as Workflow
        if (!wf || typeof wf !== 'object' || !wf.jobs || wf.on?.push?.branches === undefined)
          continue
        checked += check(file, wf, devRun)
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3)
    // A dev build makes no GitHub Release: reading the repository is enough, unless the dev
    // index goes to a branch.
    expect(requiredPermissions(inputsOf({ 'github-release': 'true' }), devRun)).toEqual({
      contents: 'read',
      packages: 'write'
    })
    expect(
      requiredPermissions(
        inputsOf({ 'dev-index-file': 'dev.yaml', 'index-branch': 'gh-pages' }),
        devRun
      ).contents
    ).toBe('write')
  })

  it('no documented workflow uses a concurrency group that would cancel pending releases', () => {
    for (const { file, text } of sources()) {
      expect([
        file,
        /concurrency:\s*release-\$\{\{\s*github\.repository\s*\}\}\s*$/m.test(text)
      ]).toEqual([file, false])
    }
  })
})
