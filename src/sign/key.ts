// Signing keys for `sign: key`: cosign's own encrypted key files (cosign generate-key-pair,
// PEM "ENCRYPTED SIGSTORE PRIVATE KEY" or the older "ENCRYPTED COSIGN PRIVATE KEY"), or any
// PEM private key Node reads (PKCS#8, SEC1, encrypted PKCS#8 with the password).
//
// cosign encrypts the PKCS#8 key with NaCl secretbox (XSalsa20-Poly1305) under a key derived
// with scrypt from the password (go-securesystemslib `encrypted`). scrypt comes from Node, the
// secretbox from @noble/ciphers.
import { xsalsa20poly1305 } from '@noble/ciphers/salsa'
import { createHash, createPrivateKey, createPublicKey, scrypt, type KeyObject } from 'node:crypto'

export interface SigningKey {
  privateKey: KeyObject
  /** The public key as PEM (SPKI): what `cosign verify --key` and falcoctl's `key:` load. */
  publicKeyPem: string
  /** A short identifier of the public key: base64 of the SHA-256 of its DER form. */
  keyId: string
}

const COSIGN_PEM_TYPES = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY']

/** The scrypt settings cosign writes (legacy, standard, OWASP); anything else is refused. */
const SCRYPT_PARAMS = [
  { N: 32768, r: 8, p: 1 },
  { N: 65536, r: 8, p: 1 },
  { N: 131072, r: 8, p: 1 }
]

export class SigningKeyError extends Error {}

interface EncryptedKey {
  kdf?: { name?: string; params?: { N?: number; r?: number; p?: number }; salt?: string }
  cipher?: { name?: string; nonce?: string }
  ciphertext?: string
}

function pemBlock(text: string): { type: string; body: Buffer } | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text)
  if (!m) return undefined
  return { type: m[1], body: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') }
}

function deriveKey(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key)
    )
  )
}

async function decryptCosignKey(body: Buffer, password: string): Promise<KeyObject> {
  let enc: EncryptedKey
  try {
    enc = JSON.parse(body.toString('utf8')) as EncryptedKey
  } catch {
    throw new SigningKeyError(
      'signing-key: the encrypted cosign key is not readable (bad PEM content)'
    )
  }
  const params = enc.kdf?.params ?? {}
  const known = SCRYPT_PARAMS.some((s) => s.N === params.N && s.r === params.r && s.p === params.p)
  if (enc.kdf?.name !== 'scrypt' || enc.cipher?.name !== 'nacl/secretbox' || !known) {
    throw new SigningKeyError(
      'signing-key: unsupported encryption of the cosign key (expected scrypt and nacl/secretbox as ' +
        'cosign generate-key-pair writes them)'
    )
  }
  const salt = Buffer.from(enc.kdf.salt ?? '', 'base64')
  const nonce = Buffer.from(enc.cipher.nonce ?? '', 'base64')
  const ciphertext = Buffer.from(enc.ciphertext ?? '', 'base64')
  if (nonce.length !== 24 || ciphertext.length < 16) {
    throw new SigningKeyError('signing-key: the encrypted cosign key is truncated')
  }
  const secret = await deriveKey(password, salt, params.N!, params.r!, params.p!)
  let der: Uint8Array
  try {
    der = xsalsa20poly1305(secret, nonce).decrypt(ciphertext)
  } catch {
    throw new SigningKeyError(
      'signing-key: cannot decrypt the cosign key: signing-key-password is wrong (or not set)'
    )
  }
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
}

function plainKey(pem: string, password: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: password || undefined })
  } catch (err) {
    const msg = (err as Error).message
    // An encrypted key read with a wrong password usually fails its padding check ("bad
    // decrypt"), but 1 time in 256 the padding looks right and the garbage fails as DER instead.
    const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem)
    const hint =
      encrypted || /passphrase|decrypt/i.test(msg)
        ? 'signing-key-password is wrong or not set'
        : 'expected a PEM private key'
    throw new SigningKeyError(`signing-key: cannot read the private key: ${hint}`)
  }
}

/** Reads a signing key (the PEM text of cosign.key or of a PEM private key) with its password. */
export async function loadSigningKey(pem: string, password: string): Promise<SigningKey> {
  const block = pemBlock(pem)
  if (!block) {
    throw new SigningKeyError(
      'signing-key holds no PEM block: pass the content of cosign.key (cosign generate-key-pair), ' +
        'e.g. signing-key: ${{ secrets.COSIGN_PRIVATE_KEY }}'
    )
  }
  const privateKey = COSIGN_PEM_TYPES.includes(block.type)
    ? await decryptCosignKey(block.body, password)
    : plainKey(pem, password)
  const details = privateKey.asymmetricKeyDetails
  if (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
    throw new SigningKeyError(
      `signing-key: a ${privateKey.asymmetricKeyType ?? 'unknown'} key${details?.namedCurve ? ` on ${details.namedCurve}` : ''} ` +
        'is not supported: use an ECDSA P-256 key (what cosign generate-key-pair makes), which falcoctl verifies with SHA-256'
    )
  }
  const publicKey = createPublicKey(privateKey)
  const der = publicKey.export({ format: 'der', type: 'spki' })
  return {
    privateKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: createHash('sha256').update(der).digest('base64')
  }
}
