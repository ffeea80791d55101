import { describe, expect, it } from '@jest/globals'
import {
  isDigest,
  validateDigest,
  validateReference,
  validateRegistryHost,
  validateRepositoryName,
  validateTag
} from '../../src/oci/reference.js'

const HEX = 'a'.repeat(64)

describe('validateRepositoryName', () => {
  it.each(['foo', 'acme/plugins/plugin/foo', 'a.b_c__d-e--f/x', 'k8saudit-eks', '0/1'])(
    'accepts %s',
    (name) => {
      expect(validateRepositoryName(name)).toBe(name)
    }
  )

  it.each(['', 'a//b', '/a', 'a/', '-a', 'a-', 'a___b', 'a..b', 'a b', 'ghcr.io:443/a', 'a:tag'])(
    'rejects %j',
    (name) => {
      expect(() => validateRepositoryName(name)).toThrow(/invalid repository name.*lowercase/)
    }
  )

  it('suggests the lowercase name', () => {
    expect(() => validateRepositoryName('Acme/Foo')).toThrow('use "acme/foo"')
  })

  it('rejects names over 255 characters', () => {
    expect(() => validateRepositoryName('a'.repeat(256))).toThrow(/255/)
  })
})

describe('validateTag', () => {
  it.each(['latest', '1.2.3', '0.1.0-rc.1', '_x', 'A'.repeat(128)])('accepts %s', (tag) => {
    expect(validateTag(tag)).toBe(tag)
  })

  it('explains that + is not allowed', () => {
    expect(() => validateTag('1.2.3+build.4')).toThrow(/cannot contain "\+"/)
  })

  it.each(['', '.x', '-x', 'a/b', 'a:b'])('rejects %j', (tag) => {
    expect(() => validateTag(tag)).toThrow(/invalid tag/)
  })

  it('rejects tags over 128 characters', () => {
    expect(() => validateTag('a'.repeat(129))).toThrow(/at most 128/)
  })
})

describe('digests and references', () => {
  it('accepts well-formed digests', () => {
    expect(validateDigest(`sha256:${HEX}`)).toBe(`sha256:${HEX}`)
    expect(validateDigest(`sha512:${'b'.repeat(128)}`)).toBeTruthy()
    expect(isDigest(`sha256:${HEX}`)).toBe(true)
    expect(isDigest('1.2.3')).toBe(false)
  })

  it('rejects malformed digests', () => {
    expect(() => validateDigest('sha256:abc')).toThrow(/invalid digest/)
    expect(() => validateDigest(`sha256:${'A'.repeat(64)}`)).toThrow(/invalid digest/)
    expect(() => validateDigest('abc')).toThrow(/invalid digest/)
  })

  it('validates a reference as a tag or a digest', () => {
    expect(validateReference('1.0.0')).toBe('1.0.0')
    expect(validateReference(`sha256:${HEX}`)).toBe(`sha256:${HEX}`)
    expect(() => validateReference('1.0.0+x')).toThrow(/"\+"/)
  })
})

describe('validateRegistryHost', () => {
  it.each(['ghcr.io', '127.0.0.1:5000', 'localhost:5000', '[::1]:5000', 'my-registry.example.com'])(
    'accepts %s',
    (host) => {
      expect(validateRegistryHost(host)).toBe(host)
    }
  )

  it('lowercases', () => {
    expect(validateRegistryHost('GHCR.io')).toBe('ghcr.io')
  })

  it('rejects a scheme with advice', () => {
    expect(() => validateRegistryHost('https://ghcr.io')).toThrow(/without a scheme/)
  })

  it.each(['ghcr.io/acme', 'user:pass@ghcr.io', 'host:99999', 'host:', '', '-host'])(
    'rejects %j',
    (host) => {
      expect(() => validateRegistryHost(host)).toThrow(/invalid registry/)
    }
  )
})
