// Every input of the action, typed, with its default. The defaults live here
// (not only in action.yml) so that `node dist/index.js` run with only the
// INPUT_* variables that differ behaves exactly as under the runner, and the
// CLI shares them.
import type { GitHubFacts } from '../context.js'

export interface Inputs {
  tag: string
  workingDirectory: string
  goPackage: string
  buildCommand: string
  pluginPath: string
  /** Variables the build and the plugin keep although they would be removed (build-env-keep). */
  buildEnvKeep: string[]
  /** Seconds the plugin may take to load and answer the inspector. */
  inspectTimeout: number
  pluginName: string
  rulesFile: string
  registry: string
  repository: string
  username: string
  password: string
  plainHttp: boolean
  ociLayout: string
  overwrite: boolean
  dryRun: boolean
  majorZeroTag: boolean
  indexFile: string
  license: string
  home: string
  keywords: string[]
  sourceUrl: string
  platforms: string
  ccArm64: string
  ccAmd64: string
  maxGlibc: string
  /**
   * The oldest glibc the plugin must load on ("2.17"): every platform is built with zig as the C
   * compiler for <arch>-linux-gnu.<glibc>, and a .so that needs more is refused. '' for off.
   */
  glibc: string
  pushByDigest: boolean
  merge: string
  tagPattern: string
  githubRelease: 'auto' | boolean
  githubToken: string
  indexBranch: string
  /** Seconds of retrying one registry operation (0: no retries). */
  retryBudget: number
  requestTimeout: number
  chunkSize: number
  /** Blobs at least this large go up in chunks; undefined: never (monolithic). */
  chunkedUploadThreshold?: number
  uploadConcurrency: number
  /** Accept paths outside GITHUB_WORKSPACE (rules-file, index-file, working-directory, ...). */
  allowOutsideWorkspace: boolean
  /** The plugin's config depends on its rules (the mutual dependency); false: the plugin alone. */
  pluginDependsOnRules: boolean
  /** Indexes (besides index-file) whose artifacts users' falcoctl resolves dependencies from. */
  dependencyIndexes: string[]
  /** Refuse a release whose artifacts falcoctl cannot install (a dependency tag missing). */
  checkDependencies: boolean
  /** "Name <email>" entries for index.yaml and registry.yaml; default: the .so's contact. */
  maintainers: string[]
  authors: string
  /** The moving tag of dev builds (pushes to the default branch), e.g. "main". */
  devTag: string
  /** The branch whose pushes are dev builds; '' the repository's default branch (the event's). */
  devBranch: string
  /** Dev version tags kept per repository (older ones deleted where the registry allows); 0 all. */
  devKeep: number
  /** The index file dev builds merge their entries into; '' none (index-file is left alone). */
  devIndexFile: string
  /** The GitHub repository's URL (from GITHUB_REPOSITORY, else the repository input as typed). */
  repositoryUrl: string
  /**
   * Inputs set to something other than their action.yml default: defaults computed later (the
   * plugin's folder from a monorepo tag) must not override them. The runner passes every default
   * as if given, so the default's own value counts as not set.
   */
  given: ReadonlySet<InputName>
  /** auto | keyless | key | false (src/sign/signing.ts). */
  sign: 'auto' | 'keyless' | 'key' | 'false'
  /** PEM text of cosign.key (or a path to it). A secret. */
  signingKey: string
  signingKeyPassword: string
  /** Where falcoctl loads the public key from (index.yaml signature.cosign.key). */
  signingPublicKeyRef: string
  fulcioUrl: string
  rekorUrl: string
  /** GitHub artifact attestations (SLSA build provenance) of the release archives. */
  provenance: 'auto' | boolean
}

/** falcoctl's default index: users' falcoctl resolves dependencies through it unless removed. */
export const FALCOSECURITY_INDEX = 'https://falcosecurity.github.io/falcoctl/index.yaml'

/** Input names as in action.yml, with the default each takes when unset or empty. */
export const INPUT_DEFAULTS = {
  tag: '',
  'working-directory': '.',
  'go-package': './plugin',
  'build-command': '',
  'plugin-path': '',
  'build-env-keep': '',
  'inspect-timeout': '60',
  'plugin-name': '',
  'rules-file': '',
  registry: 'ghcr.io',
  repository: '',
  username: '',
  password: '',
  'plain-http': 'false',
  'oci-layout': '',
  overwrite: 'false',
  'dry-run': 'false',
  'major-zero-tag': 'false',
  'index-file': 'index.yaml',
  license: '',
  home: '',
  keywords: '',
  'source-url': '',
  platforms: '',
  'cc-arm64': 'aarch64-linux-gnu-gcc',
  'cc-amd64': 'x86_64-linux-gnu-gcc',
  'max-glibc': '',
  glibc: '',
  'push-by-digest': 'false',
  merge: '',
  'tag-pattern': '{version}',
  'github-release': 'auto',
  'github-token': '',
  'index-branch': '',
  'retry-budget': '300',
  'request-timeout': '120',
  'chunk-size': '4194304',
  'chunked-upload-threshold': '',
  'upload-concurrency': '4',
  'allow-outside-workspace': 'false',
  'plugin-depends-on-rules': 'true',
  'dependency-indexes': FALCOSECURITY_INDEX,
  'check-dependencies': 'true',
  maintainers: '',
  authors: '',
  'dev-tag': 'main',
  'dev-branch': '',
  'dev-keep': '10',
  'dev-index-file': '',
  sign: 'auto',
  'signing-key': '',
  'signing-key-password': '',
  'signing-public-key-ref': '',
  'fulcio-url': 'https://fulcio.sigstore.dev',
  'rekor-url': 'https://rekor.sigstore.dev',
  provenance: 'auto'
} as const

