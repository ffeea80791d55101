// The summary's "Install" section: only commands that work, as checked before publishing
// (src/release/dependencies.ts): through the index, and with full references without one.
import type { ReleaseResult } from '../pipeline/state.js'
import { installTag } from '../plan/plan.js'
import { mdCode, mdFence } from './markdown.js'

function fileName(p: string): string {
  return p.split('/').slice(-1)[0]
}

/** Markdown lines of the Install section (heading included). */
export function installSection(result: ReleaseResult): string[] {
  const { plan, metadata } = result
  const check = result.install
  const out: string[] = ['### Install', '']
  const commands: string[] = []
  const index = result.distribution?.index
  if (index) commands.push(`falcoctl index add ${metadata.name} ${index.url}`)
  else if (result.indexFile) {
    commands.push(
      `falcoctl index add ${metadata.name} <URL where you publish ${fileName(result.indexFile)}>`
    )
  }
  const tag = installTag(plan)
  const target = plan.rules ?? plan.plugin
  const install = check?.install ?? [`${target.name}:${tag}`]
  const noDeps = (skip: boolean | undefined) => (skip ? ' --resolve-deps=false' : '')
  commands.push(
    `falcoctl artifact install${noDeps(check?.indexedSkipsDependencies)} ${install.join(' ')}`
  )
  const direct = check?.direct ?? [`${plan.plugin.ref}:${plan.version}`]
  commands.push('# or, without an index:')
  commands.push(
    `falcoctl artifact install${noDeps(check?.directSkipsDependencies ?? true)} ${direct.join(' ')}`
  )
  out.push(...mdFence(commands.join('\n'), 'sh'))

  const notes: string[] = []
  if (check && check.others.length > 0) {
    notes.push(
      `Installing through the index also installs ${check.others.map(mdCode).join(', ')} ` +
        '(dependencies of the rules); without an index, install them yourself.'
    )
  }
  if (check && check.missing.length > 0) {
    notes.push(
      `Not published yet, so dependencies are skipped above: ${check.missing
        .map((m) => mdCode(`${m.name}:${m.version}`))
        .join(', ')}.`
    )
  }
  if (plan.rules && plan.plugin.config.dependencies?.some((d) => d.name === plan.rules?.name)) {
    notes.push(
      `The plugin depends on ${mdCode(`${plan.rules.name}:${plan.version}`)}: installing either installs both.`
    )
  } else if (plan.rules && install.length === 1) {
    notes.push(
      `The rules artifact depends on ${mdCode(`${plan.plugin.name}:${plan.version}`)}, so installing it installs the plugin too.`
    )
  }
  for (const n of notes) out.push('', n)
  return out
}
