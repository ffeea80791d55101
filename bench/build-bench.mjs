#!/usr/bin/env node
// Build benchmark: is a two-platform job (linux/amd64 and linux/arm64 built at once) at most
// 1.2x the slower single-platform job? Our CLI (dist/cli.js) builds the Go fixture plugin with
// the glibc input (zig cc for glibc 2.17, no cross gcc), inspects it (arm64 under qemu when it
// can) and plans a release into an OCI layout (--dry-run: nothing is written).
//
//   npm run bench:build                     # 3 rounds cold, 5 rounds warm
//   npm run bench:build -- --cold-rounds 1 --warm-rounds 3
//   npm run bench:build -- --compiler gcc   # Debian's gcc and aarch64-linux-gnu-gcc instead of zig
//
// Two conditions, each round running amd64 alone, arm64 alone, then both (so load drift spreads
// over all three):
//   cold  a fresh GOCACHE and ZIG_GLOBAL_CACHE_DIR for every run: a runner's first build (Go
//         compiles the runtime, the SDK and cgo for each architecture; zig compiles glibc's stubs);
//   warm  both caches kept between runs (what setup-go's cache restores): mostly cgo and the link.
// The module cache (GOMODCACHE) is shared: no network is used.
// It prints medians of the whole job (wall, from spawn to exit) and the ratio both / slower one.

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadAverage, median, onPath, sec } from './common.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const GOAL = 1.2
const GLIBC = '2.17'

function parseArgs(argv) {
  const o = {
    coldRounds: 3,
    warmRounds: 5,
    compiler: 'zig',
    keep: false,
    check: false,
    cli: join(ROOT, 'dist', 'cli.js')
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => argv[++i] ?? fail(`${a} needs a value`)
    if (a === '--cold-rounds') o.coldRounds = Number(value())
    else if (a === '--warm-rounds') o.warmRounds = Number(value())
    else if (a === '--compiler') o.compiler = value()
    else if (a === '--cli') o.cli = resolve(value())
    else if (a === '--keep') o.keep = true
    else if (a === '--check') o.check = true
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node bench/build-bench.mjs [--cold-rounds N] [--warm-rounds N] [--compiler zig|gcc] [--cli PATH] [--keep] [--check (exit 2 when the goal is not met)]'
      )
      process.exit(0)
    } else fail(`unknown argument ${a}`)
  }
  if (!['zig', 'gcc'].includes(o.compiler)) fail('--compiler is zig or gcc')
  return o
}

function fail(message) {
  console.error(`build-bench: ${message}`)
  process.exit(1)
}

function run(args, env) {
  return new Promise((res, rej) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.once('error', rej)
    child.once('close', (code) => res({ code, out, wallMs: performance.now() - started }))
  })
}

