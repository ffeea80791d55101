// Every input of the action, typed, with its default. The defaults live here
// (not only in action.yml) so that `node dist/index.js` run with only the
// INPUT_* variables that differ behaves exactly as under the runner, and the
// CLI shares them.

export interface Inputs {
  tag: string
  workingDirectory: string
  goPackage: string
  buildCommand: string
  pluginPath: string
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

/** Input names as in action.yml, with the default each takes when unset or empty. */
export const INPUT_DEFAULTS = {
  tag: '',
  'working-directory': '.',
  'go-package': './plugin',
  'build-command': '',
  'plugin-path': '',
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

export function readInputs(read: InputReader, env: NodeJS.ProcessEnv): Inputs {
  const get = (name: InputName): string => {
    const v = read(name)
    return v === '' ? INPUT_DEFAULTS[name] : v
  }
  const bool = (name: InputName) => parseBoolean(name, get(name))
  const githubRepository = env.GITHUB_REPOSITORY ?? ''
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')
  const repoUrl = githubRepository ? `${serverUrl}/${githubRepository}` : ''
  return {
    tag: get('tag'),
    workingDirectory: get('working-directory'),
    goPackage: get('go-package'),
    buildCommand: get('build-command'),
    pluginPath: get('plugin-path'),
    pluginName: get('plugin-name'),
    rulesFile: get('rules-file'),
    registry: get('registry'),
    // Registry paths must be lower case; GitHub owners often are not.
    repository: (get('repository') || githubRepository).toLowerCase(),
    username: get('username') || env.GITHUB_ACTOR || '',
    password: get('password'),
    plainHttp: bool('plain-http'),
    ociLayout: get('oci-layout'),
    overwrite: bool('overwrite'),
    dryRun: bool('dry-run'),
    majorZeroTag: bool('major-zero-tag'),
    indexFile: get('index-file'),
    license: get('license'),
    home: get('home') || repoUrl,
    keywords: get('keywords')
      .split(/[,\n]/)
      .map((k) => k.trim())
      .filter((k) => k !== ''),
    sourceUrl: get('source-url') || repoUrl,
    platforms: get('platforms'),
    ccArm64: get('cc-arm64'),
    ccAmd64: get('cc-amd64'),
    maxGlibc: get('max-glibc'),
    pushByDigest: bool('push-by-digest'),
    merge: get('merge'),
    tagPattern: get('tag-pattern'),
    githubRelease: get('github-release') === 'auto' ? 'auto' : bool('github-release'),
    githubToken: get('github-token') || env.GITHUB_TOKEN || '',
    indexBranch: get('index-branch'),
    retryBudget: parseCount('retry-budget', get('retry-budget'), 0),
    requestTimeout: parseCount('request-timeout', get('request-timeout'), 1),
    chunkSize: parseCount('chunk-size', get('chunk-size'), 1),
    chunkedUploadThreshold:
      get('chunked-upload-threshold') === ''
        ? undefined
        : parseCount('chunked-upload-threshold', get('chunked-upload-threshold'), 0),
    uploadConcurrency: parseCount('upload-concurrency', get('upload-concurrency'), 1),
    sign: parseSignMode(get('sign')),
    // Keys keep their line breaks: read raw, not trimmed line by line.
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
  if (inputs.ociLayout === '' && inputs.repository === '') {
    throw new InputError(
      'no repository to push to: set the `repository` input (e.g. my-org/plugins); ' +
        'under GitHub Actions it defaults to GITHUB_REPOSITORY'
    )
  }
}
