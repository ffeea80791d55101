// Local stand-ins for keyless signing, on one HTTP server on 127.0.0.1 (no public Sigstore here):
// - the GitHub Actions OIDC token service (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN), which issues
//   ES256 JWTs, with the issuer's /.well-known/openid-configuration and JWKS;
// - Fulcio (POST /api/v2/signingCert): a small CA of our own (@peculiar/x509) with a CT log of
//   our own that embeds an SCT (@sigstore/mock's CA writes an SCT list Go's parser refuses);
// - Rekor (POST /api/v1/log/entries): @sigstore/mock's transparency log (SETs, inclusion proofs);
// - trustedRoot(): the trusted_root.json that tells cosign (--trusted-root) and falcoctl (through
//   a local TUF repository, tuf-repo.ts) to trust exactly these.
// Switches make a service fail, to prove that a signing failure leaves every tag unwritten.
import * as x509 from '@peculiar/x509'
import { initializeTLog, rekorHandler, type HandlerFn } from '@sigstore/mock'
import {
  createHash,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  webcrypto,
  type KeyObject
} from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GitHubClaims {
  repository: string
  /** e.g. .github/workflows/release.yml */
  workflowPath: string
  ref: string
  sha?: string
}

const der = (k: KeyObject) => k.export({ format: 'der', type: 'spki' })
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url')
const START = '2020-01-01T00:00:00Z'

export class SigstoreStandIns {
  url = ''
  /** Bearer token the runner gives for the OIDC request (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  readonly requestToken = `oidc-request-${randomUUID()}`
  fulcioDown = false
  rekorDown = false
  /** Every identity token issued (to check that none leaks). */
  readonly issuedTokens: string[] = []
  readonly requests: Array<{ method: string; path: string }> = []
  private readonly server: http.Server
  private readonly oidcKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  private readonly caKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  private readonly ctKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  private readonly tlogKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  private fulcio?: HandlerFn
  private rekor?: HandlerFn
  private rootCert: Buffer = Buffer.alloc(0)
  private ctLogId: Buffer = Buffer.alloc(0)
  /** Certificates the CA issued (PEM). */
  readonly certificates: string[] = []

