#!/usr/bin/env node
// Push benchmark: our CLI (dist/cli.js) against the two `falcoctl registry push` calls a
// hand-written workflow makes, on a loopback registry, for a small plugin (the fixture built with
// -s -w, about 2 MiB) and a 50 MiB one.
//
//   npm run bench                      # 5 timed rounds, the re-run check, the 512 MiB RSS check
//   npm run bench -- --rounds 9 --keep # more rounds; keep the temp directory
//   npm run bench -- --cli .tmp/dist/cli.js   # benchmark another build of the CLI
//
// What it does (details and figures in BENCHMARKS.md):
//   1. starts Debian's docker-registry on 127.0.0.1 (random port, temp storage);
//   2. builds the Go fixture plugin once stripped (the small plugin) and once not, and pads that .so to 50 MiB
//      with deterministic bytes (half AES-CTR keystream, half repetitive text; dlopen ignores
//      bytes after the ELF data), plus a small rules file;
//   3. for each size, pushes plugin + rules with our CLI and with falcoctl, alternating, one warm-up
//      round and --rounds timed rounds, each to fresh repositories; medians and the ratio
//      ours/falcoctl (goals: 1.0 for the small plugin, 0.5 for 50 MiB). Ours runs on Node 24,
//      the runtime action.yml declares (.tools/bin/node24 from scripts/install-node24.sh, or
//      --node), and once more per round on this machine's Node, reported beside it;
//      falcoctl then installs our round-1 push: it must extract the very same .so and rules;
//   4. pushes once more through a counting HTTP proxy, then re-runs the same release through it:
//      what the re-run sent (blob bytes, manifest and tag writes), as counted on the wire;
//   5. pushes a 512 MiB .so with our CLI and reports its peak RSS (getrusage of the CLI process,
//      read at exit by a two-line wrapper; cross-checked with GNU time when present);
//   6. prints a summary table against the goals.
// It is a script, not a test: it exits 1 when a tool is missing, 2 when a goal is not met.

import { execFileSync, spawn } from 'node:child_process'
import { createCipheriv, createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { availableParallelism, cpus, homedir, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  freePort,
  loadAverage,
  markdownTable,
  median,
  onPath,
  sec,
  startRegistry
} from './common.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const MiB = 1024 * 1024
const GOALS = { smallRatio: 1.0, ratio: 0.5, rerunBytes: 0, rerunManifestWrites: 0, rssMiB: 150 }
const VERSION = '1.0.0'
const PLUGIN = 'bench'
const SOURCE_DATE_EPOCH = '1700000000'

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const o = {
    rounds: 5,
    size: 50,
    rssSize: 512,
    small: true,
    keep: false,
    check: false,
    cli: join(ROOT, 'dist', 'cli.js'),
    node: join(ROOT, '.tools', 'bin', 'node24')
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) fail(`${a} needs a value`)
      return v
    }
    if (a === '--rounds') o.rounds = positive(a, value())
    else if (a === '--size-mib') o.size = positive(a, value())
    else if (a === '--no-small') o.small = false
    else if (a === '--rss-size-mib') o.rssSize = Number(value())
    else if (a === '--cli') o.cli = resolve(value())
    else if (a === '--node') o.node = resolve(value())
    else if (a === '--keep') o.keep = true
    else if (a === '--check') o.check = true
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node bench/push-bench.mjs [--rounds N] [--size-mib N] [--no-small] [--rss-size-mib N (0: skip)] [--cli PATH] [--node PATH (default .tools/bin/node24)] [--keep] [--check (exit 2 when a goal is not met)]'
      )
      process.exit(0)
    } else fail(`unknown argument ${a} (see --help)`)
  }
  return o
}

