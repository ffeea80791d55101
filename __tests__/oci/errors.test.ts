import { describe, expect, it } from '@jest/globals'
import {
  ConnectionError,
  DeniedError,
  HttpFailure,
  NotFoundError,
  RegistryError,
  TooLargeError,
  UnauthorizedError,
  describeBody,
  hintFor,
  httpError,
  networkError
} from '../../src/oci/errors.js'

function failure(over: Partial<HttpFailure>): HttpFailure {
  return {
    registry: 'ghcr.io',
    repository: 'acme/plugins/plugin/foo',
    method: 'PUT',
    url: new URL('https://ghcr.io/v2/acme/plugins/plugin/foo/manifests/1.0.0?x=secret-state'),
    status: 403,
    statusText: 'Forbidden',
    body: Buffer.alloc(0),
    hasCredentials: true,
    redact: (t) => t,
    ...over
  }
}

describe('registry error messages', () => {
  it('tells ghcr.io users about packages: write and Manage Actions access', () => {
    const hint = hintFor(failure({}))
    expect(hint).toContain('not allowed to push to ghcr.io/acme/plugins/plugin/foo')
    expect(hint).toContain('`permissions: packages: write`')
    expect(hint).toContain('"Manage Actions access"')
  })

  it('gives generic permission advice elsewhere', () => {
    const hint = hintFor(failure({ registry: 'registry.example.com', method: 'GET' }))
    expect(hint).toContain('not allowed to read registry.example.com/acme')
    expect(hint).not.toContain('packages: write')
  })

  it('recognises GitHub registries by host or by their error text', () => {
    const ghes = hintFor(failure({ registry: 'containers.github.example.com' }))
    expect(ghes).toContain('`permissions: packages: write`')
    const byText = hintFor(
      failure({ registry: '127.0.0.1:5000' }),
      ['DENIED'],
      'DENIED: permission_denied: write_package'
    )
    expect(byText).toContain('"Manage Actions access"')
  })

  it('tells ghcr.io users which tokens work when credentials are rejected', () => {
    const hint = hintFor(failure({ status: 401 }))
    expect(hint).toMatch(/check the username and password for ghcr\.io\./)
    expect(hint).toMatch(/GITHUB_TOKEN, with `permissions: packages: write`/)
    expect(hintFor(failure({ status: 401, registry: 'quay.io' }))).not.toMatch(/GITHUB_TOKEN/)
  })

  it('asks an anonymous client refused with 403 to log in', () => {
    expect(hintFor(failure({ hasCredentials: false }))).toBe(
      'ghcr.io refused anonymous access to ghcr.io/acme/plugins/plugin/foo: pass a username and password.'
    )
  })

  it('gives each status the client acts on its own class', () => {
    const classes = [401, 403, 404, 413, 416, 500].map((status) => httpError(failure({ status })))
    expect(classes.map((e) => e.name)).toEqual([
      'UnauthorizedError',
      'DeniedError',
      'NotFoundError',
      'TooLargeError',
      'TooLargeError',
      'RegistryError'
    ])
    expect(classes[0]).toBeInstanceOf(UnauthorizedError)
    expect(classes[1]).toBeInstanceOf(DeniedError)
    expect(classes[2]).toBeInstanceOf(NotFoundError)
    expect(classes[3]).toBeInstanceOf(TooLargeError)
    for (const e of classes) expect(e).toBeInstanceOf(RegistryError)
  })

  it('keeps the facts of a connection failure', () => {
    const reset = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
      connected: true
    })
    const err = networkError('PUT', new URL('https://r.example/v2/a/blobs/x'), reset, false, true)
    expect(err).toBeInstanceOf(ConnectionError)
    expect([err.code, err.connected, err.answeredBefore]).toEqual(['ECONNRESET', true, true])
  })

  it('keeps Retry-After in the details', () => {
    const err = httpError(failure({ status: 429, retryAfter: '7' }))
    expect(err.details).toMatchObject({ status: 429, retryAfter: '7' })
  })

  it('distinguishes bad credentials from missing ones', () => {
    expect(hintFor(failure({ status: 401 }))).toMatch(/check the username and password/)
    expect(hintFor(failure({ status: 401, hasCredentials: false }))).toMatch(
      /no credentials were given/
    )
  })

  it('explains missing blobs and rate limits', () => {
    expect(hintFor(failure({ status: 400 }), ['MANIFEST_BLOB_UNKNOWN'])).toMatch(/push every blob/)
    expect(hintFor(failure({ status: 429 }))).toMatch(/rate limiting/)
    expect(hintFor(failure({ status: 503 }))).toMatch(/try again later/)
  })

  it('reads the distribution error JSON, or an excerpt of anything else', () => {
    const json = Buffer.from('{"errors":[{"code":"DENIED","message":"no"},{"code":"X"}]}')
    expect(describeBody(json)).toEqual({ codes: ['DENIED', 'X'], text: 'DENIED: no; X' })
    expect(describeBody(Buffer.from('<html>\n  bad gateway\n</html>'))).toEqual({
      codes: [],
      text: '<html> bad gateway </html>'
    })
  })

  it('leaves the query string out and redacts', () => {
    const body = Buffer.from('{"errors":[{"code":"DENIED","message":"token tok-123 denied"}]}')
    const err = httpError(failure({ body, redact: (t) => t.split('tok-123').join('***') }))
    expect(err.message).not.toContain('secret-state')
    expect(err.message).not.toContain('tok-123')
    expect(err.message).toContain('DENIED: token *** denied')
  })

  it('reads the code of an AggregateError from a multi-address connect', () => {
    const agg = Object.assign(
      new AggregateError(
        [Object.assign(new Error('connect ECONNREFUSED ::1:5000'), { code: 'ECONNREFUSED' })],
        ''
      ),
      { code: 'ECONNREFUSED' }
    )
    const err = networkError('GET', new URL('https://localhost:5000/v2/'), agg, false)
    expect(err.message).toMatch(
      /GET https:\/\/localhost:5000\/v2\/ failed \(connect ECONNREFUSED ::1:5000\)/
    )
    expect(err.details.codes).toEqual(['ECONNREFUSED'])
  })
})
