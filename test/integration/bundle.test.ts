// The bundle's shape: what the action and the CLI load at start, and what they load only when a
// run needs it: Sigstore and @actions/attest for signing, Octokit for the GitHub API, undici for
// all three and @actions/tool-cache (the glibc input). Loading everything at start cost 0.12 s of
// a 0.45 s small release (BENCHMARKS.md).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/action.js'

const dist = (file: string) => readFileSync(join(ROOT, 'dist', file), 'utf8')

/** The chunks a file imports statically (`import ... from './x.js'`, `import './x.js'`). */
function staticImports(file: string): string[] {
  return [...dist(file).matchAll(/^import\s+(?:[^'"]*?\sfrom\s+)?'\.\/([^']+)';?$/gm)].map(
    (m) => m[1]
  )
}

/** Every chunk loaded with `entry`, before any dynamic import. */
function loadedAtStart(entry: string): Set<string> {
  const seen = new Set<string>()
  const todo = [entry]
  while (todo.length > 0) {
    const file = todo.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    todo.push(...staticImports(file))
  }
  return seen
}

const ON_DEMAND = ['sign.js', 'github.js', 'http.js', 'tool-cache.js']

describe('dist/', () => {
  it.each(['index.js', 'cli.js'])(
    '%s loads the shared chunk at start, and the signing, GitHub API, HTTP and tool-cache chunks only on demand',
    (entry) => {
      const atStart = loadedAtStart(entry)
      expect(atStart).toContain('shared.js')
      for (const chunk of ON_DEMAND) expect(atStart).not.toContain(chunk)
      // ...and they are there to be loaded: the shared chunk imports them dynamically.
      const shared = dist('shared.js')
      for (const chunk of ON_DEMAND) expect(shared).toContain(`import('./${chunk}')`)
      expect(dist('sign.js')).toContain('fulcio')
    }
  )

  it('keeps Octokit and undici out of the shared chunk', () => {
    // @actions/github's index is loaded at start (its context), its Octokit is not; @actions/core
    // loads @actions/http-client and undici only in getIDToken.
    const shared = dist('shared.js')
    expect(dist('github.js')).toContain('class Octokit')
    expect(shared).not.toContain('class Octokit')
    expect(dist('http.js')).toContain('class ProxyAgent')
    expect(shared).not.toContain('class ProxyAgent')
    expect(shared).not.toContain('undici')
  })

  it('keeps what only signing and the glibc input use out of the shared chunk', () => {
    // The cosign formats (@sigstore/bundle), the key decryption (@noble/ciphers); @actions/exec.
    const shared = dist('shared.js')
    expect(dist('sign.js')).toContain('bundleToJSON')
    expect(shared).not.toContain('bundleToJSON')
    expect(dist('sign.js')).toContain('xsalsa20poly1305')
    expect(shared).not.toContain('xsalsa20poly1305')
    expect(dist('tool-cache.js')).toContain('class ToolRunner')
    expect(shared).not.toContain('class ToolRunner')
  })

  it('loads the GitHub API without Sigstore', () => {
    expect(loadedAtStart('github.js')).not.toContain('sign.js')
    expect(loadedAtStart('tool-cache.js')).not.toContain('github.js')
  })

  it('holds the layer encoder beside the module that loads it, as built from src/', () => {
    // dist/deflate.js reads deflate.wasm through import.meta.url; the worker imports deflate.js.
    expect(dist('deflate.js')).toContain("new URL('./deflate.wasm', import.meta.url)")
    expect(staticImports('deflate-worker.js')).toContain('deflate.js')
    expect(readFileSync(join(ROOT, 'dist', 'deflate.wasm'))).toEqual(
      readFileSync(join(ROOT, 'src', 'falco', 'deflate.wasm'))
    )
  })
})