  constructor(private readonly claims: GitHubClaims) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(String((err as Error).stack))
      })
    })
  }

  get issuer(): string {
    return this.url
  }

  /** The certificate identity Fulcio writes for the workflow (as GitHub's job_workflow_ref). */
  get identity(): string {
    return `https://github.com/${this.claims.repository}/${this.claims.workflowPath}@${this.claims.ref}`
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    this.ctLogId = createHash('sha256').update(der(this.ctKey.publicKey)).digest()
    const ca = await StandInCA.create(this.caKey, this.ctKey.privateKey, this.ctLogId)
    this.rootCert = ca.root
    this.fulcio = async (body) => {
      const leaf = await ca.issue(body)
      this.certificates.push(leaf)
      const chain = [leaf, pemCert(ca.root)]
      return {
        statusCode: 201,
        contentType: 'application/json',
        response: JSON.stringify({
          signedCertificateEmbeddedSct: { chain: { certificates: chain } }
        })
      }
    }
    this.rekor = rekorHandler(await initializeTLog(this.url, this.tlogKey)).fn
    return this
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((r) => this.server.close(() => r()))
  }

  /** The environment a job with `permissions: id-token: write` has. */
  get runnerEnv(): Record<string, string> {
    return {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${this.url}/oidc/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.requestToken
    }
  }

  /** A JWT like GitHub's, signed with the issuer's key. */
  idToken(audience: string): string {
    const { repository, workflowPath, ref } = this.claims
    const now = Math.floor(Date.now() / 1000)
    const header = { alg: 'ES256', typ: 'JWT', kid: 'stand-in' }
    const payload = {
      iss: this.issuer,
      aud: audience,
      sub: this.identity,
      iat: now,
      nbf: now - 5,
      exp: now + 300,
      ref,
      sha: this.claims.sha ?? 'a'.repeat(40),
      repository,
      repository_id: '1',
      repository_owner: repository.split('/')[0],
      repository_owner_id: '2',
      event_name: 'push',
      workflow_ref: `${repository}/${workflowPath}@${ref}`,
      job_workflow_ref: `${repository}/${workflowPath}@${ref}`,
      runner_environment: 'github-hosted',
      run_id: '42',
      run_attempt: '1'
    }
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
    const sig = sign('sha256', Buffer.from(input), {
      key: this.oidcKey.privateKey,
      dsaEncoding: 'ieee-p1363'
    })
    const token = `${input}.${b64url(sig)}`
    this.issuedTokens.push(token)
    return token
  }

  /** trusted_root.json (Sigstore protobuf-specs JSON) for these stand-ins. */
  trustedRoot(): Record<string, unknown> {
    const key = (k: KeyObject) => ({
      rawBytes: der(k).toString('base64'),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start: START }
    })
    const tlogDer = der(this.tlogKey.publicKey)
    return {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [
        {
          baseUrl: this.url,
          hashAlgorithm: 'SHA2_256',
          publicKey: key(this.tlogKey.publicKey),
          logId: { keyId: createHash('sha256').update(tlogDer).digest('base64') }
        }
      ],
      certificateAuthorities: [
        {
          subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
          uri: this.url,
          certChain: { certificates: [{ rawBytes: this.rootCert.toString('base64') }] },
          validFor: { start: START }
        }
      ],
      ctlogs: [
        {
          baseUrl: this.url,
          hashAlgorithm: 'SHA2_256',
          publicKey: key(this.ctKey.publicKey),
          logId: { keyId: this.ctLogId.toString('base64') }
        }
      ],
      timestampAuthorities: []
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname })
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(typeof value === 'string' ? value : JSON.stringify(value))
    }
    if (url.pathname === '/oidc/token') {
      if (req.headers.authorization !== `Bearer ${this.requestToken}`) {
        return json(401, { message: 'bad request token' })
      }
      return json(200, { value: this.idToken(url.searchParams.get('audience') ?? '') })
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, { issuer: this.issuer, jwks_uri: `${this.url}/jwks` })
    }
    if (url.pathname === '/jwks') {
      const jwk = this.oidcKey.publicKey.export({ format: 'jwk' })
      return json(200, { keys: [{ ...jwk, kid: 'stand-in', alg: 'ES256', use: 'sig' }] })
    }
    const service =
      url.pathname === '/api/v2/signingCert'
        ? { down: this.fulcioDown, fn: this.fulcio }
        : url.pathname === '/api/v1/log/entries'
          ? { down: this.rekorDown, fn: this.rekor }
          : undefined
    if (!service?.fn) return json(404, { message: 'not found' })
    if (service.down) return json(503, { message: 'service unavailable (stand-in switched off)' })
    const out = await service.fn(body)
    res.writeHead(out.statusCode, { 'content-type': out.contentType ?? 'text/plain' })
    res.end(out.response)
  }
}