function positive(name, v) {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a whole number >= 1`)
  return n
}

function fail(message) {
  console.error(`push-bench: ${message}`)
  process.exit(1)
}

// ---------------------------------------------------------------- tools

function findTools(cliPath, nodePath) {
  const missing = []
  const need = (name, found, how) => {
    if (!found) missing.push(`  - ${name}: ${how}`)
    return found
  }
  const falcoctlCandidates = [
    process.env.FALCOCTL,
    join(ROOT, '.tools', 'bin', 'falcoctl'),
    join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', 'falcoctl')
  ]
  const tools = {
    registry: need(
      'docker-registry',
      onPath('docker-registry'),
      'apt-get install docker-registry (Debian/Ubuntu: the CNCF distribution registry)'
    ),
    go: need('go', onPath('go'), 'install Go >= 1.22 from https://go.dev/dl/'),
    cc: need(
      'gcc (C compiler for cgo and the inspector)',
      process.env.CC || onPath('gcc') || onPath('cc'),
      'apt-get install gcc'
    ),
    falcoctl: need(
      'falcoctl',
      falcoctlCandidates.find((c) => c && existsSync(c)) ?? onPath('falcoctl'),
      'bash scripts/install-falcoctl.sh (builds falcoctl v0.12.2 into .tools/bin), or set FALCOCTL'
    ),
    cli: need(
      `our CLI (${cliPath})`,
      existsSync(cliPath) ? cliPath : undefined,
      'npm ci && npm run package (dist/ is committed: a fresh clone has it)'
    ),
    // The action runs on Node 24 (action.yml: runs.using: node24): ours is timed with it, and
    // again with this machine's Node (what runs the CLI here), for comparison.
    node: need(
      `Node 24, the action's runtime (${nodePath})`,
      existsSync(nodePath) ? nodePath : undefined,
      'bash scripts/install-node24.sh (from the npm registry), or give --node'
    ),
    // Optional: only a cross-check of the RSS figure and CPU times.
    time: existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
  }
  if (missing.length > 0) {
    fail(`cannot run, missing:\n${missing.join('\n')}`)
  }
  return tools
}

// ---------------------------------------------------------------- processes

/**
 * Runs a command to completion. Returns wall time (ms), exit code, output, and, with GNU time,
 * CPU seconds and max RSS (KiB) of the command.
 */
async function run(cmd, args, { env, cwd, time, timeoutMs = 600_000 } = {}) {
  const timeFile = time ? join(scratch, `time-${process.hrtime.bigint()}.txt`) : undefined
  const [file, argv] = time
    ? [time, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args]]
    : [cmd, args]
  const started = performance.now()
  const child = spawn(file, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise((res, rej) => {
    child.once('error', rej)
    child.once('close', (c) => res(c))
  })
  clearTimeout(timer)
  const wallMs = performance.now() - started
  const result = { code, stdout, stderr, wallMs }
  if (timeFile && existsSync(timeFile)) {
    const last = (await readFile(timeFile, 'utf8')).trim().split('\n').pop() ?? ''
    const [, user, sys, maxKiB] = last.split(/\s+/).map(Number)
    if (Number.isFinite(user)) Object.assign(result, { cpuS: user + sys, maxRssKiB: maxKiB })
  }
  return result
}

