// The bundle's shape: what the action and the CLI load at start, and what they load only when a
// run needs it (Sigstore and @actions/attest for signing, @actions/tool-cache for the glibc
// input). Loading everything at start cost 0.12 s of a 0.45 s small release (BENCHMARKS.md).
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

describe('dist/', () => {
  it.each(['index.js', 'cli.js'])(
    '%s loads the shared chunk at start, and the signing and tool-cache chunks only on demand',
    (entry) => {
      const atStart = loadedAtStart(entry)
      expect(atStart).toContain('shared.js')
      expect(atStart).not.toContain('sign.js')
      expect(atStart).not.toContain('tool-cache.js')
      // ...and they are there to be loaded: the shared chunk imports them dynamically.
      const shared = dist('shared.js')
      expect(shared).toMatch(/import\('\.\/sign\.js'\)/)
      expect(shared).toMatch(/import\('\.\/tool-cache\.js'\)/)
      expect(dist('sign.js')).toContain('fulcio')
    }
  )

  it('holds the layer encoder beside the module that loads it, as built from src/', () => {
    // dist/deflate.js reads deflate.wasm through import.meta.url; the worker imports deflate.js.
    expect(dist('deflate.js')).toContain("new URL('./deflate.wasm', import.meta.url)")
    expect(staticImports('deflate-worker.js')).toContain('deflate.js')
    expect(readFileSync(join(ROOT, 'dist', 'deflate.wasm'))).toEqual(
      readFileSync(join(ROOT, 'src', 'falco', 'deflate.wasm'))
    )
  })
})
