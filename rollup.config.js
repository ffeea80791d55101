// Bundles the action (dist/index.js) and the local CLI (dist/cli.js) in one build: two entries
// that share one chunk with everything they have in common, all in dist/ beside the runtime
// assets (the C inspector source, found through import.meta.url). The action runs
// `node dist/index.js`; the CLI's bin is dist/cli.js. A third entry is the layer compression
// worker (dist/deflate-worker.js, started by layer.ts through import.meta.url), which shares only
// the encoder (dist/deflate.js) with them.
import { readFileSync } from 'node:fs'
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

const ENTRIES = ['/src/index.ts', '/src/cli.ts', '/src/falco/deflate-worker.js']
const assets = [{ from: 'src/inspect/inspector.c', to: 'inspector.c' }]

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
    // One shared chunk with a fixed name, in dist/ itself (import.meta.url must point there),
    // which also takes what dependencies (the Sigstore libraries) import dynamically. The entry
    // modules stay in their own files: each runs its program when loaded.
    chunkFileNames: '[name].js',
    manualChunks: (id) =>
      ENTRIES.some((e) => id.endsWith(e))
        ? undefined
        : id.endsWith('/src/falco/deflate.js')
          ? 'deflate'
          : 'shared'
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