function check(result, what) {
  if (result.code !== 0) {
    throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
  return result
}

// ---------------------------------------------------------------- registry and proxy

/** A tiny HTTP proxy in front of the registry that counts what clients send. */
async function startCountingProxy(target) {
  const [targetHost, targetPort] = target.split(':')
  const counts = newCounts()
  const server = http.createServer((req, res) => {
    const url = req.url ?? ''
    const isUpload = url.includes('/blobs/uploads/')
    const isManifest = /\/manifests\/[^/]+$/.test(url.split('?')[0])
    let body = 0
    req.on('data', (d) => (body += d.length))
    req.on('end', () => {
      counts.requests++
      counts.byMethod[req.method] = (counts.byMethod[req.method] ?? 0) + 1
      if (isUpload) {
        counts.blobBytes += body
        if (req.method === 'POST') counts.uploadSessions++
      }
      if (isManifest && req.method === 'PUT') {
        const ref = url.split('?')[0].split('/manifests/')[1]
        if (ref.startsWith('sha256:')) counts.manifestPutsByDigest++
        else counts.manifestPutsByTag++
      }
    })
    const upstream = http.request(
      {
        host: targetHost,
        port: Number(targetPort),
        method: req.method,
        path: url,
        headers: req.headers
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      }
    )
    upstream.on('error', (err) => {
      res.writeHead(502)
      res.end(String(err))
    })
    req.pipe(upstream)
  })
  const port = await freePort()
  await new Promise((r) => server.listen(port, '127.0.0.1', r))
  cleanups.push(() => new Promise((r) => server.close(() => r())))
  return {
    host: `127.0.0.1:${port}`,
    take() {
      const c = { ...counts, byMethod: { ...counts.byMethod } }
      Object.assign(counts, newCounts())
      return c
    }
  }
}

function newCounts() {
  return {
    requests: 0,
    byMethod: {},
    uploadSessions: 0,
    blobBytes: 0,
    manifestPutsByDigest: 0,
    manifestPutsByTag: 0
  }
}

// ---------------------------------------------------------------- inputs

/**
 * Builds the Go fixture once: a real Falco plugin named "bench", version 1.0.0; `stripped` builds
 * it with -s -w (no symbol table or DWARF, as many release builds do): the small plugin.
 */
async function buildPlugin(go, stripped = false) {
  const src = join(scratch, 'plugin-src')
  await cp(join(ROOT, 'test', 'fixtures', 'plugins'), src, { recursive: true })
  await writeFile(
    join(src, 'extractor', 'meta.go'),
    [
      'package main',
      '',
      '// Written by bench/push-bench.mjs.',
      'const (',
      `\tpluginName               = "${PLUGIN}"`,
      `\tpluginVersion            = "${VERSION}"`,
      '\tpluginDescription        = "Push benchmark plugin"',
      '\tpluginContact            = "https://example.com/bench"',
      '\tpluginRequiredAPIVersion = ""',
      ')',
      ''
    ].join('\n')
  )
  const out = join(scratch, stripped ? 'libbench-stripped.so' : 'libbench-elf.so')
  const flags = stripped ? ['-trimpath', '-ldflags=-s -w -buildid='] : []
  const r = await run(go, ['build', '-buildmode=c-shared', ...flags, '-o', out, './extractor'], {
    cwd: src,
    env: { ...process.env, CGO_ENABLED: '1' }
  })
  check(r, 'go build of the fixture plugin')
  return out
}

/**
 * A release directory: lib<name>.so = the real ELF + deterministic padding up to `sizeMiB`
 * (alternating 256 KiB blocks of AES-128-CTR keystream and of repetitive text), and
 * rules/<name>_rules.yaml.
 */
async function makeRelease(elf, sizeMiB, name) {
  const dir = join(scratch, name)
  await mkdir(join(dir, 'rules'), { recursive: true })
  const so = join(dir, `lib${PLUGIN}.so`)
  const target = sizeMiB === undefined ? 0 : sizeMiB * MiB
  const fh = await open(so, 'w')
  try {
    const elfBytes = await readFile(elf)
    if (sizeMiB !== undefined && elfBytes.length > target)
      throw new Error(`the plugin is already larger than ${sizeMiB} MiB`)
    await fh.write(elfBytes)
    let size = elfBytes.length
    const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0))
    const BLOCK = 256 * 1024
    const zeros = Buffer.alloc(BLOCK)
    let n = 0
    let line = 0
    while (size < target) {
      let b
      if (n++ % 2 === 0) {
        b = cipher.update(zeros)
      } else {
        const parts = []
        let len = 0
        while (len < BLOCK) {
          const s =
            `go.itab.*github.com/falcosecurity/plugin-sdk-go/pkg/sdk.Extractor${line % 997},` +
            `runtime.gcWriteBarrier${line % 31} level=info msg="field ${line}" ` +
            `evt.num=${(line * 7919) % 100003}\n`
          line++
          parts.push(s)
          len += s.length
        }
        b = Buffer.from(parts.join('')).subarray(0, BLOCK)
      }
      b = b.subarray(0, Math.min(b.length, target - size))
      await fh.write(b)
      size += b.length
    }
  } finally {
    await fh.close()
  }
  await writeFile(
    join(dir, 'rules', `${PLUGIN}_rules.yaml`),
    [
      '- required_engine_version: 0.31.0',
      '- required_plugin_versions:',
      `    - name: ${PLUGIN}`,
      `      version: ${VERSION}`,
      '- rule: Bench event',
      '  desc: An event seen by the benchmark plugin',
      '  condition: fixture.evtnum > 0',
      '  output: event %fixture.evtnum',
      '  priority: INFO',
      '  source: syscall',
      ''
    ].join('\n')
  )
  return { dir, so, rules: join(dir, 'rules', `${PLUGIN}_rules.yaml`) }
}