export type InputName = keyof typeof INPUT_DEFAULTS

export class InputError extends Error {}

/** Reads a raw input value; returns '' when unset. */
export type InputReader = (name: InputName) => string

/** Reads an input from INPUT_<NAME> the way @actions/core does (spaces to _, upper case, hyphens kept). */
export function envInputReader(env: NodeJS.ProcessEnv): InputReader {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

function parseCount(name: string, raw: string, min: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new InputError(`input "${name}" must be a whole number >= ${min}, got "${raw}"`)
  }
  return Number(raw)
}

function parseSignMode(raw: string): Inputs['sign'] {
  const v = raw.toLowerCase()
  if (v === 'auto' || v === 'keyless' || v === 'key' || v === 'false') return v
  throw new InputError(`input "sign" must be auto, keyless, key or false, got "${raw}"`)
}

function parseHttpsUrl(name: string, raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError(`input "${name}" must be a URL, got "${raw}"`)
  }
  // Plain HTTP only to this machine (test stand-ins): tokens and certificates travel there.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError(`input "${name}" must be an https:// URL, got "${raw}"`)
  }
  return raw.replace(/\/+$/, '')
}

function parseBoolean(name: string, raw: string): boolean {
  if (/^(true|True|TRUE)$/.test(raw)) return true
  if (/^(false|False|FALSE)$/.test(raw)) return false
  throw new InputError(`input "${name}" must be true or false, got "${raw}"`)
}

/**
 * A list of environment variable names, separated by commas or new lines. Refuses anything that
 * cannot be a name (NAME=value pasted by mistake), without echoing it: it may be a secret.
 */
function parseVariableNames(name: string, raw: string): string[] {
  const names = raw
    .split(/[,\n]/)
    .map((n) => n.trim())
    .filter((n) => n !== '')
  names.forEach((n, i) => {
    if (/[=\s\0]/.test(n)) {
      throw new InputError(
        `input "${name}" lists variable names, separated by commas or new lines: entry ${i + 1} ` +
          'is not a name (write NAME, not NAME=value; the value comes from the environment)'
      )
    }
  })
  return [...new Set(names)]
}

/** The run's facts some defaults come from (the repository, the actor, the workflow token). */
export type InputContext = Pick<GitHubFacts, 'repository' | 'serverUrl' | 'actor' | 'token'>

