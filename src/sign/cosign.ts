// The two ways cosign attaches a signature to an image digest, as falcoctl and cosign read them:
//
// - cosign v2 ("legacy"): a manifest tagged `sha256-<hex>.sig` whose layers are simple-signing
//   payloads (application/vnd.dev.cosign.simplesigning.v1+json) naming the digest; each layer's
//   annotations carry the signature, the certificate and the Rekor entry (SET) for it.
// - cosign v3: a Sigstore bundle (v0.3, DSSE over an in-toto statement whose subject is the
//   digest, predicate type https://sigstore.dev/cosign/sign/v1) as the only layer of an OCI 1.1
//   artifact manifest whose `subject` is the signed manifest, found through the referrers API
//   or its tag-schema fallback.
//
// Pure: bytes in, bytes out.
import { bundleToJSON, type Bundle } from '@sigstore/bundle'
import { sha256Digest } from '../oci/blob.js'
import {
  ANNOTATION_CREATED,
  OCI_EMPTY,
  OCI_IMAGE_CONFIG,
  OCI_MANIFEST
} from '../oci/media-types.js'
import type { Descriptor } from '../oci/types.js'

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json'
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json'
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1'
export const INTOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1'

export const ANNOTATION_SIGNATURE = 'dev.cosignproject.cosign/signature'
export const ANNOTATION_CERTIFICATE = 'dev.sigstore.cosign/certificate'
export const ANNOTATION_CHAIN = 'dev.sigstore.cosign/chain'
export const ANNOTATION_BUNDLE = 'dev.sigstore.cosign/bundle'

/** `sha256:<hex>` -> the cosign v2 signature tag `sha256-<hex>.sig`. */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`
}

/** The simple-signing payload cosign signs: the repository and the manifest digest. */
export function simpleSigningPayload(dockerReference: string, digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature'
      },
      optional: null
    })
  )
}

/** The in-toto statement `cosign sign` (v3) signs in a DSSE envelope. */
export function cosignSignStatement(digest: string): Buffer {
  const [algorithm, hex] = digest.split(':')
  return Buffer.from(
    JSON.stringify({
      _type: INTOTO_STATEMENT_V1,
      subject: [{ digest: { [algorithm]: hex } }],
      predicateType: COSIGN_SIGN_PREDICATE,
      predicate: {}
    })
  )
}

function pem(der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`
}

function certificatesOf(bundle: Bundle): Buffer[] {
  const content = bundle.verificationMaterial.content
  if (content.$case === 'certificate') return [content.certificate.rawBytes]
  if (content.$case === 'x509CertificateChain') {
    return content.x509CertificateChain.certificates.map((c) => c.rawBytes)
  }
  return []
}

/**
 * The layer annotations cosign v2 reads for one signature, from a message-signature bundle
 * over the simple-signing payload.
 */
export function legacySignatureAnnotations(bundle: Bundle): Record<string, string> {
  if (bundle.content.$case !== 'messageSignature') {
    throw new Error('a cosign v2 signature needs a message-signature bundle')
  }
  // Assigned rather than a computed key: knip sees only this form as a use within the file.
  const out: Record<string, string> = {}
  out[ANNOTATION_SIGNATURE] = bundle.content.messageSignature.signature.toString('base64')
  const [leaf, ...chain] = certificatesOf(bundle)
  if (leaf) out[ANNOTATION_CERTIFICATE] = pem(leaf)
  if (chain.length > 0) out[ANNOTATION_CHAIN] = chain.map(pem).join('')
  const entry = bundle.verificationMaterial.tlogEntries[0]
  if (entry?.inclusionPromise) {
    out[ANNOTATION_BUNDLE] = JSON.stringify({
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp.toString('base64'),
      Payload: {
        body: entry.canonicalizedBody.toString('base64'),
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: entry.logId.keyId.toString('hex')
      }
    })
  }
  return out
}

/** A v2 signature layer: the payload blob's descriptor with the signature annotations. */
export function legacySignatureLayer(payload: Buffer, bundle: Bundle): Descriptor {
  return {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    digest: sha256Digest(payload),
    size: payload.length,
    annotations: legacySignatureAnnotations(bundle)
  }
}

export interface BuiltManifest {
  manifest: Buffer
  /** Blobs the manifest refers to that are not layers already pushed: its config. */
  config: Buffer
}

/**
 * The `.sig` manifest for a list of signature layers: an OCI image manifest whose config is a
 * minimal image config listing the layers (they are stored uncompressed, so diff_id = digest).
 */
export function legacySignatureManifest(layers: Descriptor[]): BuiltManifest {
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      os: '',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }
    })
  )
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: OCI_IMAGE_CONFIG,
        digest: sha256Digest(config),
        size: config.length
      },
      layers
    })
  )
  return { manifest, config }
}

/** The layers of an existing `.sig` manifest (to add ours to), or [] when it is not one. */
export function legacySignatureLayers(manifest: Buffer | undefined): Descriptor[] {
  if (!manifest) return []
  try {
    const layers = (JSON.parse(manifest.toString('utf8')) as { layers?: unknown }).layers
    if (!Array.isArray(layers)) return []
    return layers.filter(
      (l): l is Descriptor =>
        typeof l === 'object' &&
        l !== null &&
        (l as Descriptor).mediaType === SIMPLE_SIGNING_MEDIA_TYPE &&
        typeof (l as Descriptor).digest === 'string' &&
        typeof (l as Descriptor).size === 'number'
    )
  } catch {
    return []
  }
}

/** The serialized bundle, as stored in the registry and in release assets. */
export function bundleBytes(bundle: Bundle): Buffer {
  return Buffer.from(JSON.stringify(bundleToJSON(bundle)))
}

export const EMPTY_CONFIG = Buffer.from('{}')

/** The cosign v3 referrer: an artifact manifest with the bundle as its only layer. */
export function bundleReferrerManifest(
  subject: Descriptor,
  bundle: Buffer,
  created: string
): { manifest: Buffer; annotations: Record<string, string> } {
  const annotations = {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': COSIGN_SIGN_PREDICATE,
    [ANNOTATION_CREATED]: created
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: BUNDLE_V03_MEDIA_TYPE,
      config: {
        mediaType: OCI_EMPTY,
        digest: sha256Digest(EMPTY_CONFIG),
        size: EMPTY_CONFIG.length
      },
      layers: [
        { mediaType: BUNDLE_V03_MEDIA_TYPE, digest: sha256Digest(bundle), size: bundle.length }
      ],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations
    })
  )
  return { manifest, annotations }
}
