// Bundles the action (dist/index.js) and the local CLI (dist/cli.js) in one build: two entries
// that share one chunk (dist/shared.js) with everything they load at start, all in dist/ beside
// the runtime assets (the C inspector source and the WebAssembly layer encoder, found through
// import.meta.url). The action runs `node dist/index.js`; the CLI's bin is dist/cli.js. A third
// entry is the layer compression worker (dist/deflate-worker.js, started by layer.ts through
// import.meta.url), which shares only the encoder's loader (dist/deflate.js) with them.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
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

// Imports that tree-shaking drops, so that they load nothing at start: @actions/github's index
// imports Octokit (lib/utils.js) only for getOctokit, which we do not call (src/github/client.ts
// builds Octokit from lib/utils.js itself). Declared free of side effects below.
// @actions/core's `platform` (@actions/exec, @actions/io) is unused too.
const UNUSED_AT_START = [
  '/node_modules/@actions/github/lib/utils.js',
  '/node_modules/@actions/core/lib/platform.js'
]

/** Whether a module is imported statically, through some chain, by an entry. */
function loadedAtStart(id, getModuleInfo, seen = new Map()) {
  if (seen.has(id)) return seen.get(id)
  seen.set(id, false) // a cycle adds nothing
  const info = getModuleInfo(id)
  const eager =
    !!info &&
    !UNUSED_AT_START.some((m) => id.endsWith(m)) &&
    (info.isEntry ||
      info.importers.some((importer) => loadedAtStart(importer, getModuleInfo, seen)))
  seen.set(id, eager)
  return eager
}

/** The modules `root` imports statically, through some chain (and itself). */
function importedBy(root, getModuleInfo, seen = new Set()) {
  if (seen.has(root)) return seen
  seen.add(root)
  for (const id of getModuleInfo(root)?.importedIds ?? []) importedBy(id, getModuleInfo, seen)
  return seen
}

/** The chunk of a module that only dynamic imports reach: loaded when a run needs it. */
function lazyChunk(id, getModuleInfo) {
  if (/\/node_modules\/@actions\/(tool-cache|exec|io)\//.test(id)) return 'tool-cache'
  // HTTP through proxies (undici), for Octokit, @actions/attest and @actions/tool-cache alike;
  // @actions/core's OIDC client loads it only in getIDToken (deferOidc below).
  if (HTTP.test(id)) return 'http'
  // The GitHub API: our client and what it loads (Octokit and its plugins).
  githubApi ??= importedBy(resolve('src/github/client.ts'), getModuleInfo)
  if (id.includes('/src/github/') || githubApi.has(id)) return 'github'
  return 'sign' // Sigstore and @actions/attest
}
const HTTP =
  /\/node_modules\/(undici|tunnel|@actions\/http-client)\/|\/@actions\/core\/lib\/oidc-utils\.js$/
let githubApi

// @actions/core imports its OIDC client, and with it @actions/http-client and undici (0.96 MB), for
// getIDToken alone, which only @actions/attest calls: the import moves into getIDToken.
function deferOidc() {
  const from = "import { OidcClient } from './oidc-utils.js';"
  const call = 'return yield OidcClient.getIDToken(aud);'
  return {
    name: 'defer-oidc',
    transform(code, id) {
      if (!id.endsWith('/node_modules/@actions/core/lib/core.js')) return null
      if (!code.includes(from) || !code.includes(call))
        this.error('@actions/core changed: see deferOidc')
      const lazy = `const { OidcClient } = yield import('./oidc-utils.js');\n        ${call}`
      return { code: code.replace(from, '').replace(call, lazy), map: null }
    }
  }
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
    // when a run needs it: dist/sign.js (Sigstore and @actions/attest: signing and the GitHub
    // Release's signed assets), dist/github.js (Octokit: index-branch, the GitHub Release),
    // dist/http.js (undici, for those two and @actions/core's getIDToken) and dist/tool-cache.js
    // (the glibc input's zig). Parsing and evaluating the whole bundle was 0.12 s of a 0.45 s
    // small release (BENCHMARKS.md); a shared.js of 0.86 MB instead of 2.3 MB takes 0.045 s less.
    // The entry modules stay in their own files: each runs its program when loaded.
    chunkFileNames: '[name].js',
    manualChunks: (id, { getModuleInfo }) => {
      if (ENTRIES.some((e) => id.endsWith(e))) return undefined
      if (id.endsWith('/src/falco/deflate.js')) return 'deflate'
      return loadedAtStart(id, getModuleInfo) ? 'shared' : lazyChunk(id, getModuleInfo)
    }
  },
  treeshake: { moduleSideEffects: (id) => !UNUSED_AT_START.some((m) => id.endsWith(m)) },
  onwarn(warning, warn) {
    // @actions/core's dependencies use `this` at the top level of ESM files; harmless.
    if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return
    warn(warning)
  },
  plugins: [
    deferOidc(),
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