const pemCert = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`.replace(
    /\n\n/g,
    '\n'
  )

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff])

/** DER OCTET STRING around `content`. */
function octetString(content: Buffer): Buffer {
  const n = content.length
  const len =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff])
  return Buffer.concat([Buffer.from([0x04]), len, content])
}

/** The Fulcio stand-in: issues 10-minute code-signing certificates with the OIDC identity. */
class StandInCA {
  private constructor(
    private readonly keys: webcrypto.CryptoKeyPair,
    readonly root: Buffer,
    private readonly ctKey: KeyObject,
    private readonly ctLogId: Buffer
  ) {}

  static async create(
    pair: { privateKey: KeyObject; publicKey: KeyObject },
    ctKey: KeyObject,
    ctLogId: Buffer
  ): Promise<StandInCA> {
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
    const keys: webcrypto.CryptoKeyPair = {
      privateKey: await webcrypto.subtle.importKey(
        'pkcs8',
        pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
        alg,
        true,
        ['sign']
      ),
      publicKey: await webcrypto.subtle.importKey('spki', der(pair.publicKey), alg, true, [
        'verify'
      ])
    }
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=sigstore,O=sigstore.mock',
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 24 * 3600_000),
      keys,
      signingAlgorithm: alg,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
      ]
    })
    return new StandInCA(keys, Buffer.from(root.rawData), ctKey, ctLogId)
  }

  /** Answers a Fulcio v2 signingCert request body with the PEM leaf certificate. */
  async issue(body: string): Promise<string> {
    const req = JSON.parse(body) as {
      credentials: { oidcIdentityToken: string }
      publicKeyRequest: { publicKey: { content: string } }
    }
    const token = req.credentials.oidcIdentityToken
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      sub: string
      iss: string
    }
    const spki = Buffer.from(
      req.publicKeyRequest.publicKey.content.replace(/-----[A-Z ]+-----|\s+/g, ''),
      'base64'
    )
    const publicKey = await webcrypto.subtle.importKey(
      'spki',
      spki,
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify']
    )
    const now = new Date(Math.floor(Date.now() / 1000) * 1000)
    const tbs = {
      serialNumber: randomBytes(8)
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      notBefore: now,
      notAfter: new Date(now.getTime() + 10 * 60_000),
      issuer: 'CN=sigstore,O=sigstore.mock',
      subject: '',
      publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: claims.sub }], true),
        await x509.SubjectKeyIdentifierExtension.create(publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.keys.publicKey),
        // The issuer, raw (legacy OID) and as a DER UTF8String (the current one).
        new x509.Extension('1.3.6.1.4.1.57264.1.1', false, Buffer.from(claims.iss)),
        new x509.Extension(
          '1.3.6.1.4.1.57264.1.8',
          false,
          Buffer.concat([Buffer.from([0x0c, claims.iss.length]), Buffer.from(claims.iss)])
        )
      ]
    }
    // The CT log signs the certificate without the SCT extension; verifiers strip it likewise.
    const pre = await x509.X509CertificateGenerator.create(tbs)
    const issuerId = createHash('sha256')
      .update(Buffer.from(await webcrypto.subtle.exportKey('spki', this.keys.publicKey)))
      .digest()
    const sct = this.sct(Buffer.from(pre.rawData), issuerId)
    // SignedCertificateTimestampList (RFC 6962 3.3): a u16-length list of u16-length SCTs.
    const list = Buffer.concat([u16(sct.length + 2), u16(sct.length), sct])
    tbs.extensions.push(
      new x509.Extension('1.3.6.1.4.1.11129.2.4.2', false, new Uint8Array(octetString(list)))
    )
    const leaf = await x509.X509CertificateGenerator.create(tbs)
    return pemCert(Buffer.from(leaf.rawData))
  }

  /** A v1 SCT (RFC 6962 3.2) for a precertificate: signed over its TBS and the issuer key hash. */
  private sct(precert: Buffer, issuerKeyHash: Buffer): Buffer {
    const tbs = firstElement(precert)
    const timestamp = Buffer.alloc(8)
    timestamp.writeBigUInt64BE(BigInt(Date.now()))
    const u24 = Buffer.from([tbs.length >> 16, (tbs.length >> 8) & 0xff, tbs.length & 0xff])
    const signed = Buffer.concat([
      Buffer.from([0, 0]), // v1, certificate_timestamp
      timestamp,
      u16(1), // precert_entry
      issuerKeyHash,
      u24,
      tbs,
      u16(0) // no extensions
    ])
    const sig = sign('sha256', signed, this.ctKey)
    return Buffer.concat([
      Buffer.from([0]),
      this.ctLogId,
      timestamp,
      u16(0),
      Buffer.from([4, 3]), // sha256, ecdsa
      u16(sig.length),
      sig
    ])
  }
}

/** The first element inside a DER SEQUENCE (a certificate's tbsCertificate). */
function firstElement(seq: Buffer): Buffer {
  const headerLength = (buf: Buffer, at: number) => {
    const b = buf[at + 1]
    return b < 0x80 ? { header: 2, length: b } : lengthOf(buf, at + 2, b & 0x7f)
  }
  const lengthOf = (buf: Buffer, at: number, n: number) => {
    let length = 0
    for (let i = 0; i < n; i++) length = length * 256 + buf[at + i]
    return { header: 2 + n, length }
  }
  const outer = headerLength(seq, 0)
  const inner = headerLength(seq, outer.header)
  return seq.subarray(outer.header, outer.header + inner.header + inner.length)
}

export async function startSigstoreStandIns(claims: GitHubClaims): Promise<SigstoreStandIns> {
  return new SigstoreStandIns(claims).start()
}