async function main() {
  const o = parseArgs(process.argv.slice(2))
  const zigDir = join(ROOT, '.tools', 'zig-0.17.0')
  const missing = []
  if (!existsSync(o.cli)) missing.push(`${o.cli}: npm run package`)
  if (!onPath('go')) missing.push('go: https://go.dev/dl/')
  if (!onPath('qemu-aarch64'))
    missing.push('qemu-aarch64: apt-get install qemu-user (else arm64 is checked by its ELF only)')
  if (o.compiler === 'zig' && !existsSync(join(zigDir, 'zig')))
    missing.push('zig: bash scripts/install-zig.sh')
  if (o.compiler === 'gcc' && !onPath('aarch64-linux-gnu-gcc'))
    missing.push(
      'aarch64-linux-gnu-gcc: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross'
    )
  if (missing.length > 0) fail(`cannot run, missing:\n  - ${missing.join('\n  - ')}`)

  const scratch = await mkdtemp(join(tmpdir(), 'fpr-build-bench-'))
  const t0 = performance.now()
  const log = (m) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}`)
  try {
    const src = join(scratch, 'plugin')
    await cp(join(ROOT, 'test', 'fixtures', 'plugins'), src, { recursive: true })
    await writeFile(
      join(src, 'extractor', 'meta.go'),
      'package main\n\nconst (\n\tpluginName = "bench"\n\tpluginVersion = "1.0.0"\n\tpluginDescription = "Build benchmark plugin"\n\tpluginContact = "https://example.com/bench"\n\tpluginRequiredAPIVersion = ""\n)\n'
    )
    log(
      `machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, load ${loadAverage()}; compiler ${o.compiler}`
    )
    let n = 0
    const job = async (platforms, caches) => {
      n++
      const args = [
        o.cli,
        '--working-directory',
        src,
        '--go-package',
        './extractor',
        '--tag',
        '1.0.0',
        '--oci-layout',
        join(scratch, `layout-${n}`),
        '--repository',
        'bench/build',
        '--index-file',
        join(scratch, `index-${n}.yaml`),
        '--rules-file',
        'none',
        '--dependency-indexes',
        'none',
        '--dry-run',
        '--platforms',
        platforms,
        ...(o.compiler === 'zig' ? ['--glibc', GLIBC] : [])
      ]
      const env = {
        ...process.env,
        PATH: o.compiler === 'zig' ? `${zigDir}:${process.env.PATH}` : process.env.PATH,
        GOCACHE: caches.go,
        ZIG_GLOBAL_CACHE_DIR: caches.zig,
        XDG_CACHE_HOME: caches.xdg,
        SOURCE_DATE_EPOCH: '1700000000'
      }
      const r = await run(args, env)
      if (r.code !== 0) throw new Error(`our CLI failed for ${platforms}:\n${r.out.slice(-4000)}`)
      if (platforms.includes(',') && !/linux\/arm64: loaded under emulation/.test(r.out)) {
        log('note: arm64 was not loaded under qemu (ELF checks only)')
      }
      return r.wallMs
    }
    const configs = [
      ['amd64', 'linux/amd64'],
      ['arm64', 'linux/arm64'],
      ['both', 'linux/amd64,linux/arm64']
    ]
    const results = {}
    const conditions = [
      ['cold', o.coldRounds],
      ['warm', o.warmRounds]
    ]
    const warmCaches = {
      go: join(scratch, 'warm', 'go'),
      zig: join(scratch, 'warm', 'zig'),
      xdg: join(scratch, 'warm', 'xdg')
    }
    for (const [condition, rounds] of conditions) {
      if (rounds < 1) continue
      if (condition === 'warm') {
        await job('linux/amd64,linux/arm64', warmCaches)
        log('warm-up of the warm caches done')
      }
      results[condition] = { amd64: [], arm64: [], both: [] }
      for (let round = 1; round <= rounds; round++) {
        const line = []
        for (const [name, platforms] of configs) {
          let caches = warmCaches
          if (condition === 'cold') {
            const d = join(scratch, 'cold', String(n))
            caches = { go: join(d, 'go'), zig: join(d, 'zig'), xdg: join(d, 'xdg') }
            await mkdir(d, { recursive: true })
          }
          const ms = await job(platforms, caches)
          if (condition === 'cold')
            await rm(join(scratch, 'cold'), { recursive: true, force: true })
          results[condition][name].push(ms)
          line.push(`${name} ${sec(ms)}`)
        }
        log(`${condition} round ${round}/${rounds}: ${line.join(', ')} (load ${loadAverage()})`)
      }
    }
    console.log(
      '\n| Condition | amd64 alone | arm64 alone | both at once | both / slower one | Goal |'
    )
    console.log('|---|---|---|---|---|---|')
    let allMet = true
    for (const [condition, r] of Object.entries(results)) {
      const [a, b, both] = [median(r.amd64), median(r.arm64), median(r.both)]
      const ratio = both / Math.max(a, b)
      allMet &&= ratio <= GOAL
      console.log(
        `| ${condition} (median of ${r.both.length}) | ${sec(a)} | ${sec(b)} | ${sec(both)} | **${ratio.toFixed(2)}** | <= ${GOAL}: ${ratio <= GOAL ? 'met' : 'NOT MET'} |`
      )
    }
    for (const [condition, r] of Object.entries(results)) {
      for (const k of Object.keys(r))
        console.log(`  ${condition} ${k}: ${r[k].map((ms) => (ms / 1000).toFixed(2)).join(' ')}`)
    }
    console.log(`\nload average at the end: ${loadAverage()}; total ${sec(performance.now() - t0)}`)
    if (!allMet && o.check) process.exitCode = 2
  } finally {
    if (o.keep) console.log(`kept ${scratch}`)
    else await rm(scratch, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(`build-bench: ${e instanceof Error ? e.stack : e}`)
  process.exitCode = 1
})
