// Links to the plugin's sources for index.yaml (home, sources) and registry.yaml (url,
// rules_url). A plugin in a folder of its repository (a monorepo's plugins/<name>) is linked at
// that folder, as falcosecurity/plugins links its own; the ref is the release tag, which always
// exists and shows the code that was released (upstream uses its default branch, which the
// action cannot know outside GitHub).
import { dirname } from 'node:path'
import type { Inputs } from '../inputs/inputs.js'
import { repositoryPath, repositoryRoot } from './paths.js'

export interface SourceLinks {
  /** index.yaml home. */
  home: string
  /** index.yaml sources. */
  sources: string[]
  /** The plugin's code: registry.yaml url (unless the existing entry has one). */
  url: string
  /** The rules file's folder: registry.yaml rules_url. */
  rulesUrl?: string
  /** The plugin's folder in the repository, '' at the root. */
  pluginFolder: string
}

function treeUrl(repositoryUrl: string, ref: string, path: string): string {
  if (repositoryUrl === '') return ''
  return path === '' ? repositoryUrl : `${repositoryUrl}/tree/${ref}/${path}`
}

export function sourceLinks(opts: {
  inputs: Inputs
  /** The plugin's folder (holds go.mod). */
  workDir: string
  /** The release's git tag. */
  tag: string
  rulesFile?: string
}): SourceLinks {
  const { inputs } = opts
  const root = repositoryRoot(opts.workDir)
  const pluginFolder = repositoryPath(root, opts.workDir)
  const code = treeUrl(inputs.repositoryUrl, opts.tag, pluginFolder)
  const given = (n: 'home' | 'source-url') => inputs.given.has(n)
  const home = given('home') ? inputs.home : code || inputs.home
  const source = given('source-url') ? inputs.sourceUrl : code || inputs.sourceUrl
  const rulesFolder = opts.rulesFile ? repositoryPath(root, dirname(opts.rulesFile)) : undefined
  return {
    home,
    sources: source ? [source] : [],
    url: given('source-url') ? inputs.sourceUrl : given('home') ? inputs.home : code,
    rulesUrl:
      rulesFolder !== undefined && inputs.repositoryUrl !== ''
        ? treeUrl(inputs.repositoryUrl, opts.tag, rulesFolder)
        : undefined,
    pluginFolder
  }
}
