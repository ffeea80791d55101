import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { confine, workspaceOf, writeFileNoFollow } from '../../src/inputs/workspace.js'

let root: string
let ws: string
let outside: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fpr-ws-'))
  ws = join(root, 'checkout')
  outside = join(root, 'outside')
  mkdirSync(join(ws, 'rules'), { recursive: true })
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.yaml'), 'secret')
  writeFileSync(join(ws, 'rules', 'foo_rules.yaml'), '- rule: x')
  symlinkSync(join(outside, 'secret.yaml'), join(ws, 'rules', 'link_rules.yaml'))
  symlinkSync(outside, join(ws, 'out'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('confine', () => {
  const w = () => workspaceOf(ws, false)

  it('accepts paths inside the workspace, existing or not', () => {
    expect(confine(w(), join(ws, 'rules', 'foo_rules.yaml'), 'rules-file')).toBe(
      join(ws, 'rules', 'foo_rules.yaml')
    )
    expect(confine(w(), join(ws, 'new', 'index.yaml'), 'index-file')).toBe(
      join(ws, 'new', 'index.yaml')
    )
  })

  it('refuses ../ and absolute paths that leave it, naming the fix', () => {
    expect(() => confine(w(), join(ws, '..', 'outside', 'secret.yaml'), 'rules-file')).toThrow(
      /rules-file ".*" is outside the workspace .*allow-outside-workspace: true/
    )
    expect(() => confine(w(), '/etc/passwd', 'rules-file')).toThrow(/outside the workspace/)
  })

  it('follows symbolic links, of the file and of its folders', () => {
    expect(() => confine(w(), join(ws, 'rules', 'link_rules.yaml'), 'rules-file')).toThrow(
      /through a symbolic link, it is .*outside\/secret\.yaml/
    )
    expect(() => confine(w(), join(ws, 'out', 'index.yaml'), 'index-file')).toThrow(
      /through a symbolic link/
    )
  })

  it('confines nothing when asked, or outside GitHub Actions', () => {
    const allowed = workspaceOf(ws, true)
    expect(confine(allowed, '/etc/passwd', 'rules-file')).toBe('/etc/passwd')
    expect(confine(workspaceOf(undefined, false), '/etc/passwd', 'rules-file')).toBe('/etc/passwd')
  })
})

describe('writeFileNoFollow', () => {
  it('refuses to write through a symbolic link and leaves its target alone', async () => {
    const link = join(ws, 'index.yaml')
    symlinkSync(join(outside, 'secret.yaml'), link)
    await expect(writeFileNoFollow(link, 'x', 'index-file')).rejects.toThrow(
      /symbolic link: refusing to write through it/
    )
    expect(readFileSync(join(outside, 'secret.yaml'), 'utf8')).toBe('secret')
    rmSync(link)
  })

  it('writes a regular file, creating its folder', async () => {
    const file = join(ws, 'pages', 'index.yaml')
    await writeFileNoFollow(file, 'a: 1\n', 'index-file')
    await writeFileNoFollow(file, 'a: 2\n', 'index-file')
    expect(readFileSync(file, 'utf8')).toBe('a: 2\n')
  })
})
