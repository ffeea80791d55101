// Jest's global setup of the integration project. Integration tests run the bundled action
// (node dist/index.js, dist/cli.js), so a bundle older than the sources it is built from would be
// tested instead of them: build dist/ first whenever src/ or the build's configuration changed
// since dist/ was written (the same build as `npm run package`).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const BUILT = [
  'dist/index.js',
  'dist/cli.js',
  'dist/shared.js',
  'dist/inspector.c',
  'dist/deflate.wasm'
]
const BUILT_FROM = [
  'src',
  'rollup.config.js',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json'
]

/** The newest modification time under `path` (a file or a folder). */
function newest(path) {
  const info = statSync(path)
  if (!info.isDirectory()) return info.mtimeMs
  let latest = info.mtimeMs
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)))
  return latest
}

/** Why dist/ must be built again, or undefined when it is newer than everything it comes from. */
export function staleBecause(root = ROOT) {
  const missing = BUILT.find((f) => !existsSync(join(root, f)))
  if (missing) return `${missing} is missing`
  const builtAt = Math.min(...BUILT.map((f) => statSync(join(root, f)).mtimeMs))
  const changed = BUILT_FROM.find(
    (f) => existsSync(join(root, f)) && newest(join(root, f)) > builtAt
  )
  return changed ? `${changed} changed since dist/ was built` : undefined
}

export default function buildDist() {
  const why = staleBecause()
  if (why === undefined) return
  process.stderr.write(`\nbuilding dist/ for the integration tests: ${why}\n`)
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true })
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '--config', 'rollup.config.js'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }
  )
}
