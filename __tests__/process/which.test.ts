import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findProgram, findPrograms } from '../../src/process/which.js'

describe('findProgram / findPrograms', () => {
  let dir: string
  let a: string
  let b: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'which-'))
    a = join(dir, 'a')
    b = join(dir, 'b')
    mkdirSync(a)
    mkdirSync(b)
    for (const d of [a, b]) writeFileSync(join(d, 'tool'), '#!/bin/sh\n', { mode: 0o755 })
    writeFileSync(join(a, 'plain'), 'not a program\n')
    chmodSync(join(a, 'plain'), 0o644)
    mkdirSync(join(b, 'folder'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('finds the first executable on the PATH given, and every one in order', async () => {
    expect(await findProgram('tool', { path: `${b}:${a}` })).toBe(join(b, 'tool'))
    expect(await findPrograms('tool', { path: `${a}:${b}` })).toEqual([
      join(a, 'tool'),
      join(b, 'tool')
    ])
  })

  it('skips files that are not executable, and folders', async () => {
    expect(await findProgram('plain', { path: `${a}:${b}` })).toBeUndefined()
    expect(await findProgram('folder', { path: `${a}:${b}` })).toBeUndefined()
    expect(await findPrograms('nothing-here', { path: a })).toEqual([])
  })

  it('searches nothing with an unset or empty PATH, not the process PATH', async () => {
    expect(await findProgram('sh', { path: undefined })).toBeUndefined()
    expect(await findProgram('sh', { path: '' })).toBeUndefined()
    expect(await findPrograms('sh', { path: undefined })).toEqual([])
    expect(await findProgram('sh', { path: process.env.PATH })).toMatch(/\/sh$/)
  })

  it('checks a command with a "/" as it is', async () => {
    expect(await findProgram(join(a, 'tool'), { path: undefined })).toBe(join(a, 'tool'))
    expect(await findProgram(join(a, 'plain'), { path: b })).toBeUndefined()
  })
})
