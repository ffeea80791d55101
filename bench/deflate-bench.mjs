#!/usr/bin/env node
// Deflate benchmark: is our own DEFLATE encoder worth its code, against fflate? (issue 14) And
// how much faster is it in WebAssembly (src/falco/deflate.c) than in JavaScript (its oracle)?
//
//   npm run bench:deflate                    # 5 rounds, upstream plugins + a 50 MiB input
//   npm run bench:deflate -- --rounds 9 --big-mib 0 --no-release --input libsmall.so
//
// What it measures (details and figures in BENCHMARKS.md, "Deflate: own encoder or fflate"):
//   1. inputs: real Falco plugins from falcosecurity/plugins (json, k8saudit, cloudtrail: 4 to
//      16 MiB), fetched from the Go module proxy at exact versions and built as upstream's
//      Makefile does (`go build -buildmode=c-shared ./plugin`), plus a --big-mib input made of
//      those .so files end to end (realistic bytes, not padding);
//   2. packing one layer (tar + gzip, written to disk and hashed), each time in a fresh `node`
//      process as in a real run (JIT warm-up and worker start-up included), timed around the
//      packing only, in alternating order, by src/falco/layer.ts compiled with tsc
//        - own:    from the working tree: our encoder (deflate.wasm), with 1 MiB segments on
//                  worker threads above 8 MiB;
//        - js:     at --js-rev, the last commit with the same encoder in JavaScript (same bytes);
//        - fflate: at --fflate-rev, where layer.ts used fflate's Gzip at level 6 in one stream
//                  on one thread (as the action did before it had its own encoder);
//   3. whole releases of each upstream plugin (go build, inspection, packing of plugin and
//      rules, push to Debian's docker-registry on 127.0.0.1) with two CLI bundles built here
//      from the working tree: as it is ("own"), and with src/falco/layer.ts from --fflate-rev
//      ("fflate"); alternating, in pairs, so that both see the same load. Twice: with a warm Go
//      build cache, and after a change to the plugin's main package (a tag usually follows a
//      change: Go compiles that package and links again);
//   4. the encoders alone, in one process per encoder and input (--warm-passes passes over the
//      input's 1 MiB segments): the first pass (cold: compilation, JIT warm-up) and the best one
//      (warm), for the WebAssembly encoder and its JavaScript oracle, both from the working tree;
//   5. tables: medians, and the difference fflate - own as a share of the release with own.
// It is a script, not a test: it exits 1 when a tool is missing.

import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { markdownTable, median, onPath, sec, startRegistry } from './common.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SELF = fileURLToPath(import.meta.url)
const MiB = 1024 * 1024
/** The commit whose layer.ts packed with fflate (level 6, one stream), kept for this comparison. */
const FFLATE_REV = 'cf95963'
/** The last commit whose layer.ts used the JavaScript encoder (now __tests__/helpers/deflate-oracle.js). */
const JS_REV = '65f11c1'
const UPSTREAM = [
  { name: 'json', version: '0.7.4' },
  { name: 'k8saudit', version: '0.18.0' },
  { name: 'cloudtrail', version: '0.17.1' }
]
const UPSTREAM_MODULE = 'github.com/falcosecurity/plugins/plugins'
const CONTENDERS = ['own', 'js', 'fflate']

// ---------------------------------------------------------------- child: pack one layer

if (process.argv[2] === '--child') {
  const [, , , module, source, destination] = process.argv
  const started = performance.now()
  const cpuStart = process.cpuUsage() // all threads of the process: workers included
  const { packLayer } = await import(pathToFileURL(module).href)
  const result = await packLayer({ source, entryName: 'libplugin.so', mode: 0o755, destination })
  const ms = performance.now() - started
  const cpu = process.cpuUsage(cpuStart)
  const cpuMs = (cpu.user + cpu.system) / 1000
  process.stdout.write(
    JSON.stringify({ ms, cpuMs, size: result.size, digest: result.digest }) + '\n'
  )
  process.exit(0)
}

// ---------------------------------------------------------------- child: encoder alone