// ---------------------------------------------------------------- the two pushers

function oursArgs(release, registry, repository) {
  return [
    '--working-directory',
    release.dir,
    '--build-command',
    'true',
    '--plugin-path',
    `lib${PLUGIN}.so`,
    '--tag',
    VERSION,
    '--registry',
    registry,
    '--plain-http',
    '--repository',
    repository,
    '--index-file',
    join(scratch, 'index.yaml'),
    '--json'
  ]
}

// The inspector cache (compiled once, in the warm-up round) lives in the scratch directory.
const oursEnv = () => ({
  ...process.env,
  SOURCE_DATE_EPOCH,
  XDG_CACHE_HOME: join(scratch, 'cache')
})

async function pushOurs(tools, release, registry, repository, { time, node = tools.node } = {}) {
  const r = await run(node, [tools.cli, ...oursArgs(release, registry, repository)], {
    env: oursEnv(),
    time
  })
  check(r, `our push to ${repository}`)
  // An outlier is a finding, not noise: say what the run was doing.
  if (r.wallMs > 10_000) {
    console.log(
      `[push-bench] our push to ${repository} took ${(r.wallMs / 1000).toFixed(2)} s; its log:\n${r.stderr}`
    )
  }
  return { ...r, json: JSON.parse(r.stdout) }
}

/** falcoctl pushes the same two files (it packs them itself), with the same tags as ours. */
async function pushFalcoctl(tools, release, registry, repository, { time } = {}) {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch
  const home = join(scratch, 'falcoctl-home')
  await mkdir(home, { recursive: true })
  const env = { ...process.env, HOME: home }
  const common = ['--config', '/dev/null', '--plain-http', '--add-floating-tags', '--tag', 'latest']
  const plugin = await run(
    tools.falcoctl,
    [
      'registry',
      'push',
      ...common,
      '--type',
      'plugin',
      '--platform',
      `linux/${arch}`,
      '--version',
      VERSION,
      '--name',
      PLUGIN,
      '--requires',
      'plugin_api_version:3.11.0',
      '--depends-on',
      `${PLUGIN}-rules:${VERSION}`,
      `${registry}/${repository}/plugin/${PLUGIN}:${VERSION}`,
      `lib${PLUGIN}.so`
    ],
    { env, cwd: release.dir, time }
  )
  check(plugin, `falcoctl push of the plugin to ${repository}`)
  const rules = await run(
    tools.falcoctl,
    [
      'registry',
      'push',
      ...common,
      '--type',
      'rulesfile',
      '--version',
      VERSION,
      '--name',
      `${PLUGIN}-rules`,
      '--requires',
      'engine_version_semver:0.31.0',
      '--depends-on',
      `${PLUGIN}:${VERSION}`,
      `${registry}/${repository}/ruleset/${PLUGIN}:${VERSION}`,
      `${PLUGIN}_rules.yaml`
    ],
    { env, cwd: join(release.dir, 'rules'), time }
  )
  check(rules, `falcoctl push of the rules to ${repository}`)
  return {
    wallMs: plugin.wallMs + rules.wallMs,
    cpuS: plugin.cpuS !== undefined ? plugin.cpuS + rules.cpuS : undefined
  }
}

