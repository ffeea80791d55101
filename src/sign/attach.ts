// Signs one pushed manifest (a plugin index or a rules manifest, by digest) and attaches the
// signature in both formats upstream publishes (see cosign.ts): the cosign v2 `.sig` tag and the
// cosign v3 bundle as an OCI 1.1 referrer. Signatures already attached are kept (as cosign does):
// ours is added next to them.
import { bufferBlob } from '../oci/blob.js'
import { OCI_MANIFEST } from '../oci/media-types.js'
import { attachReferrer } from '../oci/referrers.js'
import type { Descriptor, OciTarget } from '../oci/types.js'
import {
  BUNDLE_V03_MEDIA_TYPE,
  EMPTY_CONFIG,
  INTOTO_PAYLOAD_TYPE,
  bundleBytes,
  bundleReferrerManifest,
  cosignSignStatement,
  legacySignatureLayer,
  legacySignatureLayers,
  legacySignatureManifest,
  signatureTag,
  simpleSigningPayload
} from './cosign.js'
import type { SigstoreSigner } from './signer.js'

export interface AttachedSignatures {
  /** The signed manifest, e.g. ghcr.io/acme/plugins/plugin/foo@sha256:... */
  ref: string
  digest: string
  /** The cosign v2 signature tag and the digest it points at. */
  legacy: { tag: string; digest: string }
  /** The cosign v3 referrer manifest, and how it is found (referrers API or fallback tag). */
  bundle: { digest: string; via: 'api' | 'tag'; tag?: string }
}

/** Signs `subject` (a manifest in `target`) in both cosign formats and attaches the signatures. */
export async function signAndAttach(
  target: OciTarget,
  subject: Descriptor,
  signer: SigstoreSigner,
  created: string
): Promise<AttachedSignatures> {
  const digest = subject.digest

  // cosign v2: add our layer to the `.sig` manifest.
  const payload = simpleSigningPayload(target.location, digest)
  const legacyBundle = await signer.signMessage(payload)
  const layer = legacySignatureLayer(payload, legacyBundle)
  const tag = signatureTag(digest)
  const existing = await target.fetchManifest(tag)
  const layers = [...legacySignatureLayers(existing?.body), layer]
  const sig = legacySignatureManifest(layers)
  await target.pushBlobs([bufferBlob(payload), bufferBlob(sig.config)], 2)
  await target.pushManifest(sig.manifest, OCI_MANIFEST, tag)

  // cosign v3: a DSSE bundle over the in-toto statement, as a referrer of the subject.
  const dsse = await signer.signDsse(cosignSignStatement(digest), INTOTO_PAYLOAD_TYPE)
  const bundle = bundleBytes(dsse)
  const referrer = bundleReferrerManifest(subject, bundle, created)
  await target.pushBlobs([bufferBlob(EMPTY_CONFIG), bufferBlob(bundle)], 2)
  const attached = await attachReferrer(target, digest, {
    body: referrer.manifest,
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    annotations: referrer.annotations
  })

  return {
    ref: `${target.location}@${digest}`,
    digest,
    legacy: { tag, digest: bufferBlob(sig.manifest).digest },
    bundle: attached
  }
}