if (process.argv[2] === '--child-encoder') {
  const [, , , module, source, passes] = process.argv
  const data = await readFile(source)
  const started = performance.now()
  const { createSegmentDeflater } = await import(pathToFileURL(module).href)
  const d = createSegmentDeflater()
  const ms = []
  for (let pass = 0; pass < Number(passes); pass++) {
    const t = performance.now()
    for (let from = 0; from < data.length; from += MiB) {
      const window = Math.min(32768, from)
      const to = Math.min(data.length, from + MiB)
      d.deflateSegment(data.subarray(from - window, to), window, to === data.length)
    }
    ms.push(performance.now() - t + (pass === 0 ? t - started : 0)) // the first with its loading
  }
  process.stdout.write(JSON.stringify({ ms }) + '\n')
  process.exit(0)
}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const o = {
    rounds: 5,
    bigMiB: 50,
    fflateRev: FFLATE_REV,
    jsRev: JS_REV,
    release: true,
    keep: false,
    inputs: [],
    warmPasses: 5
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) fail(`${a} needs a value`)
      return v
    }
    if (a === '--rounds') o.rounds = count(a, value(), 1)
    else if (a === '--big-mib') o.bigMiB = count(a, value(), 0)
    else if (a === '--fflate-rev') o.fflateRev = value()
    else if (a === '--js-rev') o.jsRev = value()
    else if (a === '--input') o.inputs.push(resolve(value()))
    else if (a === '--warm-passes') o.warmPasses = count(a, value(), 2)
    else if (a === '--no-release') o.release = false
    else if (a === '--keep') o.keep = true
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node bench/deflate-bench.mjs [--rounds N] [--big-mib N (0: skip)] [--input FILE]... [--fflate-rev REV] [--js-rev REV] [--warm-passes N] [--no-release] [--keep]'
      )
      process.exit(0)
    } else fail(`unknown argument ${a} (see --help)`)
  }
  return o
}

function count(name, v, min) {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min) fail(`${name} must be a whole number >= ${min}`)
  return n
}

function fail(message) {
  console.error(`deflate-bench: ${message}`)
  process.exit(1)
}

// ---------------------------------------------------------------- tools and processes

function findTools(withRelease) {
  const missing = []
  const need = (name, found, how) => {
    if (!found) missing.push(`  - ${name}: ${how}`)
    return found
  }
  const tools = {
    go: need('go', onPath('go'), 'install Go >= 1.22 from https://go.dev/dl/'),
    cc: need(
      'gcc (for cgo)',
      process.env.CC || onPath('gcc') || onPath('cc'),
      'apt-get install gcc'
    ),
    git: need('git', onPath('git'), 'apt-get install git'),
    tsc: need(
      'tsc',
      existsSync(join(ROOT, 'node_modules', '.bin', 'tsc')) &&
        join(ROOT, 'node_modules', '.bin', 'tsc'),
      'npm ci'
    ),
    fflate: need('fflate', existsSync(join(ROOT, 'node_modules', 'fflate')), 'npm ci')
  }
  if (withRelease) {
    tools.registry = need(
      'docker-registry',
      onPath('docker-registry'),
      'apt-get install docker-registry (or run with --no-release)'
    )
    const rollup = join(ROOT, 'node_modules', 'rollup', 'dist', 'bin', 'rollup')
    tools.rollup = need('rollup', existsSync(rollup) && rollup, 'npm ci')
  }
  if (missing.length > 0) fail(`cannot run, missing:\n${missing.join('\n')}`)
  return tools
}

async function run(cmd, args, { env, cwd } = {}) {
  const started = performance.now()
  const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const code = await new Promise((res, rej) => {
    child.once('error', rej)
    child.once('close', (c) => res(c))
  })
  return { code, stdout, stderr, wallMs: performance.now() - started }
}

