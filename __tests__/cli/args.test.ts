import { describe, expect, it } from '@jest/globals'
import { parseArgs } from '../../src/cli/args.js'

describe('parseArgs', () => {
  it('maps --input value and --input=value onto input names', () => {
    const a = parseArgs(['--tag', '1.2.3', '--working-directory=examples/hello', '--dry-run'])
    expect(Object.fromEntries(a.values)).toEqual({
      tag: '1.2.3',
      'working-directory': 'examples/hello',
      'dry-run': 'true'
    })
  })

  it('lets a boolean take an explicit value', () => {
    expect(parseArgs(['--plain-http', 'false']).values.get('plain-http')).toBe('false')
    expect(parseArgs(['--plain-http', '--tag', '1.0.0']).values.get('plain-http')).toBe('true')
  })

  it('refuses unknown flags and stray words, showing the usage', () => {
    expect(() => parseArgs(['--tga', '1.0.0'])).toThrow(/unknown flag --tga[\s\S]*usage/)
    expect(() => parseArgs(['1.0.0'])).toThrow(/unexpected argument "1\.0\.0"/)
    expect(() => parseArgs(['--tag'])).toThrow(/--tag needs a value/)
  })

  it('knows --json, --verbose and --help', () => {
    expect(parseArgs(['--json', '--verbose', '--help'])).toMatchObject({
      json: true,
      verbose: true,
      help: true
    })
  })
})
