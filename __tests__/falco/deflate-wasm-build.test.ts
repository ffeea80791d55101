// src/falco/deflate.wasm is committed, built from src/falco/deflate.c: this rebuilds it with the
// pinned zig and fails when the two differ (a changed deflate.c without a rebuild, or a build that
// is not reproducible). Without zig it fails too, saying how to get it: never skipped.
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

describe('src/falco/deflate.wasm', () => {
  it('is what scripts/build-deflate-wasm.sh builds from src/falco/deflate.c', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deflate-wasm-'))
    try {
      const built = join(dir, 'deflate.wasm')
      try {
        execFileSync('bash', [join(ROOT, 'scripts', 'build-deflate-wasm.sh'), built], {
          stdio: ['ignore', 'pipe', 'pipe']
        })
      } catch (err) {
        const stderr = String((err as { stderr?: Buffer }).stderr ?? err)
        throw new Error(`scripts/build-deflate-wasm.sh failed:\n${stderr}`)
      }
      const committed = readFileSync(join(ROOT, 'src', 'falco', 'deflate.wasm'))
      if (!readFileSync(built).equals(committed)) {
        throw new Error(
          'src/falco/deflate.wasm is not the build of src/falco/deflate.c: run `bash scripts/build-deflate-wasm.sh` and commit both'
        )
      }
      expect(committed.subarray(0, 4).toString('hex')).toBe('0061736d') // "\0asm"
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