/** Size of the plugin layer a push produced, read back from the registry. */
async function pluginLayerSize(registry, repository) {
  const base = `http://${registry}/v2/${repository}/plugin/${PLUGIN}/manifests`
  const accept =
    'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json'
  const index = await (await fetch(`${base}/${VERSION}`, { headers: { accept } })).json()
  const manifest = await (
    await fetch(`${base}/${index.manifests[0].digest}`, { headers: { accept } })
  ).json()
  return manifest.layers[0].size
}

/** falcoctl installs what we pushed (it extracts with Go's gzip and tar): same bytes back? */
async function falcoctlInstallCheck(tools, release, registry, repository) {
  const dir = join(scratch, 'falcoctl-install')
  await mkdir(join(dir, 'plugins'), { recursive: true })
  await mkdir(join(dir, 'rules'), { recursive: true })
  await mkdir(join(dir, 'home'), { recursive: true })
  const config = join(dir, 'falcoctl.yaml')
  await writeFile(config, 'indexes: []\nartifact:\n  allowedTypes: [plugin, rulesfile]\n')
  const r = await run(
    tools.falcoctl,
    [
      'artifact',
      'install',
      `${registry}/${repository}/plugin/${PLUGIN}:${VERSION}`,
      `${registry}/${repository}/ruleset/${PLUGIN}:${VERSION}`,
      '--config',
      config,
      '--plain-http',
      '--resolve-deps=false',
      '--plugins-dir',
      join(dir, 'plugins'),
      '--rulesfiles-dir',
      join(dir, 'rules')
    ],
    { env: { ...process.env, HOME: join(dir, 'home') } }
  )
  check(r, 'falcoctl artifact install of our push')
  const same = async (a, b) => sha256File(a).then(async (x) => x === (await sha256File(b)))
  const ok =
    (await same(join(dir, 'plugins', `lib${PLUGIN}.so`), release.so)) &&
    (await same(join(dir, 'rules', `${PLUGIN}_rules.yaml`), release.rules))
  if (!ok) throw new Error('falcoctl installed different bytes than we pushed')
  await rm(dir, { recursive: true, force: true })
}

async function sha256File(path) {
  const hash = createHash('sha256')
  const fh = await open(path, 'r')
  try {
    for await (const chunk of fh.createReadStream()) hash.update(chunk)
  } finally {
    await fh.close().catch(() => undefined)
  }
  return hash.digest('hex')
}

// ---------------------------------------------------------------- phases of one run of ours

