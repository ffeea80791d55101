// Bundles the action (dist/index.js) and the local CLI (dist/cli.js) in one build: two entries
// that share one chunk (dist/shared.js) with everything they load at start, all in dist/ beside
// the runtime assets (the C inspector source and the WebAssembly layer encoder, found through
// import.meta.url). The action runs `node dist/index.js`; the CLI's bin is dist/cli.js. A third
// entry is the layer compression worker (dist/deflate-worker.js, started by layer.ts through
// import.meta.url), which shares only the encoder's loader (dist/deflate.js) with them.
import { readFileSync } from 'node:fs'
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

const ENTRIES = ['/src/index.ts', '/src/cli.ts', '/src/falco/deflate-worker.js']
const assets = [
  { from: 'src/inspect/inspector.c', to: 'inspector.c' },
  // The layer encoder, built from src/falco/deflate.c by scripts/build-deflate-wasm.sh and loaded
  // by dist/deflate.js through import.meta.url.
  { from: 'src/falco/deflate.wasm', to: 'deflate.wasm' }
]

/** Whether a module is imported statically, through some chain, by an entry. */
function loadedAtStart(id, getModuleInfo, seen = new Map()) {
  if (seen.has(id)) return seen.get(id)
  seen.set(id, false) // a cycle adds nothing
  const info = getModuleInfo(id)
  const eager =
    !!info &&
    (info.isEntry ||
      info.importers.some((importer) => loadedAtStart(importer, getModuleInfo, seen)))
  seen.set(id, eager)
  return eager
}

function copyAssets() {
  return {
    name: 'copy-assets',
    generateBundle() {
      for (const a of assets) {
        this.emitFile({ type: 'asset', fileName: a.to, source: readFileSync(a.from) })
      }
    }
  }
}

export default {
  input: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    'deflate-worker': 'src/falco/deflate-worker.js'
  },
  output: {
    dir: 'dist',
    format: 'es',
    esModule: true,
    sourcemap: false,
    entryFileNames: '[name].js',
    // Chunks with fixed names, in dist/ itself (import.meta.url must point there). What the
    // entries import statically is dist/shared.js; what only dynamic imports reach is loaded
    // when a run needs it: dist/sign.js (Sigstore and @actions/attest, a third of the code:
    // signing and the GitHub Release's signed assets) and dist/tool-cache.js (the glibc input's
    // zig). Parsing and evaluating the whole bundle was 0.12 s of a 0.45 s small release
    // (BENCHMARKS.md). The entry modules stay in their own files: each runs its program when loaded.
    chunkFileNames: '[name].js',
    manualChunks: (id, { getModuleInfo }) => {
      if (ENTRIES.some((e) => id.endsWith(e))) return undefined
      if (id.endsWith('/src/falco/deflate.js')) return 'deflate'
      if (loadedAtStart(id, getModuleInfo)) return 'shared'
      // Only imported dynamically: loaded when a run needs it.
      return id.includes('/node_modules/@actions/tool-cache/') ? 'tool-cache' : 'sign'
    }
  },
  onwarn(warning, warn) {
    // @actions/core's dependencies use `this` at the top level of ESM files; harmless.
    if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return
    warn(warning)
  },
  plugins: [
    typescript({
      tsconfig: './tsconfig.build.json',
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' }
    }),
    nodeResolve({ preferBuiltins: true }),
    commonjs(),
    // @actions/attest reads its own package.json (for its User-Agent).
    json(),
    copyAssets()
  ]
}
