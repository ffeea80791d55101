#!/usr/bin/env node
// Runs actionlint over .github/workflows/* and over every workflow snippet in README.md and
// docs/, the way a user would paste them, with this action's `uses:` pointed at the local
// checkout (`./` for the action, `./.github/workflows/release-plugin.yml` for the reusable
// workflow), so that actionlint checks every input and output against our action.yml and
// release-plugin.yml. Step fragments are wrapped in a job, job fragments in a workflow.
//
//   node scripts/lint-workflows.mjs            (actionlint from .tools/bin, else PATH)
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments, stringify } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ACTION = /^falco-plugin-release\/falco-plugin-release@\S+$/
const REUSABLE =
  /^falco-plugin-release\/falco-plugin-release\/\.github\/workflows\/release-plugin\.yml@\S+$/

function actionlintBinary() {
  const local = join(root, '.tools', 'bin', 'actionlint')
  if (existsSync(local)) return local
  const r = spawnSync('sh', ['-c', 'command -v actionlint'], { encoding: 'utf8' })
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim()
  console.error('lint-workflows: actionlint not found: run `bash scripts/install-actionlint.sh`')
  process.exit(2)
}

/** Every `uses:` of ours rewritten to the local checkout. */
function localise(value) {
  if (Array.isArray(value)) return value.map(localise)
  if (value && typeof value === 'object') {
    const out = {}
    for (const [k, v] of Object.entries(value)) {
      if (k === 'uses' && typeof v === 'string' && ACTION.test(v)) out[k] = './'
      else if (k === 'uses' && typeof v === 'string' && REUSABLE.test(v))
        out[k] = './.github/workflows/release-plugin.yml'
      else out[k] = localise(v)
    }
    return out
  }
  return value
}

const isStep = (x) => x && typeof x === 'object' && ('uses' in x || 'run' in x)

/** A complete workflow from a snippet, or undefined when the YAML is not a workflow at all. */
function asWorkflow(doc) {
  if (Array.isArray(doc) && doc.length > 0 && doc.every(isStep)) {
    return { on: 'push', jobs: { snippet: { 'runs-on': 'ubuntu-24.04', steps: doc } } }
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'jobs' in doc) {
    return { on: 'push', ...doc }
  }
  return undefined
}

function markdownFiles() {
  const out = ['README.md']
  const walk = (dir) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.md')) out.push(p)
    }
  }
  walk('docs')
  return out
}

const work = mkdtempSync(join(tmpdir(), 'fpr-actionlint-'))
execFileSync('git', ['init', '-q', work]) // actionlint finds the project by its .git
const workflows = join(work, '.github', 'workflows')
mkdirSync(workflows, { recursive: true })
writeFileSync(join(work, 'action.yml'), readFileSync(join(root, 'action.yml')))
mkdirSync(join(work, 'dist'))
writeFileSync(join(work, 'dist', 'index.js'), '') // actionlint checks that runs.main exists
const origin = new Map()

for (const f of readdirSync(join(root, '.github', 'workflows'))) {
  const text = readFileSync(join(root, '.github', 'workflows', f), 'utf8')
  // release-plugin.yml calls the action by name; here it must call the local one.
  writeFileSync(
    join(workflows, f),
    text.replace(/(uses:\s+)falco-plugin-release\/falco-plugin-release@\S+/g, '$1./')
  )
  origin.set(f, `.github/workflows/${f}`)
}

let snippets = 0
const skipped = []
for (const file of markdownFiles()) {
  const md = readFileSync(join(root, file), 'utf8')
  let n = 0
  for (const m of md.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
    n++
    const line = md.slice(0, m.index).split('\n').length
    const docs = parseAllDocuments(m[1])
    if (docs.some((d) => d.errors.length > 0)) {
      console.error(
        `${file}:${line}: a YAML block that does not parse: ${docs.find((d) => d.errors.length)?.errors[0].message}`
      )
      process.exitCode = 1
      continue
    }
    const workflow = asWorkflow(docs[0]?.toJS())
    if (!workflow) {
      skipped.push(`${file}:${line}`)
      continue
    }
    const name = `snippet-${file.replace(/[^A-Za-z0-9]+/g, '-')}-${n}.yml`
    writeFileSync(join(workflows, name), `# ${file}:${line}\n` + stringify(localise(workflow)))
    origin.set(name, `${file}:${line} (YAML block ${n})`)
    snippets++
  }
}

const bin = actionlintBinary()
const r = spawnSync(
  bin,
  [
    '-no-color',
    '-format',
    '{{range $err := .}}{{$err.Filepath}}:{{$err.Line}}:{{$err.Column}}: {{$err.Message}} [{{$err.Kind}}]\n{{end}}'
  ],
  {
    cwd: work,
    encoding: 'utf8'
  }
)
const out = (r.stdout + r.stderr).trim()
for (const line of out.split('\n').filter(Boolean)) {
  const file = relative('.github/workflows', line.split(':')[0])
  const from = origin.get(file)
  console.error(from ? `${from}: ${line}` : line)
}
const version = execFileSync(bin, ['-version'], { encoding: 'utf8' }).split('\n')[0]
console.log(
  `actionlint ${version}: ${origin.size - snippets} workflow(s) and ${snippets} snippet(s) from the docs` +
    (skipped.length ? `; not workflows, skipped: ${skipped.join(', ')}` : '')
)
rmSync(work, { recursive: true, force: true })
if (r.status !== 0 || out !== '') process.exitCode = 1
