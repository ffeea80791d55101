// Sigstore signing through @sigstore/sign: keyless (an ephemeral P-256 key, one Fulcio
// certificate for the run obtained with the OIDC token, a Rekor entry per signature) or with a
// cosign key (no transparency log; verifiers pass --insecure-ignore-tlog / ignore-tlog: true).
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  type Bundle,
  type Signature,
  type Signer,
  type Witness
} from '@sigstore/sign'
import {
  generateKeyPairSync,
  sign as cryptoSign,
  X509Certificate,
  type KeyObject
} from 'node:crypto'
import type { SigningKey } from './key.js'

const SIGSTORE_TIMEOUT_MS = 30_000
const SIGSTORE_RETRIES = 3

/** Who signed, as a verifier must be told (cosign flags, falcoctl's index `signature.cosign`). */
export type SignerIdentity =
  | {
      kind: 'keyless'
      /** The certificate's subject alternative name, e.g. https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1 */
      subject: string
      /** The OIDC issuer the certificate names (the token's `iss`). */
      issuer: string
      /** The signing certificate (PEM). */
      certificate: string
    }
  | { kind: 'key'; publicKeyPem: string }

export interface KeylessOptions {
  fulcioUrl: string
  rekorUrl: string
  /** A fresh OIDC token (audience sigstore). */
  token: () => Promise<string>
  /** The token's issuer (what Fulcio writes into the certificate). */
  issuer: string
}

/** Signs raw bytes with a node KeyObject: ECDSA P-256 with SHA-256, DER signature. */
class KeyObjectSigner implements Signer {
  constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKeyPem: string,
    private readonly hint?: string
  ) {}

  async sign(data: Buffer): Promise<Signature> {
    return {
      signature: cryptoSign('sha256', data, this.privateKey),
      key: { $case: 'publicKey', publicKey: this.publicKeyPem, hint: this.hint }
    }
  }
}

/**
 * An ephemeral key certified once by Fulcio, then reused for every signature of the run (they are
 * all made within seconds, well inside the certificate's ten minutes).
 */
class CertifiedEphemeralSigner implements Signer {
  private readonly holder: KeyObjectSigner
  private readonly fulcio: FulcioSigner
  private certificate?: Promise<string>

  constructor(fulcioUrl: string, token: () => Promise<string>) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.holder = new KeyObjectSigner(
      privateKey,
      publicKey.export({ format: 'pem', type: 'spki' }).toString()
    )
    this.fulcio = new FulcioSigner({
      fulcioBaseURL: fulcioUrl,
      identityProvider: { getToken: token },
      keyHolder: this.holder,
      timeout: SIGSTORE_TIMEOUT_MS,
      retry: SIGSTORE_RETRIES
    })
  }

  /** The PEM certificate, requesting it on first use. */
  certify(): Promise<string> {
    this.certificate ??= this.fulcio.sign(Buffer.alloc(0)).then((s) => {
      if (s.key.$case !== 'x509Certificate') throw new Error('Fulcio returned no certificate')
      return s.key.certificate
    })
    return this.certificate
  }

  async sign(data: Buffer): Promise<Signature> {
    const certificate = await this.certify()
    const { signature } = await this.holder.sign(data)
    return { signature, key: { $case: 'x509Certificate', certificate } }
  }
}

export class SigstoreSigner {
  private readonly signer: Signer
  private readonly witnesses: Witness[]

  private constructor(private readonly mode: { key: SigningKey } | { keyless: KeylessOptions }) {
    if ('key' in mode) {
      this.signer = new KeyObjectSigner(mode.key.privateKey, mode.key.publicKeyPem)
      this.witnesses = []
    } else {
      this.signer = new CertifiedEphemeralSigner(mode.keyless.fulcioUrl, mode.keyless.token)
      this.witnesses = [
        new RekorWitness({
          rekorBaseURL: mode.keyless.rekorUrl,
          fetchOnConflict: true,
          timeout: SIGSTORE_TIMEOUT_MS,
          retry: SIGSTORE_RETRIES
        })
      ]
    }
  }

  static withKey(key: SigningKey): SigstoreSigner {
    return new SigstoreSigner({ key })
  }

  static keyless(opts: KeylessOptions): SigstoreSigner {
    return new SigstoreSigner({ keyless: opts })
  }

  get kind(): 'key' | 'keyless' {
    return 'key' in this.mode ? 'key' : 'keyless'
  }

  /** A message-signature bundle over `data` (a hashedrekord entry when logged). */
  signMessage(data: Buffer): Promise<Bundle> {
    return new MessageSignatureBundleBuilder({
      signer: this.signer,
      witnesses: this.witnesses
    }).create({ data })
  }

  /** A DSSE bundle (v0.3) over `payload` of `payloadType` (a dsse entry when logged). */
  signDsse(payload: Buffer, payloadType: string): Promise<Bundle> {
    return new DSSEBundleBuilder({ signer: this.signer, witnesses: this.witnesses }).create({
      data: payload,
      type: payloadType
    })
  }

  /** Who signs: for keyless, requests the certificate if no signature was made yet. */
  async identity(): Promise<SignerIdentity> {
    if ('key' in this.mode) return { kind: 'key', publicKeyPem: this.mode.key.publicKeyPem }
    const certificate = await (this.signer as CertifiedEphemeralSigner).certify()
    return {
      kind: 'keyless',
      subject: certificateSubject(certificate),
      issuer: this.mode.keyless.issuer,
      certificate
    }
  }
}

/** The first URI (else e-mail) subject alternative name of a certificate. */
export function certificateSubject(pem: string): string {
  const san = new X509Certificate(pem).subjectAltName ?? ''
  const names = san.split(/,\s*/)
  const uri = names.find((n) => n.startsWith('URI:'))
  const email = names.find((n) => n.startsWith('email:'))
  const found = uri?.slice(4) ?? email?.slice(6)
  if (!found) throw new Error('the Fulcio certificate names no identity (no URI or e-mail SAN)')
  return found
}
