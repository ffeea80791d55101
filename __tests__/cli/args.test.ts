import { describe, expect, it } from '@jest/globals'
import { parseArgs, USAGE } from '../../src/cli/args.js'

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
    expect(parseArgs(['--plain-http=false']).values.get('plain-http')).toBe('false')
    expect(parseArgs(['--tag', '1.0.0', '--overwrite']).values.get('overwrite')).toBe('true')
  })

  it('takes the next word as a value, even one that looks like a flag', () => {
    expect(parseArgs(['--tag', '--dry-run']).values).toEqual(new Map([['tag', '--dry-run']]))
    expect(parseArgs(['--tag=']).values).toEqual(new Map([['tag', '']]))
  })

  it('refuses unknown flags and stray words, showing the usage', () => {
    expect(() => parseArgs(['--tga', '1.0.0'])).toThrow(/unknown flag --tga[\s\S]*usage/)
    expect(() => parseArgs(['1.0.0'])).toThrow(/unexpected argument "1\.0\.0"/)
    expect(() => parseArgs(['--tag'])).toThrow(/--tag needs a value/)
    expect(() => parseArgs(['-x'])).toThrow(/unknown flag -x[\s\S]*usage/)
    expect(() => parseArgs(['--json=yes'])).toThrow(/unknown flag --json/)
    expect(() => parseArgs(['--', '--tag'])).toThrow(/unexpected argument "--tag"/)
  })

  it('knows --json, --verbose and --help', () => {
    expect(parseArgs(['--json', '--verbose', '--help'])).toMatchObject({
      json: true,
      verbose: true,
      help: true
    })
    expect(parseArgs(['-h'])).toMatchObject({ json: false, verbose: false, help: true })
  })

  it('lists every input in the usage, booleans without VALUE', () => {
    expect(USAGE).toContain('  --dry-run  [false]\n')
    expect(USAGE).toMatch(/ {2}--tag VALUE {2}\[/)
  })
})