/** One extra run with --verbose: when each stage ended, from the log lines' arrival times. */
async function phaseBreakdown(tools, release, registry, repository) {
  const args = [
    tools.cli,
    ...oursArgs(release, registry, repository).filter((a) => a !== '--json'),
    '--verbose'
  ]
  const started = performance.now()
  const child = spawn(tools.node, args, { env: oursEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  const marks = []
  let buffered = ''
  const onData = (d) => {
    const t = performance.now() - started
    buffered += d
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const l of lines) marks.push([t, l])
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const code = await new Promise((r) => child.once('close', r))
  const total = performance.now() - started
  if (code !== 0) return undefined
  const at = (re) => marks.find(([, l]) => re.test(l))?.[0]
  const lastAt = (re) => [...marks].reverse().find(([, l]) => re.test(l))?.[0]
  const points = [
    ['node start-up, bundle, inputs', at(/^releasing version/)],
    ['build (build-command true) and inspection (cc, cached + dlopen)', at(/requires plugin API/)],
    ['rules, packing the layers while reading tags, preflight checks', at(/^== Publish/)],
    ['blob uploads', lastAt(/^uploaded /) ?? at(/^== Publish/)],
    ['manifests and 8 tags', lastAt(/^tagged /)],
    ['floating tags re-read, summary, index.yaml, exit', total]
  ]
  const phases = []
  let prev = 0
  for (const [name, t] of points) {
    if (t === undefined) return undefined // the log format changed: no breakdown
    phases.push([name, t - prev])
    prev = t
  }
  return { phases, total }
}

// ---------------------------------------------------------------- peak RSS

/**
 * Runs our CLI under a two-line wrapper that records process.resourceUsage().maxRSS (the
 * kernel's high-water mark of the CLI process, all threads included) when the process exits.
 */
async function peakRss(tools, release, registry, repository) {
  const out = join(scratch, 'maxrss.txt')
  const wrapper = join(scratch, 'maxrss-wrapper.mjs')
  await writeFile(
    wrapper,
    [
      "import { writeFileSync } from 'node:fs'",
      `process.on('exit', () => writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)))`,
      `process.argv.splice(1, 1) // the CLI sees its own path as argv[1]`,
      `await import(${JSON.stringify(pathToFileURL(tools.cli).href)})`,
      ''
    ].join('\n')
  )
  const r = await run(
    tools.node,
    [wrapper, tools.cli, ...oursArgs(release, registry, repository)],
    { env: oursEnv(), time: tools.time }
  )
  check(r, `our push of the ${release.sizeMiB} MiB plugin`)
  const kib = Number((await readFile(out, 'utf8')).trim())
  return {
    maxRssMiB: kib / 1024,
    timeMaxRssMiB: r.maxRssKiB && r.maxRssKiB / 1024,
    wallMs: r.wallMs
  }
}

// ---------------------------------------------------------------- main

function nodeVersion(node) {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
}

const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`

let scratch = ''
const cleanups = []

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const tools = findTools(opts.cli, opts.node)
  scratch = await mkdtemp(join(tmpdir(), 'fpr-push-bench-'))
  const t0 = performance.now()
  const log = (m) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}`)
  try {
    const cpuModel = cpus()[0]?.model ?? 'unknown CPU'
    log(
      `machine: ${availableParallelism()} CPUs (${cpuModel}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
        `ours on ${tools.node} (${nodeVersion(tools.node)}, the action's runtime) and on node ` +
        `${process.version}, load average ${loadAverage()}`
    )
    const registry = await startRegistry(tools.registry, join(scratch, 'registry'), cleanups)
    log(`docker-registry on ${registry}, storage in ${scratch}`)
    const elf = await buildPlugin(tools.go)
    log(`built the fixture plugin: ${mib((await stat(elf)).size)} of ELF`)
    const stripped = await buildPlugin(tools.go, true)
    const sizes = []
    if (opts.small) {
      const small = await makeRelease(stripped, undefined, 'release-small')
      small.sizeMiB = (await stat(small.so)).size / MiB
      sizes.push({ label: 'small', release: small, goal: GOALS.smallRatio })
    }
    const release = await makeRelease(elf, opts.size, 'release')
    release.sizeMiB = opts.size
    sizes.push({ label: 'large', release, goal: GOALS.ratio })
    for (const size of sizes) {
      log(`${size.label}: ${size.release.so}, ${size.release.sizeMiB.toFixed(1)} MiB`)
    }

    // 3. Alternating timed rounds per size (round 0 is a warm-up: page cache, registry, JIT
    //    caches, the inspector's compile cache).
    const timed = []
    for (const size of sizes) {
      const { release: rel, label } = size
      const ours = []
      const theirs = []
      const oursHere = [] // the same CLI on this machine's Node (process.execPath)
      let oursLayer = 0
      let theirLayer = 0
      for (let round = 0; round <= opts.rounds; round++) {
        const o = await pushOurs(tools, rel, registry, `bench/${label}-ours-${round}`, {
          time: tools.time
        })
        const f = await pushFalcoctl(tools, rel, registry, `bench/${label}-falcoctl-${round}`, {
          time: tools.time
        })
        const h = await pushOurs(tools, rel, registry, `bench/${label}-here-${round}`, {
          time: tools.time,
          node: process.execPath
        })
        if (round === 0) {
          oursLayer = await pluginLayerSize(registry, `bench/${label}-ours-0`)
          theirLayer = await pluginLayerSize(registry, `bench/${label}-falcoctl-0`)
          log(
            `${label} warm-up: ours ${sec(o.wallMs)}, falcoctl ${sec(f.wallMs)}; plugin layer ` +
              `${mib(oursLayer)} (ours) vs ${mib(theirLayer)} (falcoctl)`
          )
          continue
        }
        ours.push(o)
        theirs.push(f)
        oursHere.push(h)
        log(
          `${label} round ${round}/${opts.rounds}: ours ${sec(o.wallMs)}` +
            (o.cpuS !== undefined ? ` (cpu ${o.cpuS.toFixed(2)} s)` : '') +
            `, falcoctl ${sec(f.wallMs)}` +
            (f.cpuS !== undefined ? ` (cpu ${f.cpuS.toFixed(2)} s)` : '') +
            `, ours on node ${process.version} ${sec(h.wallMs)}`
        )
      }
      await falcoctlInstallCheck(tools, rel, registry, `bench/${label}-ours-1`)
      log(
        `${label}: falcoctl artifact install of our round-1 push: the same .so and rules came back`
      )
      const oursMedian = median(ours.map((r) => r.wallMs))
      const theirsMedian = median(theirs.map((r) => r.wallMs))
      const breakdown = await phaseBreakdown(tools, rel, registry, `bench/${label}-ours-phases`)
      timed.push({
        ...size,
        ours,
        theirs,
        oursHere,
        hereMedian: median(oursHere.map((r) => r.wallMs)),
        oursLayer,
        theirLayer,
        oursMedian,
        theirsMedian,
        ratio: oursMedian / theirsMedian,
        breakdown
      })
    }

    // 4. First push and re-run through the counting proxy.
    const proxy = await startCountingProxy(registry)
    const first = await pushOurs(tools, release, proxy.host, 'bench/rerun')
    const firstCounts = proxy.take()
    const again = await pushOurs(tools, release, proxy.host, 'bench/rerun')
    const rerunCounts = proxy.take()
    const sameDigests =
      first.json.plugin?.digest === again.json.plugin?.digest &&
      first.json.rules?.digest === again.json.rules?.digest
    log(
      `re-run through the counting proxy: ${rerunCounts.blobBytes} blob bytes, ` +
        `${rerunCounts.manifestPutsByDigest + rerunCounts.manifestPutsByTag} manifest PUTs, ` +
        `${rerunCounts.requests} requests (${JSON.stringify(rerunCounts.byMethod)})`
    )

    // 5. Peak RSS on a big plugin.
    let rss
    if (opts.rssSize > 0) {
      const big = await makeRelease(elf, opts.rssSize, 'release-big')
      big.sizeMiB = opts.rssSize
      log(`${big.so}: ${opts.rssSize} MiB; pushing it with ours`)
      rss = await peakRss(tools, big, registry, 'bench/rss')
      log(`peak RSS ${rss.maxRssMiB.toFixed(1)} MiB in ${sec(rss.wallMs)}`)
      await rm(big.dir, { recursive: true, force: true })
    }

    // 6. Summary.
    const met = {
      ratio: timed.every((t) => t.ratio <= t.goal),
      rerun:
        rerunCounts.blobBytes === GOALS.rerunBytes &&
        rerunCounts.manifestPutsByDigest + rerunCounts.manifestPutsByTag ===
          GOALS.rerunManifestWrites,
      rss: rss === undefined ? undefined : rss.maxRssMiB <= GOALS.rssMiB
    }
    const mark = (ok) => (ok === undefined ? 'skipped' : ok ? 'met' : 'NOT MET')
    const cpuMedian = (rs) =>
      rs.every((r) => r.cpuS !== undefined)
        ? `${median(rs.map((r) => r.cpuS)).toFixed(2)} s`
        : 'n/a'
    const rows = [
      ['Metric', 'Ours', 'falcoctl v0.12.2', 'Goal', 'Status'],
      ...timed.flatMap((t) => [
        [
          `push ${t.release.sizeMiB.toFixed(1)} MiB plugin + rules, median wall of ${opts.rounds}`,
          sec(t.oursMedian),
          sec(t.theirsMedian),
          `ratio <= ${t.goal}`,
          `${mark(t.ratio <= t.goal)} (ratio ${t.ratio.toFixed(2)})`
        ],
        ['same, median CPU (user+sys)', cpuMedian(t.ours), cpuMedian(t.theirs), '', ''],
        [
          `same, ours on node ${process.version} (the CLI here; the action runs on Node 24)`,
          sec(t.hereMedian),
          '',
          '',
          `ratio ${(t.hereMedian / t.theirsMedian).toFixed(2)}`
        ],
        ['plugin layer size', mib(t.oursLayer), mib(t.theirLayer), '', '']
      ]),
      [
        're-run, same repository: blob bytes sent',
        String(rerunCounts.blobBytes),
        '',
        '0',
        mark(rerunCounts.blobBytes === 0)
      ],
      [
        're-run: manifest/tag PUTs',
        String(rerunCounts.manifestPutsByDigest + rerunCounts.manifestPutsByTag),
        '',
        '0',
        mark(rerunCounts.manifestPutsByDigest + rerunCounts.manifestPutsByTag === 0)
      ],
      [
        `peak RSS, push of a ${opts.rssSize} MiB plugin`,
        rss ? `${rss.maxRssMiB.toFixed(1)} MiB` : 'skipped',
        '',
        `<= ${GOALS.rssMiB} MiB`,
        mark(met.rss)
      ]
    ]
    console.log('\n' + markdownTable(rows))
    for (const t of timed) {
      console.log(`\nRounds, ${t.release.sizeMiB.toFixed(1)} MiB (wall, s):`)
      console.log(`  ours:     ${t.ours.map((r) => (r.wallMs / 1000).toFixed(2)).join(' ')}`)
      console.log(`  falcoctl: ${t.theirs.map((r) => (r.wallMs / 1000).toFixed(2)).join(' ')}`)
      console.log(
        `  ours, node ${process.version}: ${t.oursHere.map((r) => (r.wallMs / 1000).toFixed(2)).join(' ')}`
      )
      if (t.breakdown) {
        console.log(
          `Where our ${sec(t.breakdown.total)} go (one --verbose run, log line arrival times):`
        )
        for (const [name, ms] of t.breakdown.phases) {
          console.log(`  ${sec(ms).padStart(8)}  ${name}`)
        }
      }
    }
    console.log(
      `\nRe-run, counted at the proxy: first push ${firstCounts.uploadSessions} upload sessions, ` +
        `${firstCounts.blobBytes} blob bytes, ${firstCounts.manifestPutsByDigest} manifest PUTs by digest, ` +
        `${firstCounts.manifestPutsByTag} by tag; re-run ${rerunCounts.uploadSessions} upload sessions, ` +
        `${rerunCounts.blobBytes} blob bytes, ${rerunCounts.manifestPutsByDigest} + ${rerunCounts.manifestPutsByTag} ` +
        `manifest PUTs, requests ${JSON.stringify(rerunCounts.byMethod)}. ` +
        `Same digests both times: ${sameDigests}. The CLI's own report: ${JSON.stringify(again.json.published ?? {})}`
    )
    if (rss) {
      console.log(
        `\nPeak RSS of the CLI process (getrusage maxRSS at exit): ${rss.maxRssMiB.toFixed(1)} MiB` +
          (rss.timeMaxRssMiB
            ? `; GNU time's %M for the same run: ${rss.timeMaxRssMiB.toFixed(1)} MiB`
            : '')
      )
    }
    console.log(`\nload average at the end: ${loadAverage()}; total ${sec(performance.now() - t0)}`)
    const allMet = met.ratio && met.rerun && met.rss !== false
    if (!allMet) {
      console.log('\nNot every goal is met: see BENCHMARKS.md for why.')
      // A benchmark reports; only --check turns a missed goal into a failure.
      if (opts.check) process.exitCode = 2
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined)
    if (opts.keep) console.log(`kept ${scratch}`)
    else await rm(scratch, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(`push-bench: ${err instanceof Error ? err.stack : err}`)
  process.exitCode = 1
})
