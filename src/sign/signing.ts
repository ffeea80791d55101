// Whether and how this release is signed, decided (and checked) before the first registry write:
//
//   sign: auto     a signing-key given -> key; else keyless when the job can get GitHub's OIDC
//                  token (permissions: id-token: write) on github.com for a repository that is
//                  not private; else unsigned, with a notice (so jobs without id-token keep
//                  working as before);
//   sign: keyless  keyless, or fail when there is no OIDC token;
//   sign: key      with signing-key, or fail without it;
//   sign: false    never.
//
// Keyless uses the public Sigstore instance unless fulcio-url / rekor-url say otherwise.
import { readFile } from 'node:fs/promises'
import type { GitHubFacts, RunContext } from '../context.js'
import type { IndexSignature } from '../falco/index-yaml.js'
import { INPUT_DEFAULTS, type Inputs } from '../inputs/inputs.js'
import type { Logger } from '../log.js'
import type { Descriptor, OciTarget } from '../oci/types.js'
import type { AttachedSignatures } from './attach.js'
import { requestIdToken, tokenClaims } from './oidc.js'
import type { SigstoreSigner, SignerIdentity } from './signer.js'

/** The signing inputs (a slice of Inputs, so this module can be tested on its own). */
export type SigningInputs = Pick<
  Inputs,
  | 'sign'
  | 'signingKey'
  | 'signingKeyPassword'
  | 'signingPublicKeyRef'
  | 'fulcioUrl'
  | 'rekorUrl'
  | 'provenance'
>

export interface Signing {
  /** The signer, or undefined when this release is not signed. */
  signer?: SigstoreSigner
  /** Why the release is not signed (for the log and the summary). */
  unsignedReason?: string
  /**
   * index.yaml's `signature` block for what will be signed, known before anything is written
   * (undefined: unsigned, or a key whose public half falcoctl cannot be told where to find).
   */
  indexSignature?: IndexSignature
  /** Keyless: the identity the Fulcio certificate must name (checked before any tag). */
  expectedSubject?: string
}

export class SigningConfigError extends Error {}

/** The facts of the run signing depends on: the OIDC token request, the server, the event. */
export type SigningContext = Pick<RunContext, 'oidc'> & {
  github: Pick<GitHubFacts, 'serverUrl' | 'event'>
}

/** What `sign: auto` resolves to, and why. */
export function resolveSignMode(
  inputs: SigningInputs,
  ctx: SigningContext
): { mode: 'keyless' | 'key' } | { mode: 'off'; reason: string } {
  switch (inputs.sign) {
    case 'false':
      return { mode: 'off', reason: 'signing is off (sign: false)' }
    case 'key':
      if (inputs.signingKey === '') {
        throw new SigningConfigError(
          'sign: key needs signing-key (the content of cosign.key, e.g. ${{ secrets.COSIGN_PRIVATE_KEY }}) ' +
            'and signing-key-password'
        )
      }
      return { mode: 'key' }
    case 'keyless':
      if (!ctx.oidc) {
        throw new SigningConfigError(
          'sign: keyless needs the GitHub OIDC token: add `permissions: id-token: write` to the job ' +
            '(or sign with a key: signing-key, or turn signing off: sign: false)'
        )
      }
      return { mode: 'keyless' }
  }
  if (inputs.signingKey !== '') return { mode: 'key' }
  const customSigstore = inputs.fulcioUrl !== INPUT_DEFAULTS['fulcio-url']
  if (!ctx.oidc) {
    return {
      mode: 'off',
      reason:
        'not signed: the job has no OIDC token. To sign keylessly (what falcoctl verifies for ' +
        'upstream plugins), add `permissions: id-token: write` to the job; or sign with a key ' +
        '(signing-key); `sign: false` silences this note'
    }
  }
  if (ctx.github.serverUrl !== 'https://github.com' && !customSigstore) {
    return {
      mode: 'off',
      reason:
        'not signed: the public Sigstore accepts OIDC tokens from github.com only; set fulcio-url and ' +
        'rekor-url to your Sigstore instance, or sign with a key (signing-key)'
    }
  }
  // The repository's visibility, from the workflow event payload, when it says.
  if (!customSigstore && ctx.github.event.privateRepository) {
    return {
      mode: 'off',
      reason:
        'not signed: keyless signing writes the repository and workflow names to the public ' +
        'transparency log, which sign: auto does not do for a private repository; set ' +
        '`sign: keyless` to sign anyway, or sign with a key (signing-key)'
    }
  }
  return { mode: 'keyless' }
}

