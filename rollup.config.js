// Bundles the action (dist/index.js) and the local CLI (dist/cli.js) as two
// self-contained ESM files, so that each sits in dist/ beside its runtime
// assets (the C inspector source), found through import.meta.url.
import { readFileSync } from 'node:fs'
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

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

const bundle = (name, withAssets) => ({
  input: `src/${name}.ts`,
  // One file each: dynamic imports in dependencies (the Sigstore libraries) are inlined.
  output: {
    file: `dist/${name}.js`,
    format: 'es',
    esModule: true,
    sourcemap: false,
    inlineDynamicImports: true
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
    ...(withAssets ? [copyAssets()] : [])
  ]
})

export default [bundle('index', true), bundle('cli', false)]
