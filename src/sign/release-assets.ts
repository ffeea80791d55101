// Signatures for the GitHub Release: checksums.txt gets a Sigstore bundle beside it
// (checksums.txt.sigstore.json, for `cosign verify-blob --bundle`), and with keyless signing
// the archives get SLSA build provenance stored as GitHub artifact attestations (what
// `gh attestation verify` checks). The provenance predicate comes from @actions/attest.
import { buildSLSAProvenancePredicate } from '@actions/attest'
import { bundleToJSON } from '@sigstore/bundle'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GitHubClient, type GitHubApiOptions } from '../github/client.js'
import { checkRepository } from '../github/repository.js'
import type { Logger } from '../log.js'
import { INTOTO_PAYLOAD_TYPE, INTOTO_STATEMENT_V1 } from './cosign.js'
import type { SigstoreSigner } from './signer.js'

export const CHECKSUMS_BUNDLE_SUFFIX = '.sigstore.json'

/** Signs a checksums file; writes `<name>.sigstore.json` next to it and returns its path. */
export async function signChecksums(
  checksumsPath: string,
  outDir: string,
  name: string,
  signer: SigstoreSigner
): Promise<{ name: string; path: string }> {
  const bundle = await signer.signMessage(await readFile(checksumsPath))
  const bundleName = `${name}${CHECKSUMS_BUNDLE_SUFFIX}`
  const path = join(outDir, bundleName)
  await writeFile(path, JSON.stringify(bundleToJSON(bundle)))
  return { name: bundleName, path }
}

export interface ProvenanceSubject {
  name: string
  /** Hex sha256. */
  sha256: string
}

export interface AttestationResult {
  id?: string
  subjects: string[]
}

/**
 * SLSA build provenance for `subjects`, signed keylessly (DSSE bundle) and stored with the
 * repository's attestations (POST /repos/{owner}/{repo}/attestations; needs
 * `permissions: attestations: write`). The predicate reads the workflow's OIDC claims
 * (@actions/attest, which uses the runner's environment).
 */
export async function attestBuildProvenance(opts: {
  subjects: ProvenanceSubject[]
  signer: SigstoreSigner
  issuer: string
  api: GitHubApiOptions
  owner: string
  repo: string
  logger: Logger
}): Promise<AttestationResult> {
  const predicate = await buildSLSAProvenancePredicate(opts.issuer)
  const statement = {
    _type: INTOTO_STATEMENT_V1,
    subject: opts.subjects.map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType: predicate.type,
    predicate: predicate.params
  }
  const bundle = await opts.signer.signDsse(
    Buffer.from(JSON.stringify(statement)),
    INTOTO_PAYLOAD_TYPE
  )
  const gh = new GitHubClient(opts.api, opts.logger)
  const res = await gh.rest.repos.createAttestation({
    ...checkRepository(opts.owner, opts.repo),
    bundle: bundleToJSON(bundle)
  })
  const id = res.data?.id === undefined ? undefined : String(res.data.id)
  return { id, subjects: opts.subjects.map((s) => s.name) }
}

/** The bundle of every checksums file among `assets`, to upload after them. */
export async function checksumBundles(
  assets: Array<{ name: string; path: string }>,
  outDir: string,
  signer: SigstoreSigner
): Promise<Array<{ name: string; path: string }>> {
  const out: Array<{ name: string; path: string }> = []
  for (const a of assets.filter((x) => x.name === 'checksums.txt')) {
    out.push(await signChecksums(a.path, outDir, a.name, signer))
  }
  return out
}

/**
 * Provenance for the release archives when `provenance` asks for it: 'auto' attests when the
 * release was signed keylessly and only warns when GitHub refuses (e.g. no attestations: write);
 * true makes a refusal fail the job.
 */
export async function provenanceForRelease(opts: {
  provenance: 'auto' | boolean
  archives: Array<{ name: string; sha256: string }>
  signer?: SigstoreSigner
  issuer?: string
  api: GitHubApiOptions
  owner: string
  repo: string
  logger: Logger
}): Promise<AttestationResult | undefined> {
  const { signer, issuer, logger } = opts
  if (opts.provenance === false || !signer || signer.kind !== 'keyless' || !issuer) return undefined
  try {
    const result = await attestBuildProvenance({ ...opts, signer, issuer, subjects: opts.archives })
    logger.info(
      `build provenance attested for ${result.subjects.join(', ')}` +
        (result.id ? ` (attestation ${result.id})` : '')
    )
    return result
  } catch (err) {
    if (opts.provenance === true) throw err
    logger.warning(
      `no build provenance attestation: ${(err as Error).message}. Give the job ` +
        '`permissions: attestations: write` (with id-token: write), or set provenance: false'
    )
    return undefined
  }
}