function check(result, what) {
  if (result.code !== 0) {
    throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
  return result
}

const cleanups = []
let scratch = ''

// ---------------------------------------------------------------- inputs

/** An upstream plugin built as its Makefile does; cached by version between runs. */
async function buildUpstream(tools, cache, { name, version }) {
  const so = join(cache, `lib${name}-${version}.so`)
  const src = join(cache, `src-${name}-${version}`)
  if (!existsSync(src)) {
    const mod = `${UPSTREAM_MODULE}/${name}@v${version}`
    const r = check(
      await run(tools.go, ['mod', 'download', '-json', mod]),
      `go mod download ${mod}`
    )
    const dir = JSON.parse(r.stdout).Dir
    await cp(dir, src, { recursive: true })
    check(await run('chmod', ['-R', 'u+w', src]), 'chmod')
  }
  if (!existsSync(so)) {
    const r = await run(tools.go, ['build', '-buildmode=c-shared', '-o', so, './plugin'], {
      cwd: src,
      env: { ...process.env, CGO_ENABLED: '1' }
    })
    check(r, `go build of ${name} ${version}`)
  }
  return {
    label: `${name} ${version}`,
    path: so,
    src,
    size: (await stat(so)).size,
    ...{ name, version }
  }
}

/** `mib` MiB of real plugin code: the upstream .so files end to end, again and again. */
async function bigInput(cache, plugins, mib) {
  const path = join(cache, `big-${mib}MiB.so`)
  if (!existsSync(path)) {
    const parts = await Promise.all(plugins.map((p) => readFile(p.path)))
    const out = Buffer.alloc(mib * MiB)
    for (let at = 0, i = 0; at < out.length; i++) at += parts[i % parts.length].copy(out, at)
    await writeFile(path, out)
  }
  return { label: `${mib} MiB (upstream .so files end to end)`, path, size: mib * MiB }
}

/** The files of `paths` at a git revision, extracted under `into`. */
function extractAt(tools, rev, paths, into) {
  const archive = spawnSync(tools.git, ['-C', ROOT, 'archive', rev, ...paths], {
    maxBuffer: 1 << 30
  })
  if (archive.status !== 0) fail(`git archive ${rev}: ${archive.stderr}`)
  const untar = spawnSync('tar', ['-x', '-C', into], { input: archive.stdout })
  if (untar.status !== 0) fail(`tar: ${untar.stderr}`)
}

/**
 * layer.ts (what it imports, and the compression worker it starts, when there is one) compiled
 * to JavaScript, from the working tree (rev undefined) or a git revision.
 */
async function compileLayer(tools, rev) {
  // The sources go outside node_modules (tsc does not emit files found there); the output
  // goes to node_modules/.cache, inside the repository, so that it finds the packages.
  const out = join(ROOT, 'node_modules', '.cache', 'fpr-deflate-bench', rev ?? 'tree')
  await rm(out, { recursive: true, force: true })
  let root = ROOT
  if (rev !== undefined) {
    root = join(scratch, `src-at-${rev}`)
    await mkdir(root, { recursive: true })
    extractAt(tools, rev, ['src'], root)
    await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules')) // for tsc's types
    // ES modules, as in the repository (a worker's URL needs import.meta).
    await writeFile(join(root, 'package.json'), '{ "type": "module" }\n')
  }
  const files = ['layer.ts', 'deflate-worker.js']
    .map((f) => join(root, 'src', 'falco', f))
    .filter((f) => existsSync(f))
  const r = await run(tools.tsc, [
    '--outDir',
    join(out, 'js'),
    '--rootDir',
    join(root, 'src'),
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--allowJs',
    '--skipLibCheck',
    '--types',
    'node',
    ...files
  ])
  check(r, `tsc of src/falco/layer.ts at ${rev ?? 'the working tree'}`)
  // The WebAssembly encoder is loaded from beside deflate.js, which tsc does not copy.
  const wasm = join(root, 'src', 'falco', 'deflate.wasm')
  if (existsSync(wasm)) await cp(wasm, join(out, 'js', 'falco', 'deflate.wasm'))
  return join(out, 'js', 'falco', 'layer.js')
}

/**
 * The CLI bundled from the working tree, as `npm run package` does, optionally with some files
 * taken from a git revision instead (the own encoder). Returns the path of its cli.js.
 */
async function bundleCli(tools, name, fromRev) {
  const dir = join(scratch, `bundle-${name}`)
  await mkdir(dir, { recursive: true })
  for (const f of [
    'src',
    'rollup.config.js',
    'tsconfig.json',
    'tsconfig.build.json',
    'package.json'
  ]) {
    await cp(join(ROOT, f), join(dir, f), { recursive: true })
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  if (fromRev) extractAt(tools, fromRev.rev, fromRev.paths, dir)
  const r = await run(
    process.execPath,
    [tools.rollup, '--config', 'rollup.config.js', '--silent'],
    {
      cwd: dir
    }
  )
  check(r, `bundling the ${name} CLI`)
  return join(dir, 'dist', 'cli.js')
}

// ---------------------------------------------------------------- registry

// ---------------------------------------------------------------- measurements

const log = (m) => console.error(`[deflate-bench] ${m}`)

async function packOnce(contender, module, input) {
  const destination = join(scratch, `layer-${contender}.tar.gz`)
  const r = check(
    await run(process.execPath, [SELF, '--child', module, input.path, destination]),
    `packing ${input.label} with ${contender}`
  )
  await rm(destination, { force: true })
  return JSON.parse(r.stdout)
}

/**
 * One release of an upstream plugin with our CLI (build, inspect, pack, push); wall ms. With
 * `changed`, the plugin's main package first gets a new file, as a tag usually comes after a
 * change: Go recompiles that package and links again (the dependencies stay cached).
 */
async function releaseOnce(cli, registry, plugin, round, changed) {
  const touched = join(plugin.src, 'plugin', 'zz_deflate_bench.go')
  if (changed) {
    const go = `package main\n\n// Written by bench/deflate-bench.mjs.\nconst deflateBenchRound = "${round}"\n`
    await writeFile(touched, go)
  }
  try {
    return await releaseRun(cli, registry, plugin, round)
  } finally {
    await rm(touched, { force: true })
  }
}

async function releaseRun(cli, registry, plugin, round) {
  const r = await run(
    process.execPath,
    [
      cli,
      '--working-directory',
      plugin.src,
      '--tag',
      plugin.version,
      '--registry',
      registry,
      '--plain-http',
      '--repository',
      `bench/round-${round}`,
      '--index-file',
      join(scratch, `index-${round}.yaml`),
      '--json'
    ],
    { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } }
  )
  check(r, `release of ${plugin.label}`)
  return r.wallMs
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const tools = findTools(opts.release)
  scratch = await mkdtemp(join(tmpdir(), 'fpr-deflate-bench-'))
  const cache = join(tmpdir(), 'fpr-deflate-bench-cache')
  await mkdir(cache, { recursive: true })
  try {
    log(
      `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`
    )
    const plugins = []
    for (const p of UPSTREAM) {
      log(`building ${p.name} ${p.version} from the Go module proxy (cached in ${cache})`)
      plugins.push(await buildUpstream(tools, cache, p))
    }
    const inputs = [
      ...(await Promise.all(
        opts.inputs.map(async (path) => ({ label: path, path, size: (await stat(path)).size }))
      )),
      ...plugins
    ]
    if (opts.bigMiB > 0) inputs.push(await bigInput(cache, plugins, opts.bigMiB))
    const modules = {
      own: await compileLayer(tools, undefined),
      js: await compileLayer(tools, opts.jsRev),
      fflate: await compileLayer(tools, opts.fflateRev)
    }

    // Packing: every contender on every input, in a fresh process, alternating the order.
    const times = new Map()
    const cpuTimes = new Map()
    const sizes = new Map()
    for (let round = 0; round <= opts.rounds; round++) {
      for (const input of inputs) {
        const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length])
        for (const c of order) {
          const r = await packOnce(c, modules[c], input)
          if (round === 0) {
            sizes.set(`${input.path} ${c}`, r.size) // round 0 warms the page cache: not timed
            continue
          }
          const key = `${input.path} ${c}`
          times.set(key, [...(times.get(key) ?? []), r.ms])
          cpuTimes.set(key, [...(cpuTimes.get(key) ?? []), r.cpuMs])
        }
      }
      if (round > 0) log(`packing round ${round} of ${opts.rounds} done`)
    }

    // The encoders alone: first pass (cold) and best pass (warm), alternating, fresh processes.
    const encoders = {
      wasm: join(ROOT, 'src', 'falco', 'deflate.js'),
      js: join(ROOT, '__tests__', 'helpers', 'deflate-oracle.js')
    }
    const passes = new Map()
    for (let round = 1; round <= opts.rounds; round++) {
      for (const input of inputs) {
        const names = Object.keys(encoders)
        for (const e of round % 2 === 0 ? names : [...names].reverse()) {
          const r = check(
            await run(process.execPath, [
              SELF,
              '--child-encoder',
              encoders[e],
              input.path,
              String(opts.warmPasses)
            ]),
            `the ${e} encoder on ${input.label}`
          )
          const { ms } = JSON.parse(r.stdout)
          const key = `${input.path} ${e}`
          const prev = passes.get(key) ?? { first: [], best: [] }
          prev.first.push(ms[0])
          prev.best.push(Math.min(...ms.slice(1)))
          passes.set(key, prev)
        }
      }
    }

    // Releases: the two bundles in pairs, alternating which goes first; one untimed warm-up
    // round (it also fills Go's build cache).
    const releases = new Map()
    const variants = ['warm', 'changed']
    const builds = ['own', 'fflate']
    if (opts.release) {
      log('bundling the CLI twice: the working tree, and the working tree with fflate')
      const clis = {
        own: await bundleCli(tools, 'own'),
        fflate: await bundleCli(tools, 'fflate', {
          rev: opts.fflateRev,
          paths: ['src/falco/layer.ts']
        })
      }
      const registry = await startRegistry(tools.registry, join(scratch, 'registry'), cleanups)
      for (let round = 0; round <= opts.rounds; round++) {
        for (const p of plugins) {
          for (const v of variants) {
            const order = round % 2 === 0 ? builds : [...builds].reverse()
            for (const b of order) {
              const id = `${p.name}-${v}-${b}-${round}`
              const ms = await releaseOnce(clis[b], registry, p, id, v === 'changed')
              const key = `${p.path} ${v} ${b}`
              if (round > 0) releases.set(key, [...(releases.get(key) ?? []), ms])
            }
          }
        }
        if (round > 0) log(`release round ${round} of ${opts.rounds} done`)
      }
    }

    const packRows = [['input', 'size', ...CONTENDERS.map((c) => `${c}: wall (CPU), layer`)]]
    for (const input of inputs) {
      packRows.push([
        input.label,
        `${(input.size / MiB).toFixed(1)} MiB`,
        ...CONTENDERS.map((c) => {
          const key = `${input.path} ${c}`
          const wall = sec(median(times.get(key)))
          const cpu = sec(median(cpuTimes.get(key)))
          return `${wall} (CPU ${cpu}), ${(sizes.get(key) / MiB).toFixed(2)} MiB`
        })
      ])
    }
    console.log(
      `\nPacking one layer, median of ${opts.rounds} fresh processes (js = ${opts.jsRev}, fflate = ${opts.fflateRev}):\n`
    )
    console.log(markdownTable(packRows))
    const encoderRows = [['input', 'size', 'wasm: first, warm', 'js: first, warm']]
    for (const input of inputs) {
      encoderRows.push([
        input.label,
        `${(input.size / MiB).toFixed(1)} MiB`,
        ...['wasm', 'js'].map((e) => {
          const p = passes.get(`${input.path} ${e}`)
          return `${Math.round(median(p.first))} ms, ${Math.round(median(p.best))} ms`
        })
      ])
    }
    console.log(
      `\nThe encoders alone on one thread, 1 MiB segments: first pass (with loading) and best of ${opts.warmPasses - 1} more, median of ${opts.rounds} processes:\n`
    )
    console.log(markdownTable(encoderRows))
    if (opts.release) {
      const rows = [
        [
          'plugin',
          'Go build cache',
          'release, own',
          'release, fflate',
          'fflate - own',
          'share of own'
        ]
      ]
      for (const p of plugins) {
        for (const v of variants) {
          const own = releases.get(`${p.path} ${v} own`)
          const ff = releases.get(`${p.path} ${v} fflate`)
          // The difference within each pair (same round, same load), then its median.
          const diff = median(own.map((o, i) => ff[i] - o))
          const base = median(own)
          rows.push([
            p.label,
            v === 'warm' ? 'warm' : 'after a change',
            sec(base),
            sec(median(ff)),
            sec(diff),
            `${((diff / base) * 100).toFixed(1)} %`
          ])
        }
      }
      console.log(
        `\nWhole releases, CLI bundled from the tree (own) and with fflate's layer.ts (fflate), median of ${opts.rounds} pairs:\n`
      )
      console.log(markdownTable(rows))
    }
    log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`
    )
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined)
    if (opts.keep) log(`kept ${scratch}`)
    else await rm(scratch, { recursive: true, force: true })
  }
}

await main()
