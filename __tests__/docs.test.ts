// The README and the workflow examples must use the inputs the action really
// has, and document all of them; action.yml must declare every output we set.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { parse, parseAllDocuments } from 'yaml'
import { INPUT_DEFAULTS } from '../src/inputs/inputs.js'

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
})
