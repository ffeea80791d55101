// A TUF repository on 127.0.0.1 that serves one target, trusted_root.json, signed with a
// throw-away ed25519 key (@tufjs/models builds and signs the metadata).
//
// Why: falcoctl (v0.13.0, through cosign's library) loads Sigstore's trusted root through TUF on
// every verification, key-based ones included (cosign.TrustedRoot() -> sigstore-go's TUF client,
// which always refreshes from the mirror). There is no environment variable to hand it a
// trusted_root.json directly; TUF_MIRROR and TUF_ROOT_JSON point it at another repository. So
// the tests, which have no network, give it this one.
import {
  Metadata,
  Root,
  Snapshot,
  Targets,
  Timestamp,
  TargetFile,
  MetaFile,
  Key
} from '@tufjs/models'
import { Signature } from '@tufjs/models'
import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TufRepo {
  url: string
  /** The repository's root.json (for TUF_ROOT_JSON). */
  rootJson: string
  /** Environment for falcoctl/cosign: TUF_MIRROR, TUF_ROOT_JSON and a fresh TUF_ROOT cache. */
  env: Record<string, string>
  stop(): Promise<void>
}

const SPEC = '1.0.31'

export async function startTufRepo(trustedRoot: object): Promise<TufRepo> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
  const keyJson = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw.toString('hex') } }
  const keyID = createHash('sha256').update(JSON.stringify(keyJson)).digest('hex')
  const key = new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal: keyJson.keyval })
  const signer = (data: Buffer) =>
    new Signature({ keyID, sig: sign(null, data, privateKey).toString('hex') })
  const expires = new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z')
  const common = { version: 1, specVersion: SPEC, expires }

  const root = new Root({ ...common, consistentSnapshot: true })
  for (const role of ['root', 'targets', 'snapshot', 'timestamp']) root.addKey(key, role)
  const target = Buffer.from(JSON.stringify(trustedRoot))
  const hash = createHash('sha256').update(target).digest('hex')
  const targets = new Targets({ ...common })
  targets.addTarget(
    new TargetFile({ path: 'trusted_root.json', length: target.length, hashes: { sha256: hash } })
  )
  const files = new Map<string, Buffer>()
  const put = <T extends Root | Targets | Snapshot | Timestamp>(
    name: string,
    signed: T
  ): Buffer => {
    const md = new Metadata(signed)
    md.sign(signer)
    const bytes = Buffer.from(JSON.stringify(md.toJSON()))
    files.set(name, bytes)
    return bytes
  }
  put('1.root.json', root)
  files.set('root.json', files.get('1.root.json') as Buffer)
  const targetsBytes = put('1.targets.json', targets)
  const snapshot = new Snapshot({
    ...common,
    meta: {
      'targets.json': new MetaFile({
        version: 1,
        length: targetsBytes.length,
        hashes: { sha256: createHash('sha256').update(targetsBytes).digest('hex') }
      })
    }
  })
  const snapshotBytes = put('1.snapshot.json', snapshot)
  put(
    'timestamp.json',
    new Timestamp({
      ...common,
      snapshotMeta: new MetaFile({
        version: 1,
        length: snapshotBytes.length,
        hashes: { sha256: createHash('sha256').update(snapshotBytes).digest('hex') }
      })
    })
  )
  files.set(`targets/${hash}.trusted_root.json`, target)

  const server = http.createServer((req, res) => {
    const body = files.get((req.url ?? '/').replace(/^\/+/, '').split('?')[0])
    if (!body) {
      res.writeHead(404)
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
    res.end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const dir = mkdtempSync(join(tmpdir(), 'fpr-tuf-'))
  const rootJson = join(dir, 'root.json')
  writeFileSync(rootJson, files.get('root.json') as Buffer)
  return {
    url,
    rootJson,
    env: { TUF_MIRROR: url, TUF_ROOT_JSON: rootJson, TUF_ROOT: join(dir, 'cache') },
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