async function signingKeyText(value: string): Promise<string> {
  if (value.includes('-----BEGIN')) return value
  try {
    return await readFile(value, 'utf8')
  } catch {
    throw new SigningConfigError(
      'signing-key is neither a PEM key nor a readable file: pass the content of cosign.key'
    )
  }
}

/** Masks the key (as a whole and line by line: a log may print one line of it) and its password. */
export function registerSigningSecrets(inputs: SigningInputs, logger: Logger): void {
  if (inputs.signingKey !== '') {
    logger.secret(inputs.signingKey)
    for (const line of inputs.signingKey.split(/\r?\n/)) {
      const l = line.trim()
      if (l.length >= 8 && !l.startsWith('-----')) logger.secret(l)
    }
  }
  if (inputs.signingKeyPassword !== '') logger.secret(inputs.signingKeyPassword)
}

/**
 * Decides how to sign and checks that it can: decrypts the key, or fetches an OIDC token (which
 * proves the id-token permission). The caller has registered the key and password as secrets
 * (registerSigningSecrets) before anything could print them. Throws
 * SigningConfigError (nothing is written yet) when signing was asked for and cannot work.
 */
export async function prepareSigning(
  inputs: SigningInputs,
  ctx: SigningContext,
  logger: Logger
): Promise<Signing> {
  const resolved = resolveSignMode(inputs, ctx)
  if (inputs.provenance === true && resolved.mode !== 'keyless') {
    throw new SigningConfigError(
      'provenance: true needs keyless signing (the attestation is signed with the workflow identity): ' +
        'add `permissions: id-token: write`, or set provenance: auto'
    )
  }
  if (resolved.mode === 'off') {
    logger.info(resolved.reason)
    return { unsignedReason: resolved.reason }
  }
  if (resolved.mode === 'key') {
    const { loadSigningKey } = await import('./key.js')
    const key = await loadSigningKey(
      await signingKeyText(inputs.signingKey),
      inputs.signingKeyPassword
    )
    logger.info(`signing with the key ${key.keyId} (cosign verify --key; no transparency log)`)
    if (inputs.signingPublicKeyRef === '') {
      logger.warning(
        'index.yaml gets no signature block: set signing-public-key-ref to the URL or path where ' +
          "falcoctl finds the public key (cosign.pub), so that it verifies this plugin's signatures"
      )
    }
    const identity = { kind: 'key' as const, publicKeyPem: key.publicKeyPem }
    const { SigstoreSigner } = await loadSigner()
    return {
      signer: SigstoreSigner.withKey(key),
      indexSignature: indexSignatureFor(identity, inputs.signingPublicKeyRef || undefined)
    }
  }
  const token = await requestIdToken(ctx.oidc, logger)
  const claims = tokenClaims(token)
  const issuer = claims.iss
  if (typeof issuer !== 'string' || issuer === '') {
    throw new SigningConfigError('the OIDC token names no issuer (iss)')
  }
  // Fulcio names a GitHub Actions workflow by its job_workflow_ref, under the server's URL.
  const workflow = claims.job_workflow_ref
  if (typeof workflow !== 'string' || workflow === '') {
    throw new SigningConfigError(
      'the OIDC token has no job_workflow_ref claim: keyless signing here works with GitHub ' +
        "Actions' token only (or sign with a key: signing-key)"
    )
  }
  const subject = `${ctx.github.serverUrl}/${workflow}`
  const { SigstoreSigner } = await loadSigner()
  logger.info(
    `signing keylessly as ${subject}: Fulcio ${inputs.fulcioUrl}, Rekor ${inputs.rekorUrl}, ` +
      `OIDC issuer ${issuer}`
  )
  return {
    expectedSubject: subject,
    indexSignature: indexSignatureFor({ kind: 'keyless', subject, issuer, certificate: '' }),
    signer: SigstoreSigner.keyless({
      fulcioUrl: inputs.fulcioUrl,
      rekorUrl: inputs.rekorUrl,
      issuer,
      token: () => requestIdToken(ctx.oidc, logger)
    })
  }
}