export function readInputs(read: InputReader, github: InputContext): Inputs {
  const get = (name: InputName): string => {
    const v = read(name)
    return v === '' ? INPUT_DEFAULTS[name] : v
  }
  const bool = (name: InputName) => parseBoolean(name, get(name))
  const githubRepository = github.repository
  const serverUrl = github.serverUrl
  // Outside GitHub (the CLI), the repository input names the GitHub repository: spelled as
  // GitHub spells it, it gives the same source annotation, so the same digests, as the action.
  const ownerRepo =
    githubRepository || (/^[\w.-]+\/[\w.-]+$/.test(read('repository')) ? read('repository') : '')
  const repoUrl = ownerRepo ? `${serverUrl}/${ownerRepo}` : ''
  const list = (name: InputName) =>
    get(name)
      .split(/[,\n]/)
      .map((k) => k.trim())
      .filter((k) => k !== '')
  // The runner sets INPUT_<NAME> for every input action.yml declares, to its default when the
  // workflow does not give one (actions/runner, ActionRunner.cs: "Merge the default inputs from
  // the definition"), so a value equal to the default is indistinguishable from none.
  const given = new Set(
    (Object.keys(INPUT_DEFAULTS) as InputName[]).filter(
      (n) => read(n) !== '' && read(n) !== INPUT_DEFAULTS[n]
    )
  )
  return {
    tag: get('tag'),
    workingDirectory: get('working-directory'),
    goPackage: get('go-package'),
    buildCommand: get('build-command'),
    pluginPath: get('plugin-path'),
    buildEnvKeep: parseVariableNames('build-env-keep', get('build-env-keep')),
    inspectTimeout: parseCount('inspect-timeout', get('inspect-timeout'), 1),
    pluginName: get('plugin-name'),
    rulesFile: get('rules-file'),
    registry: get('registry'),
    // Registry paths must be lower case; GitHub owners often are not.
    repository: (get('repository') || githubRepository).toLowerCase(),
    username: get('username') || github.actor,
    password: get('password'),
    plainHttp: bool('plain-http'),
    ociLayout: get('oci-layout'),
    overwrite: bool('overwrite'),
    dryRun: bool('dry-run'),
    majorZeroTag: bool('major-zero-tag'),
    indexFile: get('index-file'),
    license: get('license'),
    home: get('home') || repoUrl,
    keywords: list('keywords'),
    sourceUrl: get('source-url') || repoUrl,
    platforms: get('platforms'),
    ccArm64: get('cc-arm64'),
    ccAmd64: get('cc-amd64'),
    maxGlibc: get('max-glibc'),
    glibc: get('glibc'),
    pushByDigest: bool('push-by-digest'),
    merge: get('merge'),
    tagPattern: get('tag-pattern'),
    githubRelease: get('github-release') === 'auto' ? 'auto' : bool('github-release'),
    githubToken: get('github-token') || github.token,
    indexBranch: get('index-branch'),
    retryBudget: parseCount('retry-budget', get('retry-budget'), 0),
    requestTimeout: parseCount('request-timeout', get('request-timeout'), 1),
    chunkSize: parseCount('chunk-size', get('chunk-size'), 1),
    chunkedUploadThreshold:
      get('chunked-upload-threshold') === ''
        ? undefined
        : parseCount('chunked-upload-threshold', get('chunked-upload-threshold'), 0),
    uploadConcurrency: parseCount('upload-concurrency', get('upload-concurrency'), 1),
    allowOutsideWorkspace: bool('allow-outside-workspace'),
    pluginDependsOnRules: bool('plugin-depends-on-rules'),
    dependencyIndexes: /^(none|false|off)$/i.test(get('dependency-indexes'))
      ? []
      : list('dependency-indexes'),
    checkDependencies: bool('check-dependencies'),
    // Maintainers are "Name <email>": split on newlines and on commas outside <...>.
    maintainers: get('maintainers')
      .split(/\n|,(?![^<]*>)/)
      .map((m) => m.trim())
      .filter((m) => m !== ''),
    authors: get('authors'),
    devTag: get('dev-tag'),
    devBranch: get('dev-branch'),
    devKeep: parseCount('dev-keep', get('dev-keep'), 0),
    devIndexFile: get('dev-index-file'),
    repositoryUrl: repoUrl,
    given,
    sign: parseSignMode(get('sign')),
    signingKey: get('signing-key'),
    signingKeyPassword: read('signing-key-password'),
    signingPublicKeyRef: get('signing-public-key-ref'),
    fulcioUrl: parseHttpsUrl('fulcio-url', get('fulcio-url')),
    rekorUrl: parseHttpsUrl('rekor-url', get('rekor-url')),
    provenance: get('provenance') === 'auto' ? 'auto' : bool('provenance')
  }
}

/** Checks that need nothing but the inputs; run before anything slow. */
export function checkInputs(inputs: Inputs): void {
  for (const url of inputs.dependencyIndexes) {
    if (!/^(https?|file):\/\/\S+$/.test(url)) {
      throw new InputError(
        `dependency-indexes: "${url}" is not an index URL: give https://, http:// or file:// URLs ` +
          '(comma or newline separated), or none to resolve dependencies through index-file only'
      )
    }
  }
  if (inputs.buildCommand !== '' && inputs.pluginPath === '') {
    throw new InputError(
      'build-command is set but plugin-path is not: set plugin-path to the .so your command builds (e.g. libfoo.so)'
    )
  }
  if (inputs.pushByDigest && inputs.merge !== '') {
    throw new InputError(
      'push-by-digest and merge are the two halves of a matrix release: set push-by-digest in the ' +
        'per-platform jobs and merge in the final job, not both in one step'
    )
  }
  if (inputs.glibc !== '') {
    if (!/^2\.\d+(\.\d+)?$/.test(inputs.glibc)) {
      throw new InputError(
        `glibc: "${inputs.glibc}" is not a glibc version: write the oldest glibc the plugin must ` +
          'load on, like 2.17 (CentOS 7, Amazon Linux 2 has 2.26) or 2.28 (RHEL 8), or leave it empty'
      )
    }
    const cc = (['cc-amd64', 'cc-arm64'] as const).filter((n) => inputs.given.has(n))
    if (cc.length > 0) {
      throw new InputError(
        `glibc builds every platform with zig as the C compiler, so ${cc.join(' and ')} would be ` +
          `ignored: remove ${cc.length > 1 ? 'them' : 'it'}, or remove glibc to build with ` +
          `${cc.length > 1 ? 'those compilers' : 'that compiler'}`
      )
    }
  }
  if (inputs.ociLayout === '' && inputs.repository === '') {
    throw new InputError(
      'no repository to push to: set the `repository` input (e.g. my-org/plugins); ' +
        'under GitHub Actions it defaults to GITHUB_REPOSITORY'
    )
  }
}
