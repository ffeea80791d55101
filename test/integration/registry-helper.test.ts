import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startRegistry, RunningRegistry } from '../helpers/registry.js'

describe('test registry helper', () => {
  let reg: RunningRegistry
  beforeAll(async () => {
    reg = await startRegistry({ basicAuth: { username: 'alice', password: 's3cret' } })
  })
  afterAll(async () => reg?.stop())

  it('serves the distribution API and asks for credentials', async () => {
    const res = await fetch(`${reg.url}/v2/`)
    expect(res.status).toBe(401)
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    const ok = await fetch(`${reg.url}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` }
    })
    expect(ok.status).toBe(200)
  })
})