/**
 * Sigstore's libraries (a third of the bundle) load only when a release is signed, like the
 * cosign formats (attach.ts) and the key decryption (key.ts) imported where they are used.
 */
const loadSigner = () => import('./signer.js')

/** Go regexp metacharacters escaped (RE2, as cosign and falcoctl read it). */
function escapeRegexp(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')
}

/**
 * falcoctl's index.yaml `signature` block for what was signed: the issuer and the workflow
 * (any ref of the same workflow file of the same repository) for keyless; the public key
 * reference (no transparency log) for key signing; undefined when falcoctl cannot be told.
 */
export function indexSignatureFor(
  identity: SignerIdentity,
  publicKeyRef?: string
): IndexSignature | undefined {
  if (identity.kind === 'key') {
    return publicKeyRef ? { cosign: { key: publicKeyRef, 'ignore-tlog': true } } : undefined
  }
  const at = identity.subject.lastIndexOf('@')
  const cosign: Record<string, string | boolean> = {
    'certificate-oidc-issuer': identity.issuer
  }
  if (/^https:\/\//.test(identity.subject) && at > 0) {
    cosign['certificate-identity-regexp'] = `^${escapeRegexp(identity.subject.slice(0, at + 1))}`
  } else {
    cosign['certificate-identity'] = identity.subject
  }
  return { cosign }
}

/** What a release says about its signatures (outputs, summary, index.yaml). */
export interface SigningResult {
  signed: boolean
  /** Why not, when not signed. */
  reason?: string
  identity?: SignerIdentity
  /** index.yaml `signature` block, when falcoctl can verify what was signed. */
  indexSignature?: IndexSignature
  signatures: AttachedSignatures[]
}

export async function signingResult(
  signing: Signing,
  signatures: AttachedSignatures[]
): Promise<SigningResult> {
  if (!signing.signer || signatures.length === 0) {
    return { signed: false, reason: signing.unsignedReason, signatures: [] }
  }
  return {
    signed: true,
    identity: await signing.signer.identity(),
    indexSignature: signing.indexSignature,
    signatures
  }
}

/**
 * Signs one pushed root in both cosign formats; with keyless signing, first checks that the
 * certificate names the workflow index.yaml names (else falcoctl would refuse every install).
 */
export async function signRoot(
  signing: Signing,
  target: OciTarget,
  root: Descriptor
): Promise<AttachedSignatures> {
  const signer = signing.signer
  if (!signer) throw new Error('signRoot: this release is not signed')
  if (signing.expectedSubject !== undefined) {
    const identity = await signer.identity()
    if (identity.kind === 'keyless' && identity.subject !== signing.expectedSubject) {
      throw new Error(
        `the Fulcio certificate names ${identity.subject}, not ${signing.expectedSubject} as ` +
          'index.yaml would: nothing is tagged; check fulcio-url'
      )
    }
  }
  const { signAndAttach } = await import('./attach.js')
  return signAndAttach(target, root, signer, new Date().toISOString().replace(/\.\d+Z$/, 'Z'))
}
