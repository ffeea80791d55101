import { parseArgs as parseArgs$1, promisify } from 'node:util';
import require$$0$1, { realpathSync, lstatSync, createReadStream, createWriteStream, readdirSync, existsSync as existsSync$1, statSync, readFileSync as readFileSync$1 } from 'node:fs';
import require$$1$1, { mkdtemp, rm, stat, open, readFile, mkdir, rename, realpath, lstat, writeFile as writeFile$1, unlink, copyFile, chmod } from 'node:fs/promises';
import require$$2, { join, resolve, basename, dirname, relative, isAbsolute, sep } from 'node:path';
import path__default from 'path';
import * as os from 'os';
import { EOL } from 'os';
import * as require$$0 from 'crypto';
import * as fs from 'fs';
import { existsSync, readFileSync, promises, constants as constants$1 } from 'fs';
import { homedir, tmpdir, availableParallelism, arch } from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { spawn, execFile } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { Worker } from 'node:worker_threads';
import * as require$$1 from 'node:zlib';
import { createGunzip } from 'node:zlib';
import { c as createSegmentDeflater, W as WINDOW, d as deflateModule } from './deflate.js';
import { Transform, Readable, pipeline } from 'node:stream';
import require$$2$1 from 'node:http';
import https from 'node:https';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as setTimeout$1 } from 'node:timers/promises';
import { pipeline as pipeline$1 } from 'node:stream/promises';
import { once } from 'node:events';

class Context {
    /**
     * Hydrate the context from the environment
     */
    constructor() {
        var _a, _b, _c;
        this.payload = {};
        if (process.env.GITHUB_EVENT_PATH) {
            if (existsSync(process.env.GITHUB_EVENT_PATH)) {
                this.payload = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH, { encoding: 'utf8' }));
            }
            else {
                const path = process.env.GITHUB_EVENT_PATH;
                process.stdout.write(`GITHUB_EVENT_PATH ${path} does not exist${EOL}`);
            }
        }
        this.eventName = process.env.GITHUB_EVENT_NAME;
        this.sha = process.env.GITHUB_SHA;
        this.ref = process.env.GITHUB_REF;
        this.workflow = process.env.GITHUB_WORKFLOW;
        this.action = process.env.GITHUB_ACTION;
        this.actor = process.env.GITHUB_ACTOR;
        this.job = process.env.GITHUB_JOB;
        this.runAttempt = parseInt(process.env.GITHUB_RUN_ATTEMPT, 10);
        this.runNumber = parseInt(process.env.GITHUB_RUN_NUMBER, 10);
        this.runId = parseInt(process.env.GITHUB_RUN_ID, 10);
        this.apiUrl = (_a = process.env.GITHUB_API_URL) !== null && _a !== void 0 ? _a : `https://api.github.com`;
        this.serverUrl = (_b = process.env.GITHUB_SERVER_URL) !== null && _b !== void 0 ? _b : `https://github.com`;
        this.graphqlUrl =
            (_c = process.env.GITHUB_GRAPHQL_URL) !== null && _c !== void 0 ? _c : `https://api.github.com/graphql`;
    }
    get issue() {
        const payload = this.payload;
        return Object.assign(Object.assign({}, this.repo), { number: (payload.issue || payload.pull_request || payload).number });
    }
    get repo() {
        if (process.env.GITHUB_REPOSITORY) {
            const [owner, repo] = process.env.GITHUB_REPOSITORY.split('/');
            return { owner, repo };
        }
        if (this.payload.repository) {
            return {
                owner: this.payload.repository.owner.login,
                repo: this.payload.repository.name
            };
        }
        throw new Error("context.repo requires a GITHUB_REPOSITORY environment variable like 'owner/repo'");
    }
}

var commonjsGlobal = typeof globalThis !== 'undefined' ? globalThis : typeof window !== 'undefined' ? window : typeof global !== 'undefined' ? global : typeof self !== 'undefined' ? self : {};

function getDefaultExportFromCjs (x) {
	return x && x.__esModule && Object.prototype.hasOwnProperty.call(x, 'default') ? x['default'] : x;
}

const context = new Context();

/** falcoctl's default index: users' falcoctl resolves dependencies through it unless removed. */
const FALCOSECURITY_INDEX = 'https://falcosecurity.github.io/falcoctl/index.yaml';
/** Input names as in action.yml, with the default each takes when unset or empty. */
const INPUT_DEFAULTS = {
    tag: '',
    'working-directory': '.',
    'go-package': './plugin',
    'build-command': '',
    'plugin-path': '',
    'build-env-keep': '',
    'inspect-timeout': '60',
    'plugin-name': '',
    'rules-file': '',
    registry: 'ghcr.io',
    repository: '',
    username: '',
    password: '',
    'plain-http': 'false',
    'oci-layout': '',
    overwrite: 'false',
    'dry-run': 'false',
    'major-zero-tag': 'false',
    'index-file': 'index.yaml',
    license: '',
    home: '',
    keywords: '',
    'source-url': '',
    platforms: '',
    'cc-arm64': 'aarch64-linux-gnu-gcc',
    'cc-amd64': 'x86_64-linux-gnu-gcc',
    'max-glibc': '',
    glibc: '',
    'push-by-digest': 'false',
    merge: '',
    'tag-pattern': '{version}',
    'github-release': 'auto',
    'github-token': '',
    'index-branch': '',
    'retry-budget': '300',
    'request-timeout': '120',
    'chunk-size': '4194304',
    'chunked-upload-threshold': '',
    'upload-concurrency': '4',
    'allow-outside-workspace': 'false',
    'plugin-depends-on-rules': 'true',
    'dependency-indexes': FALCOSECURITY_INDEX,
    'check-dependencies': 'true',
    maintainers: '',
    authors: '',
    'dev-tag': 'main',
    'dev-branch': '',
    'dev-keep': '10',
    'dev-index-file': '',
    sign: 'auto',
    'signing-key': '',
    'signing-key-password': '',
    'signing-public-key-ref': '',
    'fulcio-url': 'https://fulcio.sigstore.dev',
    'rekor-url': 'https://rekor.sigstore.dev',
    provenance: 'auto'
};
class InputError extends Error {
}
/** Reads an input from INPUT_<NAME> the way @actions/core does (spaces to _, upper case, hyphens kept). */
function envInputReader(env) {
    return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}
function parseCount(name, raw, min) {
    if (!/^\d+$/.test(raw) || Number(raw) < min) {
        throw new InputError(`input "${name}" must be a whole number >= ${min}, got "${raw}"`);
    }
    return Number(raw);
}
function parseSignMode(raw) {
    const v = raw.toLowerCase();
    if (v === 'auto' || v === 'keyless' || v === 'key' || v === 'false')
        return v;
    throw new InputError(`input "sign" must be auto, keyless, key or false, got "${raw}"`);
}
function parseHttpsUrl(name, raw) {
    let url;
    try {
        url = new URL(raw);
    }
    catch {
        throw new InputError(`input "${name}" must be a URL, got "${raw}"`);
    }
    // Plain HTTP only to this machine (test stand-ins): tokens and certificates travel there.
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
        throw new InputError(`input "${name}" must be an https:// URL, got "${raw}"`);
    }
    return raw.replace(/\/+$/, '');
}
function parseBoolean(name, raw) {
    if (/^(true|True|TRUE)$/.test(raw))
        return true;
    if (/^(false|False|FALSE)$/.test(raw))
        return false;
    throw new InputError(`input "${name}" must be true or false, got "${raw}"`);
}
/**
 * A list of environment variable names, separated by commas or new lines. Refuses anything that
 * cannot be a name (NAME=value pasted by mistake), without echoing it: it may be a secret.
 */
function parseVariableNames(name, raw) {
    const names = raw
        .split(/[,\n]/)
        .map((n) => n.trim())
        .filter((n) => n !== '');
    names.forEach((n, i) => {
        if (/[=\s\0]/.test(n)) {
            throw new InputError(`input "${name}" lists variable names, separated by commas or new lines: entry ${i + 1} ` +
                'is not a name (write NAME, not NAME=value; the value comes from the environment)');
        }
    });
    return [...new Set(names)];
}
function readInputs(read, github) {
    const get = (name) => {
        const v = read(name);
        return v === '' ? INPUT_DEFAULTS[name] : v;
    };
    const bool = (name) => parseBoolean(name, get(name));
    const githubRepository = github.repository;
    const serverUrl = github.serverUrl;
    // Outside GitHub (the CLI), the repository input names the GitHub repository: spelled as
    // GitHub spells it, it gives the same source annotation, so the same digests, as the action.
    const ownerRepo = githubRepository || (/^[\w.-]+\/[\w.-]+$/.test(read('repository')) ? read('repository') : '');
    const repoUrl = ownerRepo ? `${serverUrl}/${ownerRepo}` : '';
    const list = (name) => get(name)
        .split(/[,\n]/)
        .map((k) => k.trim())
        .filter((k) => k !== '');
    // The runner sets INPUT_<NAME> for every input action.yml declares, to its default when the
    // workflow does not give one (actions/runner, ActionRunner.cs: "Merge the default inputs from
    // the definition"), so a value equal to the default is indistinguishable from none.
    const given = new Set(Object.keys(INPUT_DEFAULTS).filter((n) => read(n) !== '' && read(n) !== INPUT_DEFAULTS[n]));
    return {
        tag: get('tag'),
        workingDirectory: get('working-directory'),
        goPackage: get('go-package'),
        buildCommand: get('build-command'),
        pluginPath: get('plugin-path'),
        buildEnvKeep: parseVariableNames('build-env-keep', get('build-env-keep')),
        inspectTimeout: parseCount('inspect-timeout', get('inspect-timeout'), 1),
        pluginName: get('plugin-name'),
        rulesFile: get('rules-file'),
        registry: get('registry'),
        // Registry paths must be lower case; GitHub owners often are not.
        repository: (get('repository') || githubRepository).toLowerCase(),
        username: get('username') || github.actor,
        password: get('password'),
        plainHttp: bool('plain-http'),
        ociLayout: get('oci-layout'),
        overwrite: bool('overwrite'),
        dryRun: bool('dry-run'),
        majorZeroTag: bool('major-zero-tag'),
        indexFile: get('index-file'),
        license: get('license'),
        home: get('home') || repoUrl,
        keywords: list('keywords'),
        sourceUrl: get('source-url') || repoUrl,
        platforms: get('platforms'),
        ccArm64: get('cc-arm64'),
        ccAmd64: get('cc-amd64'),
        maxGlibc: get('max-glibc'),
        glibc: get('glibc'),
        pushByDigest: bool('push-by-digest'),
        merge: get('merge'),
        tagPattern: get('tag-pattern'),
        githubRelease: get('github-release') === 'auto' ? 'auto' : bool('github-release'),
        githubToken: get('github-token') || github.token,
        indexBranch: get('index-branch'),
        retryBudget: parseCount('retry-budget', get('retry-budget'), 0),
        requestTimeout: parseCount('request-timeout', get('request-timeout'), 1),
        chunkSize: parseCount('chunk-size', get('chunk-size'), 1),
        chunkedUploadThreshold: get('chunked-upload-threshold') === ''
            ? undefined
            : parseCount('chunked-upload-threshold', get('chunked-upload-threshold'), 0),
        uploadConcurrency: parseCount('upload-concurrency', get('upload-concurrency'), 1),
        allowOutsideWorkspace: bool('allow-outside-workspace'),
        pluginDependsOnRules: bool('plugin-depends-on-rules'),
        dependencyIndexes: /^(none|false|off)$/i.test(get('dependency-indexes'))
            ? []
            : list('dependency-indexes'),
        checkDependencies: bool('check-dependencies'),
        // Maintainers are "Name <email>": split on newlines and on commas outside <...>.
        maintainers: get('maintainers')
            .split(/\n|,(?![^<]*>)/)
            .map((m) => m.trim())
            .filter((m) => m !== ''),
        authors: get('authors'),
        devTag: get('dev-tag'),
        devBranch: get('dev-branch'),
        devKeep: parseCount('dev-keep', get('dev-keep'), 0),
        devIndexFile: get('dev-index-file'),
        repositoryUrl: repoUrl,
        given,
        sign: parseSignMode(get('sign')),
        signingKey: get('signing-key'),
        signingKeyPassword: read('signing-key-password'),
        signingPublicKeyRef: get('signing-public-key-ref'),
        fulcioUrl: parseHttpsUrl('fulcio-url', get('fulcio-url')),
        rekorUrl: parseHttpsUrl('rekor-url', get('rekor-url')),
        provenance: get('provenance') === 'auto' ? 'auto' : bool('provenance')
    };
}
/** Checks that need nothing but the inputs; run before anything slow. */
function checkInputs(inputs) {
    for (const url of inputs.dependencyIndexes) {
        if (!/^(https?|file):\/\/\S+$/.test(url)) {
            throw new InputError(`dependency-indexes: "${url}" is not an index URL: give https://, http:// or file:// URLs ` +
                '(comma or newline separated), or none to resolve dependencies through index-file only');
        }
    }
    if (inputs.buildCommand !== '' && inputs.pluginPath === '') {
        throw new InputError('build-command is set but plugin-path is not: set plugin-path to the .so your command builds (e.g. libfoo.so)');
    }
    if (inputs.pushByDigest && inputs.merge !== '') {
        throw new InputError('push-by-digest and merge are the two halves of a matrix release: set push-by-digest in the ' +
            'per-platform jobs and merge in the final job, not both in one step');
    }
    if (inputs.glibc !== '') {
        if (!/^2\.\d+(\.\d+)?$/.test(inputs.glibc)) {
            throw new InputError(`glibc: "${inputs.glibc}" is not a glibc version: write the oldest glibc the plugin must ` +
                'load on, like 2.17 (CentOS 7, Amazon Linux 2 has 2.26) or 2.28 (RHEL 8), or leave it empty');
        }
        const cc = ['cc-amd64', 'cc-arm64'].filter((n) => inputs.given.has(n));
        if (cc.length > 0) {
            throw new InputError(`glibc builds every platform with zig as the C compiler, so ${cc.join(' and ')} would be ` +
                `ignored: remove ${cc.length > 1 ? 'them' : 'it'}, or remove glibc to build with ` +
                `${cc.length > 1 ? 'those compilers' : 'that compiler'}`);
        }
    }
    if (inputs.ociLayout === '' && inputs.repository === '') {
        throw new InputError('no repository to push to: set the `repository` input (e.g. my-org/plugins); ' +
            'under GitHub Actions it defaults to GITHUB_REPOSITORY');
    }
}

// Command-line flags of the CLI: the action's input names, so the CLI and the
// action never drift apart. Tokenised by node:util parseArgs; a boolean input
// may be followed by an explicit true/false (`--dry-run false`), which parseArgs
// alone does not allow, hence the pass over its tokens.
const BOOLEAN_INPUTS = new Set([
    'plain-http',
    'overwrite',
    'dry-run',
    'major-zero-tag',
    'plugin-depends-on-rules',
    'check-dependencies'
]);
const USAGE = `usage: falco-plugin-release [--INPUT VALUE]... [--dry-run] [--json]

Runs the same pipeline as the GitHub Action: build the plugin, read its
metadata from the .so, pack falcoctl artifacts, and push them (or, with
--dry-run, print the plan and push nothing).

Inputs (as in action.yml; defaults in brackets):
${Object.entries(INPUT_DEFAULTS)
    .map(([k, v]) => `  --${k}${BOOLEAN_INPUTS.has(k) ? '' : ' VALUE'}  [${v}]`)
    .join('\n')}

Other flags: --json (print the metadata JSON), --verbose, --help.
The password may also come from the environment variable FPR_PASSWORD, and
--signing-key-password (for --signing-key, a path to cosign.key) from COSIGN_PASSWORD.`;
const OWN_FLAGS = {
    help: { type: 'boolean', short: 'h' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean' }
};
const OPTIONS = {
    ...Object.fromEntries(Object.keys(INPUT_DEFAULTS).map((name) => [
        name,
        { type: BOOLEAN_INPUTS.has(name) ? 'boolean' : 'string' }
    ])),
    ...OWN_FLAGS
};
const isInput = (name) => Object.hasOwn(INPUT_DEFAULTS, name);
function parseArgs(argv) {
    // Not strict: unknown flags and stray words are reported below, with the usage.
    const { tokens } = parseArgs$1({
        args: argv,
        options: OPTIONS,
        strict: false,
        allowPositionals: true,
        tokens: true
    });
    const values = new Map();
    const own = { json: false, verbose: false, help: false };
    for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.kind === 'option-terminator')
            continue;
        if (t.kind === 'positional') {
            throw new Error(`unexpected argument "${t.value}"\n\n${USAGE}`);
        }
        if (t.name in OWN_FLAGS && t.value === undefined) {
            own[t.name] = true;
            continue;
        }
        if (!isInput(t.name)) {
            throw new Error(`unknown flag ${t.rawName}\n\n${USAGE}`);
        }
        if (BOOLEAN_INPUTS.has(t.name)) {
            // `--flag`, `--flag=value` or `--flag value`: the value is the next word unless it is a flag.
            const next = tokens[i + 1];
            if (t.value !== undefined)
                values.set(t.name, t.value);
            else if (next?.kind === 'positional') {
                values.set(t.name, next.value);
                i++;
            }
            else
                values.set(t.name, 'true');
            continue;
        }
        if (t.value === undefined)
            throw new Error(`--${t.name} needs a value`);
        values.set(t.name, t.value);
    }
    return { values, ...own };
}

// The environment of every child we start (the build, the C compiler, the plugin inspector, qemu).
// They run the plugin's and the user's code (a Go init(), a C constructor, a Makefile and whatever
// it downloads), so they get the action's environment minus what could let that code act with the
// release's rights: action inputs, runner tokens, GitHub tokens, the workflow command files and any
// variable holding a registered secret. A user who needs one of them names it in build-env-keep.
/** Action inputs (INPUT_PASSWORD, INPUT_GITHUB-TOKEN) and the runner's tokens and service URLs. */
const REMOVED_PREFIXES = ['INPUT_', 'ACTIONS_'];
const REMOVED_NAMES = new Set([
    'GITHUB_TOKEN',
    'GH_TOKEN',
    // The CLI's password.
    'FPR_PASSWORD',
    // Workflow command files: a child writing there could set the environment, PATH or outputs of
    // later steps (and ours).
    'GITHUB_ENV',
    'GITHUB_PATH',
    'GITHUB_OUTPUT',
    'GITHUB_STATE',
    'GITHUB_STEP_SUMMARY'
]);
function removed(name, value, policy) {
    const upper = name.toUpperCase();
    return (REMOVED_PREFIXES.some((p) => upper.startsWith(p)) ||
        REMOVED_NAMES.has(upper) ||
        (value !== '' && policy.containsSecret?.(value) === true));
}
/**
 * The environment a child gets from `env`, and the names removed (for the log: names only,
 * never values).
 */
function childEnv(env, policy = {}) {
    const keep = new Set(policy.keep ?? []);
    const out = {};
    const dropped = [];
    for (const [name, value] of Object.entries(env)) {
        if (value === undefined)
            continue;
        if (!keep.has(name) && removed(name, value, policy))
            dropped.push(name);
        else
            out[name] = value;
    }
    return { env: out, removed: dropped.sort() };
}

// Starts the children that run the plugin's or the user's code (the build, the C compiler, the
// plugin inspector, qemu). Each runs in its own process group with a filtered environment
// (child-env.ts). When it exits, times out, or we are stopped, the whole group is killed: a plugin
// that fork()s a child which never exits would otherwise hold our pipes open forever. Its output
// is read as it comes, keeping only a bounded tail, since a plugin can print gigabytes.
//
// Ours, not @actions/exec or execFile: neither starts a process group to kill whole, @actions/exec
// has no timeout and keeps all output, and execFile's maxBuffer kills a child that prints much
// (a verbose build) where we keep its tail. The other children (git, a docker credential helper)
// use execFile, which bounds their time and output.
const MAX_LINE = 4096;
const DEFAULT_KEEP_BYTES = 64 * 1024;
/** How long output still in the pipes may take to arrive once the group is gone. */
const DRAIN_MS = 2000;
// Groups still running, killed if we exit or are stopped (e.g. a cancelled workflow run).
const live = new Set();
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
function killGroup(pid) {
    try {
        process.kill(-pid, 'SIGKILL');
    }
    catch {
        // ESRCH: nothing left of it
    }
}
function killAll() {
    for (const pid of live)
        killGroup(pid);
}
function onStopSignal(signal) {
    killAll();
    stopWatching();
    // Without listeners left, take the signal's default action (end the process), as before.
    if (process.listenerCount(signal) === 0)
        process.kill(process.pid, signal);
}
function startWatching() {
    process.on('exit', killAll);
    for (const s of STOP_SIGNALS)
        process.on(s, onStopSignal);
}
function stopWatching() {
    process.off('exit', killAll);
    for (const s of STOP_SIGNALS)
        process.off(s, onStopSignal);
}
function track(pid) {
    if (live.size === 0)
        startWatching();
    live.add(pid);
}
function untrack(pid) {
    if (live.delete(pid) && live.size === 0)
        stopWatching();
}
/** Keeps the last `max` bytes written to it. */
class Tail {
    max;
    chunks = [];
    size = 0;
    constructor(max) {
        this.max = max;
    }
    push(chunk) {
        this.chunks.push(chunk);
        this.size += chunk.length;
        while (this.chunks.length > 1 && this.size - this.chunks[0].length >= this.max) {
            this.size -= this.chunks.shift().length;
        }
    }
    text() {
        const all = Buffer.concat(this.chunks);
        return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
    }
}
/** Splits a stream into lines for onLine, never holding more than MAX_LINE characters. */
function lineSplitter(emit) {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const drain = () => {
        for (;;) {
            const nl = pending.indexOf('\n');
            if (nl >= 0 && nl <= MAX_LINE) {
                emit(pending.slice(0, nl).replace(/\r$/, ''));
                pending = pending.slice(nl + 1);
            }
            else if (pending.length > MAX_LINE) {
                emit(pending.slice(0, MAX_LINE));
                pending = pending.slice(MAX_LINE);
            }
            else
                return;
        }
    };
    return {
        push: (chunk) => {
            pending += decoder.write(chunk);
            drain();
        },
        flush: () => {
            pending += decoder.end();
            drain();
            if (pending !== '')
                emit(pending);
            pending = '';
        }
    };
}
/**
 * Runs argv (no shell) in a new process group and resolves once it has exited and its group is
 * gone. Never rejects: a command that cannot start comes back with `error`.
 */
function runChild(argv, options) {
    const keep = options.keepBytes ?? DEFAULT_KEEP_BYTES;
    const tails = { stdout: new Tail(keep), stderr: new Tail(keep) };
    return new Promise((done) => {
        let child;
        const env = childEnv(options.env, options.policy).env;
        try {
            child = spawn(argv[0], argv.slice(1), {
                cwd: options.cwd,
                env,
                stdio: ['ignore', 'pipe', 'pipe'],
                // Its own process group (setsid), so that we can kill everything it starts.
                detached: true
            });
        }
        catch (e) {
            done({
                code: null,
                signal: null,
                stdout: '',
                stderr: '',
                error: e,
                timedOut: false
            });
            return;
        }
        const pid = child.pid;
        if (pid !== undefined)
            track(pid);
        const splitters = ['stdout', 'stderr'].map((name) => {
            const split = lineSplitter((l) => options.onLine?.(l, name));
            child[name]?.on('data', (chunk) => {
                tails[name].push(chunk);
                if (options.onLine)
                    split.push(chunk);
            });
            return split;
        });
        let timedOut = false;
        let error;
        let exit;
        let drainTimer;
        const timer = options.timeoutMs === undefined || pid === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                killGroup(pid);
            }, options.timeoutMs);
        let finished = false;
        const finish = () => {
            if (finished)
                return;
            finished = true;
            if (timer)
                clearTimeout(timer);
            if (drainTimer)
                clearTimeout(drainTimer);
            if (pid !== undefined) {
                killGroup(pid);
                untrack(pid);
            }
            splitters.forEach((s) => s.flush());
            done({
                code: exit?.code ?? null,
                signal: exit?.signal ?? null,
                stdout: tails.stdout.text(),
                stderr: tails.stderr.text(),
                error,
                timedOut
            });
        };
        child.on('error', (e) => {
            error ??= e;
            if (child.pid === undefined)
                finish(); // never started
        });
        child.on('exit', (code, signal) => {
            exit = { code, signal };
            if (timer)
                clearTimeout(timer);
            // What it left behind (a forked child, a daemon) goes with it; then the pipes close. A
            // process that left the group (setsid) may still hold them: stop reading after a while.
            killGroup(pid);
            drainTimer = setTimeout(() => {
                child.stdout?.destroy();
                child.stderr?.destroy();
                finish();
            }, DRAIN_MS);
        });
        child.on('close', finish);
    });
}
/** The last `lines` lines of text. */
function lastLines(text, lines) {
    return text.trimEnd().split('\n').slice(-lines).join('\n');
}

var index_min = {};

var hasRequiredIndex_min;

function requireIndex_min () {
	if (hasRequiredIndex_min) return index_min;
	hasRequiredIndex_min = 1;
	(function (exports) {
var a=(t,e)=>()=>(e||t((e={exports:{}}).exports,e),e.exports);var _=a(i=>{Object.defineProperty(i,"__esModule",{value:true});i.sync=i.isexe=void 0;var M=require$$0$1,x=require$$1$1,q=async(t,e={})=>{let{ignoreErrors:r=false}=e;try{return d(await(0,x.stat)(t),e)}catch(s){let n=s;if(r||n.code==="EACCES")return  false;throw n}};i.isexe=q;var m=(t,e={})=>{let{ignoreErrors:r=false}=e;try{return d((0,M.statSync)(t),e)}catch(s){let n=s;if(r||n.code==="EACCES")return  false;throw n}};i.sync=m;var d=(t,e)=>t.isFile()&&A(t,e),A=(t,e)=>{let r=e.uid??process.getuid?.(),s=e.groups??process.getgroups?.()??[],n=e.gid??process.getgid?.()??s[0];if(r===void 0||n===void 0)throw new Error("cannot get uid or gid");let u=new Set([n,...s]),c=t.mode,S=t.uid,P=t.gid,f=parseInt("100",8),l=parseInt("010",8),j=parseInt("001",8),C=f|l;return !!(c&j||c&l&&u.has(P)||c&f&&S===r||c&C&&r===0)};});var g=a(o=>{Object.defineProperty(o,"__esModule",{value:true});o.sync=o.isexe=void 0;var T=require$$0$1,I=require$$1$1,D=require$$2,F=async(t,e={})=>{let{ignoreErrors:r=false}=e;try{return y(await(0,I.stat)(t),t,e)}catch(s){let n=s;if(r||n.code==="EACCES")return  false;throw n}};o.isexe=F;var L=(t,e={})=>{let{ignoreErrors:r=false}=e;try{return y((0,T.statSync)(t),t,e)}catch(s){let n=s;if(r||n.code==="EACCES")return  false;throw n}};o.sync=L;var B=(t,e)=>{let{pathExt:r=process.env.PATHEXT||""}=e,s=r.split(D.delimiter);if(s.indexOf("")!==-1)return  true;for(let n of s){let u=n.toLowerCase(),c=t.substring(t.length-u.length).toLowerCase();if(u&&c===u)return  true}return  false},y=(t,e,r)=>t.isFile()&&B(e,r);});var p=a(h=>{Object.defineProperty(h,"__esModule",{value:true});});var v=exports&&exports.__createBinding||(Object.create?(function(t,e,r,s){s===void 0&&(s=r);var n=Object.getOwnPropertyDescriptor(e,r);(!n||("get"in n?!e.__esModule:n.writable||n.configurable))&&(n={enumerable:true,get:function(){return e[r]}}),Object.defineProperty(t,s,n);}):(function(t,e,r,s){s===void 0&&(s=r),t[s]=e[r];})),G=exports&&exports.__setModuleDefault||(Object.create?(function(t,e){Object.defineProperty(t,"default",{enumerable:true,value:e});}):function(t,e){t.default=e;}),w=exports&&exports.__importStar||(function(){var t=function(e){return t=Object.getOwnPropertyNames||function(r){var s=[];for(var n in r)Object.prototype.hasOwnProperty.call(r,n)&&(s[s.length]=n);return s},t(e)};return function(e){if(e&&e.__esModule)return e;var r={};if(e!=null)for(var s=t(e),n=0;n<s.length;n++)s[n]!=="default"&&v(r,e,s[n]);return G(r,e),r}})(),X=exports&&exports.__exportStar||function(t,e){for(var r in t)r!=="default"&&!Object.prototype.hasOwnProperty.call(e,r)&&v(e,t,r);};Object.defineProperty(exports,"__esModule",{value:true});exports.sync=exports.isexe=exports.posix=exports.win32=void 0;var E=w(_());exports.posix=E;var O=w(g());exports.win32=O;X(p(),exports);var H=process.env._ISEXE_TEST_PLATFORM_||process.platform,b=H==="win32"?O:E;exports.isexe=b.isexe;exports.sync=b.sync;
		
	} (index_min));
	return index_min;
}

var lib;
var hasRequiredLib;

function requireLib () {
	if (hasRequiredLib) return lib;
	hasRequiredLib = 1;
	const { isexe, sync: isexeSync } = requireIndex_min();
	const { join, delimiter, sep, posix } = path__default;

	const isWindows = process.platform === 'win32';

	// used to check for slashed in commands passed in. always checks for the posix
	// seperator on all platforms, and checks for the current separator when not on
	// a posix platform. don't use the isWindows check for this since that is mocked
	// in tests but we still need the code to actually work when called. that is also
	// why it is ignored from coverage.
	/* istanbul ignore next */
	const rSlash = new RegExp(`[${posix.sep}${sep === posix.sep ? '' : sep}]`.replace(/(\\)/g, '\\$1'));
	const rRel = new RegExp(`^\\.${rSlash.source}`);

	const getNotFoundError = (cmd) =>
	  Object.assign(new Error(`not found: ${cmd}`), { code: 'ENOENT' });

	const getPathInfo = (cmd, {
	  path: optPath = process.env.PATH,
	  pathExt: optPathExt = process.env.PATHEXT,
	  delimiter: optDelimiter = delimiter,
	}) => {
	  // If it has a slash, then we don't bother searching the pathenv.
	  // just check the file itself, and that's it.
	  const pathEnv = cmd.match(rSlash) ? [''] : [
	    // windows always checks the cwd first
	    ...(isWindows ? [process.cwd()] : []),
	    ...(optPath || /* istanbul ignore next: very unusual */ '').split(optDelimiter),
	  ];

	  if (isWindows) {
	    const pathExtExe = optPathExt ||
	      ['.EXE', '.CMD', '.BAT', '.COM'].join(optDelimiter);
	    const pathExt = pathExtExe.split(optDelimiter).flatMap((item) => [item, item.toLowerCase()]);
	    if (cmd.includes('.') && pathExt[0] !== '') {
	      pathExt.unshift('');
	    }
	    return { pathEnv, pathExt, pathExtExe }
	  }

	  return { pathEnv, pathExt: [''] }
	};

	const getPathPart = (raw, cmd) => {
	  const pathPart = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
	  const prefix = !pathPart && rRel.test(cmd) ? cmd.slice(0, 2) : '';
	  return prefix + join(pathPart, cmd)
	};

	const which = async (cmd, opt = {}) => {
	  const { pathEnv, pathExt, pathExtExe } = getPathInfo(cmd, opt);
	  const found = [];

	  for (const envPart of pathEnv) {
	    const p = getPathPart(envPart, cmd);

	    for (const ext of pathExt) {
	      const withExt = p + ext;
	      const is = await isexe(withExt, { pathExt: pathExtExe, ignoreErrors: true });
	      if (is) {
	        if (!opt.all) {
	          return withExt
	        }
	        found.push(withExt);
	      }
	    }
	  }

	  if (opt.all && found.length) {
	    return found
	  }

	  if (opt.nothrow) {
	    return null
	  }

	  throw getNotFoundError(cmd)
	};

	const whichSync = (cmd, opt = {}) => {
	  const { pathEnv, pathExt, pathExtExe } = getPathInfo(cmd, opt);
	  const found = [];

	  for (const pathEnvPart of pathEnv) {
	    const p = getPathPart(pathEnvPart, cmd);

	    for (const ext of pathExt) {
	      const withExt = p + ext;
	      const is = isexeSync(withExt, { pathExt: pathExtExe, ignoreErrors: true });
	      if (is) {
	        if (!opt.all) {
	          return withExt
	        }
	        found.push(withExt);
	      }
	    }
	  }

	  if (opt.all && found.length) {
	    return found
	  }

	  if (opt.nothrow) {
	    return null
	  }

	  throw getNotFoundError(cmd)
	};

	lib = which;
	which.sync = whichSync;
	return lib;
}

var libExports = requireLib();
var which = /*@__PURE__*/getDefaultExportFromCjs(libExports);

// Program lookups on the PATH a child will get, with npm's `which` (what npm and cross-spawn use).
// Not @actions/io's which: it searches process.env.PATH only, and our lookups must search the PATH
// they are given. Only executable files count, as for execvp.
/** Whether a lookup can find anything: a command with a "/" is checked as it is. */
function searchable(command, where) {
    return command !== '' && (command.includes('/') || (where.path ?? '') !== '');
}
/** The first executable `command` on the path, or undefined. */
async function findProgram(command, where) {
    if (!searchable(command, where))
        return undefined;
    // `?? ''`: an unset PATH must not make `which` search process.env.PATH.
    const found = await which(command, {
        path: where.path ?? '',
        pathExt: where.pathExt,
        nothrow: true
    });
    return found ?? undefined;
}
/** Every executable `command` on the path, in order. */
async function findPrograms(command, where) {
    if (!searchable(command, where))
        return [];
    const found = await which(command, {
        path: where.path ?? '',
        pathExt: where.pathExt,
        all: true,
        nothrow: true
    });
    return found ? [...found] : [];
}

// Reads a plugin's metadata by loading its .so the way Falco does: a tiny C program
// (inspector.c, compiled with the same C compiler cgo uses) dlopens it with RTLD_NOW|RTLD_LOCAL in
// a child process and writes JSON to a report file (stdout and stderr are the plugin's). The pure part turns that JSON into PluginMetadata and judges it
// with the rules of libs' plugin_loader.c.
/** The symbols libs' plugin_check_required_symbols() insists on. */
const REQUIRED_SYMBOLS = [
    'plugin_get_required_api_version',
    'plugin_get_version',
    'plugin_get_name',
    'plugin_get_description',
    'plugin_get_contact',
    'plugin_init',
    'plugin_destroy',
    'plugin_get_last_error'
];
const SOURCING_SYMBOLS = ['plugin_open', 'plugin_close', 'plugin_next_batch'];
/** Path of inspector.c: src/inspect/ in tests, dist/ (copied beside index.js) in the bundle. */
function inspectorSourcePath() {
    return fileURLToPath(new URL('./inspector.c', import.meta.url));
}
// ---------------------------------------------------------------------------------------------
// Pure part
function isRecord(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** Parses the inspector's JSON report. Throws on anything that is not the expected object. */
function parseInspectorOutput(text) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (e) {
        throw new Error(`the plugin inspector reported invalid JSON (${e.message}): ${text.slice(0, 500)}`);
    }
    if (!isRecord(value))
        throw new Error(`the plugin inspector reported ${text.slice(0, 200)}`);
    if (typeof value.error === 'string')
        throw new Error(`dlopen failed: ${value.error}`);
    const symbols = value.symbols;
    if (!Array.isArray(symbols) || !symbols.every((s) => typeof s === 'string')) {
        throw new Error('the plugin inspector output has no "symbols" list');
    }
    const out = { symbols: symbols };
    for (const key of [
        'required_api_version',
        'name',
        'version',
        'description',
        'contact',
        'event_source',
        'fields',
        'extract_event_sources'
    ]) {
        const v = value[key];
        if (v === undefined)
            continue;
        if (typeof v !== 'string')
            throw new Error(`the plugin inspector output has a non-string "${key}"`);
        out[key] = v;
    }
    if (value.id !== undefined) {
        if (typeof value.id !== 'number' || !Number.isInteger(value.id) || value.id < 0) {
            throw new Error('the plugin inspector output has an invalid "id"');
        }
        out.id = value.id;
    }
    const schema = value.init_schema;
    if (schema !== undefined) {
        if (!isRecord(schema) || typeof schema.type !== 'number') {
            throw new Error('the plugin inspector output has an invalid "init_schema"');
        }
        out.init_schema = { type: schema.type };
        if (typeof schema.schema === 'string')
            out.init_schema.schema = schema.schema;
    }
    return out;
}
function sourcingSymbolsPresent(symbols) {
    return SOURCING_SYMBOLS.every((s) => symbols.includes(s));
}
/** True when ID and event source agree: both set (ID != 0, source non-empty) or neither. */
function sourcingPairConsistent(id, eventSource) {
    return (id !== 0) === eventSource.length > 0;
}
/** Capabilities as libs' plugin_get_capabilities() computes them (reference §3.3). */
function deriveCapabilities(raw) {
    const has = (s) => raw.symbols.includes(s);
    const caps = [];
    if (sourcingSymbolsPresent(raw.symbols) &&
        sourcingPairConsistent(raw.id ?? 0, raw.event_source ?? '')) {
        caps.push('sourcing');
    }
    if (has('plugin_get_fields') && has('plugin_extract_fields'))
        caps.push('extraction');
    if (has('plugin_parse_event'))
        caps.push('parsing');
    if (has('plugin_get_async_events') && has('plugin_set_async_event_handler'))
        caps.push('async');
    if (has('plugin_capture_open') && has('plugin_capture_close'))
        caps.push('capture-listening');
    return caps;
}
function parseJsonArray(text, what) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (e) {
        throw new Error(`${what} returned invalid JSON (${e.message}): ${text.slice(0, 200)}`);
    }
    // Go's json.Marshal of a nil slice is "null": treat it as empty.
    if (value === null)
        return [];
    if (!Array.isArray(value))
        throw new Error(`${what} must return a JSON array, got: ${text.slice(0, 200)}`);
    return value;
}
/** Field names of plugin_get_fields() JSON. */
function parseFieldNames(text) {
    return parseJsonArray(text, 'plugin_get_fields').map((f, i) => {
        if (!isRecord(f) || typeof f.name !== 'string' || f.name === '') {
            throw new Error(`plugin_get_fields: entry ${i} has no "name": ${JSON.stringify(f)}`);
        }
        return f.name;
    });
}
/** The list of plugin_get_extract_event_sources() JSON. */
function parseEventSources(text) {
    return parseJsonArray(text, 'plugin_get_extract_event_sources').map((s, i) => {
        if (typeof s !== 'string') {
            throw new Error(`plugin_get_extract_event_sources: entry ${i} is not a string`);
        }
        return s;
    });
}
/** Turns inspector output into PluginMetadata (no judgement: see checkPlugin). */
function metadataFromInspector(raw) {
    const symbols = [...new Set(raw.symbols)].sort();
    const capabilities = deriveCapabilities({ ...raw, symbols });
    const meta = {
        requiredApiVersion: raw.required_api_version ?? '',
        name: raw.name ?? '',
        version: raw.version ?? '',
        description: raw.description ?? '',
        contact: raw.contact ?? '',
        capabilities,
        symbols
    };
    // Every Go plugin exports plugin_get_id (999 in the SDK examples): it only means something
    // when the sourcing functions exist. With those present we report the pair even when it is
    // inconsistent, so that checkPlugin can say what is wrong.
    if (sourcingSymbolsPresent(symbols)) {
        meta.id = raw.id ?? 0;
        meta.eventSource = raw.event_source ?? '';
    }
    if (capabilities.includes('extraction')) {
        if (raw.fields === undefined)
            throw new Error('plugin_get_fields returned NULL');
        meta.fields = parseFieldNames(raw.fields);
        meta.extractEventSources =
            raw.extract_event_sources === undefined ? [] : parseEventSources(raw.extract_event_sources);
    }
    if (raw.init_schema?.type === 1 && raw.init_schema.schema) {
        meta.initSchema = raw.init_schema.schema;
    }
    return meta;
}
/**
 * Throws one Error listing every reason Falco would refuse to load the plugin: missing required
 * symbols, a malformed required API version, an inconsistent sourcing ID/source pair,
 * plugin_extract_fields without plugin_get_fields, no capability at all.
 */
function checkPlugin(meta) {
    const problems = [];
    const has = (s) => meta.symbols.includes(s);
    const missing = REQUIRED_SYMBOLS.filter((s) => !has(s));
    if (missing.length > 0) {
        problems.push(`missing required symbol${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} ` +
            '(every plugin must export them; with plugin-sdk-go, register the plugin with ' +
            'plugins.SetFactory in an init() function of the main package)');
    }
    if (has('plugin_get_required_api_version') && !/^\d+\.\d+\.\d+$/.test(meta.requiredApiVersion)) {
        problems.push(`plugin_get_required_api_version returns '${meta.requiredApiVersion}', which is not ` +
            'a version "M.m.p" (e.g. 3.11.0): leave Info.RequiredAPIVersion empty to use the SDK default');
    }
    let capabilityExplained = false;
    if (sourcingSymbolsPresent(meta.symbols) && !meta.capabilities.includes('sourcing')) {
        capabilityExplained = true;
        problems.push(`inconsistent event source: plugin_get_id returns ${meta.id ?? 0} but ` +
            `plugin_get_event_source returns ${JSON.stringify(meta.eventSource ?? '')}; a sourcing ` +
            'plugin needs both a non-zero ID and a non-empty event source, or neither ' +
            '(set both Info.ID and Info.EventSource)');
    }
    if (has('plugin_extract_fields') && !has('plugin_get_fields')) {
        capabilityExplained = true;
        problems.push('plugin_extract_fields is exported without plugin_get_fields: an extractor must list ' +
            'its fields (implement Fields() and call extractor.Register)');
    }
    if (meta.capabilities.length === 0 && !capabilityExplained) {
        problems.push('the plugin has no capability: export plugin_open, plugin_close and plugin_next_batch ' +
            '(sourcing), or plugin_get_fields and plugin_extract_fields (extraction), or ' +
            'plugin_parse_event (parsing), or the async or capture-listening pairs ' +
            '(with plugin-sdk-go: call source.Register or extractor.Register)');
    }
    if (problems.length > 0) {
        const who = meta.name ? `plugin '${meta.name}'` : 'the plugin';
        throw new Error(`Falco would refuse to load ${who}:\n- ${problems.join('\n- ')}`);
    }
}
async function isFile$2(path) {
    try {
        return (await stat(path)).isFile();
    }
    catch {
        return false;
    }
}
const NO_COMPILER = 'cgo needs one to build the plugin anyway: install gcc (apt-get install gcc, or build-essential) ' +
    'or set CC';
/**
 * Where compiled inspectors are kept between runs: the runner's tool cache (kept on self-hosted
 * runners), else the user's cache directory. Entries are keyed by source and compiler.
 */
function inspectorCacheDir(env) {
    if (env.RUNNER_TOOL_CACHE)
        return join(env.RUNNER_TOOL_CACHE, 'falco-plugin-release', 'inspector');
    const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
    return join(base, 'falco-plugin-release', 'inspector');
}
/** What identifies the compiler binary: its real path, size and time (an upgrade changes them). */
async function compilerIdentity(command, pathVar) {
    const found = await findProgram(command, { path: pathVar });
    if (found === undefined)
        return 'not found';
    try {
        const real = await realpath(found);
        const st = await stat(real);
        return `${real}:${st.size}:${st.mtimeMs}`;
    }
    catch {
        return 'not found'; // gone since
    }
}
/**
 * Compiles inspector.c once per (source, compiler command, compiler binary) into cacheDir and
 * returns the binary's path. The compiler is opts.cc, else $CC, else cc (then gcc, clang); it
 * may carry arguments ("gcc -m32", "zig cc -target x86_64-linux-gnu.2.17"), as cgo allows.
 */
async function compileInspector(opts) {
    const sourcePath = inspectorSourcePath();
    const source = await readFile(sourcePath);
    const env = opts.env;
    const explicit = opts.cc ?? (env.CC?.trim() || undefined);
    const candidates = explicit ? [explicit] : ['cc', 'gcc', 'clang'];
    await mkdir(opts.cacheDir, { recursive: true });
    for (const cc of candidates) {
        const [cmd, ...ccArgs] = cc.trim().split(/\s+/);
        const identity = await compilerIdentity(cmd, env.PATH);
        if (identity === 'not found' && !explicit)
            continue;
        const key = createHash('sha256')
            .update(source)
            .update('\0')
            .update(cc)
            .update('\0')
            .update(identity)
            .digest('hex');
        const binary = join(resolve(opts.cacheDir), `inspector-${key.slice(0, 16)}`);
        if (await isFile$2(binary))
            return binary;
        const tmp = `${binary}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
        const args = [...ccArgs, '-Wall', '-Wextra', '-O2', '-o', tmp, sourcePath, '-ldl'];
        const r = await runChild([cmd, ...args], { env: opts.env, policy: opts.envPolicy });
        if (r.error?.code === 'ENOENT') {
            if (explicit)
                throw new Error(`the C compiler '${cc}' was not found: ${NO_COMPILER}`);
            continue;
        }
        if (r.error || r.code !== 0) {
            await rm(tmp, { force: true });
            throw new Error(`compiling the plugin inspector failed (${cc} ${args.join(' ')}): ` +
                `${r.error?.message ?? lastLines(r.stderr + r.stdout, 40)}`);
        }
        await rename(tmp, binary);
        return binary;
    }
    throw new Error(`no C compiler found (tried ${candidates.join(', ')}): ${NO_COMPILER}`);
}
function dlopenHint(message) {
    if (/undefined symbol/.test(message)) {
        return (' The library references a symbol that nothing provides; Falco loads plugins with ' +
            'RTLD_NOW and would refuse it too (link the library that defines it, e.g. -lresolv).');
    }
    if (/GLIBC_[\d.]+' not found/.test(message)) {
        return ' The plugin needs a newer glibc than this host has: build it on an older distribution.';
    }
    if (/wrong ELF class|ELF file's machine|invalid ELF header|Exec format error/i.test(message)) {
        return (' The file is not a shared library for this host: a plugin can only be inspected on the ' +
            'architecture it was built for (or through a runner such as qemu).');
    }
    return '';
}
/** The inspector's report is small; anything bigger is a plugin returning absurd strings. */
const MAX_REPORT_BYTES = 16 * 1024 * 1024;
/** Lines of the plugin's own output shown in the log. */
const PLUGIN_OUTPUT_LINES = 100;
/** The report file: '' when the inspector did not get to write it. */
async function readReport(path) {
    let handle;
    try {
        handle = await open(path, 'r');
    }
    catch {
        return '';
    }
    try {
        const buf = Buffer.alloc(MAX_REPORT_BYTES + 1);
        let size = 0;
        for (;;) {
            const { bytesRead } = await handle.read(buf, size, buf.length - size, size);
            if (bytesRead === 0)
                break;
            size += bytesRead;
            if (size === buf.length) {
                throw new Error(`the plugin's metadata is larger than ${MAX_REPORT_BYTES / 1024 / 1024} MiB: a getter ` +
                    'returns an absurdly long string');
            }
        }
        return buf.subarray(0, size).toString('utf8');
    }
    finally {
        await handle.close();
    }
}
/** What the plugin printed (stdout and stderr in order), keeping the last lines only. */
function outputRecorder() {
    const lines = [];
    let total = 0;
    return {
        onLine: (line, stream) => {
            total++;
            lines.push(`[plugin ${stream}] ${line}`);
            if (lines.length > PLUGIN_OUTPUT_LINES)
                lines.shift();
        },
        log: (log) => {
            if (total === 0)
                return;
            const which = total > lines.length ? `, the last ${lines.length}` : '';
            log(`the plugin printed ${total} line${total === 1 ? '' : 's'} while loaded${which}:`);
            lines.forEach((l) => log(l));
        }
    };
}
/**
 * Loads the plugin in a child process with the compiled inspector (optionally through a runner
 * prefix such as qemu) and returns its metadata. A crash inside the plugin is reported, with the
 * getter that was running, instead of taking us down; what the plugin prints goes to opts.log.
 */
async function inspectPlugin(soPath, opts) {
    const path = resolve(soPath); // dlopen searches the library path for names without a slash
    if (!(await isFile$2(path)))
        throw new Error(`plugin file '${soPath}' does not exist`);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const dir = await mkdtemp(join(tmpdir(), 'fpr-inspect-'));
    try {
        const reportPath = join(dir, 'report');
        const [cmd, ...args] = [...(opts.runner ?? []), opts.inspector, path, reportPath];
        const output = outputRecorder();
        const r = await runChild([cmd, ...args], {
            env: opts.env,
            policy: opts.envPolicy,
            timeoutMs,
            onLine: output.onLine
        });
        if (r.error)
            throw new Error(`could not run the plugin inspector '${cmd}': ${r.error.message}`);
        if (opts.log)
            output.log(opts.log);
        return inspectorResult(soPath, r, await readReport(reportPath), timeoutMs);
    }
    finally {
        await rm(dir, { recursive: true, force: true });
    }
}
/** Judges how the inspector ended, with its report (calling lines, then the JSON object). */
function inspectorResult(soPath, r, report, timeoutMs) {
    const lines = report.split('\n');
    const steps = lines.filter((l) => /^calling \S+$/.test(l));
    const json = lines.filter((l) => l.startsWith('{')).pop();
    const step = steps.length > 0 ? ` while ${steps[steps.length - 1]}` : ' while loading it (dlopen)';
    const noise = r.stderr.trim();
    const details = noise ? `\n${lastLines(noise, 40)}` : '';
    if (r.timedOut) {
        throw new Error(`loading plugin '${soPath}' did not finish within ${timeoutMs / 1000}s${step}: Falco would ` +
            'hang on it as well (the inspect-timeout input sets the limit)');
    }
    if (r.signal) {
        // A Go plugin's init() runs when it is loaded; exported calls wait for it, so a panic there
        // shows up as a crash in the first getter.
        const goPanic = /^panic: /m.test(noise) ? ' (a Go panic, printed below)' : '';
        throw new Error(`the plugin crashed (${r.signal})${step}${goPanic}: '${soPath}' would crash Falco as well` +
            details);
    }
    if (r.code === 2 && json?.startsWith('{"error":')) {
        let message = json;
        try {
            message = JSON.parse(json).error;
        }
        catch {
            // keep the raw text
        }
        throw new Error(`cannot load plugin '${soPath}' with dlopen: ${message}.${dlopenHint(message)}`);
    }
    if (r.code !== 0) {
        throw new Error(`the plugin inspector exited with status ${r.code}${step} for '${soPath}'${details}`);
    }
    if (json === undefined) {
        throw new Error(`the plugin ended the inspector (exit status 0)${step}, before its metadata was read: ` +
            `'${soPath}' would end Falco as well${details}`);
    }
    return metadataFromInspector(parseInspectorOutput(json));
}

// Registry credentials from a docker config.json (as written by `docker login`, or by
// docker/login-action): `auths` entries, and credential helpers (`credHelpers`, `credsStore`).
/** Docker Hub's historical key, used by `docker login` and credential helpers. */
const HUB_KEY = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HELPER_TIMEOUT_MS = 60_000;
const HELPER_OUTPUT_LIMIT = 1 << 20;
const execFileAsync = promisify(execFile);
/** The config.json that docker would read: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
function dockerConfigPath(env) {
    if (env.DOCKER_CONFIG)
        return join(env.DOCKER_CONFIG, 'config.json');
    return join(env.HOME || homedir(), '.docker', 'config.json');
}
/**
 * The credentials docker would use for `registry` (host[:port]), or undefined when the config
 * file has none. Order, as docker: a `credHelpers` entry for the registry, else `credsStore`,
 * else the `auths` entry (also the fallback when a helper has nothing or is not installed).
 * Every secret found is registered with `logger.secret`.
 */
async function credentialsFromDockerConfig(registry, env, logger, 
/** The config file (RunContext.dockerConfig); by default where docker looks in `env`. */
path = dockerConfigPath(env)) {
    const config = await readConfig$1(path);
    if (!config)
        return undefined;
    const host = normalHost(registry);
    const authKey = findKey(config.auths, host);
    const fromFile = authKey === undefined ? undefined : parseEntry(config.auths?.[authKey], path, authKey);
    const mask = (c) => {
        if (c && logger) {
            for (const v of [c.password, c.identityToken])
                if (v)
                    logger.secret(v);
            const raw = authKey === undefined ? undefined : config.auths?.[authKey]?.auth;
            if (typeof raw === 'string' && raw)
                logger.secret(raw);
        }
        return c;
    };
    const helperKey = findKey(config.credHelpers, host);
    const helper = helperKey !== undefined ? config.credHelpers?.[helperKey] : (config.credsStore ?? undefined);
    if (typeof helper === 'string' && helper !== '') {
        const program = `docker-credential-${helper}`;
        const executable = await findProgram(program, { path: env.PATH, pathExt: env.PATHEXT });
        if (executable === undefined) {
            logger?.warning(`${path} names the credential helper ${program} for ${registry}, but it is not ` +
                'installed: ignoring it');
        }
        else {
            // The server URL as docker stored it: the config key, else the host (Hub: its v1 URL).
            const servers = unique([
                helperKey ?? authKey ?? serverUrl(host),
                serverUrl(host),
                `https://${host}`
            ]);
            for (const server of servers) {
                const found = await runHelper(executable, program, server, env);
                if (found)
                    return mask(found);
            }
        }
    }
    return mask(fromFile);
}
async function readConfig$1(path) {
    let text;
    try {
        text = await readFile(path, 'utf8');
    }
    catch (err) {
        if (err.code === 'ENOENT')
            return undefined;
        throw new Error(`cannot read the docker config ${path}: ${err.message}`);
    }
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch (err) {
        throw new Error(`the docker config ${path} is not valid JSON: ${err.message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error(`the docker config ${path} is not a JSON object`);
    }
    return parsed;
}
/** "https://ghcr.io/" or "ghcr.io" -> "ghcr.io"; every Docker Hub alias -> "docker.io". */
function normalHost(keyOrHost) {
    const noScheme = keyOrHost.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
    const host = noScheme.split('/')[0].toLowerCase();
    return HUB_HOSTS.has(host) ? 'docker.io' : host;
}
/** The server URL docker uses for a host: Docker Hub's v1 URL, else the host itself. */
function serverUrl(host) {
    return host === 'docker.io' ? HUB_KEY : host;
}
/** The key of `entries` that names `host`: an exact key first, then any URL form of it. */
function findKey(entries, host) {
    if (!entries || typeof entries !== 'object')
        return undefined;
    const keys = Object.keys(entries);
    return (keys.find((k) => k === host || (host === 'docker.io' && k === HUB_KEY)) ??
        keys.find((k) => normalHost(k) === host));
}
function parseEntry(entry, path, key) {
    if (!entry || typeof entry !== 'object')
        return undefined;
    let username = typeof entry.username === 'string' ? entry.username : '';
    let password = typeof entry.password === 'string' ? entry.password : '';
    if (typeof entry.auth === 'string' && entry.auth !== '') {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new Error(`the "auth" of "${key}" in ${path} is not base64 of "username:password": ` +
                'run docker login again, or give the credentials another way');
        }
        username = decoded.slice(0, colon);
        password = decoded.slice(colon + 1);
    }
    const identityToken = typeof entry.identitytoken === 'string' && entry.identitytoken !== ''
        ? entry.identitytoken
        : undefined;
    if (identityToken)
        return { username: username || '<token>', password, identityToken };
    if (password === '')
        return undefined;
    return { username, password };
}
/**
 * `docker-credential-<name> get` with the server URL on stdin. Returns undefined when the
 * helper has no credentials for it; throws with a clear message when the helper fails.
 */
async function runHelper(executable, program, server, env) {
    const { code, stdout, stderr, error } = await run$2(executable, ['get'], server, env);
    if (error)
        throw new Error(`the docker credential helper ${program} could not run: ${error}`);
    if (code !== 0) {
        const text = (stdout.trim() || stderr.trim()).replace(/\s+/g, ' ').slice(0, 300);
        // The helpers' protocol: "credentials not found in native keychain" on stdout.
        if (/credentials not found/i.test(text))
            return undefined;
        throw new Error(`the docker credential helper ${program} failed for ${server} (exit code ${code})` +
            `${text ? `: ${text}` : ''}. Fix the helper (e.g. log in again), or give the ` +
            'credentials another way.');
    }
    let parsed;
    try {
        parsed = JSON.parse(stdout);
    }
    catch {
        throw new Error(`the docker credential helper ${program} printed something that is not JSON`);
    }
    const username = typeof parsed.Username === 'string' ? parsed.Username : '';
    const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
    if (secret === '')
        return undefined;
    // By the helpers' convention, a username "<token>" means the secret is an identity token.
    if (username === '<token>')
        return { username, password: '', identityToken: secret };
    return { username, password: secret };
}
/**
 * Runs a helper with `input` on stdin. Node's execFile bounds it: killed after
 * HELPER_TIMEOUT_MS, or once it prints more than HELPER_OUTPUT_LIMIT.
 */
async function run$2(executable, args, input, env) {
    const running = execFileAsync(executable, args, {
        env,
        encoding: 'utf8',
        timeout: HELPER_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: HELPER_OUTPUT_LIMIT
    });
    running.child.stdin?.on('error', () => undefined); // a helper that exits without reading stdin
    running.child.stdin?.end(input);
    try {
        return { code: 0, ...(await running) };
    }
    catch (err) {
        const e = err;
        const out = { stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
        if (typeof e.code === 'number')
            return { code: e.code, ...out };
        if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
            return { code: null, ...out, error: `it printed more than ${HELPER_OUTPUT_LIMIT} bytes` };
        }
        if (e.killed && e.code == null) {
            return { code: null, ...out, error: `no answer within ${HELPER_TIMEOUT_MS / 1000}s` };
        }
        // Killed by someone else (code null, a signal), or it could not start (ENOENT, EACCES).
        return { code: null, ...out, error: e.code == null ? undefined : e.message };
    }
}
function unique(values) {
    return [...new Set(values)];
}

// The run's context, read once at the edges (src/main.ts for the action, src/cli.ts for the CLI)
// into one typed value, as docker/metadata-action's context.ts does: the GitHub facts (from
// @actions/github's `context`), the runner's folders, SOURCE_DATE_EPOCH, the OIDC token request,
// the workflow token and where the Docker config is. Nothing below the entry points reads
// process.env or an environment object for a fact; `childEnvBase` is the one environment passed
// down, and only as the base that src/process/child-env.ts filters for the children we start.
const str = (v) => (typeof v === 'string' ? v : undefined);
function eventOf(payload) {
    const p = (payload !== null && typeof payload === 'object' ? payload : {});
    const repo = (p.repository !== null && typeof p.repository === 'object' ? p.repository : {});
    return {
        defaultBranch: str(repo.default_branch),
        before: str(p.before),
        after: str(p.after),
        deleted: p.deleted === true,
        privateRepository: repo.private === true || (repo.visibility !== undefined && repo.visibility !== 'public')
    };
}
/**
 * The context of this run: the GitHub parts from @actions/github's `context` (read from the
 * process environment when it loaded), the rest from `env`.
 */
function readRunContext(env, github, cwd = process.cwd()) {
    const trimmed = (v) => v?.trim() || undefined;
    const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    return {
        github: {
            repository: env.GITHUB_REPOSITORY ?? '',
            serverUrl: github.serverUrl.replace(/\/+$/, ''),
            apiUrl: github.apiUrl?.trim() || 'https://api.github.com',
            ref: (github.ref ?? '').trim(),
            sha: github.sha ?? '',
            actor: github.actor ?? '',
            eventName: (github.eventName ?? '').trim(),
            event: eventOf(github.payload),
            actions: env.GITHUB_ACTIONS === 'true',
            token: env.GITHUB_TOKEN ?? ''
        },
        workspace: trimmed(env.GITHUB_WORKSPACE),
        cwd: resolve(cwd),
        runnerTemp: env.RUNNER_TEMP || tmpdir(),
        sourceDateEpoch: trimmed(env.SOURCE_DATE_EPOCH),
        oidc: requestUrl && requestToken ? { requestUrl, requestToken } : undefined,
        dockerConfig: dockerConfigPath(env),
        cc: trimmed(env.CC),
        inspectorCache: inspectorCacheDir(env),
        childEnvBase: env
    };
}

// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}

/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + os.EOL);
}
function issue(name, message = '') {
    issueCommand(name, {}, message);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}

// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
function issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!fs.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    fs.appendFileSync(filePath, `${toCommandValue(message)}${os.EOL}`, {
        encoding: 'utf8'
    });
}
function prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${require$$0.randomUUID()}`;
    const convertedValue = toCommandValue(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${os.EOL}${convertedValue}${os.EOL}${delimiter}`;
}

var __awaiter$1 = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
const { access, appendFile, writeFile } = promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return __awaiter$1(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, constants$1.R_OK | constants$1.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return __awaiter$1(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return __awaiter$1(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
const summary = _summary;

var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};

/**
 * The code to exit an action
 */
var ExitCode;
(function (ExitCode) {
    /**
     * A code indicating that the action was successful
     */
    ExitCode[ExitCode["Success"] = 0] = "Success";
    /**
     * A code indicating that the action was a failure
     */
    ExitCode[ExitCode["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
/**
 * Registers a secret which will get masked from logs
 *
 * @param secret - Value of the secret to be masked
 * @remarks
 * This function instructs the Actions runner to mask the specified value in any
 * logs produced during the workflow run. Once registered, the secret value will
 * be replaced with asterisks (***) whenever it appears in console output, logs,
 * or error messages.
 *
 * This is useful for protecting sensitive information such as:
 * - API keys
 * - Access tokens
 * - Authentication credentials
 * - URL parameters containing signatures (SAS tokens)
 *
 * Note that masking only affects future logs; any previous appearances of the
 * secret in logs before calling this function will remain unmasked.
 *
 * @example
 * ```typescript
 * // Register an API token as a secret
 * const apiToken = "abc123xyz456";
 * setSecret(apiToken);
 *
 * // Now any logs containing this value will show *** instead
 * console.log(`Using token: ${apiToken}`); // Outputs: "Using token: ***"
 * ```
 */
function setSecret(secret) {
    issueCommand('add-mask', {}, secret);
}
/**
 * Sets the value of an output.
 *
 * @param     name     name of the output to set
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function setOutput(name, value) {
    const filePath = process.env['GITHUB_OUTPUT'] || '';
    if (filePath) {
        return issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
    }
    process.stdout.write(os.EOL);
    issueCommand('set-output', { name }, toCommandValue(value));
}
//-----------------------------------------------------------------------
// Results
//-----------------------------------------------------------------------
/**
 * Sets the action status to failed.
 * When the action exits it will be with an exit code of 1
 * @param message add error issue message
 */
function setFailed(message) {
    process.exitCode = ExitCode.Failure;
    error(message);
}
//-----------------------------------------------------------------------
// Logging Commands
//-----------------------------------------------------------------------
/**
 * Gets whether Actions Step Debug is on or not
 */
function isDebug() {
    return process.env['RUNNER_DEBUG'] === '1';
}
/**
 * Writes debug message to user log
 * @param message debug message
 */
function debug(message) {
    issueCommand('debug', {}, message);
}
/**
 * Adds an error issue
 * @param message error issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function error(message, properties = {}) {
    issueCommand('error', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a warning issue
 * @param message warning issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function warning(message, properties = {}) {
    issueCommand('warning', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a notice issue
 * @param message notice issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function notice(message, properties = {}) {
    issueCommand('notice', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Writes info to log with console.log.
 * @param message info message
 */
function info(message) {
    process.stdout.write(message + os.EOL);
}
/**
 * Begin an output group.
 *
 * Output until the next `groupEnd` will be foldable in this group
 *
 * @param name The name of the output group
 */
function startGroup(name) {
    issue('group', name);
}
/**
 * End an output group.
 */
function endGroup() {
    issue('endgroup');
}
/**
 * Wrap an asynchronous function call in a group.
 *
 * Returns the same type as the function itself.
 *
 * @param name The name of the group
 * @param fn The function to wrap in the group
 */
function group(name, fn) {
    return __awaiter(this, void 0, void 0, function* () {
        startGroup(name);
        let result;
        try {
            result = yield fn();
        }
        finally {
            endGroup();
        }
        return result;
    });
}
function getIDToken(aud) {
    return __awaiter(this, void 0, void 0, function* () {
        const { OidcClient } = yield import('./http.js').then(function (n) { return n.o; });
        return yield OidcClient.getIDToken(aud);
    });
}

// The one masking rule of the project: which values are masked, in which forms, and how text is
// redacted. Used by the loggers (and so core.setSecret), the registry session and the GitHub
// client, so that every place masks the same values the same way.
//
// A value is masked when it is at least MIN_SECRET_LENGTH characters long and not a common word:
// masking a short or common value ("sha256", "password") would also hide it in digests, media
// types and messages, and corrupt the outputs. Such values are not masked; the logger warns
// instead (without printing the value). Each masked value is also masked in the forms a server
// or a message may show it in: whitespace-collapsed, trimmed, URL- and form-encoded, JSON-escaped
// and base64 (and base64 of `user:password`, as in HTTP Basic authentication).
/** Values shorter than this are not masked. */
const MIN_SECRET_LENGTH = 8;
// Words that appear in our own outputs, messages and media types: masking them would corrupt
// those. Compared case-insensitively with the whole value.
const COMMON_WORDS = new Set([
    'anonymous',
    'application',
    'changeme',
    'extractor',
    'falcosecurity',
    'localhost',
    'manifest',
    'password',
    'registry',
    'rulesfile',
    'username'
]);
/** Why a value cannot be masked safely, or undefined when it can. */
function unsafeToMask(value) {
    const v = value.trim();
    if (v.length < MIN_SECRET_LENGTH) {
        return `it is shorter than ${MIN_SECRET_LENGTH} characters`;
    }
    if (new Set(v).size < 3)
        return 'it repeats one or two characters';
    if (COMMON_WORDS.has(v.toLowerCase()))
        return 'it is a common word';
    return undefined;
}
/** The forms of a secret that are masked along with it (the maskable ones only). */
function secretForms(value, username) {
    const forms = new Set([value]);
    const collapsedSpace = value.replace(/\s+/g, ' ');
    forms.add(collapsedSpace);
    forms.add(collapsedSpace.trim());
    forms.add(value.trim());
    const uri = encodeURIComponent(value);
    forms.add(uri);
    forms.add(lowerHexEscapes(uri));
    const form = new URLSearchParams({ v: value }).toString().slice(2);
    forms.add(form);
    forms.add(lowerHexEscapes(form));
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(Buffer.from(value).toString('base64'));
    if (username !== undefined)
        forms.add(Buffer.from(`${username}:${value}`).toString('base64'));
    return [...forms].filter((f) => unsafeToMask(f) === undefined);
}
function lowerHexEscapes(s) {
    return s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}
/** A set of secrets and the text redaction they imply. */
class SecretMask {
    /** Longest first, so that a form containing another is replaced whole. */
    forms = [];
    /** Masks `value` (and its forms) from now on, unless it is unsafe to. */
    add(value, username) {
        if (value === '')
            return { masked: false };
        const reason = unsafeToMask(value);
        if (reason !== undefined)
            return { masked: false, reason };
        const forms = secretForms(value, username);
        const known = new Set(this.forms);
        const fresh = forms.filter((f) => !known.has(f));
        if (fresh.length > 0) {
            this.forms = [...this.forms, ...fresh].sort((a, b) => b.length - a.length);
        }
        return { masked: true, forms: fresh };
    }
    /** The text with every secret form replaced by ***. Redact before shortening a text. */
    redact(text) {
        let out = text;
        for (const f of this.forms)
            if (out.includes(f))
                out = out.split(f).join('***');
        return out;
    }
}
/**
 * A short excerpt of a text that may hold secrets: redacted first, then whitespace-collapsed
 * (and redacted again, for secrets with runs of spaces), then cut to `max` characters. Cutting
 * first would leave a piece of a secret that no longer matches it.
 */
function safeExcerpt(text, redact, max) {
    const flat = redact(redact(text).replace(/\s+/g, ' ').trim());
    return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

// Loggers for the two front ends, with a scrubber that removes every registered secret from any
// text before it is printed. Which values are masked, and in which forms, is the one rule of
// secrets.ts; values too short or too common to mask safely are warned about instead.
class SecretScrubber {
    mask = new SecretMask();
    refused = new Set();
    /**
     * Masks a value from now on. Returns the new forms to hand to the runner (core.setSecret), or
     * a warning (which never contains the value) when the value is not masked.
     */
    add(value, what = 'a secret value') {
        const r = this.mask.add(value);
        if (r.masked)
            return { forms: r.forms };
        if (r.reason === undefined || this.refused.has(value))
            return { forms: [] };
        this.refused.add(value);
        return {
            forms: [],
            warning: `${what} is not masked in the logs: ${r.reason}, and masking it would also hide ` +
                'ordinary text such as digests and outputs. A secret like this is easy to guess: ' +
                'replace it with a longer, random one if you can.'
        };
    }
    scrub(text) {
        return this.mask.redact(text);
    }
}
/**
 * The runner reads a line that starts with `::` as a workflow command (`::add-mask::`,
 * `::error::`, `::stop-commands::`...). Log lines can carry text from a build or a plugin, so
 * none of them may start with `::`: a zero-width space after the first colon keeps the text
 * readable and inert. The runner trims whitespace first, so a leading space would not do.
 */
function inertCommands(text) {
    return text.replace(/^(\s*):(?=:)/gm, '$1:\u200b');
}
function actionsLogger(scrubber) {
    return {
        info: (m) => info(inertCommands(scrubber.scrub(m))),
        warning: (m) => warning(scrubber.scrub(m)),
        debug: (m) => debug(scrubber.scrub(m)),
        secret: (v, what) => {
            const { forms, warning: warning$1 } = scrubber.add(v, what);
            for (const f of forms)
                setSecret(f);
            if (warning$1)
                warning(warning$1);
        },
        containsSecret: (t) => scrubber.scrub(t) !== t,
        group: (title, fn) => group(title, fn)
    };
}
function consoleLogger(scrubber, verbose = false) {
    const err = (m) => process.stderr.write(scrubber.scrub(m) + '\n');
    return {
        info: err,
        warning: (m) => err(`warning: ${m}`),
        debug: (m) => (verbose ? err(`debug: ${m}`) : undefined),
        secret: (v, what) => {
            const { warning } = scrubber.add(v, what);
            if (warning)
                err(`warning: ${warning}`);
        },
        containsSecret: (t) => scrubber.scrub(t) !== t,
        group: async (title, fn) => {
            err(`== ${title}`);
            return fn();
        }
    };
}

/** What each stage does, for "failed while ...". */
const STAGE_TEXT = {
    inputs: 'reading the inputs and the tag',
    build: 'building the plugin',
    'read-manifests': 'reading the platform manifests the matrix jobs pushed',
    inspect: 'loading and checking the built .so',
    version: 'deriving the dev version from the history',
    'read-tags': 'opening the registry repositories',
    rules: 'reading and checking the rules file',
    plan: 'planning the artifacts and tags',
    preflight: 'checking access and files before the first write',
    publish: 'pushing to the registry',
    'index-file': 'writing index.yaml',
    'index-branch': 'committing index.yaml to the index branch',
    'github-release': 'publishing the GitHub Release',
    retention: 'deleting old dev builds',
    done: 'finishing'
};
function newJournal(dryRun = false) {
    return { stage: 'inputs', dryRun, floating: [] };
}

// Reproducible falcoctl layers: gzip(tar) holding exactly one flat regular file.
//
// The tar entry is a USTAR header as Go's archive/tar writes it for falcoctl's
// CreateTarGzArchive (mtime 0, uid/gid 0, empty uname/gname, typeflag '0', numeric fields in
// zero-padded octal with a trailing NUL, checksum as 6 octal digits + NUL + space), the file data
// padded to 512 bytes, then two zero blocks. No pax headers, no directory entries.
//
// The gzip is one member with a fixed header (1f 8b 08 00 00000000 00 03: no name, mtime 0,
// XFL 0, OS Unix) around one DEFLATE stream from our own encoder (deflate.c compiled to
// WebAssembly, loaded by deflate.js: integer arithmetic only, so the bytes do not depend on the
// Node version, the zlib build or the CPU; an exact port of the JavaScript encoder used before).
//
// Speed: the tar stream is cut into fixed LAYER_SEGMENT_SIZE segments, compressed in parallel in
// worker threads (pigz's scheme) when there are more than INLINE_SEGMENTS; the encoder is
// compiled once and sent to them. Each segment is encoded on its own, with the 32 KiB before it
// as its window, and ends with a sync flush, so the pieces concatenate into one valid DEFLATE
// stream. A segment's bytes depend only on the input, never on which worker ran it or how many
// there are: the digest is the same with 0, 1 or 8 workers. The CRC-32 and length go in the
// one gzip trailer.
//
// The source is streamed: at most 3 segments per worker are in memory, whatever the file size,
// plus each encoder's WebAssembly memory (its tables and one segment in and out: about 3 MiB).
/**
 * Size of the segments compressed independently (each with the previous 32 KiB as window).
 * Changing it changes the layer digests.
 */
const LAYER_SEGMENT_SIZE = 1 << 20;
/** Modes a layer entry may have: 0644 for rules and data, 0755 for shared libraries. */
const LAYER_MODES = [0o644, 0o755];
/** The USTAR size field holds 11 octal digits. */
const MAX_ENTRY_SIZE = 0o77777777777;
const BLOCK$1 = 512;
/**
 * falcoctl's archive name for a file: the base name cut at the first '.', plus '.tar.gz'
 * (libfoo.so -> libfoo.tar.gz, my.rules.yaml -> my.tar.gz). It is also the layer title.
 */
function layerFileName(sourceFileName) {
    const base = basename(sourceFileName);
    const stem = base.split('.')[0];
    if (stem === '') {
        throw new Error(`cannot name a layer after ${JSON.stringify(sourceFileName)}: its base name is empty before the first "."`);
    }
    return `${stem}.tar.gz`;
}
/** Throws unless `name` is a plain file name that falcoctl extracts flat (no '/', no '..'). */
function assertEntryName(name) {
    const problem = name === ''
        ? 'it is empty'
        : name === '.'
            ? 'it is "."'
            : name.includes('/') || name.includes('\\')
                ? 'it contains a path separator; give a base name'
                : name.includes('..')
                    ? 'it contains ".." (falcoctl refuses to extract such names)'
                    : !/^[\x20-\x7e]+$/.test(name)
                        ? 'it has characters outside printable ASCII (USTAR would need a pax header)'
                        : name.length > 100
                            ? 'it is longer than 100 bytes (the USTAR name field)'
                            : undefined;
    if (problem !== undefined) {
        throw new Error(`invalid layer entry name ${JSON.stringify(name)}: ${problem}`);
    }
}
function writeString(block, offset, length, value) {
    // Go's formatString: copy, then NULs (Go writes one NUL into an already zeroed block).
    const n = block.write(value, offset, length, 'ascii');
    block.fill(0, offset + n, offset + length);
}
function writeOctal(block, offset, length, value) {
    // Go's formatOctal: zero-padded to length-1 digits, then a NUL.
    const digits = value.toString(8);
    if (digits.length > length - 1)
        throw new Error(`tar: ${value} does not fit in ${length} bytes`);
    writeString(block, offset, length, digits.padStart(length - 1, '0'));
}
/** The 512-byte USTAR header of a regular file entry with mtime 0 and owner 0:0. */
function tarHeader(entryName, mode, size) {
    assertEntryName(entryName);
    if (!LAYER_MODES.includes(mode)) {
        throw new Error(`invalid layer entry mode 0${mode.toString(8)}: use 0644 or 0755`);
    }
    if (!Number.isSafeInteger(size) || size < 0 || size > MAX_ENTRY_SIZE) {
        throw new Error(`cannot pack ${entryName}: size ${size} is over the USTAR limit of 8 GiB`);
    }
    const h = Buffer.alloc(BLOCK$1);
    writeString(h, 0, 100, entryName); // name
    writeOctal(h, 100, 8, mode); // mode
    writeOctal(h, 108, 8, 0); // uid
    writeOctal(h, 116, 8, 0); // gid
    writeOctal(h, 124, 12, size); // size
    writeOctal(h, 136, 12, 0); // mtime
    h[156] = 0x30; // typeflag '0': regular file
    // linkname (157, 100): empty
    writeString(h, 257, 6, 'ustar\0'); // magic
    writeString(h, 263, 2, '00'); // version
    // uname (265, 32), gname (297, 32): empty
    writeOctal(h, 329, 8, 0); // devmajor
    writeOctal(h, 337, 8, 0); // devminor
    // prefix (345, 155): empty
    h.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
    let sum = 0;
    for (const byte of h)
        sum += byte;
    writeOctal(h, 148, 7, sum); // 6 digits + NUL ...
    h[155] = 0x20; // ... + space
    return h;
}
/** gzip member header: deflate, no flags, mtime 0, XFL 0, OS 3 (Unix). */
const GZIP_HEADER = Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** Files up to this many segments (MiB) are compressed on the calling thread. The encoder needs
 * no JIT warm-up any more (WebAssembly, about 14 ms per MiB), but starting the workers still costs
 * 20-60 ms: on two idle cores they break even at 8-9 MiB and pay above (16 MiB: 0.15 s instead
 * of 0.19 s; 50 MiB: 0.37 s instead of 0.64 s), on busy ones inline is as fast (BENCHMARKS.md). */
const INLINE_SEGMENTS = 8;
const MAX_WORKERS = 8;
/** Writes a reproducible single-entry tar.gz of `source`, streaming, and returns its digest. */
async function packLayer(opts) {
    const info = await stat(opts.source);
    if (!info.isFile())
        throw new Error(`cannot pack ${opts.source}: not a regular file`);
    const size = info.size;
    const header = tarHeader(opts.entryName, opts.mode, size);
    // The tar stream: header, data padded to a block, two zero blocks.
    const tarLength = BLOCK$1 + Math.ceil(size / BLOCK$1) * BLOCK$1 + 2 * BLOCK$1;
    const segments = Math.ceil(tarLength / LAYER_SEGMENT_SIZE);
    const workers = workerCount(opts.workers, segments);
    const input = await open(opts.source, 'r');
    let pool;
    let output;
    try {
        // Workers start now, while the first segments are being read.
        pool = workers > 0 ? new DeflatePool(workers) : undefined;
        output = await open(opts.destination, 'w', 0o644);
        const out = output;
        const hash = createHash('sha256');
        let written = 0;
        const write = async (data) => {
            hash.update(data);
            let offset = 0;
            while (offset < data.length) {
                const { bytesWritten } = await out.write(data, offset, data.length - offset);
                offset += bytesWritten;
            }
            written += data.length;
            opts.onWritten?.(written);
        };
        await write(GZIP_HEADER);
        // Reads segment k of the tar stream into buf[window..]; returns its length.
        const fill = async (buf, window, k) => {
            const from = k * LAYER_SEGMENT_SIZE;
            const to = Math.min(tarLength, from + LAYER_SEGMENT_SIZE);
            let at = from;
            if (at < BLOCK$1) {
                buf.set(header.subarray(at, Math.min(BLOCK$1, to)), window);
                at = Math.min(BLOCK$1, to);
            }
            while (at < to && at < BLOCK$1 + size) {
                const want = Math.min(to, BLOCK$1 + size) - at;
                const { bytesRead } = await input.read(buf, window + at - from, want, at - BLOCK$1);
                if (bytesRead === 0)
                    throw changedSize(opts.source, size);
                at += bytesRead;
            }
            buf.fill(0, window + at - from, window + to - from); // padding and end-of-archive blocks
            return to - from;
        };
        // Input and output buffers go to a worker and come back with the result, to be used again:
        // no garbage per segment, so every thread's memory stays flat.
        const inputs = [];
        const outputs = [];
        const deflater = pool === undefined ? createSegmentDeflater() : undefined;
        const tail = new Uint8Array(WINDOW); // the last WINDOW bytes of the previous segment
        const pending = [];
        const maxInFlight = Math.max(1, workers * 3);
        let crc = 0;
        const flushOne = async () => {
            const done = await pending.shift();
            inputs.push(done.input);
            await write(done.output);
            outputs.push(done.output.buffer);
        };
        for (let k = 0; k < segments; k++) {
            if (pending.length >= maxInFlight)
                await flushOne();
            const buf = new Uint8Array(inputs.pop() ?? new ArrayBuffer(WINDOW + LAYER_SEGMENT_SIZE));
            const window = Math.min(WINDOW, k * LAYER_SEGMENT_SIZE);
            buf.set(tail.subarray(WINDOW - window), 0);
            const length = await fill(buf, window, k);
            const data = buf.subarray(window, window + length);
            crc = crc32(data, crc);
            if (length >= WINDOW)
                tail.set(data.subarray(length - WINDOW));
            const last = k === segments - 1;
            const output = outputs.pop();
            let job;
            if (pool !== undefined) {
                job = pool.run(buf.buffer, window, window + length, last, output);
            }
            else {
                const d = deflater;
                const out = d.deflateSegment(buf.subarray(0, window + length), window, last, output && new Uint8Array(output));
                job = Promise.resolve({ input: buf.buffer, output: out });
            }
            job.catch(() => undefined); // failures surface when the segment is awaited, in order
            pending.push(job);
        }
        while (pending.length > 0)
            await flushOne();
        // The file must not have grown either.
        const { bytesRead } = await input.read(new Uint8Array(1), 0, 1, size);
        if (bytesRead !== 0)
            throw changedSize(opts.source, size);
        const trailer = new Uint8Array(8);
        const view = new DataView(trailer.buffer);
        view.setUint32(0, crc >>> 0, true);
        view.setUint32(4, tarLength % 2 ** 32, true);
        await write(trailer);
        await out.close();
        return { path: opts.destination, digest: 'sha256:' + hash.digest('hex'), size: written };
    }
    catch (err) {
        await output?.close().catch(() => undefined);
        await rm(opts.destination, { force: true });
        throw err;
    }
    finally {
        await input.close().catch(() => undefined);
        await pool?.close();
    }
}
function changedSize(path, size) {
    return new Error(`${path} changed size while it was being packed (it had ${size} bytes)`);
}
function workerCount(requested, segments) {
    if (requested !== undefined) {
        if (!Number.isInteger(requested) || requested < 0) {
            throw new Error(`packLayer: workers must be a whole number >= 0, not ${requested}`);
        }
        return Math.min(requested, segments);
    }
    if (segments <= INLINE_SEGMENTS)
        return 0;
    return Math.min(availableParallelism(), MAX_WORKERS, segments);
}
const nativeCrc32 = require$$1.crc32;
let crcTable;
function crc32(data, value) {
    if (nativeCrc32)
        return nativeCrc32(data, value);
    return crc32Js(data, value);
}
/** Plain table-driven CRC-32 (IEEE), the same function as zlib.crc32. Exported for tests. */
function crc32Js(data, value) {
    if (!crcTable) {
        crcTable = new Int32Array(256);
        for (let n = 0; n < 256; n++) {
            let c = n;
            for (let k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
            crcTable[n] = c;
        }
    }
    const t = crcTable;
    let c = ~value;
    for (let i = 0; i < data.length; i++)
        c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
    return ~c >>> 0;
}
// The worker module sits beside this one: src/falco/deflate-worker.js in the source tree (plain
// JavaScript, as the encoder it runs), dist/deflate-worker.js beside the bundle's chunks.
const WORKER_URL = new URL('./deflate-worker.js', import.meta.url);
class DeflatePool {
    workers = [];
    load = [];
    waiting = new Map();
    nextId = 0;
    failure;
    constructor(size) {
        for (let w = 0; w < size; w++) {
            // The module compiled once, here, and shared: its code is not compiled again per worker.
            const worker = new Worker(WORKER_URL, { workerData: { module: deflateModule() } });
            worker.on('message', (reply) => this.settle(reply));
            worker.on('error', (err) => this.fail(new Error(`layer compression worker: ${err.message}`)));
            worker.on('exit', (code) => {
                if (code !== 0)
                    this.fail(new Error(`layer compression worker exited with code ${code}`));
            });
            this.workers.push(worker);
            this.load.push(0);
        }
    }
    /**
     * Compresses buffer[start..end) with buffer[0..start) as window, into `output` if given. Both
     * buffers are transferred to the worker, and come back in the Segment.
     */
    run(buffer, start, end, last, output) {
        if (this.failure)
            return Promise.reject(this.failure);
        let w = 0;
        for (let i = 1; i < this.workers.length; i++)
            if (this.load[i] < this.load[w])
                w = i;
        const id = this.nextId++;
        this.load[w]++;
        return new Promise((resolve, reject) => {
            this.waiting.set(id, { worker: w, resolve, reject });
            const transfer = output ? [buffer, output] : [buffer];
            this.workers[w].postMessage({ id, buffer, output, start, end, last }, transfer);
        });
    }
    settle(reply) {
        const job = this.waiting.get(reply.id);
        if (!job)
            return;
        this.waiting.delete(reply.id);
        this.load[job.worker]--;
        if (reply.error !== undefined || !reply.buffer || !reply.out) {
            job.reject(new Error(`layer compression failed: ${reply.error ?? 'no output'}`));
            return;
        }
        job.resolve({ input: reply.buffer, output: reply.out });
    }
    fail(err) {
        this.failure ??= err;
        for (const job of this.waiting.values())
            job.reject(err);
        this.waiting.clear();
    }
    async close() {
        await Promise.all(this.workers.map((w) => w.terminate()));
    }
}

// Paths the inputs name stay inside the workspace (GITHUB_WORKSPACE, the checkout), so that a
// workflow cannot be talked into publishing `../secrets.yaml` or writing over a file outside the
// checkout, and files are never written through a symbolic link. Outside GitHub Actions (the
// CLI) there is no workspace and nothing is confined.
/** The workspace of a run whose checkout is `dir` (GITHUB_WORKSPACE; undefined: none). */
function workspaceOf(dir, allowOutside) {
    return { root: dir ? realOrSelf(resolve(dir)) : undefined, allowOutside };
}
function realOrSelf(path) {
    try {
        return realpathSync(path);
    }
    catch {
        return path;
    }
}
/** The real path of `path`, following every symbolic link of the part that exists. */
function realPathOf(path) {
    const abs = resolve(path);
    const missing = [];
    let existing = abs;
    for (;;) {
        try {
            lstatSync(existing);
            break;
        }
        catch {
            const parent = dirname(existing);
            if (parent === existing)
                break;
            missing.unshift(basename(existing));
            existing = parent;
        }
    }
    return join(realOrSelf(existing), ...missing);
}
function isInside(path, root) {
    const rel = relative(root, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
/**
 * Refuses a path (to read or to write) that leads outside the workspace, symbolic links
 * included, unless allow-outside-workspace is set. Returns the absolute path.
 */
function confine(ws, path, what) {
    const abs = resolve(path);
    if (ws.root === undefined || ws.allowOutside)
        return abs;
    const real = realPathOf(abs);
    if (!isInside(real, ws.root)) {
        const via = real !== abs ? ` (through a symbolic link, it is ${real})` : '';
        throw new InputError(`${what} "${path}" is outside the workspace ${ws.root}${via}: use a path inside the ` +
            'repository checkout, or set allow-outside-workspace: true if this is intended. Nothing was pushed.');
    }
    return abs;
}
/**
 * Writes a file without ever following a symbolic link at its path: a link there is refused
 * (a checked-in `index.yaml -> /etc/...` must not redirect the write). The content goes to a
 * temporary file first and is renamed into place, so a reader never sees half a file.
 */
async function writeFileNoFollow(path, content, what) {
    const abs = resolve(path);
    const info = await lstat(abs).catch(() => undefined);
    if (info?.isSymbolicLink()) {
        throw new Error(`${what} ${path} is a symbolic link: refusing to write through it; point ${what} at a regular file`);
    }
    if (info !== undefined && !info.isFile())
        throw new Error(`${what} ${path} is not a regular file`);
    await mkdir(dirname(abs), { recursive: true });
    const tmp = join(dirname(abs), `.${basename(abs)}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile$1(tmp, content, { flag: 'wx', mode: info ? info.mode & 0o777 : 0o644 });
    await rename(tmp, abs);
}

/** The architectures Falco ships for, in the order releases list them. */
const SUPPORTED_ARCHITECTURES = ['amd64', 'arm64'];
/** ELF e_machine values (elf.h). */
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
/** The ELF machines Go builds for (e_machine): binutils' name and the Go architecture. */
const ELF_MACHINES = {
    3: { name: 'Intel 80386', goarch: '386' },
    8: { name: 'MIPS', goarch: 'mips' },
    20: { name: 'PowerPC', goarch: 'ppc' },
    21: { name: 'PowerPC64', goarch: 'ppc64le' },
    22: { name: 'IBM S/390', goarch: 's390x' },
    40: { name: 'ARM', goarch: 'arm' },
    [EM_X86_64]: { name: 'x86-64', goarch: 'amd64' },
    [EM_AARCH64]: { name: 'AArch64', goarch: 'arm64' },
    243: { name: 'RISC-V', goarch: 'riscv64' },
    258: { name: 'LoongArch', goarch: 'loong64' }
};
/** How binutils and people call an ELF machine: "x86-64", "AArch64", or "machine 1234". */
function elfMachineName(machine) {
    return ELF_MACHINES[machine]?.name ?? `machine ${machine}`;
}
/** The Go architecture of an ELF machine ("amd64", "386", ...), or undefined when unknown. */
function goarchOfElfMachine(machine) {
    return ELF_MACHINES[machine]?.goarch;
}
const ARCHITECTURES = {
    amd64: {
        goarch: 'amd64',
        elfMachine: EM_X86_64,
        machineName: elfMachineName(EM_X86_64),
        gnuTriplet: 'x86_64-linux-gnu',
        crossCompiler: 'x86_64-linux-gnu-gcc',
        crossPackages: ['gcc-x86-64-linux-gnu', 'libc6-dev-amd64-cross'],
        qemu: 'qemu-x86_64',
        crossSysroot: '/usr/x86_64-linux-gnu',
        runner: 'ubuntu-24.04'
    },
    arm64: {
        goarch: 'arm64',
        elfMachine: EM_AARCH64,
        machineName: elfMachineName(EM_AARCH64),
        gnuTriplet: 'aarch64-linux-gnu',
        crossCompiler: 'aarch64-linux-gnu-gcc',
        crossPackages: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'],
        qemu: 'qemu-aarch64',
        crossSysroot: '/usr/aarch64-linux-gnu',
        runner: 'ubuntu-24.04-arm'
    }
};
/** Names people write for an architecture that Go and OCI spell otherwise. */
const ALIASES = {
    x86_64: 'amd64',
    'x86-64': 'amd64',
    x64: 'amd64',
    aarch64: 'arm64',
    arm64v8: 'arm64'
};
/** Go architectures we know but Falco does not ship plugins for. */
const OTHER_GOARCHES = new Set([
    '386',
    'arm',
    'ppc64',
    'ppc64le',
    's390x',
    'riscv64',
    'mips',
    'mipsle',
    'mips64',
    'mips64le',
    'loong64',
    'wasm'
]);
const SUPPORTED_TEXT = 'linux/amd64 and linux/arm64';
function isSupportedArchitecture(arch) {
    return SUPPORTED_ARCHITECTURES.includes(arch);
}
/** The facts of a platform's architecture; throws for anything but linux/amd64 and linux/arm64. */
function architectureFacts(platform) {
    if (platform.os !== 'linux' || !isSupportedArchitecture(platform.architecture)) {
        throw new Error(`unsupported platform ${formatPlatform(platform)}: only ${SUPPORTED_TEXT} are supported`);
    }
    return ARCHITECTURES[platform.architecture];
}
/** "linux/arm64". */
function formatPlatform(platform) {
    return `${platform.os}/${platform.architecture}`;
}
function samePlatform(a, b) {
    return a.os === b.os && a.architecture === b.architecture;
}
/** The Go architecture of an ELF e_machine, or undefined when it is not one we release for. */
function architectureOfElfMachine(machine) {
    return SUPPORTED_ARCHITECTURES.find((a) => ARCHITECTURES[a].elfMachine === machine);
}
/**
 * The order releases list platforms in (a comparator for a stable sort): the
 * SUPPORTED_ARCHITECTURES order, amd64 first, then any other architecture as given.
 */
function byReleaseOrder(a, b) {
    return releaseRank(a) - releaseRank(b);
}
function releaseRank(p) {
    const i = SUPPORTED_ARCHITECTURES.indexOf(p.architecture);
    return i === -1 ? SUPPORTED_ARCHITECTURES.length : i;
}
/** This machine in GOOS/GOARCH terms (Node's x64 is Go's amd64). */
function hostPlatform(nodePlatform = process.platform, nodeArch = process.arch) {
    const arch = {
        x64: 'amd64',
        arm64: 'arm64',
        ia32: '386',
        arm: 'arm',
        ppc64: 'ppc64le',
        s390x: 's390x',
        riscv64: 'riscv64',
        loong64: 'loong64'
    };
    const os = { win32: 'windows', sunos: 'solaris' };
    return { os: os[nodePlatform] ?? nodePlatform, architecture: arch[nodeArch] ?? nodeArch };
}
/** True when a .so for this platform can be loaded here without emulation. */
function isHostPlatform(platform, host = hostPlatform()) {
    return samePlatform(platform, host);
}
function parseOne(entry, note) {
    const parts = entry.split('/');
    const written = entry;
    if (parts.length === 1) {
        const arch = ALIASES[entry.toLowerCase()] ?? entry.toLowerCase();
        const hint = isSupportedArchitecture(arch) ? `write linux/${arch}` : `use ${SUPPORTED_TEXT}`;
        return `'${written}' has no operating system: platforms are written os/architecture (${hint})`;
    }
    if (parts.some((p) => p.trim() === '')) {
        return `'${written}' is not os/architecture (e.g. linux/amd64)`;
    }
    const [os, arch] = parts.map((p) => p.trim());
    const lowOs = os.toLowerCase();
    const lowArch = arch.toLowerCase();
    const mapped = ALIASES[lowArch] ?? lowArch;
    if (lowOs !== 'linux') {
        return `'${written}': Falco plugins are Linux shared libraries; the operating system must be linux`;
    }
    if (parts.length > 2) {
        const base = isSupportedArchitecture(mapped) ? `linux/${mapped}` : 'linux/<architecture>';
        return (`'${written}': platform variants are not used for Falco plugins (falcoctl matches ` +
            `os/architecture only): write ${base}`);
    }
    if (!isSupportedArchitecture(mapped)) {
        const why = OTHER_GOARCHES.has(mapped)
            ? `Falco does not ship for ${mapped}`
            : `'${arch}' is not a Go architecture name`;
        return `'${written}': ${why}; supported platforms are ${SUPPORTED_TEXT}`;
    }
    const platform = { os: 'linux', architecture: mapped };
    if (mapped !== arch) {
        note(`platform '${written}' read as ${formatPlatform(platform)}: OCI manifests and falcoctl use ` +
            `Go's architecture names (${mapped}), and falcoctl would never select '${arch}'`);
    }
    else if (os !== 'linux') {
        note(`platform '${written}' read as ${formatPlatform(platform)}`);
    }
    return platform;
}
/**
 * Parses a list of platforms such as "linux/amd64,linux/arm64" (comma, space or newline
 * separated). x86_64 and aarch64 are mapped to amd64 and arm64 (each mapping is passed to note);
 * any other operating system than linux, architecture, or a variant is refused, with every bad
 * entry named in one Error. The result has no duplicates and lists amd64 before arm64.
 */
function parsePlatforms(input, note = () => undefined) {
    const entries = input
        .split(/[,\s]+/)
        .map((e) => e.trim())
        .filter((e) => e !== '');
    if (entries.length === 0) {
        throw new Error(`platforms is empty: list at least one of ${SUPPORTED_TEXT}`);
    }
    const errors = [];
    const found = new Set();
    for (const entry of entries) {
        const r = parseOne(entry, note);
        if (typeof r === 'string')
            errors.push(r);
        else
            found.add(r.architecture);
    }
    if (errors.length > 0) {
        throw new Error(`invalid platforms '${input.trim()}':\n- ${errors.join('\n- ')}`);
    }
    return SUPPORTED_ARCHITECTURES.filter((a) => found.has(a)).map((architecture) => ({
        os: 'linux',
        architecture
    }));
}

var re = {exports: {}};

var constants;
var hasRequiredConstants;

function requireConstants () {
	if (hasRequiredConstants) return constants;
	hasRequiredConstants = 1;

	// Note: this is the semver.org version of the spec that it implements
	// Not necessarily the package version of this code.
	const SEMVER_SPEC_VERSION = '2.0.0';

	const MAX_LENGTH = 256;
	const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER ||
	/* istanbul ignore next */ 9007199254740991;

	// Max safe segment length for coercion.
	const MAX_SAFE_COMPONENT_LENGTH = 16;

	// Max safe length for a build identifier. The max length minus 6 characters for
	// the shortest version with a build 0.0.0+BUILD.
	const MAX_SAFE_BUILD_LENGTH = MAX_LENGTH - 6;

	// ECMAScript whitespace and line terminators matched by \s.
	const WHITESPACE_CHARACTERS = [
	  '\t',
	  '\n',
	  '\v',
	  '\f',
	  '\r',
	  ' ',
	  '\u00a0',
	  '\u1680',
	  '\u2000',
	  '\u2001',
	  '\u2002',
	  '\u2003',
	  '\u2004',
	  '\u2005',
	  '\u2006',
	  '\u2007',
	  '\u2008',
	  '\u2009',
	  '\u200a',
	  '\u2028',
	  '\u2029',
	  '\u202f',
	  '\u205f',
	  '\u3000',
	  '\ufeff',
	];

	const RELEASE_TYPES = [
	  'major',
	  'premajor',
	  'minor',
	  'preminor',
	  'patch',
	  'prepatch',
	  'prerelease',
	];

	constants = {
	  MAX_LENGTH,
	  MAX_SAFE_COMPONENT_LENGTH,
	  MAX_SAFE_BUILD_LENGTH,
	  MAX_SAFE_INTEGER,
	  WHITESPACE_CHARACTERS,
	  RELEASE_TYPES,
	  SEMVER_SPEC_VERSION,
	  FLAG_INCLUDE_PRERELEASE: 0b001,
	  FLAG_LOOSE: 0b010,
	};
	return constants;
}

var debug_1;
var hasRequiredDebug;

function requireDebug () {
	if (hasRequiredDebug) return debug_1;
	hasRequiredDebug = 1;

	const debug = (
	  typeof process === 'object' &&
	  process.env &&
	  process.env.NODE_DEBUG &&
	  /\bsemver\b/i.test(process.env.NODE_DEBUG)
	) ? (...args) => console.error('SEMVER', ...args)
	  : () => {};

	debug_1 = debug;
	return debug_1;
}

var hasRequiredRe;

function requireRe () {
	if (hasRequiredRe) return re.exports;
	hasRequiredRe = 1;
	(function (module, exports) {

		const {
		  MAX_SAFE_COMPONENT_LENGTH,
		  MAX_SAFE_BUILD_LENGTH,
		  MAX_LENGTH,
		} = requireConstants();
		const debug = requireDebug();
		exports = module.exports = {};

		// The actual regexps go on exports.re
		const re = exports.re = [];
		const safeRe = exports.safeRe = [];
		const src = exports.src = [];
		const safeSrc = exports.safeSrc = [];
		const t = exports.t = {};
		let R = 0;

		const LETTERDASHNUMBER = '[a-zA-Z0-9-]';

		// Replace some greedy regex tokens to prevent regex dos issues. These regex are
		// used internally via the safeRe object since all inputs in this library get
		// normalized first to trim and collapse all extra whitespace. The original
		// regexes are exported for userland consumption and lower level usage. A
		// future breaking change could export the safer regex only with a note that
		// all input should have extra whitespace removed.
		const safeRegexReplacements = [
		  ['\\s', 1],
		  ['\\d', MAX_LENGTH],
		  [LETTERDASHNUMBER, MAX_SAFE_BUILD_LENGTH],
		];

		const makeSafeRegex = (value) => {
		  for (const [token, max] of safeRegexReplacements) {
		    value = value
		      .split(`${token}*`).join(`${token}{0,${max}}`)
		      .split(`${token}+`).join(`${token}{1,${max}}`);
		  }
		  return value
		};

		const createToken = (name, value, isGlobal) => {
		  const safe = makeSafeRegex(value);
		  const index = R++;
		  debug(name, index, value);
		  t[name] = index;
		  src[index] = value;
		  safeSrc[index] = safe;
		  re[index] = new RegExp(value, isGlobal ? 'g' : undefined);
		  safeRe[index] = new RegExp(safe, isGlobal ? 'g' : undefined);
		};

		// The following Regular Expressions can be used for tokenizing,
		// validating, and parsing SemVer version strings.

		// ## Numeric Identifier
		// A single `0`, or a non-zero digit followed by zero or more digits.

		createToken('NUMERICIDENTIFIER', '0|[1-9]\\d*');
		createToken('NUMERICIDENTIFIERLOOSE', '\\d+');

		// ## Non-numeric Identifier
		// Zero or more digits, followed by a letter or hyphen, and then zero or
		// more letters, digits, or hyphens.

		createToken('NONNUMERICIDENTIFIER', `\\d*[a-zA-Z-]${LETTERDASHNUMBER}*`);

		// ## Main Version
		// Three dot-separated numeric identifiers.

		createToken('MAINVERSION', `(${src[t.NUMERICIDENTIFIER]})\\.` +
		                   `(${src[t.NUMERICIDENTIFIER]})\\.` +
		                   `(${src[t.NUMERICIDENTIFIER]})`);

		createToken('MAINVERSIONLOOSE', `(${src[t.NUMERICIDENTIFIERLOOSE]})\\.` +
		                        `(${src[t.NUMERICIDENTIFIERLOOSE]})\\.` +
		                        `(${src[t.NUMERICIDENTIFIERLOOSE]})`);

		// ## Pre-release Version Identifier
		// A numeric identifier, or a non-numeric identifier.
		// Non-numeric identifiers include numeric identifiers but can be longer.
		// Therefore non-numeric identifiers must go first.

		createToken('PRERELEASEIDENTIFIER', `(?:${src[t.NONNUMERICIDENTIFIER]
		}|${src[t.NUMERICIDENTIFIER]})`);

		createToken('PRERELEASEIDENTIFIERLOOSE', `(?:${src[t.NONNUMERICIDENTIFIER]
		}|${src[t.NUMERICIDENTIFIERLOOSE]})`);

		// ## Pre-release Version
		// Hyphen, followed by one or more dot-separated pre-release version
		// identifiers.

		createToken('PRERELEASE', `(?:-(${src[t.PRERELEASEIDENTIFIER]
		}(?:\\.${src[t.PRERELEASEIDENTIFIER]})*))`);

		createToken('PRERELEASELOOSE', `(?:-?(${src[t.PRERELEASEIDENTIFIERLOOSE]
		}(?:\\.${src[t.PRERELEASEIDENTIFIERLOOSE]})*))`);

		// ## Build Metadata Identifier
		// Any combination of digits, letters, or hyphens.

		createToken('BUILDIDENTIFIER', `${LETTERDASHNUMBER}+`);

		// ## Build Metadata
		// Plus sign, followed by one or more period-separated build metadata
		// identifiers.

		createToken('BUILD', `(?:\\+(${src[t.BUILDIDENTIFIER]
		}(?:\\.${src[t.BUILDIDENTIFIER]})*))`);

		// ## Full Version String
		// A main version, followed optionally by a pre-release version and
		// build metadata.

		// Note that the only major, minor, patch, and pre-release sections of
		// the version string are capturing groups.  The build metadata is not a
		// capturing group, because it should not ever be used in version
		// comparison.

		createToken('FULLPLAIN', `v?${src[t.MAINVERSION]
		}${src[t.PRERELEASE]}?${
		  src[t.BUILD]}?`);

		createToken('FULL', `^${src[t.FULLPLAIN]}$`);

		// like full, but allows v1.2.3 and =1.2.3, which people do sometimes.
		// also, 1.0.0alpha1 (prerelease without the hyphen) which is pretty
		// common in the npm registry.
		createToken('LOOSEPLAIN', `[v=\\s]*${src[t.MAINVERSIONLOOSE]
		}${src[t.PRERELEASELOOSE]}?${
		  src[t.BUILD]}?`);

		createToken('LOOSE', `^${src[t.LOOSEPLAIN]}$`);

		createToken('GTLT', '((?:<|>)?=?)');

		// Something like "2.*" or "1.2.x".
		// Note that "x.x" is a valid xRange identifier, meaning "any version"
		// Only the first item is strictly required.
		createToken('XRANGEIDENTIFIERLOOSE', `${src[t.NUMERICIDENTIFIERLOOSE]}|x|X|\\*`);
		createToken('XRANGEIDENTIFIER', `${src[t.NUMERICIDENTIFIER]}|x|X|\\*`);

		createToken('XRANGEPLAIN', `[v=\\s]*(${src[t.XRANGEIDENTIFIER]})` +
		                   `(?:\\.(${src[t.XRANGEIDENTIFIER]})` +
		                   `(?:\\.(${src[t.XRANGEIDENTIFIER]})` +
		                   `(?:${src[t.PRERELEASE]})?${
		                     src[t.BUILD]}?` +
		                   `)?)?`);

		createToken('XRANGEPLAINLOOSE', `[v=\\s]*(${src[t.XRANGEIDENTIFIERLOOSE]})` +
		                        `(?:\\.(${src[t.XRANGEIDENTIFIERLOOSE]})` +
		                        `(?:\\.(${src[t.XRANGEIDENTIFIERLOOSE]})` +
		                        `(?:${src[t.PRERELEASELOOSE]})?${
		                          src[t.BUILD]}?` +
		                        `)?)?`);

		createToken('XRANGE', `^${src[t.GTLT]}\\s*${src[t.XRANGEPLAIN]}$`);
		createToken('XRANGELOOSE', `^${src[t.GTLT]}\\s*${src[t.XRANGEPLAINLOOSE]}$`);

		// Coercion.
		// Extract anything that could conceivably be a part of a valid semver
		createToken('COERCEPLAIN', `${'(^|[^\\d])' +
		              '(\\d{1,'}${MAX_SAFE_COMPONENT_LENGTH}})` +
		              `(?:\\.(\\d{1,${MAX_SAFE_COMPONENT_LENGTH}}))?` +
		              `(?:\\.(\\d{1,${MAX_SAFE_COMPONENT_LENGTH}}))?`);
		createToken('COERCE', `${src[t.COERCEPLAIN]}(?:$|[^\\d])`);
		createToken('COERCEFULL', src[t.COERCEPLAIN] +
		              `(?:${src[t.PRERELEASE]})?` +
		              `(?:${src[t.BUILD]})?` +
		              `(?:$|[^\\d])`);
		createToken('COERCERTL', src[t.COERCE], true);
		createToken('COERCERTLFULL', src[t.COERCEFULL], true);

		// Tilde ranges.
		// Meaning is "reasonably at or greater than"
		createToken('LONETILDE', '(?:~>?)');

		createToken('TILDETRIM', `(\\s*)${src[t.LONETILDE]}\\s+`, true);
		exports.tildeTrimReplace = '$1~';

		createToken('TILDE', `^${src[t.LONETILDE]}${src[t.XRANGEPLAIN]}$`);
		createToken('TILDELOOSE', `^${src[t.LONETILDE]}${src[t.XRANGEPLAINLOOSE]}$`);

		// Caret ranges.
		// Meaning is "at least and backwards compatible with"
		createToken('LONECARET', '(?:\\^)');

		createToken('CARETTRIM', `(\\s*)${src[t.LONECARET]}\\s+`, true);
		exports.caretTrimReplace = '$1^';

		createToken('CARET', `^${src[t.LONECARET]}${src[t.XRANGEPLAIN]}$`);
		createToken('CARETLOOSE', `^${src[t.LONECARET]}${src[t.XRANGEPLAINLOOSE]}$`);

		// A simple gt/lt/eq thing, or just "" to indicate "any version"
		createToken('COMPARATORLOOSE', `^${src[t.GTLT]}\\s*(${src[t.LOOSEPLAIN]})$|^$`);
		createToken('COMPARATOR', `^${src[t.GTLT]}\\s*(${src[t.FULLPLAIN]})$|^$`);

		// An expression to strip any whitespace between the gtlt and the thing
		// it modifies, so that `> 1.2.3` ==> `>1.2.3`
		createToken('COMPARATORTRIM', `(\\s*)${src[t.GTLT]
		}\\s*(${src[t.LOOSEPLAIN]}|${src[t.XRANGEPLAIN]})`, true);
		exports.comparatorTrimReplace = '$1$2$3';

		// Something like `1.2.3 - 1.2.4`
		// Note that these all use the loose form, because they'll be
		// checked against either the strict or loose comparator form
		// later.
		createToken('HYPHENRANGE', `^\\s*(${src[t.XRANGEPLAIN]})` +
		                   `\\s+-\\s+` +
		                   `(${src[t.XRANGEPLAIN]})` +
		                   `\\s*$`);

		createToken('HYPHENRANGELOOSE', `^\\s*(${src[t.XRANGEPLAINLOOSE]})` +
		                        `\\s+-\\s+` +
		                        `(${src[t.XRANGEPLAINLOOSE]})` +
		                        `\\s*$`);

		// Star ranges basically just allow anything at all.
		createToken('STAR', '(<|>)?=?\\s*\\*');
		// >=0.0.0 is like a star
		createToken('GTE0', '^\\s*>=\\s*0\\.0\\.0\\s*$');
		createToken('GTE0PRE', '^\\s*>=\\s*0\\.0\\.0-0\\s*$'); 
	} (re, re.exports));
	return re.exports;
}

var parseOptions_1;
var hasRequiredParseOptions;

function requireParseOptions () {
	if (hasRequiredParseOptions) return parseOptions_1;
	hasRequiredParseOptions = 1;

	// parse out just the options we care about
	const looseOption = Object.freeze({ loose: true });
	const emptyOpts = Object.freeze({ });
	const parseOptions = options => {
	  if (!options) {
	    return emptyOpts
	  }

	  if (typeof options !== 'object') {
	    return looseOption
	  }

	  return options
	};
	parseOptions_1 = parseOptions;
	return parseOptions_1;
}

var identifiers;
var hasRequiredIdentifiers;

function requireIdentifiers () {
	if (hasRequiredIdentifiers) return identifiers;
	hasRequiredIdentifiers = 1;

	const numeric = /^[0-9]+$/;
	const compareIdentifiers = (a, b) => {
	  if (typeof a === 'number' && typeof b === 'number') {
	    return a === b ? 0 : a < b ? -1 : 1
	  }

	  const anum = numeric.test(a);
	  const bnum = numeric.test(b);

	  if (anum && bnum) {
	    a = +a;
	    b = +b;
	  }

	  return a === b ? 0
	    : (anum && !bnum) ? -1
	    : (bnum && !anum) ? 1
	    : a < b ? -1
	    : 1
	};

	const rcompareIdentifiers = (a, b) => compareIdentifiers(b, a);

	identifiers = {
	  compareIdentifiers,
	  rcompareIdentifiers,
	};
	return identifiers;
}

var semver$2;
var hasRequiredSemver$1;

function requireSemver$1 () {
	if (hasRequiredSemver$1) return semver$2;
	hasRequiredSemver$1 = 1;

	const debug = requireDebug();
	const { MAX_LENGTH, MAX_SAFE_INTEGER } = requireConstants();
	const { safeRe: re, t } = requireRe();

	const parseOptions = requireParseOptions();
	const { compareIdentifiers } = requireIdentifiers();

	const isPrereleaseIdentifier = (prerelease, identifier) => {
	  const identifiers = identifier.split('.');
	  if (identifiers.length > prerelease.length) {
	    return false
	  }

	  for (let i = 0; i < identifiers.length; i++) {
	    if (compareIdentifiers(prerelease[i], identifiers[i]) !== 0) {
	      return false
	    }
	  }

	  return true
	};

	class SemVer {
	  constructor (version, options) {
	    options = parseOptions(options);

	    if (version instanceof SemVer) {
	      if (version.loose === !!options.loose &&
	        version.includePrerelease === !!options.includePrerelease) {
	        return version
	      } else {
	        version = version.version;
	      }
	    } else if (typeof version !== 'string') {
	      throw new TypeError(`Invalid version. Must be a string. Got type "${typeof version}".`)
	    }

	    if (version.length > MAX_LENGTH) {
	      throw new TypeError(
	        `version is longer than ${MAX_LENGTH} characters`
	      )
	    }

	    debug('SemVer', version, options);
	    this.options = options;
	    this.loose = !!options.loose;
	    // this isn't actually relevant for versions, but keep it so that we
	    // don't run into trouble passing this.options around.
	    this.includePrerelease = !!options.includePrerelease;

	    const m = version.trim().match(options.loose ? re[t.LOOSE] : re[t.FULL]);

	    if (!m) {
	      throw new TypeError(`Invalid Version: ${version}`)
	    }

	    this.raw = version;

	    // these are actually numbers
	    this.major = +m[1];
	    this.minor = +m[2];
	    this.patch = +m[3];

	    if (this.major > MAX_SAFE_INTEGER || this.major < 0) {
	      throw new TypeError('Invalid major version')
	    }

	    if (this.minor > MAX_SAFE_INTEGER || this.minor < 0) {
	      throw new TypeError('Invalid minor version')
	    }

	    if (this.patch > MAX_SAFE_INTEGER || this.patch < 0) {
	      throw new TypeError('Invalid patch version')
	    }

	    // numberify any prerelease numeric ids
	    if (!m[4]) {
	      this.prerelease = [];
	    } else {
	      this.prerelease = m[4].split('.').map((id) => {
	        if (/^[0-9]+$/.test(id)) {
	          const num = +id;
	          if (num >= 0 && num < MAX_SAFE_INTEGER) {
	            return num
	          }
	        }
	        return id
	      });
	    }

	    this.build = m[5] ? m[5].split('.') : [];
	    this.format();
	  }

	  format () {
	    this.version = `${this.major}.${this.minor}.${this.patch}`;
	    if (this.prerelease.length) {
	      this.version += `-${this.prerelease.join('.')}`;
	    }
	    return this.version
	  }

	  toString () {
	    return this.version
	  }

	  compare (other) {
	    debug('SemVer.compare', this.version, this.options, other);
	    if (!(other instanceof SemVer)) {
	      if (typeof other === 'string' && other === this.version) {
	        return 0
	      }
	      other = new SemVer(other, this.options);
	    }

	    if (other.version === this.version) {
	      return 0
	    }

	    return this.compareMain(other) || this.comparePre(other)
	  }

	  compareMain (other) {
	    if (!(other instanceof SemVer)) {
	      other = new SemVer(other, this.options);
	    }

	    if (this.major < other.major) {
	      return -1
	    }
	    if (this.major > other.major) {
	      return 1
	    }
	    if (this.minor < other.minor) {
	      return -1
	    }
	    if (this.minor > other.minor) {
	      return 1
	    }
	    if (this.patch < other.patch) {
	      return -1
	    }
	    if (this.patch > other.patch) {
	      return 1
	    }
	    return 0
	  }

	  comparePre (other) {
	    if (!(other instanceof SemVer)) {
	      other = new SemVer(other, this.options);
	    }

	    // NOT having a prerelease is > having one
	    if (this.prerelease.length && !other.prerelease.length) {
	      return -1
	    } else if (!this.prerelease.length && other.prerelease.length) {
	      return 1
	    } else if (!this.prerelease.length && !other.prerelease.length) {
	      return 0
	    }

	    let i = 0;
	    do {
	      const a = this.prerelease[i];
	      const b = other.prerelease[i];
	      debug('prerelease compare', i, a, b);
	      if (a === undefined && b === undefined) {
	        return 0
	      } else if (b === undefined) {
	        return 1
	      } else if (a === undefined) {
	        return -1
	      } else if (a === b) {
	        continue
	      } else {
	        return compareIdentifiers(a, b)
	      }
	    } while (++i)
	  }

	  compareBuild (other) {
	    if (!(other instanceof SemVer)) {
	      other = new SemVer(other, this.options);
	    }

	    let i = 0;
	    do {
	      const a = this.build[i];
	      const b = other.build[i];
	      debug('build compare', i, a, b);
	      if (a === undefined && b === undefined) {
	        return 0
	      } else if (b === undefined) {
	        return 1
	      } else if (a === undefined) {
	        return -1
	      } else if (a === b) {
	        continue
	      } else {
	        return compareIdentifiers(a, b)
	      }
	    } while (++i)
	  }

	  // preminor will bump the version up to the next minor release, and immediately
	  // down to pre-release. premajor and prepatch work the same way.
	  inc (release, identifier, identifierBase) {
	    if (release.startsWith('pre')) {
	      if (!identifier && identifierBase === false) {
	        throw new Error('invalid increment argument: identifier is empty')
	      }
	      // Avoid an invalid semver results
	      if (identifier) {
	        const match = `-${identifier}`.match(this.options.loose ? re[t.PRERELEASELOOSE] : re[t.PRERELEASE]);
	        if (!match || match[1] !== identifier) {
	          throw new Error(`invalid identifier: ${identifier}`)
	        }
	      }
	    }

	    switch (release) {
	      case 'premajor':
	        this.prerelease.length = 0;
	        this.patch = 0;
	        this.minor = 0;
	        this.major++;
	        this.inc('pre', identifier, identifierBase);
	        break
	      case 'preminor':
	        this.prerelease.length = 0;
	        this.patch = 0;
	        this.minor++;
	        this.inc('pre', identifier, identifierBase);
	        break
	      case 'prepatch':
	        // If this is already a prerelease, it will bump to the next version
	        // drop any prereleases that might already exist, since they are not
	        // relevant at this point.
	        this.prerelease.length = 0;
	        this.inc('patch', identifier, identifierBase);
	        this.inc('pre', identifier, identifierBase);
	        break
	      // If the input is a non-prerelease version, this acts the same as
	      // prepatch.
	      case 'prerelease':
	        if (this.prerelease.length === 0) {
	          this.inc('patch', identifier, identifierBase);
	        }
	        this.inc('pre', identifier, identifierBase);
	        break
	      case 'release':
	        if (this.prerelease.length === 0) {
	          throw new Error(`version ${this.raw} is not a prerelease`)
	        }
	        this.prerelease.length = 0;
	        break

	      case 'major':
	        // If this is a pre-major version, bump up to the same major version.
	        // Otherwise increment major.
	        // 1.0.0-5 bumps to 1.0.0
	        // 1.1.0 bumps to 2.0.0
	        if (
	          this.minor !== 0 ||
	          this.patch !== 0 ||
	          this.prerelease.length === 0
	        ) {
	          this.major++;
	        }
	        this.minor = 0;
	        this.patch = 0;
	        this.prerelease = [];
	        break
	      case 'minor':
	        // If this is a pre-minor version, bump up to the same minor version.
	        // Otherwise increment minor.
	        // 1.2.0-5 bumps to 1.2.0
	        // 1.2.1 bumps to 1.3.0
	        if (this.patch !== 0 || this.prerelease.length === 0) {
	          this.minor++;
	        }
	        this.patch = 0;
	        this.prerelease = [];
	        break
	      case 'patch':
	        // If this is not a pre-release version, it will increment the patch.
	        // If it is a pre-release it will bump up to the same patch version.
	        // 1.2.0-5 patches to 1.2.0
	        // 1.2.0 patches to 1.2.1
	        if (this.prerelease.length === 0) {
	          this.patch++;
	        }
	        this.prerelease = [];
	        break
	      // This probably shouldn't be used publicly.
	      // 1.0.0 'pre' would become 1.0.0-0 which is the wrong direction.
	      case 'pre': {
	        const base = Number(identifierBase) ? 1 : 0;

	        if (this.prerelease.length === 0) {
	          this.prerelease = [base];
	        } else {
	          let i = this.prerelease.length;
	          while (--i >= 0) {
	            if (typeof this.prerelease[i] === 'number') {
	              this.prerelease[i]++;
	              i = -2;
	            }
	          }
	          if (i === -1) {
	            // didn't increment anything
	            if (identifier === this.prerelease.join('.') && identifierBase === false) {
	              throw new Error('invalid increment argument: identifier already exists')
	            }
	            this.prerelease.push(base);
	          }
	        }
	        if (identifier) {
	          // 1.2.0-beta.1 bumps to 1.2.0-beta.2,
	          // 1.2.0-beta.fooblz or 1.2.0-beta bumps to 1.2.0-beta.0
	          let prerelease = [identifier, base];
	          if (identifierBase === false) {
	            prerelease = [identifier];
	          }
	          if (isPrereleaseIdentifier(this.prerelease, identifier)) {
	            const prereleaseBase = this.prerelease[identifier.split('.').length];
	            if (isNaN(prereleaseBase)) {
	              this.prerelease = prerelease;
	            }
	          } else {
	            this.prerelease = prerelease;
	          }
	        }
	        break
	      }
	      default:
	        throw new Error(`invalid increment argument: ${release}`)
	    }
	    this.raw = this.format();
	    if (this.build.length) {
	      this.raw += `+${this.build.join('.')}`;
	    }
	    return this
	  }
	}

	semver$2 = SemVer;
	return semver$2;
}

var parse_1;
var hasRequiredParse;

function requireParse () {
	if (hasRequiredParse) return parse_1;
	hasRequiredParse = 1;

	const SemVer = requireSemver$1();
	const parse = (version, options, throwErrors = false) => {
	  if (version instanceof SemVer) {
	    return version
	  }
	  try {
	    return new SemVer(version, options)
	  } catch (er) {
	    if (!throwErrors) {
	      return null
	    }
	    throw er
	  }
	};

	parse_1 = parse;
	return parse_1;
}

var valid_1;
var hasRequiredValid$1;

function requireValid$1 () {
	if (hasRequiredValid$1) return valid_1;
	hasRequiredValid$1 = 1;

	const parse = requireParse();
	const valid = (version, options) => {
	  const v = parse(version, options);
	  return v ? v.version : null
	};
	valid_1 = valid;
	return valid_1;
}

var clean_1;
var hasRequiredClean;

function requireClean () {
	if (hasRequiredClean) return clean_1;
	hasRequiredClean = 1;

	const parse = requireParse();
	const clean = (version, options) => {
	  const s = parse(version.trim().replace(/^[=v]+/, ''), options);
	  return s ? s.version : null
	};
	clean_1 = clean;
	return clean_1;
}

var inc_1;
var hasRequiredInc;

function requireInc () {
	if (hasRequiredInc) return inc_1;
	hasRequiredInc = 1;

	const SemVer = requireSemver$1();

	const inc = (version, release, options, identifier, identifierBase) => {
	  if (typeof (options) === 'string') {
	    identifierBase = identifier;
	    identifier = options;
	    options = undefined;
	  }

	  try {
	    return new SemVer(
	      version instanceof SemVer ? version.version : version,
	      options
	    ).inc(release, identifier, identifierBase).version
	  } catch (er) {
	    return null
	  }
	};
	inc_1 = inc;
	return inc_1;
}

var diff_1;
var hasRequiredDiff;

function requireDiff () {
	if (hasRequiredDiff) return diff_1;
	hasRequiredDiff = 1;

	const parse = requireParse();

	const diff = (version1, version2) => {
	  const v1 = parse(version1, null, true);
	  const v2 = parse(version2, null, true);
	  const comparison = v1.compare(v2);

	  if (comparison === 0) {
	    return null
	  }

	  const v1Higher = comparison > 0;
	  const highVersion = v1Higher ? v1 : v2;
	  const lowVersion = v1Higher ? v2 : v1;
	  const highHasPre = !!highVersion.prerelease.length;
	  const lowHasPre = !!lowVersion.prerelease.length;

	  if (lowHasPre && !highHasPre) {
	    // Going from prerelease -> no prerelease requires some special casing

	    // If the low version has only a major, then it will always be a major
	    // Some examples:
	    // 1.0.0-1 -> 1.0.0
	    // 1.0.0-1 -> 1.1.1
	    // 1.0.0-1 -> 2.0.0
	    if (!lowVersion.patch && !lowVersion.minor) {
	      return 'major'
	    }

	    // If the main part has no difference
	    if (lowVersion.compareMain(highVersion) === 0) {
	      if (lowVersion.minor && !lowVersion.patch) {
	        return 'minor'
	      }
	      return 'patch'
	    }
	  }

	  // add the `pre` prefix if we are going to a prerelease version
	  const prefix = highHasPre ? 'pre' : '';

	  if (v1.major !== v2.major) {
	    return prefix + 'major'
	  }

	  if (v1.minor !== v2.minor) {
	    return prefix + 'minor'
	  }

	  if (v1.patch !== v2.patch) {
	    return prefix + 'patch'
	  }

	  // high and low are prereleases
	  return 'prerelease'
	};

	diff_1 = diff;
	return diff_1;
}

var major_1;
var hasRequiredMajor;

function requireMajor () {
	if (hasRequiredMajor) return major_1;
	hasRequiredMajor = 1;

	const SemVer = requireSemver$1();
	const major = (a, loose) => new SemVer(a, loose).major;
	major_1 = major;
	return major_1;
}

var minor_1;
var hasRequiredMinor;

function requireMinor () {
	if (hasRequiredMinor) return minor_1;
	hasRequiredMinor = 1;

	const SemVer = requireSemver$1();
	const minor = (a, loose) => new SemVer(a, loose).minor;
	minor_1 = minor;
	return minor_1;
}

var patch_1;
var hasRequiredPatch;

function requirePatch () {
	if (hasRequiredPatch) return patch_1;
	hasRequiredPatch = 1;

	const SemVer = requireSemver$1();
	const patch = (a, loose) => new SemVer(a, loose).patch;
	patch_1 = patch;
	return patch_1;
}

var prerelease_1;
var hasRequiredPrerelease;

function requirePrerelease () {
	if (hasRequiredPrerelease) return prerelease_1;
	hasRequiredPrerelease = 1;

	const parse = requireParse();
	const prerelease = (version, options) => {
	  const parsed = parse(version, options);
	  return (parsed && parsed.prerelease.length) ? parsed.prerelease : null
	};
	prerelease_1 = prerelease;
	return prerelease_1;
}

var compare_1;
var hasRequiredCompare;

function requireCompare () {
	if (hasRequiredCompare) return compare_1;
	hasRequiredCompare = 1;

	const SemVer = requireSemver$1();
	const compare = (a, b, loose) =>
	  new SemVer(a, loose).compare(new SemVer(b, loose));

	compare_1 = compare;
	return compare_1;
}

var rcompare_1;
var hasRequiredRcompare;

function requireRcompare () {
	if (hasRequiredRcompare) return rcompare_1;
	hasRequiredRcompare = 1;

	const compare = requireCompare();
	const rcompare = (a, b, loose) => compare(b, a, loose);
	rcompare_1 = rcompare;
	return rcompare_1;
}

var compareLoose_1;
var hasRequiredCompareLoose;

function requireCompareLoose () {
	if (hasRequiredCompareLoose) return compareLoose_1;
	hasRequiredCompareLoose = 1;

	const compare = requireCompare();
	const compareLoose = (a, b) => compare(a, b, true);
	compareLoose_1 = compareLoose;
	return compareLoose_1;
}

var compareBuild_1;
var hasRequiredCompareBuild;

function requireCompareBuild () {
	if (hasRequiredCompareBuild) return compareBuild_1;
	hasRequiredCompareBuild = 1;

	const SemVer = requireSemver$1();
	const compareBuild = (a, b, loose) => {
	  const versionA = new SemVer(a, loose);
	  const versionB = new SemVer(b, loose);
	  return versionA.compare(versionB) || versionA.compareBuild(versionB)
	};
	compareBuild_1 = compareBuild;
	return compareBuild_1;
}

var sort_1;
var hasRequiredSort;

function requireSort () {
	if (hasRequiredSort) return sort_1;
	hasRequiredSort = 1;

	const compareBuild = requireCompareBuild();
	const sort = (list, loose) => list.sort((a, b) => compareBuild(a, b, loose));
	sort_1 = sort;
	return sort_1;
}

var rsort_1;
var hasRequiredRsort;

function requireRsort () {
	if (hasRequiredRsort) return rsort_1;
	hasRequiredRsort = 1;

	const compareBuild = requireCompareBuild();
	const rsort = (list, loose) => list.sort((a, b) => compareBuild(b, a, loose));
	rsort_1 = rsort;
	return rsort_1;
}

var gt_1;
var hasRequiredGt;

function requireGt () {
	if (hasRequiredGt) return gt_1;
	hasRequiredGt = 1;

	const compare = requireCompare();
	const gt = (a, b, loose) => compare(a, b, loose) > 0;
	gt_1 = gt;
	return gt_1;
}

var lt_1;
var hasRequiredLt;

function requireLt () {
	if (hasRequiredLt) return lt_1;
	hasRequiredLt = 1;

	const compare = requireCompare();
	const lt = (a, b, loose) => compare(a, b, loose) < 0;
	lt_1 = lt;
	return lt_1;
}

var eq_1;
var hasRequiredEq;

function requireEq () {
	if (hasRequiredEq) return eq_1;
	hasRequiredEq = 1;

	const compare = requireCompare();
	const eq = (a, b, loose) => compare(a, b, loose) === 0;
	eq_1 = eq;
	return eq_1;
}

var neq_1;
var hasRequiredNeq;

function requireNeq () {
	if (hasRequiredNeq) return neq_1;
	hasRequiredNeq = 1;

	const compare = requireCompare();
	const neq = (a, b, loose) => compare(a, b, loose) !== 0;
	neq_1 = neq;
	return neq_1;
}

var gte_1;
var hasRequiredGte;

function requireGte () {
	if (hasRequiredGte) return gte_1;
	hasRequiredGte = 1;

	const compare = requireCompare();
	const gte = (a, b, loose) => compare(a, b, loose) >= 0;
	gte_1 = gte;
	return gte_1;
}

var lte_1;
var hasRequiredLte;

function requireLte () {
	if (hasRequiredLte) return lte_1;
	hasRequiredLte = 1;

	const compare = requireCompare();
	const lte = (a, b, loose) => compare(a, b, loose) <= 0;
	lte_1 = lte;
	return lte_1;
}

var cmp_1;
var hasRequiredCmp;

function requireCmp () {
	if (hasRequiredCmp) return cmp_1;
	hasRequiredCmp = 1;

	const eq = requireEq();
	const neq = requireNeq();
	const gt = requireGt();
	const gte = requireGte();
	const lt = requireLt();
	const lte = requireLte();

	const cmp = (a, op, b, loose) => {
	  switch (op) {
	    case '===':
	      if (typeof a === 'object') {
	        a = a.version;
	      }
	      if (typeof b === 'object') {
	        b = b.version;
	      }
	      return a === b

	    case '!==':
	      if (typeof a === 'object') {
	        a = a.version;
	      }
	      if (typeof b === 'object') {
	        b = b.version;
	      }
	      return a !== b

	    case '':
	    case '=':
	    case '==':
	      return eq(a, b, loose)

	    case '!=':
	      return neq(a, b, loose)

	    case '>':
	      return gt(a, b, loose)

	    case '>=':
	      return gte(a, b, loose)

	    case '<':
	      return lt(a, b, loose)

	    case '<=':
	      return lte(a, b, loose)

	    default:
	      throw new TypeError(`Invalid operator: ${op}`)
	  }
	};
	cmp_1 = cmp;
	return cmp_1;
}

var coerce_1;
var hasRequiredCoerce;

function requireCoerce () {
	if (hasRequiredCoerce) return coerce_1;
	hasRequiredCoerce = 1;

	const SemVer = requireSemver$1();
	const parse = requireParse();
	const { safeRe: re, t } = requireRe();

	const coerce = (version, options) => {
	  if (version instanceof SemVer) {
	    return version
	  }

	  if (typeof version === 'number') {
	    version = String(version);
	  }

	  if (typeof version !== 'string') {
	    return null
	  }

	  options = options || {};

	  let match = null;
	  if (!options.rtl) {
	    match = version.match(options.includePrerelease ? re[t.COERCEFULL] : re[t.COERCE]);
	  } else {
	    // Find the right-most coercible string that does not share
	    // a terminus with a more left-ward coercible string.
	    // Eg, '1.2.3.4' wants to coerce '2.3.4', not '3.4' or '4'
	    // With includePrerelease option set, '1.2.3.4-rc' wants to coerce '2.3.4-rc', not '2.3.4'
	    //
	    // Walk through the string checking with a /g regexp
	    // Manually set the index so as to pick up overlapping matches.
	    // Stop when we get a match that ends at the string end, since no
	    // coercible string can be more right-ward without the same terminus.
	    const coerceRtlRegex = options.includePrerelease ? re[t.COERCERTLFULL] : re[t.COERCERTL];
	    let next;
	    while ((next = coerceRtlRegex.exec(version)) &&
	        (!match || match.index + match[0].length !== version.length)
	    ) {
	      if (!match ||
	            next.index + next[0].length !== match.index + match[0].length) {
	        match = next;
	      }
	      coerceRtlRegex.lastIndex = next.index + next[1].length + next[2].length;
	    }
	    // leave it in a clean state
	    coerceRtlRegex.lastIndex = -1;
	  }

	  if (match === null) {
	    return null
	  }

	  const major = match[2];
	  const minor = match[3] || '0';
	  const patch = match[4] || '0';
	  const prerelease = options.includePrerelease && match[5] ? `-${match[5]}` : '';
	  const build = options.includePrerelease && match[6] ? `+${match[6]}` : '';

	  return parse(`${major}.${minor}.${patch}${prerelease}${build}`, options)
	};
	coerce_1 = coerce;
	return coerce_1;
}

var truncate_1;
var hasRequiredTruncate;

function requireTruncate () {
	if (hasRequiredTruncate) return truncate_1;
	hasRequiredTruncate = 1;

	const parse = requireParse();
	const constants = requireConstants();
	const SemVer = requireSemver$1();

	const truncate = (version, truncation, options) => {
	  if (!constants.RELEASE_TYPES.includes(truncation)) {
	    return null
	  }

	  const clonedVersion = cloneInputVersion(version, options);
	  return clonedVersion && doTruncation(clonedVersion, truncation)
	};

	const cloneInputVersion = (version, options) => {
	  const versionStringToParse = (
	    version instanceof SemVer ? version.version : version
	  );

	  return parse(versionStringToParse, options)
	};

	const doTruncation = (version, truncation) => {
	  if (isPrerelease(truncation)) {
	    return version.version
	  }

	  version.prerelease = [];

	  switch (truncation) {
	    case 'major':
	      version.minor = 0;
	      version.patch = 0;
	      break
	    case 'minor':
	      version.patch = 0;
	      break
	  }

	  return version.format()
	};

	const isPrerelease = (type) => {
	  return type.startsWith('pre')
	};

	truncate_1 = truncate;
	return truncate_1;
}

var lrucache;
var hasRequiredLrucache;

function requireLrucache () {
	if (hasRequiredLrucache) return lrucache;
	hasRequiredLrucache = 1;

	class LRUCache {
	  constructor () {
	    this.max = 1000;
	    this.map = new Map();
	  }

	  get (key) {
	    const value = this.map.get(key);
	    if (value === undefined) {
	      return undefined
	    } else {
	      // Remove the key from the map and add it to the end
	      this.map.delete(key);
	      this.map.set(key, value);
	      return value
	    }
	  }

	  delete (key) {
	    return this.map.delete(key)
	  }

	  set (key, value) {
	    const deleted = this.delete(key);

	    if (!deleted && value !== undefined) {
	      // If cache is full, delete the least recently used item
	      if (this.map.size >= this.max) {
	        const firstKey = this.map.keys().next().value;
	        this.delete(firstKey);
	      }

	      this.map.set(key, value);
	    }

	    return this
	  }
	}

	lrucache = LRUCache;
	return lrucache;
}

var trimComparatorWhitespace_1;
var hasRequiredTrimComparatorWhitespace;

function requireTrimComparatorWhitespace () {
	if (hasRequiredTrimComparatorWhitespace) return trimComparatorWhitespace_1;
	hasRequiredTrimComparatorWhitespace = 1;

	// Reproduce safeRe[COMPARATORTRIM] replacement boundaries, not version
	// validation. Each end-index finder returns an exclusive end, or its start
	// on no match.
	// Positions count from zero. An end of 3 means characters 0, 1, and 2 were read;
	// range.slice(start, end) gives the matched text, not a converted number.
	const {
	  MAX_LENGTH,
	  MAX_SAFE_BUILD_LENGTH,
	  WHITESPACE_CHARACTERS,
	} = requireConstants();

	/**
	 * Remembers the last two rows of digits so their characters need not be reread.
	 * Positions start at -1 until a row has been found.
	 *
	 * @typedef {object} DigitRunCache
	 * @property {number} start The first character of the most recently found row.
	 * @property {number} end The position after that row's last character.
	 * @property {number} previousStart The first character of the previous row.
	 * @property {number} previousEnd The position after the previous row.
	 */

	// One entry per UTF-16 code unit keeps membership checks constant-time.
	const whitespace = new Uint8Array(0x10000);
	for (const char of WHITESPACE_CHARACTERS) {
	  whitespace[char.charCodeAt(0)] = 1;
	}

	/**
	 * Checks whether a character is whitespace, like a space, tab, or newline.
	 * Looking past the end of the string returns false.
	 *
	 * @param {string|undefined} char One character, or undefined past the string's end.
	 * @returns {boolean} Whether the character is whitespace.
	 * @example isWhitespace(' ') // true
	 * @example isWhitespace('1') // false
	 */
	const isWhitespace = char =>
	  char !== undefined && whitespace[char.charCodeAt(0)] === 1;

	/**
	 * Checks for v, =, or whitespace before the version number.
	 * These are historical version prefixes, not range operators:
	 * < and > are handled separately, as are tilde and caret ranges.
	 *
	 * @param {string|undefined} char One character to check.
	 * @returns {boolean} Whether the character can belong to a version prefix.
	 * @example isVersionPrefix('=') // true
	 * @example isVersionPrefix('>') // false
	 */
	const isVersionPrefix = char =>
	  char === 'v' ||
	  char === '=' ||
	  isWhitespace(char);

	/**
	 * Checks whether a character is one of the digits 0 through 9.
	 *
	 * @param {string|undefined} char One character to check.
	 * @returns {boolean} Whether the character is an ASCII digit.
	 * @example isDigit('7') // true
	 * @example isDigit('.') // false
	 */
	const isDigit = char => char !== undefined && char >= '0' && char <= '9';

	/**
	 * Checks whether a character is an English letter, uppercase or lowercase.
	 *
	 * @param {string|undefined} char One character to check.
	 * @returns {boolean} Whether the character is an ASCII letter.
	 * @example isLetter('b') // true
	 * @example isLetter('7') // false
	 */
	const isLetter = char =>
	  char !== undefined && (
	    (char >= 'a' && char <= 'z') ||
	    (char >= 'A' && char <= 'Z')
	  );

	/**
	 * Checks for a letter, digit, or hyphen: the characters allowed inside
	 * prerelease and build names such as beta-1.
	 *
	 * @param {string|undefined} char One character to check.
	 * @returns {boolean} Whether the character can be part of an identifier.
	 * @example isIdentifierCharacter('-') // true
	 * @example isIdentifierCharacter('.') // false; dots separate identifiers
	 */
	const isIdentifierCharacter = char => isDigit(char) || isLetter(char) || char === '-';

	/**
	 * Checks whether a version component can begin here: with a digit or
	 * a wildcard such as x, X, or *.
	 *
	 * @param {string|undefined} char One character to check.
	 * @returns {boolean} Whether a number or wildcard can start with this character.
	 * @example isVersionStart('x') // true
	 * @example isVersionStart('v') // false; v belongs to the prefix
	 */
	const isVersionStart = char =>
	  isDigit(char) ||
	  char === 'x' ||
	  char === 'X' ||
	  char === '*';

	/**
	 * Finds the end of a row of digits, but returns no more than limit digits.
	 * Remembers the last two rows so looking at them again does not reread them.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position of the first character to check.
	 * @param {number} limit The most digit characters the returned match can include.
	 * @param {DigitRunCache} digitRuns Shared cache of digit-run positions, updated in place.
	 * @returns {number} The position after the matched digits, or start if none match.
	 * @example findDigitsEndIndex('123abc', 0, 10, digitRuns) // 3, pointing at a
	 * @example findDigitsEndIndex('123abc', 0, 2, digitRuns) // 2, pointing at the unread 3
	 */
	const findDigitsEndIndex = (range, start, limit, digitRuns) => {
	  if (!isDigit(range[start])) {
	    return start
	  }
	  if (start >= digitRuns.start && start < digitRuns.end) {
	    return Math.min(start + limit, digitRuns.end)
	  }
	  if (start >= digitRuns.previousStart && start < digitRuns.previousEnd) {
	    return Math.min(start + limit, digitRuns.previousEnd)
	  }
	  let end = start + 1;
	  while (isDigit(range[end])) {
	    end++;
	  }
	  // A failed full version can rewind from its second run to its first.
	  digitRuns.previousStart = digitRuns.start;
	  digitRuns.previousEnd = digitRuns.end;
	  digitRuns.start = start;
	  digitRuns.end = end;
	  return Math.min(start + limit, end)
	};

	/**
	 * Reads a number using the old regex's length and leading-zero rules.
	 * Strict mode reads just the first zero in 012; loose mode can read all three.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position where the number should begin.
	 * @param {boolean} loose Whether to allow leading zeros.
	 * @param {DigitRunCache} digitRuns Shared digit-run cache, updated as needed.
	 * @returns {number} The position after the matched digits, not their numeric value.
	 * @example findVersionNumberEndIndex('012', 0, false, digitRuns) // 1
	 * @example findVersionNumberEndIndex('012', 0, true, digitRuns) // 3
	 */
	const findVersionNumberEndIndex = (range, start, loose, digitRuns) => {
	  if (!loose && range[start] === '0') {
	    return start + 1
	  }
	  // Strict syntax allows an initial nonzero digit plus MAX_LENGTH digits.
	  return findDigitsEndIndex(range, start, loose ? MAX_LENGTH : MAX_LENGTH + 1, digitRuns)
	};

	/**
	 * Reads one piece of a prerelease name, such as beta or 1 in beta.1.
	 * Tries the letter-or-hyphen form first, then the number-only form.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position where the identifier should begin.
	 * @param {boolean} loose Whether numeric identifiers may have leading zeros.
	 * @param {DigitRunCache} digitRuns Shared digit-run cache, updated as needed.
	 * @returns {number} The position after the identifier, or start if none matches.
	 * @example findPrereleaseIdentifierEndIndex('beta.1', 0, false, digitRuns) // 4, at the dot
	 * @example findPrereleaseIdentifierEndIndex('001beta', 0, false, digitRuns) // 7
	 */
	const findPrereleaseIdentifierEndIndex = (range, start, loose, digitRuns) => {
	  const digitsEnd = findDigitsEndIndex(range, start, MAX_LENGTH, digitRuns);
	  // The legacy regex tries a nonnumeric identifier before a numeric one.
	  if (isLetter(range[digitsEnd]) || range[digitsEnd] === '-') {
	    let end = digitsEnd + 1;
	    const limit = end + MAX_SAFE_BUILD_LENGTH;
	    while (end < limit && isIdentifierCharacter(range[end])) {
	      end++;
	    }
	    return end
	  }
	  return findVersionNumberEndIndex(range, start, loose, digitRuns)
	};

	/**
	 * Reads a prerelease suffix such as -beta.1, one dot-separated piece at a time.
	 * Loose mode also allows the name without its opening hyphen.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position where the suffix should begin, including -.
	 * @param {boolean} loose Whether the opening hyphen is optional and zeros allowed.
	 * @param {DigitRunCache} digitRuns Shared digit-run cache, updated as needed.
	 * @returns {number} The position after the matched suffix, or start if absent.
	 * @example findPrereleaseEndIndex('-beta.1+sha', 0, false, digitRuns) // 7, at the plus
	 * @example findPrereleaseEndIndex('beta', 0, false, digitRuns) // 0; no opening hyphen
	 */
	const findPrereleaseEndIndex = (range, start, loose, digitRuns) => {
	  const hyphen = range[start] === '-';
	  if (!loose && !hyphen) {
	    return start
	  }
	  const identifierStart = start + (hyphen ? 1 : 0);
	  let end = findPrereleaseIdentifierEndIndex(range, identifierStart, loose, digitRuns);
	  if (end === identifierStart) {
	    if (!loose || !hyphen) {
	      return start
	    }
	    // In loose syntax, a lone hyphen can itself be the identifier.
	    end = findPrereleaseIdentifierEndIndex(range, start, loose, digitRuns);
	  }
	  while (range[end] === '.') {
	    const next = findPrereleaseIdentifierEndIndex(range, end + 1, loose, digitRuns);
	    if (next === end + 1) {
	      break
	    }
	    end = next;
	  }
	  return end
	};

	/**
	 * Reads one build-name piece, such as sha or 123 in +sha.123.
	 * Stops at a disallowed character or the old regex's length limit.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position where the identifier should begin.
	 * @returns {number} The position after the identifier, or start if none matches.
	 * @example findBuildIdentifierEndIndex('sha.123', 0) // 3, at the dot
	 * @example findBuildIdentifierEndIndex('001', 0) // 3; leading zeros are allowed
	 */
	const findBuildIdentifierEndIndex = (range, start) => {
	  let end = start;
	  while (end - start < MAX_SAFE_BUILD_LENGTH && isIdentifierCharacter(range[end])) {
	    end++;
	  }
	  return end
	};

	/**
	 * Reads optional build metadata such as +sha.123.
	 * Leaves the position unchanged if there is no plus sign followed by a name.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position where the opening + should be.
	 * @returns {number} The position after the matched metadata, or start if absent.
	 * @example findBuildEndIndex('+sha.123 <2', 0) // 8, at the space
	 * @example findBuildEndIndex('+', 0) // 0; a plus sign alone is not a match
	 */
	const findBuildEndIndex = (range, start) => {
	  if (range[start] !== '+') {
	    return start
	  }
	  let end = findBuildIdentifierEndIndex(range, start + 1);
	  if (end === start + 1) {
	    return start
	  }
	  while (range[end] === '.') {
	    const next = findBuildIdentifierEndIndex(range, end + 1);
	    if (next === end + 1) {
	      break
	    }
	    end = next;
	  }
	  return end
	};

	/**
	 * Reads three numbers separated by dots, then any prerelease and build suffixes.
	 * Uses loose rules, so forms such as 01.02.03beta can match here.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position of the first number, after any prefix.
	 * @param {DigitRunCache} digitRuns Shared digit-run cache, updated as needed.
	 * @returns {number} The position after the version match, or start if none matches.
	 * @example findLooseFullVersionEndIndex('1.2.3-beta+sha <2', 0, digitRuns) // 14
	 * @example findLooseFullVersionEndIndex('1.2', 0, digitRuns) // 0; needs three numbers
	 */
	const findLooseFullVersionEndIndex = (range, start, digitRuns) => {
	  let end = start;
	  for (let component = 0; component < 3; component++) {
	    const next = findVersionNumberEndIndex(range, end, true, digitRuns);
	    if (next === end) {
	      return start
	    }
	    end = next;
	    if (component < 2) {
	      if (range[end] !== '.') {
	        return start
	      }
	      end++;
	    }
	  }
	  const prereleaseEnd = findPrereleaseEndIndex(range, end, true, digitRuns);
	  return findBuildEndIndex(range, prereleaseEnd)
	};

	/**
	 * Reads one component of a partial or wildcard version, such as 2 or x in 2.x.
	 * Numbers use strict leading-zero rules; wildcards take up one character.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position where the component should begin.
	 * @param {DigitRunCache} digitRuns Shared digit-run cache, updated as needed.
	 * @returns {number} The position after the component, or start if none matches.
	 * @example findPartialVersionComponentEndIndex('2.x', 0, digitRuns) // 1, at the dot
	 * @example findPartialVersionComponentEndIndex('2.x', 2, digitRuns) // 3, after x
	 */
	const findPartialVersionComponentEndIndex = (range, start, digitRuns) => {
	  if (isDigit(range[start])) {
	    return findVersionNumberEndIndex(range, start, false, digitRuns)
	  }
	  return isVersionStart(range[start]) ? start + 1 : start
	};

	/**
	 * Reads up to three components, allowing forms such as 1, 1.2, or 1.x.
	 * After the third component, also reads any strict prerelease and build suffixes.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position of a number or wildcard, after any prefix.
	 * @param {DigitRunCache} digitRuns Shared digit-run cache, updated as needed.
	 * @returns {number} The position after the matched version text.
	 * @example findPartialVersionEndIndex('1.x <2', 0, digitRuns) // 3, at the space
	 * @example findPartialVersionEndIndex('1.', 0, digitRuns) // 1; the trailing dot is unread
	 */
	const findPartialVersionEndIndex = (range, start, digitRuns) => {
	  let end = findPartialVersionComponentEndIndex(range, start, digitRuns);
	  for (let component = 0; component < 2; component++) {
	    if (range[end] !== '.') {
	      return end
	    }
	    const next = findPartialVersionComponentEndIndex(range, end + 1, digitRuns);
	    if (next === end + 1) {
	      return end
	    }
	    end = next;
	  }
	  const prereleaseEnd = findPrereleaseEndIndex(range, end, false, digitRuns);
	  return findBuildEndIndex(range, prereleaseEnd)
	};

	/**
	 * Finds where a version match ends, without deciding whether the range is valid.
	 * Tries a loose full version first, then a partial or wildcard version, just
	 * like the old regex's LOOSEPLAIN and XRANGEPLAIN alternatives.
	 *
	 * @param {string} range The text to read; it is not changed.
	 * @param {number} start The position of a number or wildcard, after any prefix.
	 * @param {DigitRunCache} digitRuns Shared digit-run cache, updated as needed.
	 * @returns {number} The position where scanning the next candidate can resume.
	 * @example findVersionEndIndex('1.2.3 <2', 0, digitRuns) // 5, at the space
	 * @example findVersionEndIndex('1.x <2', 0, digitRuns) // 3, at the space
	 */
	const findVersionEndIndex = (range, start, digitRuns) => {
	  const fullVersionEnd = findLooseFullVersionEndIndex(range, start, digitRuns);
	  return fullVersionEnd !== start
	    ? fullVersionEnd
	    : findPartialVersionEndIndex(range, start, digitRuns)
	};

	/**
	 * Finds the one whitespace character the old replacement would remove.
	 * Keeps leading whitespace, skips an optional operator, and checks immediately
	 * after it. Returns -1 if there is nothing to remove.
	 *
	 * @param {string} range The text containing a candidate already found by the caller.
	 * @param {number} matchStart The candidate's position, including leading whitespace.
	 * @returns {number} The position of the removable whitespace, or -1 if absent.
	 * @example findRemovableWhitespaceIndex(' > 1', 0) // 2; keep the space at position 0
	 * @example findRemovableWhitespaceIndex('>1', 0) // -1
	 */
	const findRemovableWhitespaceIndex = (range, matchStart) => {
	  let position = matchStart;
	  if (isWhitespace(range[position])) {
	    position++;
	  }
	  if (range[position] === '<' || range[position] === '>') {
	    position++;
	  }
	  if (range[position] === '=') {
	    position++;
	  }
	  return isWhitespace(range[position]) ? position : -1
	};

	/**
	 * Joins an operator to its version, turning > 1.2.3 into >1.2.3.
	 * Copies everything else according to the old regex's matching rules.
	 * Moves forward through prefixes and whole versions to avoid repeatedly
	 * searching the same characters on long inputs.
	 *
	 * @param {string} range The range text to process; the original string is unchanged.
	 * @returns {string} The range with matched operator whitespace removed.
	 * @example trimComparatorWhitespace('> 1.2.3 < 2') // '>1.2.3 <2'
	 * @example trimComparatorWhitespace('> invalid') // '> invalid'
	 */
	const trimComparatorWhitespace = range => {
	  let result = '';
	  let copyFrom = 0;
	  let cursor = 0;
	  const digitRuns = { start: -1, end: -1, previousStart: -1, previousEnd: -1 };

	  while (cursor < range.length) {
	    const matchStart = cursor;
	    if (range[cursor] === '<' || range[cursor] === '>') {
	      cursor++;
	    } else if (!isVersionPrefix(range[cursor]) && !isVersionStart(range[cursor])) {
	      cursor++;
	      continue
	    }

	    // Consume a v/=/whitespace run once, even when no version follows it.
	    while (cursor < range.length && isVersionPrefix(range[cursor])) {
	      cursor++;
	    }
	    if (!isVersionStart(range[cursor])) {
	      continue
	    }

	    const whitespacePosition = findRemovableWhitespaceIndex(range, matchStart);
	    if (whitespacePosition !== -1) {
	      result += range.slice(copyFrom, whitespacePosition);
	      copyFrom = whitespacePosition + 1;
	    }

	    // Skip the entire match, so a prerelease's trailing v cannot be
	    // reconsidered as the prefix of another version.
	    cursor = findVersionEndIndex(range, cursor, digitRuns);
	  }

	  return result + range.slice(copyFrom)
	};

	trimComparatorWhitespace_1 = trimComparatorWhitespace;
	return trimComparatorWhitespace_1;
}

var range;
var hasRequiredRange;

function requireRange () {
	if (hasRequiredRange) return range;
	hasRequiredRange = 1;

	const SPACE_CHARACTERS = /\s+/g;

	// hoisted class for cyclic dependency
	class Range {
	  constructor (range, options) {
	    options = parseOptions(options);

	    if (range instanceof Range) {
	      if (
	        range.loose === !!options.loose &&
	        range.includePrerelease === !!options.includePrerelease
	      ) {
	        return range
	      } else {
	        return new Range(range.raw, options)
	      }
	    }

	    if (range instanceof Comparator) {
	      // just put it in the set and return
	      this.raw = range.value;
	      this.set = [[range]];
	      this.formatted = undefined;
	      return this
	    }

	    this.options = options;
	    this.loose = !!options.loose;
	    this.includePrerelease = !!options.includePrerelease;

	    // First reduce all whitespace as much as possible so we do not have to rely
	    // on potentially slow regexes like \s*. This is then stored and used for
	    // future error messages as well.
	    this.raw = range.trim().replace(SPACE_CHARACTERS, ' ');

	    // First, split on ||
	    this.set = this.raw
	      .split('||')
	      // map the range to a 2d array of comparators
	      .map(r => this.parseRange(r.trim()))
	      // throw out any comparator lists that are empty
	      // this generally means that it was not a valid range, which is allowed
	      // in loose mode, but will still throw if the WHOLE range is invalid.
	      .filter(c => c.length);

	    if (!this.set.length) {
	      throw new TypeError(`Invalid SemVer Range: ${this.raw}`)
	    }

	    // if we have any that are not the null set, throw out null sets.
	    if (this.set.length > 1) {
	      // keep the first one, in case they're all null sets
	      const first = this.set[0];
	      this.set = this.set.filter(c => !isNullSet(c[0]));
	      if (this.set.length === 0) {
	        this.set = [first];
	      } else if (this.set.length > 1) {
	        // if we have any that are *, then the range is just *
	        for (const c of this.set) {
	          if (c.length === 1 && isAny(c[0])) {
	            this.set = [c];
	            break
	          }
	        }
	      }
	    }

	    this.formatted = undefined;
	  }

	  get range () {
	    if (this.formatted === undefined) {
	      this.formatted = '';
	      for (let i = 0; i < this.set.length; i++) {
	        if (i > 0) {
	          this.formatted += '||';
	        }
	        const comps = this.set[i];
	        for (let k = 0; k < comps.length; k++) {
	          if (k > 0) {
	            this.formatted += ' ';
	          }
	          this.formatted += comps[k].toString().trim();
	        }
	      }
	    }
	    return this.formatted
	  }

	  format () {
	    return this.range
	  }

	  toString () {
	    return this.range
	  }

	  parseRange (range) {
	    // strip build metadata so it can't bleed into the version
	    range = range.replace(BUILDSTRIPRE, '');

	    // memoize range parsing for performance.
	    // this is a very hot path, and fully deterministic.
	    const memoOpts =
	      (this.options.includePrerelease && FLAG_INCLUDE_PRERELEASE) |
	      (this.options.loose && FLAG_LOOSE);
	    const memoKey = memoOpts + ':' + range;
	    const cached = cache.get(memoKey);
	    if (cached) {
	      return cached
	    }

	    const loose = this.options.loose;
	    // `1.2.3 - 1.2.4` => `>=1.2.3 <=1.2.4`
	    const hr = loose ? re[t.HYPHENRANGELOOSE] : re[t.HYPHENRANGE];
	    range = range.replace(hr, hyphenReplace(this.options.includePrerelease));
	    debug('hyphen replace', range);

	    // `> 1.2.3 < 1.2.5` => `>1.2.3 <1.2.5`
	    range = trimComparatorWhitespace(range);
	    debug('comparator trim', range);

	    // `~ 1.2.3` => `~1.2.3`
	    range = range.replace(re[t.TILDETRIM], tildeTrimReplace);
	    debug('tilde trim', range);

	    // `^ 1.2.3` => `^1.2.3`
	    range = range.replace(re[t.CARETTRIM], caretTrimReplace);
	    debug('caret trim', range);

	    // At this point, the range is completely trimmed and
	    // ready to be split into comparators.

	    let rangeList = range
	      .split(' ')
	      .map(comp => parseComparator(comp, this.options))
	      .join(' ')
	      .split(/\s+/)
	      // >=0.0.0 is equivalent to *
	      .map(comp => replaceGTE0(comp, this.options));

	    if (loose) {
	      // in loose mode, throw out any that are not valid comparators
	      rangeList = rangeList.filter(comp => {
	        debug('loose invalid filter', comp, this.options);
	        return !!comp.match(re[t.COMPARATORLOOSE])
	      });
	    }
	    debug('range list', rangeList);

	    // if any comparators are the null set, then replace with JUST null set
	    // if more than one comparator, remove any * comparators
	    // also, don't include the same comparator more than once
	    const rangeMap = new Map();
	    const comparators = rangeList.map(comp => new Comparator(comp, this.options));
	    for (const comp of comparators) {
	      if (isNullSet(comp)) {
	        return [comp]
	      }
	      rangeMap.set(comp.value, comp);
	    }
	    if (rangeMap.size > 1 && rangeMap.has('')) {
	      rangeMap.delete('');
	    }

	    const result = [...rangeMap.values()];
	    cache.set(memoKey, result);
	    return result
	  }

	  intersects (range, options) {
	    if (!(range instanceof Range)) {
	      throw new TypeError('a Range is required')
	    }

	    return this.set.some((thisComparators) => {
	      return (
	        isSatisfiable(thisComparators, options) &&
	        range.set.some((rangeComparators) => {
	          return (
	            isSatisfiable(rangeComparators, options) &&
	            thisComparators.every((thisComparator) => {
	              return rangeComparators.every((rangeComparator) => {
	                return thisComparator.intersects(rangeComparator, options)
	              })
	            })
	          )
	        })
	      )
	    })
	  }

	  // if ANY of the sets match ALL of its comparators, then pass
	  test (version) {
	    if (!version) {
	      return false
	    }

	    if (typeof version === 'string') {
	      try {
	        version = new SemVer(version, this.options);
	      } catch (er) {
	        return false
	      }
	    }

	    for (let i = 0; i < this.set.length; i++) {
	      if (testSet(this.set[i], version, this.options)) {
	        return true
	      }
	    }
	    return false
	  }
	}

	range = Range;

	const LRU = requireLrucache();
	const cache = new LRU();

	const parseOptions = requireParseOptions();
	const Comparator = requireComparator();
	const debug = requireDebug();
	const SemVer = requireSemver$1();
	const trimComparatorWhitespace = requireTrimComparatorWhitespace();
	const {
	  safeRe: re,
	  src,
	  t,
	  tildeTrimReplace,
	  caretTrimReplace,
	} = requireRe();
	const { FLAG_INCLUDE_PRERELEASE, FLAG_LOOSE } = requireConstants();

	// unbounded global build-metadata stripper used by parseRange
	const BUILDSTRIPRE = new RegExp(src[t.BUILD], 'g');

	const isNullSet = c => c.value === '<0.0.0-0';
	const isAny = c => c.value === '';

	// take a set of comparators and determine whether there
	// exists a version which can satisfy it
	const isSatisfiable = (comparators, options) => {
	  let result = true;
	  const remainingComparators = comparators.slice();
	  let testComparator = remainingComparators.pop();

	  while (result && remainingComparators.length) {
	    result = remainingComparators.every((otherComparator) => {
	      return testComparator.intersects(otherComparator, options)
	    });

	    testComparator = remainingComparators.pop();
	  }

	  return result
	};

	// comprised of xranges, tildes, stars, and gtlt's at this point.
	// already replaced the hyphen ranges
	// turn into a set of JUST comparators.
	const parseComparator = (comp, options) => {
	  comp = comp.replace(re[t.BUILD], '');
	  debug('comp', comp, options);
	  comp = replaceCarets(comp, options);
	  debug('caret', comp);
	  comp = replaceTildes(comp, options);
	  debug('tildes', comp);
	  comp = replaceXRanges(comp, options);
	  debug('xrange', comp);
	  comp = replaceStars(comp, options);
	  debug('stars', comp);
	  return comp
	};

	const isX = id => !id || id.toLowerCase() === 'x' || id === '*';

	const invalidXRangeOrder = (M, m, p) => (
	  (isX(M) && !isX(m)) ||
	  (isX(m) && p && !isX(p))
	);

	// ~, ~> --> * (any, kinda silly)
	// ~2, ~2.x, ~2.x.x, ~>2, ~>2.x ~>2.x.x --> >=2.0.0 <3.0.0-0
	// ~2.0, ~2.0.x, ~>2.0, ~>2.0.x --> >=2.0.0 <2.1.0-0
	// ~1.2, ~1.2.x, ~>1.2, ~>1.2.x --> >=1.2.0 <1.3.0-0
	// ~1.2.3, ~>1.2.3 --> >=1.2.3 <1.3.0-0
	// ~1.2.0, ~>1.2.0 --> >=1.2.0 <1.3.0-0
	// ~0.0.1 --> >=0.0.1 <0.1.0-0
	const replaceTildes = (comp, options) => {
	  return comp
	    .trim()
	    .split(/\s+/)
	    .map((c) => replaceTilde(c, options))
	    .join(' ')
	};

	const replaceTilde = (comp, options) => {
	  const r = options.loose ? re[t.TILDELOOSE] : re[t.TILDE];
	  // if we're including prereleases in the match, then the lower bound is
	  // -0, the lowest possible prerelease value, just like x-ranges and carets.
	  // this keeps `~1.2` equivalent to the `1.2.x` x-range it's documented as.
	  const z = options.includePrerelease ? '-0' : '';
	  return comp.replace(r, (_, M, m, p, pr) => {
	    debug('tilde', comp, _, M, m, p, pr);
	    let ret;

	    if (isX(M)) {
	      ret = '';
	    } else if (isX(m)) {
	      ret = `>=${M}.0.0${z} <${+M + 1}.0.0-0`;
	    } else if (isX(p)) {
	      // ~1.2 == >=1.2.0 <1.3.0-0
	      ret = `>=${M}.${m}.0${z} <${M}.${+m + 1}.0-0`;
	    } else if (pr) {
	      debug('replaceTilde pr', pr);
	      ret = `>=${M}.${m}.${p}-${pr
	      } <${M}.${+m + 1}.0-0`;
	    } else {
	      // ~1.2.3 == >=1.2.3 <1.3.0-0
	      ret = `>=${M}.${m}.${p
	      } <${M}.${+m + 1}.0-0`;
	    }

	    debug('tilde return', ret);
	    return ret
	  })
	};

	// ^ --> * (any, kinda silly)
	// ^2, ^2.x, ^2.x.x --> >=2.0.0 <3.0.0-0
	// ^2.0, ^2.0.x --> >=2.0.0 <3.0.0-0
	// ^1.2, ^1.2.x --> >=1.2.0 <2.0.0-0
	// ^1.2.3 --> >=1.2.3 <2.0.0-0
	// ^1.2.0 --> >=1.2.0 <2.0.0-0
	// ^0.0.1 --> >=0.0.1 <0.0.2-0
	// ^0.1.0 --> >=0.1.0 <0.2.0-0
	const replaceCarets = (comp, options) => {
	  return comp
	    .trim()
	    .split(/\s+/)
	    .map((c) => replaceCaret(c, options))
	    .join(' ')
	};

	const replaceCaret = (comp, options) => {
	  debug('caret', comp, options);
	  const r = options.loose ? re[t.CARETLOOSE] : re[t.CARET];
	  const z = options.includePrerelease ? '-0' : '';
	  return comp.replace(r, (_, M, m, p, pr) => {
	    debug('caret', comp, _, M, m, p, pr);
	    let ret;

	    if (isX(M)) {
	      ret = '';
	    } else if (isX(m)) {
	      ret = `>=${M}.0.0${z} <${+M + 1}.0.0-0`;
	    } else if (isX(p)) {
	      if (M === '0') {
	        ret = `>=${M}.${m}.0${z} <${M}.${+m + 1}.0-0`;
	      } else {
	        ret = `>=${M}.${m}.0${z} <${+M + 1}.0.0-0`;
	      }
	    } else if (pr) {
	      debug('replaceCaret pr', pr);
	      if (M === '0') {
	        if (m === '0') {
	          ret = `>=${M}.${m}.${p}-${pr
	          } <${M}.${m}.${+p + 1}-0`;
	        } else {
	          ret = `>=${M}.${m}.${p}-${pr
	          } <${M}.${+m + 1}.0-0`;
	        }
	      } else {
	        ret = `>=${M}.${m}.${p}-${pr
	        } <${+M + 1}.0.0-0`;
	      }
	    } else {
	      debug('no pr');
	      if (M === '0') {
	        if (m === '0') {
	          ret = `>=${M}.${m}.${p
	          } <${M}.${m}.${+p + 1}-0`;
	        } else {
	          ret = `>=${M}.${m}.${p
	          } <${M}.${+m + 1}.0-0`;
	        }
	      } else {
	        ret = `>=${M}.${m}.${p
	        } <${+M + 1}.0.0-0`;
	      }
	    }

	    debug('caret return', ret);
	    return ret
	  })
	};

	const replaceXRanges = (comp, options) => {
	  debug('replaceXRanges', comp, options);
	  return comp
	    .split(/\s+/)
	    .map((c) => replaceXRange(c, options))
	    .join(' ')
	};

	const replaceXRange = (comp, options) => {
	  comp = comp.trim();
	  const r = options.loose ? re[t.XRANGELOOSE] : re[t.XRANGE];
	  return comp.replace(r, (ret, gtlt, M, m, p, pr) => {
	    debug('xRange', comp, ret, gtlt, M, m, p, pr);
	    if (invalidXRangeOrder(M, m, p)) {
	      return comp
	    }

	    const xM = isX(M);
	    const xm = xM || isX(m);
	    const xp = xm || isX(p);
	    const anyX = xp;

	    if (gtlt === '=' && anyX) {
	      gtlt = '';
	    }

	    // if we're including prereleases in the match, then we need
	    // to fix this to -0, the lowest possible prerelease value
	    pr = options.includePrerelease ? '-0' : '';

	    if (xM) {
	      if (gtlt === '>' || gtlt === '<') {
	        // nothing is allowed
	        ret = '<0.0.0-0';
	      } else {
	        // nothing is forbidden
	        ret = '*';
	      }
	    } else if (gtlt && anyX) {
	      // we know patch is an x, because we have any x at all.
	      // replace X with 0
	      if (xm) {
	        m = 0;
	      }
	      p = 0;

	      if (gtlt === '>') {
	        // >1 => >=2.0.0
	        // >1.2 => >=1.3.0
	        gtlt = '>=';
	        if (xm) {
	          M = +M + 1;
	          m = 0;
	          p = 0;
	        } else {
	          m = +m + 1;
	          p = 0;
	        }
	      } else if (gtlt === '<=') {
	        // <=0.7.x is actually <0.8.0, since any 0.7.x should
	        // pass.  Similarly, <=7.x is actually <8.0.0, etc.
	        gtlt = '<';
	        if (xm) {
	          M = +M + 1;
	        } else {
	          m = +m + 1;
	        }
	      }

	      if (gtlt === '<') {
	        pr = '-0';
	      }

	      ret = `${gtlt + M}.${m}.${p}${pr}`;
	    } else if (xm) {
	      ret = `>=${M}.0.0${pr} <${+M + 1}.0.0-0`;
	    } else if (xp) {
	      ret = `>=${M}.${m}.0${pr
	      } <${M}.${+m + 1}.0-0`;
	    }

	    debug('xRange return', ret);

	    return ret
	  })
	};

	// Because * is AND-ed with everything else in the comparator,
	// and '' means "any version", just remove the *s entirely.
	const replaceStars = (comp, options) => {
	  debug('replaceStars', comp, options);
	  // Looseness is ignored here.  star is always as loose as it gets!
	  return comp
	    .trim()
	    .replace(re[t.STAR], '')
	};

	const replaceGTE0 = (comp, options) => {
	  debug('replaceGTE0', comp, options);
	  return comp
	    .trim()
	    .replace(re[options.includePrerelease ? t.GTE0PRE : t.GTE0], '')
	};

	// This function is passed to string.replace(re[t.HYPHENRANGE])
	// M, m, patch, prerelease, build
	// 1.2 - 3.4.5 => >=1.2.0 <=3.4.5
	// 1.2.3 - 3.4 => >=1.2.0 <3.5.0-0 Any 3.4.x will do
	// 1.2 - 3.4 => >=1.2.0 <3.5.0-0
	// TODO build?
	const hyphenReplace = incPr => ($0,
	  from, fM, fm, fp, fpr, fb,
	  to, tM, tm, tp, tpr) => {
	  if (isX(fM)) {
	    from = '';
	  } else if (isX(fm)) {
	    from = `>=${fM}.0.0${incPr ? '-0' : ''}`;
	  } else if (isX(fp)) {
	    from = `>=${fM}.${fm}.0${incPr ? '-0' : ''}`;
	  } else if (fpr) {
	    from = `>=${from}`;
	  } else {
	    from = `>=${from}${incPr ? '-0' : ''}`;
	  }

	  if (isX(tM)) {
	    to = '';
	  } else if (isX(tm)) {
	    to = `<${+tM + 1}.0.0-0`;
	  } else if (isX(tp)) {
	    to = `<${tM}.${+tm + 1}.0-0`;
	  } else if (tpr) {
	    to = `<=${tM}.${tm}.${tp}-${tpr}`;
	  } else if (incPr) {
	    to = `<${tM}.${tm}.${+tp + 1}-0`;
	  } else {
	    to = `<=${to}`;
	  }

	  return `${from} ${to}`.trim()
	};

	const testSet = (set, version, options) => {
	  for (let i = 0; i < set.length; i++) {
	    if (!set[i].test(version)) {
	      return false
	    }
	  }

	  if (version.prerelease.length && !options.includePrerelease) {
	    // Find the set of versions that are allowed to have prereleases
	    // For example, ^1.2.3-pr.1 desugars to >=1.2.3-pr.1 <2.0.0
	    // That should allow `1.2.3-pr.2` to pass.
	    // However, `1.2.4-alpha.notready` should NOT be allowed,
	    // even though it's within the range set by the comparators.
	    for (let i = 0; i < set.length; i++) {
	      debug(set[i].semver);
	      if (set[i].semver === Comparator.ANY) {
	        continue
	      }

	      if (set[i].semver.prerelease.length > 0) {
	        const allowed = set[i].semver;
	        if (allowed.major === version.major &&
	            allowed.minor === version.minor &&
	            allowed.patch === version.patch) {
	          return true
	        }
	      }
	    }

	    // Version has a -pre, but it's not one of the ones we like.
	    return false
	  }

	  return true
	};
	return range;
}

var comparator;
var hasRequiredComparator;

function requireComparator () {
	if (hasRequiredComparator) return comparator;
	hasRequiredComparator = 1;

	const ANY = Symbol('SemVer ANY');
	// hoisted class for cyclic dependency
	class Comparator {
	  static get ANY () {
	    return ANY
	  }

	  constructor (comp, options) {
	    options = parseOptions(options);

	    if (comp instanceof Comparator) {
	      if (comp.loose === !!options.loose) {
	        return comp
	      } else {
	        comp = comp.value;
	      }
	    }

	    comp = comp.trim().split(/\s+/).join(' ');
	    debug('comparator', comp, options);
	    this.options = options;
	    this.loose = !!options.loose;
	    this.parse(comp);

	    if (this.semver === ANY) {
	      this.value = '';
	    } else {
	      this.value = this.operator + this.semver.version;
	    }

	    debug('comp', this);
	  }

	  parse (comp) {
	    const r = this.options.loose ? re[t.COMPARATORLOOSE] : re[t.COMPARATOR];
	    const m = comp.match(r);

	    if (!m) {
	      throw new TypeError(`Invalid comparator: ${comp}`)
	    }

	    this.operator = m[1] !== undefined ? m[1] : '';
	    if (this.operator === '=') {
	      this.operator = '';
	    }

	    // if it literally is just '>' or '' then allow anything.
	    if (!m[2]) {
	      this.semver = ANY;
	    } else {
	      this.semver = new SemVer(m[2], this.options.loose);
	    }
	  }

	  toString () {
	    return this.value
	  }

	  test (version) {
	    debug('Comparator.test', version, this.options.loose);

	    if (this.semver === ANY || version === ANY) {
	      return true
	    }

	    if (typeof version === 'string') {
	      try {
	        version = new SemVer(version, this.options);
	      } catch (er) {
	        return false
	      }
	    }

	    return cmp(version, this.operator, this.semver, this.options)
	  }

	  intersects (comp, options) {
	    if (!(comp instanceof Comparator)) {
	      throw new TypeError('a Comparator is required')
	    }

	    if (this.operator === '') {
	      if (this.value === '') {
	        return true
	      }
	      return new Range(comp.value, options).test(this.value)
	    } else if (comp.operator === '') {
	      if (comp.value === '') {
	        return true
	      }
	      return new Range(this.value, options).test(comp.semver)
	    }

	    options = parseOptions(options);

	    // Special cases where nothing can possibly be lower
	    if (options.includePrerelease &&
	      (this.value === '<0.0.0-0' || comp.value === '<0.0.0-0')) {
	      return false
	    }
	    if (!options.includePrerelease &&
	      (this.value.startsWith('<0.0.0') || comp.value.startsWith('<0.0.0'))) {
	      return false
	    }

	    // Same direction increasing (> or >=)
	    if (this.operator.startsWith('>') && comp.operator.startsWith('>')) {
	      return true
	    }
	    // Same direction decreasing (< or <=)
	    if (this.operator.startsWith('<') && comp.operator.startsWith('<')) {
	      return true
	    }
	    // same SemVer and both sides are inclusive (<= or >=)
	    if (
	      (this.semver.version === comp.semver.version) &&
	      this.operator.includes('=') && comp.operator.includes('=')) {
	      return true
	    }
	    // opposite directions less than
	    if (cmp(this.semver, '<', comp.semver, options) &&
	      this.operator.startsWith('>') && comp.operator.startsWith('<')) {
	      return true
	    }
	    // opposite directions greater than
	    if (cmp(this.semver, '>', comp.semver, options) &&
	      this.operator.startsWith('<') && comp.operator.startsWith('>')) {
	      return true
	    }
	    return false
	  }
	}

	comparator = Comparator;

	const parseOptions = requireParseOptions();
	const { safeRe: re, t } = requireRe();
	const cmp = requireCmp();
	const debug = requireDebug();
	const SemVer = requireSemver$1();
	const Range = requireRange();
	return comparator;
}

var satisfies_1;
var hasRequiredSatisfies;

function requireSatisfies () {
	if (hasRequiredSatisfies) return satisfies_1;
	hasRequiredSatisfies = 1;

	const Range = requireRange();
	const satisfies = (version, range, options) => {
	  try {
	    range = new Range(range, options);
	  } catch (er) {
	    return false
	  }
	  return range.test(version)
	};
	satisfies_1 = satisfies;
	return satisfies_1;
}

var toComparators_1;
var hasRequiredToComparators;

function requireToComparators () {
	if (hasRequiredToComparators) return toComparators_1;
	hasRequiredToComparators = 1;

	const Range = requireRange();

	// Mostly just for testing and legacy API reasons
	const toComparators = (range, options) =>
	  new Range(range, options).set
	    .map(comp => comp.map(c => c.value).join(' ').trim().split(' '));

	toComparators_1 = toComparators;
	return toComparators_1;
}

var maxSatisfying_1;
var hasRequiredMaxSatisfying;

function requireMaxSatisfying () {
	if (hasRequiredMaxSatisfying) return maxSatisfying_1;
	hasRequiredMaxSatisfying = 1;

	const SemVer = requireSemver$1();
	const Range = requireRange();

	const maxSatisfying = (versions, range, options) => {
	  let max = null;
	  let maxSV = null;
	  let rangeObj = null;
	  try {
	    rangeObj = new Range(range, options);
	  } catch (er) {
	    return null
	  }
	  versions.forEach((v) => {
	    if (rangeObj.test(v)) {
	      // satisfies(v, range, options)
	      if (!max || maxSV.compare(v) === -1) {
	        // compare(max, v, true)
	        max = v;
	        maxSV = new SemVer(max, options);
	      }
	    }
	  });
	  return max
	};
	maxSatisfying_1 = maxSatisfying;
	return maxSatisfying_1;
}

var minSatisfying_1;
var hasRequiredMinSatisfying;

function requireMinSatisfying () {
	if (hasRequiredMinSatisfying) return minSatisfying_1;
	hasRequiredMinSatisfying = 1;

	const SemVer = requireSemver$1();
	const Range = requireRange();
	const minSatisfying = (versions, range, options) => {
	  let min = null;
	  let minSV = null;
	  let rangeObj = null;
	  try {
	    rangeObj = new Range(range, options);
	  } catch (er) {
	    return null
	  }
	  versions.forEach((v) => {
	    if (rangeObj.test(v)) {
	      // satisfies(v, range, options)
	      if (!min || minSV.compare(v) === 1) {
	        // compare(min, v, true)
	        min = v;
	        minSV = new SemVer(min, options);
	      }
	    }
	  });
	  return min
	};
	minSatisfying_1 = minSatisfying;
	return minSatisfying_1;
}

var minVersion_1;
var hasRequiredMinVersion;

function requireMinVersion () {
	if (hasRequiredMinVersion) return minVersion_1;
	hasRequiredMinVersion = 1;

	const SemVer = requireSemver$1();
	const Range = requireRange();
	const gt = requireGt();

	const minVersion = (range, loose) => {
	  range = new Range(range, loose);

	  let minver = new SemVer('0.0.0');
	  if (range.test(minver)) {
	    return minver
	  }

	  minver = new SemVer('0.0.0-0');
	  if (range.test(minver)) {
	    return minver
	  }

	  minver = null;
	  for (let i = 0; i < range.set.length; ++i) {
	    const comparators = range.set[i];

	    let setMin = null;
	    comparators.forEach((comparator) => {
	      // Clone to avoid manipulating the comparator's semver object.
	      const compver = new SemVer(comparator.semver.version);
	      switch (comparator.operator) {
	        case '>':
	          if (compver.prerelease.length === 0) {
	            compver.patch++;
	          } else {
	            compver.prerelease.push(0);
	          }
	          compver.raw = compver.format();
	          /* fallthrough */
	        case '':
	        case '>=':
	          if (!setMin || gt(compver, setMin)) {
	            setMin = compver;
	          }
	          break
	        case '<':
	        case '<=':
	          /* Ignore maximum versions */
	          break
	        /* istanbul ignore next */
	        default:
	          throw new Error(`Unexpected operation: ${comparator.operator}`)
	      }
	    });
	    if (setMin && (!minver || gt(minver, setMin))) {
	      minver = setMin;
	    }
	  }

	  if (minver && range.test(minver)) {
	    return minver
	  }

	  return null
	};
	minVersion_1 = minVersion;
	return minVersion_1;
}

var valid;
var hasRequiredValid;

function requireValid () {
	if (hasRequiredValid) return valid;
	hasRequiredValid = 1;

	const Range = requireRange();
	const validRange = (range, options) => {
	  try {
	    // Return '*' instead of '' so that truthiness works.
	    // This will throw if it's invalid anyway
	    return new Range(range, options).range || '*'
	  } catch (er) {
	    return null
	  }
	};
	valid = validRange;
	return valid;
}

var outside_1;
var hasRequiredOutside;

function requireOutside () {
	if (hasRequiredOutside) return outside_1;
	hasRequiredOutside = 1;

	const SemVer = requireSemver$1();
	const Comparator = requireComparator();
	const { ANY } = Comparator;
	const Range = requireRange();
	const satisfies = requireSatisfies();
	const gt = requireGt();
	const lt = requireLt();
	const lte = requireLte();
	const gte = requireGte();

	const outside = (version, range, hilo, options) => {
	  version = new SemVer(version, options);
	  range = new Range(range, options);

	  let gtfn, ltefn, ltfn, comp, ecomp;
	  switch (hilo) {
	    case '>':
	      gtfn = gt;
	      ltefn = lte;
	      ltfn = lt;
	      comp = '>';
	      ecomp = '>=';
	      break
	    case '<':
	      gtfn = lt;
	      ltefn = gte;
	      ltfn = gt;
	      comp = '<';
	      ecomp = '<=';
	      break
	    default:
	      throw new TypeError('Must provide a hilo val of "<" or ">"')
	  }

	  // If it satisfies the range it is not outside
	  if (satisfies(version, range, options)) {
	    return false
	  }

	  // From now on, variable terms are as if we're in "gtr" mode.
	  // but note that everything is flipped for the "ltr" function.

	  for (let i = 0; i < range.set.length; ++i) {
	    const comparators = range.set[i];

	    let high = null;
	    let low = null;

	    comparators.forEach((comparator) => {
	      if (comparator.semver === ANY) {
	        comparator = new Comparator('>=0.0.0');
	      }
	      high = high || comparator;
	      low = low || comparator;
	      if (gtfn(comparator.semver, high.semver, options)) {
	        high = comparator;
	      } else if (ltfn(comparator.semver, low.semver, options)) {
	        low = comparator;
	      }
	    });

	    // If the edge version comparator has a operator then our version
	    // isn't outside it
	    if (high.operator === comp || high.operator === ecomp) {
	      return false
	    }

	    // If the lowest version comparator has an operator and our version
	    // is less than it then it isn't higher than the range
	    if ((!low.operator || low.operator === comp) &&
	        ltefn(version, low.semver)) {
	      return false
	    } else if (low.operator === ecomp && ltfn(version, low.semver)) {
	      return false
	    }
	  }
	  return true
	};

	outside_1 = outside;
	return outside_1;
}

var gtr_1;
var hasRequiredGtr;

function requireGtr () {
	if (hasRequiredGtr) return gtr_1;
	hasRequiredGtr = 1;

	// Determine if version is greater than all the versions possible in the range.
	const outside = requireOutside();
	const gtr = (version, range, options) => outside(version, range, '>', options);
	gtr_1 = gtr;
	return gtr_1;
}

var ltr_1;
var hasRequiredLtr;

function requireLtr () {
	if (hasRequiredLtr) return ltr_1;
	hasRequiredLtr = 1;

	const outside = requireOutside();
	// Determine if version is less than all the versions possible in the range
	const ltr = (version, range, options) => outside(version, range, '<', options);
	ltr_1 = ltr;
	return ltr_1;
}

var intersects_1;
var hasRequiredIntersects;

function requireIntersects () {
	if (hasRequiredIntersects) return intersects_1;
	hasRequiredIntersects = 1;

	const Range = requireRange();
	const intersects = (r1, r2, options) => {
	  r1 = new Range(r1, options);
	  r2 = new Range(r2, options);
	  return r1.intersects(r2, options)
	};
	intersects_1 = intersects;
	return intersects_1;
}

var simplify;
var hasRequiredSimplify;

function requireSimplify () {
	if (hasRequiredSimplify) return simplify;
	hasRequiredSimplify = 1;

	// given a set of versions and a range, create a "simplified" range
	// that includes the same versions that the original range does
	// If the original range is shorter than the simplified one, return that.
	const satisfies = requireSatisfies();
	const compare = requireCompare();
	simplify = (versions, range, options) => {
	  const set = [];
	  let first = null;
	  let prev = null;
	  const v = versions.sort((a, b) => compare(a, b, options));
	  for (const version of v) {
	    const included = satisfies(version, range, options);
	    if (included) {
	      prev = version;
	      if (!first) {
	        first = version;
	      }
	    } else {
	      if (prev) {
	        set.push([first, prev]);
	      }
	      prev = null;
	      first = null;
	    }
	  }
	  if (first) {
	    set.push([first, null]);
	  }

	  const ranges = [];
	  for (const [min, max] of set) {
	    if (min === max) {
	      ranges.push(min);
	    } else if (!max && min === v[0]) {
	      ranges.push('*');
	    } else if (!max) {
	      ranges.push(`>=${min}`);
	    } else if (min === v[0]) {
	      ranges.push(`<=${max}`);
	    } else {
	      ranges.push(`${min} - ${max}`);
	    }
	  }
	  const simplified = ranges.join(' || ');
	  const original = typeof range.raw === 'string' ? range.raw : String(range);
	  return simplified.length < original.length ? simplified : range
	};
	return simplify;
}

var subset_1;
var hasRequiredSubset;

function requireSubset () {
	if (hasRequiredSubset) return subset_1;
	hasRequiredSubset = 1;

	const Range = requireRange();
	const Comparator = requireComparator();
	const { ANY } = Comparator;
	const satisfies = requireSatisfies();
	const compare = requireCompare();

	// Complex range `r1 || r2 || ...` is a subset of `R1 || R2 || ...` iff:
	// - Every simple range `r1, r2, ...` is a null set, OR
	// - Every simple range `r1, r2, ...` which is not a null set is a subset of
	//   some `R1, R2, ...`
	//
	// Simple range `c1 c2 ...` is a subset of simple range `C1 C2 ...` iff:
	// - If c is only the ANY comparator
	//   - If C is only the ANY comparator, return true
	//   - Else if in prerelease mode, return false
	//   - else replace c with `[>=0.0.0]`
	// - If C is only the ANY comparator
	//   - if in prerelease mode, return true
	//   - else replace C with `[>=0.0.0]`
	// - Let EQ be the set of = comparators in c
	// - If EQ is more than one, return true (null set)
	// - Let GT be the highest > or >= comparator in c
	// - Let LT be the lowest < or <= comparator in c
	// - If GT and LT, and GT.semver > LT.semver, return true (null set)
	// - If any C is a = range, and GT or LT are set, return false
	// - If EQ
	//   - If GT, and EQ does not satisfy GT, return true (null set)
	//   - If LT, and EQ does not satisfy LT, return true (null set)
	//   - If EQ satisfies every C, return true
	//   - Else return false
	// - If GT
	//   - If GT.semver is lower than any > or >= comp in C, return false
	//   - If GT is >=, and GT.semver does not satisfy every C, return false
	//   - If GT.semver has a prerelease, and not in prerelease mode
	//     - If no C has a prerelease and the GT.semver tuple, return false
	// - If LT
	//   - If LT.semver is greater than any < or <= comp in C, return false
	//   - If LT is <=, and LT.semver does not satisfy every C, return false
	//   - If LT.semver has a prerelease, and not in prerelease mode
	//     - If no C has a prerelease and the LT.semver tuple, return false
	// - Else return true

	const subset = (sub, dom, options = {}) => {
	  if (sub === dom) {
	    return true
	  }

	  sub = new Range(sub, options);
	  dom = new Range(dom, options);
	  let sawNonNull = false;

	  OUTER: for (const simpleSub of sub.set) {
	    for (const simpleDom of dom.set) {
	      const isSub = simpleSubset(simpleSub, simpleDom, options);
	      sawNonNull = sawNonNull || isSub !== null;
	      if (isSub) {
	        continue OUTER
	      }
	    }
	    // the null set is a subset of everything, but null simple ranges in
	    // a complex range should be ignored.  so if we saw a non-null range,
	    // then we know this isn't a subset, but if EVERY simple range was null,
	    // then it is a subset.
	    if (sawNonNull) {
	      return false
	    }
	  }
	  return true
	};

	const minimumVersionWithPreRelease = [new Comparator('>=0.0.0-0')];
	const minimumVersion = [new Comparator('>=0.0.0')];

	const simpleSubset = (sub, dom, options) => {
	  if (sub === dom) {
	    return true
	  }

	  if (sub.length === 1 && sub[0].semver === ANY) {
	    if (dom.length === 1 && dom[0].semver === ANY) {
	      return true
	    } else if (options.includePrerelease) {
	      sub = minimumVersionWithPreRelease;
	    } else {
	      sub = minimumVersion;
	    }
	  }

	  if (dom.length === 1 && dom[0].semver === ANY) {
	    if (options.includePrerelease) {
	      return true
	    } else {
	      dom = minimumVersion;
	    }
	  }

	  const eqSet = new Set();
	  let gt, lt;
	  for (const c of sub) {
	    if (c.operator === '>' || c.operator === '>=') {
	      gt = higherGT(gt, c, options);
	    } else if (c.operator === '<' || c.operator === '<=') {
	      lt = lowerLT(lt, c, options);
	    } else {
	      eqSet.add(c.semver);
	    }
	  }

	  if (eqSet.size > 1) {
	    return null
	  }

	  let gtltComp;
	  if (gt && lt) {
	    gtltComp = compare(gt.semver, lt.semver, options);
	    if (gtltComp > 0) {
	      return null
	    } else if (gtltComp === 0 && (gt.operator !== '>=' || lt.operator !== '<=')) {
	      return null
	    }
	  }

	  // will iterate one or zero times
	  for (const eq of eqSet) {
	    if (gt && !satisfies(eq, String(gt), options)) {
	      return null
	    }

	    if (lt && !satisfies(eq, String(lt), options)) {
	      return null
	    }

	    for (const c of dom) {
	      if (!satisfies(eq, String(c), options)) {
	        return false
	      }
	    }

	    return true
	  }

	  let higher, lower;
	  let hasDomLT, hasDomGT;
	  // if the subset has a prerelease, we need a comparator in the superset
	  // with the same tuple and a prerelease, or it's not a subset
	  let needDomLTPre = lt &&
	    !options.includePrerelease &&
	    lt.semver.prerelease.length ? lt.semver : false;
	  let needDomGTPre = gt &&
	    !options.includePrerelease &&
	    gt.semver.prerelease.length ? gt.semver : false;
	  // exception: <1.2.3-0 is the same as <1.2.3
	  if (needDomLTPre && needDomLTPre.prerelease.length === 1 &&
	      lt.operator === '<' && needDomLTPre.prerelease[0] === 0) {
	    needDomLTPre = false;
	  }

	  for (const c of dom) {
	    hasDomGT = hasDomGT || c.operator === '>' || c.operator === '>=';
	    hasDomLT = hasDomLT || c.operator === '<' || c.operator === '<=';
	    if (gt) {
	      if (needDomGTPre) {
	        if (c.semver.prerelease && c.semver.prerelease.length &&
	            c.semver.major === needDomGTPre.major &&
	            c.semver.minor === needDomGTPre.minor &&
	            c.semver.patch === needDomGTPre.patch) {
	          needDomGTPre = false;
	        }
	      }
	      if (c.operator === '>' || c.operator === '>=') {
	        higher = higherGT(gt, c, options);
	        if (higher === c && higher !== gt) {
	          return false
	        }
	      } else if (gt.operator === '>=' && !c.test(gt.semver)) {
	        return false
	      }
	    }
	    if (lt) {
	      if (needDomLTPre) {
	        if (c.semver.prerelease && c.semver.prerelease.length &&
	            c.semver.major === needDomLTPre.major &&
	            c.semver.minor === needDomLTPre.minor &&
	            c.semver.patch === needDomLTPre.patch) {
	          needDomLTPre = false;
	        }
	      }
	      if (c.operator === '<' || c.operator === '<=') {
	        lower = lowerLT(lt, c, options);
	        if (lower === c && lower !== lt) {
	          return false
	        }
	      } else if (lt.operator === '<=' && !c.test(lt.semver)) {
	        return false
	      }
	    }
	    if (!c.operator && (lt || gt) && gtltComp !== 0) {
	      return false
	    }
	  }

	  // if there was a < or >, and nothing in the dom, then must be false
	  // UNLESS it was limited by another range in the other direction.
	  // Eg, >1.0.0 <1.0.1 is still a subset of <2.0.0
	  if (gt && hasDomLT && !lt && gtltComp !== 0) {
	    return false
	  }

	  if (lt && hasDomGT && !gt && gtltComp !== 0) {
	    return false
	  }

	  // we needed a prerelease range in a specific tuple, but didn't get one
	  // then this isn't a subset.  eg >=1.2.3-pre is not a subset of >=1.0.0,
	  // because it includes prereleases in the 1.2.3 tuple
	  if (needDomGTPre || needDomLTPre) {
	    return false
	  }

	  return true
	};

	// >=1.2.3 is lower than >1.2.3
	const higherGT = (a, b, options) => {
	  if (!a) {
	    return b
	  }
	  const comp = compare(a.semver, b.semver, options);
	  return comp > 0 ? a
	    : comp < 0 ? b
	    : b.operator === '>' && a.operator === '>=' ? b
	    : a
	};

	// <=1.2.3 is higher than <1.2.3
	const lowerLT = (a, b, options) => {
	  if (!a) {
	    return b
	  }
	  const comp = compare(a.semver, b.semver, options);
	  return comp < 0 ? a
	    : comp > 0 ? b
	    : b.operator === '<' && a.operator === '<=' ? b
	    : a
	};

	subset_1 = subset;
	return subset_1;
}

var semver$1;
var hasRequiredSemver;

function requireSemver () {
	if (hasRequiredSemver) return semver$1;
	hasRequiredSemver = 1;

	// just pre-load all the stuff that index.js lazily exports
	const internalRe = requireRe();
	const constants = requireConstants();
	const SemVer = requireSemver$1();
	const identifiers = requireIdentifiers();
	const parse = requireParse();
	const valid = requireValid$1();
	const clean = requireClean();
	const inc = requireInc();
	const diff = requireDiff();
	const major = requireMajor();
	const minor = requireMinor();
	const patch = requirePatch();
	const prerelease = requirePrerelease();
	const compare = requireCompare();
	const rcompare = requireRcompare();
	const compareLoose = requireCompareLoose();
	const compareBuild = requireCompareBuild();
	const sort = requireSort();
	const rsort = requireRsort();
	const gt = requireGt();
	const lt = requireLt();
	const eq = requireEq();
	const neq = requireNeq();
	const gte = requireGte();
	const lte = requireLte();
	const cmp = requireCmp();
	const coerce = requireCoerce();
	const truncate = requireTruncate();
	const Comparator = requireComparator();
	const Range = requireRange();
	const satisfies = requireSatisfies();
	const toComparators = requireToComparators();
	const maxSatisfying = requireMaxSatisfying();
	const minSatisfying = requireMinSatisfying();
	const minVersion = requireMinVersion();
	const validRange = requireValid();
	const outside = requireOutside();
	const gtr = requireGtr();
	const ltr = requireLtr();
	const intersects = requireIntersects();
	const simplifyRange = requireSimplify();
	const subset = requireSubset();
	semver$1 = {
	  parse,
	  valid,
	  clean,
	  inc,
	  diff,
	  major,
	  minor,
	  patch,
	  prerelease,
	  compare,
	  rcompare,
	  compareLoose,
	  compareBuild,
	  sort,
	  rsort,
	  gt,
	  lt,
	  eq,
	  neq,
	  gte,
	  lte,
	  cmp,
	  coerce,
	  truncate,
	  Comparator,
	  Range,
	  satisfies,
	  toComparators,
	  maxSatisfying,
	  minSatisfying,
	  minVersion,
	  validRange,
	  outside,
	  gtr,
	  ltr,
	  intersects,
	  simplifyRange,
	  subset,
	  SemVer,
	  re: internalRe.re,
	  src: internalRe.src,
	  tokens: internalRe.t,
	  SEMVER_SPEC_VERSION: constants.SEMVER_SPEC_VERSION,
	  RELEASE_TYPES: constants.RELEASE_TYPES,
	  compareIdentifiers: identifiers.compareIdentifiers,
	  rcompareIdentifiers: identifiers.rcompareIdentifiers,
	};
	return semver$1;
}

var semverExports = requireSemver();
var semver = /*@__PURE__*/getDefaultExportFromCjs(semverExports);

// Falco's naming and numbering rules, written once: what falcoctl and the falcosecurity plugin
// registry (registry.yaml, `registry check`) accept as a plugin or artifact name, an event
// source and an event source ID (falco-plugin-api.md §9). Pure.
/**
 * A plugin's name, and every falcoctl artifact name (a ruleset is `<plugin>-rules`). falcoctl's
 * ParseRef spells it ^[a-z]+[a-z0-9_-]*$ and the registry ^[a-z]+[a-z0-9-_]*$: the same names.
 */
const ARTIFACT_NAME_PATTERN = /^[a-z]+[a-z0-9-_]*$/;
/** The event source of a sourcing plugin (the registry's rule: no "-"). */
const EVENT_SOURCE_PATTERN = /^[a-z]+[a-z0-9_]*$/;
/** registry.yaml `reserved_sources`: event sources Falco itself uses. */
const RESERVED_SOURCES = ['syscall', 'internal', 'plugins'];
/** registry.yaml's MaxPublicID: 1<<30 - 1. */
const MAX_PUBLIC_ID = 2 ** 30 - 1;
/** Top of the private block (docs/plugin-ids.md); above it IDs are reserved for internal use. */
const MAX_PRIVATE_ID = 2 ** 31 - 1;
/** The ID any author may use while developing (the registry's reserved `test` entry). */
const DEVELOPMENT_ID = 999;
/** The block of a non-negative integer source ID. */
function sourceIdBlock(id) {
    if (id === 0)
        return 'zero';
    if (id > MAX_PRIVATE_ID)
        return 'internal';
    if (id > MAX_PUBLIC_ID)
        return 'private';
    return id === DEVELOPMENT_ID ? 'development' : 'public';
}
function isArtifactName(name) {
    return ARTIFACT_NAME_PATTERN.test(name);
}

// JSON exactly as Go's encoding/json (Go >= 1.22) writes it, so that manifests, indexes and config
// blobs are byte-identical to what falcoctl/oras would produce for the same values.
//
// - compact, no trailing newline;
// - object keys in insertion order: callers build objects in Go struct field order;
// - maps (annotations) are passed as a Map, built by sortedRecord(), because Go sorts map keys
//   and a plain JS object cannot hold integer-like keys in insertion order;
// - strings escape '"', '\\', control characters (\b \f \n \r \t short forms, others \u00XX with
//   lower-case hex), '<' '>' '&' (\u003c \u003e \u0026), U+2028 and U+2029; every other
//   character is written raw. A lone surrogate becomes a raw U+FFFD, which is what its UTF-8
//   conversion (Buffer.from) gives and what Go then writes for that valid UTF-8.
// - only safe integers are accepted as numbers (Go's float formatting is not reproduced).
const HEX = '0123456789abcdef';
const ARRAY_INDEX_KEY = /^(?:0|[1-9]\d*)$/;
function escapeString(s) {
    let out = '"';
    let start = 0;
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        let rep;
        if (c < 0x20) {
            switch (c) {
                case 0x08:
                    rep = '\\b';
                    break;
                case 0x0c:
                    rep = '\\f';
                    break;
                case 0x0a:
                    rep = '\\n';
                    break;
                case 0x0d:
                    rep = '\\r';
                    break;
                case 0x09:
                    rep = '\\t';
                    break;
                default:
                    rep = '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
            }
        }
        else if (c === 0x22) {
            rep = '\\"';
        }
        else if (c === 0x5c) {
            rep = '\\\\';
        }
        else if (c === 0x3c) {
            rep = '\\u003c';
        }
        else if (c === 0x3e) {
            rep = '\\u003e';
        }
        else if (c === 0x26) {
            rep = '\\u0026';
        }
        else if (c === 0x2028) {
            rep = '\\u2028';
        }
        else if (c === 0x2029) {
            rep = '\\u2029';
        }
        else if (c >= 0xd800 && c <= 0xdbff) {
            const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
            if (next >= 0xdc00 && next <= 0xdfff) {
                i++; // a valid surrogate pair: written raw
                continue;
            }
            rep = '\ufffd';
        }
        else if (c >= 0xdc00 && c <= 0xdfff) {
            rep = '\ufffd';
        }
        if (rep !== undefined) {
            out += s.slice(start, i) + rep;
            start = i + 1;
        }
    }
    return out + s.slice(start) + '"';
}
function encode(value, path) {
    if (value === null)
        return 'null';
    switch (typeof value) {
        case 'string':
            return escapeString(value);
        case 'boolean':
            return value ? 'true' : 'false';
        case 'number':
            if (!Number.isSafeInteger(value)) {
                throw new Error(`goJson: ${path} is not a safe integer: ${value}`);
            }
            return Object.is(value, -0) ? '0' : String(value);
        case 'object':
            break;
        default:
            throw new Error(`goJson: ${path} has unsupported type ${typeof value}`);
    }
    if (Array.isArray(value)) {
        const items = value.map((v, i) => {
            if (v === undefined)
                throw new Error(`goJson: ${path}[${i}] is undefined`);
            return encode(v, `${path}[${i}]`);
        });
        return '[' + items.join(',') + ']';
    }
    const parts = [];
    if (value instanceof Map) {
        for (const [k, v] of value) {
            if (typeof k !== 'string')
                throw new Error(`goJson: ${path} has a non-string map key`);
            if (v === undefined)
                continue;
            parts.push(escapeString(k) + ':' + encode(v, `${path}.${k}`));
        }
        return '{' + parts.join(',') + '}';
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
        throw new Error(`goJson: ${path} is not a plain object`);
    }
    for (const [k, v] of Object.entries(value)) {
        if (ARRAY_INDEX_KEY.test(k)) {
            // JS orders such keys numerically, not by insertion: the caller must use a Map.
            throw new Error(`goJson: ${path} has the integer-like key "${k}"; use a Map`);
        }
        if (v === undefined)
            continue;
        parts.push(escapeString(k) + ':' + encode(v, `${path}.${k}`));
    }
    return '{' + parts.join(',') + '}';
}
/** Serialises a value as Go's json.Marshal would (see the notes at the top of this file). */
function goJson(value) {
    if (value === undefined)
        throw new Error('goJson: value is undefined');
    return encode(value, '$');
}
/** Go's map key order: byte-wise comparison of the UTF-8 encodings (strings.Compare). */
function compareGoStrings(a, b) {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
/** A map with Go's encoding order (sorted keys), for annotations and other map[string]string. */
function sortedRecord(record) {
    const keys = Object.keys(record).sort(compareGoStrings);
    return new Map(keys.map((k) => [k, record[k]]));
}

// The artifact config blob (falcoctl pkg/oci/types.go ArtifactConfig). The same blob is used for
// every platform of a plugin. Only this blob can be byte-identical to falcoctl's output.
/** Requirement keys (keys of Falco's /versions document). */
const REQUIREMENT_PLUGIN_API_VERSION = 'plugin_api_version';
const REQUIREMENT_ENGINE_VERSION = 'engine_version_semver';
/** Requirement keys are keys of Falco's /versions document, e.g. plugin_api_version. */
const REQUIREMENT_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
const INTEGER_PATTERN = /^(?:0|[1-9]\d*)$/;
/** A full X.Y.Z[-pre] version: no 'v' prefix, no '+build' metadata, no surrounding spaces. */
function isStrictSemver(version) {
    return !version.includes('+') && semver.valid(version) === version;
}
function assertArtifactName(name, what) {
    if (typeof name !== 'string' || !isArtifactName(name)) {
        throw new Error(`${what} ${JSON.stringify(name)} is not a valid artifact name: it must match ${ARTIFACT_NAME_PATTERN.source}`);
    }
}
function assertStrictSemver(version, what) {
    if (typeof version !== 'string' || !isStrictSemver(version)) {
        throw new Error(`${what} ${JSON.stringify(version)} is not a strict semantic version: ` +
            'expected X.Y.Z or X.Y.Z-prerelease, without a "v" prefix or "+build" metadata');
    }
}
function assertRequirement(r) {
    if (typeof r.name !== 'string' || !REQUIREMENT_NAME_PATTERN.test(r.name)) {
        throw new Error(`requirement name ${JSON.stringify(r.name)} is invalid: it must match ${REQUIREMENT_NAME_PATTERN.source}`);
    }
    // falcoctl follow accepts an integer or a strict semver (internal/follower checkRequirements).
    if (typeof r.version !== 'string' ||
        !(INTEGER_PATTERN.test(r.version) || isStrictSemver(r.version))) {
        throw new Error(`requirement ${r.name} has the version ${JSON.stringify(r.version)}: expected an integer or X.Y.Z`);
    }
}
const byName = (a, b) => compareGoStrings(a.name, b.name);
/**
 * The config in its normalised form: dependencies and their alternatives sorted by name,
 * requirements sorted and de-duplicated by name (the last one wins, as falcoctl's
 * SetRequirement), empty arrays dropped. Throws on invalid names or versions and on a
 * dependency (or an alternative within one dependency) named twice.
 */
function normalizeConfig(config) {
    assertArtifactName(config.name, 'artifact name');
    assertStrictSemver(config.version, `version of ${config.name}`);
    const seen = new Set();
    const dependencies = (config.dependencies ?? []).map((d) => {
        assertArtifactName(d.name, `dependency of ${config.name}`);
        assertStrictSemver(d.version, `version of dependency ${d.name}`);
        if (seen.has(d.name)) {
            throw new Error(`dependency ${d.name} is listed twice in the config of ${config.name}`);
        }
        seen.add(d.name);
        const altSeen = new Set();
        const alternatives = (d.alternatives ?? []).map((a) => {
            assertArtifactName(a.name, `alternative of dependency ${d.name}`);
            assertStrictSemver(a.version, `version of alternative ${a.name} of dependency ${d.name}`);
            if (altSeen.has(a.name)) {
                throw new Error(`alternative ${a.name} is listed twice for dependency ${d.name}`);
            }
            altSeen.add(a.name);
            return { name: a.name, version: a.version };
        });
        alternatives.sort(byName);
        return alternatives.length > 0
            ? { name: d.name, version: d.version, alternatives }
            : { name: d.name, version: d.version };
    });
    dependencies.sort(byName);
    const requirementsByName = new Map();
    for (const r of config.requirements ?? []) {
        assertRequirement(r);
        requirementsByName.set(r.name, { name: r.name, version: r.version });
    }
    const requirements = [...requirementsByName.values()].sort(byName);
    const out = { name: config.name, version: config.version };
    if (dependencies.length > 0)
        out.dependencies = dependencies;
    if (requirements.length > 0)
        out.requirements = requirements;
    return out;
}
/** The config blob: compact JSON, keys name, version, dependencies, requirements. */
function serializeConfig(config) {
    const n = normalizeConfig(config);
    return Buffer.from(goJson({
        name: n.name,
        version: n.version,
        dependencies: n.dependencies?.map((d) => ({
            name: d.name,
            version: d.version,
            alternatives: d.alternatives?.map((a) => ({ name: a.name, version: a.version }))
        })),
        requirements: n.requirements?.map((r) => ({ name: r.name, version: r.version }))
    }), 'utf8');
}

// Blob sources: content plus its digest and size, re-openable so an upload can restart.
/** "sha256:<hex>" of some bytes. */
function sha256Digest(data) {
    return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
/** The digest of `data` with the algorithm that `like` uses ("sha256:..." or "sha512:..."). */
function digestLike(like, data) {
    const algorithm = algorithmOf(like);
    return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}
/** An in-memory blob, for small content such as config JSON. */
function bufferBlob(data) {
    return {
        digest: sha256Digest(data),
        size: data.length,
        open: () => Readable.from([data], { objectMode: false })
    };
}
/** A blob in a file, read 1 MiB at a time (a large one goes up a fifth faster than in 64 KiB reads). */
function fileBlob(path, digest, size) {
    return { digest, size, open: () => createReadStream(path, { highWaterMark: 1 << 20 }) };
}
/** A pass-through stream that hashes and counts what flows through it. */
class DigestCounter extends Transform {
    algorithm;
    bytes = 0;
    hash;
    constructor(algorithm) {
        super();
        this.algorithm = algorithm;
        this.hash = createHash(algorithm);
    }
    _transform(chunk, _enc, done) {
        this.bytes += chunk.length;
        this.hash.update(chunk);
        done(null, chunk);
    }
    /** Only valid once the stream has finished. */
    digest() {
        return `${this.algorithm}:${this.hash.digest('hex')}`;
    }
}
/**
 * Passes a blob through and fails the stream at its end when the content does not match the
 * expected digest (and size, when known), so a reader never silently gets corrupt data.
 */
class VerifyingStream extends DigestCounter {
    expected;
    size;
    constructor(expected, size) {
        super(algorithmOf(expected));
        this.expected = expected;
        this.size = size;
    }
    _transform(chunk, enc, done) {
        // An endless or oversized blob fails at once, not after filling the disk.
        if (this.size !== undefined && this.bytes + chunk.length > this.size) {
            return done(new Error(`blob ${this.expected}: more than the expected ${this.size} bytes`));
        }
        super._transform(chunk, enc, done);
    }
    _flush(done) {
        const actual = this.digest();
        if (this.size !== undefined && this.bytes !== this.size) {
            done(new Error(`blob ${this.expected}: got ${this.bytes} bytes, expected ${this.size}`));
        }
        else if (actual !== this.expected) {
            done(new Error(`blob ${this.expected}: content has digest ${actual}`));
        }
        else {
            done();
        }
    }
}
/** "sha256" of "sha256:<hex>". */
function algorithmOf(digest) {
    return digest.slice(0, digest.indexOf(':'));
}

// The OCI media types and annotation keys (image-spec v1.1), written once: the client asks for
// and understands the manifest types; the artifacts built on it (falcoctl's, cosign's) use the rest.
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** An image's config blob. */
const OCI_IMAGE_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** The empty descriptor's blob ("{}"), the config of an artifact that has none. */
const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
/** The Accept header for manifest reads: every root type we can be asked to resolve. */
const MANIFEST_ACCEPT = [
    OCI_INDEX,
    OCI_MANIFEST,
    DOCKER_MANIFEST_LIST,
    DOCKER_MANIFEST
].join(', ');
/** A layer's file name. */
const ANNOTATION_TITLE = 'org.opencontainers.image.title';
/** When the content was made: RFC 3339, e.g. 2026-08-04T10:11:12Z. */
const ANNOTATION_CREATED = 'org.opencontainers.image.created';
/** The URL of the source the content was built from. */
const ANNOTATION_SOURCE = 'org.opencontainers.image.source';

// Media types of falcoctl artifacts (falcoctl pkg/oci/constants.go). The OCI types and
// annotations they also use are in oci/media-types.ts; there are no Falco-specific annotations.
// falcoctl's use of them: a layer's title is the archive's file name (falcoctl install needs it);
// manifests and their index descriptors carry created (second precision, UTC) and source; the
// plugin index carries source only.
const ARTIFACT_TYPES = ['plugin', 'rulesfile', 'asset'];
const PLUGIN_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.falco.plugin.config.v1+json';
const PLUGIN_LAYER_MEDIA_TYPE = 'application/vnd.cncf.falco.plugin.layer.v1+tar.gz';
const RULESFILE_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.falco.rulesfile.config.v1+json';
const RULESFILE_LAYER_MEDIA_TYPE = 'application/vnd.cncf.falco.rulesfile.layer.v1+tar.gz';

// OCI image manifests and the plugin image index, in the shapes falcoctl's pusher produces
// (oras-go pack.go packManifestV1_1_RC2 + falcoctl storeArtifactsIndex), serialised with Go's
// field order (image-spec specs-go/v1).
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const CREATED_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const PLATFORM_OS = /^[a-z]+$/;
const PLATFORM_ARCH = /^[a-z0-9_]+$/;
const GOARCH_ALIASES = { x86_64: 'amd64', aarch64: 'arm64' };
/** Makes oras unpack a layer on pull: never set it on falcoctl artifacts. */
const ORAS_UNPACK_ANNOTATION = 'io.deis.oras.content.unpack';
function nonEmpty$1(record) {
    return record !== undefined && Object.keys(record).length > 0;
}
function assertDescriptor(d, what) {
    if (typeof d.mediaType !== 'string' || d.mediaType === '') {
        throw new Error(`${what} has no mediaType`);
    }
    if (typeof d.digest !== 'string' || !SHA256_DIGEST.test(d.digest)) {
        throw new Error(`${what} has the digest ${JSON.stringify(d.digest)}: expected sha256:<64 hex>`);
    }
    if (!Number.isSafeInteger(d.size) || d.size < 0) {
        throw new Error(`${what} has the invalid size ${d.size}`);
    }
}
/** Checks a platform as falcoctl install will match it: GOOS/GOARCH, e.g. linux/amd64. */
function assertPlatform(p) {
    const alias = GOARCH_ALIASES[p.architecture];
    if (alias !== undefined) {
        throw new Error(`platform ${p.os}/${p.architecture}: falcoctl matches Go architecture names; use ${p.os}/${alias}`);
    }
    if (!PLATFORM_OS.test(p.os) || !PLATFORM_ARCH.test(p.architecture)) {
        throw new Error(`platform ${JSON.stringify(`${p.os}/${p.architecture}`)} is not OS/ARCH`);
    }
}
/** The descriptor as an ordered object: mediaType, digest, size, urls, annotations, data, platform, artifactType. */
function descriptorJson(d) {
    return {
        mediaType: d.mediaType,
        digest: d.digest,
        size: d.size,
        urls: d.urls !== undefined && d.urls.length > 0 ? d.urls : undefined,
        annotations: nonEmpty$1(d.annotations) ? sortedRecord(d.annotations ?? {}) : undefined,
        data: d.data !== undefined && d.data !== '' ? d.data : undefined,
        platform: d.platform !== undefined
            ? { architecture: d.platform.architecture, os: d.platform.os }
            : undefined,
        artifactType: d.artifactType !== undefined && d.artifactType !== '' ? d.artifactType : undefined
    };
}
/**
 * An OCI image manifest with exactly one layer and no artifactType. The returned descriptor
 * carries the manifest's annotations and artifactType = the config media type, as the
 * descriptor oras.Pack returns (ready for buildPluginIndex).
 */
function buildManifest(input) {
    const { config, layer, annotations } = input;
    assertDescriptor(config, 'config descriptor');
    assertDescriptor(layer, 'layer descriptor');
    if (nonEmpty$1(config.annotations)) {
        throw new Error('the config descriptor must not carry annotations (registries such as ECR reject them)');
    }
    if (config.platform !== undefined || config.artifactType !== undefined) {
        throw new Error('the config descriptor must have only mediaType, digest and size');
    }
    const title = layer.annotations?.[ANNOTATION_TITLE];
    if (title === undefined || title === '') {
        throw new Error(`the layer descriptor needs a ${ANNOTATION_TITLE} annotation: falcoctl install uses it`);
    }
    if (layer.annotations?.[ORAS_UNPACK_ANNOTATION] !== undefined) {
        throw new Error(`the layer descriptor must not carry ${ORAS_UNPACK_ANNOTATION}`);
    }
    const created = annotations[ANNOTATION_CREATED];
    if (created === undefined || !CREATED_FORMAT.test(created)) {
        throw new Error(`manifest annotation ${ANNOTATION_CREATED} must be RFC 3339 UTC with seconds, e.g. 2026-08-04T10:11:12Z; got ${JSON.stringify(created)}`);
    }
    const bytes = Buffer.from(goJson({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: descriptorJson({
            mediaType: config.mediaType,
            digest: config.digest,
            size: config.size
        }),
        layers: [
            descriptorJson({
                mediaType: layer.mediaType,
                digest: layer.digest,
                size: layer.size,
                annotations: layer.annotations
            })
        ],
        annotations: sortedRecord(annotations)
    }), 'utf8');
    return {
        bytes,
        descriptor: {
            mediaType: OCI_MANIFEST,
            digest: sha256Digest(bytes),
            size: bytes.length,
            annotations: { ...annotations },
            artifactType: config.mediaType
        }
    };
}
/**
 * The plugin image index (the root falcoctl tags and signs). Entries are
 * {mediaType, digest, size, annotations, platform, artifactType: plugin config media type},
 * in release order (amd64 first: byReleaseOrder). `annotations` is the index-level map:
 * falcoctl puts only org.opencontainers.image.source there.
 */
function buildPluginIndex(entries, annotations) {
    if (entries.length === 0)
        throw new Error('a plugin index needs at least one platform');
    const seen = new Set();
    for (const { manifest, platform } of entries) {
        const key = `${platform.os}/${platform.architecture}`;
        assertPlatform(platform);
        assertDescriptor(manifest, `manifest descriptor for ${key}`);
        if (manifest.mediaType !== OCI_MANIFEST) {
            throw new Error(`manifest descriptor for ${key} has mediaType ${manifest.mediaType}`);
        }
        if (manifest.artifactType !== undefined && manifest.artifactType !== PLUGIN_CONFIG_MEDIA_TYPE) {
            throw new Error(`manifest for ${key} is not a plugin manifest (artifactType ${manifest.artifactType})`);
        }
        if (seen.has(key))
            throw new Error(`platform ${key} appears twice in the plugin index`);
        seen.add(key);
    }
    const ordered = [...entries].sort((a, b) => byReleaseOrder(a.platform, b.platform));
    const bytes = Buffer.from(goJson({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: ordered.map(({ manifest, platform }) => descriptorJson({
            mediaType: manifest.mediaType,
            digest: manifest.digest,
            size: manifest.size,
            annotations: manifest.annotations,
            platform,
            artifactType: PLUGIN_CONFIG_MEDIA_TYPE
        })),
        annotations: nonEmpty$1(annotations) ? sortedRecord(annotations ?? {}) : undefined
    }), 'utf8');
    return {
        bytes,
        descriptor: { mediaType: OCI_INDEX, digest: sha256Digest(bytes), size: bytes.length }
    };
}

// Why a version tag that already exists points at other content than this release: the .so or
// rules file, the config (a rules artifact added after the plugin was published), the platforms,
// or only the annotations (the release time, the source URL). Pure: it reads the published
// objects the targets returned and the objects this release would push.
function parse$1(bytes) {
    try {
        const v = JSON.parse(bytes.toString('utf8'));
        return v !== null && typeof v === 'object' ? v : undefined;
    }
    catch {
        return undefined;
    }
}
function manifestFacts(m) {
    const j = parse$1(m.bytes) ?? {};
    const config = j.config;
    const layers = Array.isArray(j.layers) ? j.layers : [];
    return {
        platform: m.platform ? `${m.platform.os}/${m.platform.architecture}` : '',
        configDigest: config?.digest,
        layers: layers.map((l) => l.digest ?? ''),
        annotations: j.annotations ?? {}
    };
}
const depNames = (c) => new Set((c?.dependencies ?? []).map((d) => `${d.name}:${d.version}`));
/** Sentences saying what differs between the published artifact and this release's. */
function describeDifferences(published, planned) {
    const out = [];
    const pub = published.manifests.map(manifestFacts);
    const now = planned.manifests.map(manifestFacts);
    const thing = planned.kind === 'plugin' ? 'the .so' : 'the rules file';
    const pubPlatforms = pub.map((m) => m.platform).filter((p) => p !== '');
    const nowPlatforms = now.map((m) => m.platform).filter((p) => p !== '');
    if (pubPlatforms.length > 0 && pubPlatforms.sort().join(',') !== nowPlatforms.sort().join(',')) {
        out.push(`the platforms differ: published ${pubPlatforms.join(', ')}, this release ${nowPlatforms.join(', ')}`);
    }
    const changedLayers = now.filter((n) => {
        const p = pub.find((x) => x.platform === n.platform);
        return p !== undefined && p.layers.join(',') !== n.layers.join(',');
    });
    if (changedLayers.length > 0) {
        out.push(`${thing} differs from the published one (${changedLayers
            .map((n) => n.platform || 'layer')
            .join(', ')}): the sources changed since it was published, or the build is not ` +
            'reproducible here (another Go version or build command)');
    }
    const samePlatform = now.filter((n) => pub.some((p) => p.platform === n.platform));
    const configChanged = samePlatform.some((n) => pub.find((p) => p.platform === n.platform)?.configDigest !== n.configDigest);
    if (configChanged) {
        const before = published.config ? published.config.toString('utf8') : undefined;
        const was = before ? parse$1(Buffer.from(before)) : undefined;
        const is = parse$1(Buffer.from(planned.configJson));
        const rulesDep = `${planned.name}-rules:${planned.version}`;
        const what = changedLayers.length === 0
            ? `only the ${planned.kind} config differs (${thing} is byte-identical)`
            : `the ${planned.kind} config differs too`;
        out.push(before
            ? `${what}: published ${before}, this release ${planned.configJson}`
            : `${what}: this release's is ${planned.configJson}`);
        if (planned.kind === 'plugin' && was) {
            const gained = depNames(is).has(rulesDep) && !depNames(was).has(rulesDep);
            const lost = !depNames(is).has(rulesDep) && depNames(was).has(rulesDep);
            if (gained) {
                out.push(`this release adds rules to a version published without them, and the plugin's config ` +
                    `now depends on ${rulesDep}. To publish the rules for this version and leave the plugin ` +
                    'as published, set plugin-depends-on-rules: false; or release the rules with a new version');
            }
            else if (lost) {
                out.push(`the published plugin depends on ${rulesDep}, but this release has no rules file or ` +
                    'plugin-depends-on-rules: false: bring the rules file back, or release a new version');
            }
        }
    }
    const pubAnn = pub[0]?.annotations ?? {};
    const nowAnn = now[0]?.annotations ?? {};
    if (pub.length > 0 && now.length > 0) {
        if (pubAnn[ANNOTATION_CREATED] !== nowAnn[ANNOTATION_CREATED]) {
            out.push(`the release time differs: published ${pubAnn[ANNOTATION_CREATED] ?? '(none)'}, this run ` +
                `${nowAnn[ANNOTATION_CREATED] ?? '(none)'}; it comes from SOURCE_DATE_EPOCH or the tagged ` +
                'commit: run from the same tag, or set SOURCE_DATE_EPOCH to the published time');
        }
        if (pubAnn[ANNOTATION_SOURCE] !== nowAnn[ANNOTATION_SOURCE]) {
            out.push(`the source annotation differs: published ${pubAnn[ANNOTATION_SOURCE] ?? '(none)'}, this ` +
                `run ${nowAnn[ANNOTATION_SOURCE] ?? '(none)'}: set source-url to the published value ` +
                '(outside GitHub, pass --repository as GitHub spells the repository, or --source-url)');
        }
    }
    return out;
}

// The one version type of a release, and the one strict parser: a git tag (or GITHUB_REF) becomes
// the release version the artifacts carry.
// Strict SemVer 2.0; a leading "v" is accepted and dropped; build metadata is
// refused because OCI tags cannot carry "+" and falcoctl rejects it.
const STRICT_SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;
const EXAMPLE = 'tags look like 1.4.2, v1.4.2 or 1.5.0-rc.1';
class VersionError extends Error {
}
/**
 * A strict SemVer 2.0 version without build metadata (no "v", no "+", nothing around it), parsed;
 * undefined when `text` is not one. The one check every version here goes through: tags, the
 * version a .so reports, dev versions.
 */
function strictVersion(text) {
    return STRICT_SEMVER.test(text) ? (semver.parse(text) ?? undefined) : undefined;
}
/** The ReleaseVersion of a parsed version, released under `tag`. */
function releaseVersion(v, tag, dev) {
    return {
        version: v.version,
        major: v.major,
        minor: v.minor,
        patch: v.patch,
        prerelease: v.prerelease.length > 0,
        tag,
        ...(dev ? { dev } : {})
    };
}
/** Parses a release tag. Throws VersionError quoting the tag and showing a valid one. */
function parseReleaseTag(tag) {
    const raw = tag.trim();
    if (raw === '')
        throw new VersionError(`no release tag was given: ${EXAMPLE}`);
    const body = raw.startsWith('v') ? raw.slice(1) : raw;
    if (body.includes('+')) {
        const base = body.slice(0, body.indexOf('+'));
        throw new VersionError(`tag "${raw}" has build metadata ("+${body.slice(body.indexOf('+') + 1)}"), which OCI tags ` +
            `cannot carry and falcoctl rejects: tag the release as ${base} instead`);
    }
    const parsed = strictVersion(body);
    if (!parsed) {
        throw new VersionError(`tag "${raw}" is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE]): ${EXAMPLE}`);
    }
    return releaseVersion(parsed, raw);
}

// Development builds from the default branch: when a run is one, and which version it gets.
//
// falcosecurity/plugins publishes every merge to main under the moving tag `main` only, with a
// version such as 0.19.0-0.18.0-12+abc1234 in the config (plugin version, last release, commits
// since, commit): no tag carries that version, and falcoctl's CLI refuses `+`. Here a dev build
// gets an exact, unique tag too, so that dependencies can point at it, and a version that is a
// SemVer pre-release (no `+`, which OCI tags cannot hold):
//
//   <base>-dev.<commits>.g<commit>     e.g. 1.4.3-dev.5.gabc1234
//
// <commits> counts the commits since the last release tag (all of them when there is none yet),
// <commit> is the first 7 hex digits of the commit built. The base comes from the version the .so
// reports (V) and the last release (L), so that every dev version sorts after L and, when V is
// not released yet, before V:
//   - no release yet:            core(V)            (0.1.0-dev.7.g... before 0.1.0)
//   - L is a pre-release of V's core: L + ".dev..." (1.5.0-rc.1.dev.3.g... after rc.1, before 1.5.0)
//   - V above L:                 core(V)            (1.5.0-dev.5.g... between 1.4.2 and 1.5.0)
//   - V equals L (not bumped):   L's next patch     (1.4.3-dev.5.g... after 1.4.2)
//   - V below L:                 refused (the sources report a version older than a release)
/** Events whose runs on the dev branch are dev builds. */
const DEV_EVENTS = ['push', 'workflow_dispatch'];
const DEV_SUFFIX = /(?:^|[.-])dev\.(0|[1-9]\d*)\.g[0-9a-f]{7}$/;
/** A version (or tag) of the shape devVersion makes. */
function isDevVersion(tag) {
    return semver.valid(tag) === tag && semver.prerelease(tag) !== null && DEV_SUFFIX.test(tag);
}
const core$1 = (v) => {
    const p = semver.parse(v);
    if (!p)
        throw new VersionError(`"${v}" is not a semantic version`);
    return `${p.major}.${p.minor}.${p.patch}`;
};
/** The dev version of a build (see the top of this file). Throws VersionError when V < L. */
function devVersion$1(opts) {
    const parsed = strictVersion(opts.soVersion);
    if (parsed === undefined) {
        throw new VersionError(`the plugin reports version "${opts.soVersion}" (plugin_get_version), which is not a ` +
            "semantic version (MAJOR.MINOR.PATCH[-PRERELEASE]): fix the version in your plugin's Info");
    }
    if (!Number.isInteger(opts.commits) || opts.commits < 0) {
        throw new Error(`invalid commit count ${opts.commits}`);
    }
    if (!/^[0-9a-f]{7,}$/.test(opts.commit)) {
        throw new Error(`invalid commit id "${opts.commit}": expected hexadecimal digits`);
    }
    const v = parsed.version;
    const suffix = `dev.${opts.commits}.g${opts.commit.slice(0, 7)}`;
    const last = opts.lastRelease;
    if (last === undefined)
        return `${core$1(v)}-${suffix}`;
    if (semver.lt(v, last)) {
        throw new VersionError(`the plugin reports version ${v} (plugin_get_version), older than ${last}, already ` +
            `released: bump the version in your plugin's Info to ${semver.inc(last, 'patch')} or later`);
    }
    if (semver.prerelease(last) !== null && core$1(v) === core$1(last))
        return `${last}.${suffix}`;
    if (semver.gt(v, last))
        return `${core$1(v)}-${suffix}`;
    return `${semver.inc(last, 'patch')}-${suffix}`;
}
/** The ReleaseVersion of a dev build (its version is always a pre-release). */
function devRelease(version, channel) {
    const p = strictVersion(version);
    if (!p)
        throw new VersionError(`"${version}" is not a semantic version`);
    return { ...releaseVersion(p, channel.branch, channel), prerelease: true };
}
/** The highest dev version among tags, or undefined. */
function highestDevVersion(tags) {
    const dev = tags.filter(isDevVersion).sort(semver.rcompare);
    return dev[0];
}
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/**
 * Refuses a dev-tag that is no OCI tag, or that a stable release could also write (a version,
 * X.Y, X, latest): a dev build would then move a stable tag.
 */
function checkDevTag(tag) {
    if (!OCI_TAG.test(tag)) {
        throw new VersionError(`dev-tag "${tag}" is not an OCI tag (letters, digits, _, . and -, at most 128, not ` +
            'starting with . or -): use e.g. main or dev');
    }
    if (tag === 'latest' || /^v?\d+(\.\d+){0,2}$/.test(tag) || semver.valid(tag) !== null) {
        throw new VersionError(`dev-tag "${tag}" looks like a release tag (a version, X.Y, X or latest), which dev builds ` +
            'must never move: use a name such as main or dev');
    }
}
const TAG_HINT = 'Run it on tag pushes (on: push: tags: ["*.*.*"]) or pass the `tag` input';
/**
 * A tag release (the `tag` input, or a tag ref) or a dev build (a push to the dev branch, the
 * default branch unless dev-branch says otherwise). Anything else is refused with the fix.
 */
function resolveRun(opts) {
    const { github } = opts;
    if (opts.tagInput.trim() !== '')
        return { kind: 'tag', tag: opts.tagInput.trim() };
    const ref = github.ref;
    if (ref.startsWith('refs/tags/'))
        return { kind: 'tag', tag: ref.slice('refs/tags/'.length) };
    if (ref === '') {
        throw new VersionError('no tag to release: GITHUB_REF is not set and the `tag` input is empty. ' +
            'Run the workflow on tag pushes (on: push: tags: ["*.*.*"]) or pass `tag: 1.2.3`.');
    }
    const eventName = github.eventName;
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
    if (branch === undefined || !DEV_EVENTS.includes(eventName)) {
        throw new VersionError(`the workflow ran for "${ref}"${eventName ? ` (${eventName} event)` : ''}, which is not a ` +
            `tag. ${TAG_HINT}. Dev builds run on pushes to the default branch (on: push: branches: ` +
            '[main]).');
    }
    const devBranch = opts.devBranch.trim() || github.event.defaultBranch || '';
    if (devBranch === '') {
        throw new VersionError(`the workflow ran for the branch "${branch}", which is not a tag, and the default branch ` +
            'is unknown (GITHUB_EVENT_PATH does not name it): set dev-branch to the branch whose ' +
            `pushes publish dev builds, or ${TAG_HINT.charAt(0).toLowerCase()}${TAG_HINT.slice(1)}.`);
    }
    if (branch !== devBranch) {
        throw new VersionError(`the workflow ran for the branch "${branch}", which is not a tag and not the dev branch ` +
            `"${devBranch}" (only its pushes publish dev builds). ${TAG_HINT}, or restrict the ` +
            `workflow to pushes to ${devBranch} (on: push: branches: [${devBranch}]).`);
    }
    return { kind: 'dev', branch, eventName };
}

// Which tags a release gets. X.Y.Z always; the floating tags X.Y, X and latest
// only when the release is the highest stable version published in that tag's
// range, so a backport (1.3.9 after 1.4.2) moves 1.3 and nothing else, and a
// pre-release gets only its exact tag.
/** Published stable versions, from a tag list that also holds floating tags and pre-releases. */
function stableVersions(tags) {
    const out = new Set();
    for (const t of tags) {
        const v = semver.valid(t);
        // Only exact, canonical X.Y.Z tags count: "1.4", "latest", "v1.2.3" do not.
        if (v && v === t && semver.prerelease(v) === null)
            out.add(v);
    }
    return [...out].sort(semver.compare);
}
function highestIn(versions, range) {
    return semver.maxSatisfying(versions, range);
}
function planTags(release, publishedTags, options = {}) {
    const versionTag = release.version;
    if (release.prerelease) {
        const reason = 'pre-release: only its exact tag';
        return {
            versionTag,
            floating: [
                { tag: `${release.major}.${release.minor}`, move: false, reason },
                ...(release.major > 0 || options.majorZeroTag
                    ? [{ tag: `${release.major}`, move: false, reason }]
                    : []),
                { tag: 'latest', move: false, reason }
            ]
        };
    }
    const published = stableVersions(publishedTags);
    const decide = (tag, range, label) => {
        const highest = highestIn(published, range);
        if (highest && semver.gt(highest, release.version)) {
            return { tag, move: false, reason: `${highest} is newer than ${release.version} in ${label}` };
        }
        return { tag, move: true, reason: `${release.version} is the highest in ${label}` };
    };
    const floating = [
        decide(`${release.major}.${release.minor}`, `${release.major}.${release.minor}.x`, `${release.major}.${release.minor}.x`)
    ];
    if (release.major > 0 || options.majorZeroTag) {
        floating.push(decide(`${release.major}`, `${release.major}.x`, `${release.major}.x`));
    }
    else {
        floating.push({
            tag: '0',
            move: false,
            reason: '0.x minors may break each other; set `major-zero-tag: true` to maintain `0`'
        });
    }
    floating.push(decide('latest', '*', 'all stable versions'));
    return { versionTag, floating };
}
/**
 * A dev build's tags: its exact dev version, and the moving dev tag unless the registry already
 * has a newer dev build (a re-run of an older push must not take the dev tag back). The stable
 * tags X.Y.Z, X.Y, X and latest are never written.
 */
function planDevTags(release, devTag, publishedTags) {
    const newest = highestDevVersion([...publishedTags, release.version]);
    const newer = newest !== undefined && semver.gt(newest, release.version) ? newest : undefined;
    return {
        versionTag: release.version,
        floating: [
            newer
                ? { tag: devTag, move: false, reason: `${newer}, a newer dev build, is published` }
                : { tag: devTag, move: true, reason: `${release.version} is the newest dev build` }
        ],
        devTag
    };
}
/** The tags a plan writes, version tag first. */
function tagsToWrite(plan) {
    return [plan.versionTag, ...plan.floating.filter((d) => d.move).map((d) => d.tag)];
}

class PlanError extends Error {
}
function manifestAnnotations(facts) {
    const a = { [ANNOTATION_CREATED]: facts.created };
    if (facts.sourceUrl)
        a[ANNOTATION_SOURCE] = facts.sourceUrl;
    return a;
}
function layerDescriptor(layer, mediaType) {
    return {
        mediaType,
        digest: layer.digest,
        size: layer.size,
        annotations: { [ANNOTATION_TITLE]: layer.title }
    };
}
/** The bytes of an artifact's config blob: its JSON as the outline holds it. */
function configBytes(a) {
    return Buffer.from(a.configJson, 'utf8');
}
function configBlob(a, mediaType) {
    const bytes = configBytes(a);
    return {
        descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length },
        content: { bytes }
    };
}
function status$1(ref, existing, digest, overwrite, planned, published) {
    if (existing === undefined)
        return 'new';
    if (existing === digest)
        return 'same';
    if (overwrite)
        return 'replace';
    const why = published ? describeDifferences(published, planned) : [];
    throw new PlanError(`${ref}:${planned.version} already exists with digest ${existing}, but this release of the ` +
        `${planned.kind} gives ${digest}` +
        (why.length > 0 ? `: ${why.join('; ')}. ` : '. ') +
        'Published versions are immutable: release a new version, ' +
        'or set `overwrite: true` to replace it on purpose.');
}
function manifestAnnotationsOf(bytes) {
    return (JSON.parse(bytes.toString('utf8')).annotations ??
        {});
}
/** Checks a manifest pushed by a matrix job against the config this job computes. */
function pushedManifest(m, configDigest, configJson) {
    const parsed = JSON.parse(m.bytes.toString('utf8'));
    if (parsed.config?.digest !== configDigest) {
        throw new PlanError(`the ${m.platform.os}/${m.platform.architecture} manifest was pushed with config ` +
            `${parsed.config?.digest ?? '(none)'}, but this job computes ${configDigest} (${configJson}): ` +
            'the push-by-digest jobs and the merge job must build the same commit, with the same rules file');
    }
    return {
        platform: m.platform,
        bytes: m.bytes,
        descriptor: {
            mediaType: OCI_MANIFEST,
            digest: sha256Digest(m.bytes),
            size: m.bytes.length
        }
    };
}
/** Where an artifact goes, and its config serialized once (configBytes gives the blob's bytes). */
function artifactOutline(facts, a) {
    const folder = a.kind === 'plugin' ? 'plugin' : 'ruleset';
    const repository = `${facts.repository ? facts.repository + '/' : ''}${folder}/${facts.metadata.name}`;
    return {
        ...a,
        name: a.config.name,
        repository,
        ref: `${facts.registry}/${repository}`,
        configJson: serializeConfig(a.config).toString('utf8')
    };
}
function pluginOutline(facts, tags) {
    const { metadata, release } = facts;
    const config = {
        name: metadata.name,
        version: release.version,
        dependencies: facts.rules && facts.pluginDependsOnRules !== false
            ? [{ name: `${metadata.name}-rules`, version: release.version }]
            : [],
        requirements: [{ name: REQUIREMENT_PLUGIN_API_VERSION, version: metadata.requiredApiVersion }]
    };
    if (facts.platforms.length === 0)
        throw new PlanError('no plugin build to publish');
    return artifactOutline(facts, {
        kind: 'plugin',
        config,
        platforms: facts.platforms,
        tags,
        existingDigest: facts.existing.plugin
    });
}
function pluginPlan(facts, outline) {
    const { release } = facts;
    const { ref, configJson: json } = outline;
    const cfg = configBlob(outline, PLUGIN_CONFIG_MEDIA_TYPE);
    const annotations = manifestAnnotations(facts);
    const blobs = [cfg];
    const manifests = facts.pushedManifests
        ? facts.pushedManifests.map((m) => pushedManifest(m, cfg.descriptor.digest, json))
        : facts.pluginLayers.map((layer) => {
            const layerDesc = layerDescriptor(layer, PLUGIN_LAYER_MEDIA_TYPE);
            blobs.push({ descriptor: layerDesc, content: { path: layer.path } });
            const m = buildManifest({ config: cfg.descriptor, layer: layerDesc, annotations });
            return { platform: layer.platform, bytes: m.bytes, descriptor: m.descriptor };
        });
    const index = buildPluginIndex(manifests.map((m) => ({
        // Index entries repeat each manifest's own annotations, as oras does.
        manifest: { ...m.descriptor, annotations: manifestAnnotationsOf(m.bytes) },
        platform: m.platform
    })), facts.sourceUrl ? { [ANNOTATION_SOURCE]: facts.sourceUrl } : undefined);
    const root = { bytes: index.bytes, descriptor: index.descriptor };
    return {
        ...outline,
        platforms: manifests.map((m) => m.platform),
        blobs,
        manifests,
        root,
        status: status$1(ref, facts.existing.plugin, root.descriptor.digest, facts.overwrite, {
            kind: 'plugin',
            name: outline.name,
            version: release.version,
            manifests,
            configJson: json
        }, facts.published?.plugin)
    };
}
function rulesOutline(facts, tags) {
    if (!facts.rules)
        return undefined;
    const { metadata, release, rules } = facts;
    const config = {
        name: `${metadata.name}-rules`,
        version: release.version,
        dependencies: rules.dependencies,
        requirements: rules.engineVersion
            ? [{ name: REQUIREMENT_ENGINE_VERSION, version: rules.engineVersion }]
            : []
    };
    return artifactOutline(facts, {
        kind: 'rulesfile',
        config,
        platforms: [],
        tags,
        existingDigest: facts.existing.rules
    });
}
function rulesPlan(facts, outline) {
    if (!facts.rules || !outline)
        return undefined;
    const { release, rules } = facts;
    const cfg = configBlob(outline, RULESFILE_CONFIG_MEDIA_TYPE);
    const layerDesc = layerDescriptor(rules.layer, RULESFILE_LAYER_MEDIA_TYPE);
    const m = buildManifest({
        config: cfg.descriptor,
        layer: layerDesc,
        annotations: manifestAnnotations(facts)
    });
    const root = { bytes: m.bytes, descriptor: m.descriptor };
    return {
        ...outline,
        blobs: [cfg, { descriptor: layerDesc, content: { path: rules.layer.path } }],
        manifests: [],
        root,
        status: status$1(outline.ref, facts.existing.rules, root.descriptor.digest, facts.overwrite, {
            kind: 'rulesfile',
            name: outline.name,
            version: release.version,
            manifests: [root],
            configJson: outline.configJson
        }, facts.published?.rules)
    };
}
/**
 * The plan without its digests (no layer needs to be packed): the tag decision over both
 * repositories' tags, and each artifact's config and tags. makePlan gives the same outline with
 * the blobs, manifests and statuses filled in.
 */
function outlinePlan(facts) {
    // Both artifacts share one tag decision, taken over both repositories' tags,
    // so that foo:latest and foo-rules:latest always name the same release.
    const published = [...facts.publishedTags.plugin, ...facts.publishedTags.rules];
    const tagPlan = facts.release.dev
        ? planDevTags(facts.release, facts.release.dev.devTag, published)
        : planTags(facts.release, published, { majorZeroTag: facts.majorZeroTag });
    const tags = tagsToWrite(tagPlan);
    return {
        version: facts.release.version,
        created: facts.created,
        tagPlan,
        plugin: pluginOutline(facts, tags),
        rules: rulesOutline(facts, tags)
    };
}
function makePlan(facts) {
    const platforms = facts.pushedManifests
        ? facts.pushedManifests.map((m) => m.platform)
        : facts.pluginLayers.map((l) => l.platform);
    const outline = outlinePlan({ ...facts, platforms });
    return {
        ...outline,
        plugin: pluginPlan(facts, outline.plugin),
        rules: rulesPlan(facts, outline.rules)
    };
}
/**
 * Whether makePlan can refuse these facts for a reason outlinePlan does not see: only when a
 * version tag already exists (its digest must match, or `overwrite` be set). Otherwise both
 * artifacts are new, and the digests, once the layers are packed, only fill the plan in.
 */
function digestsCanRefuse(facts) {
    return facts.existing.plugin !== undefined || facts.existing.rules !== undefined;
}
/**
 * The tag users install this release by: latest when it moved there, a dev build's dev tag when
 * it moved, else the exact version.
 */
function installTag(plan) {
    if (plan.plugin.tags.includes('latest'))
        return 'latest';
    const dev = plan.tagPlan.devTag;
    if (dev !== undefined && plan.plugin.tags.includes(dev))
        return dev;
    return plan.version;
}
/** Artifacts in publish order: the rules first, so the plugin's dependency exists when it appears. */
function artifactsOf(plan) {
    return plan.rules ? [plan.rules, plan.plugin] : [plan.plugin];
}

// Uploads that start before the plan is complete. When neither version exists yet, no digest can
// refuse the release, so preflight runs on the plan's outline while the plugin's layers are still
// being packed; once it has passed, publish starts the blobs whose digests are already known (the
// configs, the rules layer) and streams each layer still being packed as it grows, so that packing
// and uploading overlap. publish() then awaits these instead of starting them, and uploads again,
// the usual way, any that failed. Only blobs go up early: no manifest, no tag.
const key = (target, digest) => `${target.location}@${digest}`;
class EarlyUploads {
    logger;
    uploads = new Map();
    /** Each streamed layer's digest, known once it is packed. */
    digests = [];
    constructor(logger) {
        this.logger = logger;
    }
    /** A blob whose digest is known: pushed now (HEAD first), as publish would. */
    push(target, blob) {
        if (this.uploads.has(key(target, blob.digest)))
            return;
        this.add(key(target, blob.digest), target.pushBlob(blob));
    }
    /** Streams each layer still being packed as it grows (where the target can). */
    stream(target, layers) {
        const push = target.pushGrowingBlob?.bind(target);
        if (!push)
            return;
        for (const layer of layers) {
            if (layer.file.settled)
                continue;
            const complete = layer.packed.then(({ digest, size }) => ({ digest, size }));
            complete.catch(() => undefined); // the upload awaits it, unless it fails before
            const upload = push({ chunks: () => layer.file.chunks(), complete });
            upload.catch(() => undefined); // awaited by publish(), or by settle()
            // The registry stored it under the digest packing gave (the PUT names it); a packing that
            // fails leaves no digest, and settle() still waits for the upload to give up.
            const known = complete.then(({ digest }) => this.add(key(target, digest), upload));
            this.digests.push(known.catch(() => upload.catch(() => undefined)));
            const name = basename(layer.file.path);
            this.logger.info(`uploading ${name} to ${target.location} while it is packed`);
        }
    }
    /** Resolves once every streamed layer is packed (or failed): get() then knows its digest. */
    async ready() {
        await Promise.allSettled(this.digests);
    }
    /** The upload of `digest` to `target`, if one was started (after ready()). */
    get(target, digest) {
        return this.uploads.get(key(target, digest));
    }
    /** Waits for every upload; how many blobs and bytes went up (for a release that stops). */
    async settle() {
        await this.ready();
        const done = await Promise.allSettled(this.uploads.values());
        let blobs = 0;
        let bytes = 0;
        for (const r of done) {
            if (r.status === 'fulfilled' && r.value.uploaded) {
                blobs++;
                bytes += r.value.bytes;
            }
        }
        return { blobs, bytes };
    }
    add(k, upload) {
        upload.catch(() => undefined); // awaited by publish(), or by settle()
        this.uploads.set(k, upload);
    }
}
/**
 * Starts every upload that can go before the plan is complete: the configs the outline gives,
 * the rules layer (packed already), and each plugin layer still being packed, streamed.
 */
function startEarlyUploads(opts) {
    const { outline, targets } = opts;
    const early = new EarlyUploads(opts.logger);
    early.stream(targets.plugin, opts.packing);
    // The plan's config blobs hold exactly these bytes (configBytes).
    early.push(targets.plugin, bufferBlob(configBytes(outline.plugin)));
    if (outline.rules && opts.rulesLayer) {
        const { path, digest, size } = opts.rulesLayer;
        early.push(targets.rules, bufferBlob(configBytes(outline.rules)));
        early.push(targets.rules, fileBlob(path, digest, size));
    }
    return early;
}

// Floating tags converge whatever the timing of concurrent releases.
//
// Two releases of one repository (1.1.0 and 1.2.0 pushed at once, with no concurrency group)
// each read the tag list, plan, then write. The slower one can plan `latest -> 1.1.0` before
// 1.2.0 exists and write it after 1.2.0 moved `latest`: both runs green, `latest` behind.
// So after writing, each run re-reads and repairs the floating tags it wrote: each must point
// at the highest stable version tag in its range. The run that finishes last sees every
// version tag (each run writes its version tag before its floating tags), so the registry
// ends right. The floating tags are read before the tag list: a floating tag that another run
// moved is then always explained by a version tag the list holds.
/** The semver range a floating tag follows: `1.4` -> 1.4.x, `1` -> 1.x, `latest` -> all. */
function floatingRange(tag) {
    if (tag === 'latest')
        return '*';
    if (/^\d+$/.test(tag))
        return `${tag}.x`;
    if (/^\d+\.\d+$/.test(tag))
        return `${tag}.x`;
    return undefined;
}
/** For each floating tag, the version tag it should point at, given every tag of a repository. */
function expectedFloating(floatingTags, repositoryTags) {
    const stable = stableVersions(repositoryTags);
    const out = new Map();
    for (const tag of floatingTags) {
        const range = floatingRange(tag);
        if (range === undefined)
            throw new Error(`"${tag}" is not a floating tag`);
        const highest = semver.maxSatisfying(stable, range);
        if (highest)
            out.set(tag, highest);
    }
    return out;
}
/** What each of `tags` points at in `target` (undefined: absent), read at once. */
async function readTags$1(target, tags) {
    return new Map(await Promise.all(tags.map(async (tag) => [tag, await target.resolveTag(tag)])));
}
/**
 * Re-reads the repository and moves any of `floatingTags` that does not point at the highest
 * stable version in its range. Returns the repairs made (none in a release nobody raced).
 * `likelyVersion` (the version the run released) is read with the list, since the floating
 * tags most often follow it: a release nobody raced then needs two round trips, not three.
 */
async function convergeFloatingTags(target, ref, floatingTags, logger, likelyVersion, maxRounds = 3) {
    const repairs = [];
    if (floatingTags.length === 0)
        return repairs;
    for (let round = 0; round < maxRounds; round++) {
        // The floating tags at once (all read before the list, see above), then the list, then each
        // version they should follow, once. A version tag is read after the floating tags, which
        // is all the order needs, whether before or after the list.
        const current = await readTags$1(target, floatingTags);
        const [tags, digests] = await Promise.all([
            target.listTags(),
            readTags$1(target, likelyVersion === undefined ? [] : [likelyVersion])
        ]);
        const expected = expectedFloating(floatingTags, tags);
        const others = [...new Set(expected.values())].filter((v) => !digests.has(v));
        for (const [v, d] of await readTags$1(target, others))
            digests.set(v, d);
        let moved = false;
        for (const [tag, version] of expected) {
            const digest = digests.get(version);
            if (digest === undefined || current.get(tag) === digest)
                continue;
            const manifest = await target.fetchManifest(digest);
            if (!manifest)
                continue; // deleted under us: nothing sane to point at
            await target.pushManifest(manifest.body, manifest.mediaType, tag);
            logger.info(`${ref}:${tag} pointed at ${current.get(tag) ?? 'nothing'}, but ${version} is the ` +
                `highest in its range (a concurrent release): moved it to ${digest}`);
            repairs.push({ ref, tag, version, digest });
            moved = true;
        }
        if (!moved)
            return repairs;
    }
    return repairs;
}
/**
 * The dev tag's convergence: after a dev build, `devTag` must point at the highest dev version
 * in the repository (two pushes built at once: the slower run may have moved it back). Returns
 * the repairs made.
 */
async function convergeDevTag(target, ref, devTag, logger, maxRounds = 3) {
    const repairs = [];
    for (let round = 0; round < maxRounds; round++) {
        const current = await target.resolveTag(devTag);
        const newest = highestDevVersion(await target.listTags());
        if (newest === undefined)
            return repairs;
        const digest = await target.resolveTag(newest);
        if (digest === undefined || digest === current)
            return repairs;
        const manifest = await target.fetchManifest(digest);
        if (!manifest)
            return repairs;
        await target.pushManifest(manifest.body, manifest.mediaType, devTag);
        logger.info(`${ref}:${devTag} pointed at ${current ?? 'nothing'}, but ${newest} is the newest dev ` +
            `build (a concurrent run): moved it to ${digest}`);
        repairs.push({ ref, tag: devTag, version: newest, digest });
    }
    return repairs;
}

// Executes a release plan against OCI targets in the one order that keeps the
// registry consistent for its users at every instant:
//   1. blobs (HEAD first; nothing already there is re-sent; those early.ts started before the
//      plan was complete, a layer still being packed among them, are awaited),
//   2. manifests by digest, then each root (plugin index / rules manifest) by digest (HEAD first,
//      unless it refers to a blob or manifest this run had to write: then it cannot be there),
//   2b. the signatures of each root (when signing), so that no tag ever names an unsigned digest,
//   3. the X.Y.Z version tags (rules first, so the plugin's dependency resolves),
//   4. last, the floating tags the plan allows (every tag is read once, at once, before 3: a
//      tag that already points at its digest is not written again);
//   5. then the floating tags are re-read and repaired if a concurrent release raced us
//      (converge.ts).
// A failure anywhere before step 3 writes no tag; before step 4, X.Y, X and latest are untouched.
/** An empty report, filled in as publish() goes (so a failure still tells what was written). */
function emptyPublishReport() {
    return {
        blobsUploaded: 0,
        blobsSkipped: 0,
        bytesUploaded: 0,
        manifestsWritten: 0,
        manifestsSkipped: 0,
        tags: [],
        signatures: [],
        repairs: []
    };
}
function blobSource(blob) {
    const { digest, size } = blob.descriptor;
    const content = blob.content;
    if ('bytes' in content) {
        return { digest, size, open: () => streamOf(content.bytes) };
    }
    return fileBlob(content.path, digest, size);
}
/** A fresh single-chunk stream per call, so an upload can restart. */
function streamOf(bytes) {
    return Readable.from([bytes]);
}
function targetFor(targets, a) {
    const t = a.kind === 'plugin' ? targets.plugin : targets.rules;
    if (!t)
        throw new Error(`no target for the ${a.kind} artifact`);
    return t;
}
/** An artifact's blobs: the ones uploaded early are awaited, the others pushed (HEAD first). */
async function pushArtifactBlobs(target, blobs, early, concurrency, logger) {
    const started = blobs.map((b) => early?.get(target, b.descriptor.digest));
    const rest = blobs.filter((_, i) => started[i] === undefined);
    const settled = await Promise.allSettled([
        target.pushBlobs(rest.map(blobSource), concurrency),
        ...blobs.flatMap((b, i) => {
            const upload = started[i];
            return upload ? [settleEarly(target, b, upload, logger)] : [];
        })
    ]);
    throwFirstFailure(settled);
    const [pushed, ...awaited] = settled.map((r) => r.value);
    let i = 0;
    let j = 0;
    return started.map((upload) => upload === undefined ? pushed[i++] : awaited[j++]);
}
/** An early upload's result, or the blob uploaded again the usual way when it failed. */
async function settleEarly(target, blob, upload, logger) {
    try {
        return await upload;
    }
    catch (err) {
        logger.info(`uploading ${blob.descriptor.digest} to ${target.location} early failed ` +
            `(${err.message}): uploading it again`);
        return target.pushBlob(blobSource(blob));
    }
}
/** Steps 1 and 2 for `artifacts`: their blobs, then their manifests by digest (and roots). */
async function pushContent(artifacts, targets, logger, report, opts) {
    // Each step runs for every artifact at once (their repositories are independent); the order
    // between steps is what keeps the registry consistent. Round trips are most of a small
    // release's time, so nothing waits on another without a reason.
    // Digests this run wrote: a manifest that refers to one of them cannot be in the registry yet
    // (registries refuse a manifest whose blobs they lack), so it is pushed without a HEAD first.
    // That HEAD only spares a re-run its writes, and a re-run writes no blob.
    const written = new Set();
    // 1. Blobs, a few at a time per artifact; the target HEADs each first and skips what it has
    //    (a layer uploaded while it was packed is only awaited).
    const blobs = await Promise.allSettled(artifacts.map((a) => pushArtifactBlobs(targetFor(targets, a), a.blobs, opts.early, opts.concurrency ?? 4, logger)));
    blobs.forEach((settled, n) => {
        if (settled.status === 'rejected')
            return;
        const a = artifacts[n];
        settled.value.forEach((r, i) => {
            const d = a.blobs[i].descriptor;
            if (r.uploaded) {
                written.add(d.digest);
                report.blobsUploaded++;
                report.bytesUploaded += r.bytes;
                logger.info(`uploaded ${d.digest} (${d.size} bytes) to ${a.ref}`);
            }
            else {
                report.blobsSkipped++;
                logger.debug(`${a.ref} already has ${d.digest}`);
            }
        });
    });
    throwFirstFailure(blobs);
    // 2. Manifests (the platform ones at once), then each root (plugin index / rules manifest),
    //    by digest.
    const pushManifest = async (a, m) => {
        const target = targetFor(targets, a);
        const digest = m.descriptor.digest;
        const refersToNew = referencedDigests(m.bytes).some((d) => written.has(d));
        if (!refersToNew && (await target.hasManifest(digest))) {
            report.manifestsSkipped++;
            return;
        }
        await target.pushManifest(m.bytes, m.descriptor.mediaType, digest);
        written.add(digest);
        report.manifestsWritten++;
        logger.info(`pushed ${m.descriptor.mediaType} ${a.ref}@${digest}`);
    };
    throwFirstFailure(await Promise.allSettled(artifacts.map(async (a) => {
        throwFirstFailure(await Promise.allSettled(a.manifests.map((m) => pushManifest(a, m))));
        if (opts.roots)
            await pushManifest(a, a.root);
    })));
}
/**
 * A matrix job's share (push-by-digest): the plugin's blobs and platform manifests, by digest,
 * and nothing else (no index, no rules, no tags); the merge job does the rest.
 */
async function pushPlatformManifests(plan, target, logger, options = {}) {
    const report = options.report ?? emptyPublishReport();
    await pushContent([plan.plugin], { plugin: target }, logger, report, {
        concurrency: options.concurrency,
        roots: false
    });
    return report;
}
async function publish(plan, targets, logger, options = {}) {
    const report = options.report ?? emptyPublishReport();
    const artifacts = artifactsOf(plan);
    await pushContent(artifacts, targets, logger, report, {
        concurrency: options.concurrency,
        roots: true,
        early: options.early
    });
    // 2b. Signatures of every root, before any tag.
    if (options.sign) {
        for (const a of artifacts) {
            report.signatures.push(await options.sign(targetFor(targets, a), a.root.descriptor));
            logger.info(`signed ${a.ref}@${a.root.descriptor.digest}`);
        }
    }
    // 3. The version tag of every artifact, in order (rules first, so the plugin's dependency
    //    resolves); 4. then every floating tag the plan moves, of every artifact, at once.
    //    What each tag points at now is read for every tag at once, first: reading a tag just
    //    before writing it would add a round trip per step and protect nothing more (the write
    //    happens either way unless the tag is already where it should be). A version the
    //    registry did not have when planned has a new root, which no tag can name yet: its tags
    //    are written without a look (a re-run plans the version as "same" and looks).
    const { versionTag, devTag } = plan.tagPlan;
    const floating = plan.tagPlan.floating.filter((d) => d.move).map((d) => d.tag);
    const current = await Promise.all(artifacts.map((a) => a.status === 'new'
        ? new Map()
        : readTags$1(targetFor(targets, a), [versionTag, ...floating])));
    for (const [n, a] of artifacts.entries()) {
        report.tags.push(await writeTag(targetFor(targets, a), a, versionTag, current[n].get(versionTag), logger));
    }
    const floatingWrites = artifacts.flatMap((a, n) => floating.map((tag) => writeTag(targetFor(targets, a), a, tag, current[n].get(tag), logger)));
    const tagged = await Promise.allSettled(floatingWrites);
    for (const w of tagged)
        if (w.status === 'fulfilled')
            report.tags.push(w.value);
    throwFirstFailure(tagged);
    // 5. Converge: a release that ran at the same time may have moved them in between.
    const converged = await Promise.allSettled(artifacts.map((a) => {
        const target = targetFor(targets, a);
        if (devTag === undefined) {
            return convergeFloatingTags(target, a.ref, floating, logger, versionTag);
        }
        return floating.includes(devTag)
            ? convergeDevTag(target, a.ref, devTag, logger)
            : Promise.resolve([]);
    }));
    for (const c of converged)
        if (c.status === 'fulfilled')
            report.repairs.push(...c.value);
    throwFirstFailure(converged);
    return report;
}
/** Throws the first failure of settled operations (the others were let finish first). */
function throwFirstFailure(settled) {
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed)
        throw failed.reason;
}
/**
 * The digests a manifest or index needs the registry to hold: its config, layers or manifests
 * (not a subject, which may come later).
 */
function referencedDigests(manifest) {
    const m = JSON.parse(manifest.toString('utf8'));
    const refs = [m.config, ...(m.layers ?? []), ...(m.manifests ?? [])];
    return refs.flatMap((r) => (typeof r?.digest === 'string' ? [r.digest] : []));
}
async function writeTag(target, a, tag, current, logger) {
    const digest = a.root.descriptor.digest;
    if (current === digest) {
        logger.info(`${a.ref}:${tag} already points at ${digest}`);
        return { ref: a.ref, tag, digest, written: false };
    }
    await target.pushManifest(a.root.bytes, a.root.descriptor.mediaType, tag);
    logger.info(`tagged ${a.ref}:${tag} -> ${digest}`);
    return { ref: a.ref, tag, digest, written: true };
}

// Which dev version tags a dev build deletes: all but the newest `keep` (by SemVer, which orders
// dev versions by base version, then by commits since the last release), never the one just
// published. Stable tags and anything else are never candidates. Pure.
/** keep 0: keep every dev tag. */
function chooseDevTags(tags, keep, protect = []) {
    const dev = [...new Set(tags.filter(isDevVersion))].sort(semver.rcompare);
    if (keep <= 0)
        return { keep: dev, remove: [] };
    const kept = dev.slice(0, keep);
    const out = { keep: [], remove: [] };
    for (const t of dev) {
        if (kept.includes(t) || protect.includes(t))
            out.keep.push(t);
        else
            out.remove.push(t);
    }
    return out;
}

/** The digests of the platform manifests an index lists (none for a manifest). */
function childrenOf(body) {
    try {
        const j = JSON.parse(body.toString('utf8'));
        return Array.isArray(j.manifests)
            ? j.manifests.map((m) => m.digest).filter((d) => typeof d === 'string')
            : [];
    }
    catch {
        return [];
    }
}
async function protectedDigests(target, tags) {
    const out = new Set();
    for (const tag of tags) {
        const m = await target.fetchManifest(tag);
        if (!m)
            continue;
        const digest = await target.resolveTag(tag);
        if (digest)
            out.add(digest);
        for (const c of childrenOf(m.body))
            out.add(c);
    }
    return out;
}
async function pruneDevTags(opts) {
    const { plan, keep, logger } = opts;
    const report = { keep, deleted: [], left: [], failures: [] };
    const devTag = plan.tagPlan.devTag;
    if (keep <= 0 || devTag === undefined)
        return report;
    for (const a of artifactsOf(plan)) {
        const target = a.kind === 'plugin' ? opts.targets.plugin : opts.targets.rules;
        if (!target)
            continue;
        let remaining = [];
        try {
            const choice = chooseDevTags(await target.listTags(), keep, [plan.version]);
            remaining = [...choice.remove];
            if (choice.remove.length === 0)
                continue;
            if (report.unsupported !== undefined || !target.deleteManifest) {
                report.unsupported ??= `${target.location} cannot delete manifests`;
                continue;
            }
            const keepDigests = await protectedDigests(target, [...choice.keep, devTag]);
            for (const tag of [...choice.remove].reverse()) {
                const digest = await target.resolveTag(tag);
                if (digest === undefined) {
                    remaining = remaining.filter((t) => t !== tag);
                    continue;
                }
                if (keepDigests.has(digest)) {
                    logger.info(`${a.ref}:${tag} names the same manifest as a kept tag: left in place`);
                    continue;
                }
                const children = childrenOf((await target.fetchManifest(digest))?.body ?? Buffer.alloc(0));
                const result = await target.deleteManifest(digest);
                if (result.status === 'unsupported') {
                    report.unsupported = result.reason;
                    break;
                }
                remaining = remaining.filter((t) => t !== tag);
                if (result.status === 'deleted') {
                    report.deleted.push({ ref: a.ref, tag, digest });
                    logger.info(`deleted the old dev build ${a.ref}:${tag} (${digest})`);
                }
                for (const c of children.filter((d) => !keepDigests.has(d))) {
                    const r = await target.deleteManifest(c);
                    if (r.status === 'unsupported')
                        break;
                }
            }
        }
        catch (err) {
            report.failures.push(`${a.ref}: ${err.message}`);
        }
        finally {
            if (remaining.length > 0)
                report.left.push({ ref: a.ref, tags: remaining });
        }
    }
    return report;
}
/** The warning for dev tags that stay, or undefined when retention did its job. */
function retentionWarning(report, registry) {
    const left = report.left.reduce((n, l) => n + l.tags.length, 0);
    if (left === 0 && report.failures.length === 0)
        return undefined;
    const what = left > 0
        ? `${left} dev version tag(s) older than the newest ${report.keep} stay in the registry`
        : 'deleting old dev version tags failed';
    if (report.unsupported !== undefined) {
        return (`${what}: ${registry} does not delete manifests through the OCI API (${report.unsupported}). ` +
            (registry === 'ghcr.io'
                ? "On ghcr.io, delete them as package versions through GitHub's packages API (e.g. " +
                    'actions/delete-package-versions, which needs packages: write); '
                : 'A distribution registry deletes with storage.delete.enabled: true; ') +
            'or set dev-keep: 0 to keep every dev build');
    }
    return `${what}: ${report.failures.join('; ')}`;
}

const ALIAS = Symbol.for('yaml.alias');
const DOC = Symbol.for('yaml.document');
const MAP = Symbol.for('yaml.map');
const PAIR = Symbol.for('yaml.pair');
const SCALAR$1 = Symbol.for('yaml.scalar');
const SEQ = Symbol.for('yaml.seq');
const NODE_TYPE = Symbol.for('yaml.node.type');
const isAlias = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === ALIAS;
const isDocument = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === DOC;
const isMap = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === MAP;
const isPair = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === PAIR;
const isScalar = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SCALAR$1;
const isSeq = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SEQ;
function isCollection(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case MAP:
            case SEQ:
                return true;
        }
    return false;
}
function isNode(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case ALIAS:
            case MAP:
            case SCALAR$1:
            case SEQ:
                return true;
        }
    return false;
}
const hasAnchor = (node) => (isScalar(node) || isCollection(node)) && !!node.anchor;

const BREAK = Symbol('break visit');
const SKIP = Symbol('skip children');
const REMOVE = Symbol('remove node');
/**
 * Apply a visitor to an AST node or document.
 *
 * Walks through the tree (depth-first) starting from `node`, calling a
 * `visitor` function with three arguments:
 *   - `key`: For sequence values and map `Pair`, the node's index in the
 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
 *     `null` for the root node.
 *   - `node`: The current node.
 *   - `path`: The ancestry of the current node.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
 *     sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
 *   - `Node`: Replace the current node, then continue by visiting it
 *   - `number`: While iterating the items of a sequence or map, set the index
 *     of the next step. This is useful especially if the index of the current
 *     node has changed.
 *
 * If `visitor` is a single function, it will be called with all values
 * encountered in the tree, including e.g. `null` values. Alternatively,
 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
 * `Alias` and `Scalar` node. To define the same visitor function for more than
 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
 * specific defined one will be used for each node.
 */
function visit(node, visitor) {
    const visitor_ = initVisitor(visitor);
    if (isDocument(node)) {
        const cd = visit_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
            node.contents = null;
    }
    else
        visit_(null, node, visitor_, Object.freeze([]));
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visit.BREAK = BREAK;
/** Do not visit the children of the current node */
visit.SKIP = SKIP;
/** Remove the current node */
visit.REMOVE = REMOVE;
function visit_(key, node, visitor, path) {
    const ctrl = callVisitor(key, node, visitor, path);
    if (isNode(ctrl) || isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visit_(key, ctrl, visitor, path);
    }
    if (typeof ctrl !== 'symbol') {
        if (isCollection(node)) {
            path = Object.freeze(path.concat(node));
            for (let i = 0; i < node.items.length; ++i) {
                const ci = visit_(i, node.items[i], visitor, path);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    node.items.splice(i, 1);
                    i -= 1;
                }
            }
        }
        else if (isPair(node)) {
            path = Object.freeze(path.concat(node));
            const ck = visit_('key', node.key, visitor, path);
            if (ck === BREAK)
                return BREAK;
            else if (ck === REMOVE)
                node.key = null;
            const cv = visit_('value', node.value, visitor, path);
            if (cv === BREAK)
                return BREAK;
            else if (cv === REMOVE)
                node.value = null;
        }
    }
    return ctrl;
}
function initVisitor(visitor) {
    if (typeof visitor === 'object' &&
        (visitor.Collection || visitor.Node || visitor.Value)) {
        return Object.assign({
            Alias: visitor.Node,
            Map: visitor.Node,
            Scalar: visitor.Node,
            Seq: visitor.Node
        }, visitor.Value && {
            Map: visitor.Value,
            Scalar: visitor.Value,
            Seq: visitor.Value
        }, visitor.Collection && {
            Map: visitor.Collection,
            Seq: visitor.Collection
        }, visitor);
    }
    return visitor;
}
function callVisitor(key, node, visitor, path) {
    if (typeof visitor === 'function')
        return visitor(key, node, path);
    if (isMap(node))
        return visitor.Map?.(key, node, path);
    if (isSeq(node))
        return visitor.Seq?.(key, node, path);
    if (isPair(node))
        return visitor.Pair?.(key, node, path);
    if (isScalar(node))
        return visitor.Scalar?.(key, node, path);
    if (isAlias(node))
        return visitor.Alias?.(key, node, path);
    return undefined;
}
function replaceNode(key, path, node) {
    const parent = path[path.length - 1];
    if (isCollection(parent)) {
        parent.items[key] = node;
    }
    else if (isPair(parent)) {
        if (key === 'key')
            parent.key = node;
        else
            parent.value = node;
    }
    else if (isDocument(parent)) {
        parent.contents = node;
    }
    else {
        const pt = isAlias(parent) ? 'alias' : 'scalar';
        throw new Error(`Cannot replace node with ${pt} parent`);
    }
}

const escapeChars = {
    '!': '%21',
    ',': '%2C',
    '[': '%5B',
    ']': '%5D',
    '{': '%7B',
    '}': '%7D'
};
const escapeTagName = (tn) => tn.replace(/[!,[\]{}]/g, ch => escapeChars[ch]);
class Directives {
    constructor(yaml, tags) {
        /**
         * The directives-end/doc-start marker `---`. If `null`, a marker may still be
         * included in the document's stringified representation.
         */
        this.docStart = null;
        /** The doc-end marker `...`.  */
        this.docEnd = false;
        this.yaml = Object.assign({}, Directives.defaultYaml, yaml);
        this.tags = Object.assign({}, Directives.defaultTags, tags);
    }
    clone() {
        const copy = new Directives(this.yaml, this.tags);
        copy.docStart = this.docStart;
        return copy;
    }
    /**
     * During parsing, get a Directives instance for the current document and
     * update the stream state according to the current version's spec.
     */
    atDocument() {
        const res = new Directives(this.yaml, this.tags);
        switch (this.yaml.version) {
            case '1.1':
                this.atNextDocument = true;
                break;
            case '1.2':
                this.atNextDocument = false;
                this.yaml = {
                    explicit: Directives.defaultYaml.explicit,
                    version: '1.2'
                };
                this.tags = Object.assign({}, Directives.defaultTags);
                break;
        }
        return res;
    }
    /**
     * @param onError - May be called even if the action was successful
     * @returns `true` on success
     */
    add(line, onError) {
        if (this.atNextDocument) {
            this.yaml = { explicit: Directives.defaultYaml.explicit, version: '1.1' };
            this.tags = Object.assign({}, Directives.defaultTags);
            this.atNextDocument = false;
        }
        const parts = line.trim().split(/[ \t]+/);
        const name = parts.shift();
        switch (name) {
            case '%TAG': {
                if (parts.length !== 2) {
                    onError(0, '%TAG directive should contain exactly two parts');
                    if (parts.length < 2)
                        return false;
                }
                const [handle, prefix] = parts;
                this.tags[handle] = prefix;
                return true;
            }
            case '%YAML': {
                this.yaml.explicit = true;
                if (parts.length !== 1) {
                    onError(0, '%YAML directive should contain exactly one part');
                    return false;
                }
                const [version] = parts;
                if (version === '1.1' || version === '1.2') {
                    this.yaml.version = version;
                    return true;
                }
                else {
                    const isValid = /^\d+\.\d+$/.test(version);
                    onError(6, `Unsupported YAML version ${version}`, isValid);
                    return false;
                }
            }
            default:
                onError(0, `Unknown directive ${name}`, true);
                return false;
        }
    }
    /**
     * Resolves a tag, matching handles to those defined in %TAG directives.
     *
     * @returns Resolved tag, which may also be the non-specific tag `'!'` or a
     *   `'!local'` tag, or `null` if unresolvable.
     */
    tagName(source, onError) {
        if (source === '!')
            return '!'; // non-specific tag
        if (source[0] !== '!') {
            onError(`Not a valid tag: ${source}`);
            return null;
        }
        if (source[1] === '<') {
            const verbatim = source.slice(2, -1);
            if (verbatim === '!' || verbatim === '!!') {
                onError(`Verbatim tags aren't resolved, so ${source} is invalid.`);
                return null;
            }
            if (source[source.length - 1] !== '>')
                onError('Verbatim tags must end with a >');
            return verbatim;
        }
        const [, handle, suffix] = source.match(/^(.*!)([^!]*)$/s);
        if (!suffix)
            onError(`The ${source} tag has no suffix`);
        const prefix = this.tags[handle];
        if (prefix) {
            try {
                return prefix + decodeURIComponent(suffix);
            }
            catch (error) {
                onError(String(error));
                return null;
            }
        }
        if (handle === '!')
            return source; // local tag
        onError(`Could not resolve tag: ${source}`);
        return null;
    }
    /**
     * Given a fully resolved tag, returns its printable string form,
     * taking into account current tag prefixes and defaults.
     */
    tagString(tag) {
        for (const [handle, prefix] of Object.entries(this.tags)) {
            if (tag.startsWith(prefix))
                return handle + escapeTagName(tag.substring(prefix.length));
        }
        return tag[0] === '!' ? tag : `!<${tag}>`;
    }
    toString(doc) {
        const lines = this.yaml.explicit
            ? [`%YAML ${this.yaml.version || '1.2'}`]
            : [];
        const tagEntries = Object.entries(this.tags);
        let tagNames;
        if (doc && tagEntries.length > 0 && isNode(doc.contents)) {
            const tags = {};
            visit(doc.contents, (_key, node) => {
                if (isNode(node) && node.tag)
                    tags[node.tag] = true;
            });
            tagNames = Object.keys(tags);
        }
        else
            tagNames = [];
        for (const [handle, prefix] of tagEntries) {
            if (handle === '!!' && prefix === 'tag:yaml.org,2002:')
                continue;
            if (!doc || tagNames.some(tn => tn.startsWith(prefix)))
                lines.push(`%TAG ${handle} ${prefix}`);
        }
        return lines.join('\n');
    }
}
Directives.defaultYaml = { explicit: false, version: '1.2' };
Directives.defaultTags = { '!!': 'tag:yaml.org,2002:' };

/**
 * Verify that the input string is a valid anchor.
 *
 * Will throw on errors.
 */
function anchorIsValid(anchor) {
    if (/[\x00-\x19\s,[\]{}]/.test(anchor)) {
        const sa = JSON.stringify(anchor);
        const msg = `Anchor must not contain whitespace or control characters: ${sa}`;
        throw new Error(msg);
    }
    return true;
}
function anchorNames(root) {
    const anchors = new Set();
    visit(root, {
        Value(_key, node) {
            if (node.anchor)
                anchors.add(node.anchor);
        }
    });
    return anchors;
}
/** Find a new anchor name with the given `prefix` and a one-indexed suffix. */
function findNewAnchor(prefix, exclude) {
    for (let i = 1; true; ++i) {
        const name = `${prefix}${i}`;
        if (!exclude.has(name))
            return name;
    }
}
function createNodeAnchors(doc, prefix) {
    const aliasObjects = [];
    const sourceObjects = new Map();
    let prevAnchors = null;
    return {
        onAnchor: (source) => {
            aliasObjects.push(source);
            prevAnchors ?? (prevAnchors = anchorNames(doc));
            const anchor = findNewAnchor(prefix, prevAnchors);
            prevAnchors.add(anchor);
            return anchor;
        },
        /**
         * With circular references, the source node is only resolved after all
         * of its child nodes are. This is why anchors are set only after all of
         * the nodes have been created.
         */
        setAnchors: () => {
            for (const source of aliasObjects) {
                const ref = sourceObjects.get(source);
                if (typeof ref === 'object' &&
                    ref.anchor &&
                    (isScalar(ref.node) || isCollection(ref.node))) {
                    ref.node.anchor = ref.anchor;
                }
                else {
                    const error = new Error('Failed to resolve repeated object (this should not happen)');
                    error.source = source;
                    throw error;
                }
            }
        },
        sourceObjects
    };
}

/**
 * Applies the JSON.parse reviver algorithm as defined in the ECMA-262 spec,
 * in section 24.5.1.1 "Runtime Semantics: InternalizeJSONProperty" of the
 * 2021 edition: https://tc39.es/ecma262/#sec-json.parse
 *
 * Includes extensions for handling Map and Set objects.
 */
function applyReviver(reviver, obj, key, val) {
    if (val && typeof val === 'object') {
        if (Array.isArray(val)) {
            for (let i = 0, len = val.length; i < len; ++i) {
                const v0 = val[i];
                const v1 = applyReviver(reviver, val, String(i), v0);
                // eslint-disable-next-line @typescript-eslint/no-array-delete
                if (v1 === undefined)
                    delete val[i];
                else if (v1 !== v0)
                    val[i] = v1;
            }
        }
        else if (val instanceof Map) {
            for (const k of Array.from(val.keys())) {
                const v0 = val.get(k);
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    val.delete(k);
                else if (v1 !== v0)
                    val.set(k, v1);
            }
        }
        else if (val instanceof Set) {
            for (const v0 of Array.from(val)) {
                const v1 = applyReviver(reviver, val, v0, v0);
                if (v1 === undefined)
                    val.delete(v0);
                else if (v1 !== v0) {
                    val.delete(v0);
                    val.add(v1);
                }
            }
        }
        else {
            for (const [k, v0] of Object.entries(val)) {
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    delete val[k];
                else if (v1 !== v0)
                    val[k] = v1;
            }
        }
    }
    return reviver.call(obj, key, val);
}

/**
 * Recursively convert any node or its contents to native JavaScript
 *
 * @param value - The input value
 * @param arg - If `value` defines a `toJSON()` method, use this
 *   as its first argument
 * @param ctx - Conversion context, originally set in Document#toJS(). If
 *   `{ keep: true }` is not set, output should be suitable for JSON
 *   stringification.
 */
function toJS(value, arg, ctx) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return
    if (Array.isArray(value))
        return value.map((v, i) => toJS(v, String(i), ctx));
    if (value && typeof value.toJSON === 'function') {
        // eslint-disable-next-line @typescript-eslint/no-unsafe-call
        if (!ctx || !hasAnchor(value))
            return value.toJSON(arg, ctx);
        const data = { aliasCount: 0, count: 1, res: undefined };
        ctx.anchors.set(value, data);
        ctx.onCreate = res => {
            data.res = res;
            delete ctx.onCreate;
        };
        const res = value.toJSON(arg, ctx);
        if (ctx.onCreate)
            ctx.onCreate(res);
        return res;
    }
    if (typeof value === 'bigint' && !ctx?.keep)
        return Number(value);
    return value;
}

class NodeBase {
    constructor(type) {
        Object.defineProperty(this, NODE_TYPE, { value: type });
    }
    /** Create a copy of this node.  */
    clone() {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** A plain JavaScript representation of this node. */
    toJS(doc, { mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        if (!isDocument(doc))
            throw new TypeError('A document argument is required');
        const ctx = {
            anchors: new Map(),
            doc,
            keep: true,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS(this, '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver(reviver, { '': res }, '', res)
            : res;
    }
}

class Alias extends NodeBase {
    constructor(source) {
        super(ALIAS);
        this.source = source;
        Object.defineProperty(this, 'tag', {
            set() {
                throw new Error('Alias nodes cannot have tags');
            }
        });
    }
    /**
     * Resolve the value of this alias within `doc`, finding the last
     * instance of the `source` anchor before this node.
     */
    resolve(doc, ctx) {
        if (ctx?.maxAliasCount === 0)
            throw new ReferenceError('Alias resolution is disabled');
        let nodes;
        if (ctx?.aliasResolveCache) {
            nodes = ctx.aliasResolveCache;
        }
        else {
            nodes = [];
            visit(doc, {
                Node: (_key, node) => {
                    if (isAlias(node) || hasAnchor(node))
                        nodes.push(node);
                }
            });
            if (ctx)
                ctx.aliasResolveCache = nodes;
        }
        let found = undefined;
        for (const node of nodes) {
            if (node === this)
                break;
            if (node.anchor === this.source)
                found = node;
        }
        if (found && ctx) {
            const { anchors, doc, maxAliasCount } = ctx;
            let data = anchors.get(found);
            if (!data) {
                // Resolve anchors for Node.prototype.toJS()
                toJS(found, null, ctx);
                data = anchors.get(found);
            }
            /* istanbul ignore if */
            if (data?.res === undefined) {
                const msg = 'This should not happen: Alias anchor was not resolved?';
                throw new ReferenceError(msg);
            }
            if (maxAliasCount >= 0) {
                data.count += 1;
                if (data.aliasCount === 0)
                    data.aliasCount = getAliasCount(doc, found, anchors);
                if (data.count * data.aliasCount > maxAliasCount) {
                    const msg = 'Excessive alias count indicates a resource exhaustion attack';
                    throw new ReferenceError(msg);
                }
            }
        }
        return found;
    }
    toJSON(_arg, ctx) {
        if (!ctx)
            return { source: this.source };
        const source = this.resolve(ctx.doc, ctx);
        if (!source) {
            const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
            throw new ReferenceError(msg);
        }
        return ctx.anchors.get(source).res;
    }
    toString(ctx, _onComment, _onChompKeep) {
        const src = `*${this.source}`;
        if (ctx) {
            anchorIsValid(this.source);
            if (ctx.options.verifyAliasOrder && !ctx.anchors.has(this.source)) {
                const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
                throw new Error(msg);
            }
            if (ctx.implicitKey)
                return `${src} `;
        }
        return src;
    }
}
function getAliasCount(doc, node, anchors) {
    if (isAlias(node)) {
        const source = node.resolve(doc);
        const anchor = anchors && source && anchors.get(source);
        return anchor ? anchor.count * anchor.aliasCount : 0;
    }
    else if (isCollection(node)) {
        let count = 0;
        for (const item of node.items) {
            const c = getAliasCount(doc, item, anchors);
            if (c > count)
                count = c;
        }
        return count;
    }
    else if (isPair(node)) {
        const kc = getAliasCount(doc, node.key, anchors);
        const vc = getAliasCount(doc, node.value, anchors);
        return Math.max(kc, vc);
    }
    return 1;
}

const isScalarValue = (value) => !value || (typeof value !== 'function' && typeof value !== 'object');
class Scalar extends NodeBase {
    constructor(value) {
        super(SCALAR$1);
        this.value = value;
    }
    toJSON(arg, ctx) {
        return ctx?.keep ? this.value : toJS(this.value, arg, ctx);
    }
    toString() {
        return String(this.value);
    }
}
Scalar.BLOCK_FOLDED = 'BLOCK_FOLDED';
Scalar.BLOCK_LITERAL = 'BLOCK_LITERAL';
Scalar.PLAIN = 'PLAIN';
Scalar.QUOTE_DOUBLE = 'QUOTE_DOUBLE';
Scalar.QUOTE_SINGLE = 'QUOTE_SINGLE';

const defaultTagPrefix = 'tag:yaml.org,2002:';
function findTagObject(value, tagName, tags) {
    if (tagName) {
        const match = tags.filter(t => t.tag === tagName);
        const tagObj = match.find(t => !t.format) ?? match[0];
        if (!tagObj)
            throw new Error(`Tag ${tagName} not found`);
        return tagObj;
    }
    return tags.find(t => t.identify?.(value) && !t.format);
}
function createNode(value, tagName, ctx) {
    if (isDocument(value))
        value = value.contents;
    if (isNode(value))
        return value;
    if (isPair(value)) {
        const map = ctx.schema[MAP].createNode?.(ctx.schema, null, ctx);
        map.items.push(value);
        return map;
    }
    if (value instanceof String ||
        value instanceof Number ||
        value instanceof Boolean ||
        (typeof BigInt !== 'undefined' && value instanceof BigInt) // not supported everywhere
    ) {
        // https://tc39.es/ecma262/#sec-serializejsonproperty
        value = value.valueOf();
    }
    const { aliasDuplicateObjects, onAnchor, onTagObj, schema, sourceObjects } = ctx;
    // Detect duplicate references to the same object & use Alias nodes for all
    // after first. The `ref` wrapper allows for circular references to resolve.
    let ref = undefined;
    if (aliasDuplicateObjects && value && typeof value === 'object') {
        ref = sourceObjects.get(value);
        if (ref) {
            ref.anchor ?? (ref.anchor = onAnchor(value));
            return new Alias(ref.anchor);
        }
        else {
            ref = { anchor: null, node: null };
            sourceObjects.set(value, ref);
        }
    }
    if (tagName?.startsWith('!!'))
        tagName = defaultTagPrefix + tagName.slice(2);
    let tagObj = findTagObject(value, tagName, schema.tags);
    if (!tagObj) {
        if (value && typeof value.toJSON === 'function') {
            // eslint-disable-next-line @typescript-eslint/no-unsafe-call
            value = value.toJSON();
        }
        if (!value || typeof value !== 'object') {
            const node = new Scalar(value);
            if (ref)
                ref.node = node;
            return node;
        }
        tagObj =
            value instanceof Map
                ? schema[MAP]
                : Symbol.iterator in Object(value)
                    ? schema[SEQ]
                    : schema[MAP];
    }
    if (onTagObj) {
        onTagObj(tagObj);
        delete ctx.onTagObj;
    }
    const node = tagObj?.createNode
        ? tagObj.createNode(ctx.schema, value, ctx)
        : typeof tagObj?.nodeClass?.from === 'function'
            ? tagObj.nodeClass.from(ctx.schema, value, ctx)
            : new Scalar(value);
    if (tagName)
        node.tag = tagName;
    else if (!tagObj.default)
        node.tag = tagObj.tag;
    if (ref)
        ref.node = node;
    return node;
}

function collectionFromPath(schema, path, value) {
    let v = value;
    for (let i = path.length - 1; i >= 0; --i) {
        const k = path[i];
        if (typeof k === 'number' && Number.isInteger(k) && k >= 0) {
            const a = [];
            a[k] = v;
            v = a;
        }
        else {
            v = new Map([[k, v]]);
        }
    }
    return createNode(v, undefined, {
        aliasDuplicateObjects: false,
        keepUndefined: false,
        onAnchor: () => {
            throw new Error('This should not happen, please report a bug.');
        },
        schema,
        sourceObjects: new Map()
    });
}
// Type guard is intentionally a little wrong so as to be more useful,
// as it does not cover untypable empty non-string iterables (e.g. []).
const isEmptyPath = (path) => path == null ||
    (typeof path === 'object' && !!path[Symbol.iterator]().next().done);
class Collection extends NodeBase {
    constructor(type, schema) {
        super(type);
        Object.defineProperty(this, 'schema', {
            value: schema,
            configurable: true,
            enumerable: false,
            writable: true
        });
    }
    /**
     * Create a copy of this collection.
     *
     * @param schema - If defined, overwrites the original's schema
     */
    clone(schema) {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (schema)
            copy.schema = schema;
        copy.items = copy.items.map(it => isNode(it) || isPair(it) ? it.clone(schema) : it);
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /**
     * Adds a value to the collection. For `!!map` and `!!omap` the value must
     * be a Pair instance or a `{ key, value }` object, which may not have a key
     * that already exists in the map.
     */
    addIn(path, value) {
        if (isEmptyPath(path))
            this.add(value);
        else {
            const [key, ...rest] = path;
            const node = this.get(key, true);
            if (isCollection(node))
                node.addIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
    /**
     * Removes a value from the collection.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.delete(key);
        const node = this.get(key, true);
        if (isCollection(node))
            return node.deleteIn(rest);
        else
            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        const [key, ...rest] = path;
        const node = this.get(key, true);
        if (rest.length === 0)
            return !keepScalar && isScalar(node) ? node.value : node;
        else
            return isCollection(node) ? node.getIn(rest, keepScalar) : undefined;
    }
    hasAllNullValues(allowScalar) {
        return this.items.every(node => {
            if (!isPair(node))
                return false;
            const n = node.value;
            return (n == null ||
                (allowScalar &&
                    isScalar(n) &&
                    n.value == null &&
                    !n.commentBefore &&
                    !n.comment &&
                    !n.tag));
        });
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     */
    hasIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.has(key);
        const node = this.get(key, true);
        return isCollection(node) ? node.hasIn(rest) : false;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        const [key, ...rest] = path;
        if (rest.length === 0) {
            this.set(key, value);
        }
        else {
            const node = this.get(key, true);
            if (isCollection(node))
                node.setIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
}

/**
 * Stringifies a comment.
 *
 * Empty comment lines are left empty,
 * lines consisting of a single space are replaced by `#`,
 * and all other lines are prefixed with a `#`.
 */
const stringifyComment = (str) => str.replace(/^(?!$)(?: $)?/gm, '#');
function indentComment(comment, indent) {
    if (/^\n+$/.test(comment))
        return comment.substring(1);
    return indent ? comment.replace(/^(?! *$)/gm, indent) : comment;
}
const lineComment = (str, indent, comment) => str.endsWith('\n')
    ? indentComment(comment, indent)
    : comment.includes('\n')
        ? '\n' + indentComment(comment, indent)
        : (str.endsWith(' ') ? '' : ' ') + comment;

const FOLD_FLOW = 'flow';
const FOLD_BLOCK = 'block';
const FOLD_QUOTED = 'quoted';
/**
 * Tries to keep input at up to `lineWidth` characters, splitting only on spaces
 * not followed by newlines or spaces unless `mode` is `'quoted'`. Lines are
 * terminated with `\n` and started with `indent`.
 */
function foldFlowLines(text, indent, mode = 'flow', { indentAtStart, lineWidth = 80, minContentWidth = 20, onFold, onOverflow } = {}) {
    if (!lineWidth || lineWidth < 0)
        return text;
    if (lineWidth < minContentWidth)
        minContentWidth = 0;
    const endStep = Math.max(1 + minContentWidth, 1 + lineWidth - indent.length);
    if (text.length <= endStep)
        return text;
    const folds = [];
    const escapedFolds = {};
    let end = lineWidth - indent.length;
    if (typeof indentAtStart === 'number') {
        if (indentAtStart > lineWidth - Math.max(2, minContentWidth))
            folds.push(0);
        else
            end = lineWidth - indentAtStart;
    }
    let split = undefined;
    let prev = undefined;
    let overflow = false;
    let i = -1;
    let escStart = -1;
    let escEnd = -1;
    if (mode === FOLD_BLOCK) {
        i = consumeMoreIndentedLines(text, i, indent.length);
        if (i !== -1)
            end = i + endStep;
    }
    for (let ch; (ch = text[(i += 1)]);) {
        if (mode === FOLD_QUOTED && ch === '\\') {
            escStart = i;
            switch (text[i + 1]) {
                case 'x':
                    i += 3;
                    break;
                case 'u':
                    i += 5;
                    break;
                case 'U':
                    i += 9;
                    break;
                default:
                    i += 1;
            }
            escEnd = i;
        }
        if (ch === '\n') {
            if (mode === FOLD_BLOCK)
                i = consumeMoreIndentedLines(text, i, indent.length);
            end = i + indent.length + endStep;
            split = undefined;
        }
        else {
            if (ch === ' ' &&
                prev &&
                prev !== ' ' &&
                prev !== '\n' &&
                prev !== '\t') {
                // space surrounded by non-space can be replaced with newline + indent
                const next = text[i + 1];
                if (next && next !== ' ' && next !== '\n' && next !== '\t')
                    split = i;
            }
            if (i >= end) {
                if (split) {
                    folds.push(split);
                    end = split + endStep;
                    split = undefined;
                }
                else if (mode === FOLD_QUOTED) {
                    // white-space collected at end may stretch past lineWidth
                    while (prev === ' ' || prev === '\t') {
                        prev = ch;
                        ch = text[(i += 1)];
                        overflow = true;
                    }
                    // Account for newline escape, but don't break preceding escape
                    const j = i > escEnd + 1 ? i - 2 : escStart - 1;
                    // Bail out if lineWidth & minContentWidth are shorter than an escape string
                    if (escapedFolds[j])
                        return text;
                    folds.push(j);
                    escapedFolds[j] = true;
                    end = j + endStep;
                    split = undefined;
                }
                else {
                    overflow = true;
                }
            }
        }
        prev = ch;
    }
    if (overflow && onOverflow)
        onOverflow();
    if (folds.length === 0)
        return text;
    if (onFold)
        onFold();
    let res = text.slice(0, folds[0]);
    for (let i = 0; i < folds.length; ++i) {
        const fold = folds[i];
        const end = folds[i + 1] || text.length;
        if (fold === 0)
            res = `\n${indent}${text.slice(0, end)}`;
        else {
            if (mode === FOLD_QUOTED && escapedFolds[fold])
                res += `${text[fold]}\\`;
            res += `\n${indent}${text.slice(fold + 1, end)}`;
        }
    }
    return res;
}
/**
 * Presumes `i + 1` is at the start of a line
 * @returns index of last newline in more-indented block
 */
function consumeMoreIndentedLines(text, i, indent) {
    let end = i;
    let start = i + 1;
    let ch = text[start];
    while (ch === ' ' || ch === '\t') {
        if (i < start + indent) {
            ch = text[++i];
        }
        else {
            do {
                ch = text[++i];
            } while (ch && ch !== '\n');
            end = i;
            start = i + 1;
            ch = text[start];
        }
    }
    return end;
}

const getFoldOptions = (ctx, isBlock) => ({
    indentAtStart: isBlock ? ctx.indent.length : ctx.indentAtStart,
    lineWidth: ctx.options.lineWidth,
    minContentWidth: ctx.options.minContentWidth
});
// Also checks for lines starting with %, as parsing the output as YAML 1.1 will
// presume that's starting a new document.
const containsDocumentMarker = (str) => /^(%|---|\.\.\.)/m.test(str);
function lineLengthOverLimit(str, lineWidth, indentLength) {
    if (!lineWidth || lineWidth < 0)
        return false;
    const limit = lineWidth - indentLength;
    const strLen = str.length;
    if (strLen <= limit)
        return false;
    for (let i = 0, start = 0; i < strLen; ++i) {
        if (str[i] === '\n') {
            if (i - start > limit)
                return true;
            start = i + 1;
            if (strLen - start <= limit)
                return false;
        }
    }
    return true;
}
function doubleQuotedString(value, ctx) {
    const json = JSON.stringify(value);
    if (ctx.options.doubleQuotedAsJSON)
        return json;
    const { implicitKey } = ctx;
    const minMultiLineLength = ctx.options.doubleQuotedMinMultiLineLength;
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    let str = '';
    let start = 0;
    for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
        if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
            // space before newline needs to be escaped to not be folded
            str += json.slice(start, i) + '\\ ';
            i += 1;
            start = i;
            ch = '\\';
        }
        if (ch === '\\')
            switch (json[i + 1]) {
                case 'u':
                    {
                        str += json.slice(start, i);
                        const code = json.substr(i + 2, 4);
                        switch (code) {
                            case '0000':
                                str += '\\0';
                                break;
                            case '0007':
                                str += '\\a';
                                break;
                            case '000b':
                                str += '\\v';
                                break;
                            case '001b':
                                str += '\\e';
                                break;
                            case '0085':
                                str += '\\N';
                                break;
                            case '00a0':
                                str += '\\_';
                                break;
                            case '2028':
                                str += '\\L';
                                break;
                            case '2029':
                                str += '\\P';
                                break;
                            default:
                                if (code.substr(0, 2) === '00')
                                    str += '\\x' + code.substr(2);
                                else
                                    str += json.substr(i, 6);
                        }
                        i += 5;
                        start = i + 1;
                    }
                    break;
                case 'n':
                    if (implicitKey ||
                        json[i + 2] === '"' ||
                        json.length < minMultiLineLength) {
                        i += 1;
                    }
                    else {
                        // folding will eat first newline
                        str += json.slice(start, i) + '\n\n';
                        while (json[i + 2] === '\\' &&
                            json[i + 3] === 'n' &&
                            json[i + 4] !== '"') {
                            str += '\n';
                            i += 2;
                        }
                        str += indent;
                        // space after newline needs to be escaped to not be folded
                        if (json[i + 2] === ' ')
                            str += '\\';
                        i += 1;
                        start = i + 1;
                    }
                    break;
                default:
                    i += 1;
            }
    }
    str = start ? str + json.slice(start) : json;
    return implicitKey
        ? str
        : foldFlowLines(str, indent, FOLD_QUOTED, getFoldOptions(ctx, false));
}
function singleQuotedString(value, ctx) {
    if (ctx.options.singleQuote === false ||
        (ctx.implicitKey && value.includes('\n')) ||
        /[ \t]\n|\n[ \t]/.test(value) // single quoted string can't have leading or trailing whitespace around newline
    )
        return doubleQuotedString(value, ctx);
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    const res = "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
    return ctx.implicitKey
        ? res
        : foldFlowLines(res, indent, FOLD_FLOW, getFoldOptions(ctx, false));
}
function quotedString(value, ctx) {
    const { singleQuote } = ctx.options;
    let qs;
    if (singleQuote === false)
        qs = doubleQuotedString;
    else {
        const hasDouble = value.includes('"');
        const hasSingle = value.includes("'");
        if (hasDouble && !hasSingle)
            qs = singleQuotedString;
        else if (hasSingle && !hasDouble)
            qs = doubleQuotedString;
        else
            qs = singleQuote ? singleQuotedString : doubleQuotedString;
    }
    return qs(value, ctx);
}
// The negative lookbehind avoids a polynomial search,
// but isn't supported yet on Safari: https://caniuse.com/js-regexp-lookbehind
let blockEndNewlines;
try {
    blockEndNewlines = new RegExp('(^|(?<!\n))\n+(?!\n|$)', 'g');
}
catch {
    blockEndNewlines = /\n+(?!\n|$)/g;
}
function blockString({ comment, type, value }, ctx, onComment, onChompKeep) {
    const { blockQuote, commentString, lineWidth } = ctx.options;
    // 1. Block can't end in whitespace unless the last line is non-empty.
    // 2. Strings consisting of only whitespace are best rendered explicitly.
    if (!blockQuote || /\n[\t ]+$/.test(value)) {
        return quotedString(value, ctx);
    }
    const indent = ctx.indent ||
        (ctx.forceBlockIndent || containsDocumentMarker(value) ? '  ' : '');
    const literal = blockQuote === 'literal'
        ? true
        : blockQuote === 'folded' || type === Scalar.BLOCK_FOLDED
            ? false
            : type === Scalar.BLOCK_LITERAL
                ? true
                : !lineLengthOverLimit(value, lineWidth, indent.length);
    if (!value)
        return literal ? '|\n' : '>\n';
    // determine chomping from whitespace at value end
    let chomp;
    let endStart;
    for (endStart = value.length; endStart > 0; --endStart) {
        const ch = value[endStart - 1];
        if (ch !== '\n' && ch !== '\t' && ch !== ' ')
            break;
    }
    let end = value.substring(endStart);
    const endNlPos = end.indexOf('\n');
    if (endNlPos === -1) {
        chomp = '-'; // strip
    }
    else if (value === end || endNlPos !== end.length - 1) {
        chomp = '+'; // keep
        if (onChompKeep)
            onChompKeep();
    }
    else {
        chomp = ''; // clip
    }
    if (end) {
        value = value.slice(0, -end.length);
        if (end[end.length - 1] === '\n')
            end = end.slice(0, -1);
        end = end.replace(blockEndNewlines, `$&${indent}`);
    }
    // determine indent indicator from whitespace at value start
    let startWithSpace = false;
    let startEnd;
    let startNlPos = -1;
    for (startEnd = 0; startEnd < value.length; ++startEnd) {
        const ch = value[startEnd];
        if (ch === ' ')
            startWithSpace = true;
        else if (ch === '\n')
            startNlPos = startEnd;
        else
            break;
    }
    let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
    if (start) {
        value = value.substring(start.length);
        start = start.replace(/\n+/g, `$&${indent}`);
    }
    const indentSize = indent ? '2' : '1'; // root is at -1
    // Leading | or > is added later
    let header = (startWithSpace ? indentSize : '') + chomp;
    if (comment) {
        header += ' ' + commentString(comment.replace(/ ?[\r\n]+/g, ' '));
        if (onComment)
            onComment();
    }
    if (!literal) {
        const foldedValue = value
            .replace(/\n+/g, '\n$&')
            .replace(/(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?/g, '$1$2') // more-indented lines aren't folded
            //                ^ more-ind. ^ empty     ^ capture next empty lines only at end of indent
            .replace(/\n+/g, `$&${indent}`);
        let literalFallback = false;
        const foldOptions = getFoldOptions(ctx, true);
        if (blockQuote !== 'folded' && type !== Scalar.BLOCK_FOLDED) {
            foldOptions.onOverflow = () => {
                literalFallback = true;
            };
        }
        const body = foldFlowLines(`${start}${foldedValue}${end}`, indent, FOLD_BLOCK, foldOptions);
        if (!literalFallback)
            return `>${header}\n${indent}${body}`;
    }
    value = value.replace(/\n+/g, `$&${indent}`);
    return `|${header}\n${indent}${start}${value}${end}`;
}
function plainString(item, ctx, onComment, onChompKeep) {
    const { type, value } = item;
    const { actualString, implicitKey, indent, indentStep, inFlow } = ctx;
    if ((implicitKey && value.includes('\n')) ||
        (inFlow && /[[\]{},]/.test(value))) {
        return quotedString(value, ctx);
    }
    if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value)) {
        // not allowed:
        // - '-' or '?'
        // - start with an indicator character (except [?:-]) or /[?-] /
        // - '\n ', ': ' or ' \n' anywhere
        // - '#' not preceded by a non-space char
        // - end with ' ' or ':'
        return implicitKey || inFlow || !value.includes('\n')
            ? quotedString(value, ctx)
            : blockString(item, ctx, onComment, onChompKeep);
    }
    if (!implicitKey &&
        !inFlow &&
        type !== Scalar.PLAIN &&
        value.includes('\n')) {
        // Where allowed & type not set explicitly, prefer block style for multiline strings
        return blockString(item, ctx, onComment, onChompKeep);
    }
    if (containsDocumentMarker(value)) {
        if (indent === '') {
            ctx.forceBlockIndent = true;
            return blockString(item, ctx, onComment, onChompKeep);
        }
        else if (implicitKey && indent === indentStep) {
            return quotedString(value, ctx);
        }
    }
    const str = value.replace(/\n+/g, `$&\n${indent}`);
    // Verify that output will be parsed as a string, as e.g. plain numbers and
    // booleans get parsed with those types in v1.2 (e.g. '42', 'true' & '0.9e-3'),
    // and others in v1.1.
    if (actualString) {
        const test = (tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test?.test(str);
        const { compat, tags } = ctx.doc.schema;
        if (tags.some(test) || compat?.some(test))
            return quotedString(value, ctx);
    }
    return implicitKey
        ? str
        : foldFlowLines(str, indent, FOLD_FLOW, getFoldOptions(ctx, false));
}
function stringifyString(item, ctx, onComment, onChompKeep) {
    const { implicitKey, inFlow } = ctx;
    const ss = typeof item.value === 'string'
        ? item
        : Object.assign({}, item, { value: String(item.value) });
    let { type } = item;
    if (type !== Scalar.QUOTE_DOUBLE) {
        // force double quotes on control characters & unpaired surrogates
        if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(ss.value))
            type = Scalar.QUOTE_DOUBLE;
    }
    const _stringify = (_type) => {
        switch (_type) {
            case Scalar.BLOCK_FOLDED:
            case Scalar.BLOCK_LITERAL:
                return implicitKey || inFlow
                    ? quotedString(ss.value, ctx) // blocks are not valid inside flow containers
                    : blockString(ss, ctx, onComment, onChompKeep);
            case Scalar.QUOTE_DOUBLE:
                return doubleQuotedString(ss.value, ctx);
            case Scalar.QUOTE_SINGLE:
                return singleQuotedString(ss.value, ctx);
            case Scalar.PLAIN:
                return plainString(ss, ctx, onComment, onChompKeep);
            default:
                return null;
        }
    };
    let res = _stringify(type);
    if (res === null) {
        const { defaultKeyType, defaultStringType } = ctx.options;
        const t = (implicitKey && defaultKeyType) || defaultStringType;
        res = _stringify(t);
        if (res === null)
            throw new Error(`Unsupported default string type ${t}`);
    }
    return res;
}

function createStringifyContext(doc, options) {
    const opt = Object.assign({
        blockQuote: true,
        commentString: stringifyComment,
        defaultKeyType: null,
        defaultStringType: 'PLAIN',
        directives: null,
        doubleQuotedAsJSON: false,
        doubleQuotedMinMultiLineLength: 40,
        falseStr: 'false',
        flowCollectionPadding: true,
        indentSeq: true,
        lineWidth: 80,
        minContentWidth: 20,
        nullStr: 'null',
        simpleKeys: false,
        singleQuote: null,
        trailingComma: false,
        trueStr: 'true',
        verifyAliasOrder: true
    }, doc.schema.toStringOptions, options);
    let inFlow;
    switch (opt.collectionStyle) {
        case 'block':
            inFlow = false;
            break;
        case 'flow':
            inFlow = true;
            break;
        default:
            inFlow = null;
    }
    return {
        anchors: new Set(),
        doc,
        flowCollectionPadding: opt.flowCollectionPadding ? ' ' : '',
        indent: '',
        indentStep: typeof opt.indent === 'number' ? ' '.repeat(opt.indent) : '  ',
        inFlow,
        options: opt
    };
}
function getTagObject(tags, item) {
    if (item.tag) {
        const match = tags.filter(t => t.tag === item.tag);
        if (match.length > 0)
            return match.find(t => t.format === item.format) ?? match[0];
    }
    let tagObj = undefined;
    let obj;
    if (isScalar(item)) {
        obj = item.value;
        let match = tags.filter(t => t.identify?.(obj));
        if (match.length > 1) {
            const testMatch = match.filter(t => t.test);
            if (testMatch.length > 0)
                match = testMatch;
        }
        tagObj =
            match.find(t => t.format === item.format) ?? match.find(t => !t.format);
    }
    else {
        obj = item;
        tagObj = tags.find(t => t.nodeClass && obj instanceof t.nodeClass);
    }
    if (!tagObj) {
        const name = obj?.constructor?.name ?? (obj === null ? 'null' : typeof obj);
        throw new Error(`Tag not resolved for ${name} value`);
    }
    return tagObj;
}
// needs to be called before value stringifier to allow for circular anchor refs
function stringifyProps(node, tagObj, { anchors, doc }) {
    if (!doc.directives)
        return '';
    const props = [];
    const anchor = (isScalar(node) || isCollection(node)) && node.anchor;
    if (anchor && anchorIsValid(anchor)) {
        anchors.add(anchor);
        props.push(`&${anchor}`);
    }
    const tag = node.tag ?? (tagObj.default ? null : tagObj.tag);
    if (tag)
        props.push(doc.directives.tagString(tag));
    return props.join(' ');
}
function stringify$1(item, ctx, onComment, onChompKeep) {
    if (isPair(item))
        return item.toString(ctx, onComment, onChompKeep);
    if (isAlias(item)) {
        if (ctx.doc.directives)
            return item.toString(ctx);
        if (ctx.resolvedAliases?.has(item)) {
            throw new TypeError(`Cannot stringify circular structure without alias nodes`);
        }
        else {
            if (ctx.resolvedAliases)
                ctx.resolvedAliases.add(item);
            else
                ctx.resolvedAliases = new Set([item]);
            item = item.resolve(ctx.doc);
        }
    }
    let tagObj = undefined;
    const node = isNode(item)
        ? item
        : ctx.doc.createNode(item, { onTagObj: o => (tagObj = o) });
    tagObj ?? (tagObj = getTagObject(ctx.doc.schema.tags, node));
    const props = stringifyProps(node, tagObj, ctx);
    if (props.length > 0)
        ctx.indentAtStart = (ctx.indentAtStart ?? 0) + props.length + 1;
    const str = typeof tagObj.stringify === 'function'
        ? tagObj.stringify(node, ctx, onComment, onChompKeep)
        : isScalar(node)
            ? stringifyString(node, ctx, onComment, onChompKeep)
            : node.toString(ctx, onComment, onChompKeep);
    if (!props)
        return str;
    return isScalar(node) || str[0] === '{' || str[0] === '['
        ? `${props} ${str}`
        : `${props}\n${ctx.indent}${str}`;
}

function stringifyPair({ key, value }, ctx, onComment, onChompKeep) {
    const { allNullValues, doc, indent, indentStep, options: { commentString, indentSeq, simpleKeys } } = ctx;
    let keyComment = (isNode(key) && key.comment) || null;
    if (simpleKeys) {
        if (keyComment) {
            throw new Error('With simple keys, key nodes cannot have comments');
        }
        if (isCollection(key) || (!isNode(key) && typeof key === 'object')) {
            const msg = 'With simple keys, collection cannot be used as a key value';
            throw new Error(msg);
        }
    }
    let explicitKey = !simpleKeys &&
        (!key ||
            (keyComment && value == null && !ctx.inFlow) ||
            isCollection(key) ||
            (isScalar(key)
                ? key.type === Scalar.BLOCK_FOLDED || key.type === Scalar.BLOCK_LITERAL
                : typeof key === 'object'));
    ctx = Object.assign({}, ctx, {
        allNullValues: false,
        implicitKey: !explicitKey && (simpleKeys || !allNullValues),
        indent: indent + indentStep
    });
    let keyCommentDone = false;
    let chompKeep = false;
    let str = stringify$1(key, ctx, () => (keyCommentDone = true), () => (chompKeep = true));
    if (!explicitKey && !ctx.inFlow && str.length > 1024) {
        if (simpleKeys)
            throw new Error('With simple keys, single line scalar must not span more than 1024 characters');
        explicitKey = true;
    }
    if (ctx.inFlow) {
        if (allNullValues || value == null) {
            if (keyCommentDone && onComment)
                onComment();
            return str === '' ? '?' : explicitKey ? `? ${str}` : str;
        }
    }
    else if ((allNullValues && !simpleKeys) || (value == null && explicitKey)) {
        str = `? ${str}`;
        if (keyComment && !keyCommentDone) {
            str += lineComment(str, ctx.indent, commentString(keyComment));
        }
        else if (chompKeep && onChompKeep)
            onChompKeep();
        return str;
    }
    if (keyCommentDone)
        keyComment = null;
    if (explicitKey) {
        if (keyComment)
            str += lineComment(str, ctx.indent, commentString(keyComment));
        str = `? ${str}\n${indent}:`;
    }
    else {
        str = `${str}:`;
        if (keyComment)
            str += lineComment(str, ctx.indent, commentString(keyComment));
    }
    let vsb, vcb, valueComment;
    if (isNode(value)) {
        vsb = !!value.spaceBefore;
        vcb = value.commentBefore;
        valueComment = value.comment;
    }
    else {
        vsb = false;
        vcb = null;
        valueComment = null;
        if (value && typeof value === 'object')
            value = doc.createNode(value);
    }
    ctx.implicitKey = false;
    if (!explicitKey && !keyComment && isScalar(value))
        ctx.indentAtStart = str.length + 1;
    chompKeep = false;
    if (!indentSeq &&
        indentStep.length >= 2 &&
        !ctx.inFlow &&
        !explicitKey &&
        isSeq(value) &&
        !value.flow &&
        !value.tag &&
        !value.anchor) {
        // If indentSeq === false, consider '- ' as part of indentation where possible
        ctx.indent = ctx.indent.substring(2);
    }
    let valueCommentDone = false;
    const valueStr = stringify$1(value, ctx, () => (valueCommentDone = true), () => (chompKeep = true));
    let ws = ' ';
    if (keyComment || vsb || vcb) {
        ws = vsb ? '\n' : '';
        if (vcb) {
            const cs = commentString(vcb);
            ws += `\n${indentComment(cs, ctx.indent)}`;
        }
        if (valueStr === '' && !ctx.inFlow) {
            if (ws === '\n' && valueComment)
                ws = '\n\n';
        }
        else {
            ws += `\n${ctx.indent}`;
        }
    }
    else if (!explicitKey && isCollection(value)) {
        const vs0 = valueStr[0];
        const nl0 = valueStr.indexOf('\n');
        const hasNewline = nl0 !== -1;
        const flow = ctx.inFlow ?? value.flow ?? value.items.length === 0;
        if (hasNewline || !flow) {
            let hasPropsLine = false;
            if (hasNewline && (vs0 === '&' || vs0 === '!')) {
                let sp0 = valueStr.indexOf(' ');
                if (vs0 === '&' &&
                    sp0 !== -1 &&
                    sp0 < nl0 &&
                    valueStr[sp0 + 1] === '!') {
                    sp0 = valueStr.indexOf(' ', sp0 + 1);
                }
                if (sp0 === -1 || nl0 < sp0)
                    hasPropsLine = true;
            }
            if (!hasPropsLine)
                ws = `\n${ctx.indent}`;
        }
    }
    else if (valueStr === '' || valueStr[0] === '\n') {
        ws = '';
    }
    str += ws + valueStr;
    if (ctx.inFlow) {
        if (valueCommentDone && onComment)
            onComment();
    }
    else if (valueComment && !valueCommentDone) {
        str += lineComment(str, ctx.indent, commentString(valueComment));
    }
    else if (chompKeep && onChompKeep) {
        onChompKeep();
    }
    return str;
}

function warn(logLevel, warning) {
    if (logLevel === 'debug' || logLevel === 'warn') {
        console.warn(warning);
    }
}

// If the value associated with a merge key is a single mapping node, each of
// its key/value pairs is inserted into the current mapping, unless the key
// already exists in it. If the value associated with the merge key is a
// sequence, then this sequence is expected to contain mapping nodes and each
// of these nodes is merged in turn according to its order in the sequence.
// Keys in mapping nodes earlier in the sequence override keys specified in
// later mapping nodes. -- http://yaml.org/type/merge.html
const MERGE_KEY = '<<';
const merge = {
    identify: value => value === MERGE_KEY ||
        (typeof value === 'symbol' && value.description === MERGE_KEY),
    default: 'key',
    tag: 'tag:yaml.org,2002:merge',
    test: /^<<$/,
    resolve: () => Object.assign(new Scalar(Symbol(MERGE_KEY)), {
        addToJSMap: addMergeToJSMap
    }),
    stringify: () => MERGE_KEY
};
const isMergeKey = (ctx, key) => (merge.identify(key) ||
    (isScalar(key) &&
        (!key.type || key.type === Scalar.PLAIN) &&
        merge.identify(key.value))) &&
    ctx?.doc.schema.tags.some(tag => tag.tag === merge.tag && tag.default);
function addMergeToJSMap(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (isSeq(source))
        for (const it of source.items)
            mergeValue(ctx, map, it);
    else if (Array.isArray(source))
        for (const it of source)
            mergeValue(ctx, map, it);
    else
        mergeValue(ctx, map, source);
}
function mergeValue(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (!isMap(source))
        throw new Error('Merge sources must be maps or map aliases');
    const srcMap = source.toJSON(null, ctx, Map);
    for (const [key, value] of srcMap) {
        if (map instanceof Map) {
            if (!map.has(key))
                map.set(key, value);
        }
        else if (map instanceof Set) {
            map.add(key);
        }
        else if (!Object.prototype.hasOwnProperty.call(map, key)) {
            Object.defineProperty(map, key, {
                value,
                writable: true,
                enumerable: true,
                configurable: true
            });
        }
    }
    return map;
}
function resolveAliasValue(ctx, value) {
    return ctx && isAlias(value) ? value.resolve(ctx.doc, ctx) : value;
}

function addPairToJSMap(ctx, map, { key, value }) {
    if (isNode(key) && key.addToJSMap)
        key.addToJSMap(ctx, map, value);
    // TODO: Should drop this special case for bare << handling
    else if (isMergeKey(ctx, key))
        addMergeToJSMap(ctx, map, value);
    else {
        const jsKey = toJS(key, '', ctx);
        if (map instanceof Map) {
            map.set(jsKey, toJS(value, jsKey, ctx));
        }
        else if (map instanceof Set) {
            map.add(jsKey);
        }
        else {
            const stringKey = stringifyKey(key, jsKey, ctx);
            const jsValue = toJS(value, stringKey, ctx);
            if (stringKey in map)
                Object.defineProperty(map, stringKey, {
                    value: jsValue,
                    writable: true,
                    enumerable: true,
                    configurable: true
                });
            else
                map[stringKey] = jsValue;
        }
    }
    return map;
}
function stringifyKey(key, jsKey, ctx) {
    if (jsKey === null)
        return '';
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    if (typeof jsKey !== 'object')
        return String(jsKey);
    if (isNode(key) && ctx?.doc) {
        const strCtx = createStringifyContext(ctx.doc, {});
        strCtx.anchors = new Set();
        for (const node of ctx.anchors.keys())
            strCtx.anchors.add(node.anchor);
        strCtx.inFlow = true;
        strCtx.inStringifyKey = true;
        const strKey = key.toString(strCtx);
        if (!ctx.mapKeyWarned) {
            let jsonStr = JSON.stringify(strKey);
            if (jsonStr.length > 40)
                jsonStr = jsonStr.substring(0, 36) + '..."';
            warn(ctx.doc.options.logLevel, `Keys with collection values will be stringified due to JS Object restrictions: ${jsonStr}. Set mapAsMap: true to use object keys.`);
            ctx.mapKeyWarned = true;
        }
        return strKey;
    }
    return JSON.stringify(jsKey);
}

function createPair(key, value, ctx) {
    const k = createNode(key, undefined, ctx);
    const v = createNode(value, undefined, ctx);
    return new Pair(k, v);
}
class Pair {
    constructor(key, value = null) {
        Object.defineProperty(this, NODE_TYPE, { value: PAIR });
        this.key = key;
        this.value = value;
    }
    clone(schema) {
        let { key, value } = this;
        if (isNode(key))
            key = key.clone(schema);
        if (isNode(value))
            value = value.clone(schema);
        return new Pair(key, value);
    }
    toJSON(_, ctx) {
        const pair = ctx?.mapAsMap ? new Map() : {};
        return addPairToJSMap(ctx, pair, this);
    }
    toString(ctx, onComment, onChompKeep) {
        return ctx?.doc
            ? stringifyPair(this, ctx, onComment, onChompKeep)
            : JSON.stringify(this);
    }
}

function stringifyCollection(collection, ctx, options) {
    const flow = ctx.inFlow ?? collection.flow;
    const stringify = flow ? stringifyFlowCollection : stringifyBlockCollection;
    return stringify(collection, ctx, options);
}
function stringifyBlockCollection({ comment, items }, ctx, { blockItemPrefix, flowChars, itemIndent, onChompKeep, onComment }) {
    const { indent, options: { commentString } } = ctx;
    const itemCtx = Object.assign({}, ctx, { indent: itemIndent, type: null });
    let chompKeep = false; // flag for the preceding node's status
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (isNode(item)) {
            if (!chompKeep && item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, chompKeep);
            if (item.comment)
                comment = item.comment;
        }
        else if (isPair(item)) {
            const ik = isNode(item.key) ? item.key : null;
            if (ik) {
                if (!chompKeep && ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, chompKeep);
            }
        }
        chompKeep = false;
        let str = stringify$1(item, itemCtx, () => (comment = null), () => (chompKeep = true));
        if (comment)
            str += lineComment(str, itemIndent, commentString(comment));
        if (chompKeep && comment)
            chompKeep = false;
        lines.push(blockItemPrefix + str);
    }
    let str;
    if (lines.length === 0) {
        str = flowChars.start + flowChars.end;
    }
    else {
        str = lines[0];
        for (let i = 1; i < lines.length; ++i) {
            const line = lines[i];
            str += line ? `\n${indent}${line}` : '\n';
        }
    }
    if (comment) {
        str += '\n' + indentComment(commentString(comment), indent);
        if (onComment)
            onComment();
    }
    else if (chompKeep && onChompKeep)
        onChompKeep();
    return str;
}
function stringifyFlowCollection({ items }, ctx, { flowChars, itemIndent }) {
    const { indent, indentStep, flowCollectionPadding: fcPadding, options: { commentString } } = ctx;
    itemIndent += indentStep;
    const itemCtx = Object.assign({}, ctx, {
        indent: itemIndent,
        inFlow: true,
        type: null
    });
    let reqNewline = false;
    let linesAtValue = 0;
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (isNode(item)) {
            if (item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, false);
            if (item.comment)
                comment = item.comment;
        }
        else if (isPair(item)) {
            const ik = isNode(item.key) ? item.key : null;
            if (ik) {
                if (ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, false);
                if (ik.comment)
                    reqNewline = true;
            }
            const iv = isNode(item.value) ? item.value : null;
            if (iv) {
                if (iv.comment)
                    comment = iv.comment;
                if (iv.commentBefore)
                    reqNewline = true;
            }
            else if (item.value == null && ik?.comment) {
                comment = ik.comment;
            }
        }
        if (comment)
            reqNewline = true;
        let str = stringify$1(item, itemCtx, () => (comment = null));
        reqNewline || (reqNewline = lines.length > linesAtValue || str.includes('\n'));
        if (i < items.length - 1) {
            str += ',';
        }
        else if (ctx.options.trailingComma) {
            if (ctx.options.lineWidth > 0) {
                reqNewline || (reqNewline = lines.reduce((sum, line) => sum + line.length + 2, 2) +
                    (str.length + 2) >
                    ctx.options.lineWidth);
            }
            if (reqNewline) {
                str += ',';
            }
        }
        if (comment)
            str += lineComment(str, itemIndent, commentString(comment));
        lines.push(str);
        linesAtValue = lines.length;
    }
    const { start, end } = flowChars;
    if (lines.length === 0) {
        return start + end;
    }
    else {
        if (!reqNewline) {
            const len = lines.reduce((sum, line) => sum + line.length + 2, 2);
            reqNewline = ctx.options.lineWidth > 0 && len > ctx.options.lineWidth;
        }
        if (reqNewline) {
            let str = start;
            for (const line of lines)
                str += line ? `\n${indentStep}${indent}${line}` : '\n';
            return `${str}\n${indent}${end}`;
        }
        else {
            return `${start}${fcPadding}${lines.join(' ')}${fcPadding}${end}`;
        }
    }
}
function addCommentBefore({ indent, options: { commentString } }, lines, comment, chompKeep) {
    if (comment && chompKeep)
        comment = comment.replace(/^\n+/, '');
    if (comment) {
        const ic = indentComment(commentString(comment), indent);
        lines.push(ic.trimStart()); // Avoid double indent on first line
    }
}

function findPair(items, key) {
    const k = isScalar(key) ? key.value : key;
    for (const it of items) {
        if (isPair(it)) {
            if (it.key === key || it.key === k)
                return it;
            if (isScalar(it.key) && it.key.value === k)
                return it;
        }
    }
    return undefined;
}
class YAMLMap extends Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:map';
    }
    constructor(schema) {
        super(MAP, schema);
        this.items = [];
    }
    /**
     * A generic collection parsing method that can be extended
     * to other node classes that inherit from YAMLMap
     */
    static from(schema, obj, ctx) {
        const { keepUndefined, replacer } = ctx;
        const map = new this(schema);
        const add = (key, value) => {
            if (typeof replacer === 'function')
                value = replacer.call(obj, key, value);
            else if (Array.isArray(replacer) && !replacer.includes(key))
                return;
            if (value !== undefined || keepUndefined)
                map.items.push(createPair(key, value, ctx));
        };
        if (obj instanceof Map) {
            for (const [key, value] of obj)
                add(key, value);
        }
        else if (obj && typeof obj === 'object') {
            for (const key of Object.keys(obj))
                add(key, obj[key]);
        }
        if (typeof schema.sortMapEntries === 'function') {
            map.items.sort(schema.sortMapEntries);
        }
        return map;
    }
    /**
     * Adds a value to the collection.
     *
     * @param overwrite - If not set `true`, using a key that is already in the
     *   collection will throw. Otherwise, overwrites the previous value.
     */
    add(pair, overwrite) {
        let _pair;
        if (isPair(pair))
            _pair = pair;
        else if (!pair || typeof pair !== 'object' || !('key' in pair)) {
            // In TypeScript, this never happens.
            _pair = new Pair(pair, pair?.value);
        }
        else
            _pair = new Pair(pair.key, pair.value);
        const prev = findPair(this.items, _pair.key);
        const sortEntries = this.schema?.sortMapEntries;
        if (prev) {
            if (!overwrite)
                throw new Error(`Key ${_pair.key} already set`);
            // For scalars, keep the old node & its comments and anchors
            if (isScalar(prev.value) && isScalarValue(_pair.value))
                prev.value.value = _pair.value;
            else
                prev.value = _pair.value;
        }
        else if (sortEntries) {
            const i = this.items.findIndex(item => sortEntries(_pair, item) < 0);
            if (i === -1)
                this.items.push(_pair);
            else
                this.items.splice(i, 0, _pair);
        }
        else {
            this.items.push(_pair);
        }
    }
    delete(key) {
        const it = findPair(this.items, key);
        if (!it)
            return false;
        const del = this.items.splice(this.items.indexOf(it), 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const it = findPair(this.items, key);
        const node = it?.value;
        return (!keepScalar && isScalar(node) ? node.value : node) ?? undefined;
    }
    has(key) {
        return !!findPair(this.items, key);
    }
    set(key, value) {
        this.add(new Pair(key, value), true);
    }
    /**
     * @param ctx - Conversion context, originally set in Document#toJS()
     * @param {Class} Type - If set, forces the returned collection type
     * @returns Instance of Type, Map, or Object
     */
    toJSON(_, ctx, Type) {
        const map = Type ? new Type() : ctx?.mapAsMap ? new Map() : {};
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const item of this.items)
            addPairToJSMap(ctx, map, item);
        return map;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        for (const item of this.items) {
            if (!isPair(item))
                throw new Error(`Map items must all be pairs; found ${JSON.stringify(item)} instead`);
        }
        if (!ctx.allNullValues && this.hasAllNullValues(false))
            ctx = Object.assign({}, ctx, { allNullValues: true });
        return stringifyCollection(this, ctx, {
            blockItemPrefix: '',
            flowChars: { start: '{', end: '}' },
            itemIndent: ctx.indent || '',
            onChompKeep,
            onComment
        });
    }
}

const map = {
    collection: 'map',
    default: true,
    nodeClass: YAMLMap,
    tag: 'tag:yaml.org,2002:map',
    resolve(map, onError) {
        if (!isMap(map))
            onError('Expected a mapping for this tag');
        return map;
    },
    createNode: (schema, obj, ctx) => YAMLMap.from(schema, obj, ctx)
};

class YAMLSeq extends Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:seq';
    }
    constructor(schema) {
        super(SEQ, schema);
        this.items = [];
    }
    add(value) {
        this.items.push(value);
    }
    /**
     * Removes a value from the collection.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     *
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return false;
        const del = this.items.splice(idx, 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return undefined;
        const it = this.items[idx];
        return !keepScalar && isScalar(it) ? it.value : it;
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     */
    has(key) {
        const idx = asItemIndex(key);
        return typeof idx === 'number' && idx < this.items.length;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     *
     * If `key` does not contain a representation of an integer, this will throw.
     * It may be wrapped in a `Scalar`.
     */
    set(key, value) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            throw new Error(`Expected a valid index, not ${key}.`);
        const prev = this.items[idx];
        if (isScalar(prev) && isScalarValue(value))
            prev.value = value;
        else
            this.items[idx] = value;
    }
    toJSON(_, ctx) {
        const seq = [];
        if (ctx?.onCreate)
            ctx.onCreate(seq);
        let i = 0;
        for (const item of this.items)
            seq.push(toJS(item, String(i++), ctx));
        return seq;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        return stringifyCollection(this, ctx, {
            blockItemPrefix: '- ',
            flowChars: { start: '[', end: ']' },
            itemIndent: (ctx.indent || '') + '  ',
            onChompKeep,
            onComment
        });
    }
    static from(schema, obj, ctx) {
        const { replacer } = ctx;
        const seq = new this(schema);
        if (obj && Symbol.iterator in Object(obj)) {
            let i = 0;
            for (let it of obj) {
                if (typeof replacer === 'function') {
                    const key = obj instanceof Set ? it : String(i++);
                    it = replacer.call(obj, key, it);
                }
                seq.items.push(createNode(it, undefined, ctx));
            }
        }
        return seq;
    }
}
function asItemIndex(key) {
    let idx = isScalar(key) ? key.value : key;
    if (idx && typeof idx === 'string')
        idx = Number(idx);
    return typeof idx === 'number' && Number.isInteger(idx) && idx >= 0
        ? idx
        : null;
}

const seq = {
    collection: 'seq',
    default: true,
    nodeClass: YAMLSeq,
    tag: 'tag:yaml.org,2002:seq',
    resolve(seq, onError) {
        if (!isSeq(seq))
            onError('Expected a sequence for this tag');
        return seq;
    },
    createNode: (schema, obj, ctx) => YAMLSeq.from(schema, obj, ctx)
};

const string = {
    identify: value => typeof value === 'string',
    default: true,
    tag: 'tag:yaml.org,2002:str',
    resolve: str => str,
    stringify(item, ctx, onComment, onChompKeep) {
        ctx = Object.assign({ actualString: true }, ctx);
        return stringifyString(item, ctx, onComment, onChompKeep);
    }
};

const nullTag = {
    identify: value => value == null,
    createNode: () => new Scalar(null),
    default: true,
    tag: 'tag:yaml.org,2002:null',
    test: /^(?:~|[Nn]ull|NULL)?$/,
    resolve: () => new Scalar(null),
    stringify: ({ source }, ctx) => typeof source === 'string' && nullTag.test.test(source)
        ? source
        : ctx.options.nullStr
};

const boolTag = {
    identify: value => typeof value === 'boolean',
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
    resolve: str => new Scalar(str[0] === 't' || str[0] === 'T'),
    stringify({ source, value }, ctx) {
        if (source && boolTag.test.test(source)) {
            const sv = source[0] === 't' || source[0] === 'T';
            if (value === sv)
                return source;
        }
        return value ? ctx.options.trueStr : ctx.options.falseStr;
    }
};

function stringifyNumber({ format, minFractionDigits, tag, value }) {
    if (typeof value === 'bigint')
        return String(value);
    const num = typeof value === 'number' ? value : Number(value);
    if (!isFinite(num))
        return isNaN(num) ? '.nan' : num < 0 ? '-.inf' : '.inf';
    let n = Object.is(value, -0) ? '-0' : JSON.stringify(value);
    if (!format &&
        minFractionDigits &&
        (!tag || tag === 'tag:yaml.org,2002:float') &&
        /^-?\d/.test(n) &&
        !n.includes('e')) {
        let i = n.indexOf('.');
        if (i < 0) {
            i = n.length;
            n += '.';
        }
        let d = minFractionDigits - (n.length - i - 1);
        while (d-- > 0)
            n += '0';
    }
    return n;
}

const floatNaN$1 = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: str => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber
};
const floatExp$1 = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
    resolve: str => parseFloat(str),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber(node);
    }
};
const float$1 = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
    resolve(str) {
        const node = new Scalar(parseFloat(str));
        const dot = str.indexOf('.');
        if (dot !== -1 && str[str.length - 1] === '0')
            node.minFractionDigits = str.length - dot - 1;
        return node;
    },
    stringify: stringifyNumber
};

const intIdentify$2 = (value) => typeof value === 'bigint' || Number.isInteger(value);
const intResolve$1 = (str, offset, radix, { intAsBigInt }) => (intAsBigInt ? BigInt(str) : parseInt(str.substring(offset), radix));
function intStringify$1(node, radix, prefix) {
    const { value } = node;
    if (intIdentify$2(value) && value >= 0)
        return prefix + value.toString(radix);
    return stringifyNumber(node);
}
const intOct$1 = {
    identify: value => intIdentify$2(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^0o[0-7]+$/,
    resolve: (str, _onError, opt) => intResolve$1(str, 2, 8, opt),
    stringify: node => intStringify$1(node, 8, '0o')
};
const int$1 = {
    identify: intIdentify$2,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9]+$/,
    resolve: (str, _onError, opt) => intResolve$1(str, 0, 10, opt),
    stringify: stringifyNumber
};
const intHex$1 = {
    identify: value => intIdentify$2(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^0x[0-9a-fA-F]+$/,
    resolve: (str, _onError, opt) => intResolve$1(str, 2, 16, opt),
    stringify: node => intStringify$1(node, 16, '0x')
};

const schema$2 = [
    map,
    seq,
    string,
    nullTag,
    boolTag,
    intOct$1,
    int$1,
    intHex$1,
    floatNaN$1,
    floatExp$1,
    float$1
];

function intIdentify$1(value) {
    return typeof value === 'bigint' || Number.isInteger(value);
}
const stringifyJSON = ({ value }) => JSON.stringify(value);
const jsonScalars = [
    {
        identify: value => typeof value === 'string',
        default: true,
        tag: 'tag:yaml.org,2002:str',
        resolve: str => str,
        stringify: stringifyJSON
    },
    {
        identify: value => value == null,
        createNode: () => new Scalar(null),
        default: true,
        tag: 'tag:yaml.org,2002:null',
        test: /^null$/,
        resolve: () => null,
        stringify: stringifyJSON
    },
    {
        identify: value => typeof value === 'boolean',
        default: true,
        tag: 'tag:yaml.org,2002:bool',
        test: /^true$|^false$/,
        resolve: str => str === 'true',
        stringify: stringifyJSON
    },
    {
        identify: intIdentify$1,
        default: true,
        tag: 'tag:yaml.org,2002:int',
        test: /^-?(?:0|[1-9][0-9]*)$/,
        resolve: (str, _onError, { intAsBigInt }) => intAsBigInt ? BigInt(str) : parseInt(str, 10),
        stringify: ({ value }) => intIdentify$1(value) ? value.toString() : JSON.stringify(value)
    },
    {
        identify: value => typeof value === 'number',
        default: true,
        tag: 'tag:yaml.org,2002:float',
        test: /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$/,
        resolve: str => parseFloat(str),
        stringify: stringifyJSON
    }
];
const jsonError = {
    default: true,
    tag: '',
    test: /^/,
    resolve(str, onError) {
        onError(`Unresolved plain scalar ${JSON.stringify(str)}`);
        return str;
    }
};
const schema$1 = [map, seq].concat(jsonScalars, jsonError);

const binary = {
    identify: value => value instanceof Uint8Array, // Buffer inherits from Uint8Array
    default: false,
    tag: 'tag:yaml.org,2002:binary',
    /**
     * Returns a Buffer in node and an Uint8Array in browsers
     *
     * To use the resulting buffer as an image, you'll want to do something like:
     *
     *   const blob = new Blob([buffer], { type: 'image/jpeg' })
     *   document.querySelector('#photo').src = URL.createObjectURL(blob)
     */
    resolve(src, onError) {
        if (typeof atob === 'function') {
            // On IE 11, atob() can't handle newlines
            const str = atob(src.replace(/[\n\r]/g, ''));
            const buffer = new Uint8Array(str.length);
            for (let i = 0; i < str.length; ++i)
                buffer[i] = str.charCodeAt(i);
            return buffer;
        }
        else {
            onError('This environment does not support reading binary tags; either Buffer or atob is required');
            return src;
        }
    },
    stringify({ comment, type, value }, ctx, onComment, onChompKeep) {
        if (!value)
            return '';
        const buf = value; // checked earlier by binary.identify()
        let str;
        if (typeof btoa === 'function') {
            let s = '';
            for (let i = 0; i < buf.length; ++i)
                s += String.fromCharCode(buf[i]);
            str = btoa(s);
        }
        else {
            throw new Error('This environment does not support writing binary tags; either Buffer or btoa is required');
        }
        type ?? (type = Scalar.BLOCK_LITERAL);
        if (type !== Scalar.QUOTE_DOUBLE) {
            const lineWidth = Math.max(ctx.options.lineWidth - ctx.indent.length, ctx.options.minContentWidth);
            const n = Math.ceil(str.length / lineWidth);
            const lines = new Array(n);
            for (let i = 0, o = 0; i < n; ++i, o += lineWidth) {
                lines[i] = str.substr(o, lineWidth);
            }
            str = lines.join(type === Scalar.BLOCK_LITERAL ? '\n' : ' ');
        }
        return stringifyString({ comment, type, value: str }, ctx, onComment, onChompKeep);
    }
};

function resolvePairs(seq, onError) {
    if (isSeq(seq)) {
        for (let i = 0; i < seq.items.length; ++i) {
            let item = seq.items[i];
            if (isPair(item))
                continue;
            else if (isMap(item)) {
                if (item.items.length > 1)
                    onError('Each pair must have its own sequence indicator');
                const pair = item.items[0] || new Pair(new Scalar(null));
                if (item.commentBefore)
                    pair.key.commentBefore = pair.key.commentBefore
                        ? `${item.commentBefore}\n${pair.key.commentBefore}`
                        : item.commentBefore;
                if (item.comment) {
                    const cn = pair.value ?? pair.key;
                    cn.comment = cn.comment
                        ? `${item.comment}\n${cn.comment}`
                        : item.comment;
                }
                item = pair;
            }
            seq.items[i] = isPair(item) ? item : new Pair(item);
        }
    }
    else
        onError('Expected a sequence for this tag');
    return seq;
}
function createPairs(schema, iterable, ctx) {
    const { replacer } = ctx;
    const pairs = new YAMLSeq(schema);
    pairs.tag = 'tag:yaml.org,2002:pairs';
    let i = 0;
    if (iterable && Symbol.iterator in Object(iterable))
        for (let it of iterable) {
            if (typeof replacer === 'function')
                it = replacer.call(iterable, String(i++), it);
            let key, value;
            if (Array.isArray(it)) {
                if (it.length === 2) {
                    key = it[0];
                    value = it[1];
                }
                else
                    throw new TypeError(`Expected [key, value] tuple: ${it}`);
            }
            else if (it && it instanceof Object) {
                const keys = Object.keys(it);
                if (keys.length === 1) {
                    key = keys[0];
                    value = it[key];
                }
                else {
                    throw new TypeError(`Expected tuple with one key, not ${keys.length} keys`);
                }
            }
            else {
                key = it;
            }
            pairs.items.push(createPair(key, value, ctx));
        }
    return pairs;
}
const pairs = {
    collection: 'seq',
    default: false,
    tag: 'tag:yaml.org,2002:pairs',
    resolve: resolvePairs,
    createNode: createPairs
};

class YAMLOMap extends YAMLSeq {
    constructor() {
        super();
        this.add = YAMLMap.prototype.add.bind(this);
        this.delete = YAMLMap.prototype.delete.bind(this);
        this.get = YAMLMap.prototype.get.bind(this);
        this.has = YAMLMap.prototype.has.bind(this);
        this.set = YAMLMap.prototype.set.bind(this);
        this.tag = YAMLOMap.tag;
    }
    /**
     * If `ctx` is given, the return type is actually `Map<unknown, unknown>`,
     * but TypeScript won't allow widening the signature of a child method.
     */
    toJSON(_, ctx) {
        if (!ctx)
            return super.toJSON(_);
        const map = new Map();
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const pair of this.items) {
            let key, value;
            if (isPair(pair)) {
                key = toJS(pair.key, '', ctx);
                value = toJS(pair.value, key, ctx);
            }
            else {
                key = toJS(pair, '', ctx);
            }
            if (map.has(key))
                throw new Error('Ordered maps must not include duplicate keys');
            map.set(key, value);
        }
        return map;
    }
    static from(schema, iterable, ctx) {
        const pairs = createPairs(schema, iterable, ctx);
        const omap = new this();
        omap.items = pairs.items;
        return omap;
    }
}
YAMLOMap.tag = 'tag:yaml.org,2002:omap';
const omap = {
    collection: 'seq',
    identify: value => value instanceof Map,
    nodeClass: YAMLOMap,
    default: false,
    tag: 'tag:yaml.org,2002:omap',
    resolve(seq, onError) {
        const pairs = resolvePairs(seq, onError);
        const seenKeys = [];
        for (const { key } of pairs.items) {
            if (isScalar(key)) {
                if (seenKeys.includes(key.value)) {
                    onError(`Ordered maps must not include duplicate keys: ${key.value}`);
                }
                else {
                    seenKeys.push(key.value);
                }
            }
        }
        return Object.assign(new YAMLOMap(), pairs);
    },
    createNode: (schema, iterable, ctx) => YAMLOMap.from(schema, iterable, ctx)
};

function boolStringify({ value, source }, ctx) {
    const boolObj = value ? trueTag : falseTag;
    if (source && boolObj.test.test(source))
        return source;
    return value ? ctx.options.trueStr : ctx.options.falseStr;
}
const trueTag = {
    identify: value => value === true,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
    resolve: () => new Scalar(true),
    stringify: boolStringify
};
const falseTag = {
    identify: value => value === false,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
    resolve: () => new Scalar(false),
    stringify: boolStringify
};

const floatNaN = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: (str) => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber
};
const floatExp = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
    resolve: (str) => parseFloat(str.replace(/_/g, '')),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber(node);
    }
};
const float = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
    resolve(str) {
        const node = new Scalar(parseFloat(str.replace(/_/g, '')));
        const dot = str.indexOf('.');
        if (dot !== -1) {
            const f = str.substring(dot + 1).replace(/_/g, '');
            if (f[f.length - 1] === '0')
                node.minFractionDigits = f.length;
        }
        return node;
    },
    stringify: stringifyNumber
};

const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
function intResolve(str, offset, radix, { intAsBigInt }) {
    const sign = str[0];
    if (sign === '-' || sign === '+')
        offset += 1;
    str = str.substring(offset).replace(/_/g, '');
    if (intAsBigInt) {
        switch (radix) {
            case 2:
                str = `0b${str}`;
                break;
            case 8:
                str = `0o${str}`;
                break;
            case 16:
                str = `0x${str}`;
                break;
        }
        const n = BigInt(str);
        return sign === '-' ? BigInt(-1) * n : n;
    }
    const n = parseInt(str, radix);
    return sign === '-' ? -1 * n : n;
}
function intStringify(node, radix, prefix) {
    const { value } = node;
    if (intIdentify(value)) {
        const str = value.toString(radix);
        return value < 0 ? '-' + prefix + str.substr(1) : prefix + str;
    }
    return stringifyNumber(node);
}
const intBin = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'BIN',
    test: /^[-+]?0b[0-1_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 2, opt),
    stringify: node => intStringify(node, 2, '0b')
};
const intOct = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^[-+]?0[0-7_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 1, 8, opt),
    stringify: node => intStringify(node, 8, '0')
};
const int = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9][0-9_]*$/,
    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
    stringify: stringifyNumber
};
const intHex = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^[-+]?0x[0-9a-fA-F_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
    stringify: node => intStringify(node, 16, '0x')
};

class YAMLSet extends YAMLMap {
    constructor(schema) {
        super(schema);
        this.tag = YAMLSet.tag;
    }
    add(key) {
        let pair;
        if (isPair(key))
            pair = key;
        else if (key &&
            typeof key === 'object' &&
            'key' in key &&
            'value' in key &&
            key.value === null)
            pair = new Pair(key.key, null);
        else
            pair = new Pair(key, null);
        const prev = findPair(this.items, pair.key);
        if (!prev)
            this.items.push(pair);
    }
    /**
     * If `keepPair` is `true`, returns the Pair matching `key`.
     * Otherwise, returns the value of that Pair's key.
     */
    get(key, keepPair) {
        const pair = findPair(this.items, key);
        return !keepPair && isPair(pair)
            ? isScalar(pair.key)
                ? pair.key.value
                : pair.key
            : pair;
    }
    set(key, value) {
        if (typeof value !== 'boolean')
            throw new Error(`Expected boolean value for set(key, value) in a YAML set, not ${typeof value}`);
        const prev = findPair(this.items, key);
        if (prev && !value) {
            this.items.splice(this.items.indexOf(prev), 1);
        }
        else if (!prev && value) {
            this.items.push(new Pair(key));
        }
    }
    toJSON(_, ctx) {
        return super.toJSON(_, ctx, Set);
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        if (this.hasAllNullValues(true))
            return super.toString(Object.assign({}, ctx, { allNullValues: true }), onComment, onChompKeep);
        else
            throw new Error('Set items must all have null values');
    }
    static from(schema, iterable, ctx) {
        const { replacer } = ctx;
        const set = new this(schema);
        if (iterable && Symbol.iterator in Object(iterable))
            for (let value of iterable) {
                if (typeof replacer === 'function')
                    value = replacer.call(iterable, value, value);
                set.items.push(createPair(value, null, ctx));
            }
        return set;
    }
}
YAMLSet.tag = 'tag:yaml.org,2002:set';
const set = {
    collection: 'map',
    identify: value => value instanceof Set,
    nodeClass: YAMLSet,
    default: false,
    tag: 'tag:yaml.org,2002:set',
    createNode: (schema, iterable, ctx) => YAMLSet.from(schema, iterable, ctx),
    resolve(map, onError) {
        if (isMap(map)) {
            if (map.hasAllNullValues(true))
                return Object.assign(new YAMLSet(), map);
            else
                onError('Set items must all have null values');
        }
        else
            onError('Expected a mapping for this tag');
        return map;
    }
};

/** Internal types handle bigint as number, because TS can't figure it out. */
function parseSexagesimal(str, asBigInt) {
    const sign = str[0];
    const parts = sign === '-' || sign === '+' ? str.substring(1) : str;
    const num = (n) => asBigInt ? BigInt(n) : Number(n);
    const res = parts
        .replace(/_/g, '')
        .split(':')
        .reduce((res, p) => res * num(60) + num(p), num(0));
    return (sign === '-' ? num(-1) * res : res);
}
/**
 * hhhh:mm:ss.sss
 *
 * Internal types handle bigint as number, because TS can't figure it out.
 */
function stringifySexagesimal(node) {
    let { value } = node;
    let num = (n) => n;
    if (typeof value === 'bigint')
        num = n => BigInt(n);
    else if (isNaN(value) || !isFinite(value))
        return stringifyNumber(node);
    let sign = '';
    if (value < 0) {
        sign = '-';
        value *= num(-1);
    }
    const _60 = num(60);
    const parts = [value % _60]; // seconds, including ms
    if (value < 60) {
        parts.unshift(0); // at least one : is required
    }
    else {
        value = (value - parts[0]) / _60;
        parts.unshift(value % _60); // minutes
        if (value >= 60) {
            value = (value - parts[0]) / _60;
            parts.unshift(value); // hours
        }
    }
    return (sign +
        parts
            .map(n => String(n).padStart(2, '0'))
            .join(':')
            .replace(/000000\d*$/, '') // % 60 may introduce error
    );
}
const intTime = {
    identify: value => typeof value === 'bigint' || Number.isInteger(value),
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
    resolve: (str, _onError, { intAsBigInt }) => parseSexagesimal(str, intAsBigInt),
    stringify: stringifySexagesimal
};
const floatTime = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
    resolve: str => parseSexagesimal(str, false),
    stringify: stringifySexagesimal
};
const timestamp = {
    identify: value => value instanceof Date,
    default: true,
    tag: 'tag:yaml.org,2002:timestamp',
    // If the time zone is omitted, the timestamp is assumed to be specified in UTC. The time part
    // may be omitted altogether, resulting in a date format. In such a case, the time part is
    // assumed to be 00:00:00Z (start of day, UTC).
    test: RegExp('^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})' + // YYYY-Mm-Dd
        '(?:' + // time is optional
        '(?:t|T|[ \\t]+)' + // t | T | whitespace
        '([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)' + // Hh:Mm:Ss(.ss)?
        '(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?' + // Z | +5 | -03:30
        ')?$'),
    resolve(str) {
        const match = str.match(timestamp.test);
        if (!match)
            throw new Error('!!timestamp expects a date, starting with yyyy-mm-dd');
        const [, year, month, day, hour, minute, second] = match.map(Number);
        const millisec = match[7] ? Number((match[7] + '00').substr(1, 3)) : 0;
        let date = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, millisec);
        const tz = match[8];
        if (tz && tz !== 'Z') {
            let d = parseSexagesimal(tz, false);
            if (Math.abs(d) < 30)
                d *= 60;
            date -= 60000 * d;
        }
        return new Date(date);
    },
    stringify: ({ value }) => value?.toISOString().replace(/(T00:00:00)?\.000Z$/, '') ?? ''
};

const schema = [
    map,
    seq,
    string,
    nullTag,
    trueTag,
    falseTag,
    intBin,
    intOct,
    int,
    intHex,
    floatNaN,
    floatExp,
    float,
    binary,
    merge,
    omap,
    pairs,
    set,
    intTime,
    floatTime,
    timestamp
];

const schemas = new Map([
    ['core', schema$2],
    ['failsafe', [map, seq, string]],
    ['json', schema$1],
    ['yaml11', schema],
    ['yaml-1.1', schema]
]);
const tagsByName = {
    binary,
    bool: boolTag,
    float: float$1,
    floatExp: floatExp$1,
    floatNaN: floatNaN$1,
    floatTime,
    int: int$1,
    intHex: intHex$1,
    intOct: intOct$1,
    intTime,
    map,
    merge,
    null: nullTag,
    omap,
    pairs,
    seq,
    set,
    timestamp
};
const coreKnownTags = {
    'tag:yaml.org,2002:binary': binary,
    'tag:yaml.org,2002:merge': merge,
    'tag:yaml.org,2002:omap': omap,
    'tag:yaml.org,2002:pairs': pairs,
    'tag:yaml.org,2002:set': set,
    'tag:yaml.org,2002:timestamp': timestamp
};
function getTags(customTags, schemaName, addMergeTag) {
    const schemaTags = schemas.get(schemaName);
    if (schemaTags && !customTags) {
        return addMergeTag && !schemaTags.includes(merge)
            ? schemaTags.concat(merge)
            : schemaTags.slice();
    }
    let tags = schemaTags;
    if (!tags) {
        if (Array.isArray(customTags))
            tags = [];
        else {
            const keys = Array.from(schemas.keys())
                .filter(key => key !== 'yaml11')
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown schema "${schemaName}"; use one of ${keys} or define customTags array`);
        }
    }
    if (Array.isArray(customTags)) {
        for (const tag of customTags)
            tags = tags.concat(tag);
    }
    else if (typeof customTags === 'function') {
        tags = customTags(tags.slice());
    }
    if (addMergeTag)
        tags = tags.concat(merge);
    return tags.reduce((tags, tag) => {
        const tagObj = typeof tag === 'string' ? tagsByName[tag] : tag;
        if (!tagObj) {
            const tagName = JSON.stringify(tag);
            const keys = Object.keys(tagsByName)
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown custom tag ${tagName}; use one of ${keys}`);
        }
        if (!tags.includes(tagObj))
            tags.push(tagObj);
        return tags;
    }, []);
}

const sortMapEntriesByKey = (a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
class Schema {
    constructor({ compat, customTags, merge, resolveKnownTags, schema, sortMapEntries, toStringDefaults }) {
        this.compat = Array.isArray(compat)
            ? getTags(compat, 'compat')
            : compat
                ? getTags(null, compat)
                : null;
        this.name = (typeof schema === 'string' && schema) || 'core';
        this.knownTags = resolveKnownTags ? coreKnownTags : {};
        this.tags = getTags(customTags, this.name, merge);
        this.toStringOptions = toStringDefaults ?? null;
        Object.defineProperty(this, MAP, { value: map });
        Object.defineProperty(this, SCALAR$1, { value: string });
        Object.defineProperty(this, SEQ, { value: seq });
        // Used by createMap()
        this.sortMapEntries =
            typeof sortMapEntries === 'function'
                ? sortMapEntries
                : sortMapEntries === true
                    ? sortMapEntriesByKey
                    : null;
    }
    clone() {
        const copy = Object.create(Schema.prototype, Object.getOwnPropertyDescriptors(this));
        copy.tags = this.tags.slice();
        return copy;
    }
}

function stringifyDocument(doc, options) {
    const lines = [];
    let hasDirectives = options.directives === true;
    if (options.directives !== false && doc.directives) {
        const dir = doc.directives.toString(doc);
        if (dir) {
            lines.push(dir);
            hasDirectives = true;
        }
        else if (doc.directives.docStart)
            hasDirectives = true;
    }
    if (hasDirectives)
        lines.push('---');
    const ctx = createStringifyContext(doc, options);
    const { commentString } = ctx.options;
    if (doc.commentBefore) {
        if (lines.length !== 1)
            lines.unshift('');
        const cs = commentString(doc.commentBefore);
        lines.unshift(indentComment(cs, ''));
    }
    let chompKeep = false;
    let contentComment = null;
    if (doc.contents) {
        if (isNode(doc.contents)) {
            if (doc.contents.spaceBefore && hasDirectives)
                lines.push('');
            if (doc.contents.commentBefore) {
                const cs = commentString(doc.contents.commentBefore);
                lines.push(indentComment(cs, ''));
            }
            // top-level block scalars need to be indented if followed by a comment
            ctx.forceBlockIndent = !!doc.comment;
            contentComment = doc.contents.comment;
        }
        const onChompKeep = contentComment ? undefined : () => (chompKeep = true);
        let body = stringify$1(doc.contents, ctx, () => (contentComment = null), onChompKeep);
        if (contentComment)
            body += lineComment(body, '', commentString(contentComment));
        if ((body[0] === '|' || body[0] === '>') &&
            lines[lines.length - 1] === '---') {
            // Top-level block scalars with a preceding doc marker ought to use the
            // same line for their header.
            lines[lines.length - 1] = `--- ${body}`;
        }
        else
            lines.push(body);
    }
    else {
        lines.push(stringify$1(doc.contents, ctx));
    }
    if (doc.directives?.docEnd) {
        if (doc.comment) {
            const cs = commentString(doc.comment);
            if (cs.includes('\n')) {
                lines.push('...');
                lines.push(indentComment(cs, ''));
            }
            else {
                lines.push(`... ${cs}`);
            }
        }
        else {
            lines.push('...');
        }
    }
    else {
        let dc = doc.comment;
        if (dc && chompKeep)
            dc = dc.replace(/^\n+/, '');
        if (dc) {
            if ((!chompKeep || contentComment) && lines[lines.length - 1] !== '')
                lines.push('');
            lines.push(indentComment(commentString(dc), ''));
        }
    }
    return lines.join('\n') + '\n';
}

class Document {
    constructor(value, replacer, options) {
        /** A comment before this Document */
        this.commentBefore = null;
        /** A comment immediately after this Document */
        this.comment = null;
        /** Errors encountered during parsing. */
        this.errors = [];
        /** Warnings encountered during parsing. */
        this.warnings = [];
        Object.defineProperty(this, NODE_TYPE, { value: DOC });
        let _replacer = null;
        if (typeof replacer === 'function' || Array.isArray(replacer)) {
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const opt = Object.assign({
            intAsBigInt: false,
            keepSourceTokens: false,
            logLevel: 'warn',
            prettyErrors: true,
            strict: true,
            stringKeys: false,
            uniqueKeys: true,
            version: '1.2'
        }, options);
        this.options = opt;
        let { version } = opt;
        if (options?._directives) {
            this.directives = options._directives.atDocument();
            if (this.directives.yaml.explicit)
                version = this.directives.yaml.version;
        }
        else
            this.directives = new Directives({ version });
        this.setSchema(version, options);
        // @ts-expect-error We can't really know that this matches Contents.
        this.contents =
            value === undefined ? null : this.createNode(value, _replacer, options);
    }
    /**
     * Create a deep copy of this Document and its contents.
     *
     * Custom Node values that inherit from `Object` still refer to their original instances.
     */
    clone() {
        const copy = Object.create(Document.prototype, {
            [NODE_TYPE]: { value: DOC }
        });
        copy.commentBefore = this.commentBefore;
        copy.comment = this.comment;
        copy.errors = this.errors.slice();
        copy.warnings = this.warnings.slice();
        copy.options = Object.assign({}, this.options);
        if (this.directives)
            copy.directives = this.directives.clone();
        copy.schema = this.schema.clone();
        // @ts-expect-error We can't really know that this matches Contents.
        copy.contents = isNode(this.contents)
            ? this.contents.clone(copy.schema)
            : this.contents;
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** Adds a value to the document. */
    add(value) {
        if (assertCollection(this.contents))
            this.contents.add(value);
    }
    /** Adds a value to the document. */
    addIn(path, value) {
        if (assertCollection(this.contents))
            this.contents.addIn(path, value);
    }
    /**
     * Create a new `Alias` node, ensuring that the target `node` has the required anchor.
     *
     * If `node` already has an anchor, `name` is ignored.
     * Otherwise, the `node.anchor` value will be set to `name`,
     * or if an anchor with that name is already present in the document,
     * `name` will be used as a prefix for a new unique anchor.
     * If `name` is undefined, the generated anchor will use 'a' as a prefix.
     */
    createAlias(node, name) {
        if (!node.anchor) {
            const prev = anchorNames(this);
            node.anchor =
                // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
                !name || prev.has(name) ? findNewAnchor(name || 'a', prev) : name;
        }
        return new Alias(node.anchor);
    }
    createNode(value, replacer, options) {
        let _replacer = undefined;
        if (typeof replacer === 'function') {
            value = replacer.call({ '': value }, '', value);
            _replacer = replacer;
        }
        else if (Array.isArray(replacer)) {
            const keyToStr = (v) => typeof v === 'number' || v instanceof String || v instanceof Number;
            const asStr = replacer.filter(keyToStr).map(String);
            if (asStr.length > 0)
                replacer = replacer.concat(asStr);
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const { aliasDuplicateObjects, anchorPrefix, flow, keepUndefined, onTagObj, tag } = options ?? {};
        const { onAnchor, setAnchors, sourceObjects } = createNodeAnchors(this, 
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        anchorPrefix || 'a');
        const ctx = {
            aliasDuplicateObjects: aliasDuplicateObjects ?? true,
            keepUndefined: keepUndefined ?? false,
            onAnchor,
            onTagObj,
            replacer: _replacer,
            schema: this.schema,
            sourceObjects
        };
        const node = createNode(value, tag, ctx);
        if (flow && isCollection(node))
            node.flow = true;
        setAnchors();
        return node;
    }
    /**
     * Convert a key and a value into a `Pair` using the current schema,
     * recursively wrapping all values as `Scalar` or `Collection` nodes.
     */
    createPair(key, value, options = {}) {
        const k = this.createNode(key, null, options);
        const v = this.createNode(value, null, options);
        return new Pair(k, v);
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        return assertCollection(this.contents) ? this.contents.delete(key) : false;
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        if (isEmptyPath(path)) {
            if (this.contents == null)
                return false;
            // @ts-expect-error Presumed impossible if Strict extends false
            this.contents = null;
            return true;
        }
        return assertCollection(this.contents)
            ? this.contents.deleteIn(path)
            : false;
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    get(key, keepScalar) {
        return isCollection(this.contents)
            ? this.contents.get(key, keepScalar)
            : undefined;
    }
    /**
     * Returns item at `path`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        if (isEmptyPath(path))
            return !keepScalar && isScalar(this.contents)
                ? this.contents.value
                : this.contents;
        return isCollection(this.contents)
            ? this.contents.getIn(path, keepScalar)
            : undefined;
    }
    /**
     * Checks if the document includes a value with the key `key`.
     */
    has(key) {
        return isCollection(this.contents) ? this.contents.has(key) : false;
    }
    /**
     * Checks if the document includes a value at `path`.
     */
    hasIn(path) {
        if (isEmptyPath(path))
            return this.contents !== undefined;
        return isCollection(this.contents) ? this.contents.hasIn(path) : false;
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    set(key, value) {
        if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = collectionFromPath(this.schema, [key], value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.set(key, value);
        }
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        if (isEmptyPath(path)) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = value;
        }
        else if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = collectionFromPath(this.schema, Array.from(path), value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.setIn(path, value);
        }
    }
    /**
     * Change the YAML version and schema used by the document.
     * A `null` version disables support for directives, explicit tags, anchors, and aliases.
     * It also requires the `schema` option to be given as a `Schema` instance value.
     *
     * Overrides all previously set schema options.
     */
    setSchema(version, options = {}) {
        if (typeof version === 'number')
            version = String(version);
        let opt;
        switch (version) {
            case '1.1':
                if (this.directives)
                    this.directives.yaml.version = '1.1';
                else
                    this.directives = new Directives({ version: '1.1' });
                opt = { resolveKnownTags: false, schema: 'yaml-1.1' };
                break;
            case '1.2':
            case 'next':
                if (this.directives)
                    this.directives.yaml.version = version;
                else
                    this.directives = new Directives({ version });
                opt = { resolveKnownTags: true, schema: 'core' };
                break;
            case null:
                if (this.directives)
                    delete this.directives;
                opt = null;
                break;
            default: {
                const sv = JSON.stringify(version);
                throw new Error(`Expected '1.1', '1.2' or null as first argument, but found: ${sv}`);
            }
        }
        // Not using `instanceof Schema` to allow for duck typing
        if (options.schema instanceof Object)
            this.schema = options.schema;
        else if (opt)
            this.schema = new Schema(Object.assign(opt, options));
        else
            throw new Error(`With a null YAML version, the { schema: Schema } option is required`);
    }
    // json & jsonArg are only used from toJSON()
    toJS({ json, jsonArg, mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        const ctx = {
            anchors: new Map(),
            doc: this,
            keep: !json,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS(this.contents, jsonArg ?? '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver(reviver, { '': res }, '', res)
            : res;
    }
    /**
     * A JSON representation of the document `contents`.
     *
     * @param jsonArg Used by `JSON.stringify` to indicate the array index or
     *   property name.
     */
    toJSON(jsonArg, onAnchor) {
        return this.toJS({ json: true, jsonArg, mapAsMap: false, onAnchor });
    }
    /** A YAML representation of the document. */
    toString(options = {}) {
        if (this.errors.length > 0)
            throw new Error('Document with errors cannot be stringified');
        if ('indent' in options &&
            (!Number.isInteger(options.indent) || Number(options.indent) <= 0)) {
            const s = JSON.stringify(options.indent);
            throw new Error(`"indent" option must be a positive integer, not ${s}`);
        }
        return stringifyDocument(this, options);
    }
}
function assertCollection(contents) {
    if (isCollection(contents))
        return true;
    throw new Error('Expected a YAML collection as document contents');
}

class YAMLError extends Error {
    constructor(name, pos, code, message) {
        super();
        this.name = name;
        this.code = code;
        this.message = message;
        this.pos = pos;
    }
}
class YAMLParseError extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLParseError', pos, code, message);
    }
}
class YAMLWarning extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLWarning', pos, code, message);
    }
}
const prettifyError = (src, lc) => (error) => {
    if (error.pos[0] === -1)
        return;
    error.linePos = error.pos.map(pos => lc.linePos(pos));
    const { line, col } = error.linePos[0];
    error.message += ` at line ${line}, column ${col}`;
    let ci = col - 1;
    let lineStr = src
        .substring(lc.lineStarts[line - 1], lc.lineStarts[line])
        .replace(/[\n\r]+$/, '');
    // Trim to max 80 chars, keeping col position near the middle
    if (ci >= 60 && lineStr.length > 80) {
        const trimStart = Math.min(ci - 39, lineStr.length - 79);
        lineStr = '…' + lineStr.substring(trimStart);
        ci -= trimStart - 1;
    }
    if (lineStr.length > 80)
        lineStr = lineStr.substring(0, 79) + '…';
    // Include previous line in context if pointing at line start
    if (line > 1 && /^ *$/.test(lineStr.substring(0, ci))) {
        // Regexp won't match if start is trimmed
        let prev = src.substring(lc.lineStarts[line - 2], lc.lineStarts[line - 1]);
        if (prev.length > 80)
            prev = prev.substring(0, 79) + '…\n';
        lineStr = prev + lineStr;
    }
    if (/[^ ]/.test(lineStr)) {
        let count = 1;
        const end = error.linePos[1];
        if (end?.line === line && end.col > col) {
            count = Math.max(1, Math.min(end.col - col, 80 - ci));
        }
        const pointer = ' '.repeat(ci) + '^'.repeat(count);
        error.message += `:\n\n${lineStr}\n${pointer}\n`;
    }
};

function resolveProps(tokens, { flow, indicator, next, offset, onError, parentIndent, startOnNewline }) {
    let spaceBefore = false;
    let atNewline = startOnNewline;
    let hasSpace = startOnNewline;
    let comment = '';
    let commentSep = '';
    let hasNewline = false;
    let reqSpace = false;
    let tab = null;
    let anchor = null;
    let tag = null;
    let newlineAfterProp = null;
    let comma = null;
    let found = null;
    let start = null;
    for (const token of tokens) {
        if (reqSpace) {
            if (token.type !== 'space' &&
                token.type !== 'newline' &&
                token.type !== 'comma')
                onError(token.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
            reqSpace = false;
        }
        if (tab) {
            if (atNewline && token.type !== 'comment' && token.type !== 'newline') {
                onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
            }
            tab = null;
        }
        switch (token.type) {
            case 'space':
                // At the doc level, tabs at line start may be parsed
                // as leading white space rather than indentation.
                // In a flow collection, only the parser handles indent.
                if (!flow &&
                    (indicator !== 'doc-start' || next?.type !== 'flow-collection') &&
                    token.source.includes('\t')) {
                    tab = token;
                }
                hasSpace = true;
                break;
            case 'comment': {
                if (!hasSpace)
                    onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                const cb = token.source.substring(1) || ' ';
                if (!comment)
                    comment = cb;
                else
                    comment += commentSep + cb;
                commentSep = '';
                atNewline = false;
                break;
            }
            case 'newline':
                if (atNewline) {
                    if (comment)
                        comment += token.source;
                    else if (!found || indicator !== 'seq-item-ind')
                        spaceBefore = true;
                }
                else
                    commentSep += token.source;
                atNewline = true;
                hasNewline = true;
                if (anchor || tag)
                    newlineAfterProp = token;
                hasSpace = true;
                break;
            case 'anchor':
                if (anchor)
                    onError(token, 'MULTIPLE_ANCHORS', 'A node can have at most one anchor');
                if (token.source.endsWith(':'))
                    onError(token.offset + token.source.length - 1, 'BAD_ALIAS', 'Anchor ending in : is ambiguous', true);
                anchor = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            case 'tag': {
                if (tag)
                    onError(token, 'MULTIPLE_TAGS', 'A node can have at most one tag');
                tag = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            }
            case indicator:
                // Could here handle preceding comments differently
                if (anchor || tag)
                    onError(token, 'BAD_PROP_ORDER', `Anchors and tags must be after the ${token.source} indicator`);
                if (found)
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.source} in ${flow ?? 'collection'}`);
                found = token;
                atNewline =
                    indicator === 'seq-item-ind' || indicator === 'explicit-key-ind';
                hasSpace = false;
                break;
            case 'comma':
                if (flow) {
                    if (comma)
                        onError(token, 'UNEXPECTED_TOKEN', `Unexpected , in ${flow}`);
                    comma = token;
                    atNewline = false;
                    hasSpace = false;
                    break;
                }
            // else fallthrough
            default:
                onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.type} token`);
                atNewline = false;
                hasSpace = false;
        }
    }
    const last = tokens[tokens.length - 1];
    const end = last ? last.offset + last.source.length : offset;
    if (reqSpace &&
        next &&
        next.type !== 'space' &&
        next.type !== 'newline' &&
        next.type !== 'comma' &&
        (next.type !== 'scalar' || next.source !== '')) {
        onError(next.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
    }
    if (tab &&
        ((atNewline && tab.indent <= parentIndent) ||
            next?.type === 'block-map' ||
            next?.type === 'block-seq'))
        onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
    return {
        comma,
        found,
        spaceBefore,
        comment,
        hasNewline,
        anchor,
        tag,
        newlineAfterProp,
        end,
        start: start ?? end
    };
}

function containsNewline(key) {
    if (!key)
        return null;
    switch (key.type) {
        case 'alias':
        case 'scalar':
        case 'double-quoted-scalar':
        case 'single-quoted-scalar':
            if (key.source.includes('\n'))
                return true;
            if (key.end)
                for (const st of key.end)
                    if (st.type === 'newline')
                        return true;
            return false;
        case 'flow-collection':
            for (const it of key.items) {
                for (const st of it.start)
                    if (st.type === 'newline')
                        return true;
                if (it.sep)
                    for (const st of it.sep)
                        if (st.type === 'newline')
                            return true;
                if (containsNewline(it.key) || containsNewline(it.value))
                    return true;
            }
            return false;
        default:
            return true;
    }
}

function flowIndentCheck(indent, fc, onError) {
    if (fc?.type === 'flow-collection') {
        const end = fc.end[0];
        if (end.indent === indent &&
            (end.source === ']' || end.source === '}') &&
            containsNewline(fc)) {
            const msg = 'Flow end indicator should be more indented than parent';
            onError(end, 'BAD_INDENT', msg, true);
        }
    }
}

function mapIncludes(ctx, items, search) {
    const { uniqueKeys } = ctx.options;
    if (uniqueKeys === false)
        return false;
    const isEqual = typeof uniqueKeys === 'function'
        ? uniqueKeys
        : (a, b) => a === b || (isScalar(a) && isScalar(b) && a.value === b.value);
    return items.some(pair => isEqual(pair.key, search));
}

const startColMsg = 'All mapping items must start at the same column';
function resolveBlockMap({ composeNode, composeEmptyNode }, ctx, bm, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLMap;
    const map = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    let offset = bm.offset;
    let commentEnd = null;
    for (const collItem of bm.items) {
        const { start, key, sep, value } = collItem;
        // key properties
        const keyProps = resolveProps(start, {
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: bm.indent,
            startOnNewline: true
        });
        const implicitKey = !keyProps.found;
        if (implicitKey) {
            if (key) {
                if (key.type === 'block-seq')
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'A block sequence may not be used as an implicit map key');
                else if ('indent' in key && key.indent !== bm.indent)
                    onError(offset, 'BAD_INDENT', startColMsg);
            }
            if (!keyProps.anchor && !keyProps.tag && !sep) {
                commentEnd = keyProps.end;
                if (keyProps.comment) {
                    if (map.comment)
                        map.comment += '\n' + keyProps.comment;
                    else
                        map.comment = keyProps.comment;
                }
                continue;
            }
            if (keyProps.newlineAfterProp || containsNewline(key)) {
                onError(key ?? start[start.length - 1], 'MULTILINE_IMPLICIT_KEY', 'Implicit keys need to be on a single line');
            }
        }
        else if (keyProps.found?.indent !== bm.indent) {
            onError(offset, 'BAD_INDENT', startColMsg);
        }
        // key value
        ctx.atKey = true;
        const keyStart = keyProps.end;
        const keyNode = key
            ? composeNode(ctx, key, keyProps, onError)
            : composeEmptyNode(ctx, keyStart, start, null, keyProps, onError);
        if (ctx.schema.compat)
            flowIndentCheck(bm.indent, key, onError);
        ctx.atKey = false;
        if (mapIncludes(ctx, map.items, keyNode))
            onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
        // value properties
        const valueProps = resolveProps(sep ?? [], {
            indicator: 'map-value-ind',
            next: value,
            offset: keyNode.range[2],
            onError,
            parentIndent: bm.indent,
            startOnNewline: !key || key.type === 'block-scalar'
        });
        offset = valueProps.end;
        if (valueProps.found) {
            if (implicitKey) {
                if (value?.type === 'block-map' && !valueProps.hasNewline)
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'Nested mappings are not allowed in compact mappings');
                if (ctx.options.strict &&
                    keyProps.start < valueProps.found.offset - 1024)
                    onError(keyNode.range, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit block mapping key');
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : composeEmptyNode(ctx, offset, sep, null, valueProps, onError);
            if (ctx.schema.compat)
                flowIndentCheck(bm.indent, value, onError);
            offset = valueNode.range[2];
            const pair = new Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
        else {
            // key with no value
            if (implicitKey)
                onError(keyNode.range, 'MISSING_CHAR', 'Implicit map keys need to be followed by map values');
            if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair(keyNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
    }
    if (commentEnd && commentEnd < offset)
        onError(commentEnd, 'IMPOSSIBLE', 'Map comment with trailing content');
    map.range = [bm.offset, offset, commentEnd ?? offset];
    return map;
}

function resolveBlockSeq({ composeNode, composeEmptyNode }, ctx, bs, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLSeq;
    const seq = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = bs.offset;
    let commentEnd = null;
    for (const { start, value } of bs.items) {
        const props = resolveProps(start, {
            indicator: 'seq-item-ind',
            next: value,
            offset,
            onError,
            parentIndent: bs.indent,
            startOnNewline: true
        });
        if (!props.found) {
            if (props.anchor || props.tag || value) {
                if (value?.type === 'block-seq')
                    onError(props.end, 'BAD_INDENT', 'All sequence items must start at the same column');
                else
                    onError(offset, 'MISSING_CHAR', 'Sequence item without - indicator');
            }
            else {
                commentEnd = props.end;
                if (props.comment)
                    seq.comment = props.comment;
                continue;
            }
        }
        const node = value
            ? composeNode(ctx, value, props, onError)
            : composeEmptyNode(ctx, props.end, start, null, props, onError);
        if (ctx.schema.compat)
            flowIndentCheck(bs.indent, value, onError);
        offset = node.range[2];
        seq.items.push(node);
    }
    seq.range = [bs.offset, offset, commentEnd ?? offset];
    return seq;
}

function resolveEnd(end, offset, reqSpace, onError) {
    let comment = '';
    if (end) {
        let hasSpace = false;
        let sep = '';
        for (const token of end) {
            const { source, type } = token;
            switch (type) {
                case 'space':
                    hasSpace = true;
                    break;
                case 'comment': {
                    if (reqSpace && !hasSpace)
                        onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                    const cb = source.substring(1) || ' ';
                    if (!comment)
                        comment = cb;
                    else
                        comment += sep + cb;
                    sep = '';
                    break;
                }
                case 'newline':
                    if (comment)
                        sep += source;
                    hasSpace = true;
                    break;
                default:
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${type} at node end`);
            }
            offset += source.length;
        }
    }
    return { comment, offset };
}

const blockMsg = 'Block collections are not allowed within flow collections';
const isBlock = (token) => token && (token.type === 'block-map' || token.type === 'block-seq');
function resolveFlowCollection({ composeNode, composeEmptyNode }, ctx, fc, onError, tag) {
    const isMap = fc.start.source === '{';
    const fcName = isMap ? 'flow map' : 'flow sequence';
    const NodeClass = (tag?.nodeClass ?? (isMap ? YAMLMap : YAMLSeq));
    const coll = new NodeClass(ctx.schema);
    coll.flow = true;
    const atRoot = ctx.atRoot;
    if (atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = fc.offset + fc.start.source.length;
    for (let i = 0; i < fc.items.length; ++i) {
        const collItem = fc.items[i];
        const { start, key, sep, value } = collItem;
        const props = resolveProps(start, {
            flow: fcName,
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: fc.indent,
            startOnNewline: false
        });
        if (!props.found) {
            if (!props.anchor && !props.tag && !sep && !value) {
                if (i === 0 && props.comma)
                    onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
                else if (i < fc.items.length - 1)
                    onError(props.start, 'UNEXPECTED_TOKEN', `Unexpected empty item in ${fcName}`);
                if (props.comment) {
                    if (coll.comment)
                        coll.comment += '\n' + props.comment;
                    else
                        coll.comment = props.comment;
                }
                offset = props.end;
                continue;
            }
            if (!isMap && ctx.options.strict && containsNewline(key))
                onError(key, // checked by containsNewline()
                'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
        }
        if (i === 0) {
            if (props.comma)
                onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
        }
        else {
            if (!props.comma)
                onError(props.start, 'MISSING_CHAR', `Missing , between ${fcName} items`);
            if (props.comment) {
                let prevItemComment = '';
                loop: for (const st of start) {
                    switch (st.type) {
                        case 'comma':
                        case 'space':
                            break;
                        case 'comment':
                            prevItemComment = st.source.substring(1);
                            break loop;
                        default:
                            break loop;
                    }
                }
                if (prevItemComment) {
                    let prev = coll.items[coll.items.length - 1];
                    if (isPair(prev))
                        prev = prev.value ?? prev.key;
                    if (prev.comment)
                        prev.comment += '\n' + prevItemComment;
                    else
                        prev.comment = prevItemComment;
                    props.comment = props.comment.substring(prevItemComment.length + 1);
                }
            }
        }
        if (!isMap && !sep && !props.found) {
            // item is a value in a seq
            // → key & sep are empty, start does not include ? or :
            const valueNode = value
                ? composeNode(ctx, value, props, onError)
                : composeEmptyNode(ctx, props.end, sep, null, props, onError);
            coll.items.push(valueNode);
            offset = valueNode.range[2];
            if (isBlock(value))
                onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
        }
        else {
            // item is a key+value pair
            // key value
            ctx.atKey = true;
            const keyStart = props.end;
            const keyNode = key
                ? composeNode(ctx, key, props, onError)
                : composeEmptyNode(ctx, keyStart, start, null, props, onError);
            if (isBlock(key))
                onError(keyNode.range, 'BLOCK_IN_FLOW', blockMsg);
            ctx.atKey = false;
            // value properties
            const valueProps = resolveProps(sep ?? [], {
                flow: fcName,
                indicator: 'map-value-ind',
                next: value,
                offset: keyNode.range[2],
                onError,
                parentIndent: fc.indent,
                startOnNewline: false
            });
            if (valueProps.found) {
                if (!isMap && !props.found && ctx.options.strict) {
                    if (sep)
                        for (const st of sep) {
                            if (st === valueProps.found)
                                break;
                            if (st.type === 'newline') {
                                onError(st, 'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
                                break;
                            }
                        }
                    if (props.start < valueProps.found.offset - 1024)
                        onError(valueProps.found, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit flow sequence key');
                }
            }
            else if (value) {
                if ('source' in value && value.source?.[0] === ':')
                    onError(value, 'MISSING_CHAR', `Missing space after : in ${fcName}`);
                else
                    onError(valueProps.start, 'MISSING_CHAR', `Missing , or : between ${fcName} items`);
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : valueProps.found
                    ? composeEmptyNode(ctx, valueProps.end, sep, null, valueProps, onError)
                    : null;
            if (valueNode) {
                if (isBlock(value))
                    onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
            }
            else if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            if (isMap) {
                const map = coll;
                if (mapIncludes(ctx, map.items, keyNode))
                    onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
                map.items.push(pair);
            }
            else {
                const map = new YAMLMap(ctx.schema);
                map.flow = true;
                map.items.push(pair);
                const endRange = (valueNode ?? keyNode).range;
                map.range = [keyNode.range[0], endRange[1], endRange[2]];
                coll.items.push(map);
            }
            offset = valueNode ? valueNode.range[2] : valueProps.end;
        }
    }
    const expectedEnd = isMap ? '}' : ']';
    const [ce, ...ee] = fc.end;
    let cePos = offset;
    if (ce?.source === expectedEnd)
        cePos = ce.offset + ce.source.length;
    else {
        const name = fcName[0].toUpperCase() + fcName.substring(1);
        const msg = atRoot
            ? `${name} must end with a ${expectedEnd}`
            : `${name} in block collection must be sufficiently indented and end with a ${expectedEnd}`;
        onError(offset, atRoot ? 'MISSING_CHAR' : 'BAD_INDENT', msg);
        if (ce && ce.source.length !== 1)
            ee.unshift(ce);
    }
    if (ee.length > 0) {
        const end = resolveEnd(ee, cePos, ctx.options.strict, onError);
        if (end.comment) {
            if (coll.comment)
                coll.comment += '\n' + end.comment;
            else
                coll.comment = end.comment;
        }
        coll.range = [fc.offset, cePos, end.offset];
    }
    else {
        coll.range = [fc.offset, cePos, cePos];
    }
    return coll;
}

function resolveCollection(CN, ctx, token, onError, tagName, tag) {
    const coll = token.type === 'block-map'
        ? resolveBlockMap(CN, ctx, token, onError, tag)
        : token.type === 'block-seq'
            ? resolveBlockSeq(CN, ctx, token, onError, tag)
            : resolveFlowCollection(CN, ctx, token, onError, tag);
    const Coll = coll.constructor;
    // If we got a tagName matching the class, or the tag name is '!',
    // then use the tagName from the node class used to create it.
    if (tagName === '!' || tagName === Coll.tagName) {
        coll.tag = Coll.tagName;
        return coll;
    }
    if (tagName)
        coll.tag = tagName;
    return coll;
}
function composeCollection(CN, ctx, token, props, onError) {
    const tagToken = props.tag;
    const tagName = !tagToken
        ? null
        : ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg));
    if (token.type === 'block-seq') {
        const { anchor, newlineAfterProp: nl } = props;
        const lastProp = anchor && tagToken
            ? anchor.offset > tagToken.offset
                ? anchor
                : tagToken
            : (anchor ?? tagToken);
        if (lastProp && (!nl || nl.offset < lastProp.offset)) {
            const message = 'Missing newline after block sequence props';
            onError(lastProp, 'MISSING_CHAR', message);
        }
    }
    const expType = token.type === 'block-map'
        ? 'map'
        : token.type === 'block-seq'
            ? 'seq'
            : token.start.source === '{'
                ? 'map'
                : 'seq';
    // shortcut: check if it's a generic YAMLMap or YAMLSeq
    // before jumping into the custom tag logic.
    if (!tagToken ||
        !tagName ||
        tagName === '!' ||
        (tagName === YAMLMap.tagName && expType === 'map') ||
        (tagName === YAMLSeq.tagName && expType === 'seq')) {
        return resolveCollection(CN, ctx, token, onError, tagName);
    }
    let tag = ctx.schema.tags.find(t => t.tag === tagName && t.collection === expType);
    if (!tag) {
        const kt = ctx.schema.knownTags[tagName];
        if (kt?.collection === expType) {
            ctx.schema.tags.push(Object.assign({}, kt, { default: false }));
            tag = kt;
        }
        else {
            if (kt) {
                onError(tagToken, 'BAD_COLLECTION_TYPE', `${kt.tag} used for ${expType} collection, but expects ${kt.collection ?? 'scalar'}`, true);
            }
            else {
                onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, true);
            }
            return resolveCollection(CN, ctx, token, onError, tagName);
        }
    }
    const coll = resolveCollection(CN, ctx, token, onError, tagName, tag);
    const res = tag.resolve?.(coll, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg), ctx.options) ?? coll;
    const node = isNode(res)
        ? res
        : new Scalar(res);
    node.range = coll.range;
    node.tag = tagName;
    if (tag?.format)
        node.format = tag.format;
    return node;
}

function resolveBlockScalar(ctx, scalar, onError) {
    const start = scalar.offset;
    const header = parseBlockScalarHeader(scalar, ctx.options.strict, onError);
    if (!header)
        return { value: '', type: null, comment: '', range: [start, start, start] };
    const type = header.mode === '>' ? Scalar.BLOCK_FOLDED : Scalar.BLOCK_LITERAL;
    const lines = scalar.source ? splitLines(scalar.source) : [];
    // determine the end of content & start of chomping
    let chompStart = lines.length;
    for (let i = lines.length - 1; i >= 0; --i) {
        const content = lines[i][1];
        if (content === '' || content === '\r')
            chompStart = i;
        else
            break;
    }
    // shortcut for empty contents
    if (chompStart === 0) {
        const value = header.chomp === '+' && lines.length > 0
            ? '\n'.repeat(Math.max(1, lines.length - 1))
            : '';
        let end = start + header.length;
        if (scalar.source)
            end += scalar.source.length;
        return { value, type, comment: header.comment, range: [start, end, end] };
    }
    // find the indentation level to trim from start
    let trimIndent = scalar.indent + header.indent;
    let offset = scalar.offset + header.length;
    let contentStart = 0;
    for (let i = 0; i < chompStart; ++i) {
        const [indent, content] = lines[i];
        if (content === '' || content === '\r') {
            if (header.indent === 0 && indent.length > trimIndent)
                trimIndent = indent.length;
        }
        else {
            if (indent.length < trimIndent) {
                const message = 'Block scalars with more-indented leading empty lines must use an explicit indentation indicator';
                onError(offset + indent.length, 'MISSING_CHAR', message);
            }
            if (header.indent === 0)
                trimIndent = indent.length;
            contentStart = i;
            if (trimIndent === 0 && !ctx.atRoot) {
                const message = 'Block scalar values in collections must be indented';
                onError(offset, 'BAD_INDENT', message);
            }
            break;
        }
        offset += indent.length + content.length + 1;
    }
    // include trailing more-indented empty lines in content
    for (let i = lines.length - 1; i >= chompStart; --i) {
        if (lines[i][0].length > trimIndent)
            chompStart = i + 1;
    }
    let value = '';
    let sep = '';
    let prevMoreIndented = false;
    // leading whitespace is kept intact
    for (let i = 0; i < contentStart; ++i)
        value += lines[i][0].slice(trimIndent) + '\n';
    for (let i = contentStart; i < chompStart; ++i) {
        let [indent, content] = lines[i];
        offset += indent.length + content.length + 1;
        const crlf = content[content.length - 1] === '\r';
        if (crlf)
            content = content.slice(0, -1);
        /* istanbul ignore if already caught in lexer */
        if (content && indent.length < trimIndent) {
            const src = header.indent
                ? 'explicit indentation indicator'
                : 'first line';
            const message = `Block scalar lines must not be less indented than their ${src}`;
            onError(offset - content.length - (crlf ? 2 : 1), 'BAD_INDENT', message);
            indent = '';
        }
        if (type === Scalar.BLOCK_LITERAL) {
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
        }
        else if (indent.length > trimIndent || content[0] === '\t') {
            // more-indented content within a folded block
            if (sep === ' ')
                sep = '\n';
            else if (!prevMoreIndented && sep === '\n')
                sep = '\n\n';
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
            prevMoreIndented = true;
        }
        else if (content === '') {
            // empty line
            if (sep === '\n')
                value += '\n';
            else
                sep = '\n';
        }
        else {
            value += sep + content;
            sep = ' ';
            prevMoreIndented = false;
        }
    }
    switch (header.chomp) {
        case '-':
            break;
        case '+':
            for (let i = chompStart; i < lines.length; ++i)
                value += '\n' + lines[i][0].slice(trimIndent);
            if (value[value.length - 1] !== '\n')
                value += '\n';
            break;
        default:
            value += '\n';
    }
    const end = start + header.length + scalar.source.length;
    return { value, type, comment: header.comment, range: [start, end, end] };
}
function parseBlockScalarHeader({ offset, props }, strict, onError) {
    /* istanbul ignore if should not happen */
    if (props[0].type !== 'block-scalar-header') {
        onError(props[0], 'IMPOSSIBLE', 'Block scalar header not found');
        return null;
    }
    const { source } = props[0];
    const mode = source[0];
    let indent = 0;
    let chomp = '';
    let error = -1;
    for (let i = 1; i < source.length; ++i) {
        const ch = source[i];
        if (!chomp && (ch === '-' || ch === '+'))
            chomp = ch;
        else {
            const n = Number(ch);
            if (!indent && n)
                indent = n;
            else if (error === -1)
                error = offset + i;
        }
    }
    if (error !== -1)
        onError(error, 'UNEXPECTED_TOKEN', `Block scalar header includes extra characters: ${source}`);
    let hasSpace = false;
    let comment = '';
    let length = source.length;
    for (let i = 1; i < props.length; ++i) {
        const token = props[i];
        switch (token.type) {
            case 'space':
                hasSpace = true;
            // fallthrough
            case 'newline':
                length += token.source.length;
                break;
            case 'comment':
                if (strict && !hasSpace) {
                    const message = 'Comments must be separated from other tokens by white space characters';
                    onError(token, 'MISSING_CHAR', message);
                }
                length += token.source.length;
                comment = token.source.substring(1);
                break;
            case 'error':
                onError(token, 'UNEXPECTED_TOKEN', token.message);
                length += token.source.length;
                break;
            /* istanbul ignore next should not happen */
            default: {
                const message = `Unexpected token in block scalar header: ${token.type}`;
                onError(token, 'UNEXPECTED_TOKEN', message);
                const ts = token.source;
                if (ts && typeof ts === 'string')
                    length += ts.length;
            }
        }
    }
    return { mode, indent, chomp, comment, length };
}
/** @returns Array of lines split up as `[indent, content]` */
function splitLines(source) {
    const split = source.split(/\n( *)/);
    const first = split[0];
    const m = first.match(/^( *)/);
    const line0 = m?.[1]
        ? [m[1], first.slice(m[1].length)]
        : ['', first];
    const lines = [line0];
    for (let i = 1; i < split.length; i += 2)
        lines.push([split[i], split[i + 1]]);
    return lines;
}

function resolveFlowScalar(scalar, strict, onError) {
    const { offset, type, source, end } = scalar;
    let _type;
    let value;
    const _onError = (rel, code, msg) => onError(offset + rel, code, msg);
    switch (type) {
        case 'scalar':
            _type = Scalar.PLAIN;
            value = plainValue(source, _onError);
            break;
        case 'single-quoted-scalar':
            _type = Scalar.QUOTE_SINGLE;
            value = singleQuotedValue(source, _onError);
            break;
        case 'double-quoted-scalar':
            _type = Scalar.QUOTE_DOUBLE;
            value = doubleQuotedValue(source, _onError);
            break;
        /* istanbul ignore next should not happen */
        default:
            onError(scalar, 'UNEXPECTED_TOKEN', `Expected a flow scalar value, but found: ${type}`);
            return {
                value: '',
                type: null,
                comment: '',
                range: [offset, offset + source.length, offset + source.length]
            };
    }
    const valueEnd = offset + source.length;
    const re = resolveEnd(end, valueEnd, strict, onError);
    return {
        value,
        type: _type,
        comment: re.comment,
        range: [offset, valueEnd, re.offset]
    };
}
function plainValue(source, onError) {
    let badChar = '';
    switch (source[0]) {
        /* istanbul ignore next should not happen */
        case '\t':
            badChar = 'a tab character';
            break;
        case ',':
            badChar = 'flow indicator character ,';
            break;
        case '%':
            badChar = 'directive indicator character %';
            break;
        case '|':
        case '>': {
            badChar = `block scalar indicator ${source[0]}`;
            break;
        }
        case '@':
        case '`': {
            badChar = `reserved character ${source[0]}`;
            break;
        }
    }
    if (badChar)
        onError(0, 'BAD_SCALAR_START', `Plain value cannot start with ${badChar}`);
    return unfoldLines(source);
}
function singleQuotedValue(source, onError) {
    if (source[source.length - 1] !== "'" || source.length === 1)
        onError(source.length, 'MISSING_CHAR', "Missing closing 'quote");
    return unfoldLines(source.slice(1, -1)).replace(/''/g, "'");
}
function unfoldLines(source) {
    const line = /(.*?)\r?\n/sy;
    let match = line.exec(source);
    if (!match)
        return source;
    /**
     * The negative lookbehinds in these RegExps are to
     * prevent causing a polynomial search time in certain cases.
     *
     * The try-catch is for Safari < 16.4 and other old browsers:
     * https://caniuse.com/js-regexp-lookbehind
     */
    let trimEnd, trimBoth;
    try {
        trimEnd = new RegExp('(?<![ \t])[ \t]+$');
        trimBoth = new RegExp('^[ \t]+|(?<![ \t])[ \t]+$', 'g');
    }
    catch {
        trimEnd = /[ \t]+$/;
        trimBoth = /^[ \t]+|[ \t]+$/g;
    }
    let res = match[1].replace(trimEnd, '');
    let sep = ' ';
    let pos = line.lastIndex;
    while ((match = line.exec(source))) {
        const lm = match[1].replace(trimBoth, '');
        if (lm === '') {
            if (sep === '\n')
                res += sep;
            else
                sep = '\n';
        }
        else {
            res += sep + lm;
            sep = ' ';
        }
        pos = line.lastIndex;
    }
    const last = /[ \t]*(.*)/sy;
    last.lastIndex = pos;
    match = last.exec(source);
    return res + sep + (match?.[1] ?? '');
}
function doubleQuotedValue(source, onError) {
    let res = '';
    for (let i = 1; i < source.length - 1; ++i) {
        const ch = source[i];
        if (ch === '\r' && source[i + 1] === '\n')
            continue;
        if (ch === '\n') {
            const { fold, offset } = foldNewline(source, i);
            res += fold;
            i = offset;
        }
        else if (ch === '\\') {
            let next = source[++i];
            const cc = escapeCodes[next];
            if (cc)
                res += cc;
            else if (next === '\n') {
                // skip escaped newlines, but still trim the following line
                next = source[i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === '\r' && source[i + 1] === '\n') {
                // skip escaped CRLF newlines, but still trim the following line
                next = source[++i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === 'x' || next === 'u' || next === 'U') {
                const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
                res += parseCharCode(source, i + 1, length, onError);
                i += length;
            }
            else {
                const raw = source.substr(i - 1, 2);
                onError(i - 1, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
                res += raw;
            }
        }
        else if (ch === ' ' || ch === '\t') {
            // trim trailing whitespace
            const wsStart = i;
            let next = source[i + 1];
            while (next === ' ' || next === '\t')
                next = source[++i + 1];
            if (next !== '\n' && !(next === '\r' && source[i + 2] === '\n'))
                res += i > wsStart ? source.slice(wsStart, i + 1) : ch;
        }
        else {
            res += ch;
        }
    }
    if (source[source.length - 1] !== '"' || source.length === 1)
        onError(source.length, 'MISSING_CHAR', 'Missing closing "quote');
    return res;
}
/**
 * Fold a single newline into a space, multiple newlines to N - 1 newlines.
 * Presumes `source[offset] === '\n'`
 */
function foldNewline(source, offset) {
    let fold = '';
    let ch = source[offset + 1];
    while (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        if (ch === '\r' && source[offset + 2] !== '\n')
            break;
        if (ch === '\n')
            fold += '\n';
        offset += 1;
        ch = source[offset + 1];
    }
    if (!fold)
        fold = ' ';
    return { fold, offset };
}
const escapeCodes = {
    '0': '\0', // null character
    a: '\x07', // bell character
    b: '\b', // backspace
    e: '\x1b', // escape character
    f: '\f', // form feed
    n: '\n', // line feed
    r: '\r', // carriage return
    t: '\t', // horizontal tab
    v: '\v', // vertical tab
    N: '\u0085', // Unicode next line
    _: '\u00a0', // Unicode non-breaking space
    L: '\u2028', // Unicode line separator
    P: '\u2029', // Unicode paragraph separator
    ' ': ' ',
    '"': '"',
    '/': '/',
    '\\': '\\',
    '\t': '\t'
};
function parseCharCode(source, offset, length, onError) {
    const cc = source.substr(offset, length);
    const ok = cc.length === length && /^[0-9a-fA-F]+$/.test(cc);
    const code = ok ? parseInt(cc, 16) : NaN;
    try {
        return String.fromCodePoint(code);
    }
    catch {
        const raw = source.substr(offset - 2, length + 2);
        onError(offset - 2, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
        return raw;
    }
}

function composeScalar(ctx, token, tagToken, onError) {
    const { value, type, comment, range } = token.type === 'block-scalar'
        ? resolveBlockScalar(ctx, token, onError)
        : resolveFlowScalar(token, ctx.options.strict, onError);
    const tagName = tagToken
        ? ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg))
        : null;
    let tag;
    if (ctx.options.stringKeys && ctx.atKey) {
        tag = ctx.schema[SCALAR$1];
    }
    else if (tagName)
        tag = findScalarTagByName(ctx.schema, value, tagName, tagToken, onError);
    else if (token.type === 'scalar')
        tag = findScalarTagByTest(ctx, value, token, onError);
    else
        tag = ctx.schema[SCALAR$1];
    let scalar;
    try {
        const res = tag.resolve(value, msg => onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg), ctx.options);
        scalar = isScalar(res) ? res : new Scalar(res);
    }
    catch (error) {
        const msg = error instanceof Error ? error.message : String(error);
        onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg);
        scalar = new Scalar(value);
    }
    scalar.range = range;
    scalar.source = value;
    if (type)
        scalar.type = type;
    if (tagName)
        scalar.tag = tagName;
    if (tag.format)
        scalar.format = tag.format;
    if (comment)
        scalar.comment = comment;
    return scalar;
}
function findScalarTagByName(schema, value, tagName, tagToken, onError) {
    if (tagName === '!')
        return schema[SCALAR$1]; // non-specific tag
    const matchWithTest = [];
    for (const tag of schema.tags) {
        if (!tag.collection && tag.tag === tagName) {
            if (tag.default && tag.test)
                matchWithTest.push(tag);
            else
                return tag;
        }
    }
    for (const tag of matchWithTest)
        if (tag.test?.test(value))
            return tag;
    const kt = schema.knownTags[tagName];
    if (kt && !kt.collection) {
        // Ensure that the known tag is available for stringifying,
        // but does not get used by default.
        schema.tags.push(Object.assign({}, kt, { default: false, test: undefined }));
        return kt;
    }
    onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, tagName !== 'tag:yaml.org,2002:str');
    return schema[SCALAR$1];
}
function findScalarTagByTest({ atKey, directives, schema }, value, token, onError) {
    const tag = schema.tags.find(tag => (tag.default === true || (atKey && tag.default === 'key')) &&
        tag.test?.test(value)) || schema[SCALAR$1];
    if (schema.compat) {
        const compat = schema.compat.find(tag => tag.default && tag.test?.test(value)) ??
            schema[SCALAR$1];
        if (tag.tag !== compat.tag) {
            const ts = directives.tagString(tag.tag);
            const cs = directives.tagString(compat.tag);
            const msg = `Value may be parsed as either ${ts} or ${cs}`;
            onError(token, 'TAG_RESOLVE_FAILED', msg, true);
        }
    }
    return tag;
}

function emptyScalarPosition(offset, before, pos) {
    if (before) {
        pos ?? (pos = before.length);
        for (let i = pos - 1; i >= 0; --i) {
            let st = before[i];
            switch (st.type) {
                case 'space':
                case 'comment':
                case 'newline':
                    offset -= st.source.length;
                    continue;
            }
            // Technically, an empty scalar is immediately after the last non-empty
            // node, but it's more useful to place it after any whitespace.
            st = before[++i];
            while (st?.type === 'space') {
                offset += st.source.length;
                st = before[++i];
            }
            break;
        }
    }
    return offset;
}

const CN = { composeNode, composeEmptyNode };
function composeNode(ctx, token, props, onError) {
    const atKey = ctx.atKey;
    const { spaceBefore, comment, anchor, tag } = props;
    let node;
    let isSrcToken = true;
    switch (token.type) {
        case 'alias':
            node = composeAlias(ctx, token, onError);
            if (anchor || tag)
                onError(token, 'ALIAS_PROPS', 'An alias node must not specify any properties');
            break;
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'block-scalar':
            node = composeScalar(ctx, token, tag, onError);
            if (anchor)
                node.anchor = anchor.source.substring(1);
            break;
        case 'block-map':
        case 'block-seq':
        case 'flow-collection':
            try {
                node = composeCollection(CN, ctx, token, props, onError);
                if (anchor)
                    node.anchor = anchor.source.substring(1);
            }
            catch (error) {
                // Almost certainly here due to a stack overflow
                const message = error instanceof Error ? error.message : String(error);
                onError(token, 'RESOURCE_EXHAUSTION', message);
            }
            break;
        default: {
            const message = token.type === 'error'
                ? token.message
                : `Unsupported token (type: ${token.type})`;
            onError(token, 'UNEXPECTED_TOKEN', message);
            isSrcToken = false;
        }
    }
    node ?? (node = composeEmptyNode(ctx, token.offset, undefined, null, props, onError));
    if (anchor && node.anchor === '')
        onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    if (atKey &&
        ctx.options.stringKeys &&
        (!isScalar(node) ||
            typeof node.value !== 'string' ||
            (node.tag && node.tag !== 'tag:yaml.org,2002:str'))) {
        const msg = 'With stringKeys, all keys must be strings';
        onError(tag ?? token, 'NON_STRING_KEY', msg);
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        if (token.type === 'scalar' && token.source === '')
            node.comment = comment;
        else
            node.commentBefore = comment;
    }
    // @ts-expect-error Type checking misses meaning of isSrcToken
    if (ctx.options.keepSourceTokens && isSrcToken)
        node.srcToken = token;
    return node;
}
function composeEmptyNode(ctx, offset, before, pos, { spaceBefore, comment, anchor, tag, end }, onError) {
    const token = {
        type: 'scalar',
        offset: emptyScalarPosition(offset, before, pos),
        indent: -1,
        source: ''
    };
    const node = composeScalar(ctx, token, tag, onError);
    if (anchor) {
        node.anchor = anchor.source.substring(1);
        if (node.anchor === '')
            onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        node.comment = comment;
        node.range[2] = end;
    }
    return node;
}
function composeAlias({ options }, { offset, source, end }, onError) {
    const alias = new Alias(source.substring(1));
    if (alias.source === '')
        onError(offset, 'BAD_ALIAS', 'Alias cannot be an empty string');
    if (alias.source.endsWith(':'))
        onError(offset + source.length - 1, 'BAD_ALIAS', 'Alias ending in : is ambiguous', true);
    const valueEnd = offset + source.length;
    const re = resolveEnd(end, valueEnd, options.strict, onError);
    alias.range = [offset, valueEnd, re.offset];
    if (re.comment)
        alias.comment = re.comment;
    return alias;
}

function composeDoc(options, directives, { offset, start, value, end }, onError) {
    const opts = Object.assign({ _directives: directives }, options);
    const doc = new Document(undefined, opts);
    const ctx = {
        atKey: false,
        atRoot: true,
        directives: doc.directives,
        options: doc.options,
        schema: doc.schema
    };
    const props = resolveProps(start, {
        indicator: 'doc-start',
        next: value ?? end?.[0],
        offset,
        onError,
        parentIndent: 0,
        startOnNewline: true
    });
    if (props.found) {
        doc.directives.docStart = true;
        if (value &&
            (value.type === 'block-map' || value.type === 'block-seq') &&
            !props.hasNewline)
            onError(props.end, 'MISSING_CHAR', 'Block collection cannot start on same line with directives-end marker');
    }
    // @ts-expect-error If Contents is set, let's trust the user
    doc.contents = value
        ? composeNode(ctx, value, props, onError)
        : composeEmptyNode(ctx, props.end, start, null, props, onError);
    const contentEnd = doc.contents.range[2];
    const re = resolveEnd(end, contentEnd, false, onError);
    if (re.comment)
        doc.comment = re.comment;
    doc.range = [offset, contentEnd, re.offset];
    return doc;
}

function getErrorPos(src) {
    if (typeof src === 'number')
        return [src, src + 1];
    if (Array.isArray(src))
        return src.length === 2 ? src : [src[0], src[1]];
    const { offset, source } = src;
    return [offset, offset + (typeof source === 'string' ? source.length : 1)];
}
function parsePrelude(prelude) {
    let comment = '';
    let atComment = false;
    let afterEmptyLine = false;
    for (let i = 0; i < prelude.length; ++i) {
        const source = prelude[i];
        switch (source[0]) {
            case '#':
                comment +=
                    (comment === '' ? '' : afterEmptyLine ? '\n\n' : '\n') +
                        (source.substring(1) || ' ');
                atComment = true;
                afterEmptyLine = false;
                break;
            case '%':
                if (prelude[i + 1]?.[0] !== '#')
                    i += 1;
                atComment = false;
                break;
            default:
                // This may be wrong after doc-end, but in that case it doesn't matter
                if (!atComment)
                    afterEmptyLine = true;
                atComment = false;
        }
    }
    return { comment, afterEmptyLine };
}
/**
 * Compose a stream of CST nodes into a stream of YAML Documents.
 *
 * ```ts
 * import { Composer, Parser } from 'yaml'
 *
 * const src: string = ...
 * const tokens = new Parser().parse(src)
 * const docs = new Composer().compose(tokens)
 * ```
 */
class Composer {
    constructor(options = {}) {
        this.doc = null;
        this.atDirectives = false;
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
        this.onError = (source, code, message, warning) => {
            const pos = getErrorPos(source);
            if (warning)
                this.warnings.push(new YAMLWarning(pos, code, message));
            else
                this.errors.push(new YAMLParseError(pos, code, message));
        };
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        this.directives = new Directives({ version: options.version || '1.2' });
        this.options = options;
    }
    decorate(doc, afterDoc) {
        const { comment, afterEmptyLine } = parsePrelude(this.prelude);
        //console.log({ dc: doc.comment, prelude, comment })
        if (comment) {
            const dc = doc.contents;
            if (afterDoc) {
                doc.comment = doc.comment ? `${doc.comment}\n${comment}` : comment;
            }
            else if (afterEmptyLine || doc.directives.docStart || !dc) {
                doc.commentBefore = comment;
            }
            else if (isCollection(dc) && !dc.flow && dc.items.length > 0) {
                let it = dc.items[0];
                if (isPair(it))
                    it = it.key;
                const cb = it.commentBefore;
                it.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
            else {
                const cb = dc.commentBefore;
                dc.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
        }
        if (afterDoc) {
            for (let i = 0; i < this.errors.length; ++i)
                doc.errors.push(this.errors[i]);
            for (let i = 0; i < this.warnings.length; ++i)
                doc.warnings.push(this.warnings[i]);
        }
        else {
            doc.errors = this.errors;
            doc.warnings = this.warnings;
        }
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
    }
    /**
     * Current stream status information.
     *
     * Mostly useful at the end of input for an empty stream.
     */
    streamInfo() {
        return {
            comment: parsePrelude(this.prelude).comment,
            directives: this.directives,
            errors: this.errors,
            warnings: this.warnings
        };
    }
    /**
     * Compose tokens into documents.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *compose(tokens, forceDoc = false, endOffset = -1) {
        for (const token of tokens)
            yield* this.next(token);
        yield* this.end(forceDoc, endOffset);
    }
    /** Advance the composer by one CST token. */
    *next(token) {
        switch (token.type) {
            case 'directive':
                this.directives.add(token.source, (offset, message, warning) => {
                    const pos = getErrorPos(token);
                    pos[0] += offset;
                    this.onError(pos, 'BAD_DIRECTIVE', message, warning);
                });
                this.prelude.push(token.source);
                this.atDirectives = true;
                break;
            case 'document': {
                const doc = composeDoc(this.options, this.directives, token, this.onError);
                if (this.atDirectives && !doc.directives.docStart)
                    this.onError(token, 'MISSING_CHAR', 'Missing directives-end/doc-start indicator line');
                this.decorate(doc, false);
                if (this.doc)
                    yield this.doc;
                this.doc = doc;
                this.atDirectives = false;
                break;
            }
            case 'byte-order-mark':
            case 'space':
                break;
            case 'comment':
            case 'newline':
                this.prelude.push(token.source);
                break;
            case 'error': {
                const msg = token.source
                    ? `${token.message}: ${JSON.stringify(token.source)}`
                    : token.message;
                const error = new YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg);
                if (this.atDirectives || !this.doc)
                    this.errors.push(error);
                else
                    this.doc.errors.push(error);
                break;
            }
            case 'doc-end': {
                if (!this.doc) {
                    const msg = 'Unexpected doc-end without preceding document';
                    this.errors.push(new YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg));
                    break;
                }
                this.doc.directives.docEnd = true;
                const end = resolveEnd(token.end, token.offset + token.source.length, this.doc.options.strict, this.onError);
                this.decorate(this.doc, true);
                if (end.comment) {
                    const dc = this.doc.comment;
                    this.doc.comment = dc ? `${dc}\n${end.comment}` : end.comment;
                }
                this.doc.range[2] = end.offset;
                break;
            }
            default:
                this.errors.push(new YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', `Unsupported token ${token.type}`));
        }
    }
    /**
     * Call at end of input to yield any remaining document.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *end(forceDoc = false, endOffset = -1) {
        if (this.doc) {
            this.decorate(this.doc, true);
            yield this.doc;
            this.doc = null;
        }
        else if (forceDoc) {
            const opts = Object.assign({ _directives: this.directives }, this.options);
            const doc = new Document(undefined, opts);
            if (this.atDirectives)
                this.onError(endOffset, 'MISSING_CHAR', 'Missing directives-end indicator line');
            doc.range = [0, endOffset, endOffset];
            this.decorate(doc, false);
            yield doc;
        }
    }
}

/** The byte order mark */
const BOM = '\u{FEFF}';
/** Start of doc-mode */
const DOCUMENT = '\x02'; // C0: Start of Text
/** Unexpected end of flow-mode */
const FLOW_END = '\x18'; // C0: Cancel
/** Next token is a scalar value */
const SCALAR = '\x1f'; // C0: Unit Separator
/** Identify the type of a lexer token. May return `null` for unknown tokens. */
function tokenType(source) {
    switch (source) {
        case BOM:
            return 'byte-order-mark';
        case DOCUMENT:
            return 'doc-mode';
        case FLOW_END:
            return 'flow-error-end';
        case SCALAR:
            return 'scalar';
        case '---':
            return 'doc-start';
        case '...':
            return 'doc-end';
        case '':
        case '\n':
        case '\r\n':
            return 'newline';
        case '-':
            return 'seq-item-ind';
        case '?':
            return 'explicit-key-ind';
        case ':':
            return 'map-value-ind';
        case '{':
            return 'flow-map-start';
        case '}':
            return 'flow-map-end';
        case '[':
            return 'flow-seq-start';
        case ']':
            return 'flow-seq-end';
        case ',':
            return 'comma';
    }
    switch (source[0]) {
        case ' ':
        case '\t':
            return 'space';
        case '#':
            return 'comment';
        case '%':
            return 'directive-line';
        case '*':
            return 'alias';
        case '&':
            return 'anchor';
        case '!':
            return 'tag';
        case "'":
            return 'single-quoted-scalar';
        case '"':
            return 'double-quoted-scalar';
        case '|':
        case '>':
            return 'block-scalar-header';
    }
    return null;
}

/*
START -> stream

stream
  directive -> line-end -> stream
  indent + line-end -> stream
  [else] -> line-start

line-end
  comment -> line-end
  newline -> .
  input-end -> END

line-start
  doc-start -> doc
  doc-end -> stream
  [else] -> indent -> block-start

block-start
  seq-item-start -> block-start
  explicit-key-start -> block-start
  map-value-start -> block-start
  [else] -> doc

doc
  line-end -> line-start
  spaces -> doc
  anchor -> doc
  tag -> doc
  flow-start -> flow -> doc
  flow-end -> error -> doc
  seq-item-start -> error -> doc
  explicit-key-start -> error -> doc
  map-value-start -> doc
  alias -> doc
  quote-start -> quoted-scalar -> doc
  block-scalar-header -> line-end -> block-scalar(min) -> line-start
  [else] -> plain-scalar(false, min) -> doc

flow
  line-end -> flow
  spaces -> flow
  anchor -> flow
  tag -> flow
  flow-start -> flow -> flow
  flow-end -> .
  seq-item-start -> error -> flow
  explicit-key-start -> flow
  map-value-start -> flow
  alias -> flow
  quote-start -> quoted-scalar -> flow
  comma -> flow
  [else] -> plain-scalar(true, 0) -> flow

quoted-scalar
  quote-end -> .
  [else] -> quoted-scalar

block-scalar(min)
  newline + peek(indent < min) -> .
  [else] -> block-scalar(min)

plain-scalar(is-flow, min)
  scalar-end(is-flow) -> .
  peek(newline + (indent < min)) -> .
  [else] -> plain-scalar(min)
*/
function isEmpty(ch) {
    switch (ch) {
        case undefined:
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            return true;
        default:
            return false;
    }
}
const hexDigits = new Set('0123456789ABCDEFabcdef');
const tagChars = new Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()");
const flowIndicatorChars = new Set(',[]{}');
const invalidAnchorChars = new Set(' ,[]{}\n\r\t');
const isNotAnchorChar = (ch) => !ch || invalidAnchorChars.has(ch);
/**
 * Splits an input string into lexical tokens, i.e. smaller strings that are
 * easily identifiable by `tokens.tokenType()`.
 *
 * Lexing starts always in a "stream" context. Incomplete input may be buffered
 * until a complete token can be emitted.
 *
 * In addition to slices of the original input, the following control characters
 * may also be emitted:
 *
 * - `\x02` (Start of Text): A document starts with the next token
 * - `\x18` (Cancel): Unexpected end of flow-mode (indicates an error)
 * - `\x1f` (Unit Separator): Next token is a scalar value
 * - `\u{FEFF}` (Byte order mark): Emitted separately outside documents
 */
class Lexer {
    constructor() {
        /**
         * Flag indicating whether the end of the current buffer marks the end of
         * all input
         */
        this.atEnd = false;
        /**
         * Explicit indent set in block scalar header, as an offset from the current
         * minimum indent, so e.g. set to 1 from a header `|2+`. Set to -1 if not
         * explicitly set.
         */
        this.blockScalarIndent = -1;
        /**
         * Block scalars that include a + (keep) chomping indicator in their header
         * include trailing empty lines, which are otherwise excluded from the
         * scalar's contents.
         */
        this.blockScalarKeep = false;
        /** Current input */
        this.buffer = '';
        /**
         * Flag noting whether the map value indicator : can immediately follow this
         * node within a flow context.
         */
        this.flowKey = false;
        /** Count of surrounding flow collection levels. */
        this.flowLevel = 0;
        /**
         * Minimum level of indentation required for next lines to be parsed as a
         * part of the current scalar value.
         */
        this.indentNext = 0;
        /** Indentation level of the current line. */
        this.indentValue = 0;
        /** Position of the next \n character. */
        this.lineEndPos = null;
        /** Stores the state of the lexer if reaching the end of incpomplete input */
        this.next = null;
        /** A pointer to `buffer`; the current position of the lexer. */
        this.pos = 0;
    }
    /**
     * Generate YAML tokens from the `source` string. If `incomplete`,
     * a part of the last line may be left as a buffer for the next call.
     *
     * @returns A generator of lexical tokens
     */
    *lex(source, incomplete = false) {
        if (source) {
            if (typeof source !== 'string')
                throw TypeError('source is not a string');
            this.buffer = this.buffer ? this.buffer + source : source;
            this.lineEndPos = null;
        }
        this.atEnd = !incomplete;
        let next = this.next ?? 'stream';
        while (next && (incomplete || this.hasChars(1)))
            next = yield* this.parseNext(next);
    }
    atLineEnd() {
        let i = this.pos;
        let ch = this.buffer[i];
        while (ch === ' ' || ch === '\t')
            ch = this.buffer[++i];
        if (!ch || ch === '#' || ch === '\n')
            return true;
        if (ch === '\r')
            return this.buffer[i + 1] === '\n';
        return false;
    }
    charAt(n) {
        return this.buffer[this.pos + n];
    }
    continueScalar(offset) {
        let ch = this.buffer[offset];
        if (this.indentNext > 0) {
            let indent = 0;
            while (ch === ' ')
                ch = this.buffer[++indent + offset];
            if (ch === '\r') {
                const next = this.buffer[indent + offset + 1];
                if (next === '\n' || (!next && !this.atEnd))
                    return offset + indent + 1;
            }
            return ch === '\n' || indent >= this.indentNext || (!ch && !this.atEnd)
                ? offset + indent
                : -1;
        }
        if (ch === '-' || ch === '.') {
            const dt = this.buffer.substr(offset, 3);
            if ((dt === '---' || dt === '...') && isEmpty(this.buffer[offset + 3]))
                return -1;
        }
        return offset;
    }
    getLine() {
        let end = this.lineEndPos;
        if (typeof end !== 'number' || (end !== -1 && end < this.pos)) {
            end = this.buffer.indexOf('\n', this.pos);
            this.lineEndPos = end;
        }
        if (end === -1)
            return this.atEnd ? this.buffer.substring(this.pos) : null;
        if (this.buffer[end - 1] === '\r')
            end -= 1;
        return this.buffer.substring(this.pos, end);
    }
    hasChars(n) {
        return this.pos + n <= this.buffer.length;
    }
    setNext(state) {
        this.buffer = this.buffer.substring(this.pos);
        this.pos = 0;
        this.lineEndPos = null;
        this.next = state;
        return null;
    }
    peek(n) {
        return this.buffer.substr(this.pos, n);
    }
    *parseNext(next) {
        switch (next) {
            case 'stream':
                return yield* this.parseStream();
            case 'line-start':
                return yield* this.parseLineStart();
            case 'block-start':
                return yield* this.parseBlockStart();
            case 'doc':
                return yield* this.parseDocument();
            case 'flow':
                return yield* this.parseFlowCollection();
            case 'quoted-scalar':
                return yield* this.parseQuotedScalar();
            case 'block-scalar':
                return yield* this.parseBlockScalar();
            case 'plain-scalar':
                return yield* this.parsePlainScalar();
        }
    }
    *parseStream() {
        let line = this.getLine();
        if (line === null)
            return this.setNext('stream');
        if (line[0] === BOM) {
            yield* this.pushCount(1);
            line = line.substring(1);
        }
        if (line[0] === '%') {
            let dirEnd = line.length;
            let cs = line.indexOf('#');
            while (cs !== -1) {
                const ch = line[cs - 1];
                if (ch === ' ' || ch === '\t') {
                    dirEnd = cs - 1;
                    break;
                }
                else {
                    cs = line.indexOf('#', cs + 1);
                }
            }
            while (true) {
                const ch = line[dirEnd - 1];
                if (ch === ' ' || ch === '\t')
                    dirEnd -= 1;
                else
                    break;
            }
            const n = (yield* this.pushCount(dirEnd)) + (yield* this.pushSpaces(true));
            yield* this.pushCount(line.length - n); // possible comment
            this.pushNewline();
            return 'stream';
        }
        if (this.atLineEnd()) {
            const sp = yield* this.pushSpaces(true);
            yield* this.pushCount(line.length - sp);
            yield* this.pushNewline();
            return 'stream';
        }
        yield DOCUMENT;
        return yield* this.parseLineStart();
    }
    *parseLineStart() {
        const ch = this.charAt(0);
        if (!ch && !this.atEnd)
            return this.setNext('line-start');
        if (ch === '-' || ch === '.') {
            if (!this.atEnd && !this.hasChars(4))
                return this.setNext('line-start');
            const s = this.peek(3);
            if ((s === '---' || s === '...') && isEmpty(this.charAt(3))) {
                yield* this.pushCount(3);
                this.indentValue = 0;
                this.indentNext = 0;
                return s === '---' ? 'doc' : 'stream';
            }
        }
        this.indentValue = yield* this.pushSpaces(false);
        if (this.indentNext > this.indentValue && !isEmpty(this.charAt(1)))
            this.indentNext = this.indentValue;
        return yield* this.parseBlockStart();
    }
    *parseBlockStart() {
        const [ch0, ch1] = this.peek(2);
        if (!ch1 && !this.atEnd)
            return this.setNext('block-start');
        if ((ch0 === '-' || ch0 === '?' || ch0 === ':') && isEmpty(ch1)) {
            const n = (yield* this.pushCount(1)) + (yield* this.pushSpaces(true));
            this.indentNext = this.indentValue + 1;
            this.indentValue += n;
            return 'block-start';
        }
        return 'doc';
    }
    *parseDocument() {
        yield* this.pushSpaces(true);
        const line = this.getLine();
        if (line === null)
            return this.setNext('doc');
        let n = yield* this.pushIndicators();
        switch (line[n]) {
            case '#':
                yield* this.pushCount(line.length - n);
            // fallthrough
            case undefined:
                yield* this.pushNewline();
                return yield* this.parseLineStart();
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel = 1;
                return 'flow';
            case '}':
            case ']':
                // this is an error
                yield* this.pushCount(1);
                return 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'doc';
            case '"':
            case "'":
                return yield* this.parseQuotedScalar();
            case '|':
            case '>':
                n += yield* this.parseBlockScalarHeader();
                n += yield* this.pushSpaces(true);
                yield* this.pushCount(line.length - n);
                yield* this.pushNewline();
                return yield* this.parseBlockScalar();
            default:
                return yield* this.parsePlainScalar();
        }
    }
    *parseFlowCollection() {
        let nl, sp;
        let indent = -1;
        do {
            nl = yield* this.pushNewline();
            if (nl > 0) {
                sp = yield* this.pushSpaces(false);
                this.indentValue = indent = sp;
            }
            else {
                sp = 0;
            }
            sp += yield* this.pushSpaces(true);
        } while (nl + sp > 0);
        const line = this.getLine();
        if (line === null)
            return this.setNext('flow');
        if ((indent !== -1 && indent < this.indentNext && line[0] !== '#') ||
            (indent === 0 &&
                (line.startsWith('---') || line.startsWith('...')) &&
                isEmpty(line[3]))) {
            // Allowing for the terminal ] or } at the same (rather than greater)
            // indent level as the initial [ or { is technically invalid, but
            // failing here would be surprising to users.
            const atFlowEndMarker = indent === this.indentNext - 1 &&
                this.flowLevel === 1 &&
                (line[0] === ']' || line[0] === '}');
            if (!atFlowEndMarker) {
                // this is an error
                this.flowLevel = 0;
                yield FLOW_END;
                return yield* this.parseLineStart();
            }
        }
        let n = 0;
        while (line[n] === ',') {
            n += yield* this.pushCount(1);
            n += yield* this.pushSpaces(true);
            this.flowKey = false;
        }
        n += yield* this.pushIndicators();
        switch (line[n]) {
            case undefined:
                return 'flow';
            case '#':
                yield* this.pushCount(line.length - n);
                return 'flow';
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel += 1;
                return 'flow';
            case '}':
            case ']':
                yield* this.pushCount(1);
                this.flowKey = true;
                this.flowLevel -= 1;
                return this.flowLevel ? 'flow' : 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'flow';
            case '"':
            case "'":
                this.flowKey = true;
                return yield* this.parseQuotedScalar();
            case ':': {
                const next = this.charAt(1);
                if (this.flowKey || isEmpty(next) || next === ',') {
                    this.flowKey = false;
                    yield* this.pushCount(1);
                    yield* this.pushSpaces(true);
                    return 'flow';
                }
            }
            // fallthrough
            default:
                this.flowKey = false;
                return yield* this.parsePlainScalar();
        }
    }
    *parseQuotedScalar() {
        const quote = this.charAt(0);
        let end = this.buffer.indexOf(quote, this.pos + 1);
        if (quote === "'") {
            while (end !== -1 && this.buffer[end + 1] === "'")
                end = this.buffer.indexOf("'", end + 2);
        }
        else {
            // double-quote
            while (end !== -1) {
                let n = 0;
                while (this.buffer[end - 1 - n] === '\\')
                    n += 1;
                if (n % 2 === 0)
                    break;
                end = this.buffer.indexOf('"', end + 1);
            }
        }
        // Only looking for newlines within the quotes
        const qb = this.buffer.substring(0, end);
        let nl = qb.indexOf('\n', this.pos);
        if (nl !== -1) {
            while (nl !== -1) {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = qb.indexOf('\n', cs);
            }
            if (nl !== -1) {
                // this is an error caused by an unexpected unindent
                end = nl - (qb[nl - 1] === '\r' ? 2 : 1);
            }
        }
        if (end === -1) {
            if (!this.atEnd)
                return this.setNext('quoted-scalar');
            end = this.buffer.length;
        }
        yield* this.pushToIndex(end + 1, false);
        return this.flowLevel ? 'flow' : 'doc';
    }
    *parseBlockScalarHeader() {
        this.blockScalarIndent = -1;
        this.blockScalarKeep = false;
        let i = this.pos;
        while (true) {
            const ch = this.buffer[++i];
            if (ch === '+')
                this.blockScalarKeep = true;
            else if (ch > '0' && ch <= '9')
                this.blockScalarIndent = Number(ch) - 1;
            else if (ch !== '-')
                break;
        }
        return yield* this.pushUntil(ch => isEmpty(ch) || ch === '#');
    }
    *parseBlockScalar() {
        let nl = this.pos - 1; // may be -1 if this.pos === 0
        let indent = 0;
        let ch;
        loop: for (let i = this.pos; (ch = this.buffer[i]); ++i) {
            switch (ch) {
                case ' ':
                    indent += 1;
                    break;
                case '\n':
                    nl = i;
                    indent = 0;
                    break;
                case '\r': {
                    const next = this.buffer[i + 1];
                    if (!next && !this.atEnd)
                        return this.setNext('block-scalar');
                    if (next === '\n')
                        break;
                } // fallthrough
                default:
                    break loop;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('block-scalar');
        if (indent >= this.indentNext) {
            if (this.blockScalarIndent === -1)
                this.indentNext = indent;
            else {
                this.indentNext =
                    this.blockScalarIndent + (this.indentNext === 0 ? 1 : this.indentNext);
            }
            do {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = this.buffer.indexOf('\n', cs);
            } while (nl !== -1);
            if (nl === -1) {
                if (!this.atEnd)
                    return this.setNext('block-scalar');
                nl = this.buffer.length;
            }
        }
        // Trailing insufficiently indented tabs are invalid.
        // To catch that during parsing, we include them in the block scalar value.
        let i = nl + 1;
        ch = this.buffer[i];
        while (ch === ' ')
            ch = this.buffer[++i];
        if (ch === '\t') {
            while (ch === '\t' || ch === ' ' || ch === '\r' || ch === '\n')
                ch = this.buffer[++i];
            nl = i - 1;
        }
        else if (!this.blockScalarKeep) {
            do {
                let i = nl - 1;
                let ch = this.buffer[i];
                if (ch === '\r')
                    ch = this.buffer[--i];
                const lastChar = i; // Drop the line if last char not more indented
                while (ch === ' ')
                    ch = this.buffer[--i];
                if (ch === '\n' && i >= this.pos && i + 1 + indent > lastChar)
                    nl = i;
                else
                    break;
            } while (true);
        }
        yield SCALAR;
        yield* this.pushToIndex(nl + 1, true);
        return yield* this.parseLineStart();
    }
    *parsePlainScalar() {
        const inFlow = this.flowLevel > 0;
        let end = this.pos - 1;
        let i = this.pos - 1;
        let ch;
        while ((ch = this.buffer[++i])) {
            if (ch === ':') {
                const next = this.buffer[i + 1];
                if (isEmpty(next) || (inFlow && flowIndicatorChars.has(next)))
                    break;
                end = i;
            }
            else if (isEmpty(ch)) {
                let next = this.buffer[i + 1];
                if (ch === '\r') {
                    if (next === '\n') {
                        i += 1;
                        ch = '\n';
                        next = this.buffer[i + 1];
                    }
                    else
                        end = i;
                }
                if (next === '#' || (inFlow && flowIndicatorChars.has(next)))
                    break;
                if (ch === '\n') {
                    const cs = this.continueScalar(i + 1);
                    if (cs === -1)
                        break;
                    i = Math.max(i, cs - 2); // to advance, but still account for ' #'
                }
            }
            else {
                if (inFlow && flowIndicatorChars.has(ch))
                    break;
                end = i;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('plain-scalar');
        yield SCALAR;
        yield* this.pushToIndex(end + 1, true);
        return inFlow ? 'flow' : 'doc';
    }
    *pushCount(n) {
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos += n;
            return n;
        }
        return 0;
    }
    *pushToIndex(i, allowEmpty) {
        const s = this.buffer.slice(this.pos, i);
        if (s) {
            yield s;
            this.pos += s.length;
            return s.length;
        }
        else if (allowEmpty)
            yield '';
        return 0;
    }
    *pushIndicators() {
        let n = 0;
        loop: while (true) {
            switch (this.charAt(0)) {
                case '!':
                    n += yield* this.pushTag();
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '&':
                    n += yield* this.pushUntil(isNotAnchorChar);
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '-': // this is an error
                case '?': // this is an error outside flow collections
                case ':': {
                    const inFlow = this.flowLevel > 0;
                    const ch1 = this.charAt(1);
                    if (isEmpty(ch1) || (inFlow && flowIndicatorChars.has(ch1))) {
                        if (!inFlow)
                            this.indentNext = this.indentValue + 1;
                        else if (this.flowKey)
                            this.flowKey = false;
                        n += yield* this.pushCount(1);
                        n += yield* this.pushSpaces(true);
                        continue loop;
                    }
                }
            }
            break loop;
        }
        return n;
    }
    *pushTag() {
        if (this.charAt(1) === '<') {
            let i = this.pos + 2;
            let ch = this.buffer[i];
            while (!isEmpty(ch) && ch !== '>')
                ch = this.buffer[++i];
            return yield* this.pushToIndex(ch === '>' ? i + 1 : i, false);
        }
        else {
            let i = this.pos + 1;
            let ch = this.buffer[i];
            while (ch) {
                if (tagChars.has(ch))
                    ch = this.buffer[++i];
                else if (ch === '%' &&
                    hexDigits.has(this.buffer[i + 1]) &&
                    hexDigits.has(this.buffer[i + 2])) {
                    ch = this.buffer[(i += 3)];
                }
                else
                    break;
            }
            return yield* this.pushToIndex(i, false);
        }
    }
    *pushNewline() {
        const ch = this.buffer[this.pos];
        if (ch === '\n')
            return yield* this.pushCount(1);
        else if (ch === '\r' && this.charAt(1) === '\n')
            return yield* this.pushCount(2);
        else
            return 0;
    }
    *pushSpaces(allowTabs) {
        let i = this.pos - 1;
        let ch;
        do {
            ch = this.buffer[++i];
        } while (ch === ' ' || (allowTabs && ch === '\t'));
        const n = i - this.pos;
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos = i;
        }
        return n;
    }
    *pushUntil(test) {
        let i = this.pos;
        let ch = this.buffer[i];
        while (!test(ch))
            ch = this.buffer[++i];
        return yield* this.pushToIndex(i, false);
    }
}

/**
 * Tracks newlines during parsing in order to provide an efficient API for
 * determining the one-indexed `{ line, col }` position for any offset
 * within the input.
 */
class LineCounter {
    constructor() {
        this.lineStarts = [];
        /**
         * Should be called in ascending order. Otherwise, call
         * `lineCounter.lineStarts.sort()` before calling `linePos()`.
         */
        this.addNewLine = (offset) => this.lineStarts.push(offset);
        /**
         * Performs a binary search and returns the 1-indexed { line, col }
         * position of `offset`. If `line === 0`, `addNewLine` has never been
         * called or `offset` is before the first known newline.
         */
        this.linePos = (offset) => {
            let low = 0;
            let high = this.lineStarts.length;
            while (low < high) {
                const mid = (low + high) >> 1; // Math.floor((low + high) / 2)
                if (this.lineStarts[mid] < offset)
                    low = mid + 1;
                else
                    high = mid;
            }
            if (this.lineStarts[low] === offset)
                return { line: low + 1, col: 1 };
            if (low === 0)
                return { line: 0, col: offset };
            const start = this.lineStarts[low - 1];
            return { line: low, col: offset - start + 1 };
        };
    }
}

function includesToken(list, type) {
    for (let i = 0; i < list.length; ++i)
        if (list[i].type === type)
            return true;
    return false;
}
function findNonEmptyIndex(list) {
    for (let i = 0; i < list.length; ++i) {
        switch (list[i].type) {
            case 'space':
            case 'comment':
            case 'newline':
                break;
            default:
                return i;
        }
    }
    return -1;
}
function isFlowToken(token) {
    switch (token?.type) {
        case 'alias':
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'flow-collection':
            return true;
        default:
            return false;
    }
}
function getPrevProps(parent) {
    switch (parent.type) {
        case 'document':
            return parent.start;
        case 'block-map': {
            const it = parent.items[parent.items.length - 1];
            return it.sep ?? it.start;
        }
        case 'block-seq':
            return parent.items[parent.items.length - 1].start;
        /* istanbul ignore next should not happen */
        default:
            return [];
    }
}
/** Note: May modify input array */
function getFirstKeyStartProps(prev) {
    if (prev.length === 0)
        return [];
    let i = prev.length;
    loop: while (--i >= 0) {
        switch (prev[i].type) {
            case 'doc-start':
            case 'explicit-key-ind':
            case 'map-value-ind':
            case 'seq-item-ind':
            case 'newline':
                break loop;
        }
    }
    while (prev[++i]?.type === 'space') {
        /* loop */
    }
    return prev.splice(i, prev.length);
}
function arrayPushArray(target, source) {
    // May exhaust call stack with large `source` array
    if (source.length < 1e5)
        Array.prototype.push.apply(target, source);
    else
        for (let i = 0; i < source.length; ++i)
            target.push(source[i]);
}
function fixFlowSeqItems(fc) {
    if (fc.start.type === 'flow-seq-start') {
        for (const it of fc.items) {
            if (it.sep &&
                !it.value &&
                !includesToken(it.start, 'explicit-key-ind') &&
                !includesToken(it.sep, 'map-value-ind')) {
                if (it.key)
                    it.value = it.key;
                delete it.key;
                if (isFlowToken(it.value)) {
                    if (it.value.end)
                        arrayPushArray(it.value.end, it.sep);
                    else
                        it.value.end = it.sep;
                }
                else
                    arrayPushArray(it.start, it.sep);
                delete it.sep;
            }
        }
    }
}
/**
 * A YAML concrete syntax tree (CST) parser
 *
 * ```ts
 * const src: string = ...
 * for (const token of new Parser().parse(src)) {
 *   // token: Token
 * }
 * ```
 *
 * To use the parser with a user-provided lexer:
 *
 * ```ts
 * function* parse(source: string, lexer: Lexer) {
 *   const parser = new Parser()
 *   for (const lexeme of lexer.lex(source))
 *     yield* parser.next(lexeme)
 *   yield* parser.end()
 * }
 *
 * const src: string = ...
 * const lexer = new Lexer()
 * for (const token of parse(src, lexer)) {
 *   // token: Token
 * }
 * ```
 */
class Parser {
    /**
     * @param onNewLine - If defined, called separately with the start position of
     *   each new line (in `parse()`, including the start of input).
     */
    constructor(onNewLine) {
        /** If true, space and sequence indicators count as indentation */
        this.atNewLine = true;
        /** If true, next token is a scalar value */
        this.atScalar = false;
        /** Current indentation level */
        this.indent = 0;
        /** Current offset since the start of parsing */
        this.offset = 0;
        /** On the same line with a block map key */
        this.onKeyLine = false;
        /** Top indicates the node that's currently being built */
        this.stack = [];
        /** The source of the current token, set in parse() */
        this.source = '';
        /** The type of the current token, set in parse() */
        this.type = '';
        // Must be defined after `next()`
        this.lexer = new Lexer();
        this.onNewLine = onNewLine;
    }
    /**
     * Parse `source` as a YAML stream.
     * If `incomplete`, a part of the last line may be left as a buffer for the next call.
     *
     * Errors are not thrown, but yielded as `{ type: 'error', message }` tokens.
     *
     * @returns A generator of tokens representing each directive, document, and other structure.
     */
    *parse(source, incomplete = false) {
        if (this.onNewLine && this.offset === 0)
            this.onNewLine(0);
        for (const lexeme of this.lexer.lex(source, incomplete))
            yield* this.next(lexeme);
        if (!incomplete)
            yield* this.end();
    }
    /**
     * Advance the parser by the `source` of one lexical token.
     */
    *next(source) {
        this.source = source;
        if (this.atScalar) {
            this.atScalar = false;
            yield* this.step();
            this.offset += source.length;
            return;
        }
        const type = tokenType(source);
        if (!type) {
            const message = `Not a YAML token: ${source}`;
            yield* this.pop({ type: 'error', offset: this.offset, message, source });
            this.offset += source.length;
        }
        else if (type === 'scalar') {
            this.atNewLine = false;
            this.atScalar = true;
            this.type = 'scalar';
        }
        else {
            this.type = type;
            yield* this.step();
            switch (type) {
                case 'newline':
                    this.atNewLine = true;
                    this.indent = 0;
                    if (this.onNewLine)
                        this.onNewLine(this.offset + source.length);
                    break;
                case 'space':
                    if (this.atNewLine && source[0] === ' ')
                        this.indent += source.length;
                    break;
                case 'explicit-key-ind':
                case 'map-value-ind':
                case 'seq-item-ind':
                    if (this.atNewLine)
                        this.indent += source.length;
                    break;
                case 'doc-mode':
                case 'flow-error-end':
                    return;
                default:
                    this.atNewLine = false;
            }
            this.offset += source.length;
        }
    }
    /** Call at end of input to push out any remaining constructions */
    *end() {
        while (this.stack.length > 0)
            yield* this.pop();
    }
    get sourceToken() {
        const st = {
            type: this.type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
        return st;
    }
    *step() {
        const top = this.peek(1);
        if (this.type === 'doc-end' && top?.type !== 'doc-end') {
            while (this.stack.length > 0)
                yield* this.pop();
            this.stack.push({
                type: 'doc-end',
                offset: this.offset,
                source: this.source
            });
            return;
        }
        if (!top)
            return yield* this.stream();
        switch (top.type) {
            case 'document':
                return yield* this.document(top);
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return yield* this.scalar(top);
            case 'block-scalar':
                return yield* this.blockScalar(top);
            case 'block-map':
                return yield* this.blockMap(top);
            case 'block-seq':
                return yield* this.blockSequence(top);
            case 'flow-collection':
                return yield* this.flowCollection(top);
            case 'doc-end':
                return yield* this.documentEnd(top);
        }
        /* istanbul ignore next should not happen */
        yield* this.pop();
    }
    peek(n) {
        return this.stack[this.stack.length - n];
    }
    *pop(error) {
        const token = error ?? this.stack.pop();
        /* istanbul ignore if should not happen */
        if (!token) {
            const message = 'Tried to pop an empty stack';
            yield { type: 'error', offset: this.offset, source: '', message };
        }
        else if (this.stack.length === 0) {
            yield token;
        }
        else {
            const top = this.peek(1);
            if (token.type === 'block-scalar') {
                // Block scalars use their parent rather than header indent
                token.indent = 'indent' in top ? top.indent : 0;
            }
            else if (token.type === 'flow-collection' && top.type === 'document') {
                // Ignore all indent for top-level flow collections
                token.indent = 0;
            }
            if (token.type === 'flow-collection')
                fixFlowSeqItems(token);
            switch (top.type) {
                case 'document':
                    top.value = token;
                    break;
                case 'block-scalar':
                    top.props.push(token); // error
                    break;
                case 'block-map': {
                    const it = top.items[top.items.length - 1];
                    if (it.value) {
                        top.items.push({ start: [], key: token, sep: [] });
                        this.onKeyLine = true;
                        return;
                    }
                    else if (it.sep) {
                        it.value = token;
                    }
                    else {
                        Object.assign(it, { key: token, sep: [] });
                        this.onKeyLine = !it.explicitKey;
                        return;
                    }
                    break;
                }
                case 'block-seq': {
                    const it = top.items[top.items.length - 1];
                    if (it.value)
                        top.items.push({ start: [], value: token });
                    else
                        it.value = token;
                    break;
                }
                case 'flow-collection': {
                    const it = top.items[top.items.length - 1];
                    if (!it || it.value)
                        top.items.push({ start: [], key: token, sep: [] });
                    else if (it.sep)
                        it.value = token;
                    else
                        Object.assign(it, { key: token, sep: [] });
                    return;
                }
                /* istanbul ignore next should not happen */
                default:
                    yield* this.pop();
                    yield* this.pop(token);
            }
            if ((top.type === 'document' ||
                top.type === 'block-map' ||
                top.type === 'block-seq') &&
                (token.type === 'block-map' || token.type === 'block-seq')) {
                const last = token.items[token.items.length - 1];
                if (last &&
                    !last.sep &&
                    !last.value &&
                    last.start.length > 0 &&
                    findNonEmptyIndex(last.start) === -1 &&
                    (token.indent === 0 ||
                        last.start.every(st => st.type !== 'comment' || st.indent < token.indent))) {
                    if (top.type === 'document')
                        top.end = last.start;
                    else
                        top.items.push({ start: last.start });
                    token.items.splice(-1, 1);
                }
            }
        }
    }
    *stream() {
        switch (this.type) {
            case 'directive-line':
                yield { type: 'directive', offset: this.offset, source: this.source };
                return;
            case 'byte-order-mark':
            case 'space':
            case 'comment':
            case 'newline':
                yield this.sourceToken;
                return;
            case 'doc-mode':
            case 'doc-start': {
                const doc = {
                    type: 'document',
                    offset: this.offset,
                    start: []
                };
                if (this.type === 'doc-start')
                    doc.start.push(this.sourceToken);
                this.stack.push(doc);
                return;
            }
        }
        yield {
            type: 'error',
            offset: this.offset,
            message: `Unexpected ${this.type} token in YAML stream`,
            source: this.source
        };
    }
    *document(doc) {
        if (doc.value)
            return yield* this.lineEnd(doc);
        switch (this.type) {
            case 'doc-start': {
                if (findNonEmptyIndex(doc.start) !== -1) {
                    yield* this.pop();
                    yield* this.step();
                }
                else
                    doc.start.push(this.sourceToken);
                return;
            }
            case 'anchor':
            case 'tag':
            case 'space':
            case 'comment':
            case 'newline':
                doc.start.push(this.sourceToken);
                return;
        }
        const bv = this.startBlockValue(doc);
        if (bv)
            this.stack.push(bv);
        else {
            yield {
                type: 'error',
                offset: this.offset,
                message: `Unexpected ${this.type} token in YAML document`,
                source: this.source
            };
        }
    }
    *scalar(scalar) {
        if (this.type === 'map-value-ind') {
            const prev = getPrevProps(this.peek(2));
            const start = getFirstKeyStartProps(prev);
            let sep;
            if (scalar.end) {
                sep = scalar.end;
                sep.push(this.sourceToken);
                delete scalar.end;
            }
            else
                sep = [this.sourceToken];
            const map = {
                type: 'block-map',
                offset: scalar.offset,
                indent: scalar.indent,
                items: [{ start, key: scalar, sep }]
            };
            this.onKeyLine = true;
            this.stack[this.stack.length - 1] = map;
        }
        else
            yield* this.lineEnd(scalar);
    }
    *blockScalar(scalar) {
        switch (this.type) {
            case 'space':
            case 'comment':
            case 'newline':
                scalar.props.push(this.sourceToken);
                return;
            case 'scalar':
                scalar.source = this.source;
                // block-scalar source includes trailing newline
                this.atNewLine = true;
                this.indent = 0;
                if (this.onNewLine) {
                    let nl = this.source.indexOf('\n') + 1;
                    while (nl !== 0) {
                        this.onNewLine(this.offset + nl);
                        nl = this.source.indexOf('\n', nl) + 1;
                    }
                }
                yield* this.pop();
                break;
            /* istanbul ignore next should not happen */
            default:
                yield* this.pop();
                yield* this.step();
        }
    }
    *blockMap(map) {
        const it = map.items[map.items.length - 1];
        // it.sep is true-ish if pair already has key or : separator
        switch (this.type) {
            case 'newline':
                this.onKeyLine = false;
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    it.start.push(this.sourceToken);
                }
                return;
            case 'space':
            case 'comment':
                if (it.value) {
                    map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    if (this.atIndentedComment(it.start, map.indent)) {
                        const prev = map.items[map.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            map.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
        }
        if (this.indent >= map.indent) {
            const atMapIndent = !this.onKeyLine && this.indent === map.indent;
            const atNextItem = atMapIndent &&
                (it.sep || it.explicitKey) &&
                this.type !== 'seq-item-ind';
            // For empty nodes, assign newline-separated not indented empty tokens to following node
            let start = [];
            if (atNextItem && it.sep && !it.value) {
                const nl = [];
                for (let i = 0; i < it.sep.length; ++i) {
                    const st = it.sep[i];
                    switch (st.type) {
                        case 'newline':
                            nl.push(i);
                            break;
                        case 'space':
                            break;
                        case 'comment':
                            if (st.indent > map.indent)
                                nl.length = 0;
                            break;
                        default:
                            nl.length = 0;
                    }
                }
                if (nl.length >= 2)
                    start = it.sep.splice(nl[1]);
            }
            switch (this.type) {
                case 'anchor':
                case 'tag':
                    if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        it.sep.push(this.sourceToken);
                    }
                    else {
                        it.start.push(this.sourceToken);
                    }
                    return;
                case 'explicit-key-ind':
                    if (!it.sep && !it.explicitKey) {
                        it.start.push(this.sourceToken);
                        it.explicitKey = true;
                    }
                    else if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start, explicitKey: true });
                    }
                    else {
                        this.stack.push({
                            type: 'block-map',
                            offset: this.offset,
                            indent: this.indent,
                            items: [{ start: [this.sourceToken], explicitKey: true }]
                        });
                    }
                    this.onKeyLine = true;
                    return;
                case 'map-value-ind':
                    if (it.explicitKey) {
                        if (!it.sep) {
                            if (includesToken(it.start, 'newline')) {
                                Object.assign(it, { key: null, sep: [this.sourceToken] });
                            }
                            else {
                                const start = getFirstKeyStartProps(it.start);
                                this.stack.push({
                                    type: 'block-map',
                                    offset: this.offset,
                                    indent: this.indent,
                                    items: [{ start, key: null, sep: [this.sourceToken] }]
                                });
                            }
                        }
                        else if (it.value) {
                            map.items.push({ start: [], key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else if (isFlowToken(it.key) &&
                            !includesToken(it.sep, 'newline')) {
                            const start = getFirstKeyStartProps(it.start);
                            const key = it.key;
                            const sep = it.sep;
                            sep.push(this.sourceToken);
                            // @ts-expect-error type guard is wrong here
                            delete it.key;
                            // @ts-expect-error type guard is wrong here
                            delete it.sep;
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key, sep }]
                            });
                        }
                        else if (start.length > 0) {
                            // Not actually at next item
                            it.sep = it.sep.concat(start, this.sourceToken);
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    else {
                        if (!it.sep) {
                            Object.assign(it, { key: null, sep: [this.sourceToken] });
                        }
                        else if (it.value || atNextItem) {
                            map.items.push({ start, key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start: [], key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    this.onKeyLine = true;
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (atNextItem || it.value) {
                        map.items.push({ start, key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        this.stack.push(fs);
                    }
                    else {
                        Object.assign(it, { key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    return;
                }
                default: {
                    const bv = this.startBlockValue(map);
                    if (bv) {
                        if (bv.type === 'block-seq') {
                            if (!it.explicitKey &&
                                it.sep &&
                                !includesToken(it.sep, 'newline')) {
                                yield* this.pop({
                                    type: 'error',
                                    offset: this.offset,
                                    message: 'Unexpected block-seq-ind on same line with key',
                                    source: this.source
                                });
                                return;
                            }
                        }
                        else if (atMapIndent) {
                            map.items.push({ start });
                        }
                        this.stack.push(bv);
                        return;
                    }
                }
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *blockSequence(seq) {
        const it = seq.items[seq.items.length - 1];
        switch (this.type) {
            case 'newline':
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        seq.items.push({ start: [this.sourceToken] });
                }
                else
                    it.start.push(this.sourceToken);
                return;
            case 'space':
            case 'comment':
                if (it.value)
                    seq.items.push({ start: [this.sourceToken] });
                else {
                    if (this.atIndentedComment(it.start, seq.indent)) {
                        const prev = seq.items[seq.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            seq.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
            case 'anchor':
            case 'tag':
                if (it.value || this.indent <= seq.indent)
                    break;
                it.start.push(this.sourceToken);
                return;
            case 'seq-item-ind':
                if (this.indent !== seq.indent)
                    break;
                if (it.value || includesToken(it.start, 'seq-item-ind'))
                    seq.items.push({ start: [this.sourceToken] });
                else
                    it.start.push(this.sourceToken);
                return;
        }
        if (this.indent > seq.indent) {
            const bv = this.startBlockValue(seq);
            if (bv) {
                this.stack.push(bv);
                return;
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *flowCollection(fc) {
        const it = fc.items[fc.items.length - 1];
        if (this.type === 'flow-error-end') {
            let top;
            do {
                yield* this.pop();
                top = this.peek(1);
            } while (top?.type === 'flow-collection');
        }
        else if (fc.end.length === 0) {
            switch (this.type) {
                case 'comma':
                case 'explicit-key-ind':
                    if (!it || it.sep)
                        fc.items.push({ start: [this.sourceToken] });
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'map-value-ind':
                    if (!it || it.value)
                        fc.items.push({ start: [], key: null, sep: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        Object.assign(it, { key: null, sep: [this.sourceToken] });
                    return;
                case 'space':
                case 'comment':
                case 'newline':
                case 'anchor':
                case 'tag':
                    if (!it || it.value)
                        fc.items.push({ start: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (!it || it.value)
                        fc.items.push({ start: [], key: fs, sep: [] });
                    else if (it.sep)
                        this.stack.push(fs);
                    else
                        Object.assign(it, { key: fs, sep: [] });
                    return;
                }
                case 'flow-map-end':
                case 'flow-seq-end':
                    fc.end.push(this.sourceToken);
                    return;
            }
            const bv = this.startBlockValue(fc);
            /* istanbul ignore else should not happen */
            if (bv)
                this.stack.push(bv);
            else {
                yield* this.pop();
                yield* this.step();
            }
        }
        else {
            const parent = this.peek(2);
            if (parent.type === 'block-map' &&
                ((this.type === 'map-value-ind' && parent.indent === fc.indent) ||
                    (this.type === 'newline' &&
                        !parent.items[parent.items.length - 1].sep))) {
                yield* this.pop();
                yield* this.step();
            }
            else if (this.type === 'map-value-ind' &&
                parent.type !== 'flow-collection') {
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                fixFlowSeqItems(fc);
                const sep = fc.end.splice(1, fc.end.length);
                sep.push(this.sourceToken);
                const map = {
                    type: 'block-map',
                    offset: fc.offset,
                    indent: fc.indent,
                    items: [{ start, key: fc, sep }]
                };
                this.onKeyLine = true;
                this.stack[this.stack.length - 1] = map;
            }
            else {
                yield* this.lineEnd(fc);
            }
        }
    }
    flowScalar(type) {
        if (this.onNewLine) {
            let nl = this.source.indexOf('\n') + 1;
            while (nl !== 0) {
                this.onNewLine(this.offset + nl);
                nl = this.source.indexOf('\n', nl) + 1;
            }
        }
        return {
            type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
    }
    startBlockValue(parent) {
        switch (this.type) {
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return this.flowScalar(this.type);
            case 'block-scalar-header':
                return {
                    type: 'block-scalar',
                    offset: this.offset,
                    indent: this.indent,
                    props: [this.sourceToken],
                    source: ''
                };
            case 'flow-map-start':
            case 'flow-seq-start':
                return {
                    type: 'flow-collection',
                    offset: this.offset,
                    indent: this.indent,
                    start: this.sourceToken,
                    items: [],
                    end: []
                };
            case 'seq-item-ind':
                return {
                    type: 'block-seq',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start: [this.sourceToken] }]
                };
            case 'explicit-key-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                start.push(this.sourceToken);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, explicitKey: true }]
                };
            }
            case 'map-value-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, key: null, sep: [this.sourceToken] }]
                };
            }
        }
        return null;
    }
    atIndentedComment(start, indent) {
        if (this.type !== 'comment')
            return false;
        if (this.indent <= indent)
            return false;
        return start.every(st => st.type === 'newline' || st.type === 'space');
    }
    *documentEnd(docEnd) {
        if (this.type !== 'doc-mode') {
            if (docEnd.end)
                docEnd.end.push(this.sourceToken);
            else
                docEnd.end = [this.sourceToken];
            if (this.type === 'newline')
                yield* this.pop();
        }
    }
    *lineEnd(token) {
        switch (this.type) {
            case 'comma':
            case 'doc-start':
            case 'doc-end':
            case 'flow-seq-end':
            case 'flow-map-end':
            case 'map-value-ind':
                yield* this.pop();
                yield* this.step();
                break;
            case 'newline':
                this.onKeyLine = false;
            // fallthrough
            case 'space':
            case 'comment':
            default:
                // all other values are errors
                if (token.end)
                    token.end.push(this.sourceToken);
                else
                    token.end = [this.sourceToken];
                if (this.type === 'newline')
                    yield* this.pop();
        }
    }
}

function parseOptions(options) {
    const prettyErrors = options.prettyErrors !== false;
    const lineCounter = options.lineCounter || (prettyErrors && new LineCounter()) || null;
    return { lineCounter, prettyErrors };
}
/** Parse an input string into a single YAML.Document */
function parseDocument(source, options = {}) {
    const { lineCounter, prettyErrors } = parseOptions(options);
    const parser = new Parser(lineCounter?.addNewLine);
    const composer = new Composer(options);
    // `doc` is always set by compose.end(true) at the very latest
    let doc = null;
    for (const _doc of composer.compose(parser.parse(source), true, source.length)) {
        if (!doc)
            doc = _doc;
        else if (doc.options.logLevel !== 'silent') {
            doc.errors.push(new YAMLParseError(_doc.range.slice(0, 2), 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
            break;
        }
    }
    if (prettyErrors && lineCounter) {
        doc.errors.forEach(prettifyError(source, lineCounter));
        doc.warnings.forEach(prettifyError(source, lineCounter));
    }
    return doc;
}
function parse(src, reviver, options) {
    let _reviver = undefined;
    const doc = parseDocument(src, options);
    if (!doc)
        return null;
    doc.warnings.forEach(warning => warn(doc.options.logLevel, warning));
    if (doc.errors.length > 0) {
        if (doc.options.logLevel !== 'silent')
            throw doc.errors[0];
        else
            doc.errors = [];
    }
    return doc.toJS(Object.assign({ reviver: _reviver }, options));
}
function stringify(value, replacer, options) {
    let _replacer = null;
    if (typeof replacer === 'function' || Array.isArray(replacer)) {
        _replacer = replacer;
    }
    else if (options === undefined && replacer) {
        options = replacer;
    }
    if (typeof options === 'string')
        options = options.length;
    if (typeof options === 'number') {
        const indent = Math.round(options);
        options = indent < 1 ? undefined : indent > 8 ? { indent: 8 } : { indent };
    }
    if (value === undefined) {
        const { keepUndefined } = options ?? replacer ?? {};
        if (!keepUndefined)
            return undefined;
    }
    if (isDocument(value) && !_replacer)
        return value.toString(options);
    return new Document(value, _replacer, options).toString(options);
}

// Which artifacts `falcoctl artifact install` fetches for a set of references, and so which
// dependency tags must exist for the install to work (falcoctl cmd/artifact/install/deps.go).
//
// falcoctl keys artifacts by config name. A dependency is satisfied without a fetch when an
// artifact of that name (or of one of its alternatives) is already in the set with the same
// major and a version not lower; otherwise it fetches `name:version`, that exact tag, through
// the index. Which artifacts are "already in the set" depends on Go's map iteration order, so
// this check is conservative: only the references given on the command line count as present,
// and every other dependency must resolve to an existing tag.
const major = (v) => semver.major(semver.coerce(v) ?? '0.0.0');
const compare = (a, b) => semver.compare(semver.valid(a) ?? semver.coerce(a) ?? '0.0.0', semver.valid(b) ?? semver.coerce(b) ?? '0.0.0');
/**
 * Walks the dependencies of `roots` (the configs of the references given to falcoctl) and
 * looks up every artifact falcoctl may fetch. `platforms` ("os/arch"): a plugin fetched as a
 * dependency must have a build for each, or installing on that platform fails.
 */
async function resolveClosure(roots, lookup, platforms = []) {
    const given = new Map(roots.map((r) => [r.name, r.version]));
    const result = {
        artifacts: roots.map((r) => `${r.name}:${r.version}`),
        missing: [],
        unknown: [],
        conflicts: []
    };
    const seen = new Set(result.artifacts);
    const queue = [...roots];
    const fetch = async (name, version, requiredBy) => {
        const key = `${name}:${version}`;
        if (seen.has(key))
            return;
        seen.add(key);
        const found = await lookup(name, version);
        if (found.status !== 'found') {
            const list = found.status === 'missing' ? result.missing : result.unknown;
            list.push({ name, version, requiredBy, reason: found.reason });
            return;
        }
        const lacking = found.platforms ? platforms.filter((p) => !found.platforms?.includes(p)) : [];
        if (lacking.length > 0) {
            result.missing.push({
                name,
                version,
                requiredBy,
                reason: `it has no ${lacking.join(', ')} build (it has ${found.platforms?.join(', ') || 'none'})`
            });
        }
        result.artifacts.push(key);
        queue.push(found.config);
    };
    /** The version given on the command line for `name`, when it satisfies `version`. */
    const satisfiedBy = (name, version, by) => {
        const have = given.get(name);
        if (have === undefined)
            return 'no';
        if (major(have) !== major(version)) {
            result.conflicts.push(`${by} depends on ${name}:${version} but ${name}:${have} is installed with it (another major)`);
            return 'yes'; // reported; no fetch would help
        }
        return compare(version, have) <= 0 ? 'yes' : 'older';
    };
    const visit = async (artifact, dep) => {
        const by = `${artifact.name}:${artifact.version}`;
        if (satisfiedBy(dep.name, dep.version, by) === 'yes')
            return;
        for (const alt of dep.alternatives ?? []) {
            const s = satisfiedBy(alt.name, alt.version, by);
            if (s === 'no')
                continue;
            // An alternative given on the command line: falcoctl upgrades it to the alternative's version.
            if (s === 'older')
                await fetch(alt.name, alt.version, by);
            return;
        }
        await fetch(dep.name, dep.version, by);
    };
    while (queue.length > 0) {
        const artifact = queue.shift();
        for (const dep of artifact.dependencies ?? [])
            await visit(artifact, dep);
    }
    return result;
}

const silentLogger = {
    info: () => undefined,
    warning: () => undefined,
    debug: () => undefined,
    secret: () => undefined,
    group: (_title, fn) => fn()
};

const DEFAULT_BLOB_CONCURRENCY = 4;
/**
 * Calls `fn` on every item with at most `limit` calls under way; results are in input order.
 * After a failure no new call starts; once the running ones settle, the first error is thrown.
 */
async function mapLimit(items, limit, fn) {
    if (!Number.isInteger(limit) || limit < 1) {
        throw new Error(`invalid concurrency ${limit}: expected a whole number of at least 1`);
    }
    const results = new Array(items.length);
    let next = 0;
    let failure;
    const worker = async () => {
        while (failure === undefined && next < items.length) {
            const i = next++;
            try {
                results[i] = await fn(items[i], i);
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    if (failure)
        throw failure.error;
    return results;
}
/** pushBlobs on top of pushBlob: each digest once, at most `concurrency` at a time. */
async function pushEach(blobs, concurrency, push) {
    const unique = new Map();
    for (const b of blobs)
        if (!unique.has(b.digest))
            unique.set(b.digest, b);
    const pushed = await mapLimit([...unique.values()], concurrency, push);
    const byDigest = new Map([...unique.keys()].map((d, i) => [d, pushed[i]]));
    const seen = new Set();
    return blobs.map((b) => {
        if (seen.has(b.digest))
            return { uploaded: false, bytes: 0 };
        seen.add(b.digest);
        return byDigest.get(b.digest);
    });
}

// Sizes for messages: "200 MiB", "1.5 MiB", "64 KiB", "512 bytes".
const UNITS = [
    ['GiB', 1 << 30],
    ['MiB', 1 << 20],
    ['KiB', 1 << 10]
];
function formatBytes(n) {
    for (const [unit, size] of UNITS) {
        if (n >= size) {
            const v = n / size;
            return `${Number.isInteger(v) || v >= 100 ? Math.round(v) : v.toFixed(1)} ${unit}`;
        }
    }
    return n === 1 ? '1 byte' : `${n} bytes`;
}

// How much the registry client reads, and how long a request may take. A registry that sends
// more, or sends it slower, fails with a clear error instead of exhausting memory or time.
/** A manifest (or index): distribution refuses to store larger ones (4 MiB). */
const MAX_MANIFEST_BYTES = 4 << 20;
/** A token endpoint's answer (JSON with a token, tokens are a few KiB at most). */
const MAX_TOKEN_RESPONSE_BYTES = 256 << 10;
/** What is read of an error answer; the rest is dropped. */
const MAX_ERROR_BODY_BYTES = 64 << 10;
/** What is drained of an answer we do not read, to reuse its connection; more closes it. */
const MAX_DISCARDED_BYTES = 64 << 10;
/** One page of a tag list. */
const MAX_TAG_PAGE_BYTES = 4 << 20;
/** A whole tag list, every page together... */
const MAX_TAG_LIST_BYTES = 16 << 20;
/** ...in at most this many pages... */
const MAX_TAG_PAGES = 1000;
/** ...naming at most this many tags. */
const MAX_TAGS = 100_000;
/**
 * A request's total deadline: request-timeout, plus one second for every this many bytes it
 * sends or receives (so after the first request-timeout, at least this average rate).
 */
const MIN_BYTES_PER_SECOND = 16 << 10;

// Low-level HTTP for the OCI client, on node:http(s) rather than fetch so that request bodies
// stream with an explicit Content-Length (never held whole in memory). Only a body whose length
// is not known yet (a layer still being packed, GrowingBody) goes with chunked transfer encoding.
/** Reading the request body failed: a local problem, not the network's. */
class BodySourceError extends Error {
    cause;
    constructor(cause) {
        super(`reading the content to upload failed: ${cause.message}`);
        this.cause = cause;
        this.name = 'BodySourceError';
    }
}
/** More redirects than allowed. */
class RedirectError extends Error {
    url;
    constructor(url) {
        super(`too many redirects, the last to ${url.origin}${url.pathname}`);
        this.url = url;
        this.name = 'RedirectError';
    }
}
/** A response larger than what we read of it: not retried, the registry sends it each time. */
let TooLargeError$1 = class TooLargeError extends Error {
    constructor(message) {
        super(message);
        this.name = 'TooLargeError';
    }
};
/**
 * One HTTP exchange. Resolves as soon as the response headers arrive. A network error is
 * rejected with `connected: true` when the connection was up before it failed (a reset or a
 * timeout mid-exchange), as opposed to a failure to connect at all.
 *
 * Two clocks bound it: no data for `timeoutMs` (the socket's idle timeout), and a total deadline
 * of `timeoutMs` plus one second per `minBytesPerSecond` bytes moved, which a server trickling
 * a byte now and then cannot stretch. The deadline covers the response body too, until it ends.
 */
function roundTrip(req, timeoutMs, minBytesPerSecond = MIN_BYTES_PER_SECOND) {
    return new Promise((resolve, reject) => {
        let settled = false;
        let connected = false;
        let sourceError;
        let response;
        const fail = (err) => {
            // After the response arrived, its body is still under the deadline.
            if (settled)
                return;
            deadline.stop();
            settled = true;
            if (sourceError)
                return reject(new BodySourceError(sourceError));
            reject(Object.assign(err, { connected }));
        };
        const deadline = new TransferDeadline(timeoutMs, minBytesPerSecond, (err) => {
            Object.assign(err, { connected });
            if (response)
                response.destroy(err);
            cr.destroy(err);
        });
        const transport = req.url.protocol === 'https:' ? https : require$$2$1;
        const headers = { ...req.headers };
        const body = req.body;
        if (body !== undefined && !isGrowing(body)) {
            headers['content-length'] = String(Buffer.isBuffer(body) ? body.length : body.size);
        }
        const options = { method: req.method, headers, timeout: timeoutMs };
        const cr = transport.request(req.url, options, (res) => {
            settled = true;
            response = res;
            res.once('end', () => deadline.stop());
            res.once('close', () => deadline.stop());
            resolve({
                status: res.statusCode ?? 0,
                statusText: res.statusMessage ?? '',
                headers: res.headers,
                url: req.url,
                body: res,
                discard: () => {
                    // An unfinished upload cannot share its connection any more: close it.
                    if (!cr.writableFinished)
                        return void cr.destroy();
                    // A short body is drained so the connection can be reused; a long one (or one that
                    // never ends) closes it.
                    let drained = 0;
                    res.on('data', (chunk) => {
                        drained += chunk.length;
                        if (drained > MAX_DISCARDED_BYTES)
                            res.destroy();
                    });
                    res.resume();
                }
            });
        });
        cr.on('socket', (socket) => {
            deadline.attach(socket);
            // A kept-alive socket is already connected.
            if (!socket.connecting)
                connected = true;
            else
                socket.once('connect', () => (connected = true));
        });
        cr.on('error', fail);
        cr.on('timeout', () => cr.destroy(timeoutError(timeoutMs)));
        if (body === undefined)
            cr.end();
        else if (Buffer.isBuffer(body))
            cr.end(body);
        else if (isGrowing(body)) {
            writeChunks(body, cr).catch((err) => {
                sourceError ??= err;
                cr.destroy(err);
                fail(err);
            });
        }
        else {
            const source = body.open();
            const guard = new LengthGuard(body.size);
            source.on('error', (err) => (sourceError ??= err));
            guard.on('error', (err) => (sourceError ??= err));
            pipeline(source, guard, cr, (err) => {
                if (err)
                    fail(err);
            });
        }
    });
}
function isGrowing(body) {
    return !Buffer.isBuffer(body) && 'chunks' in body;
}
/**
 * Writes each chunk and waits until it is out (handed to the socket) before asking for the
 * next, so the source may reuse its buffer; then ends the request. A failure to write is the
 * request's own (its 'error' reports it); a failure to read is thrown.
 */
async function writeChunks(body, cr) {
    for await (const chunk of body.chunks()) {
        if (cr.destroyed)
            return;
        const written = await new Promise((resolve) => {
            // A request destroyed meanwhile may never call back: its 'close' ends the wait.
            const closed = () => resolve(false);
            cr.once('close', closed);
            cr.write(chunk, (err) => {
                cr.off('close', closed);
                resolve(!err);
            });
        });
        if (!written)
            return;
    }
    cr.end();
}
function timeoutError(ms) {
    return Object.assign(new Error(`no data for ${Math.round(ms / 1000)}s`), { code: 'ETIMEDOUT' });
}
/**
 * The total deadline of one exchange: `timeoutMs`, plus a second per `bytesPerSecond` bytes that
 * went through the socket (both ways) since the exchange started. Checked by a timer that
 * re-arms itself; it never keeps the process alive.
 */
class TransferDeadline {
    timeoutMs;
    bytesPerSecond;
    expire;
    start = Date.now();
    socket;
    base = 0;
    timer;
    stopped = false;
    constructor(timeoutMs, bytesPerSecond, expire) {
        this.timeoutMs = timeoutMs;
        this.bytesPerSecond = bytesPerSecond;
        this.expire = expire;
        this.arm(timeoutMs);
    }
    attach(socket) {
        this.socket = socket;
        this.base = socket.bytesRead + socket.bytesWritten;
    }
    stop() {
        this.stopped = true;
        clearTimeout(this.timer);
    }
    moved() {
        const s = this.socket;
        return s ? s.bytesRead + s.bytesWritten - this.base : 0;
    }
    arm(ms) {
        if (this.stopped)
            return;
        this.timer = setTimeout(() => this.check(), ms);
        this.timer.unref();
    }
    check() {
        const elapsed = Date.now() - this.start;
        const moved = this.moved();
        const allowed = this.timeoutMs + (moved / this.bytesPerSecond) * 1000;
        if (elapsed < allowed)
            return this.arm(Math.max(allowed - elapsed, 100));
        this.stop();
        const err = new Error(`took longer than ${Math.round(elapsed / 100) / 10} s in total for ${formatBytes(moved)} ` +
            `(the deadline is request-timeout, ${Math.round(this.timeoutMs / 100) / 10} s, plus 1 s ` +
            `for every ${formatBytes(this.bytesPerSecond)} moved)`);
        this.expire(Object.assign(err, { code: 'ETIMEDOUT', deadline: true }));
    }
}
/** Fails the upload when the source yields more or fewer bytes than the declared length. */
class LengthGuard extends Transform {
    expected;
    seen = 0;
    constructor(expected) {
        super();
        this.expected = expected;
    }
    _transform(chunk, _enc, done) {
        this.seen += chunk.length;
        if (this.seen > this.expected)
            done(new Error(`content is longer than ${this.expected} bytes`));
        else
            done(null, chunk);
    }
    _flush(done) {
        if (this.seen === this.expected)
            done();
        else
            done(new Error(`content ended after ${this.seen} of ${this.expected} bytes`));
    }
}
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/**
 * Sends a GET or HEAD, following up to `max` redirects. Authorization is dropped for good once
 * a redirect leaves the original origin (blob downloads go to storage hosts that must not see it).
 */
async function followRedirects(req, send, max) {
    let current = req;
    for (let hop = 0;; hop++) {
        const res = await send(current);
        const location = headerValue(res.headers, 'location');
        if (!REDIRECTS.has(res.status) || location === undefined)
            return res;
        res.discard();
        const next = new URL(location, current.url);
        if (hop >= max)
            throw new RedirectError(next);
        const headers = { ...current.headers };
        if (next.origin !== req.url.origin)
            delete headers.authorization;
        current = { ...current, url: next, headers };
    }
}
/**
 * Reads a whole (small) response body, refusing more than `limit.bytes` (a Content-Length that
 * says so up front is refused before reading).
 */
async function readBody(res, limit) {
    const tooLarge = () => {
        res.body.destroy();
        return new TooLargeError$1(`${limit.what} is larger than ${formatBytes(limit.bytes)}, the most this action reads: ` +
            limit.fix);
    };
    const declared = Number(headerValue(res.headers, 'content-length') ?? NaN);
    if (declared > limit.bytes)
        throw tooLarge();
    const chunks = [];
    let total = 0;
    for await (const chunk of res.body) {
        total += chunk.length;
        if (total > limit.bytes)
            throw tooLarge();
        chunks.push(chunk);
    }
    return Buffer.concat(chunks);
}
/** The first `bytes` of a response body (an error text); the rest is dropped. */
async function readPrefix(res, bytes) {
    const chunks = [];
    let total = 0;
    for await (const chunk of res.body) {
        chunks.push(chunk.subarray(0, bytes - total));
        total += Math.min(chunk.length, bytes - total);
        if (total >= bytes)
            break;
    }
    return Buffer.concat(chunks);
}
/** First value of a response header. */
function headerValue(headers, name) {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
}
/** The rel="next" target of a Link header (RFC 8288), resolved against `base`. */
function nextLink(link, base) {
    if (!link)
        return undefined;
    for (const m of link.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
        const rels = /;\s*rel\s*=\s*"?([^";,]*)"?/i.exec(m[2])?.[1] ?? '';
        if (rels.split(/\s+/).includes('next'))
            return new URL(m[1], base);
    }
    return undefined;
}
/** The media type without parameters ("application/json; charset=utf-8" -> "application/json"). */
function baseMediaType(contentType) {
    const t = contentType?.split(';')[0].trim().toLowerCase();
    return t ? t : undefined;
}

// Registry failures turned into messages that say what happened and what to do.
// Messages name the method, URL path and status, never credentials, tokens or query strings
// (upload locations and storage redirects can carry signed state there). Each status the client
// acts on has its own class (UnauthorizedError, DeniedError, NotFoundError, TooLargeError), and a
// request without an answer is a ConnectionError.
/** A registry (or a token service) failed, or answered something we cannot use. */
class RegistryError extends Error {
    details;
    constructor(message, details) {
        super(message);
        this.details = details;
        this.name = new.target.name;
    }
}
/** 401: the registry wants credentials, or other ones. */
class UnauthorizedError extends RegistryError {
}
/** 403: the credentials are valid but not allowed to do this. */
class DeniedError extends RegistryError {
}
/** 404: no such repository, manifest, blob or upload session. */
class NotFoundError extends RegistryError {
}
/** 413 or 416: the registry refuses a request this large (an upload wants smaller pieces). */
class TooLargeError extends RegistryError {
}
/** No HTTP answer at all. What the retry policy needs to know is kept as read-only facts. */
class ConnectionError extends RegistryError {
    code;
    connected;
    answeredBefore;
    constructor(message, details, 
    /** The system error code, e.g. ECONNRESET. */
    code, 
    /** The connection was up before it failed (a reset or a timeout mid-exchange). */
    connected, 
    /** This origin answered before, in this run (a registry restarting, not a wrong host). */
    answeredBefore) {
        super(message, details);
        this.code = code;
        this.connected = connected;
        this.answeredBefore = answeredBefore;
    }
}
/** The error class for an HTTP status. */
function errorClass(status) {
    if (status === 401)
        return UnauthorizedError;
    if (status === 403)
        return DeniedError;
    if (status === 404)
        return NotFoundError;
    if (status === 413 || status === 416)
        return TooLargeError;
    return RegistryError;
}
/** Characters of a registry's error text kept in a message. */
const MESSAGE_EXCERPT = 300;
const BODY_EXCERPT = 200;
const JOINED_EXCERPT = 1000;
/** Cuts an already redacted text. */
function shorten(text, max) {
    return text.length > max ? `${text.slice(0, max)}...` : text;
}
/**
 * `code: message` pairs from the distribution error JSON, or a short excerpt of other text.
 * Secrets are redacted before anything is shortened (a cut secret would no longer match).
 */
function describeBody(body, redact = (t) => t) {
    const raw = body.toString('utf8').trim();
    if (raw === '')
        return { codes: [], text: '' };
    try {
        const parsed = JSON.parse(raw);
        if (Array.isArray(parsed.errors)) {
            const codes = parsed.errors.map((e) => safeExcerpt(String(e.code ?? 'UNKNOWN'), redact, 60));
            const parts = parsed.errors.map((e, i) => {
                const message = typeof e.message === 'string' ? safeExcerpt(e.message, redact, MESSAGE_EXCERPT) : '';
                return message ? `${codes[i]}: ${message}` : codes[i];
            });
            return { codes, text: shorten(parts.join('; '), JOINED_EXCERPT) };
        }
    }
    catch {
        // not JSON: fall through to an excerpt
    }
    return { codes: [], text: safeExcerpt(raw, redact, BODY_EXCERPT) };
}
function httpError(f) {
    const { codes, text } = describeBody(f.body, f.redact);
    const where = `${f.url.origin}${f.url.pathname}`;
    const got = `${f.status}${f.statusText ? ` ${f.statusText}` : ''}`;
    const expected = f.expected ? ` (expected ${f.expected})` : '';
    const detail = text ? `: ${text}` : '';
    const hint = f.hint ?? hintFor(f, codes, text);
    const message = `${f.method} ${where} answered HTTP ${got}${expected}${detail}.${hint ? ` ${hint}` : ''}`;
    const details = { method: f.method, url: where, status: f.status, codes };
    if (f.retryAfter !== undefined)
        details.retryAfter = f.retryAfter;
    return new (errorClass(f.status))(f.redact(message), details);
}
/** Reads the error body of an unexpected response (a bounded prefix) and frees the response. */
async function responseError(res, method, source, context = {}) {
    let body = Buffer.alloc(0);
    try {
        body = method === 'HEAD' ? body : await readPrefix(res, MAX_ERROR_BODY_BYTES);
    }
    catch {
        // an unreadable error body still leaves the status to report
    }
    finally {
        res.discard();
    }
    return httpError({
        registry: source.registry,
        repository: context.repository,
        method,
        url: res.url,
        status: res.status,
        statusText: res.statusText,
        body,
        hasCredentials: source.hasCredentials,
        expected: context.expected,
        writing: context.writing,
        hint: context.hint,
        retryAfter: headerValue(res.headers, 'retry-after'),
        redact: (t) => source.redact(t)
    });
}
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** What to do about a status, in one or two sentences. */
function hintFor(f, codes = [], text = '') {
    const target = f.repository ? `${f.registry}/${f.repository}` : f.registry;
    const writing = f.writing ?? WRITE_METHODS.has(f.method);
    const github = isGhcr(f.registry) || GHCR_TEXT.test(text);
    if (f.status === 401) {
        if (!f.hasCredentials) {
            return `${f.registry} requires authentication and no credentials were given: pass a username and password.`;
        }
        const base = `The registry rejected the credentials: check the username and password for ${f.registry}.`;
        return github ? `${base} ${GHCR_TOKENS}` : base;
    }
    if (f.status === 403) {
        if (!f.hasCredentials) {
            return `${f.registry} refused anonymous access to ${target}: pass a username and password.`;
        }
        return forbiddenHint(f.registry, target, writing, github);
    }
    if (codes.includes('MANIFEST_BLOB_UNKNOWN') || codes.includes('BLOB_UNKNOWN')) {
        return 'A blob the manifest refers to is missing: push every blob before the manifest.';
    }
    if (codes.includes('DIGEST_INVALID')) {
        return 'The content sent does not match its digest: the file changed, or the upload was cut.';
    }
    if (codes.includes('MANIFEST_INVALID') || codes.includes('MANIFEST_UNVERIFIED')) {
        return 'The registry rejected the manifest: check its media type and fields.';
    }
    if (f.status === 404)
        return `Not found: check that the repository ${target} exists.`;
    if (f.status === 413 || f.status === 416) {
        return 'The request is too large for this registry (ghcr.io caps each request at 4 MiB).';
    }
    if (f.status === 429)
        return 'The registry is rate limiting requests: try again later.';
    if (f.status >= 500)
        return 'The registry failed on its side: try again later.';
    return '';
}
function forbiddenHint(registry, target, writing, github) {
    const action = writing ? 'push to' : 'read';
    const base = `The credentials are valid but not allowed to ${action} ${target}.`;
    if (!github)
        return `${base} Check the account's permissions on that repository.`;
    return (`${base} For ghcr.io from GitHub Actions: grant the job \`permissions: packages: write\`, ` +
        "and if the package already exists, give this repository the Write role in the package's " +
        '"Manage Actions access" settings (or link the package to the repository with the ' +
        'org.opencontainers.image.source annotation).');
}
const GHCR_TOKENS = 'For ghcr.io, use the workflow token (GITHUB_TOKEN, with `permissions: packages: write`) or a ' +
    'classic personal access token with write:packages (GitHub App installation tokens are not ' +
    'accepted).';
// GitHub's registries (ghcr.io, and containers.<host> on GitHub Enterprise Server) word their
// permission errors like this.
const GHCR_TEXT = /permission_denied|write_package|read_package/i;
function isGhcr(registry) {
    return (registry === 'ghcr.io' || registry.startsWith('ghcr.io:') || registry.startsWith('containers.'));
}
/** A request that got no HTTP answer at all. */
function networkError(method, url, err, plainHttp, answeredBefore = false) {
    const e = (err ?? {});
    const connected = e.connected === true;
    // Node 20's connection attempts to several addresses fail with an AggregateError.
    const code = e.code ?? e.errors?.[0]?.code;
    const raw = e.message || e.errors?.[0]?.message || code || String(err);
    const reason = raw.replace(/\s+/g, ' ').trim();
    const where = `${url.origin}${url.pathname}`;
    const details = { method, url: where, codes: code ? [code] : [] };
    const failed = (message) => new ConnectionError(message, details, code, connected, answeredBefore);
    if (e.deadline === true) {
        return failed(`the registry is too slow: ${method} ${where} ${reason}. Check the registry and the ` +
            'network, or raise request-timeout.');
    }
    let hint = 'Check the registry host and port, and that this machine can reach it.';
    if (/wrong version number|packet length too long|EPROTO/i.test(`${code} ${reason}`)) {
        hint = 'The server does not speak TLS here: if it is a plain-HTTP registry, enable plain HTTP.';
    }
    else if (plainHttp && code === 'ECONNRESET') {
        hint += ' Plain HTTP is enabled: if the registry uses TLS, disable plain HTTP.';
    }
    return failed(`cannot reach the registry: ${method} ${where} failed (${reason}). ${hint}`);
}

// Validation of the names a registry accepts, with errors that say how to fix the input.
// Grammars from the distribution reference spec (distribution/reference, OCI distribution-spec).
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST_RE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const HEX_LENGTH = { sha256: 64, sha512: 128 };
// A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
const HOST_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::([0-9]{1,5}))?$/;
/** Throws unless `name` is a valid repository path such as "acme/plugins/plugin/foo". */
function validateRepositoryName(name) {
    if (NAME_RE.test(name) && name.length <= 255)
        return name;
    const problems = [];
    if (name === '')
        problems.push('it is empty');
    if (/[A-Z]/.test(name))
        problems.push(`it has capitals (use "${name.toLowerCase()}")`);
    if (name.length > 255)
        problems.push('it is longer than 255 characters');
    if (/^\/|\/$|\/\//.test(name))
        problems.push('it has an empty path component');
    if (/^[a-z]+:\/\//i.test(name) || name.includes(':')) {
        problems.push('it must not contain a scheme, a registry port or a tag');
    }
    const why = problems.length > 0 ? ` (${problems.join('; ')})` : '';
    throw new Error(`invalid repository name "${name}"${why}: a repository name is lowercase letters and digits, ` +
        'with ".", "_", "__" or "-" only between them, and "/" between path components, ' +
        'e.g. "acme/plugins/plugin/foo"');
}
/** Throws unless `tag` is a valid OCI tag. */
function validateTag(tag) {
    if (TAG_RE.test(tag))
        return tag;
    if (tag.includes('+')) {
        throw new Error(`invalid tag "${tag}": OCI tags cannot contain "+", so semver build metadata ` +
            '(as in 1.2.3+build) must be dropped or mapped to another character before pushing');
    }
    if (tag.length > 128)
        throw new Error(`invalid tag "${tag}": tags are at most 128 characters`);
    throw new Error(`invalid tag "${tag}": a tag starts with a letter, digit or "_" and continues with ` +
        'letters, digits, ".", "_" or "-" (at most 128 characters)');
}
/** True when `reference` has the shape of a digest ("sha256:<hex>"), rather than a tag. */
function isDigest(reference) {
    return DIGEST_RE.test(reference);
}
/** Throws unless `digest` is a well-formed digest; sha256 and sha512 are length-checked. */
function validateDigest(digest) {
    const m = DIGEST_RE.exec(digest);
    const expected = m ? HEX_LENGTH[m[1]] : undefined;
    if (m && (expected === undefined || new RegExp(`^[a-f0-9]{${expected}}$`).test(m[2]))) {
        return digest;
    }
    throw new Error(`invalid digest "${digest}": expected "sha256:" followed by 64 lowercase hex digits`);
}
/** A manifest reference is either a tag or a digest. */
function validateReference(reference) {
    return isDigest(reference) ? validateDigest(reference) : validateTag(reference);
}
/** Throws unless `host` is "host" or "host:port" (no scheme, no path); returns it lowercased. */
function validateRegistryHost(host) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
        throw new Error(`invalid registry "${host}": give the host without a scheme (like ghcr.io or ` +
            'localhost:5000); HTTPS is the default and plain HTTP is a separate option');
    }
    const m = HOST_RE.exec(host);
    const port = m?.[1] === undefined ? undefined : Number(m[1]);
    if (!m || (port !== undefined && (port < 1 || port > 65535))) {
        throw new Error(`invalid registry "${host}": expected a host name with an optional port, like ghcr.io ` +
            'or 127.0.0.1:5000, without a path or credentials');
    }
    return host.toLowerCase();
}

// The second layer of the registry client (as in oras-go: transport, retry, auth): which failures
// are worth another attempt, and retries with capped exponential backoff and full jitter,
// honouring Retry-After, within a time budget. The clock and the random source are injectable so
// tests are deterministic and fast.
const systemClock = {
    now: () => Date.now(),
    sleep: (ms) => setTimeout$1(ms)
};
const DEFAULT_RETRY_BUDGET_MS = 5 * 60_000;
const DEFAULT_RETRY_BASE_DELAY_MS = 500;
const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;
/** A guard against loops that make no progress in time (a fake clock, zero delays). */
const MAX_ATTEMPTS = 100;
/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniform wait in
 * [0, min(cap, base * 2^(retry-1))]. `retry` counts from 1 for the first retry.
 */
function backoffDelay(retry, baseMs, capMs, random) {
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(retry - 1, 0), 40));
    const r = Math.min(Math.max(random(), 0), 1);
    return Math.floor(r * ceiling);
}
/**
 * A Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Returns the wait in
 * ms from `now` (0 for a date in the past), or undefined when absent or malformed.
 */
function parseRetryAfter(value, now) {
    const v = value?.trim();
    if (!v)
        return undefined;
    if (/^\d+$/.test(v))
        return Number(v) * 1000;
    // A date has letters ("Wed, 21 Oct 2015 07:28:00 GMT"); "-1" or "1.5" are not valid.
    if (!/[a-z]/i.test(v))
        return undefined;
    const at = Date.parse(v);
    return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
/** The wait before a retry: the backoff, but never less than the server asked for. */
function retryDelay(retry, policy, retryAfterMs) {
    const backoff = backoffDelay(retry, policy.baseDelayMs, policy.maxDelayMs, policy.random);
    return retryAfterMs === undefined ? backoff : Math.max(backoff, retryAfterMs);
}
/** Marks an error that already went through a retry loop, so enclosing loops rethrow it as is. */
const EXHAUSTED = Symbol('retries exhausted');
function retriesExhausted(err) {
    return typeof err === 'object' && err !== null && EXHAUSTED in err;
}
// The deadline of the operation being retried, shared by nested retry loops (a token request
// inside a blob upload), so that nesting never stretches the budget.
const deadlines = new AsyncLocalStorage();
/**
 * Runs `op` until it succeeds, fails for good, or the budget would be exceeded by the next
 * wait. The last error is rethrown with a note on how many attempts were made.
 */
async function withRetries(what, policy, hooks, op) {
    const { clock } = policy;
    const start = clock.now();
    const outer = deadlines.getStore();
    const deadline = Math.min(outer ?? Infinity, start + Math.max(0, policy.budgetMs));
    for (let attempt = 1;; attempt++) {
        try {
            return await deadlines.run(deadline, () => op(attempt));
        }
        catch (err) {
            if (retriesExhausted(err))
                throw err;
            const why = hooks.classify(err);
            if (why === undefined)
                throw err;
            const left = deadline - clock.now();
            const delay = retryDelay(attempt, policy, why.retryAfterMs);
            if (policy.budgetMs <= 0)
                throw err;
            if (attempt >= MAX_ATTEMPTS || delay >= left) {
                throw exhausted(err, attempt, clock.now() - start, policy.budgetMs, why, left);
            }
            hooks.onRetry(what, why, delay, attempt, left);
            await clock.sleep(delay);
        }
    }
}
function exhausted(err, attempts, elapsedMs, budgetMs, why, left) {
    if (!(err instanceof Error))
        return err;
    const asked = why.retryAfterMs !== undefined && why.retryAfterMs >= left
        ? `; the registry asked to wait ${seconds(why.retryAfterMs)}, beyond the budget`
        : '';
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    err.message +=
        ` (gave up after ${tries} in ${seconds(elapsedMs)}; ` +
            `retry budget ${seconds(budgetMs)}${asked})`;
    Object.defineProperty(err, EXHAUSTED, { value: true });
    return err;
}
/** "1.5 s", "300 ms" */
function seconds(ms) {
    if (ms < 1000)
        return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}
/** Statuses that say "try again": the request may succeed as is a little later. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
// Failures once a connection is up: the network or the server dropped it. Worth retrying.
const AFTER_CONNECT = new Set([
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'ECONNABORTED',
    'ERR_STREAM_PREMATURE_CLOSE'
]);
// Failures to connect at all: retried only on a host that answered before (a restart), so that
// a wrong or unreachable host fails fast with a clear message.
const CONNECT = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENOTFOUND'
]);
// Temporary by definition.
const ALWAYS = new Set(['EAI_AGAIN']);
/** Why a failed request is worth another attempt, or undefined when it is final. */
function transientFailure(err, now) {
    if (err instanceof ConnectionError) {
        const code = err.code ?? '';
        const transient = ALWAYS.has(code) ||
            (err.connected && AFTER_CONNECT.has(code)) ||
            (err.answeredBefore && CONNECT.has(code));
        return transient ? { reason: `connection failed (${err.code ?? 'unknown'})` } : undefined;
    }
    if (!(err instanceof RegistryError))
        return undefined;
    const { status } = err.details;
    return status !== undefined && RETRYABLE_STATUSES.has(status) ? statusReason(err, now) : undefined;
}
/** "HTTP 503 CODE, Retry-After 2 s", with the wait the registry asked for. */
function statusReason(err, now) {
    const { status, codes, retryAfter } = err.details;
    const code = codes.length > 0 ? ` ${codes.join(', ')}` : '';
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    const asked = retryAfterMs === undefined ? '' : `, Retry-After ${seconds(retryAfterMs)}`;
    return { reason: `HTTP ${status}${code}${asked}`, retryAfterMs };
}
/**
 * Retries requests to the layer below: 408, 429, 500, 502, 503, 504 and dropped connections,
 * within the retry budget. Every request can be repeated as is: bodies are Buffers, or StreamBody
 * and GrowingBody sources that start again from their first byte. A retried status that still fails is thrown as a
 * RegistryError (with the registry's text); other statuses are returned for the caller to judge.
 */
class RetryingClient {
    inner;
    policy;
    logger;
    source;
    constructor(inner, policy, logger, source) {
        this.inner = inner;
        this.policy = policy;
        this.logger = logger;
        this.source = source;
    }
    send(req) {
        const { retry, context, ...request } = req;
        if (retry === false)
            return this.inner.send(request);
        return this.run(`${req.method} ${req.url.origin}${req.url.pathname}`, async () => {
            const res = await this.inner.send(request);
            if (RETRYABLE_STATUSES.has(res.status)) {
                throw await responseError(res, req.method, this.source, context);
            }
            return res;
        });
    }
    /**
     * Runs an operation of several requests (a blob upload) under the policy: `op` runs again when
     * it throws a failure that `classify` (default: transientFailure) finds worth retrying. Loops
     * nest safely: they share one deadline.
     */
    run(what, op, classify = transientFailure) {
        return withRetries(this.source.redact(what), this.policy, {
            classify: (err) => classify(err, this.policy.clock.now()),
            onRetry: (label, why, delay, attempt, left) => this.logger.info(this.source.redact(`${label}: ${why.reason}; retrying in ${seconds(delay)} ` +
                `(attempt ${attempt + 1}, ${seconds(left)} of the retry budget left)`))
        }, op);
    }
}

// The third layer of the registry client (as in oras-go: transport, retry, auth): the
// WWW-Authenticate challenge, HTTP Basic, and the distribution token flow (GET
// realm?service=&scope= -> {token | access_token}, or the OAuth2 refresh-token POST), with a
// token cache per scope. It owns its token requests, sent through the retry layer.
/** Parses a WWW-Authenticate header into its challenges (RFC 9110 §11.6.1). */
function parseChallenges(header) {
    const out = [];
    const s = header;
    let i = 0;
    const skip = (chars) => {
        while (i < s.length && chars.test(s[i]))
            i++;
    };
    const token = () => {
        const start = i;
        while (i < s.length && !/[\s,="]/.test(s[i]))
            i++;
        return s.slice(start, i);
    };
    while (i < s.length) {
        skip(/[\s,]/);
        const name = token();
        if (name === '') {
            i++; // stray character: move on
            continue;
        }
        skip(/\s/);
        const current = out[out.length - 1];
        if (s[i] === '=' && current) {
            i++;
            skip(/\s/);
            current.params[name.toLowerCase()] = s[i] === '"' ? quoted() : token();
        }
        else {
            out.push({ scheme: name.toLowerCase(), params: {} });
        }
    }
    return out;
    function quoted() {
        let value = '';
        for (i++; i < s.length && s[i] !== '"'; i++)
            value += s[i] === '\\' ? s[++i] : s[i];
        i++;
        return value;
    }
}
// Tokens without expires_in live 60 s (distribution token spec); renew a little early.
const DEFAULT_TOKEN_SECONDS = 60;
const EARLY_RENEW_MS = 5_000;
const OAUTH_CLIENT_ID = 'falco-plugin-release';
class AuthClient {
    inner;
    opts;
    scheme;
    bearer;
    tokens = new Map();
    pending = new Map();
    basicHeader;
    credentials;
    now;
    constructor(
    /** The retry layer: registry requests and token requests go through it. */
    inner, opts) {
        this.inner = inner;
        this.opts = opts;
        const { credentials, registry, secret } = opts;
        this.credentials = credentials;
        this.now = opts.now ?? Date.now;
        if (credentials?.password) {
            const encoded = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
            this.basicHeader = `Basic ${encoded}`;
            secret(encoded, `the HTTP Basic credentials for ${registry}`);
        }
        if (credentials?.identityToken) {
            secret(credentials.identityToken, `the identity token for ${registry}`);
        }
    }
    /** Sends a registry request with what earlier challenges taught us; on a 401, renews once. */
    async send(req) {
        const { scope, ...request } = req;
        const first = await this.authorization(scope);
        const res = await this.inner.send(this.authorized(request, first));
        // Only the registry's own 401s are challenges; storage hosts behind redirects are not.
        if (res.status !== 401 || res.url.origin !== this.opts.origin)
            return res;
        const challenge = headerValue(res.headers, 'www-authenticate');
        res.discard();
        const renewed = await this.renew(challenge, scope, first);
        return this.inner.send(this.authorized(request, renewed));
    }
    /** Registry credentials go to the registry's origin only, never to another host. */
    authorized(req, authorization) {
        if (!authorization || req.url.origin !== this.opts.origin)
            return req;
        return { ...req, headers: { ...req.headers, authorization } };
    }
    get hasCredentials() {
        return this.credentials !== undefined;
    }
    get identityToken() {
        return this.credentials?.identityToken || undefined;
    }
    /** Authorization to send up front, from what earlier challenges taught us. */
    async authorization(scope) {
        if (this.scheme === 'basic')
            return this.basicHeader;
        if (this.scheme !== 'bearer')
            return undefined;
        const cached = this.tokens.get(this.key(scope));
        if (cached && cached.expiresAt > this.now())
            return cached.header;
        return this.fetchToken(scope);
    }
    /**
     * After a 401: learns the scheme, gets fresh authorization, returns it for one retry.
     * `rejected` is what the refused request sent: a token that a concurrent request has renewed
     * since is reused rather than fetched again.
     */
    async renew(wwwAuthenticate, scope, rejected) {
        const challenges = parseChallenges(wwwAuthenticate ?? '');
        const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
        if (bearer) {
            this.scheme = 'bearer';
            this.bearer = { realm: bearer.params.realm, service: bearer.params.service };
            const effective = scope ?? bearer.params.scope;
            const key = this.key(effective);
            const pending = this.pending.get(key);
            if (pending)
                return pending;
            const cached = this.tokens.get(key);
            if (cached && cached.header !== rejected && cached.expiresAt > this.now()) {
                return cached.header;
            }
            this.tokens.delete(key);
            return this.fetchToken(effective);
        }
        if (challenges.some((c) => c.scheme === 'basic')) {
            if (!this.basicHeader) {
                if (this.identityToken) {
                    throw new UnauthorizedError(`${this.opts.registry} asks for HTTP Basic authentication, which an identity ` +
                        'token cannot do: give a username and password instead.', { method: 'GET', url: this.opts.registry, status: 401, codes: [] });
                }
                throw this.missingCredentials('HTTP Basic');
            }
            this.scheme = 'basic';
            return this.basicHeader;
        }
        const seen = challenges.map((c) => c.scheme).join(', ') || 'none';
        throw new UnauthorizedError(`${this.opts.registry} answered 401 without a supported authentication challenge ` +
            `(WWW-Authenticate schemes: ${seen}): is this an OCI registry?`, { method: 'GET', url: this.opts.registry, status: 401, codes: [] });
    }
    key(scope) {
        return `${this.bearer?.realm} ${this.bearer?.service ?? ''} ${scope ?? ''}`;
    }
    /** One token request per scope at a time: concurrent requests share it. */
    fetchToken(scope) {
        const key = this.key(scope);
        let p = this.pending.get(key);
        if (!p) {
            p = this.requestToken(scope).finally(() => this.pending.delete(key));
            this.pending.set(key, p);
        }
        return p;
    }
    async requestToken(scope) {
        const { realm, service } = this.bearer ?? { realm: '' };
        const url = new URL(realm);
        if (service)
            url.searchParams.set('service', service);
        if (scope)
            url.searchParams.set('scope', scope);
        const sendsSecret = this.basicHeader !== undefined || this.identityToken !== undefined;
        const refusal = sendsSecret ? this.refuseRealm(url) : undefined;
        if (refusal !== undefined) {
            throw new RegistryError(`refusing to send credentials for ${this.opts.registry} to the token service ` +
                `${url.origin}${url.pathname}, which ${refusal}. Credentials go to a token service only ` +
                "over HTTPS, or over plain HTTP on the registry's own host: the registry must name " +
                'such a realm in its WWW-Authenticate challenge.', { method: 'GET', url: `${url.origin}${url.pathname}`, codes: [] });
        }
        // An identity token is exchanged with the OAuth2 refresh-token grant (a form POST to the
        // realm); a username and password go as HTTP Basic on a GET.
        const oauth = this.identityToken !== undefined;
        const target = oauth ? new URL(realm) : url;
        const method = oauth ? 'POST' : 'GET';
        const res = await this.inner.send({
            method,
            url: target,
            headers: {
                accept: 'application/json',
                ...(oauth ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
                ...(!oauth && this.basicHeader ? { authorization: this.basicHeader } : {})
            },
            body: oauth ? Buffer.from(this.refreshForm(service, scope)) : undefined,
            read: {
                bytes: MAX_TOKEN_RESPONSE_BYTES,
                what: `the answer of the token service ${target.origin}${target.pathname}`,
                fix: 'a token service answers a small JSON object; check the realm the registry names.'
            }
        });
        if (res.status === 401 && !sendsSecret) {
            res.discard();
            throw this.missingCredentials('a token');
        }
        if (res.status !== 200) {
            throw await responseError(res, method, this.opts.source, scopeContext(scope));
        }
        const { token, expiresIn } = parseTokenResponse(res.data ?? Buffer.alloc(0), url);
        this.opts.secret(token, `the token issued by ${url.origin}`);
        const header = `Bearer ${token}`;
        const seconds = expiresIn ?? DEFAULT_TOKEN_SECONDS;
        this.tokens.set(this.key(scope), {
            header,
            expiresAt: this.now() + Math.max(0, seconds * 1000 - EARLY_RENEW_MS)
        });
        return header;
    }
    /**
     * Why credentials must not go to this token service, or undefined when they may. Like docker,
     * we follow the realm the registry names, even to another host (Docker Hub's is
     * auth.docker.io); unlike docker, never over plain HTTP to another host, where anyone on the
     * path could read them. A plain-HTTP realm on the registry's own host is a local setup the
     * user opted into with plain HTTP.
     */
    refuseRealm(url) {
        if (url.protocol === 'https:')
            return undefined;
        if (!this.opts.plainHttp)
            return 'is not HTTPS (the registry is)';
        const registryHost = new URL(`http://${this.opts.registry}`).hostname;
        if (url.hostname === registryHost)
            return undefined;
        return `is plain HTTP on another host than ${registryHost}`;
    }
    /** OAuth2 refresh-token grant (the distribution "oauth" token spec). */
    refreshForm(service, scope) {
        const form = new URLSearchParams({ grant_type: 'refresh_token' });
        if (service)
            form.set('service', service);
        if (scope)
            form.set('scope', scope);
        form.set('client_id', OAUTH_CLIENT_ID);
        form.set('refresh_token', this.identityToken ?? '');
        return form.toString();
    }
    missingCredentials(what) {
        return new UnauthorizedError(`${this.opts.registry} requires credentials (${what}) and none were given: ` +
            'pass a username and password.', { method: 'GET', url: this.opts.registry, status: 401, codes: [] });
    }
}
function parseTokenResponse(body, url) {
    let parsed = {};
    try {
        parsed = JSON.parse(body.toString('utf8'));
    }
    catch {
        // reported below
    }
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || token === '') {
        throw new RegistryError(`the token endpoint ${url.origin}${url.pathname} answered without a token`, { method: 'GET', url: `${url.origin}${url.pathname}`, status: 200, codes: [] });
    }
    const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : undefined;
    return { token, expiresIn };
}
/** "repository:acme/foo:pull,push" -> the repository and whether it asks to push. */
function scopeContext(scope) {
    const m = /^repository:(.+):([a-z,*]+)$/.exec(scope ?? '');
    return m ? { repository: m[1], writing: m[2].split(',').includes('push') } : {};
}

const MAX_REDIRECTS = 5;
class Transport {
    opts;
    /** Origins that answered at least once: a later failure to connect there may be a restart. */
    answered = new Set();
    constructor(opts) {
        this.opts = opts;
    }
    async send(req) {
        const headers = { 'user-agent': this.opts.userAgent, ...req.headers };
        const request = { method: req.method, url: req.url, headers, body: req.body };
        const once = async (r) => {
            const res = await roundTrip(r, this.opts.timeoutMs);
            this.answered.add(r.url.origin);
            return res;
        };
        let res;
        try {
            res =
                req.method === 'GET' || req.method === 'HEAD'
                    ? await followRedirects(request, once, MAX_REDIRECTS)
                    : await once(request);
        }
        catch (err) {
            throw this.noAnswer(req, err);
        }
        this.opts.logger.debug(`${req.method} ${res.url.origin}${res.url.pathname} -> ${res.status}`);
        if (req.read !== undefined && req.method !== 'HEAD' && res.status >= 200 && res.status < 300) {
            try {
                res.data = await readBody(res, req.read);
            }
            catch (err) {
                res.discard();
                throw this.noAnswer({ ...req, url: res.url }, err);
            }
        }
        return res;
    }
    /** A failure without a (whole) answer: the network's (ConnectionError), or a local one. */
    noAnswer(req, err) {
        if (err instanceof RegistryError)
            return err;
        const where = `${req.url.origin}${req.url.pathname}`;
        const code = err.code;
        if (err instanceof BodySourceError || err instanceof RedirectError || code === undefined) {
            const message = this.opts.redact(`${req.method} ${where}: ${err.message}`);
            return new RegistryError(message, { method: req.method, url: where, codes: [] });
        }
        const e = networkError(req.method, req.url, err, this.opts.plainHttp, this.answered.has(req.url.origin));
        return new ConnectionError(this.opts.redact(e.message), e.details, e.code, e.connected, e.answeredBefore);
    }
}

class Session {
    opts;
    /** The top layer: every registry request goes through it. */
    client;
    retry;
    /** The project's one masking rule (secrets.ts), for the texts the layers build. */
    mask = new SecretMask();
    source;
    constructor(opts) {
        this.opts = opts;
        const secret = (value, what) => {
            this.mask.add(value);
            opts.logger.secret(value, what);
        };
        if (opts.credentials) {
            const { username, password } = opts.credentials;
            // With the username: base64 of "user:password" is what an HTTP Basic header carries.
            this.mask.add(password, username);
            secret(password, `the password for ${opts.registry}`);
        }
        const redact = (text) => this.mask.redact(text);
        this.source = {
            registry: opts.registry,
            hasCredentials: opts.credentials !== undefined,
            redact
        };
        const transport = new Transport({
            timeoutMs: opts.timeoutMs,
            userAgent: opts.userAgent,
            plainHttp: opts.plainHttp,
            logger: opts.logger,
            redact
        });
        this.retry = new RetryingClient(transport, opts.retry, opts.logger, this.source);
        this.client = new AuthClient(this.retry, {
            registry: opts.registry,
            origin: opts.baseUrl.origin,
            plainHttp: opts.plainHttp,
            credentials: opts.credentials,
            source: this.source,
            secret,
            now: () => opts.retry.clock.now()
        });
    }
    get registry() {
        return this.opts.registry;
    }
    get baseUrl() {
        return this.opts.baseUrl;
    }
    get hasCredentials() {
        return this.source.hasCredentials;
    }
    get logger() {
        return this.opts.logger;
    }
    /** One request, authenticated and retried as the request asks. */
    send(req) {
        return this.client.send(req);
    }
    /** Runs a multi-request operation (a blob upload) under the retry policy. */
    retrying(what, op, classify = transientFailure) {
        return this.retry.run(what, op, classify);
    }
    /** Reads the error body of an unexpected response and throws a RegistryError. */
    async fail(res, method, context = {}) {
        throw await responseError(res, method, this.source, context);
    }
    /** Removes every known secret from a text (registry-supplied text included). */
    redact(text) {
        return this.mask.redact(text);
    }
}

// OCI 1.1 referrers: manifests that point at another one through `subject` (signatures,
// attestations). A registry with the referrers API indexes them itself; on one without it
// (e.g. distribution 2.8, ghcr.io) the client keeps the list in an image index tagged
// `<alg>-<hex>` (the "referrers tag schema" of the distribution spec). Nothing Falco-specific.
/** The fallback tag that lists the referrers of `digest`: sha256:abc... -> sha256-abc... */
function referrersTag(digest) {
    validateDigest(digest);
    return digest.replace(':', '-').slice(0, 128);
}
function isDescriptor(d) {
    if (typeof d !== 'object' || d === null)
        return false;
    const o = d;
    return (typeof o.mediaType === 'string' && typeof o.digest === 'string' && typeof o.size === 'number');
}
/** The descriptors of a referrers list (an image index), as the API or the fallback tag serves it. */
function parseReferrersIndex(body) {
    let index;
    try {
        index = JSON.parse(body.toString('utf8'));
    }
    catch {
        throw new Error('is not JSON');
    }
    if (typeof index !== 'object' || index === null)
        throw new Error('is not an image index');
    if (index.manifests === undefined || index.manifests === null)
        return [];
    if (!Array.isArray(index.manifests))
        throw new Error('has no list of manifests');
    return index.manifests.filter(isDescriptor);
}
/**
 * Pushes a referrer manifest by digest, then makes it discoverable: nothing more on a target
 * with the referrers API, else it is added to the fallback index at referrersTag(subject)
 * (kept as it was when it already lists the manifest).
 */
async function attachReferrer(target, subject, referrer) {
    const digest = sha256Digest(referrer.body);
    await target.pushManifest(referrer.body, OCI_MANIFEST, digest);
    const listed = await target.listReferrers(subject);
    if (listed !== undefined)
        return { digest, via: 'api' };
    const tag = referrersTag(subject);
    const existing = await target.fetchManifest(tag);
    let manifests = [];
    let index = { schemaVersion: 2, mediaType: OCI_INDEX };
    if (existing !== undefined) {
        try {
            index = JSON.parse(existing.body.toString('utf8'));
            manifests = parseReferrersIndex(existing.body);
        }
        catch (err) {
            throw new Error(`${target.location}:${tag} should list the referrers of ${subject}, but it ${err.message}: ` +
                'delete that tag (it is rebuilt from the referrers pushed next)');
        }
        if (manifests.some((d) => d.digest === digest))
            return { digest, via: 'tag', tag };
    }
    const descriptor = {
        mediaType: OCI_MANIFEST,
        digest,
        size: referrer.body.length,
        ...(referrer.annotations && Object.keys(referrer.annotations).length > 0
            ? { annotations: referrer.annotations }
            : {}),
        artifactType: referrer.artifactType
    };
    const updated = {
        ...index,
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [...manifests, descriptor]
    };
    await target.pushManifest(Buffer.from(JSON.stringify(updated)), OCI_INDEX, tag);
    return { digest, via: 'tag', tag };
}

// A small OCI distribution client: blobs (HEAD, then POST + a monolithic streamed PUT, or
// chunked PATCHes), manifests, tags. Knows nothing about what the artifacts mean.
const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_CHUNK_SIZE = 4 << 20;
/** Chunked uploads refused as too large halve their chunk size down to this. */
const MIN_CHUNK_SIZE = 256 << 10;
class RegistryClient {
    registry;
    session;
    uploads;
    constructor(opts) {
        this.registry = validateRegistryHost(opts.registry);
        // An empty password is no login at all (e.g. an unset secret): go anonymous.
        const c = opts.credentials;
        const credentials = c?.password || c?.identityToken ? c : undefined;
        this.session = new Session({
            registry: this.registry,
            baseUrl: new URL(`${opts.plainHttp ? 'http' : 'https'}://${this.registry}`),
            plainHttp: opts.plainHttp ?? false,
            credentials,
            logger: opts.logger ?? silentLogger,
            userAgent: opts.userAgent ?? 'falco-plugin-release',
            timeoutMs: positive('timeoutMs', opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
            retry: {
                budgetMs: atLeastZero('retryBudgetMs', opts.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS),
                baseDelayMs: atLeastZero('retryBaseDelayMs', opts.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS),
                maxDelayMs: atLeastZero('retryMaxDelayMs', opts.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS),
                random: opts.random ?? Math.random,
                clock: opts.clock ?? systemClock
            }
        });
        this.uploads = {
            chunkSize: positive('chunkSize', opts.chunkSize ?? DEFAULT_CHUNK_SIZE),
            chunkedThreshold: atLeastZero('chunkedThreshold', opts.chunkedThreshold ?? Infinity),
            preferChunked: false
        };
    }
    repository(name) {
        return new RegistryRepository(this.session, validateRepositoryName(name), this.uploads);
    }
}
function positive(name, value) {
    if (value > 0 && !Number.isNaN(value))
        return value;
    throw new Error(`invalid ${name} ${value}: expected a number above 0`);
}
function atLeastZero(name, value) {
    if (value >= 0 && !Number.isNaN(value))
        return value;
    throw new Error(`invalid ${name} ${value}: expected a number of at least 0`);
}
class RegistryRepository {
    session;
    name;
    location;
    uploads;
    constructor(session, name, uploads) {
        this.session = session;
        this.name = name;
        this.location = `${session.registry}/${name}`;
        this.uploads = uploads ?? {
            chunkSize: DEFAULT_CHUNK_SIZE,
            chunkedThreshold: Infinity,
            preferChunked: false
        };
    }
    async blobExists(digest) {
        validateDigest(digest);
        const res = await this.send({ method: 'HEAD', url: this.url(`blobs/${digest}`) });
        if (res.status !== 200 && res.status !== 404)
            return this.fail(res, 'HEAD', '200 or 404');
        res.discard();
        return res.status === 200;
    }
    async pushBlob(blob) {
        validateDigest(blob.digest);
        if (await this.blobExists(blob.digest))
            return { uploaded: false, bytes: 0 };
        return this.session.retrying(`uploading ${blob.digest} to ${this.location}`, async (attempt) => {
            // A broken upload restarts from a new upload session (POST), never from the spent one.
            // The last attempt may have stored the blob and lost only the answer: look first.
            if (attempt > 1 && (await this.blobExists(blob.digest))) {
                return { uploaded: true, bytes: blob.size };
            }
            await this.upload(blob);
            return { uploaded: true, bytes: blob.size };
        }, 
        // The registry forgot the upload session (expired, or another node): a new one may work.
        (err, now) => transientFailure(err, now) ??
            (err instanceof NotFoundError && err.details.codes.includes('BLOB_UPLOAD_UNKNOWN')
                ? statusReason(err, now)
                : undefined));
    }
    pushBlobs(blobs, concurrency = DEFAULT_BLOB_CONCURRENCY) {
        return pushEach(blobs, concurrency, (b) => this.pushBlob(b));
    }
    /** One upload session: monolithic, or chunked; too-large answers switch or shrink chunks. */
    async upload(blob) {
        const u = this.uploads;
        let chunk = u.preferChunked || blob.size > u.chunkedThreshold ? u.chunkSize : undefined;
        for (;;) {
            try {
                if (chunk === undefined)
                    await this.uploadMonolithic(blob);
                else
                    await this.uploadChunked(blob, chunk);
                return;
            }
            catch (err) {
                if (!isTooLarge(err))
                    throw err;
                const status = err.details.status;
                if (chunk === undefined) {
                    chunk = u.chunkSize;
                    u.preferChunked = true;
                    this.session.logger.info(`${this.location}: the registry refused a ${blob.size}-byte upload in one request ` +
                        `(HTTP ${status}); uploading in chunks of ${chunk} bytes`);
                }
                else if (chunk > MIN_CHUNK_SIZE) {
                    chunk = Math.max(MIN_CHUNK_SIZE, Math.floor(chunk / 2));
                    u.chunkSize = Math.min(u.chunkSize, chunk);
                    this.session.logger.info(`${this.location}: the registry refused a chunk as too large (HTTP ${status}); ` +
                        `retrying with chunks of ${chunk} bytes`);
                }
                else {
                    throw err;
                }
            }
        }
    }
    async uploadMonolithic(blob) {
        const { url } = await this.startUpload();
        withDigest(url, blob.digest);
        const res = await this.send({
            method: 'PUT',
            url,
            headers: { 'content-type': 'application/octet-stream' },
            body: { size: blob.size, open: () => blob.open() },
            write: true,
            retry: false
        });
        await this.checkStored(res, url, blob.digest);
    }
    /**
     * PATCHes of `chunkSize` bytes (at least the registry's OCI-Chunk-Min-Length) with
     * Content-Range, following the Location and the Range the registry answers, then a PUT with
     * the digest. Holds one chunk in memory at most.
     */
    async uploadChunked(blob, chunkSize) {
        const started = await this.startUpload();
        let url = started.url;
        const size = Math.max(chunkSize, started.minChunk);
        const reader = new ChunkReader(blob.open(), blob.size);
        try {
            let offset = 0;
            while (offset < blob.size) {
                const chunkStart = offset;
                const chunk = await this.readChunk(reader, Math.min(size, blob.size - offset), url);
                while (offset < chunkStart + chunk.length) {
                    const part = chunk.subarray(offset - chunkStart);
                    const end = offset + part.length;
                    const res = await this.send({
                        method: 'PATCH',
                        url,
                        headers: {
                            'content-type': 'application/octet-stream',
                            'content-range': `${offset}-${end - 1}`
                        },
                        body: part,
                        write: true,
                        retry: false
                    });
                    if (res.status !== 202)
                        return this.fail(res, 'PATCH', '202 Accepted');
                    res.discard();
                    url = this.uploadLocation(res, url, 'PATCH');
                    // The registry says how much it holds: continue from there.
                    const held = rangeEnd(headerValue(res.headers, 'range'));
                    const next = held === undefined ? end : held + 1;
                    if (next <= offset || next > end) {
                        throw this.mismatch('PATCH', url, `answered Range ${headerValue(res.headers, 'range')} after bytes ${offset}-${end - 1}`);
                    }
                    offset = next;
                }
            }
            await this.readChunk(reader, 0, url);
        }
        finally {
            reader.close();
        }
        await this.closeUpload(url, blob.digest);
    }
    /** The PUT that ends an upload session with what it holds, under `digest` (checked). */
    async closeUpload(url, digest) {
        withDigest(url, digest);
        const res = await this.send({
            method: 'PUT',
            url,
            headers: { 'content-type': 'application/octet-stream' },
            body: Buffer.alloc(0),
            write: true,
            retry: false
        });
        await this.checkStored(res, url, digest);
    }
    async pushGrowingBlob(blob) {
        if (this.uploads.streamRefused) {
            throw new Error(`${this.session.registry} refused a streamed upload before`);
        }
        const started = await this.startUpload();
        let url = started.url;
        // Once the content is complete its digest is known: if the registry has that blob already
        // (the same .so released before), the rest of the stream is not sent and nothing is stored.
        let present = false;
        const looked = blob.complete.then(async ({ digest }) => {
            present = await this.blobExists(digest);
        });
        looked.catch(() => undefined); // a failed look only means the upload goes on
        try {
            // No Content-Range and no length: the registry takes the body as the blob's content from
            // its start (distribution's stream upload, what docker push sends).
            const res = await this.send({
                method: 'PATCH',
                url,
                headers: { 'content-type': 'application/octet-stream' },
                body: { chunks: () => until(() => present, blob.chunks()) },
                write: true,
                retry: false
            });
            if (res.status !== 202)
                return await this.fail(res, 'PATCH', '202 Accepted');
            res.discard();
            url = this.uploadLocation(res, url, 'PATCH');
            const { digest, size } = await blob.complete;
            validateDigest(digest);
            if (present) {
                await this.cancelUpload(url);
                return { uploaded: false, bytes: 0, digest };
            }
            const held = rangeEnd(headerValue(res.headers, 'range'));
            if (held !== undefined && held + 1 !== size) {
                throw this.mismatch('PATCH', url, `holds ${held + 1} bytes of the ${size}-byte ${digest}`);
            }
            await this.closeUpload(url, digest);
            return { uploaded: true, bytes: size, digest };
        }
        catch (err) {
            // A registry that refuses the stream itself will refuse the next one too.
            if (err instanceof RegistryError && err.details.status !== undefined) {
                const status = err.details.status;
                if (status >= 400 && status < 500 && status !== 401 && status !== 403) {
                    this.uploads.streamRefused = true;
                }
            }
            await this.cancelUpload(url);
            throw err;
        }
    }
    /** Best effort: frees an upload session the registry would otherwise keep until it expires. */
    async cancelUpload(url) {
        try {
            const res = await this.send({ method: 'DELETE', url, write: true, retry: false });
            res.discard();
        }
        catch {
            // The session expires on its own.
        }
    }
    async readChunk(reader, n, url) {
        try {
            return await reader.read(n);
        }
        catch (err) {
            const where = `${url.origin}${url.pathname}`;
            throw new RegistryError(this.session.redact(`PATCH ${where}: reading the content to upload failed: ${err.message}`), { method: 'PATCH', url: where, codes: [] });
        }
    }
    async checkStored(res, url, digest) {
        if (res.status !== 201)
            return this.fail(res, 'PUT', '201 Created');
        res.discard();
        const stored = headerValue(res.headers, 'docker-content-digest');
        if (stored !== undefined && stored !== digest) {
            throw this.mismatch('PUT', url, `stored the blob as ${stored}, expected ${digest}`);
        }
    }
    /** POST /blobs/uploads/ -> the upload URL from Location, and the minimum chunk length. */
    async startUpload() {
        const url = this.url('blobs/uploads/');
        const res = await this.send({
            method: 'POST',
            url,
            body: Buffer.alloc(0),
            write: true,
            retry: false
        });
        if (res.status !== 202)
            return this.fail(res, 'POST', '202 Accepted');
        res.discard();
        const min = Number(headerValue(res.headers, 'oci-chunk-min-length') ?? 0);
        return {
            url: this.uploadLocation(res, url, 'POST'),
            minChunk: Number.isFinite(min) && min > 0 ? min : 0
        };
    }
    /** The Location of an upload response (relative or absolute); required. */
    uploadLocation(res, url, method) {
        const location = headerValue(res.headers, 'location');
        if (!location)
            throw this.mismatch(method, url, `answered ${res.status} without a Location header`);
        return new URL(location, res.url);
    }
    async pushManifest(body, mediaType, reference) {
        validateReference(reference);
        if (isDigest(reference) && !matchesDigest(reference, body)) {
            throw new Error(`manifest content has digest ${sha256Digest(body)}, not ${reference}`);
        }
        const url = this.url(`manifests/${reference}`);
        const headers = { 'content-type': mediaType };
        // A PUT of the same bytes is idempotent: retried as is.
        const res = await this.send({
            method: 'PUT',
            url,
            headers,
            body,
            write: true,
            expected: '201 Created'
        });
        if (res.status !== 201)
            return this.fail(res, 'PUT', '201 Created');
        res.discard();
        const stored = headerValue(res.headers, 'docker-content-digest');
        if (stored !== undefined && !matchesDigest(stored, body)) {
            const ours = sha256Digest(body);
            throw this.mismatch('PUT', url, `stored the manifest as ${stored}, but its content is ${ours}`);
        }
    }
    async hasManifest(digest) {
        validateDigest(digest);
        const url = this.url(`manifests/${digest}`);
        const res = await this.send({ method: 'HEAD', url, headers: { accept: MANIFEST_ACCEPT } });
        if (res.status !== 200 && res.status !== 404)
            return this.fail(res, 'HEAD', '200 or 404');
        res.discard();
        return res.status === 200;
    }
    async resolveTag(tag) {
        validateTag(tag);
        const url = this.url(`manifests/${tag}`);
        const res = await this.send({ method: 'HEAD', url, headers: { accept: MANIFEST_ACCEPT } });
        if (res.status === 404)
            return absent(res);
        if (res.status !== 200)
            return this.fail(res, 'HEAD', '200 or 404');
        res.discard();
        const digest = headerValue(res.headers, 'docker-content-digest');
        if (digest !== undefined && isDigest(digest))
            return digest;
        // No digest header on HEAD: hash the manifest itself.
        const manifest = await this.fetchManifest(tag);
        return manifest ? sha256Digest(manifest.body) : undefined;
    }
    /**
     * Every tag, following the Link header's next pages. A tag list that goes on past
     * MAX_TAG_PAGES pages, MAX_TAGS tags or MAX_TAG_LIST_BYTES in all fails (a registry whose
     * pagination never ends would otherwise exhaust memory).
     */
    async listTags() {
        const tags = new Set();
        const visited = new Set();
        let bytes = 0;
        let url = this.url('tags/list');
        while (url && !visited.has(url.href)) {
            if (visited.size >= MAX_TAG_PAGES)
                throw this.tooManyTags(url, `${MAX_TAG_PAGES} pages`);
            visited.add(url.href);
            const res = await this.send({
                method: 'GET',
                url,
                headers: { accept: 'application/json' },
                read: {
                    bytes: MAX_TAG_PAGE_BYTES,
                    what: 'a page of the tag list',
                    fix: 'the registry should paginate it (n= and Link); check the registry.'
                }
            });
            // A repository that was never pushed has no tags yet.
            if (res.status === 404 && visited.size === 1)
                return absent(res) ?? [];
            if (res.status !== 200)
                return this.fail(res, 'GET', '200 OK');
            const body = res.data ?? Buffer.alloc(0);
            bytes += body.length;
            if (bytes > MAX_TAG_LIST_BYTES) {
                throw this.tooManyTags(url, formatBytes(MAX_TAG_LIST_BYTES));
            }
            for (const tag of this.parseTagPage(body, url))
                tags.add(tag);
            if (tags.size > MAX_TAGS)
                throw this.tooManyTags(url, `${MAX_TAGS} tags`);
            url = nextLink(headerValue(res.headers, 'link'), res.url);
        }
        return [...tags];
    }
    tooManyTags(url, limit) {
        return this.mismatch('GET', url, `sent a tag list of more than ${limit} for ${this.location}, the most this action reads: ` +
            'its pagination (the Link header) may never end; check the registry, or delete tags ' +
            'the repository no longer needs');
    }
    async fetchManifest(reference) {
        validateReference(reference);
        const url = this.url(`manifests/${reference}`);
        const res = await this.send({
            method: 'GET',
            url,
            headers: { accept: MANIFEST_ACCEPT },
            read: {
                bytes: MAX_MANIFEST_BYTES,
                what: `the manifest ${reference}`,
                fix: 'registries refuse to store larger ones (distribution: 4 MiB); check the registry and the reference.'
            }
        });
        if (res.status === 404)
            return absent(res);
        if (res.status !== 200)
            return this.fail(res, 'GET', '200 or 404');
        const body = res.data ?? Buffer.alloc(0);
        if (isDigest(reference) && !matchesDigest(reference, body)) {
            throw this.mismatch('GET', url, `served content with digest ${sha256Digest(body)}`);
        }
        return { body, mediaType: manifestMediaType(res, body) };
    }
    async fetchBlob(digest, size) {
        validateDigest(digest);
        // Retried until the response starts; a download cut later fails the stream.
        const url = this.url(`blobs/${digest}`);
        const res = await this.send({ method: 'GET', url });
        if (res.status === 404)
            return absent(res);
        if (res.status !== 200)
            return this.fail(res, 'GET', '200 or 404');
        const header = Number(headerValue(res.headers, 'content-length') ?? NaN);
        const length = Number.isFinite(header) ? header : undefined;
        if (size !== undefined && length !== undefined && length !== size) {
            res.discard();
            throw this.mismatch('GET', url, `sent ${length} bytes for a blob of ${size}`);
        }
        if (!canVerify(digest))
            return res.body;
        const verifier = new VerifyingStream(digest, size ?? length);
        // Errors on either side end up on the stream the caller reads.
        return pipeline(res.body, verifier, () => undefined);
    }
    async listReferrers(digest) {
        validateDigest(digest);
        const url = this.url(`referrers/${digest}`);
        const res = await this.send({
            method: 'GET',
            url,
            headers: { accept: OCI_INDEX },
            read: {
                bytes: MAX_MANIFEST_BYTES,
                what: `the referrers of ${digest}`,
                fix: 'check the registry (a referrers list is an image index, bounded like a manifest).'
            }
        });
        // A registry with the API never answers 404 (an unknown subject has an empty list), so a
        // 404 (or a refusal of the route) means no referrers API: use the tag-schema fallback.
        if ([400, 404, 405, 406].includes(res.status))
            return absent(res);
        if (res.status !== 200)
            return this.fail(res, 'GET', '200 or 404');
        if (baseMediaType(headerValue(res.headers, 'content-type')) !== OCI_INDEX)
            return undefined;
        try {
            return parseReferrersIndex(res.data ?? Buffer.alloc(0));
        }
        catch (err) {
            throw this.mismatch('GET', url, `answered a referrers list that ${err.message}`);
        }
    }
    async deleteManifest(digest) {
        validateDigest(digest);
        const url = this.url(`manifests/${digest}`);
        // The distribution spec deletes by digest only (distribution 2.8 answers a tag with 400).
        const res = await this.send({
            method: 'DELETE',
            url,
            write: true,
            actions: 'delete',
            expected: '202 Accepted'
        });
        if (res.status === 202 || res.status === 200 || res.status === 204) {
            res.discard();
            return { status: 'deleted' };
        }
        if (res.status === 404) {
            res.discard();
            return { status: 'absent' };
        }
        try {
            return await this.fail(res, 'DELETE', '202 Accepted');
        }
        catch (err) {
            // 405 UNSUPPORTED: distribution without storage.delete.enabled, ghcr.io, Docker Hub.
            if (err instanceof RegistryError &&
                (err.details.status === 405 || err.details.codes.includes('UNSUPPORTED'))) {
                return { status: 'unsupported', reason: err.message };
            }
            throw err;
        }
    }
    parseTagPage(body, url) {
        let page;
        try {
            page = JSON.parse(body.toString('utf8'));
        }
        catch {
            throw this.mismatch('GET', url, 'answered a tag list that is not JSON');
        }
        // distribution answers "tags": null for a repository without tags.
        if (!Array.isArray(page.tags))
            return [];
        return page.tags.filter((t) => typeof t === 'string');
    }
    url(path) {
        return new URL(`/v2/${this.name}/${path}`, this.session.baseUrl);
    }
    send({ write, expected, actions: asked, ...req }) {
        // With credentials, one pull,push token serves every request to the repository.
        const actions = asked ?? (write || this.session.hasCredentials ? 'pull,push' : 'pull');
        return this.session.send({
            ...req,
            scope: `repository:${this.name}:${actions}`,
            context: { repository: this.name, expected }
        });
    }
    fail(res, method, expected) {
        return this.session.fail(res, method, { repository: this.name, expected });
    }
    mismatch(method, url, what) {
        const where = `${url.origin}${url.pathname}`;
        return new RegistryError(`${method} ${where}: the registry ${what}`, {
            method,
            url: where,
            codes: []
        });
    }
}
/** A 413 or 416 to an upload request: the registry wants smaller requests. */
function isTooLarge(err) {
    return err instanceof TooLargeError && ['PUT', 'PATCH'].includes(err.details.method);
}
/** The chunks of `source` until `stop()` holds (checked before each). */
async function* until(stop, source) {
    for await (const chunk of source) {
        if (stop())
            return;
        yield chunk;
    }
}
/** Appends digest= to an upload URL, keeping the state the registry put in its query. */
function withDigest(url, digest) {
    const query = url.search.slice(1);
    url.search = `${query ? `${query}&` : ''}digest=${encodeURIComponent(digest)}`;
}
/** The last byte offset of a Range header, "0-1234" or "bytes=0-1234". */
function rangeEnd(range) {
    const m = /^\s*(?:bytes=)?(\d+)-(\d+)\s*$/.exec(range ?? '');
    return m ? Number(m[2]) : undefined;
}
/** Reads a stream in pieces of exactly n bytes (one piece in memory at a time). */
class ChunkReader {
    size;
    it;
    pending = Buffer.alloc(0);
    produced = 0;
    constructor(stream, size) {
        this.size = size;
        this.it = stream[Symbol.asyncIterator]();
    }
    /** The next n bytes; read(0) checks that the content has ended. */
    async read(n) {
        const parts = [];
        let have = 0;
        while (have < n || (n === 0 && this.pending.length === 0)) {
            if (this.pending.length === 0) {
                const r = await this.it.next();
                if (r.done) {
                    if (n === 0)
                        return Buffer.alloc(0);
                    throw new Error(`content ended after ${this.produced} of ${this.size} bytes`);
                }
                this.pending = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
                this.produced += this.pending.length;
                if (this.produced > this.size) {
                    throw new Error(`content is longer than ${this.size} bytes`);
                }
                continue;
            }
            if (n === 0)
                break;
            const take = Math.min(n - have, this.pending.length);
            parts.push(this.pending.subarray(0, take));
            this.pending = this.pending.subarray(take);
            have += take;
        }
        if (n === 0 && this.pending.length > 0) {
            throw new Error(`content is longer than ${this.size} bytes`);
        }
        return parts.length === 1 ? parts[0] : Buffer.concat(parts);
    }
    close() {
        void this.it.return?.();
    }
}
/** Frees a 404 response; the content is simply not there. */
function absent(res) {
    res.discard();
    return undefined;
}
const VERIFIABLE = new Set(['sha256', 'sha512']);
function canVerify(digest) {
    return VERIFIABLE.has(digest.slice(0, digest.indexOf(':')));
}
/** True when `body` hashes to `digest`; digests with unknown algorithms are not checked. */
function matchesDigest(digest, body) {
    return !canVerify(digest) || digestLike(digest, body) === digest;
}
const GENERIC_TYPES = new Set(['application/json', 'application/octet-stream', 'text/plain']);
/** Content-Type, or the manifest's own mediaType when the server sent a generic type. */
function manifestMediaType(res, body) {
    const header = baseMediaType(headerValue(res.headers, 'content-type'));
    if (header && !GENERIC_TYPES.has(header))
        return header;
    try {
        const own = JSON.parse(body.toString('utf8')).mediaType;
        if (typeof own === 'string' && own)
            return own;
    }
    catch {
        // not JSON: keep what the header said
    }
    return header ?? OCI_MANIFEST;
}

// An OCI image layout directory as a push target (readable by skopeo, oras, crane...):
// oci-layout, blobs/<alg>/<hex>, and index.json with one descriptor per tag.
const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
const LAYOUT_VERSION = '1.0.0';
class OciLayoutTarget {
    location;
    dir;
    ready;
    // index.json is read-modify-written: serialise the updates made through this object.
    indexQueue = Promise.resolve();
    constructor(dir) {
        this.dir = resolve(dir);
        this.location = `oci:${this.dir}`;
    }
    async blobExists(digest) {
        validateDigest(digest);
        return isFile$1(this.blobPath(digest));
    }
    async pushBlob(blob) {
        await this.init();
        if (await this.blobExists(blob.digest))
            return { uploaded: false, bytes: 0 };
        const target = this.blobPath(blob.digest);
        await mkdir(dirname(target), { recursive: true });
        const tmp = this.tempPath();
        try {
            const counter = new DigestCounter(algorithmOf(blob.digest));
            await pipeline$1(blob.open(), counter, createWriteStream(tmp));
            const actual = counter.digest();
            if (actual !== blob.digest || counter.bytes !== blob.size) {
                throw new Error(`blob ${blob.digest} (${blob.size} bytes) produced ${actual} (${counter.bytes} bytes)`);
            }
            await rename(tmp, target);
        }
        catch (err) {
            await unlink(tmp).catch(() => undefined);
            throw err;
        }
        return { uploaded: true, bytes: blob.size };
    }
    pushBlobs(blobs, concurrency = DEFAULT_BLOB_CONCURRENCY) {
        // Each blob goes to its own temporary file and is renamed into place: safe in parallel.
        return pushEach(blobs, concurrency, (b) => this.pushBlob(b));
    }
    /** A manifest is a blob of the layout: present when its file is. */
    async hasManifest(digest) {
        validateDigest(digest);
        return isFile$1(this.blobPath(digest));
    }
    async pushManifest(body, mediaType, reference) {
        validateReference(reference);
        let blob = bufferBlob(body);
        if (isDigest(reference)) {
            if (digestLike(reference, body) !== reference) {
                throw new Error(`manifest content has digest ${blob.digest}, not ${reference}`);
            }
            blob = { ...blob, digest: reference };
        }
        await this.pushBlob(blob);
        if (isDigest(reference))
            return;
        const descriptor = {
            mediaType,
            digest: blob.digest,
            size: blob.size,
            annotations: { [REF_NAME_ANNOTATION]: reference }
        };
        await this.updateIndex((manifests) => [
            ...manifests.filter((d) => tagOf(d) !== reference),
            descriptor
        ]);
    }
    async resolveTag(tag) {
        validateTag(tag);
        return (await this.findTag(tag))?.digest;
    }
    async listTags() {
        const index = await this.readIndex();
        const tags = index.manifests.map(tagOf).filter((t) => t !== undefined);
        return [...new Set(tags)].sort();
    }
    async fetchManifest(reference) {
        validateReference(reference);
        const descriptor = isDigest(reference)
            ? (await this.readIndex()).manifests.find((d) => d.digest === reference)
            : await this.findTag(reference);
        const digest = isDigest(reference) ? reference : descriptor?.digest;
        if (!digest || !(await isFile$1(this.blobPath(digest))))
            return undefined;
        const body = await readFile(this.blobPath(digest));
        return { body, mediaType: descriptor?.mediaType ?? ownMediaType(body) };
    }
    async fetchBlob(digest, size) {
        if (!(await this.blobExists(digest)))
            return undefined;
        const verifier = new VerifyingStream(digest, size);
        createReadStream(this.blobPath(digest))
            .on('error', (err) => verifier.destroy(err))
            .pipe(verifier);
        return verifier;
    }
    /** An image layout has no referrers API: referrers go to the tag-schema fallback index. */
    async listReferrers(digest) {
        validateDigest(digest);
        return undefined;
    }
    /**
     * Removes every tag on this digest from index.json. The blobs stay: other manifests of the
     * layout may share them, and a layout has no garbage collector of its own.
     */
    async deleteManifest(digest) {
        validateDigest(digest);
        let removed = 0;
        await this.updateIndex((manifests) => {
            const kept = manifests.filter((d) => d.digest !== digest);
            removed = manifests.length - kept.length;
            return kept;
        });
        return { status: removed > 0 ? 'deleted' : 'absent' };
    }
    blobPath(digest) {
        const colon = digest.indexOf(':');
        return join(this.dir, 'blobs', digest.slice(0, colon), digest.slice(colon + 1));
    }
    // Temporary files live at the top of the layout, out of blobs/, so a crash never leaves
    // something that looks like a blob.
    tempPath() {
        return join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    }
    init() {
        this.ready ??= this.createLayout();
        return this.ready;
    }
    async createLayout() {
        await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
        const layoutFile = join(this.dir, 'oci-layout');
        if (await isFile$1(layoutFile)) {
            const { imageLayoutVersion } = JSON.parse(await readFile(layoutFile, 'utf8'));
            if (imageLayoutVersion !== LAYOUT_VERSION) {
                throw new Error(`${layoutFile}: unsupported imageLayoutVersion ${imageLayoutVersion}`);
            }
        }
        else {
            await this.writeAtomic('oci-layout', { imageLayoutVersion: LAYOUT_VERSION });
        }
        if (!(await isFile$1(join(this.dir, 'index.json')))) {
            await this.writeAtomic('index.json', emptyIndex());
        }
    }
    async readIndex() {
        const path = join(this.dir, 'index.json');
        let text;
        try {
            text = await readFile(path, 'utf8');
        }
        catch (err) {
            if (err.code === 'ENOENT')
                return emptyIndex();
            throw err;
        }
        const index = JSON.parse(text);
        if (!Array.isArray(index.manifests))
            throw new Error(`${path}: "manifests" is not a list`);
        return index;
    }
    async findTag(tag) {
        return (await this.readIndex()).manifests.find((d) => tagOf(d) === tag);
    }
    updateIndex(change) {
        const run = async () => {
            await this.init();
            const index = await this.readIndex();
            const manifests = change(index.manifests).sort(byTagThenDigest);
            await this.writeAtomic('index.json', { ...index, manifests });
        };
        const next = this.indexQueue.then(run, run);
        this.indexQueue = next.catch(() => undefined);
        return next;
    }
    /** Writes JSON to a temporary file and renames it, so readers never see half a file. */
    async writeAtomic(name, value) {
        const tmp = this.tempPath();
        await writeFile$1(tmp, JSON.stringify(value));
        await rename(tmp, join(this.dir, name));
    }
}
function emptyIndex() {
    return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
}
function tagOf(d) {
    return d.annotations?.[REF_NAME_ANNOTATION];
}
/** Tagged entries by tag, then untagged ones by digest: the same content gives the same file. */
function byTagThenDigest(a, b) {
    const ta = tagOf(a);
    const tb = tagOf(b);
    if (ta !== undefined && tb !== undefined)
        return ta < tb ? -1 : ta > tb ? 1 : 0;
    if (ta !== undefined || tb !== undefined)
        return ta !== undefined ? -1 : 1;
    return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
}
function ownMediaType(body) {
    try {
        const own = JSON.parse(body.toString('utf8')).mediaType;
        if (typeof own === 'string' && own)
            return own;
    }
    catch {
        // not JSON
    }
    return OCI_MANIFEST;
}
async function isFile$1(path) {
    try {
        return (await stat(path)).isFile();
    }
    catch {
        return false;
    }
}

// Where the artifacts go (a registry, or OCI image layout directories) and
// what is already there.
function repositoriesFor(inputs, name) {
    const prefix = inputs.repository ? `${inputs.repository}/` : '';
    const repos = { plugin: `${prefix}plugin/${name}`, rules: `${prefix}ruleset/${name}` };
    validateRepositoryName(repos.plugin);
    validateRepositoryName(repos.rules);
    return repos;
}
/** The host shown in references: the registry, or where the layouts are written. */
function registryLabel(inputs) {
    return inputs.ociLayout !== '' ? `oci-layout:${resolve(inputs.ociLayout)}` : inputs.registry;
}
/** The Docker config's credentials for `registry` (credential helpers run as docker runs them). */
function dockerCredentials(registry, ctx, logger) {
    return credentialsFromDockerConfig(registry, ctx.childEnvBase, logger, ctx.dockerConfig);
}
/**
 * Registry credentials, in this order: the password input; the Docker config's
 * entry for the registry (as docker/login-action leaves it); for ghcr.io, the
 * workflow token; else none (anonymous).
 */
async function resolveCredentials(inputs, ctx, logger) {
    if (inputs.password !== '') {
        return {
            credentials: { username: inputs.username || 'token', password: inputs.password },
            from: 'the password input'
        };
    }
    const fromDocker = await dockerCredentials(inputs.registry, ctx, logger);
    if (fromDocker)
        return { credentials: fromDocker, from: `the Docker config (${ctx.dockerConfig})` };
    if (inputs.registry === 'ghcr.io' && inputs.githubToken !== '') {
        return {
            credentials: { username: inputs.username || 'token', password: inputs.githubToken },
            from: 'the workflow token (github-token)'
        };
    }
    return { from: 'nowhere: anonymous' };
}
function openTargets$1(inputs, logger, repos, credentials) {
    if (inputs.ociLayout !== '') {
        const root = resolve(inputs.ociLayout);
        return {
            plugin: new OciLayoutTarget(join(root, repos.plugin)),
            rules: new OciLayoutTarget(join(root, repos.rules))
        };
    }
    const client = new RegistryClient({
        registry: inputs.registry,
        plainHttp: inputs.plainHttp,
        credentials,
        logger,
        retryBudgetMs: inputs.retryBudget * 1000,
        timeoutMs: inputs.requestTimeout * 1000,
        chunkSize: inputs.chunkSize,
        chunkedThreshold: inputs.chunkedUploadThreshold
    });
    return { plugin: client.repository(repos.plugin), rules: client.repository(repos.rules) };
}
/** Configs are a few hundred bytes; anything far bigger is not a falcoctl config. */
const MAX_CONFIG_BYTES = 1 << 20;
async function readSmallBlob(target, digest) {
    const stream = await target.fetchBlob(digest);
    if (!stream)
        return undefined;
    const chunks = [];
    let size = 0;
    for await (const c of stream) {
        size += c.length;
        if (size > MAX_CONFIG_BYTES) {
            stream.destroy?.();
            return undefined;
        }
        chunks.push(Buffer.from(c));
    }
    return Buffer.concat(chunks);
}
/** The root at `reference`, its platform manifests (for an index) and the first config. */
async function readPublished(target, reference) {
    const root = await target.fetchManifest(reference);
    if (!root)
        return undefined;
    const parsed = JSON.parse(root.body.toString('utf8'));
    const manifests = [];
    if (Array.isArray(parsed.manifests)) {
        for (const d of parsed.manifests) {
            const m = await target.fetchManifest(d.digest);
            if (m)
                manifests.push({ platform: d.platform, bytes: m.body });
        }
    }
    else {
        manifests.push({ bytes: root.body });
    }
    const first = manifests[0]
        ? JSON.parse(manifests[0].bytes.toString('utf8'))
        : {};
    const config = first.config?.digest ? await readSmallBlob(target, first.config.digest) : undefined;
    return { root: root.body, manifests, config };
}
/** Tags and the version tag's digest. In a dry run, an unreadable target counts as empty. */
async function readFacts(target, version, tolerant, logger) {
    try {
        const tags = await target.listTags();
        const existing = tags.includes(version) ? await target.resolveTag(version) : undefined;
        // Only to explain a conflict: a failure here must not stop a release.
        const published = existing !== undefined
            ? await readPublished(target, existing).catch(() => undefined)
            : undefined;
        return { tags, existing, published };
    }
    catch (err) {
        if (!tolerant)
            throw err;
        logger.warning(`dry run: could not read ${target.location} (${err.message}); planning as if it were empty`);
        return { tags: [] };
    }
}

// Before anything is pushed: can falcoctl install what this release publishes? falcoctl
// resolves each dependency it does not already have by its exact tag, through its indexes. We
// look names up the same way, in the index this release writes (index-file) and then in the
// dependency-indexes (by default falcosecurity's), and read each dependency's config from the
// registry its index entry names. A missing tag refuses the release (unless check-dependencies
// is false); an index or registry that does not answer is only a warning.
/** An index is a few hundred KiB (falcosecurity's ~100 KiB); refuse to read runaway ones. */
const MAX_INDEX_BYTES = 16 << 20;
/** A dependency lookup gives up sooner than a push: it may only warn. */
const LOOKUP_RETRY_BUDGET_MS = 30_000;
function platformName$1(p) {
    return `${p.os}/${p.architecture}`;
}
/** Reads an index.yaml into name -> location. */
function parseIndex(text, from) {
    const list = parse(text);
    if (!Array.isArray(list))
        throw new Error('not a YAML list of entries');
    const out = new Map();
    for (const e of list) {
        if (e === null || typeof e !== 'object')
            continue;
        const { name, registry, repository } = e;
        if (typeof name === 'string' &&
            typeof registry === 'string' &&
            typeof repository === 'string') {
            out.set(name, { registry, repository, from });
        }
    }
    return out;
}
async function fetchIndexText(url, timeoutMs) {
    if (url.startsWith('file://'))
        return readFile(fileURLToPath(url), 'utf8');
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!res.ok)
        throw new Error(`HTTP ${res.status}`);
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (length > MAX_INDEX_BYTES)
        throw new Error(`${length} bytes, more than an index`);
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_INDEX_BYTES)
        throw new Error(`${body.length} bytes, more than an index`);
    return body.toString('utf8');
}
/** The config at `tag` (the platform's manifest for a plugin index) and the index's platforms. */
async function readConfig(target, tag, platforms) {
    const root = await target.fetchManifest(tag);
    if (!root)
        return { status: 'missing', reason: `${target.location} has no tag ${tag}` };
    const json = JSON.parse(root.body.toString('utf8'));
    let manifest = json;
    let available;
    if (Array.isArray(json.manifests)) {
        available = json.manifests
            .filter((m) => m.platform)
            .map((m) => platformName$1(m.platform));
        const chosen = json.manifests.find((m) => m.platform && platforms.includes(platformName$1(m.platform))) ??
            json.manifests[0];
        if (!chosen)
            return { status: 'missing', reason: `${target.location}:${tag} is an empty index` };
        const m = await target.fetchManifest(chosen.digest);
        if (!m)
            return { status: 'missing', reason: `${target.location}@${chosen.digest} is missing` };
        manifest = JSON.parse(m.body.toString('utf8'));
    }
    const digest = manifest.config?.digest;
    const blob = digest ? await readSmallBlob(target, digest) : undefined;
    if (!blob)
        return { status: 'unknown', reason: `could not read the config of ${target.location}:${tag}` };
    const config = JSON.parse(blob.toString('utf8'));
    return { status: 'found', config, platforms: available };
}
/** The lookups of one release: its own artifacts, the indexes, and the registries they name. */
class Resolver {
    opts;
    external = new Map();
    clients = new Map();
    unreachable = new Map();
    constructor(opts) {
        this.opts = opts;
    }
    own(name) {
        const { plan, targets } = this.opts;
        if (name === plan.plugin.name)
            return { artifact: plan.plugin, target: targets.plugin };
        if (plan.rules && name === plan.rules.name)
            return { artifact: plan.rules, target: targets.rules };
        return undefined;
    }
    indexAt(url) {
        let p = this.external.get(url);
        if (!p) {
            p = fetchIndexText(url, this.opts.inputs.requestTimeout * 1000)
                .then((text) => parseIndex(text, url))
                .catch((err) => {
                const e = err instanceof Error ? err : new Error(String(err));
                this.unreachable.set(url, e.message);
                return e;
            });
            this.external.set(url, p);
        }
        return p;
    }
    client(registry) {
        let c = this.clients.get(registry);
        if (!c) {
            const { inputs, docker, logger } = this.opts;
            c = (async () => {
                const credentials = registry === inputs.registry
                    ? this.opts.credentials
                    : await dockerCredentials(registry, docker, logger).catch(() => undefined);
                return new RegistryClient({
                    registry,
                    plainHttp: inputs.plainHttp,
                    credentials,
                    logger,
                    retryBudgetMs: Math.min(inputs.retryBudget * 1000, LOOKUP_RETRY_BUDGET_MS),
                    timeoutMs: inputs.requestTimeout * 1000
                });
            })();
            this.clients.set(registry, c);
        }
        return c;
    }
    /** Where the indexes send `name`: index-file first, then each dependency index in order. */
    async locate(name) {
        const local = this.opts.local.get(name);
        if (local)
            return local;
        const failures = [];
        for (const url of this.opts.inputs.dependencyIndexes) {
            const index = await this.indexAt(url);
            if (index instanceof Error) {
                failures.push(`${url} could not be read (${index.message})`);
                continue;
            }
            const hit = index.get(name);
            if (hit)
                return hit;
        }
        const searched = ['index-file', ...this.opts.inputs.dependencyIndexes].join(', ');
        return failures.length > 0
            ? { status: 'unknown', reason: `not in ${searched}; ${failures.join('; ')}` }
            : { status: 'missing', reason: `no index has ${name} (searched ${searched})` };
    }
    looked = new Map();
    /** Each name:tag is looked up once per release. */
    lookup = (name, tag) => {
        const key = `${name}:${tag}`;
        let r = this.looked.get(key);
        if (!r) {
            r = this.find(name, tag);
            this.looked.set(key, r);
        }
        return r;
    };
    async find(name, tag) {
        const own = this.own(name);
        if (own && own.artifact.tags.includes(tag)) {
            const platforms = own.artifact.platforms.map(platformName$1);
            return {
                status: 'found',
                config: own.artifact.config,
                platforms: platforms.length > 0 ? platforms : undefined
            };
        }
        let target;
        if (own)
            target = own.target;
        else {
            const where = await this.locate(name);
            if ('status' in where)
                return where;
            try {
                target = (await this.client(where.registry)).repository(where.repository);
            }
            catch (err) {
                return {
                    status: 'unknown',
                    reason: `${where.from} names ${where.registry}/${where.repository}: ${err.message}`
                };
            }
        }
        try {
            return await readConfig(target, tag, this.opts.platforms);
        }
        catch (err) {
            return {
                status: 'unknown',
                reason: `could not read ${target.location}:${tag} (${err.message})`
            };
        }
    }
}
const refOf = (a, tag) => `${a.name}:${tag}`;
function covers(result, plan) {
    return [plan.plugin, plan.rules]
        .filter((a) => a !== undefined)
        .every((a) => result.artifacts.includes(`${a.name}:${a.config.version}`));
}
function describe(m) {
    return `${m.name}:${m.version} (required by ${m.requiredBy}): ${m.reason}`;
}
/**
 * Checks that `falcoctl artifact install` of either artifact, and of the command the summary
 * prints, finds every dependency. Throws, naming each missing name:version and the fixes, unless
 * check-dependencies is false (then it warns).
 */
async function checkInstallable(opts) {
    const { plan, inputs, indexText } = opts;
    const platforms = plan.plugin.platforms.map(platformName$1);
    const resolver = new Resolver({
        ...opts,
        local: parseIndex(indexText, inputs.indexFile),
        platforms
    });
    const tag = installTag(plan);
    const closure = (roots) => resolveClosure(roots.map((r) => r.config), resolver.lookup, platforms);
    // The command to print: the fewest references whose install brings both artifacts.
    const rules = plan.rules;
    const candidates = rules
        ? [[rules], [plan.plugin], [plan.plugin, rules]]
        : [[plan.plugin]];
    let chosen = candidates[candidates.length - 1];
    const results = new Map();
    for (const c of candidates) {
        const r = await closure(c);
        results.set(c, r);
        if (covers(r, plan)) {
            chosen = c;
            break;
        }
    }
    // Each artifact alone must install too: users run `falcoctl artifact install <name>`.
    for (const single of [[plan.plugin], ...(rules ? [[rules]] : [])]) {
        if (![...results.keys()].some((k) => k.length === 1 && k[0] === single[0])) {
            results.set(single, await closure(single));
        }
    }
    const all = [...results.values()];
    const dedupe = (list) => {
        const seen = new Map();
        for (const m of list)
            if (!seen.has(`${m.name}:${m.version}`))
                seen.set(`${m.name}:${m.version}`, m);
        return [...seen.values()];
    };
    const missing = dedupe(all.flatMap((r) => r.missing));
    const unknown = dedupe(all.flatMap((r) => r.unknown)).filter((u) => !missing.some((m) => m.name === u.name && m.version === u.version));
    const conflicts = [...new Set(all.flatMap((r) => r.conflicts))];
    const ownKeys = new Set([plan.plugin, rules]
        .filter((a) => !!a)
        .map((a) => `${a.name}:${a.config.version}`));
    const others = [...new Set((results.get(chosen)?.artifacts ?? []).filter((k) => !ownKeys.has(k)))];
    for (const [url, why] of resolver.unreachable) {
        opts.warn(`dependency index ${url} could not be read (${why}): dependencies were looked up without it`);
    }
    for (const u of unknown) {
        opts.warn(`could not check that falcoctl finds ${describe(u)}`);
    }
    const problems = [...conflicts, ...missing.map(describe)];
    if (problems.length > 0) {
        const fixes = 'publish each missing version (falcoctl fetches a dependency by its exact tag), or raise ' +
            "the version in the rules file's required_plugin_versions to one that is published, or name " +
            'an index that has it in dependency-indexes; check-dependencies: false publishes anyway';
        const message = `falcoctl could not install this release: ${problems.join('; ')}. Fix: ${fixes}`;
        if (inputs.checkDependencies)
            throw new Error(message);
        opts.warn(message);
    }
    const broken = problems.length > 0;
    // Without an index, falcoctl can fetch nothing by name: only a closed set installs as is.
    const both = [plan.plugin, ...(rules ? [rules] : [])];
    const direct = await closure(both);
    const closed = direct.artifacts.every((k) => ownKeys.has(k)) && direct.missing.length === 0;
    return {
        // Without dependency resolution, falcoctl installs exactly what it is given: name both.
        install: (broken ? both : chosen).map((a) => refOf(a, tag)),
        direct: both.map((a) => `${a.ref}:${plan.version}`),
        directSkipsDependencies: !closed || broken,
        indexedSkipsDependencies: broken,
        others,
        missing,
        unknown
    };
}

// Tag patterns, for repositories that release several plugins (monorepos): a pattern such as
// `plugins/{name}/v{version}` (falcosecurity/plugins' scheme) or `{name}-{version}` says which
// plugin a tag releases and at which version. The default `{version}` is today's single-plugin
// behaviour: `1.2.3` or `v1.2.3`.
//
// The version part is strict SemVer (parseReleaseTag): no build metadata. The plugin name is
// matched exactly, never by prefix, so `k8saudit` and `k8saudit-gke` cannot be confused.
const DEFAULT_TAG_PATTERN = '{version}';
/** Where each plugin lives when the pattern names plugins and no directory template is given. */
const DEFAULT_PLUGIN_DIRECTORY = 'plugins/{name}';
const PLACEHOLDER = /\{([^{}]*)\}/g;
/** A plugin name: Falco's artifact-name rule, unanchored to sit inside the tag's pattern. */
const NAME = ARTIFACT_NAME_PATTERN.source.replace(/^\^/, '').replace(/\$$/, '');
/** Something that starts like a version, so that `{name}-{version}` splits k8saudit-gke-1.2.3 right. */
const VERSIONISH = 'v?\\d+\\.\\d+\\.\\d+[^/]*';
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Validates a pattern and compiles it. Throws with the reason when it cannot work. */
function compileTagPattern(pattern) {
    const p = pattern.trim();
    const names = [...p.matchAll(PLACEHOLDER)].map((m) => m[1]);
    const unknown = names.filter((n) => n !== 'name' && n !== 'version');
    if (unknown.length > 0) {
        throw new Error(`tag pattern "${pattern}" has unknown placeholder {${unknown[0]}}: use {name} and {version}`);
    }
    const count = (n) => names.filter((x) => x === n).length;
    if (count('version') !== 1) {
        throw new Error(`tag pattern "${pattern}" must contain {version} exactly once`);
    }
    if (count('name') > 1)
        throw new Error(`tag pattern "${pattern}" has {name} more than once`);
    if (/\{name\}\{version\}|\{version\}\{name\}/.test(p)) {
        throw new Error(`tag pattern "${pattern}" puts {name} and {version} side by side: separate them, e.g. {name}-{version} or {name}/v{version}`);
    }
    if (/[{}]/.test(p.replace(PLACEHOLDER, ''))) {
        throw new Error(`tag pattern "${pattern}" has an unbalanced "{" or "}"`);
    }
    const build = (version) => new RegExp('^' +
        p
            .split(/(\{name\}|\{version\})/)
            .map((part) => part === '{name}'
            ? `(?<name>${NAME})`
            : part === '{version}'
                ? `(?<version>${version})`
                : escapeRegExp(part))
            .join('') +
        '$');
    return {
        strict: build(VERSIONISH),
        loose: build('.+'),
        hasName: count('name') === 1,
        vInPattern: /v\{version\}/.test(p)
    };
}
/** The pattern with example values, for messages: plugins/{name}/v{version} -> plugins/myplugin/v1.2.3. */
function exampleTag(pattern, name = 'myplugin') {
    return formatTag(pattern, name, '1.2.3');
}
/** The tag a pattern gives for a plugin and a version. */
function formatTag(pattern, name, version) {
    compileTagPattern(pattern);
    return pattern.trim().replace('{name}', name).replace('{version}', version);
}
function isVersion(v) {
    try {
        parseReleaseTag(v);
        return true;
    }
    catch {
        return false;
    }
}
/**
 * Which plugin and version a tag releases. Throws a VersionError naming the expected shape when
 * the tag does not match, when its version is not strict SemVer, or (with `expectedName`) when it
 * releases another plugin.
 */
function matchTagPattern(tag, pattern = DEFAULT_TAG_PATTERN, expectedName) {
    const c = compileTagPattern(pattern);
    const raw = tag.trim();
    const example = exampleTag(pattern, expectedName || 'myplugin');
    const m = c.strict.exec(raw) ?? c.loose.exec(raw);
    if (!m?.groups) {
        throw new VersionError(`tag "${raw}" does not match the tag pattern "${pattern.trim()}": expected a tag like ${example}`);
    }
    const versionPart = m.groups.version;
    if (c.vInPattern && versionPart.startsWith('v')) {
        throw new VersionError(`tag "${raw}" has a second "v" before the version: the tag pattern "${pattern.trim()}" already has one; expected a tag like ${example}`);
    }
    const plugin = c.hasName ? m.groups.name : undefined;
    const bare = versionPart.startsWith('v') ? versionPart.slice(1) : versionPart;
    const base = bare.split('+')[0];
    if (bare.includes('+') && isVersion(base)) {
        throw new VersionError(`tag "${raw}" has build metadata ("${bare.slice(bare.indexOf('+'))}"), which OCI tags cannot ` +
            `carry and falcoctl rejects: tag the release as ${formatTag(pattern, plugin ?? '', versionPart.slice(0, versionPart.length - bare.length) + base)} instead`);
    }
    let release;
    try {
        release = parseReleaseTag(versionPart);
    }
    catch (err) {
        if (!(err instanceof VersionError))
            throw err;
        // The default pattern is a bare version: parseReleaseTag's message says it all, unless the
        // tag looks like another pattern's (a monorepo's plugins/<name>/v<version>).
        if (pattern.trim() === DEFAULT_TAG_PATTERN) {
            const suggested = suggestTagPattern(raw);
            if (suggested === undefined)
                throw err;
            throw new VersionError(`${err.message.replace(/: tags look like .*$/, '')}, but it looks like a monorepo tag ` +
                `(a plugin name and a version): set tag-pattern: ${suggested} ` +
                '(the default tag-pattern {version} takes tags like 1.4.2 or v1.4.2)');
        }
        const why = err.message.replace(/^tag "[^"]*" /, '').replace(/: tags look like .*$/, '');
        throw new VersionError(`tag "${raw}" (tag pattern "${pattern.trim()}"): the version part "${versionPart}" ${why}; expected a tag like ${example}`);
    }
    if (expectedName !== undefined &&
        expectedName !== '' &&
        plugin !== undefined &&
        plugin !== expectedName) {
        throw new VersionError(`tag "${raw}" releases the plugin "${plugin}", not "${expectedName}": expected a tag like ${example}`);
    }
    return { ...(plugin !== undefined ? { plugin } : {}), release: { ...release, tag: raw } };
}
/**
 * The tag pattern a monorepo-shaped tag seems to follow: a path with a plugin name and a
 * version, such as plugins/k8saudit/v0.18.0 (plugins/{name}/v{version}); undefined otherwise.
 */
function suggestTagPattern(tag) {
    const m = /^(.*?)(v?)(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag.trim());
    if (!m || !m[1].includes('/'))
        return undefined;
    const prefix = m[1];
    // A guess, not the rule: the shortest name-like part before the separators (the rule checks it).
    const named = /^(.*?)([a-z][a-z0-9_-]*?)([/@_-]+)$/.exec(prefix);
    if (!named)
        return undefined;
    const [, before, , separator] = named;
    if (before !== '' && !before.endsWith('/'))
        return undefined;
    const pattern = `${before}{name}${separator}${m[2]}{version}`;
    try {
        return matchTagPattern(tag, pattern).plugin !== undefined ? pattern : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * The folder of a plugin in the repository: `template` with {name} filled in; by default
 * plugins/<name> when the pattern names plugins (a monorepo), else the repository root ".".
 */
function pluginDirectory(pattern, name, template) {
    if (!isArtifactName(name)) {
        throw new Error(`invalid plugin name ${JSON.stringify(name)} for a plugin directory`);
    }
    const c = compileTagPattern(pattern);
    const t = (c.hasName ? DEFAULT_PLUGIN_DIRECTORY : '.');
    const dir = t.split('{name}').join(name).replace(/\/+$/, '') || '.';
    if (dir.split('/').some((s) => s === '..') || dir.startsWith('/')) {
        throw new Error(`plugin directory "${dir}" must be a relative path inside the repository`);
    }
    return dir;
}

// Where things are: the plugin's folder (monorepo tags name it), the repository root, and the
// folder the built lib<name>.so is left in for later steps (the runner's temp space, never the
// plugin's sources).
function isDirectory$1(p) {
    try {
        return statSync(p).isDirectory();
    }
    catch {
        return false;
    }
}
/**
 * The plugin's folder: the working-directory input when set; else, for a tag that names a plugin
 * (tag-pattern with {name}), that plugin's folder (plugins/<name>), or the current folder when
 * that does not exist and the current folder is the plugin (a go.mod or a build-command there: a
 * single-plugin repository whose tags name it); else the current folder.
 */
function pluginWorkDir(inputs, tag, plugin, 
/** The folder relative paths start from (RunContext.cwd). */
cwd, 
/** Who names the plugin, for the message: by default `tag "<tag>" releases`. */
subject = `tag "${tag}" releases`) {
    const found = taggedPluginDir(inputs, plugin, cwd);
    if (found.dir !== undefined)
        return found.dir;
    const { named: dir, abs } = found;
    const parent = dirname(abs);
    const siblings = isDirectory$1(parent)
        ? readdirSync(parent, { withFileTypes: true })
            .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
            .map((e) => e.name)
            .sort()
        : [];
    throw new Error(`${subject} the plugin "${plugin}", but its folder ${dir} does not exist in ${cwd}` +
        (siblings.length > 0
            ? ` (${relative(cwd, parent) || '.'} has ${siblings.slice(0, 20).join(', ')}${siblings.length > 20 ? ', ...' : ''})`
            : '') +
        ": check the plugin name in the tag, or set working-directory to the plugin's folder");
}
/**
 * pluginWorkDir's choice, without the error: `dir` when there is one, else the folder the tag
 * names (relative and absolute), which does not exist.
 */
function taggedPluginDir(inputs, plugin, cwd) {
    if (inputs.given.has('working-directory') || plugin === undefined) {
        return { dir: resolve(cwd, inputs.workingDirectory) };
    }
    const named = pluginDirectory(inputs.tagPattern, plugin);
    const abs = resolve(cwd, named);
    if (isDirectory$1(abs))
        return { dir: abs };
    const root = resolve(cwd, inputs.workingDirectory);
    if (existsSync$1(join(root, 'go.mod')) || inputs.buildCommand !== '')
        return { dir: root };
    return { dir: undefined, named, abs };
}
/** The repository's top folder: the nearest folder above `dir` that holds .git, else `fallback`. */
function repositoryRoot(dir, fallback = process.cwd()) {
    let d = resolve(dir);
    for (;;) {
        if (existsSync$1(join(d, '.git')))
            return d;
        const up = dirname(d);
        if (up === d)
            return resolve(fallback);
        d = up;
    }
}
/** `path` relative to `root` with "/" separators; '' for the root itself. */
function repositoryPath(root, path) {
    const r = relative(root, path);
    if (r.startsWith('..'))
        return '';
    return r.split(sep).join('/');
}
/**
 * A fresh folder in the runner's temp space (RunContext.runnerTemp) for outputs later steps use,
 * such as the plugin-path output. It outlives the run's scratch folder.
 */
async function keptOutputDir(runnerTemp) {
    return mkdtemp(join(runnerTemp, 'falco-plugin-release-out-'));
}

// What a dev build needs from the git checkout: the commit, the release tags it contains, the
// commits since, whether the history is complete, and which files a push changed. Read-only git
// commands with a small environment (no action inputs, no tokens), never a diff driver.
const run$1 = promisify(execFile);
class GitError extends Error {
}
/** Commands that read the object database are quick; a huge history still gets a bound. */
const GIT_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 64 << 20;
/** git's environment, from the one children inherit: PATH and HOME only. */
function gitEnv(childEnvBase) {
    // HOME keeps the global config (actions/checkout's safe.directory); nothing else is needed.
    return {
        PATH: childEnvBase.PATH ?? '',
        HOME: childEnvBase.HOME ?? '',
        LC_ALL: 'C',
        GIT_TERMINAL_PROMPT: '0'
    };
}
/** git at `cwd`; `childEnvBase`: the environment children inherit (RunContext.childEnvBase). */
function gitAt(cwd, childEnvBase) {
    const git = (async (args) => {
        try {
            const { stdout } = await run$1('git', ['-C', cwd, ...args], {
                env: gitEnv(childEnvBase),
                timeout: GIT_TIMEOUT_MS,
                maxBuffer: MAX_OUTPUT
            });
            return stdout;
        }
        catch (err) {
            const e = err;
            if (e.code === 'ENOENT') {
                throw new GitError('git is not installed: dev builds read the version from the history');
            }
            const why = (e.stderr ?? '').trim().split('\n')[0] || e.message;
            throw new GitError(`git ${args.join(' ')} failed in ${cwd}: ${why}`);
        }
    });
    git.cwd = cwd;
    return git;
}
const lines = (s) => s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
/** The top folder of the work tree. */
async function topLevel(git) {
    return (await git(['rev-parse', '--show-toplevel'])).trim();
}
async function headCommit(git) {
    return (await git(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
}
/** A shallow clone lacks tags and history: the dev version would be wrong. */
async function isShallow(git) {
    return (await git(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
}
/** Tags whose commit HEAD contains (so not a backport made on another branch). */
async function tagsMerged(git) {
    return lines(await git(['tag', '--merged', 'HEAD']));
}
/** Commits in HEAD and not in `since` (all of HEAD's history without it). */
async function commitsSince(git, since) {
    const range = since === undefined ? 'HEAD' : `refs/tags/${since}..HEAD`;
    const n = Number.parseInt((await git(['rev-list', '--count', range, '--'])).trim(), 10);
    if (!Number.isFinite(n))
        throw new GitError(`git rev-list --count ${range} gave no number`);
    return n;
}
async function hasCommit(git, rev) {
    try {
        await git(['cat-file', '-e', `${rev}^{commit}`]);
        return true;
    }
    catch {
        return false;
    }
}
/** Files changed between two commits under `paths` (relative to the top of the work tree). */
async function changedFiles(git, before, after, paths) {
    const out = await git([
        'diff',
        '--no-ext-diff',
        '--no-textconv',
        '--name-only',
        before,
        after,
        '--',
        // From the top whatever git's folder; literal, so a folder name is never a glob.
        ...paths.map((p) => `:(top,literal)${p === '' ? '.' : p}`)
    ]);
    return lines(out);
}

// Dev builds of the default branch, around the pipeline: whether a run is one, whether the push
// touched this plugin (monorepos publish only the plugins a push changed), and the dev version,
// from the .so's version and the git history (src/version/dev.ts says how).
const ZERO_COMMIT = /^0+$/;
const COMMIT_ID = /^[0-9a-f]{7,64}$/;
const SHALLOW_FIX = 'dev builds derive their version from the last release tag and the commits since: check ' +
    'out the whole history (actions/checkout with fetch-depth: 0)';
/** A tag release or a dev build, from the inputs, GITHUB_REF and the event. */
function runKind(inputs, github) {
    const run = resolveRun({ tagInput: inputs.tag, devBranch: inputs.devBranch, github });
    if (run.kind === 'dev')
        checkDevTag(inputs.devTag);
    return run;
}
/** In a monorepo (tag-pattern with {name}), a dev build must be told which plugin. */
function devPlugin(inputs) {
    if (!compileTagPattern(inputs.tagPattern).hasName)
        return undefined;
    if (inputs.pluginName !== '')
        return inputs.pluginName;
    if (inputs.given.has('working-directory'))
        return undefined;
    throw new Error(`a dev build of a monorepo (tag-pattern ${inputs.tagPattern}) builds one plugin: set ` +
        'plugin-name (e.g. from a matrix of the plugins the push changed) or working-directory');
}
/** The inputs distribution sees in a dev build: dev-index-file for index-file, no Release. */
function devDistributionInputs(inputs, logger) {
    if (inputs.githubRelease === true) {
        logger.info('github-release: dev builds make no GitHub Release (only tag releases do)');
    }
    const index = inputs.devIndexFile;
    return {
        ...inputs,
        indexFile: index || inputs.indexFile,
        indexBranch: index ? inputs.indexBranch : '',
        githubRelease: false
    };
}
/**
 * Why this run need not build: a dev build whose push changed nothing under the plugin's folder
 * (or its rules-file), or removed the folder. undefined: build (a tag release; an event that is
 * not a push, e.g. workflow_dispatch; a new branch or a before-commit missing from the clone; a
 * plugin at the repository root, which every push touches). Anything unclear builds, and the
 * pipeline then says what is wrong.
 */
async function devBuildSkipped(inputs, ctx, logger) {
    const { cwd } = ctx;
    let workDir;
    try {
        if (runKind(inputs, ctx.github).kind !== 'dev')
            return undefined;
        const plugin = devPlugin(inputs);
        const found = taggedPluginDir(inputs, plugin, cwd);
        workDir = found.dir ?? found.abs;
    }
    catch {
        return undefined;
    }
    if (!existsSync$1(workDir)) {
        // A push that removed the plugin: a matrix of changed plugins still names it.
        return `${relative(cwd, workDir) || workDir} does not exist at this commit: nothing to build`;
    }
    return pushTouches(inputs, ctx, workDir, logger);
}
async function pushTouches(inputs, ctx, workDir, logger) {
    const { event, eventName, sha } = ctx.github;
    if (eventName !== 'push')
        return undefined;
    const before = event.before ?? '';
    const after = event.after || sha;
    if (event.deleted)
        return `the push deleted the branch: nothing to build`;
    // Commit ids only: anything else (never sent by GitHub) must not reach git as an option.
    if (!COMMIT_ID.test(before) || !COMMIT_ID.test(after) || ZERO_COMMIT.test(before)) {
        return undefined;
    }
    const git = gitAt(workDir, ctx.childEnvBase);
    let top;
    try {
        top = await topLevel(git);
    }
    catch {
        return undefined; // not a checkout: the pipeline says so
    }
    const folders = [relative(top, resolve(workDir))];
    const rules = inputs.rulesFile.trim();
    if (rules !== '' && !/^none$/i.test(rules))
        folders.push(relative(top, resolve(workDir, rules)));
    if (folders.some((f) => f === ''))
        return undefined;
    if (folders.some((f) => f.startsWith('..')))
        return undefined;
    if (!(await hasCommit(git, before)) || !(await hasCommit(git, after))) {
        logger.info(`the push's before-commit ${before.slice(0, 12)} is not in this clone (a force push, or ` +
            'a shallow checkout): building without looking at what changed');
        return undefined;
    }
    const changed = await changedFiles(git, before, after, folders);
    if (changed.length > 0) {
        logger.info(`the push changed ${changed.length} file(s) under ${folders.join(', ')}, e.g. ${changed[0]}`);
        return undefined;
    }
    return (`the push ${before.slice(0, 7)}..${after.slice(0, 7)} changed nothing under ` +
        `${folders.join(', ')}: no dev build of this plugin (run the workflow by hand, ` +
        'workflow_dispatch, to build it anyway)');
}
/** Checks the checkout before anything is built: whole history, a commit to name. */
async function checkDevCheckout(workDir, childEnvBase) {
    const git = gitAt(workDir, childEnvBase);
    try {
        await topLevel(git);
    }
    catch (err) {
        throw new Error(`${workDir} is not a git checkout (${err.message}): ${SHALLOW_FIX}`);
    }
    if (await isShallow(git))
        throw new Error(`the checkout is shallow: ${SHALLOW_FIX}`);
    return git;
}
/** The last release of `name` that HEAD contains: the highest version among matching tags. */
async function lastRelease(git, tagPattern, name) {
    const hasName = compileTagPattern(tagPattern).hasName;
    let best;
    for (const tag of await tagsMerged(git)) {
        let version;
        try {
            version = matchTagPattern(tag, tagPattern, hasName ? name : undefined).release.version;
        }
        catch {
            continue; // another plugin's tag, or no release tag
        }
        if (best === undefined || semver.gt(version, best.version))
            best = { tag, version };
    }
    return best;
}
/**
 * The ReleaseVersion of this dev build, once the .so's version is known (inspect): from the
 * last release tag on the branch, the commits since and the commit built.
 */
async function devReleaseOf(opts) {
    const { git, inputs, logger } = opts;
    const commit = await headCommit(git);
    const last = await lastRelease(git, inputs.tagPattern, opts.name);
    const commits = await commitsSince(git, last?.tag);
    const version = devVersion$1({
        soVersion: opts.soVersion,
        lastRelease: last?.version,
        commits,
        commit
    });
    logger.info(`dev build ${version} of ${opts.branch} (${commit.slice(0, 12)}): ` +
        (last
            ? `${commits} commit(s) after ${last.tag}`
            : `no release tag of ${opts.name} yet, ${commits} commit(s) in all`) +
        `, the .so reports ${opts.soVersion}`);
    return devRelease(version, {
        branch: opts.branch,
        devTag: inputs.devTag,
        commit,
        lastRelease: last,
        commits,
        soVersion: opts.soVersion
    });
}

// falcoctl index.yaml: a top-level YAML list of entries (falcoctl pkg/index/index Entry), looked up
// by name. mergeIndex updates our own entries field by field (fields we do not set, such as a
// signature block a maintainer added, stay) and leaves every other entry as it was, comments,
// signature blocks and unknown fields included.
const present$1 = (s) => s !== undefined && s !== '';
function validateEntry(e) {
    const what = `index entry ${JSON.stringify(e.name)}`;
    if (typeof e.name !== 'string' || !ARTIFACT_NAME_PATTERN.test(e.name)) {
        throw new Error(`${what}: the name must match ${ARTIFACT_NAME_PATTERN.source}`);
    }
    if (!ARTIFACT_TYPES.includes(e.type)) {
        throw new Error(`${what}: type must be one of ${ARTIFACT_TYPES.join(', ')}, not ${e.type}`);
    }
    if (!present$1(e.registry))
        throw new Error(`${what}: registry is empty`);
    if (!present$1(e.repository))
        throw new Error(`${what}: repository is empty`);
}
/** The entry as an ordered plain object, empty fields left out. */
function indexEntryObject(e) {
    const o = {
        name: e.name,
        type: e.type,
        registry: e.registry,
        repository: e.repository
    };
    if (present$1(e.description))
        o.description = e.description;
    if (present$1(e.home))
        o.home = e.home;
    const keywords = (e.keywords ?? []).filter(present$1);
    if (keywords.length > 0)
        o.keywords = keywords;
    if (present$1(e.license))
        o.license = e.license;
    const maintainers = (e.maintainers ?? [])
        .map((m) => {
        const out = {};
        if (present$1(m.email))
            out.email = m.email;
        if (present$1(m.name))
            out.name = m.name;
        return out;
    })
        .filter((m) => Object.keys(m).length > 0);
    if (maintainers.length > 0)
        o.maintainers = maintainers;
    const sources = (e.sources ?? []).filter(present$1);
    if (sources.length > 0)
        o.sources = sources;
    if (e.signature !== undefined && Object.keys(e.signature.cosign ?? {}).length > 0) {
        o.signature = { cosign: { ...e.signature.cosign } };
    }
    return o;
}
const STRINGIFY_OPTIONS = { lineWidth: 0, indentSeq: true };
/**
 * Merges `entries` into an index.yaml: existing entries with the same names get every field we
 * set (and keep the others), all other entries are kept untouched, and the list is sorted by
 * name (as falcoctl writes it).
 * Throws on invalid YAML, a file that is not a list, entries without a name, and duplicate names.
 */
function mergeIndex(existingText, entries) {
    const fresh = new Map();
    for (const e of entries) {
        validateEntry(e);
        if (fresh.has(e.name))
            throw new Error(`index entry ${e.name} is given twice`);
        fresh.set(e.name, e);
    }
    const doc = existingText === undefined
        ? new Document([])
        : parseDocument(existingText, { prettyErrors: true });
    if (doc.errors.length > 0) {
        throw new Error(`index.yaml: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    }
    if (doc.contents === null)
        doc.contents = new YAMLSeq();
    const seq = doc.contents;
    if (!isSeq(seq))
        throw new Error('index.yaml: expected a YAML list of entries at the top level');
    // A comment at the top of the file is attached to the first entry: keep it at the top.
    const first = seq.items[0];
    if (isNode(first) && first.commentBefore) {
        seq.commentBefore = [seq.commentBefore, first.commentBefore].filter(Boolean).join('\n');
        first.commentBefore = undefined;
    }
    const kept = [];
    const seen = new Set();
    seq.items.forEach((node, i) => {
        const nameNode = isMap(node) ? node.get('name', true) : undefined;
        const name = isScalar(nameNode) ? nameNode.value : undefined;
        if (typeof name !== 'string' || name === '') {
            throw new Error(`index.yaml: entry ${i + 1} has no name`);
        }
        if (seen.has(name))
            throw new Error(`index.yaml: the name ${name} appears twice`);
        seen.add(name);
        const entry = fresh.get(name);
        if (entry !== undefined && isMap(node)) {
            for (const [key, value] of Object.entries(indexEntryObject(entry))) {
                const current = node.get(key, true);
                const currentJs = isNode(current) ? current.toJSON() : current;
                // Untouched when equal, so a re-run keeps the maintainer's formatting.
                if (JSON.stringify(currentJs) !== JSON.stringify(value))
                    node.set(key, doc.createNode(value));
            }
            fresh.delete(name);
        }
        kept.push({ name, node });
    });
    for (const [name, entry] of fresh) {
        kept.push({ name, node: doc.createNode(indexEntryObject(entry)) });
    }
    kept.sort((a, b) => compareGoStrings(a.name, b.name));
    seq.items = kept.map((k) => k.node);
    if (seq.items.length > 0)
        seq.flow = false;
    return doc.toString(STRINGIFY_OPTIONS);
}

// A falcosecurity/plugins registry.yaml entry generated from what the .so says about itself, and
// the checks `registry check` (build/registry, Registry.Validate) applies to it, so that a plugin
// author can paste the entry into a pull request and have it pass review the first time.
//
// Upstream rules (falco-plugin-api.md §9): the name, source and ID rules of conventions.ts; names
// and source IDs unique, the reserved entries (IDs 0 and 999) included.
const present = (s) => s !== undefined && s.trim() !== '';
/** The maintainer a contact string names, if it names one. */
function maintainersFromContact(contact) {
    const m = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(contact);
    if (m)
        return [m[1] ? { name: m[1], email: m[2] } : { email: m[2] }];
    if (/^[^\s@<>]+@[^\s@<>]+$/.test(contact.trim()))
        return [{ email: contact.trim() }];
    return [];
}
/** The registry.yaml entry for a plugin, from its metadata. */
function registryEntry(meta, opts) {
    const maintainers = (opts.maintainers ?? maintainersFromContact(meta.contact)).filter((m) => present(m.name) || present(m.email));
    const names = maintainers.map((m) => m.name).filter(present);
    const authors = present(opts.authors)
        ? opts.authors
        : names.length > 0
            ? names.join(', ')
            : undefined;
    const entry = {
        name: meta.name,
        description: meta.description,
        ...(authors !== undefined ? { authors } : {}),
        contact: meta.contact,
        maintainers,
        keywords: [...new Set((opts.keywords ?? []).map((k) => k.trim()).filter((k) => k !== ''))],
        url: opts.url,
        ...(present(opts.rulesUrl) ? { rules_url: opts.rulesUrl } : {}),
        license: opts.license ?? '',
        capabilities: {}
    };
    if (meta.capabilities.includes('sourcing')) {
        entry.capabilities.sourcing = {
            supported: true,
            id: meta.id ?? 0,
            source: meta.eventSource ?? ''
        };
    }
    if (meta.capabilities.includes('extraction')) {
        const sources = meta.extractEventSources ?? [];
        // A sourcing plugin that extracts from its own source says nothing more (as upstream entries do).
        const own = sources.length === 1 && sources[0] === meta.eventSource;
        entry.capabilities.extraction =
            sources.length > 0 && !own ? { supported: true, sources: [...sources] } : { supported: true };
    }
    return entry;
}
/** The plugins and reserved sources of a registry.yaml. */
function parseRegistry(text) {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
        throw new Error(`registry.yaml: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    }
    const root = doc.toJS();
    if (root === null || typeof root !== 'object' || !isMap(doc.contents)) {
        throw new Error('registry.yaml: expected a mapping with a plugins list');
    }
    const list = doc.get('plugins', true);
    if (list !== undefined && !isSeq(list))
        throw new Error('registry.yaml: plugins is not a list');
    const plugins = [];
    for (const p of (root.plugins ?? [])) {
        if (p === null || typeof p !== 'object' || typeof p.name !== 'string')
            continue;
        const caps = (p.capabilities ?? {});
        const s = caps.sourcing;
        plugins.push({
            name: p.name,
            url: typeof p.url === 'string' ? p.url : undefined,
            reserved: p.reserved === true,
            sourcing: s && s.supported === true
                ? { id: Number(s.id ?? 0), source: typeof s.source === 'string' ? s.source : undefined }
                : undefined
        });
    }
    const reserved = Array.isArray(root.reserved_sources)
        ? root.reserved_sources.filter((s) => typeof s === 'string')
        : undefined;
    return { plugins, reservedSources: reserved };
}
const stringList = (v) => Array.isArray(v) ? v.filter((x) => typeof x === 'string') : undefined;
/** The entry named `name` in a registry.yaml, or undefined. */
function registeredEntry(text, name) {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
        throw new Error(`registry.yaml: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    }
    const root = doc.toJS();
    const plugins = Array.isArray(root?.plugins) ? root.plugins : [];
    const p = plugins.find((x) => x !== null && typeof x === 'object' && x.name === name);
    if (!p)
        return undefined;
    const str = (v) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
    const maintainers = Array.isArray(p.maintainers)
        ? p.maintainers
            .filter((m) => m !== null && typeof m === 'object')
            .map((m) => ({ name: str(m.name), email: str(m.email) }))
            .filter((m) => m.name !== undefined || m.email !== undefined)
        : undefined;
    const out = {};
    if (str(p.url))
        out.url = str(p.url);
    if (str(p.rules_url))
        out.rules_url = str(p.rules_url);
    if (str(p.authors))
        out.authors = str(p.authors);
    if (str(p.license))
        out.license = str(p.license);
    if (maintainers && maintainers.length > 0)
        out.maintainers = maintainers;
    const keywords = stringList(p.keywords);
    if (keywords && keywords.length > 0)
        out.keywords = keywords;
    return out;
}
const sameUrl = (a, b) => a !== undefined &&
    b !== undefined &&
    a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
/**
 * Checks an entry against every rule `registry check` enforces, plus what reviewers ask for.
 * With `registry` (the text of the current upstream registry.yaml), also checks that the name and
 * the source ID are not taken by another plugin, and uses its reserved_sources. With `own`, the
 * registry.yaml is the plugin's own repository's: an entry with the same name is this plugin's.
 */
function validateRegistryEntry(entry, opts = {}) {
    const errors = [];
    const conflicts = [];
    const warnings = [];
    const registry = opts.registry === undefined ? undefined : parseRegistry(opts.registry);
    const reservedSources = registry?.reservedSources ?? RESERVED_SOURCES;
    // Name.
    if (!ARTIFACT_NAME_PATTERN.test(entry.name)) {
        errors.push(`name "${entry.name}" does not follow the naming convention ${ARTIFACT_NAME_PATTERN.source} (lower-case letters first, then lower-case letters, digits, "-" or "_")`);
    }
    else {
        if (entry.name.includes('_')) {
            warnings.push(`name "${entry.name}" has "_": the registry docs prefer "-" in plugin names`);
        }
        if (/falco|plugin/.test(entry.name)) {
            warnings.push(`name "${entry.name}" repeats "falco" or "plugin": reviewers ask for short names (falco_journald_plugin became journald, falcosecurity/plugins#461)`);
        }
    }
    // Sourcing.
    const sourcing = entry.capabilities.sourcing;
    if (sourcing?.supported) {
        const id = sourcing.id;
        const block = Number.isSafeInteger(id) && id >= 0 ? sourceIdBlock(id) : undefined;
        if (block === undefined) {
            errors.push(`source ID ${id} is not a non-negative integer`);
        }
        else if (block === 'internal') {
            errors.push(`source ID ${id} is above ${MAX_PRIVATE_ID}, in the block reserved for internal use; registry.yaml accepts IDs up to ${MAX_PUBLIC_ID}`);
        }
        else if (block === 'private') {
            warnings.push(`source ID ${id} is in the private block (${MAX_PUBLIC_ID + 1}-${MAX_PRIVATE_ID}): fine for a plugin kept out of registry.yaml, but registry check refuses IDs above ${MAX_PUBLIC_ID}; request a public ID to register it`);
        }
        else if (block === 'zero') {
            errors.push('source ID 0 is reserved in registry.yaml (the plugin-id-zero-value entry): a plugin producing syscall events cannot register a source ID');
        }
        else if (block === 'development') {
            warnings.push(`source ID ${DEVELOPMENT_ID} is reserved for development (the registry's "test" entry): events collide with every other plugin in development, and registry check refuses it as a duplicate; request a real ID (open a pull request to falcosecurity/plugins adding the next free ID) before publishing`);
        }
        if (id !== 0) {
            if (reservedSources.includes(sourcing.source)) {
                errors.push(`source "${sourcing.source}" is reserved (${reservedSources.join(', ')}): Falco uses it itself`);
            }
            else if (!EVENT_SOURCE_PATTERN.test(sourcing.source)) {
                errors.push(`source "${sourcing.source}" does not follow the naming convention ${EVENT_SOURCE_PATTERN.source} (no "-"; lower-case letters, digits and "_")`);
            }
        }
    }
    // Extraction: documented to follow the source convention, not enforced by the code.
    const extraction = entry.capabilities.extraction;
    if (extraction?.supported) {
        for (const s of extraction.sources ?? []) {
            if (!EVENT_SOURCE_PATTERN.test(s)) {
                warnings.push(`extraction source "${s}" does not follow the documented convention ${EVENT_SOURCE_PATTERN.source}`);
            }
        }
    }
    if (!sourcing?.supported && !extraction?.supported) {
        warnings.push('the plugin has neither event sourcing nor field extraction: registry.yaml records only those two capabilities');
    }
    // Fields the registry README asks for; the validator does not check them, reviewers do.
    if (!present(entry.description))
        warnings.push('description is empty');
    if (!present(entry.contact))
        warnings.push('contact is empty: give a URL or an address for questions');
    if (!present(entry.license))
        warnings.push('license is empty: give an SPDX identifier such as Apache-2.0');
    else if (!/^[A-Za-z0-9.+-]+(?:\s+(?:AND|OR|WITH)\s+[A-Za-z0-9.+-]+)*$/.test(entry.license.replace(/[()]/g, ''))) {
        warnings.push(`license "${entry.license}" does not look like an SPDX identifier (e.g. Apache-2.0)`);
    }
    if (!present(entry.url))
        warnings.push("url is empty: give the plugin's source repository");
    else if (!/^https:\/\//.test(entry.url))
        warnings.push(`url "${entry.url}" is not an https URL`);
    if (entry.maintainers.length === 0) {
        warnings.push('no maintainers: add at least one {name, email}');
    }
    // Collisions with what is registered already.
    if (registry !== undefined) {
        const conflict = (m) => {
            errors.push(m);
            conflicts.push(m);
        };
        const same = registry.plugins.filter((p) => p.name === entry.name);
        for (const p of same) {
            if (p.reserved || (!opts.own && !sameUrl(p.url, entry.url))) {
                conflict(`name "${entry.name}" is already registered` +
                    (p.reserved ? ' as a reserved entry' : p.url ? ` for ${p.url}` : '') +
                    ': pick another name');
            }
            else if (sourcing?.supported && p.sourcing && p.sourcing.id !== sourcing.id) {
                conflict(`"${entry.name}" is registered with source ID ${p.sourcing.id}, but the plugin reports ${sourcing.id}` +
                    (opts.own ? ': fix the ID in the plugin or in registry.yaml' : ''));
            }
        }
        const checkId = opts.own
            ? sourcing?.supported === true && sourcing.id !== 0
            : sourcing?.supported === true && sourcing.id !== 0 && sourcing.id !== DEVELOPMENT_ID;
        if (sourcing && checkId) {
            for (const p of registry.plugins) {
                if (p.name === entry.name || p.sourcing === undefined)
                    continue;
                if (p.sourcing.id === sourcing.id) {
                    conflict(opts.own
                        ? `source id is not unique: ${sourcing.id} is already used by "${p.name}" in registry.yaml (registry check refuses it): request a free ID`
                        : `source ID ${sourcing.id} is already taken by "${p.name}": request a free ID`);
                }
                else if (p.sourcing.source === sourcing.source && !p.reserved) {
                    warnings.push(`source "${sourcing.source}" is also produced by "${p.name}" (ID ${p.sourcing.id}): fine only when the events have the same format`);
                }
            }
        }
    }
    return { errors, conflicts, warnings };
}
/** The entry as an ordered plain object in registry.yaml's field order, empty optional fields left out. */
function registryEntryObject(entry) {
    const o = { name: entry.name, description: entry.description };
    if (present(entry.authors))
        o.authors = entry.authors;
    o.contact = entry.contact;
    const maintainers = entry.maintainers
        .map((m) => ({
        ...(present(m.name) ? { name: m.name } : {}),
        ...(present(m.email) ? { email: m.email } : {})
    }))
        .filter((m) => Object.keys(m).length > 0);
    if (maintainers.length > 0)
        o.maintainers = maintainers;
    if (entry.keywords.length > 0)
        o.keywords = [...entry.keywords];
    o.url = entry.url;
    if (present(entry.rules_url))
        o.rules_url = entry.rules_url;
    o.license = entry.license;
    if (entry.reserved)
        o.reserved = true;
    const caps = {};
    const s = entry.capabilities.sourcing;
    if (s)
        caps.sourcing = { supported: s.supported, id: s.id, source: s.source };
    const e = entry.capabilities.extraction;
    if (e) {
        caps.extraction = {
            supported: e.supported,
            ...(e.sources !== undefined && e.sources.length > 0 ? { sources: [...e.sources] } : {})
        };
    }
    o.capabilities = caps;
    return o;
}
/**
 * The entry as one registry.yaml list item, indented by two spaces to paste under `plugins:`.
 */
function registryEntryYaml(entry) {
    const text = stringify([registryEntryObject(entry)], { lineWidth: 0, indentSeq: true });
    return text
        .split('\n')
        .map((line) => (line === '' ? line : `  ${line}`))
        .join('\n');
}

// A GitHub repository's owner and name, checked (they go into API paths). Apart from the API
// client (client.ts), which loads Octokit: runs that never call the API need these too.
/** Checks the owner and name of a repository (they go into API paths). */
function checkRepository(owner, repo) {
    for (const [what, v] of [
        ['owner', owner],
        ['repo', repo]
    ]) {
        if (!/^[A-Za-z0-9_.-]+$/.test(v) || v === '.' || v === '..') {
            throw new Error(`invalid GitHub repository ${what} ${JSON.stringify(v)}`);
        }
    }
    return { owner, repo };
}
/** `owner/repo` from GITHUB_REPOSITORY (or a given `owner/repo`). */
function parseRepository(value) {
    const m = /^([^/\s]+)\/([^/\s]+)$/.exec((value ?? '').trim());
    if (!m) {
        throw new Error(`expected a GitHub repository as owner/name, got ${JSON.stringify(value ?? '')} (GITHUB_REPOSITORY is not set?)`);
    }
    return checkRepository(m[1], m[2]);
}

/** Whether to make a GitHub Release: asked for, or "auto" on a tag run under GitHub Actions. */
function wantsGitHubRelease(inputs, github) {
    if (inputs.githubRelease !== 'auto')
        return inputs.githubRelease;
    return github.actions && github.ref.startsWith('refs/tags/') && inputs.ociLayout === '';
}
/** A run for a branch (no tag input): a dev build, which makes no GitHub Release. */
function isBranchRun(inputs, github) {
    return inputs.tag === '' && github.ref.startsWith('refs/heads/');
}
function requiredPermissions(inputs, github) {
    const out = { contents: 'read' }; // actions/checkout
    // A push-by-digest job only pushes a platform manifest; its merge job does the rest.
    const distributes = !inputs.dryRun && !inputs.pushByDigest;
    const writesContents = isBranchRun(inputs, github)
        ? inputs.devIndexFile !== '' && inputs.indexBranch !== '' // the dev index on the branch
        : wantsGitHubRelease(inputs, github) || inputs.indexBranch !== '';
    if (distributes && writesContents)
        out.contents = 'write';
    // ghcr.io with the workflow token (no password input): the token must be allowed to push.
    const workflowTokenPushes = inputs.registry === 'ghcr.io' && inputs.ociLayout === '' && inputs.password === '';
    if (workflowTokenPushes && !inputs.dryRun)
        out.packages = 'write';
    return out;
}

// Reading the files the user points us at (the rules file, index.yaml) with a size limit, so that
// a huge or endless file fails with a clear error instead of exhausting memory.
/**
 * The largest rules file we read. Falco's own falco_rules.yaml is about 100 KiB; a release's
 * rules are packed into one layer and parsed whole.
 */
const MAX_RULES_FILE_BYTES = 8 << 20;
/** The largest index.yaml we read (falcosecurity's index, with every plugin, is about 50 KiB). */
const MAX_INDEX_FILE_BYTES = 8 << 20;
class FileTooLargeError extends Error {
    constructor(message) {
        super(message);
        this.name = 'FileTooLargeError';
    }
}
/**
 * The file as UTF-8 text, or a FileTooLargeError naming the file, its size and the limit. A
 * regular file is judged by its size before anything is read; anything else (a device, a pipe,
 * a file still growing) stops after `limit` bytes.
 */
async function readTextFileBounded(path, opts) {
    const tooLarge = (size) => new FileTooLargeError(`${opts.what} ${path} is ` +
        (size === undefined ? 'larger than' : `${formatBytes(size)}, more than`) +
        ` the ${formatBytes(opts.limit)} this action reads: ${opts.fix}`);
    const file = await open(path, 'r');
    try {
        const st = await file.stat();
        if (st.isFile() && st.size > opts.limit)
            throw tooLarge(st.size);
        const chunks = [];
        let total = 0;
        for (;;) {
            const chunk = Buffer.alloc(Math.min(256 << 10, opts.limit + 1 - total));
            const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
            if (bytesRead === 0)
                break;
            chunks.push(chunk.subarray(0, bytesRead));
            total += bytesRead;
            if (total > opts.limit)
                throw tooLarge();
        }
        return Buffer.concat(chunks).toString('utf8');
    }
    finally {
        await file.close();
    }
}

// The falcoctl index.yaml entries of a release, merged into the index file.
const nonEmpty = (list) => (list.length > 0 ? list : undefined);
/** The maintainers input ("Name <email>" items), else the one the .so's contact names. */
function maintainersOf(inputs, meta) {
    if (inputs.maintainers.length > 0) {
        return inputs.maintainers.map((m) => {
            const parsed = maintainersFromContact(m);
            return parsed.length > 0 ? parsed[0] : { name: m };
        });
    }
    // "Name <email>" or a bare email names a maintainer; a URL or free text names none.
    return maintainersFromContact(meta.contact);
}
function indexEntries(plan, meta, inputs, links, 
/** Only when the artifacts are signed so that falcoctl can verify them. */
signature) {
    const common = {
        registry: inputs.registry,
        home: links.home || undefined,
        license: inputs.license || undefined,
        maintainers: nonEmpty(maintainersOf(inputs, meta)),
        sources: nonEmpty(links.sources),
        signature
    };
    const keywords = (extra) => [...new Set([...inputs.keywords, extra])];
    const entries = [
        {
            name: plan.plugin.name,
            type: 'plugin',
            repository: plan.plugin.repository,
            description: meta.description || undefined,
            keywords: keywords(plan.plugin.name),
            ...common
        }
    ];
    if (plan.rules) {
        entries.push({
            name: plan.rules.name,
            type: 'rulesfile',
            repository: plan.rules.repository,
            description: `Rules for the ${meta.name} Falco plugin`,
            keywords: keywords(plan.rules.name),
            ...common
        });
    }
    return entries;
}
/**
 * Our entries that keep a signature block we did not write: falcoctl verifies the artifact
 * against it, so it must describe how this release was really signed.
 */
function keptSignatures(mergedText, entries) {
    const merged = (parse(mergedText) ?? []);
    return entries
        .filter((e) => e.signature === undefined)
        .filter((e) => merged.some((m) => m?.name === e.name && m.signature !== undefined))
        .map((e) => e.name);
}

// After the registry: index.yaml (a file, and optionally a commit to a
// branch), the GitHub Release with archives and checksums, and the
// registry.yaml entry to propose upstream. Nothing here touches the registry.
//
// prepareDistribution runs before the first registry write and does every check that could
// refuse: the index file and the branch's index merge, the token may write the repository.
// The steps after the registry only write: writeIndexFile, commitIndex, publishRelease (each a
// stage of the pipeline, so a failure says which one).
// The GitHub API (Octokit) loads only for a run that uses it: index-branch, a GitHub Release.
const loadPages = () => import('./github.js').then(function (n) { return n.p; });
/**
 * The registry.yaml entry for this plugin. When the repository has a registry.yaml at its root
 * (a monorepo such as falcosecurity/plugins), the entry is checked against it as `registry
 * check` would (a name or source ID another entry uses refuses the release) and the fields the
 * inputs do not give (url, rules_url, authors, maintainers, keywords, license) come from the
 * plugin's existing entry.
 */
function proposeRegistryEntry(opts) {
    const { meta, inputs, links } = opts;
    const file = join(repositoryRoot(opts.workDir), 'registry.yaml');
    const text = existsSync$1(file) ? readFileSync$1(file, 'utf8') : undefined;
    const existing = text !== undefined ? registeredEntry(text, meta.name) : undefined;
    const maintainers = inputs.maintainers.length > 0 ? maintainersOf(inputs, meta) : undefined;
    const entry = registryEntry(meta, {
        url: inputs.given.has('source-url') || inputs.given.has('home')
            ? links.url
            : (existing?.url ?? links.url),
        license: inputs.license || existing?.license || undefined,
        keywords: inputs.keywords.length > 0 ? inputs.keywords : existing?.keywords,
        maintainers: maintainers ?? existing?.maintainers,
        authors: inputs.authors || existing?.authors,
        rulesUrl: opts.rules ? (existing?.rules_url ?? links.rulesUrl) : undefined
    });
    const { errors, warnings, conflicts } = validateRegistryEntry(entry, text !== undefined ? { registry: text, own: true } : {});
    if (conflicts.length > 0) {
        throw new Error(`${file} refuses this plugin, as its \`registry check\` would: ${conflicts.join('; ')}`);
    }
    if (text !== undefined && existing === undefined) {
        warnings.push(`${meta.name} has no entry in ${file}: add the entry below (registry check accepts it)`);
    }
    return {
        yaml: registryEntryYaml(entry),
        errors,
        warnings,
        ...(text !== undefined ? { registryFile: file } : {})
    };
}
/** The GitHub API and repository of this run, with the token; refuses without a token. */
function githubApi(inputs, github, what) {
    if (inputs.githubToken === '') {
        throw new Error(`${what} needs a GitHub token: set github-token (default: the workflow token)`);
    }
    return {
        api: { baseUrl: github.apiUrl, token: inputs.githubToken },
        ...parseRepository(github.repository)
    };
}
async function prepareDistribution(opts) {
    const { inputs, github, plan, metadata, logger } = opts;
    const entries = indexEntries(plan, metadata, inputs, opts.links, opts.signature);
    if (opts.writeIndex === false) {
        // Nothing is written: the install check sees our entries alone, the rest of the file is moot.
        const indexText = mergeIndex(undefined, entries);
        return {
            inputs,
            indexPath: '',
            writeIndex: false,
            indexText,
            servedIndexText: indexText,
            entries
        };
    }
    const indexPath = confine(opts.workspace, inputs.indexFile, 'index-file');
    const info = await lstat(indexPath).catch(() => undefined);
    if (info?.isSymbolicLink()) {
        throw new Error(`index-file ${inputs.indexFile} is a symbolic link: refusing to write through it; point ` +
            'index-file at a regular file. Nothing was pushed.');
    }
    const existing = info
        ? await readTextFileBounded(indexPath, {
            limit: MAX_INDEX_FILE_BYTES,
            what: 'the index file',
            fix: 'check that index-file names a falcoctl index.yaml'
        })
        : undefined;
    let indexText;
    try {
        indexText = mergeIndex(existing, entries);
    }
    catch (err) {
        throw new Error(`${inputs.indexFile} cannot take this release's entries: ${err.message}. Fix ` +
            'the file (a falcoctl index is a YAML list of entries with unique names), or point ' +
            'index-file at another path. Nothing was pushed.', { cause: err });
    }
    const prepared = {
        inputs,
        indexPath,
        writeIndex: true,
        indexText,
        servedIndexText: indexText,
        entries
    };
    const needs = [];
    if (inputs.indexBranch !== '') {
        if (isAbsolute(inputs.indexFile)) {
            throw new Error(`index-file must be a path inside the repository with index-branch, got ${inputs.indexFile}`);
        }
        prepared.branch = githubApi(inputs, github, 'index-branch');
        needs.push(`index-branch (${inputs.indexBranch})`);
        const { readBranchFile } = await loadPages();
        const onBranch = await readBranchFile({
            ...prepared.branch,
            branch: inputs.indexBranch,
            path: inputs.indexFile,
            logger
        });
        try {
            prepared.servedIndexText = mergeIndex(onBranch, entries);
        }
        catch (err) {
            throw new Error(`${inputs.indexFile} on the ${inputs.indexBranch} branch cannot take this release's ` +
                `entries: ${err.message}. Fix it on that branch. Nothing was pushed.`, { cause: err });
        }
    }
    if (wantsGitHubRelease(inputs, github)) {
        prepared.release = githubApi(inputs, github, 'github-release');
        needs.push(inputs.githubRelease === 'auto' ? 'github-release (auto: on tag runs)' : 'github-release');
    }
    const gh = prepared.branch ?? prepared.release;
    if (gh && !inputs.dryRun) {
        const { checkContentsWrite } = await import('./github.js').then(function (n) { return n.a; });
        await checkContentsWrite({ ...gh, neededBy: needs, logger });
    }
    return prepared;
}
/** Writes the merged index.yaml (prepared.writeIndex), never through a symbolic link. */
async function writeIndexFile(prepared, logger) {
    const { inputs } = prepared;
    await writeFileNoFollow(prepared.indexPath, prepared.indexText, 'index-file');
    for (const name of keptSignatures(prepared.indexText, prepared.entries)) {
        logger.warning(`${inputs.indexFile}: the entry ${name} keeps its signature block: falcoctl verifies ` +
            `${name} against it on install, so it must describe how this release is signed`);
    }
}
/** Commits the release's entries to index-file on index-branch (prepared.branch). */
async function commitIndex(opts) {
    const { prepared, logger } = opts;
    const { inputs, entries } = prepared;
    const { commitIndexToBranch } = await loadPages();
    return logger.group(`Commit ${inputs.indexFile} to ${inputs.indexBranch}`, () => commitIndexToBranch({
        ...opts.branch,
        branch: inputs.indexBranch,
        path: inputs.indexFile,
        update: (existing) => mergeIndex(existing, entries),
        message: `index.yaml: ${opts.metadata.name} ${opts.plan.version}`,
        logger
    }));
}
/**
 * The GitHub Release of the tag (prepared.release): the release's layers as archives, a
 * checksums.txt (signed when the release is), then build provenance of the archives.
 */
async function publishRelease(opts) {
    const { plan, metadata, logger } = opts;
    const { inputs } = opts.prepared;
    const signer = opts.signing?.result?.signed ? opts.signing.signer : undefined;
    const outDir = join(opts.scratch, 'release-assets');
    // Signed checksums and provenance (Sigstore, @actions/attest) load only for a GitHub Release.
    const { checksumBundles, provenanceForRelease } = await import('./sign.js').then(function (n) { return n.r; });
    const { buildReleaseAssets, publishGitHubRelease } = await import('./github.js').then(function (n) { return n.b; });
    const assets = await buildReleaseAssets({
        name: metadata.name,
        version: plan.version,
        plugins: opts.archives.plugins.map((p) => ({
            architecture: p.platform.architecture,
            archive: p.path
        })),
        rulesArchive: opts.archives.rules,
        outDir
    });
    const signed = signer ? await checksumBundles(assets, outDir, signer) : [];
    const movesLatest = plan.tagPlan.floating.some((d) => d.tag === 'latest' && d.move);
    const githubRelease = await logger.group('GitHub Release', () => publishGitHubRelease({
        ...opts.release,
        tag: opts.version.tag,
        name: `${metadata.name} ${plan.version}`,
        prerelease: opts.version.prerelease,
        makeLatest: movesLatest && !opts.monorepo,
        assets: [...assets, ...signed],
        targetCommitish: opts.sha,
        logger
    }));
    const identity = opts.signing?.result?.identity;
    const attestation = await provenanceForRelease({
        ...opts.release,
        provenance: inputs.provenance,
        archives: assets.filter((a) => a.name.endsWith('.tar.gz')),
        signer,
        issuer: identity?.kind === 'keyless' ? identity.issuer : undefined,
        logger
    });
    return { githubRelease, attestation };
}

// Reads a layer back: the one regular file of a falcoctl tar.gz layer,
// streamed to disk (a layer can be hundreds of MiB).
const BLOCK = 512;
function field(header, start, length) {
    const raw = header.subarray(start, start + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}
/**
 * Extracts the first regular file of a gzip'd tar into `destination`.
 * Returns its name in the archive and its size. Throws when the archive holds
 * no regular file first (falcoctl layers hold exactly one flat file).
 */
async function extractSingleFile(tarGz, destination) {
    const input = createReadStream(tarGz).pipe(createGunzip());
    let header;
    let pending = Buffer.alloc(0);
    let remaining = 0;
    let name = '';
    const out = createWriteStream(destination);
    try {
        for await (const chunk of input) {
            let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
            pending = Buffer.alloc(0);
            if (!header) {
                if (data.length < BLOCK) {
                    pending = data;
                    continue;
                }
                header = data.subarray(0, BLOCK);
                const type = String.fromCharCode(header[156] || 0x30);
                name = field(header, 0, 100);
                if (type !== '0')
                    throw new Error(`${tarGz}: the first entry "${name}" is not a regular file`);
                remaining = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
                data = data.subarray(BLOCK);
            }
            if (remaining > 0 && data.length > 0) {
                const piece = data.subarray(0, Math.min(remaining, data.length));
                remaining -= piece.length;
                if (!out.write(piece))
                    await once(out, 'drain');
            }
            if (remaining === 0)
                break;
        }
        if (!header)
            throw new Error(`${tarGz}: not a tar archive`);
        if (remaining > 0)
            throw new Error(`${tarGz}: "${name}" is truncated`);
    }
    finally {
        input.destroy();
        out.end();
        await once(out, 'close');
    }
    return { name, size: Number.parseInt(field(header, 124, 12).trim() || '0', 8) };
}

// A small ELF64 little-endian reader: what a plugin .so is (class, machine, type), what it
// exports (the dynamic symbol table), what it needs (DT_NEEDED) and which glibc symbol versions it
// references (.gnu.version + .gnu.version_r), hence the oldest glibc that can load it.
//
// It reads only the parts it needs (headers, dynamic symbols, strings, version tables), through
// the section headers like objdump -T, or through the dynamic segment (DT_SYMTAB, DT_STRTAB,
// DT_VERSYM, DT_VERNEED, DT_GNU_HASH/DT_HASH) when the section headers are stripped, like ld.so.
// Pure except for readElf(), which reads a file; parseElf() takes any byte source.
/** ELF e_type values. */
const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const ET_CORE = 4;
/** The file is not an ELF64 little-endian object, or it is damaged. */
class ElfError extends Error {
    constructor(message) {
        super(message);
        this.name = 'ElfError';
    }
}
// ---------------------------------------------------------------------------------------------
// Constants (elf.h)
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const SHT_DYNAMIC = 6;
const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const SHN_UNDEF = 0;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_HASH = 4;
const DT_STRTAB = 5;
const DT_SYMTAB = 6;
const DT_STRSZ = 10;
const DT_SYMENT = 11;
const DT_SONAME = 14;
const DT_GNU_HASH = 0x6ffffef5;
const DT_VERSYM = 0x6ffffff0;
const DT_FLAGS_1 = 0x6ffffffb;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;
const DF_1_PIE = 0x08000000;
const STB_LOCAL = 0;
const STB_WEAK = 2;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const STV_HIDDEN = 2;
const STV_INTERNAL = 1;
const VER_FLG_WEAK = 2;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const DYN_SIZE = 16;
/** Sanity limits, so a damaged header cannot make us allocate gigabytes. */
const MAX_TABLE_BYTES = 256 * 1024 * 1024;
const MAX_VERNEED = 100_000;
function fail(ctx, what) {
    throw new ElfError(`${ctx.src.name}: ${what}`);
}
/** Reads a range after checking it lies inside the file. */
async function readRange(ctx, offset, length, what) {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
        fail(ctx, `damaged ELF file: ${what} has an invalid offset or size`);
    }
    if (length > MAX_TABLE_BYTES) {
        fail(ctx, `damaged ELF file: ${what} claims ${length} bytes`);
    }
    if (offset + length > ctx.src.size) {
        fail(ctx, `truncated or damaged ELF file: it ends at byte ${ctx.src.size}, before the end of ` +
            `${what} (bytes ${offset}..${offset + length})`);
    }
    return ctx.src.read(offset, length);
}
function u64(b, at) {
    const v = b.readBigUInt64LE(at);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER + 1 : Number(v);
}
/** A NUL-terminated string at `at` of a string table. */
function cstr(table, at) {
    if (at < 0 || at >= table.length)
        return '';
    const end = table.indexOf(0, at);
    return table.toString('utf8', at, end === -1 ? table.length : end);
}
/** File offset of a virtual address, through the PT_LOAD segments. */
function offsetOfAddress(segments, addr) {
    for (const s of segments) {
        if (s.type === PT_LOAD && addr >= s.vaddr && addr < s.vaddr + s.filesz) {
            return addr - s.vaddr + s.offset;
        }
    }
    return undefined;
}
/** A short description of what a non-ELF file looks like, for the error. */
function describeNonElf(head) {
    if (head.length === 0)
        return 'the file is empty';
    const text = head.toString('latin1');
    if (text.startsWith('!<arch>\n')) {
        return 'it is an ar archive (a static library): build with -buildmode=c-shared, not c-archive';
    }
    if (text.startsWith('#!'))
        return 'it is a script';
    if (head.length >= 4) {
        const m = head.readUInt32LE(0);
        if ([0xfeedfacf, 0xfeedface, 0xcafebabe, 0xcffaedfe, 0xcefaedfe, 0xbebafeca].includes(m)) {
            return 'it is a macOS Mach-O binary: build the plugin on Linux';
        }
    }
    if (text.startsWith('MZ'))
        return 'it is a Windows PE binary: build the plugin on Linux';
    if (head[0] === 0x1f && head[1] === 0x8b)
        return 'it is gzip data (an archive?)';
    return `it starts with bytes ${head.subarray(0, 4).toString('hex')}`;
}
/** Reads the ELF header, refusing anything but ELF64 little-endian and saying what it is. */
async function readHeader(ctx) {
    const { src } = ctx;
    const head = await src.read(0, Math.min(EHDR_SIZE, src.size));
    if (head.length < 4 || head.readUInt32BE(0) !== 0x7f454c46) {
        fail(ctx, `not an ELF file (${describeNonElf(head)}); a Falco plugin is a Linux .so`);
    }
    if (head.length < 20)
        fail(ctx, 'truncated ELF file: the header is incomplete');
    const cls = head[4];
    const data = head[5];
    const machineAt = data === ELFDATA2MSB ? head.readUInt16BE(18) : head.readUInt16LE(18);
    if (cls === ELFCLASS32) {
        fail(ctx, `a 32-bit ELF file (ELFCLASS32, ${elfMachineName(machineAt)}); Falco plugins are 64-bit ` +
            'shared objects (linux/amd64 or linux/arm64)');
    }
    if (cls !== ELFCLASS64)
        fail(ctx, `an ELF file of unknown class ${cls}`);
    if (data !== ELFDATA2LSB) {
        const what = data === ELFDATA2MSB ? 'big-endian' : `of unknown data encoding ${data}`;
        fail(ctx, `a ${what} ELF file (${elfMachineName(machineAt)}); Falco plugins are little-endian ` +
            '(linux/amd64 or linux/arm64)');
    }
    if (head.length < EHDR_SIZE)
        fail(ctx, 'truncated ELF file: the header is incomplete');
    return {
        type: head.readUInt16LE(16),
        machine: head.readUInt16LE(18),
        phoff: u64(head, 0x20),
        shoff: u64(head, 0x28),
        phentsize: head.readUInt16LE(0x36),
        phnum: head.readUInt16LE(0x38),
        shentsize: head.readUInt16LE(0x3a),
        shnum: head.readUInt16LE(0x3c)
    };
}
/** The program headers (segments). */
async function readSegments(ctx, h) {
    if (h.phoff === 0 || h.phnum === 0)
        return [];
    if (h.phentsize < PHDR_SIZE)
        fail(ctx, `damaged ELF file: e_phentsize is ${h.phentsize}`);
    const ph = await readRange(ctx, h.phoff, h.phnum * h.phentsize, 'the program headers');
    const segments = [];
    for (let i = 0; i < h.phnum; i++) {
        const at = i * h.phentsize;
        segments.push({
            type: ph.readUInt32LE(at),
            offset: u64(ph, at + 8),
            vaddr: u64(ph, at + 16),
            filesz: u64(ph, at + 32)
        });
    }
    return segments;
}
/** The section headers: none in sstripped files. */
async function readSections(ctx, h) {
    if (h.shoff === 0)
        return [];
    if (h.shentsize < SHDR_SIZE)
        fail(ctx, `damaged ELF file: e_shentsize is ${h.shentsize}`);
    let shnum = h.shnum;
    if (shnum === 0) {
        // Extended numbering: the count is in section 0's sh_size.
        const s0 = await readRange(ctx, h.shoff, SHDR_SIZE, 'section header 0');
        shnum = u64(s0, 32);
    }
    const sh = await readRange(ctx, h.shoff, shnum * h.shentsize, 'the section headers');
    const sections = [];
    for (let i = 0; i < shnum; i++) {
        const at = i * h.shentsize;
        sections.push({
            name: sh.readUInt32LE(at),
            type: sh.readUInt32LE(at + 4),
            offset: u64(sh, at + 24),
            size: u64(sh, at + 32),
            link: sh.readUInt32LE(at + 40),
            info: sh.readUInt32LE(at + 44),
            entsize: u64(sh, at + 56)
        });
    }
    return sections;
}
function sectionOfType(l, type) {
    return l.sections.find((s) => s.type === type);
}
/** The section another one links to; a link to nothing is damage. */
function sectionAt(l, index, what) {
    const s = l.sections[index];
    if (!s || index === SHN_UNDEF)
        fail(l, `damaged ELF file: ${what} links to section ${index}`);
    return s;
}
/** The value of a dynamic tag, or undefined when the table has none. */
function dt(l, tag) {
    return l.dynamic.find((d) => d.tag === tag)?.value;
}
/** The file offset of a virtual address a dynamic tag holds; unloaded addresses are damage. */
function addressToOffset(l, addr, what) {
    const off = offsetOfAddress(l.segments, addr);
    if (off === undefined)
        fail(l, `damaged ELF file: ${what} (0x${addr.toString(16)}) is not loaded`);
    return off;
}
/** The layout, with the dynamic table read from .dynamic, else the PT_DYNAMIC segment. */
async function readLayout(ctx, segments, sections) {
    const layout = { ...ctx, segments, sections, dynamic: [] };
    layout.dynSection = sectionOfType(layout, SHT_DYNAMIC);
    const dynSegment = segments.find((s) => s.type === PT_DYNAMIC);
    const range = layout.dynSection
        ? { offset: layout.dynSection.offset, size: layout.dynSection.size }
        : dynSegment
            ? { offset: dynSegment.offset, size: dynSegment.filesz }
            : undefined;
    if (!range)
        return layout;
    const count = Math.floor(range.size / DYN_SIZE);
    const dyn = await readRange(ctx, range.offset, count * DYN_SIZE, 'the dynamic table');
    for (let i = 0; i < count; i++) {
        const tag = Number(dyn.readBigInt64LE(i * DYN_SIZE));
        if (tag === DT_NULL)
            break;
        layout.dynamic.push({ tag, value: u64(dyn, i * DYN_SIZE + 8) });
    }
    return layout;
}
/** The dynamic string table: the section linked from .dynamic (or .dynsym), else DT_STRTAB. */
async function readDynamicStrings(l) {
    const index = l.dynSection?.link ?? sectionOfType(l, SHT_DYNSYM)?.link;
    if (index !== undefined && index !== SHN_UNDEF) {
        const s = sectionAt(l, index, 'the dynamic section');
        return { table: await readRange(l, s.offset, s.size, 'the dynamic string table'), index };
    }
    const strtab = dt(l, DT_STRTAB);
    if (strtab === undefined)
        return { index };
    const off = addressToOffset(l, strtab, 'DT_STRTAB');
    const size = dt(l, DT_STRSZ) ?? 0;
    return { table: await readRange(l, off, size, 'the dynamic string table (DT_STRTAB)'), index };
}
/** The dynamic symbols and their version indices: from the sections, else the dynamic table. */
async function readDynamicSymbols(l) {
    const section = sectionOfType(l, SHT_DYNSYM);
    if (section) {
        const entrySize = section.entsize || SYM_SIZE;
        if (entrySize < SYM_SIZE)
            fail(l, `damaged ELF file: .dynsym entries of ${entrySize} bytes`);
        const count = Math.floor(section.size / entrySize);
        const table = await readRange(l, section.offset, count * entrySize, '.dynsym');
        const vs = sectionOfType(l, SHT_GNU_VERSYM);
        const versions = vs
            ? await readRange(l, vs.offset, Math.min(vs.size, count * 2), '.gnu.version')
            : undefined;
        return { source: 'sections', table, entrySize, count, versions };
    }
    const symtab = dt(l, DT_SYMTAB);
    if (symtab === undefined)
        return { source: 'none', entrySize: SYM_SIZE, count: 0 };
    const entrySize = dt(l, DT_SYMENT) ?? SYM_SIZE;
    if (entrySize < SYM_SIZE)
        fail(l, `damaged ELF file: DT_SYMENT is ${entrySize}`);
    const count = await dynamicSymbolCount(l);
    const off = addressToOffset(l, symtab, 'DT_SYMTAB');
    const table = await readRange(l, off, count * entrySize, 'the dynamic symbols (DT_SYMTAB)');
    const versym = dt(l, DT_VERSYM);
    const versions = versym === undefined
        ? undefined
        : await readRange(l, addressToOffset(l, versym, 'DT_VERSYM'), count * 2, 'the symbol versions (DT_VERSYM)');
    return { source: 'dynamic', table, entrySize, count, versions };
}
/** .gnu.version_r, else DT_VERNEED; undefined when the object needs no versions. */
async function versionNeedTable(l, dynstr) {
    const section = sectionOfType(l, SHT_GNU_VERNEED);
    if (section) {
        let strings = dynstr.table;
        if (section.link !== SHN_UNDEF && section.link !== dynstr.index) {
            const s = sectionAt(l, section.link, '.gnu.version_r');
            strings = await readRange(l, s.offset, s.size, 'the .gnu.version_r strings');
        }
        const data = await readRange(l, section.offset, section.size, '.gnu.version_r');
        return {
            record: async (at) => {
                if (at < 0 || at + 16 > data.length)
                    fail(l, 'damaged ELF file: .gnu.version_r is truncated');
                return data.subarray(at, at + 16);
            },
            count: section.info,
            strings
        };
    }
    const verneed = dt(l, DT_VERNEED);
    if (verneed === undefined)
        return undefined;
    // Without section headers the table's size is unknown: read it record by record.
    const base = addressToOffset(l, verneed, 'DT_VERNEED');
    return {
        record: (at) => readRange(l, base + at, 16, 'the version needs (DT_VERNEED)'),
        count: dt(l, DT_VERNEEDNUM) ?? 0,
        strings: dynstr.table
    };
}
/** Walks the Verneed records and their Vernaux entries. */
async function readVersionNeeds(l, dynstr) {
    const needs = { needed: [], byIndex: new Map() };
    const table = await versionNeedTable(l, dynstr);
    if (!table)
        return needs;
    const { record, strings } = table;
    const name = (at) => (strings ? cstr(strings, at) : '');
    let at = 0;
    for (let i = 0; i < Math.min(table.count, MAX_VERNEED); i++) {
        const vn = await record(at);
        const cnt = vn.readUInt16LE(2);
        const library = name(vn.readUInt32LE(4));
        let aux = at + vn.readUInt32LE(8);
        for (let j = 0; j < cnt; j++) {
            const vna = await record(aux);
            const flags = vna.readUInt16LE(4);
            const other = vna.readUInt16LE(6);
            const version = name(vna.readUInt32LE(8));
            needs.needed.push({ library, version, weak: (flags & VER_FLG_WEAK) !== 0 });
            needs.byIndex.set(other & -32769, { library, version });
            const next = vna.readUInt32LE(12);
            if (next === 0)
                break;
            aux += next;
        }
        const next = vn.readUInt32LE(12);
        if (next === 0)
            break;
        at += next;
    }
    return needs;
}
/**
 * What the object exports (defined global or weak functions that are not hidden, sorted) and
 * imports (undefined symbols with their versions, sorted by name).
 */
function exportsAndImports(symbols, str, versions) {
    const exports = new Set();
    const imports = [];
    const { table, versions: versym } = symbols;
    if (!table)
        return { exports: [], imports };
    for (let i = 1; i < symbols.count; i++) {
        const at = i * symbols.entrySize;
        const nameAt = table.readUInt32LE(at);
        const info = table[at + 4];
        const other = table[at + 5];
        const shndx = table.readUInt16LE(at + 6);
        const bind = info >> 4;
        const stype = info & 0xf;
        const visibility = other & 3;
        if (bind === STB_LOCAL)
            continue;
        const name = str(nameAt);
        if (name === '')
            continue;
        if (shndx === SHN_UNDEF) {
            const imp = { name, weak: bind === STB_WEAK };
            const index = versym && i * 2 + 2 <= versym.length ? versym.readUInt16LE(i * 2) & -32769 : 0;
            const v = index >= 2 ? versions.get(index) : undefined;
            if (v) {
                imp.version = v.version;
                imp.library = v.library;
            }
            imports.push(imp);
        }
        else if ((stype === STT_FUNC || stype === STT_GNU_IFUNC) &&
            visibility !== STV_HIDDEN &&
            visibility !== STV_INTERNAL) {
            exports.add(name);
        }
    }
    imports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { exports: [...exports].sort(), imports };
}
/** Every GLIBC_* version needed → the symbols using it, and the highest non-weak one (the floor). */
function glibcFacts(needed, imports) {
    const glibcSymbols = {};
    let floor;
    for (const v of needed) {
        const n = glibcVersionOf(v.version);
        if (n === undefined)
            continue;
        glibcSymbols[v.version] ??= [];
        if (!v.weak && (floor === undefined || compareGlibcVersions(n, floor) > 0))
            floor = n;
    }
    for (const imp of imports) {
        if (imp.version && glibcSymbols[imp.version])
            glibcSymbols[imp.version].push(imp.name);
    }
    for (const k of Object.keys(glibcSymbols)) {
        glibcSymbols[k] = [...new Set(glibcSymbols[k])].sort();
    }
    return { glibcSymbols, floor };
}
/**
 * An executable built as position-independent code: ET_DYN with DF_1_PIE or, from older linkers,
 * only an interpreter. libc.so.6 has one too (it runs), but also a SONAME, which executables lack.
 */
function isPie(type, l) {
    const flags1 = dt(l, DT_FLAGS_1) ?? 0;
    return (type === ET_DYN &&
        ((flags1 & DF_1_PIE) !== 0 ||
            (dt(l, DT_SONAME) === undefined && l.segments.some((s) => s.type === PT_INTERP))));
}
/** Parses the ELF object behind a ByteSource. Throws ElfError for anything but ELF64 LE. */
async function parseElf(src) {
    const ctx = { src };
    const header = await readHeader(ctx);
    const segments = await readSegments(ctx, header);
    const sections = await readSections(ctx, header);
    const layout = await readLayout(ctx, segments, sections);
    const dynstr = await readDynamicStrings(layout);
    const str = (at) => (dynstr.table ? cstr(dynstr.table, at) : '');
    const symbols = await readDynamicSymbols(layout);
    const versions = await readVersionNeeds(layout, dynstr);
    const { exports, imports } = exportsAndImports(symbols, str, versions.byIndex);
    const { glibcSymbols, floor } = glibcFacts(versions.needed, imports);
    const { type, machine } = header;
    const pie = isPie(type, layout);
    const soname = dt(layout, DT_SONAME);
    const info = {
        path: src.name,
        machine,
        machineName: elfMachineName(machine),
        architecture: goarchOfElfMachine(machine) ?? 'unknown',
        type,
        isPie: pie,
        isSharedObject: type === ET_DYN && !pie,
        needed: layout.dynamic.filter((d) => d.tag === DT_NEEDED).map((d) => str(d.value)),
        exports,
        imports,
        versionsNeeded: versions.needed,
        glibcSymbols,
        symbolSource: symbols.source
    };
    if (soname !== undefined)
        info.soname = str(soname);
    if (floor !== undefined)
        info.glibcFloor = floor;
    return info;
}
/** Number of dynamic symbols from DT_HASH (nchain) or by walking DT_GNU_HASH, as ld.so does. */
async function dynamicSymbolCount(l) {
    const hash = dt(l, DT_HASH);
    if (hash !== undefined) {
        const h = await readRange(l, addressToOffset(l, hash, 'DT_HASH'), 8, 'DT_HASH');
        return h.readUInt32LE(4);
    }
    const gnu = dt(l, DT_GNU_HASH);
    if (gnu === undefined)
        fail(l, 'no section headers and no DT_HASH or DT_GNU_HASH table');
    const base = addressToOffset(l, gnu, 'DT_GNU_HASH');
    const h = await readRange(l, base, 16, 'DT_GNU_HASH');
    const nbuckets = h.readUInt32LE(0);
    const symoffset = h.readUInt32LE(4);
    const bloomSize = h.readUInt32LE(8);
    const bucketsAt = base + 16 + bloomSize * 8;
    const buckets = await readRange(l, bucketsAt, nbuckets * 4, 'DT_GNU_HASH buckets');
    let last = 0;
    for (let i = 0; i < nbuckets; i++)
        last = Math.max(last, buckets.readUInt32LE(i * 4));
    if (last < symoffset)
        return symoffset;
    const chainsAt = bucketsAt + nbuckets * 4;
    for (let i = last;; i++) {
        const c = await readRange(l, chainsAt + (i - symoffset) * 4, 4, 'DT_GNU_HASH chains');
        if ((c.readUInt32LE(0) & 1) !== 0)
            return i + 1;
    }
}
/** "GLIBC_2.34" → "2.34"; undefined for anything else (GLIBC_PRIVATE, GCC_3.0, ...). */
function glibcVersionOf(versionName) {
    const m = /^GLIBC_(\d+(?:\.\d+)+)$/.exec(versionName);
    return m ? m[1] : undefined;
}
/** Parses "2.31", "2.3.2" or "GLIBC_2.31"; undefined when it is not such a version. */
function parseGlibcVersion(text) {
    const t = text.trim().replace(/^glibc[_ -]?/i, '');
    return /^\d+(\.\d+)+$/.test(t) ? t : undefined;
}
/** Numeric comparison of dotted versions ("2.3.2" < "2.17" < "2.34"). */
function compareGlibcVersions(a, b) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const d = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (d !== 0)
            return d < 0 ? -1 : 1;
    }
    return 0;
}
/** Reads an ELF file from disk: only its headers and dynamic tables, not the whole file. */
async function readElf(path) {
    let fh;
    try {
        fh = await open(path, 'r');
    }
    catch (e) {
        const err = e;
        if (err.code === 'ENOENT')
            throw new Error(`plugin file '${path}' does not exist`);
        throw new Error(`cannot read '${path}': ${err.message}`);
    }
    try {
        const st = await fh.stat();
        if (!st.isFile())
            throw new Error(`'${path}' is not a regular file`);
        const handle = fh;
        return await parseElf({
            name: path,
            size: st.size,
            read: async (offset, length) => {
                const buf = Buffer.alloc(length);
                let done = 0;
                while (done < length) {
                    const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
                    if (bytesRead === 0)
                        break;
                    done += bytesRead;
                }
                return buf.subarray(0, done);
            }
        });
    }
    finally {
        await fh.close();
    }
}

// Merge mode: the platform manifests were pushed by digest by per-platform
// (matrix) jobs on native runners. This job reads them back, checks that they
// are one plugin at one version, and assembles the index and tags from them.
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** Parses the `merge` input: digests, `os/arch@digest` or `registry/repository@digest`, one per line or comma. */
function parseMergeInput(text) {
    const items = text
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
    if (items.length === 0)
        throw new Error('merge: no digests given');
    return items.map((item) => {
        const at = item.lastIndexOf('@');
        const digest = at === -1 ? item : item.slice(at + 1);
        if (!DIGEST.test(digest)) {
            throw new Error(`merge: "${item}" is not a digest: give the digest output of each push-by-digest job ` +
                '(sha256:<64 hex>), optionally as linux/arm64@sha256:... or <registry>/<repository>@sha256:...');
        }
        if (at === -1)
            return { digest };
        const prefix = item.slice(0, at);
        if (/^[a-z0-9_]+\/[a-z0-9_]+$/.test(prefix)) {
            return { digest, platform: parsePlatforms(prefix)[0] };
        }
        const slash = prefix.indexOf('/');
        if (slash === -1)
            throw new Error(`merge: cannot read "${item}"`);
        return { digest, registry: prefix.slice(0, slash), repository: prefix.slice(slash + 1) };
    });
}
async function readAll(stream) {
    const chunks = [];
    for await (const c of stream)
        chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
}
async function loadPushedPlatforms(target, entries, scratch, logger) {
    const out = [];
    for (const entry of entries) {
        const m = await target.fetchManifest(entry.digest);
        if (!m) {
            throw new Error(`merge: ${target.location}@${entry.digest} does not exist: was it pushed by a ` +
                'push-by-digest job of this release, to the same registry and repository?');
        }
        const manifest = JSON.parse(m.body.toString('utf8'));
        const layer = manifest.layers?.[0];
        if (manifest.config?.mediaType !== PLUGIN_CONFIG_MEDIA_TYPE ||
            manifest.layers?.length !== 1 ||
            layer?.mediaType !== PLUGIN_LAYER_MEDIA_TYPE ||
            !manifest.config.digest ||
            !layer.digest) {
            throw new Error(`merge: ${entry.digest} is not a Falco plugin manifest`);
        }
        // The descriptors' sizes bound the downloads.
        const configStream = await target.fetchBlob(manifest.config.digest, sizeOf(manifest.config));
        const layerStream = await target.fetchBlob(layer.digest, sizeOf(layer));
        if (!configStream || !layerStream) {
            throw new Error(`merge: a blob of ${entry.digest} is missing from ${target.location}`);
        }
        const configBytes = await readAll(configStream);
        const dir = join(scratch, 'merge', entry.digest.slice(7, 19));
        await mkdir(dir, { recursive: true });
        const tarGz = join(dir, 'layer.tar.gz');
        await pipeline$1(layerStream, createWriteStream(tarGz));
        const soPath = join(dir, 'plugin.so');
        await extractSingleFile(tarGz, soPath);
        const elf = await readElf(soPath);
        const arch = architectureOfElfMachine(elf.machine);
        if (!arch)
            throw new Error(`merge: ${entry.digest} holds a ${elf.machineName} .so, not a supported platform`);
        const platform = { os: 'linux', architecture: ARCHITECTURES[arch].goarch };
        if (entry.platform && !samePlatform(entry.platform, platform)) {
            throw new Error(`merge: ${entry.digest} was given as ${formatPlatform(entry.platform)} but holds a ${formatPlatform(platform)} .so`);
        }
        if (out.some((o) => samePlatform(o.platform, platform))) {
            throw new Error(`merge: two digests are ${formatPlatform(platform)} builds`);
        }
        logger.info(`merge: ${entry.digest} is the ${formatPlatform(platform)} build`);
        out.push({
            platform,
            manifestBytes: m.body,
            configDigest: manifest.config.digest,
            configBytes,
            layerPath: tarGz,
            soPath
        });
    }
    // amd64 first, as in a single-job release, so both paths give the same index.
    return out.sort((a, b) => byReleaseOrder(a.platform, b.platform));
}
/** A descriptor's size, when it is a plausible one. */
function sizeOf(d) {
    return typeof d.size === 'number' && Number.isSafeInteger(d.size) && d.size >= 0
        ? d.size
        : undefined;
}

// What a Falco rules file says about the artifacts it needs: `- required_engine_version` and
// `- required_plugin_versions` items of the top-level YAML list. falcoctl derives the rulesfile
// config from them (cmd/registry/push rulesConfigLayer); we do the same, validated, and add the
// mutual dependency on the plugin being released.
function typeName(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'a list';
    if (typeof value === 'object')
        return 'a mapping';
    return `the ${typeof value} ${JSON.stringify(value)}`;
}
function isPlainObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** Parses a name/version pair of a required_plugin_versions entry. */
function parseNameVersion(value, where) {
    if (!isPlainObject(value)) {
        throw new Error(`${where} must be a mapping with name and version, not ${typeName(value)}`);
    }
    const { name, version } = value;
    if (typeof name !== 'string' || !isArtifactName(name)) {
        throw new Error(name === undefined
            ? `${where}: name is missing`
            : `${where}: name ${JSON.stringify(name)} is not a valid plugin name (${ARTIFACT_NAME_PATTERN.source})`);
    }
    if (typeof version !== 'string' || !isStrictSemver(version)) {
        const hint = typeof version === 'number' ? ' (quote it, or write all three parts: X.Y.Z)' : '';
        throw new Error(`${where}: version of ${name} ${version === undefined ? 'is missing' : `is ${typeName(version)}, not X.Y.Z${hint}`}`);
    }
    return { name, version };
}
function parseEngineVersion(value, where) {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
        return `0.${value}.0`;
    }
    if (typeof value === 'string' && isStrictSemver(value))
        return value;
    throw new Error(`${where}: required_engine_version is ${typeName(value)}; expected an integer N (meaning 0.N.0) or a version X.Y.Z`);
}
/**
 * Reads required_engine_version and required_plugin_versions from a Falco rules file.
 * Throws errors that name the file (and line) for invalid YAML, a file that is not a list,
 * and malformed entries.
 */
function parseRulesFile(text, path) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: true });
    if (doc.errors.length > 0) {
        throw new Error(`${path}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    }
    const root = doc.contents;
    if (root === null) {
        throw new Error(`${path}: the file is empty; expected a YAML list of rules, macros and lists`);
    }
    if (!isSeq(root)) {
        throw new Error(`${path}: expected a YAML list of rules, macros and lists at the top level`);
    }
    const result = { path, requiredPluginVersions: [] };
    root.items.forEach((node, index) => {
        const start = node?.range?.[0];
        const where = `${path}:${start !== undefined ? lineCounter.linePos(start).line : '?'}`;
        if (!isMap(node)) {
            throw new Error(`${where}: item ${index + 1} of the top-level list is not a mapping`);
        }
        const item = node.toJS(doc, { maxAliasCount: 1000 });
        if (!isPlainObject(item))
            return;
        if ('required_engine_version' in item) {
            const version = parseEngineVersion(item.required_engine_version, where);
            const current = result.requiredEngineVersion;
            if (current === undefined || semver.gt(version, current)) {
                result.requiredEngineVersion = version;
            }
        }
        if ('required_plugin_versions' in item) {
            const list = item.required_plugin_versions;
            if (!Array.isArray(list)) {
                throw new Error(`${where}: required_plugin_versions must be a list, not ${typeName(list)}`);
            }
            list.forEach((entry, i) => {
                const entryWhere = `${where}: required_plugin_versions[${i}]`;
                const dep = parseNameVersion(entry, entryWhere);
                const alternatives = entry.alternatives;
                if (alternatives !== undefined && alternatives !== null) {
                    if (!Array.isArray(alternatives)) {
                        throw new Error(`${entryWhere}: alternatives must be a list, not ${typeName(alternatives)}`);
                    }
                    const parsed = alternatives.map((a, j) => parseNameVersion(a, `${entryWhere}.alternatives[${j}]`));
                    if (parsed.length > 0)
                        dep.alternatives = parsed;
                }
                result.requiredPluginVersions.push(dep);
            });
        }
    });
    return result;
}
/** X.Y.Z without pre-release: Falco compares plugin versions on these three numbers only. */
function core(version) {
    const v = semver.parse(version);
    if (v === null)
        throw new Error(`invalid version ${version}`);
    return `${v.major}.${v.minor}.${v.patch}`;
}
/** Merges two requirements on the same artifact: the higher version wins; majors must agree. */
function mergeVersion(name, a, b, file) {
    if (semver.major(a) !== semver.major(b)) {
        throw new Error(`${file} requires both ${name} ${a} and ${name} ${b}: no single version satisfies two majors`);
    }
    return semver.gte(a, b) ? a : b;
}
function mergeAlternatives(into, alternatives, file) {
    for (const alt of alternatives ?? []) {
        const prev = into.get(alt.name);
        into.set(alt.name, prev === undefined ? alt.version : mergeVersion(alt.name, prev, alt.version, file));
    }
}
/**
 * The rulesfile's dependencies: `<plugin.name>:<plugin.version>` (the release itself, with any
 * alternatives the file lists for it) plus every other plugin the file requires, as written.
 * When the file names the plugin only as an alternative of another one, the release satisfies
 * that entry and gets no dependency of its own.
 * An artifact named in several entries is merged (highest version, alternatives united). Throws
 * when the file requires a version of this plugin newer than the release or of another major:
 * Falco would refuse to load these rules with this plugin. Pre-release tags are ignored in that
 * comparison, as Falco does (rules requiring 1.4.0 may ship with 1.4.0-rc.1).
 */
function rulesDependencies(parsed, plugin) {
    assertArtifactName(plugin.name, 'plugin name');
    if (!isStrictSemver(plugin.version)) {
        throw new Error(`plugin version ${JSON.stringify(plugin.version)} is not X.Y.Z[-prerelease]`);
    }
    const file = parsed.path ?? 'the rules file';
    const release = core(plugin.version);
    const checkOwnVersion = (required) => {
        const req = core(required);
        if (semver.major(req) !== semver.major(release)) {
            throw new Error(`${file} requires ${plugin.name} ${required} but this release is ${plugin.version}, another major: ` +
                `update required_plugin_versions in the rules file to ${plugin.name} ${release}`);
        }
        if (semver.gt(req, release)) {
            throw new Error(`${file} requires ${plugin.name} >= ${required} but this release is ${plugin.version}: ` +
                `release a version >= ${required}, or lower required_plugin_versions in the rules file`);
        }
    };
    const ownAlternatives = new Map();
    let ownAsAlternative = false;
    let ownTopLevel = false;
    const others = new Map();
    for (const dep of parsed.requiredPluginVersions) {
        if (dep.name === plugin.name) {
            ownTopLevel = true;
            checkOwnVersion(dep.version);
            mergeAlternatives(ownAlternatives, dep.alternatives, file);
            continue;
        }
        for (const alt of dep.alternatives ?? []) {
            if (alt.name === plugin.name) {
                ownAsAlternative = true;
                checkOwnVersion(alt.version);
            }
        }
        const prev = others.get(dep.name);
        if (prev === undefined) {
            const alternatives = new Map();
            mergeAlternatives(alternatives, dep.alternatives, file);
            others.set(dep.name, { version: dep.version, alternatives });
        }
        else {
            prev.version = mergeVersion(dep.name, prev.version, dep.version, file);
            mergeAlternatives(prev.alternatives, dep.alternatives, file);
        }
    }
    ownAlternatives.delete(plugin.name);
    const toDependency = (name, version, alts) => {
        const alternatives = [...alts]
            .map(([n, v]) => ({ name: n, version: v }))
            .sort((a, b) => compareGoStrings(a.name, b.name));
        return alternatives.length > 0 ? { name, version, alternatives } : { name, version };
    };
    // A plugin the file accepts only as an alternative (k8saudit-ovh in k8saudit's rules) is
    // not made a dependency of its own: falcoctl would then install both plugins.
    const deps = ownAsAlternative && !ownTopLevel
        ? []
        : [toDependency(plugin.name, plugin.version, ownAlternatives)];
    for (const [name, { version, alternatives }] of others) {
        deps.push(toDependency(name, version, alternatives));
    }
    return deps.sort((a, b) => compareGoStrings(a.name, b.name));
}

// The rules artifact: which file, its dependencies (this plugin at the release
// version, plus every other plugin the file names) and engine requirement.
const YAML_FILE = /\.ya?ml$/i;
function yamlFilesIn(dir) {
    try {
        return readdirSync(dir, { withFileTypes: true })
            .filter((e) => (e.isFile() || e.isSymbolicLink()) && YAML_FILE.test(e.name))
            .map((e) => e.name)
            .sort();
    }
    catch {
        return [];
    }
}
/**
 * The rules file, found the way plugin repositories keep it: the rules-file input (none: no
 * rules); else the one YAML file in rules/ (several: the input must choose); else
 * <name>_rules.yaml next to go.mod (falcosecurity/plugins' dummy).
 */
function chooseRulesFile(inputs, workDir, name) {
    const given = inputs.rulesFile.trim();
    if (/^none$/i.test(given))
        return { reason: 'rules-file is none: releasing the plugin alone' };
    if (given !== '') {
        const p = resolve(workDir, given);
        if (!existsSync$1(p) || !statSync(p).isFile()) {
            throw new Error(`rules-file "${given}" does not exist in ${workDir}: fix the path, ` +
                'or set it to none to release the plugin alone');
        }
        return { file: p, reason: `rules-file input` };
    }
    const rulesDir = join(workDir, 'rules');
    const inRulesDir = yamlFilesIn(rulesDir);
    if (inRulesDir.length === 1) {
        return { file: join(rulesDir, inRulesDir[0]), reason: 'the only YAML file in rules/' };
    }
    if (inRulesDir.length > 1) {
        throw new Error(`rules/ holds several YAML files (${inRulesDir.join(', ')}) and a rules artifact carries ` +
            'exactly one: set rules-file to the one to publish (e.g. rules-file: ' +
            `rules/${inRulesDir[0]}), or rules-file: none to release the plugin alone`);
    }
    const atRoot = join(workDir, `${name}_rules.yaml`);
    if (existsSync$1(atRoot))
        return { file: atRoot, reason: `${name}_rules.yaml next to go.mod` };
    const none = `no rules file (looked for a YAML file in rules/ and for ${name}_rules.yaml): releasing the plugin alone`;
    if (existsSync$1(rulesDir)) {
        return {
            reason: none,
            warning: `rules/ exists but holds no .yaml file, so no rules artifact is published: ` +
                'set rules-file to the rules to publish, or rules-file: none to silence this warning'
        };
    }
    return { reason: none };
}
/** Parses, checks and packs the rules file; undefined when the plugin has none. */
async function prepareRules(opts) {
    const { plugin } = opts;
    const choice = chooseRulesFile(opts.inputs, opts.workDir, plugin.name);
    if (choice.warning)
        opts.warn(choice.warning);
    const file = choice.file;
    if (!file) {
        opts.logger.info(choice.reason);
        return undefined;
    }
    opts.logger.info(`rules: ${relative(opts.workDir, file) || file} (${choice.reason})`);
    const text = await readTextFileBounded(file, {
        limit: MAX_RULES_FILE_BYTES,
        what: 'the rules file',
        fix: 'check that rules-file names the rules YAML (Falco rules files are rarely over 1 MiB)'
    });
    const parsed = parseRulesFile(text, file);
    const dependencies = plugin.soVersion === undefined
        ? rulesDependencies(parsed, plugin)
        : // Checked against what the .so reports; the dependency names the dev build's own tag.
            rulesDependencies(parsed, { name: plugin.name, version: plugin.soVersion }).map((d) => d.name === plugin.name ? { ...d, version: plugin.version } : d);
    if (!parsed.requiredEngineVersion) {
        opts.warn(`${basename(file)} has no required_engine_version: the rules artifact will carry no engine requirement`);
    }
    const entryName = basename(file);
    const packed = await packLayer({
        source: file,
        entryName,
        mode: 0o644,
        destination: join(opts.layersDir, 'rules.tar.gz')
    });
    return {
        layer: { ...packed, title: layerFileName(entryName), entryName },
        dependencies,
        engineVersion: parsed.requiredEngineVersion,
        file
    };
}

// Links to the plugin's sources for index.yaml (home, sources) and registry.yaml (url,
// rules_url). A plugin in a folder of its repository (a monorepo's plugins/<name>) is linked at
// that folder, as falcosecurity/plugins links its own; the ref is the release tag, which always
// exists and shows the code that was released (upstream uses its default branch, which the
// action cannot know outside GitHub).
function treeUrl(repositoryUrl, ref, path) {
    if (repositoryUrl === '')
        return '';
    return path === '' ? repositoryUrl : `${repositoryUrl}/tree/${ref}/${path}`;
}
function sourceLinks(opts) {
    const { inputs } = opts;
    const root = repositoryRoot(opts.workDir);
    const pluginFolder = repositoryPath(root, opts.workDir);
    const code = treeUrl(inputs.repositoryUrl, opts.tag, pluginFolder);
    const given = (n) => inputs.given.has(n);
    const home = given('home') ? inputs.home : code || inputs.home;
    const source = given('source-url') ? inputs.sourceUrl : code || inputs.sourceUrl;
    const rulesFolder = opts.rulesFile ? repositoryPath(root, dirname(opts.rulesFile)) : undefined;
    return {
        home,
        sources: source ? [source] : [],
        url: given('source-url') ? inputs.sourceUrl : given('home') ? inputs.home : code,
        rulesUrl: rulesFolder !== undefined && inputs.repositoryUrl !== ''
            ? treeUrl(inputs.repositoryUrl, opts.tag, rulesFolder)
            : undefined,
        pluginFolder
    };
}

const SIGSTORE_AUDIENCE = 'sigstore';
const MAX_RESPONSE = 64 << 10;
class OidcError extends Error {
}
/** Fetches a fresh token for `audience`; registers it (and the request token) as secrets. */
async function requestIdToken(oidc, logger, opts = {}) {
    if (!oidc) {
        throw new OidcError('keyless signing needs the GitHub OIDC token: give the job `permissions: id-token: write` ' +
            '(or sign with a key: signing-key, or turn signing off: sign: false)');
    }
    const { requestUrl, requestToken } = oidc;
    logger.secret(requestToken);
    let url;
    try {
        url = new URL(requestUrl);
    }
    catch {
        throw new OidcError('ACTIONS_ID_TOKEN_REQUEST_URL is not a URL');
    }
    url.searchParams.set('audience', opts.audience ?? SIGSTORE_AUDIENCE);
    const where = `${url.origin}${url.pathname}`;
    let res;
    try {
        res = await fetch(url, {
            headers: { authorization: `Bearer ${requestToken}`, accept: 'application/json' },
            signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000)
        });
    }
    catch (err) {
        throw new OidcError(`requesting the OIDC token from ${where} failed: ${err.message}`);
    }
    const text = await readLimited(res);
    if (!res.ok) {
        throw new OidcError(`requesting the OIDC token from ${where} failed: HTTP ${res.status}`);
    }
    let value;
    try {
        value = JSON.parse(text).value;
    }
    catch {
        throw new OidcError(`the OIDC token service at ${where} answered something that is not JSON`);
    }
    if (typeof value !== 'string' || value.split('.').length !== 3) {
        throw new OidcError(`the OIDC token service at ${where} answered no token`);
    }
    logger.secret(value);
    return value;
}
async function readLimited(res) {
    const body = await res.arrayBuffer().catch(() => new ArrayBuffer(0));
    if (body.byteLength > MAX_RESPONSE)
        throw new OidcError('the OIDC token response is too large');
    return Buffer.from(body).toString('utf8');
}
/** The claims of a JWT, NOT verified (our own token, read for its issuer and subject). */
function tokenClaims(token) {
    const part = token.split('.')[1] ?? '';
    try {
        const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
        if (typeof claims === 'object' && claims !== null)
            return claims;
    }
    catch {
        // fall through
    }
    throw new OidcError('the OIDC token is not a JWT');
}

// Whether and how this release is signed, decided (and checked) before the first registry write:
//
//   sign: auto     a signing-key given -> key; else keyless when the job can get GitHub's OIDC
//                  token (permissions: id-token: write) on github.com for a repository that is
//                  not private; else unsigned, with a notice (so jobs without id-token keep
//                  working as before);
//   sign: keyless  keyless, or fail when there is no OIDC token;
//   sign: key      with signing-key, or fail without it;
//   sign: false    never.
//
// Keyless uses the public Sigstore instance unless fulcio-url / rekor-url say otherwise.
class SigningConfigError extends Error {
}
/** What `sign: auto` resolves to, and why. */
function resolveSignMode(inputs, ctx) {
    switch (inputs.sign) {
        case 'false':
            return { mode: 'off', reason: 'signing is off (sign: false)' };
        case 'key':
            if (inputs.signingKey === '') {
                throw new SigningConfigError('sign: key needs signing-key (the content of cosign.key, e.g. ${{ secrets.COSIGN_PRIVATE_KEY }}) ' +
                    'and signing-key-password');
            }
            return { mode: 'key' };
        case 'keyless':
            if (!ctx.oidc) {
                throw new SigningConfigError('sign: keyless needs the GitHub OIDC token: add `permissions: id-token: write` to the job ' +
                    '(or sign with a key: signing-key, or turn signing off: sign: false)');
            }
            return { mode: 'keyless' };
    }
    if (inputs.signingKey !== '')
        return { mode: 'key' };
    const customSigstore = inputs.fulcioUrl !== INPUT_DEFAULTS['fulcio-url'];
    if (!ctx.oidc) {
        return {
            mode: 'off',
            reason: 'not signed: the job has no OIDC token. To sign keylessly (what falcoctl verifies for ' +
                'upstream plugins), add `permissions: id-token: write` to the job; or sign with a key ' +
                '(signing-key); `sign: false` silences this note'
        };
    }
    if (ctx.github.serverUrl !== 'https://github.com' && !customSigstore) {
        return {
            mode: 'off',
            reason: 'not signed: the public Sigstore accepts OIDC tokens from github.com only; set fulcio-url and ' +
                'rekor-url to your Sigstore instance, or sign with a key (signing-key)'
        };
    }
    // The repository's visibility, from the workflow event payload, when it says.
    if (!customSigstore && ctx.github.event.privateRepository) {
        return {
            mode: 'off',
            reason: 'not signed: keyless signing writes the repository and workflow names to the public ' +
                'transparency log, which sign: auto does not do for a private repository; set ' +
                '`sign: keyless` to sign anyway, or sign with a key (signing-key)'
        };
    }
    return { mode: 'keyless' };
}
async function signingKeyText(value) {
    if (value.includes('-----BEGIN'))
        return value;
    try {
        return await readFile(value, 'utf8');
    }
    catch {
        throw new SigningConfigError('signing-key is neither a PEM key nor a readable file: pass the content of cosign.key');
    }
}
/** Masks the key (as a whole and line by line: a log may print one line of it) and its password. */
function registerSigningSecrets(inputs, logger) {
    if (inputs.signingKey !== '') {
        logger.secret(inputs.signingKey);
        for (const line of inputs.signingKey.split(/\r?\n/)) {
            const l = line.trim();
            if (l.length >= 8 && !l.startsWith('-----'))
                logger.secret(l);
        }
    }
    if (inputs.signingKeyPassword !== '')
        logger.secret(inputs.signingKeyPassword);
}
/**
 * Decides how to sign and checks that it can: decrypts the key, or fetches an OIDC token (which
 * proves the id-token permission). The caller has registered the key and password as secrets
 * (registerSigningSecrets) before anything could print them. Throws
 * SigningConfigError (nothing is written yet) when signing was asked for and cannot work.
 */
async function prepareSigning(inputs, ctx, logger) {
    const resolved = resolveSignMode(inputs, ctx);
    if (inputs.provenance === true && resolved.mode !== 'keyless') {
        throw new SigningConfigError('provenance: true needs keyless signing (the attestation is signed with the workflow identity): ' +
            'add `permissions: id-token: write`, or set provenance: auto');
    }
    if (resolved.mode === 'off') {
        logger.info(resolved.reason);
        return { unsignedReason: resolved.reason };
    }
    if (resolved.mode === 'key') {
        const { loadSigningKey } = await import('./sign.js').then(function (n) { return n.k; });
        const key = await loadSigningKey(await signingKeyText(inputs.signingKey), inputs.signingKeyPassword);
        logger.info(`signing with the key ${key.keyId} (cosign verify --key; no transparency log)`);
        if (inputs.signingPublicKeyRef === '') {
            logger.warning('index.yaml gets no signature block: set signing-public-key-ref to the URL or path where ' +
                "falcoctl finds the public key (cosign.pub), so that it verifies this plugin's signatures");
        }
        const identity = { kind: 'key', publicKeyPem: key.publicKeyPem };
        const { SigstoreSigner } = await loadSigner();
        return {
            signer: SigstoreSigner.withKey(key),
            indexSignature: indexSignatureFor(identity, inputs.signingPublicKeyRef || undefined)
        };
    }
    const token = await requestIdToken(ctx.oidc, logger);
    const claims = tokenClaims(token);
    const issuer = claims.iss;
    if (typeof issuer !== 'string' || issuer === '') {
        throw new SigningConfigError('the OIDC token names no issuer (iss)');
    }
    // Fulcio names a GitHub Actions workflow by its job_workflow_ref, under the server's URL.
    const workflow = claims.job_workflow_ref;
    if (typeof workflow !== 'string' || workflow === '') {
        throw new SigningConfigError('the OIDC token has no job_workflow_ref claim: keyless signing here works with GitHub ' +
            "Actions' token only (or sign with a key: signing-key)");
    }
    const subject = `${ctx.github.serverUrl}/${workflow}`;
    const { SigstoreSigner } = await loadSigner();
    logger.info(`signing keylessly as ${subject}: Fulcio ${inputs.fulcioUrl}, Rekor ${inputs.rekorUrl}, ` +
        `OIDC issuer ${issuer}`);
    return {
        expectedSubject: subject,
        indexSignature: indexSignatureFor({ kind: 'keyless', subject, issuer}),
        signer: SigstoreSigner.keyless({
            fulcioUrl: inputs.fulcioUrl,
            rekorUrl: inputs.rekorUrl,
            issuer,
            token: () => requestIdToken(ctx.oidc, logger)
        })
    };
}
/**
 * Sigstore's libraries (a third of the bundle) load only when a release is signed, like the
 * cosign formats (attach.ts) and the key decryption (key.ts) imported where they are used.
 */
const loadSigner = () => import('./sign.js').then(function (n) { return n.s; });
/** Go regexp metacharacters escaped (RE2, as cosign and falcoctl read it). */
function escapeRegexp(s) {
    return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
/**
 * falcoctl's index.yaml `signature` block for what was signed: the issuer and the workflow
 * (any ref of the same workflow file of the same repository) for keyless; the public key
 * reference (no transparency log) for key signing; undefined when falcoctl cannot be told.
 */
function indexSignatureFor(identity, publicKeyRef) {
    if (identity.kind === 'key') {
        return publicKeyRef ? { cosign: { key: publicKeyRef, 'ignore-tlog': true } } : undefined;
    }
    const at = identity.subject.lastIndexOf('@');
    const cosign = {
        'certificate-oidc-issuer': identity.issuer
    };
    if (/^https:\/\//.test(identity.subject) && at > 0) {
        cosign['certificate-identity-regexp'] = `^${escapeRegexp(identity.subject.slice(0, at + 1))}`;
    }
    else {
        cosign['certificate-identity'] = identity.subject;
    }
    return { cosign };
}
async function signingResult(signing, signatures) {
    if (!signing.signer || signatures.length === 0) {
        return { signed: false, reason: signing.unsignedReason, signatures: [] };
    }
    return {
        signed: true,
        identity: await signing.signer.identity(),
        indexSignature: signing.indexSignature,
        signatures
    };
}
/**
 * Signs one pushed root in both cosign formats; with keyless signing, first checks that the
 * certificate names the workflow index.yaml names (else falcoctl would refuse every install).
 */
async function signRoot(signing, target, root) {
    const signer = signing.signer;
    if (!signer)
        throw new Error('signRoot: this release is not signed');
    if (signing.expectedSubject !== undefined) {
        const identity = await signer.identity();
        if (identity.kind === 'keyless' && identity.subject !== signing.expectedSubject) {
            throw new Error(`the Fulcio certificate names ${identity.subject}, not ${signing.expectedSubject} as ` +
                'index.yaml would: nothing is tagged; check fulcio-url');
        }
    }
    const { signAndAttach } = await import('./sign.js').then(function (n) { return n.a; });
    return signAndAttach(target, root, signer, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
}

// A file that one task is still writing and others read as it grows: each reader gets every byte
// once the writer says it is written, and its chunks end when the writer says the file is
// complete, or fail with the writer's error. Readers read the file itself (the page cache), so
// the writer may reuse its buffers at once; each reader reads into one buffer of its own, so
// memory stays flat whatever the size, and no garbage piles up until a collection.
/** How much a reader reads at a time. */
const READ_SIZE = 1 << 20;
class GrowingFile {
    path;
    length = 0;
    ended = false;
    error;
    wake = [];
    constructor(path) {
        this.path = path;
    }
    /** The writer: the first `length` bytes are written. */
    grew(length) {
        if (length < this.length)
            throw new Error(`${this.path}: shrank from ${this.length} to ${length}`);
        this.length = length;
        this.notify();
    }
    /** The writer: the file is complete at `length` bytes. */
    complete(length) {
        this.grew(length);
        this.ended = true;
        this.notify();
    }
    /** The writer: the file will never be complete. */
    fail(err) {
        this.error ??= err;
        this.notify();
    }
    /** Whether the writer is done (complete or failed). */
    get settled() {
        return this.ended || this.error !== undefined;
    }
    /**
     * The file from its first byte, following it until it is complete. Each chunk is read into the
     * same buffer: a consumer is done with a chunk before it asks for the next (or copies it).
     */
    async *chunks() {
        // The file exists once a byte is written (or it ended empty).
        await this.until(() => this.length > 0 || this.ended);
        const file = await open(this.path, 'r');
        try {
            let position = 0;
            let buffer;
            for (;;) {
                await this.until(() => position < this.length || this.ended);
                if (position >= this.length)
                    return;
                buffer ??= Buffer.allocUnsafe(READ_SIZE);
                const want = Math.min(READ_SIZE, this.length - position);
                const { bytesRead } = await file.read(buffer, 0, want, position);
                if (bytesRead === 0)
                    throw new Error(`${this.path}: ended at ${position} of ${this.length} bytes`);
                position += bytesRead;
                yield buffer.subarray(0, bytesRead);
            }
        }
        finally {
            await file.close();
        }
    }
    /** Waits until `ready()` holds; throws the writer's error first. */
    async until(ready) {
        for (;;) {
            if (this.error)
                throw this.error;
            if (ready())
                return;
            await new Promise((resolve) => this.wake.push(resolve));
        }
    }
    notify() {
        const waiting = this.wake;
        this.wake = [];
        for (const resolve of waiting)
            resolve();
    }
}

// The release's timestamp for org.opencontainers.image.created: never the
// clock, so that re-running a release gives the same manifest digests.
class SourceDateError extends Error {
}
/** Through the dev builds' git runner: bounded in time and output, a small environment. */
async function commitTime(git, rev) {
    try {
        const stdout = await git(['log', '-1', '--format=%ct', rev, '--']);
        const n = Number.parseInt(stdout.trim(), 10);
        return Number.isFinite(n) ? n : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * Seconds since the epoch: SOURCE_DATE_EPOCH (`fixed`) when set, else the commit time of the tag
 * (then the workflow's commit `sha`, then HEAD) in the git checkout at cwd.
 */
async function sourceDateEpoch(run, cwd, tag) {
    const fixed = run.sourceDateEpoch?.trim();
    if (fixed) {
        if (!/^\d+$/.test(fixed)) {
            throw new SourceDateError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${fixed}"`);
        }
        return { epoch: Number.parseInt(fixed, 10), from: 'SOURCE_DATE_EPOCH' };
    }
    const candidates = [`refs/tags/${tag}^{commit}`, run.sha, 'HEAD'].filter((r) => !!r);
    // git gets PATH and HOME of the environment children inherit.
    const git = gitAt(cwd, run.childEnvBase);
    for (const rev of candidates) {
        const t = await commitTime(git, rev);
        if (t !== undefined)
            return { epoch: t, from: `commit time of ${rev.replace('^{commit}', '')}` };
    }
    throw new SourceDateError(`cannot tell when ${tag} was made: ${cwd} is not a git checkout. ` +
        'Check out the repository first (actions/checkout), or set SOURCE_DATE_EPOCH.');
}
/** RFC 3339 with second precision and Z, as oras writes org.opencontainers.image.created. */
function rfc3339(epochSeconds) {
    return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A field a stage needs, or an error naming the stage that should have set it. */
function need(value, what, setBy) {
    if (value === undefined) {
        throw new Error(`internal error: ${what} is not known yet (the ${setBy} stage has not run)`);
    }
    return value;
}

// The stages of a release, each a name and a run function over the release state (see
// src/pipeline/modes.ts for which run in which mode, and in which order). Everything up to and
// including preflight may refuse the release; nothing before publish writes to the registry, the
// repository or GitHub.
function requestedPlatforms(state, onePlatform) {
    const { inputs } = state;
    const platforms = inputs.platforms !== '' ? parsePlatforms(inputs.platforms, state.warn) : [hostPlatform()];
    if (onePlatform && platforms.length !== 1) {
        throw new Error(`push-by-digest builds one platform per job, got ${platforms.map(formatPlatform).join(', ')}: ` +
            "give each matrix job its own platform (or leave platforms empty for the runner's)");
    }
    return platforms;
}
function nativeBuild(builds) {
    return builds.find((b) => b.platform.architecture === hostPlatform().architecture) ?? builds[0];
}
async function layersDir(state) {
    const dir = join(state.scratch, 'layers');
    await mkdir(dir, { recursive: true });
    return dir;
}
/** What the build and inspect steps need of the state. */
function checkOptions(state) {
    return {
        inputs: state.inputs,
        context: state.context,
        logger: state.logger,
        warn: state.warn,
        // A tag release's .so must report the tag's version; a dev build's is checked by `version`.
        version: state.release?.version,
        expectedName: state.expectedName
    };
}
/**
 * build (release, push-by-digest): builds every platform here, checks and inspects each .so, and
 * packs each layer as soon as the plugin's name is known, while the other platforms build. The
 * two overlap, so the journal moves on to "inspect" when the first .so is loaded. `onePlatform`:
 * a matrix job builds exactly one.
 */
function build(opts) {
    return {
        name: 'build',
        run: (state) => buildHere(state, opts.onePlatform)
    };
}
async function buildHere(state, onePlatform) {
    const { inputs, journal } = state;
    const platforms = requestedPlatforms(state, onePlatform);
    const dir = await layersDir(state);
    // Each layer's file is followed as it is written, so that publish can stream it (when every
    // check has passed before the packing ends).
    const packing = [];
    state.packing = packing;
    const { metadata, builds, packed } = await state.steps.build({
        ...checkOptions(state),
        platforms,
        workDir: state.workDir,
        scratch: state.scratch,
        onInspect: () => {
            journal.stage = 'inspect';
        },
        pack: async (b, name) => {
            const soName = `lib${name}.so`;
            const destination = join(dir, `plugin-${b.platform.os}-${b.platform.architecture}.tar.gz`);
            const file = new GrowingFile(destination);
            const layer = packLayer({
                source: b.soPath,
                entryName: soName,
                mode: 0o755,
                destination,
                onWritten: (bytes) => file.grew(bytes)
            });
            packing.push({ file, packed: layer });
            try {
                const done = await layer;
                file.complete(done.size);
                return {
                    ...done,
                    title: layerFileName(soName),
                    entryName: soName,
                    platform: b.platform
                };
            }
            catch (err) {
                file.fail(err);
                throw err;
            }
        }
    });
    journal.plugin = metadata.name;
    state.metadata = metadata;
    state.builds = builds;
    state.pluginLayers = packed;
    // The native build as lib<name>.so, for the user, in the runner's temp space (never the sources).
    if (inputs.buildCommand === '') {
        state.pluginPath = join(await keptOutputDir(state.context.runnerTemp), `lib${metadata.name}.so`);
        await copyFile(nativeBuild(builds).soPath, state.pluginPath);
    }
    else {
        state.pluginPath = resolve(state.workDir, inputs.pluginPath);
    }
}
/**
 * read-manifests (merge): reads back the platform manifests the push-by-digest jobs pushed, from
 * the repository this job publishes to, with their layers and the .so in them.
 */
const readManifests = {
    name: 'read-manifests',
    run: async (state) => {
        const { inputs, logger } = state;
        const entries = parseMergeInput(inputs.merge);
        const fromRefs = entries
            .map((e) => e.repository)
            .filter((r) => !!r)
            .map((r) => /\/?plugin\/([^/]+)$/.exec(r)?.[1]);
        const name = state.expectedName ?? fromRefs.find((n) => !!n);
        if (!name) {
            throw new Error('merge needs the plugin name to find its repository: set plugin-name, ' +
                'or pass the full references (plugin-ref outputs) of the push-by-digest jobs');
        }
        const repos = repositoriesFor(inputs, name);
        for (const e of entries) {
            if (e.repository && (e.repository !== repos.plugin || e.registry !== inputs.registry)) {
                throw new Error(`merge: ${e.registry}/${e.repository}@${e.digest} is not in ${inputs.registry}/${repos.plugin}, ` +
                    'where this job publishes: use the same registry and repository inputs in every job');
            }
        }
        state.expectedName = name;
        await openTargets(state, name);
        const targets = need(state.targets, 'the targets', 'read-manifests');
        state.pushed = await logger.group('Read the platform manifests', () => loadPushedPlatforms(targets.plugin, entries, state.scratch, logger));
    }
};
/** inspect (merge): checks the .so files the matrix jobs built and reads the metadata. */
const inspect = {
    name: 'inspect',
    run: async (state) => {
        const pushed = need(state.pushed, 'the pushed manifests', 'read-manifests');
        const { metadata, builds } = await state.steps.inspect({
            ...checkOptions(state),
            built: pushed.map((p) => ({ platform: p.platform, soPath: p.soPath }))
        });
        state.journal.plugin = metadata.name;
        state.metadata = metadata;
        state.builds = builds;
        state.pluginPath = nativeBuild(builds).soPath;
    }
};
/** version (dev builds): the dev version, from the version the .so reports and the history. */
const devVersion = {
    name: 'version',
    run: async (state) => {
        const dev = need(state.dev, 'the dev build', 'inputs');
        const metadata = need(state.metadata, 'the metadata', 'build or inspect');
        state.release = await devReleaseOf({
            git: dev.git,
            inputs: state.inputs,
            branch: dev.branch,
            name: metadata.name,
            soVersion: metadata.version,
            logger: state.logger
        });
        state.journal.version = state.release.version;
    }
};
/** rules: finds, parses, checks and packs the rules file. */
const rules = {
    name: 'rules',
    run: async (state) => {
        const metadata = need(state.metadata, 'the metadata', 'build or inspect');
        const release = need(state.release, 'the version', 'inputs or version');
        state.rules = await prepareRules({
            inputs: state.inputs,
            workDir: state.workDir,
            logger: state.logger,
            warn: state.warn,
            plugin: { name: metadata.name, version: release.version, soVersion: release.dev?.soVersion },
            layersDir: await layersDir(state)
        });
    }
};
/** Resolves the registry credentials (none for an OCI layout) and opens both repositories. */
async function openTargets(state, name) {
    const { inputs, logger } = state;
    if (inputs.ociLayout === '') {
        const { credentials, from } = await resolveCredentials(inputs, state.context, logger);
        logger.info(`registry credentials for ${inputs.registry}: from ${from}`);
        state.credentials = credentials;
    }
    state.targets = state.steps.openTargets(inputs, logger, repositoriesFor(inputs, name), state.credentials);
}
function logTagDecisions(plan, state) {
    for (const d of plan.tagPlan.floating) {
        if (!d.move)
            state.logger.info(`not moving "${d.tag}": ${d.reason}`);
    }
}
/**
 * read-tags (release, merge): starts reading what the registry holds of both artifacts (their
 * tags, the version's digest) as soon as the name and the version are known, so that those round
 * trips overlap the packing and the rules stage instead of following them; plan awaits the
 * answers. Nothing is awaited here: a failure to read surfaces in plan, as it would there.
 */
const readTags = {
    name: 'read-tags',
    run: async (state) => {
        const metadata = need(state.metadata, 'the metadata', 'build or inspect');
        const release = need(state.release, 'the version', 'inputs or version');
        if (state.targets === undefined)
            await openTargets(state, metadata.name);
        const targets = need(state.targets, 'the targets', 'read-tags');
        const read = (t) => {
            const facts = readFacts(t, release.version, state.inputs.dryRun, state.logger);
            facts.catch(() => undefined); // awaited (and thrown) by plan; never an unhandled rejection
            return facts;
        };
        state.facts = {
            plugin: read(targets.plugin),
            rules: rulesExpected(state, metadata.name) ? read(targets.rules) : undefined
        };
    }
};
/** Whether the rules stage will find a rules file (its own errors are its to report). */
function rulesExpected(state, name) {
    try {
        return chooseRulesFile(state.inputs, state.workDir, name).file !== undefined;
    }
    catch {
        return false;
    }
}
/**
 * plan: the release plan (every blob, manifest and tag), from the metadata, the layers or the
 * pushed manifests, the rules, the release timestamp and, with `readTags`, what the registry
 * already has (a push-by-digest job writes no tag, so it reads none). When no digest can refuse
 * the release (neither version tag exists), it does not wait for the plugin's layers: preflight
 * checks the outline (everything but the digests) and publish completes the plan, uploading the
 * layers still being packed as they grow. A dry run waits, to print the whole plan.
 */
function plan(opts) {
    return {
        name: 'plan',
        run: async (state) => {
            const { inputs, logger, journal } = state;
            const metadata = need(state.metadata, 'the metadata', 'build or inspect');
            const release = need(state.release, 'the version', 'inputs or version');
            if (state.targets === undefined)
                await openTargets(state, metadata.name);
            const targets = need(state.targets, 'the targets', 'plan');
            // Read since read-tags, or now.
            const read = (t, started) => started ?? readFacts(t, release.version, inputs.dryRun, logger);
            const empty = { tags: [] };
            const [pluginFacts, rulesFacts] = opts.readTags
                ? await Promise.all([
                    read(targets.plugin, state.facts?.plugin),
                    state.rules !== undefined ? read(targets.rules, state.facts?.rules) : empty
                ])
                : [empty, empty]; // no tags are written here, so nothing to compare with
            const { context } = state;
            const date = await sourceDateEpoch({
                sourceDateEpoch: context.sourceDateEpoch,
                sha: context.github.sha,
                childEnvBase: context.childEnvBase
            }, state.workDir, release.tag);
            const created = rfc3339(date.epoch);
            logger.info(`created ${created} (${date.from})`);
            const facts = {
                release,
                metadata,
                registry: registryLabel(inputs),
                repository: inputs.repository,
                created,
                sourceUrl: inputs.sourceUrl || undefined,
                publishedTags: { plugin: pluginFacts.tags, rules: rulesFacts.tags },
                existing: { plugin: pluginFacts.existing, rules: rulesFacts.existing },
                overwrite: inputs.overwrite,
                majorZeroTag: inputs.majorZeroTag,
                pluginDependsOnRules: inputs.pluginDependsOnRules,
                published: { plugin: pluginFacts.published, rules: rulesFacts.published },
                pushedManifests: state.pushed?.map((p) => ({
                    platform: p.platform,
                    bytes: p.manifestBytes
                })),
                rules: state.rules
            };
            if (state.rules !== undefined)
                confine(state.workspace, state.rules.file, 'the rules file');
            const layers = state.pluginLayers;
            if (opts.readTags && layers && !inputs.dryRun && !digestsCanRefuse(facts)) {
                // Both versions are new: the digests cannot refuse the release, so the checks go on
                // with the outline while the layers are still packed, and publish completes the plan.
                const builds = need(state.builds, 'the builds', 'build');
                state.outline = outlinePlan({ ...facts, platforms: builds.map((b) => b.platform) });
                state.pendingPlan = layers.then((l) => makePlan({ ...facts, pluginLayers: l }));
                state.pendingPlan.catch(() => undefined); // awaited (and thrown) by publish
            }
            else {
                state.plan = makePlan({ ...facts, pluginLayers: layers ? await layers : [] });
                state.outline = state.plan;
            }
            if (opts.readTags)
                logTagDecisions(state.outline, state);
            journal.floating = state.outline.tagPlan.floating.filter((d) => d.move).map((d) => d.tag);
        }
    };
}
/**
 * preflight: every check that can refuse the release, before the first registry write: the
 * registry.yaml entry (tag releases), how to sign (key decrypted, OIDC token fetched), index.yaml
 * and the GitHub side (prepareDistribution), and that falcoctl can install what is published.
 */
const preflight = {
    name: 'preflight',
    run: async (state) => {
        const { inputs, logger, context } = state;
        const planned = need(state.outline, 'the plan', 'plan');
        const metadata = need(state.metadata, 'the metadata', 'build or inspect');
        const release = need(state.release, 'the version', 'inputs or version');
        const links = sourceLinks({
            inputs,
            workDir: state.workDir,
            tag: release.tag,
            rulesFile: state.rules?.file
        });
        state.links = links;
        if (!state.dev) {
            state.registryEntry = proposeRegistryEntry({
                meta: metadata,
                inputs,
                links,
                rules: planned.rules !== undefined,
                workDir: state.workDir
            });
        }
        // index.yaml gets the signature block of what will be signed.
        const signing = await prepareSigning(inputs, context, logger);
        state.signing = signing;
        // A dev build writes dev-index-file (if any) instead of index-file, and no GitHub Release.
        const prepared = await prepareDistribution({
            inputs: state.dev ? devDistributionInputs(inputs, logger) : inputs,
            github: context.github,
            plan: planned,
            metadata,
            links,
            workspace: state.workspace,
            logger,
            writeIndex: !state.dev || inputs.devIndexFile !== '',
            signature: signing.indexSignature
        });
        state.prepared = prepared;
        // falcoctl must be able to install what this release publishes, through the index users add.
        state.install = await checkInstallable({
            inputs,
            docker: context,
            credentials: state.credentials,
            plan: planned,
            metadata,
            links,
            targets: need(state.targets, 'the targets', 'plan'),
            logger,
            warn: state.warn,
            indexText: prepared.servedIndexText
        });
    }
};
/** publish()'s `sign` option: undefined when this release is not signed. */
function signRootWith(signing) {
    if (!signing?.signer)
        return undefined;
    return (target, root) => signRoot(signing, target, root);
}
/** publish (release, merge): every blob and manifest, the signatures, then the tags. */
const publishAll = {
    name: 'publish',
    run: async (state) => {
        const { inputs, logger, journal } = state;
        const targets = need(state.targets, 'the targets', 'plan');
        const signing = need(state.signing, 'how to sign', 'preflight');
        const report = emptyPublishReport();
        journal.publish = report;
        state.report = await logger.group('Publish', async () => {
            const { plan: planned, early } = await completePlan(state, targets, report);
            return publish(planned, { plugin: targets.plugin, rules: planned.rules ? targets.rules : undefined }, logger, {
                concurrency: inputs.uploadConcurrency,
                report,
                sign: signRootWith(signing),
                early
            });
        });
        state.signingResult = await signingResult(signing, state.report.signatures);
    }
};
/**
 * The whole plan: the one plan made, or, when it left the digests to publish, the one made once
 * the plugin's layers are packed. Meanwhile every check has passed, so the blobs the outline
 * knows go up, and the layers still being packed are streamed as they grow (early.ts).
 */
async function completePlan(state, targets, report) {
    if (state.plan !== undefined)
        return { plan: state.plan };
    const pending = need(state.pendingPlan, 'the plan', 'plan');
    const outline = need(state.outline, 'the plan', 'plan');
    const early = startEarlyUploads({
        outline,
        rulesLayer: state.rules?.layer,
        packing: state.packing ?? [],
        targets,
        logger: state.logger
    });
    try {
        state.plan = await pending;
    }
    catch (err) {
        // Each failed stream cancels its upload session; what did go up is reported.
        const sent = await early.settle();
        report.blobsUploaded += sent.blobs;
        report.bytesUploaded += sent.bytes;
        throw err;
    }
    await early.ready();
    return { plan: state.plan, early };
}
/** publish (push-by-digest): this platform's blobs and manifest, by digest; no tag. */
const pushManifests = {
    name: 'publish',
    run: async (state) => {
        const planned = need(state.plan, 'the plan', 'plan');
        const targets = need(state.targets, 'the targets', 'plan');
        const report = emptyPublishReport();
        state.journal.publish = report;
        state.report = await state.logger.group('Publish', () => pushPlatformManifests(planned, targets.plugin, state.logger, {
            concurrency: state.inputs.uploadConcurrency,
            report
        }));
    }
};
/** index-file: the merged index.yaml (unless a dev build has no dev-index-file). */
const indexFile = {
    name: 'index-file',
    skip: (state) => !need(state.prepared, 'the distribution', 'preflight').writeIndex,
    run: async (state) => {
        const prepared = need(state.prepared, 'the distribution', 'preflight');
        await writeIndexFile(prepared, state.logger);
        state.indexFile = prepared.indexPath;
        state.journal.indexFile = prepared.indexPath;
    }
};
/** index-branch: the same entries committed to index-file on the index branch. */
const indexBranch = {
    name: 'index-branch',
    skip: (state) => need(state.prepared, 'the distribution', 'preflight').branch === undefined,
    run: async (state) => {
        const prepared = need(state.prepared, 'the distribution', 'preflight');
        state.index = await commitIndex({
            prepared,
            branch: need(prepared.branch, 'the index branch', 'preflight'),
            plan: need(state.plan, 'the plan', 'plan'),
            metadata: need(state.metadata, 'the metadata', 'build or inspect'),
            logger: state.logger
        });
        state.journal.indexBranchUrl = state.index.url;
    }
};
/** The archives of the GitHub Release: the layers this release pushed, packed once. */
async function archivesOf(state) {
    const plugins = state.pushed
        ? state.pushed.map((p) => ({ platform: p.platform, path: p.layerPath }))
        : (await need(state.pluginLayers, 'the plugin layers', 'build')).map((l) => ({
            platform: l.platform,
            path: l.path
        }));
    return { plugins, rules: state.rules?.layer.path };
}
/** github-release: the release of the tag with the archives and checksums, then provenance. */
const githubRelease = {
    name: 'github-release',
    skip: (state) => need(state.prepared, 'the distribution', 'preflight').release === undefined,
    run: async (state) => {
        const prepared = need(state.prepared, 'the distribution', 'preflight');
        const { githubRelease: published, attestation } = await publishRelease({
            prepared,
            release: need(prepared.release, 'the GitHub Release', 'preflight'),
            plan: need(state.plan, 'the plan', 'plan'),
            metadata: need(state.metadata, 'the metadata', 'build or inspect'),
            version: need(state.release, 'the version', 'inputs or version'),
            archives: await archivesOf(state),
            monorepo: state.monorepo,
            sha: state.context.github.sha || undefined,
            scratch: state.scratch,
            logger: state.logger,
            signing: { result: state.signingResult, signer: state.signing?.signer }
        });
        state.githubRelease = published;
        state.attestation = attestation;
        state.journal.releaseUrl = published.htmlUrl;
    }
};
/**
 * retention (dev builds): old dev version tags go where the registry allows it, after the release
 * is out, as housekeeping that warns instead of failing.
 */
const retention = {
    name: 'retention',
    run: async (state) => {
        const { inputs, logger } = state;
        const planned = need(state.plan, 'the plan', 'plan');
        const targets = need(state.targets, 'the targets', 'plan');
        state.retention = await logger.group('Old dev builds', () => pruneDevTags({
            plan: planned,
            targets: { plugin: targets.plugin, rules: planned.rules ? targets.rules : undefined },
            keep: inputs.devKeep,
            logger
        }));
        const warning = retentionWarning(state.retention, registryLabel(inputs));
        if (warning)
            state.warn(warning);
    }
};

/** The stages after the inputs stage (src/pipeline/setup.ts), in order. */
function stagesOf(mode, run) {
    const version = run.dev ? [devVersion] : [];
    const writes = (publishStage) => (run.dryRun ? [] : publishStage);
    const distribute = [
        publishAll,
        indexFile,
        indexBranch,
        githubRelease,
        ...(run.dev ? [retention] : [])
    ];
    switch (mode) {
        case 'release':
            return [
                build({ onePlatform: false }),
                ...version,
                readTags,
                rules,
                plan({ readTags: true }),
                preflight,
                ...writes(distribute)
            ];
        case 'push-by-digest':
            // A matrix job: its platform's manifest by digest, nothing to refuse or distribute here.
            return [
                build({ onePlatform: true }),
                ...version,
                rules,
                plan({ readTags: false }),
                ...writes([pushManifests])
            ];
        case 'merge':
            return [
                readManifests,
                inspect,
                ...version,
                readTags,
                rules,
                plan({ readTags: true }),
                preflight,
                ...writes(distribute)
            ];
    }
}

// The inputs stage, first in every mode: the checks that need only the inputs and the context,
// which run this is (a tag release, with its version parsed once here, or a dev build, whose
// version waits for the .so), the plugin's folder, the paths kept in the workspace, and the
// scratch folder. It decides the mode, so which list of stages runs next.
/** The mode the inputs ask for. */
function modeOf(inputs) {
    if (inputs.merge !== '')
        return 'merge';
    return inputs.pushByDigest ? 'push-by-digest' : 'release';
}
/** Runs the inputs stage: the release state the mode's stages start from. */
async function setUp(opts) {
    const { inputs, context, logger, journal } = opts;
    journal.stage = 'inputs';
    journal.dryRun = inputs.dryRun;
    checkInputs(inputs);
    if (inputs.githubToken !== '')
        logger.secret(inputs.githubToken);
    registerSigningSecrets(inputs, logger);
    const warnings = [];
    const run = runKind(inputs, context.github);
    // Paths the inputs name stay inside the checkout (GITHUB_WORKSPACE) unless allowed.
    const workspace = workspaceOf(context.workspace, inputs.allowOutsideWorkspace);
    confine(workspace, inputs.workingDirectory, 'working-directory');
    if (inputs.ociLayout !== '')
        confine(workspace, inputs.ociLayout, 'oci-layout');
    let release;
    let plugin;
    let workDir;
    let dev;
    if (run.kind === 'tag') {
        const match = matchTagPattern(run.tag, inputs.tagPattern, inputs.pluginName || undefined);
        release = match.release;
        plugin = match.plugin;
        journal.version = release.version;
        logger.info(`releasing version ${release.version} (tag ${run.tag})` +
            (plugin ? ` of plugin ${plugin}` : ''));
        // In a monorepo, the tag names the plugin and so its folder.
        workDir = pluginWorkDir(inputs, run.tag, plugin, context.cwd);
    }
    else {
        plugin = devPlugin(inputs);
        // The version is known once the .so reports its own (the version stage).
        logger.info(`dev build of ${run.branch}${plugin ? ` for plugin ${plugin}` : ''}: publishes an exact ` +
            `dev version and moves "${inputs.devTag}"; stable tags and index-file stay as they are`);
        workDir = pluginWorkDir(inputs, run.branch, plugin, context.cwd, `the dev build of ${run.branch} (plugin-name) builds`);
        if (inputs.devIndexFile !== '')
            confine(workspace, inputs.devIndexFile, 'dev-index-file');
        dev = { branch: run.branch, git: await checkDevCheckout(workDir, context.childEnvBase) };
    }
    journal.plugin = plugin ?? (inputs.pluginName || undefined);
    // The paths the inputs name inside the plugin's folder stay in the workspace too.
    if (inputs.pluginPath !== '') {
        confine(workspace, resolve(workDir, inputs.pluginPath), 'plugin-path');
    }
    if (inputs.rulesFile !== '' && !/^none$/i.test(inputs.rulesFile.trim())) {
        confine(workspace, resolve(workDir, inputs.rulesFile), 'rules-file');
    }
    const scratch = await mkdtemp(join(context.runnerTemp, 'falco-plugin-release-'));
    return {
        context,
        inputs,
        logger,
        journal,
        steps: opts.steps,
        mode: modeOf(inputs),
        warn: (w) => {
            warnings.push(w);
            logger.warning(w);
        },
        warnings,
        workspace,
        workDir,
        scratch,
        expectedName: inputs.pluginName || plugin,
        monorepo: plugin !== undefined,
        dev,
        release
    };
}

/** Runs the stages in order; the first failure ends the run (the journal says where). */
async function runStages(stages, state) {
    for (const stage of stages) {
        if (stage.skip?.(state))
            continue;
        state.journal.stage = stage.name;
        await stage.run(state);
    }
    state.journal.stage = 'done';
}

// Builds the plugin's shared library: `go build -buildmode=c-shared` by default, or the user's
// build-command. Output is streamed to the logger; failures carry the tail of it. With a foreign
// platform (linux/arm64 on an amd64 machine), Go cross-compiles with cgo through a C cross
// compiler (Debian's aarch64-linux-gnu-gcc by default).
/** The environment a build for `platform` needs on `host`: {} for a native build without cc. */
function crossCompileEnv(platform, cc, host = hostPlatform()) {
    const explicitCc = cc?.trim() || undefined;
    if (platform === undefined || isHostPlatform(platform, host)) {
        if (platform !== undefined)
            architectureFacts(platform);
        return explicitCc ? { CC: explicitCc } : {};
    }
    const facts = architectureFacts(platform);
    return {
        GOOS: 'linux',
        GOARCH: facts.goarch,
        CGO_ENABLED: '1',
        CC: explicitCc ?? facts.crossCompiler
    };
}
/** Whether the first word of a CC value is an executable on PATH (or an executable path). */
async function commandExists(command, pathVar) {
    const name = command.trim().split(/\s+/)[0];
    return (await findProgram(name, { path: pathVar })) !== undefined;
}
function missingCrossCompiler(platform, cc, host) {
    const facts = architectureFacts(platform);
    const name = cc.trim().split(/\s+/)[0];
    const fix = name === facts.crossCompiler
        ? `Install it (sudo apt-get install -y ${facts.crossPackages.join(' ')}), set cc to ` +
            `another ${facts.gnuTriplet} compiler`
        : `Install it or set cc to another ${facts.gnuTriplet} compiler (Debian's is ` +
            `${facts.crossCompiler}, from ${facts.crossPackages.join(' ')})`;
    return new Error(`the C cross compiler '${name}' for ${formatPlatform(platform)} was not found on PATH: ` +
        `cgo needs one to build a ${facts.goarch} plugin on this ${host.architecture} machine. ` +
        `${fix}, or build on a native ${facts.goarch} runner (runs-on: ${facts.runner}) with the ` +
        'matrix mode');
}
const TAIL_LINES = 40;
/**
 * Runs argv without a shell, in its own process group with a filtered environment, forwarding
 * each output line to log and keeping the last ones.
 */
async function runStreaming(argv, options) {
    const tail = [];
    const r = await runChild(argv, {
        cwd: options.cwd,
        env: options.env,
        policy: options.policy,
        keepBytes: 0,
        onLine: (l) => {
            options.log(l);
            tail.push(l);
            if (tail.length > TAIL_LINES)
                tail.shift();
        }
    });
    return { ...r, tail };
}
/** Says which variables the build does not get (names only), and how to pass one. */
function logRemovedVariables(env, policy, logger) {
    const { removed } = childEnv(env, policy);
    // The action's own inputs are many and expected: one entry for them all.
    const inputs = removed.some((n) => /^INPUT_/i.test(n)) ? ['INPUT_* (the action inputs)'] : [];
    const names = [...inputs, ...removed.filter((n) => !/^INPUT_/i.test(n))];
    if (names.length === 0)
        return;
    logger.info(`not passed to the build or the plugin: ${names.join(', ')}; name a variable in ` +
        'build-env-keep to pass it');
}
async function isDirectory(path) {
    try {
        return (await stat(path)).isDirectory();
    }
    catch {
        return false;
    }
}
async function isFile(path) {
    try {
        return (await stat(path)).isFile();
    }
    catch {
        return false;
    }
}
/** Quotes an argument for display only (we never run through a shell). */
function shellQuote(arg) {
    return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
function status(r) {
    return r.signal ? `was killed by ${r.signal}` : `exited with status ${r.code}`;
}
function outputBlock(tail) {
    return tail.length > 0 ? `\n${tail.join('\n')}` : ' (no output)';
}
/** A relative path (./x, ../x, x/y on disk) rather than an import path (example.com/x). */
function isLocalPackage(pkg) {
    return pkg === '.' || pkg === '..' || pkg.startsWith('./') || pkg.startsWith('../') || isAbsolute(pkg);
}
/** cgo includes the SDK's plugin_api.h by a relative path that a stray $TMPDIR copy shadows. */
function strayHeaderWarning(env) {
    for (const dir of new Set([env.GOTMPDIR, env.TMPDIR, tmpdir()])) {
        if (dir && existsSync$1(join(dir, 'plugin_api.h'))) {
            return (`${join(dir, 'plugin_api.h')} exists: cgo may pick it up instead of plugin-sdk-go's copy ` +
                '(the SDK includes it by a relative path); remove it if the build misbehaves');
        }
    }
    return undefined;
}
/**
 * Builds the plugin and returns the absolute path of its .so. Throws with the compiler's output
 * and the command when the build fails.
 */
async function buildPlugin(opts) {
    const { logger } = opts;
    const wd = resolve(opts.workingDirectory);
    if (!(await isDirectory(wd))) {
        const what = existsSync$1(wd) ? 'is not a directory' : 'does not exist';
        throw new Error(`working-directory '${opts.workingDirectory}' ${what}: set the input to the folder that ` +
            "holds your plugin's go.mod");
    }
    const env = { ...opts.env };
    const host = hostPlatform();
    const targetEnv = opts.compilers && opts.platform
        ? {
            GOOS: 'linux',
            GOARCH: architectureFacts(opts.platform).goarch,
            CGO_ENABLED: '1',
            ...opts.compilers
        }
        : crossCompileEnv(opts.platform, opts.cc, host);
    const cross = opts.platform !== undefined && !isHostPlatform(opts.platform, host);
    const group = (title, fn) => opts.concurrent ? fn() : logger.group(title, fn);
    const tag = opts.concurrent && opts.platform ? `[${formatPlatform(opts.platform)}] ` : '';
    const log = (l) => logger.info(`${tag}${l}`);
    const suffix = opts.platform ? ` (${formatPlatform(opts.platform)})` : '';
    if (opts.buildCommand !== undefined && opts.buildCommand.trim() !== '') {
        // The user's command sees the target in GOOS/GOARCH (and CC for a cross build).
        if (opts.platform) {
            Object.assign(env, { GOOS: opts.platform.os, GOARCH: opts.platform.architecture });
        }
        Object.assign(env, targetEnv);
        return runBuildCommand(opts.buildCommand, opts.pluginPath, wd, env, opts.envPolicy, logger, suffix);
    }
    const goPackage = opts.goPackage?.trim() || './plugin';
    if (isLocalPackage(goPackage) && !(await isDirectory(resolve(wd, goPackage)))) {
        throw new Error(`go-package '${goPackage}' not found in ${wd}: set go-package to the folder of your ` +
            "plugin's main package (relative to working-directory, e.g. ./plugin or .)");
    }
    const output = resolve(wd, opts.output);
    await mkdir(dirname(output), { recursive: true });
    const warning = strayHeaderWarning(env);
    if (warning)
        logger.warning(warning);
    if (cross && !opts.compilers && !(await commandExists(targetEnv.CC, env.PATH))) {
        throw missingCrossCompiler(opts.platform, targetEnv.CC, host);
    }
    // c-shared needs cgo, which cross-compiling or a bare environment would turn off.
    env.CGO_ENABLED = '1';
    Object.assign(env, targetEnv);
    const argv = [
        'go',
        'build',
        '-buildmode=c-shared',
        '-trimpath',
        '-buildvcs=false',
        // An empty Go build ID makes the .so byte-identical across runs and
        // directories (the GNU build-id is then derived from the content alone),
        // so re-running a release reproduces the published digests.
        '-ldflags=-buildid=',
        '-o',
        output,
        goPackage
    ];
    const shown = Object.entries({ CGO_ENABLED: '1', ...targetEnv }).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const command = `${shown.join(' ')} ${argv.map(shellQuote).join(' ')}`;
    const r = await group(`Build ${goPackage}${suffix}`, async () => {
        log(`$ ${command}  (in ${wd})`);
        if (!opts.concurrent)
            logRemovedVariables(env, opts.envPolicy, logger);
        return runStreaming(argv, { cwd: wd, env, policy: opts.envPolicy, log });
    });
    if (r.error?.code === 'ENOENT') {
        throw new Error("the Go toolchain ('go') was not found on PATH: add actions/setup-go before this action " +
            '(e.g. with go-version-file: go.mod), or install Go from https://go.dev/dl/');
    }
    if (r.error)
        throw new Error(`could not run go: ${r.error.message}`);
    if (r.code !== 0) {
        const crossHint = opts.compilers
            ? `\nThis build used ${targetEnv.CC}: C code that includes headers or links libraries ` +
                'of this machine (pkg-config, -I/usr/include, -L/usr/lib) does not work with it; ' +
                'libraries the plugin links must be built for the target too'
            : cross
                ? `\nThis was a cross build for ${formatPlatform(opts.platform)}: C libraries ` +
                    `the plugin links must be installed for ${targetEnv.GOARCH} too, or build on a native ` +
                    `${targetEnv.GOARCH} runner (runs-on: ${architectureFacts(opts.platform).runner})`
                : '';
        throw new Error(`go build ${status(r)}: ${command} (in ${wd})${outputBlock(r.tail)}${crossHint}`);
    }
    if (!(await isFile(output))) {
        throw new Error(`go build succeeded but did not write ${output}: ${command} (in ${wd})`);
    }
    return output;
}
async function runBuildCommand(buildCommand, pluginPath, wd, env, policy, logger, suffix = '') {
    if (pluginPath === undefined || pluginPath.trim() === '') {
        throw new Error('build-command is set, so plugin-path is required: set it to the .so your command produces ' +
            '(relative to working-directory)');
    }
    const so = resolve(wd, pluginPath.trim());
    const r = await logger.group(`Build (build-command)${suffix}`, async () => {
        logger.info(`$ ${buildCommand}  (in ${wd})`);
        logRemovedVariables(env, policy, logger);
        const log = (l) => logger.info(l);
        const bash = await runStreaming(['bash', '-c', buildCommand], { cwd: wd, env, policy, log });
        if (bash.error?.code !== 'ENOENT')
            return bash;
        return runStreaming(['sh', '-c', buildCommand], { cwd: wd, env, policy, log });
    });
    if (r.error)
        throw new Error(`could not run build-command: ${r.error.message}`);
    if (r.code !== 0) {
        throw new Error(`build-command ${status(r)}: ${buildCommand} (in ${wd})${outputBlock(r.tail)}`);
    }
    if (!(await isFile(so))) {
        throw new Error(`build-command finished but plugin-path '${pluginPath}' (${so}) does not exist: set ` +
            'plugin-path to the .so your command produces');
    }
    return so;
}

// The SHA-256 of a file, streamed: release assets (checksums.txt) and the zig wheel's pin.
/** Lower-case hex, as checksums.txt and PyPI write it. */
async function sha256File(path) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path))
        hash.update(chunk);
    return hash.digest('hex');
}

// zig as cgo's C compiler, for plugins that load on an older glibc than the runner's: with
// CC="zig cc -target x86_64-linux-gnu.2.17", the .so links against stubs of glibc 2.17's
// libraries (generated from zig's symbol database), so it needs nothing newer, on amd64 and on
// arm64 alike, from one machine, without a container or a cross gcc.
//
// zig is pinned (ZIG_VERSION). We take it, in this order, from: a `zig` on PATH of that version;
// the runner's tool cache (@actions/tool-cache; outside a runner, a cache folder in the user's
// cache directory); PyPI's `ziglang` wheel, which is a zip of the official build, downloaded
// with the tool cache's downloadTool, checked against its pinned SHA-256, extracted and cached.
// No pip, no Python needed on the runner.
/** The zig release the glibc input builds with. */
const ZIG_VERSION = '0.17.0';
/** PyPI's ziglang wheels of ZIG_VERSION, by the host's Node architecture. */
const ZIG_WHEELS = {
    x64: {
        url: 'https://files.pythonhosted.org/packages/fe/6f/e1c380fe61db36cb464d5d4d18c557338812500986885373e2550d4ebf6b/' +
            'ziglang-0.17.0-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl',
        sha256: '97079827064a7492cce5541ceb438ae8003ce1e54e399676da2d62fb7a5dc08b'
    },
    arm64: {
        url: 'https://files.pythonhosted.org/packages/02/21/abee2f0524f54fe3e8783748b9df79bb07d4b955e6b465677d1cfbda335c/' +
            'ziglang-0.17.0-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64.whl',
        sha256: 'd2804f94f54f7fcf8169f4b212a619ad688a4e2e6592e976f0cf2e58e2cd8af3'
    }
};
/** "x86_64-linux-gnu.2.17": zig's target for a platform and a glibc version. */
function zigTarget(platform, glibc) {
    return `${architectureFacts(platform).gnuTriplet}.${glibc}`;
}
/** CC and CXX for cgo: zig cc / zig c++ for the platform's triplet at that glibc. */
function zigCompilers(zig, platform, glibc) {
    if (/\s/.test(zig)) {
        throw new Error(`zig is at '${zig}', a path with a space, which cannot be part of CC: install it elsewhere`);
    }
    const target = zigTarget(platform, glibc);
    return { CC: `${zig} cc -target ${target}`, CXX: `${zig} c++ -target ${target}` };
}
/** Reads `zig env`: its version and lib folder, or undefined when it does not run. */
async function zigEnv(path, opts) {
    const r = await runChild([path, 'env'], { env: opts.env, policy: opts.policy, timeoutMs: 60_000 });
    if (r.error || r.code !== 0)
        return undefined;
    // ZON in recent releases (.version = "0.17.0"), JSON before ("version": "0.13.0").
    const field = (name) => new RegExp(`"?\\.?${name}"?\\s*[:=]\\s*"([^"]*)"`).exec(r.stdout)?.[1];
    const version = field('version');
    const libDir = field('lib_dir');
    return version && libDir ? { version, libDir } : undefined;
}
/** The Node architecture name the tool cache files tools under. */
function cacheArch(opts) {
    return opts.arch ?? arch();
}
/** Our cache folder outside a runner (no RUNNER_TOOL_CACHE): the tool cache's layout. */
function ownCacheDir(env, arch) {
    const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
    return join(base, 'falco-plugin-release', 'tools', 'zig', ZIG_VERSION, arch);
}
async function fetchToFile(url, file) {
    const res = await fetch(url, { redirect: 'follow' });
    if (!res.ok || !res.body)
        throw new Error(`HTTP ${res.status}`);
    await pipeline$1(Readable.fromWeb(res.body), createWriteStream(file));
}
async function isExecutable(path) {
    try {
        return (await stat(path)).isFile();
    }
    catch {
        return false;
    }
}
/** Downloads the pinned wheel, checks it, and extracts its ziglang/ folder; returns that folder. */
async function downloadWheel(opts, work) {
    const arch = cacheArch(opts);
    const wheel = opts.wheel ?? ZIG_WHEELS[arch];
    if (!wheel) {
        throw new Error(`no zig ${ZIG_VERSION} wheel for a ${arch} machine: the glibc input works on amd64 and ` +
            'arm64 runners, or put zig ' + ZIG_VERSION + ' on PATH');
    }
    const file = join(work, 'ziglang.whl');
    opts.logger.info(`downloading zig ${ZIG_VERSION} (PyPI's ziglang wheel): ${wheel.url}`);
    try {
        // Under a runner, the tool cache's downloader (retries, proxy settings); elsewhere (the CLI)
        // fetch, as @actions/core would print its debug lines on our standard output.
        if (opts.env.RUNNER_TOOL_CACHE)
            await (await toolCache()).downloadTool(wheel.url, file);
        else
            await fetchToFile(wheel.url, file);
    }
    catch (e) {
        throw new Error(`could not download zig ${ZIG_VERSION} from ${wheel.url}: ${e.message}. ` +
            `Put zig ${ZIG_VERSION} on PATH instead (e.g. pip install ziglang==${ZIG_VERSION} and ` +
            'add its ziglang folder to PATH), or let the runner reach PyPI');
    }
    const digest = await sha256File(file);
    if (digest !== wheel.sha256) {
        throw new Error(`the zig wheel from ${wheel.url} has SHA-256 ${digest}, not the pinned ${wheel.sha256}: ` +
            'refusing to run it');
    }
    const out = join(work, 'x');
    await mkdir(out);
    const r = await runChild(['unzip', '-q', '-o', file, 'ziglang/*', '-d', out], {
        env: opts.env,
        policy: opts.policy,
        keepBytes: 16 * 1024
    });
    if (r.error || r.code !== 0) {
        throw new Error(`could not extract the zig wheel with unzip (${r.error?.message ?? `exit ${r.code}`}): ` +
            `${lastLines(r.stderr + r.stdout, 10)}; install unzip (apt-get install unzip)`);
    }
    const dir = join(out, 'ziglang');
    await chmod(join(dir, 'zig'), 0o755);
    return dir;
}
/** @actions/tool-cache (and its HTTP client) loads only for the glibc input. */
const toolCache = () => import('./tool-cache.js');
/** Puts an extracted zig folder in the tool cache (or our own cache) and returns where it is. */
async function cacheZig(opts, dir) {
    const arch = cacheArch(opts);
    if (opts.env.RUNNER_TOOL_CACHE)
        return (await toolCache()).cacheDir(dir, 'zig', ZIG_VERSION, arch);
    const dest = ownCacheDir(opts.env, arch);
    await rm(dest, { recursive: true, force: true });
    await mkdir(join(dest, '..'), { recursive: true });
    await rename(dir, dest);
    await writeFile$1(`${dest}.complete`, '');
    return dest;
}
async function cached(opts) {
    const arch = cacheArch(opts);
    if (opts.env.RUNNER_TOOL_CACHE)
        return (await toolCache()).find('zig', ZIG_VERSION, arch) || undefined;
    const dir = ownCacheDir(opts.env, arch);
    return existsSync$1(`${dir}.complete`) ? dir : undefined;
}
/**
 * Finds zig ZIG_VERSION (PATH, then the tool cache) or installs it from PyPI into the tool
 * cache. Throws with what to do when neither works.
 */
async function setupZig(opts) {
    const skipped = [];
    for (const candidate of await findPrograms('zig', { path: opts.env.PATH })) {
        const e = await zigEnv(candidate, opts);
        if (e?.version === ZIG_VERSION)
            return { path: candidate, ...e, from: 'PATH' };
        skipped.push(`${candidate} (${e ? `zig ${e.version}` : 'does not run'})`);
    }
    if (skipped.length > 0) {
        opts.logger.info(`not using ${skipped.join(', ')}: glibc builds are pinned to zig ${ZIG_VERSION}`);
    }
    const inCache = await cached(opts);
    if (inCache) {
        const path = join(inCache, 'zig');
        const e = (await isExecutable(path)) ? await zigEnv(path, opts) : undefined;
        if (e?.version === ZIG_VERSION)
            return { path, ...e, from: 'the tool cache' };
        opts.logger.info(`the cached zig in ${inCache} does not run: installing it again`);
    }
    const work = await mkdtemp(join(opts.env.RUNNER_TEMP || tmpdir(), 'zig-'));
    try {
        const dir = await cacheZig(opts, await downloadWheel(opts, work));
        const path = join(dir, 'zig');
        const e = await zigEnv(path, opts);
        if (e?.version !== ZIG_VERSION) {
            throw new Error(`the zig installed in ${dir} does not run or is not ${ZIG_VERSION}`);
        }
        return { path, ...e, from: 'PyPI (ziglang wheel), now in the tool cache' };
    }
    finally {
        await rm(work, { recursive: true, force: true });
    }
}
/** Path of the glibc symbol database of a zig installation. */
function abilistsPath(zig) {
    return join(zig.libDir, 'libc', 'glibc', 'abilists');
}

// What an older glibc provides, from the symbol database zig ships (lib/libc/glibc/abilists):
// for every symbol, in which glibc library (libc, libm, libresolv, ...), on which target, since
// which symbol version. zig builds its stub libraries for `<arch>-linux-gnu.<glibc>` from it, so
// it is exactly what a plugin built with that target was linked against.
//
// We use it for what the versioned floor cannot see: undefined symbols WITHOUT a version
// (falcosecurity/plugins#1500: `__res_search` from Go's cgo resolver, in libresolv before glibc
// 2.34, in libc since). The dynamic linker binds such a symbol to whatever library in scope
// defines it; on an older glibc that library may not be among the plugin's DT_NEEDED, or may not
// have it at all, and dlopen fails with "undefined symbol". Pure.
//
// Format (all integers little-endian; documented by ziglang/libc-abi-tools):
//   u8 library count, then NUL-terminated names ("c", "m", "dl", "pthread", ...)
//   u8 version count, then u8 major, u8 minor, u8 patch each, ascending
//   u8 target count, then NUL-terminated triples ("x86_64-linux-gnu", ...)
//   u16 function inclusion count, then inclusions; u16 object inclusion count, then inclusions.
//   An inclusion list for one symbol: its NUL-terminated name, then inclusions, each
//     uleb128 target bitset, (objects only: uleb128 size), u8 library index (bit 7: the last
//     inclusion of this symbol), then version indices (u8, bit 7 set on the last one).
// An inclusion says: on these targets, this library exports the symbol with these versions
// (GLIBC_<version>). A glibc of version V has it when one of those versions is <= V.
/** The library each abilists name stands for, as DT_NEEDED spells it. */
const SONAMES = {
    c: () => 'libc.so.6',
    m: () => 'libm.so.6',
    dl: () => 'libdl.so.2',
    pthread: () => 'libpthread.so.0',
    rt: () => 'librt.so.1',
    util: () => 'libutil.so.1',
    resolv: () => 'libresolv.so.2',
    ld: (arch) => (arch === 'aarch64' ? 'ld-linux-aarch64.so.1' : 'ld-linux-x86-64.so.2')
};
class AbilistsError extends Error {
    constructor(message) {
        super(`zig's glibc symbol database (abilists) is unreadable: ${message}`);
        this.name = 'AbilistsError';
    }
}
/** Parses an abilists file. Throws AbilistsError when it is damaged or truncated. */
function parseAbilists(data) {
    const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let at = 0;
    const need = (n) => {
        if (at + n > b.length)
            throw new AbilistsError(`truncated at byte ${at}`);
    };
    const u8 = () => {
        need(1);
        return b[at++];
    };
    const u16 = () => {
        need(2);
        const v = b.readUInt16LE(at);
        at += 2;
        return v;
    };
    const cstr = () => {
        const end = b.indexOf(0, at);
        if (end < 0)
            throw new AbilistsError(`unterminated name at byte ${at}`);
        const s = b.toString('latin1', at, end);
        at = end + 1;
        return s;
    };
    const uleb = () => {
        let value = 0n;
        let shift = 0n;
        for (;;) {
            const byte = u8();
            value |= BigInt(byte & 0x7f) << shift;
            if ((byte & 0x80) === 0)
                return value;
            shift += 7n;
            if (shift > 70n)
                throw new AbilistsError(`overlong number at byte ${at}`);
        }
    };
    const libraries = Array.from({ length: u8() }, cstr);
    const versions = Array.from({ length: u8() }, () => {
        const [major, minor, patch] = [u8(), u8(), u8()];
        return patch === 0 ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
    });
    const targets = Array.from({ length: u8() }, cstr);
    const symbols = new Map();
    for (const objects of [false, true]) {
        const count = u16();
        let read = 0;
        while (read < count) {
            const name = cstr();
            const list = symbols.get(name) ?? [];
            symbols.set(name, list);
            for (;;) {
                const targetSet = uleb();
                if (objects)
                    uleb(); // the object's size: not needed here
                const lib = u8();
                const inclusion = { targets: targetSet, library: lib & 0x7f, versions: [] };
                for (;;) {
                    const v = u8();
                    if ((v & 0x7f) >= versions.length)
                        throw new AbilistsError(`bad version index ${v}`);
                    inclusion.versions.push(v & 0x7f);
                    if (v & 0x80)
                        break;
                }
                if (inclusion.library >= libraries.length) {
                    throw new AbilistsError(`bad library index ${inclusion.library}`);
                }
                list.push(inclusion);
                read++;
                if (lib & 0x80 || read >= count)
                    break;
            }
        }
    }
    if (libraries.length === 0 ||
        versions.length === 0 ||
        targets.length === 0 ||
        symbols.size === 0) {
        throw new AbilistsError('it lists no libraries, versions, targets or symbols');
    }
    return { libraries, versions, targets, symbols };
}
/** zig's glibc target name of an ELF/GNU machine: "x86_64-linux-gnu", "aarch64-linux-gnu". */
function targetIndex(abi, gnuTriplet) {
    const i = abi.targets.indexOf(gnuTriplet);
    if (i < 0)
        throw new AbilistsError(`no target ${gnuTriplet} (it has ${abi.targets.join(', ')})`);
    return i;
}
/** The oldest glibc zig can target for a triplet (2.2.5 on x86_64, 2.17 on aarch64). */
function oldestGlibc(abi, gnuTriplet) {
    const bit = 1n << BigInt(targetIndex(abi, gnuTriplet));
    let oldest;
    for (const inclusions of abi.symbols.values()) {
        for (const inc of inclusions) {
            if ((inc.targets & bit) === 0n)
                continue;
            const v = Math.min(...inc.versions);
            if (oldest === undefined || v < oldest)
                oldest = v;
        }
    }
    return abi.versions[oldest ?? 0];
}
/** The newest glibc the database knows. */
function newestGlibc(abi) {
    return abi.versions[abi.versions.length - 1];
}
/**
 * The libraries (DT_NEEDED names) of glibc `version` on `gnuTriplet` that export `symbol`,
 * in any symbol version up to `version`.
 */
function librariesDefining(abi, symbol, gnuTriplet, version) {
    const bit = 1n << BigInt(targetIndex(abi, gnuTriplet));
    const arch = gnuTriplet.split('-')[0];
    const found = new Set();
    for (const inc of abi.symbols.get(symbol) ?? []) {
        if ((inc.targets & bit) === 0n)
            continue;
        if (inc.versions.some((v) => compareGlibcVersions(abi.versions[v], version) <= 0)) {
            const lib = abi.libraries[inc.library];
            found.add(SONAMES[lib]?.(arch) ?? `lib${lib}.so`);
        }
    }
    return [...found].sort();
}
/** Whether a DT_NEEDED name is one of glibc's own libraries (those abilists describes). */
function isGlibcLibrary(soname) {
    return /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libutil\.so\.1|libresolv\.so\.2|ld-linux[-\w.]*\.so\.\d+)$/.test(soname);
}
/**
 * Checks the plugin's non-weak undefined symbols without a version against glibc `version` on
 * `gnuTriplet`: each must be defined by a glibc library the plugin lists in DT_NEEDED (or by the
 * dynamic linker, which libc always brings). The ones that are not are unresolved, unless the
 * plugin also needs non-glibc libraries, which (or whose own dependencies) may define them
 * (unknown: we cannot tell).
 */
function checkUnversionedImports(elf, abi, gnuTriplet, version) {
    const arch = gnuTriplet.split('-')[0];
    const inScope = new Set(elf.needed.filter(isGlibcLibrary));
    if (inScope.has('libc.so.6'))
        inScope.add(SONAMES.ld(arch));
    const others = elf.needed.some((n) => !isGlibcLibrary(n));
    const result = { unresolved: [], unknown: [] };
    for (const imp of elf.imports) {
        if (imp.version !== undefined || imp.weak)
            continue;
        const definedIn = librariesDefining(abi, imp.name, gnuTriplet, version);
        if (definedIn.some((l) => inScope.has(l)))
            continue;
        // Another library (or what it needs in turn) may define it: we cannot tell.
        if (others)
            result.unknown.push(imp.name);
        else
            result.unresolved.push({ name: imp.name, definedIn });
    }
    return result;
}

// Static checks of a built plugin .so, from its ELF headers alone (see elf.ts): is it a shared
// object for the platform it is released as, does it export what Falco's loader requires, and
// can hosts with an older glibc load it. They work for every architecture, including those this
// machine cannot dlopen. Pure.
/** Build images and the glibc they ship, newest first (what to suggest for a lower floor). */
const BUILD_IMAGES = [
    { image: 'debian:bullseye', glibc: '2.31' },
    { image: 'debian:buster', glibc: '2.28' },
    { image: 'ubuntu:18.04', glibc: '2.27' },
    { image: 'centos:7', glibc: '2.17' }
];
/** glibc of common distributions, to say who cannot load a plugin. */
const DISTRIBUTIONS = [
    { name: 'Amazon Linux 2', glibc: '2.26' },
    { name: 'RHEL/Rocky/Alma 8', glibc: '2.28' },
    { name: 'Debian 11', glibc: '2.31' },
    { name: 'Ubuntu 20.04', glibc: '2.31' },
    { name: 'RHEL/Rocky/Alma 9', glibc: '2.34' },
    { name: 'Amazon Linux 2023', glibc: '2.34' },
    { name: 'Ubuntu 22.04', glibc: '2.35' },
    { name: 'Debian 12', glibc: '2.36' },
    { name: 'Ubuntu 24.04', glibc: '2.39' }
];
/** Libraries of glibc itself, present wherever libc.so.6 is. */
const GLIBC_LIBRARIES = /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libresolv\.so\.2|libutil\.so\.1|libanl\.so\.1|ld-linux[-\w.]*\.so\.\d+)$/;
const MAX_LISTED = 8;
function list(names, max = MAX_LISTED) {
    if (names.length <= max)
        return names.join(', ');
    return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
/** Validates and normalises a max-glibc setting ("2.31"); throws with an example otherwise. */
function normalizeMaxGlibc(value) {
    const v = parseGlibcVersion(value);
    if (v === undefined) {
        throw new Error(`max-glibc '${value}' is not a glibc version: write it like 2.31 (Debian 11), or leave it ` +
            'empty to accept any');
    }
    return v;
}
/** "GLIBC_2.34: pthread_create, res_search; GLIBC_2.32: pthread_getattr_np". */
function offendingSymbols(elf, above) {
    return Object.entries(elf.glibcSymbols)
        .map(([version, symbols]) => ({ version, n: version.replace(/^GLIBC_/, ''), symbols }))
        .filter((v) => compareGlibcVersions(v.n, above) > 0)
        .sort((a, b) => compareGlibcVersions(b.n, a.n))
        .map((v) => `${v.version}: ${v.symbols.length > 0 ? list(v.symbols) : '(no symbol)'}`)
        .join('; ');
}
/** Distributions whose glibc is older than `floor`. */
function distributionsBelow(floor) {
    return DISTRIBUTIONS.filter((d) => compareGlibcVersions(d.glibc, floor) < 0).map((d) => `${d.name} (${d.glibc})`);
}
/** One line for logs and summaries: "needs glibc >= 2.34 (GLIBC_2.34: pthread_create, ...)". */
function describeGlibcFloor(elf) {
    if (elf.glibcFloor === undefined)
        return 'needs no versioned glibc symbol';
    const floor = elf.glibcFloor;
    const symbols = elf.glibcSymbols[`GLIBC_${floor}`] ?? [];
    const older = distributionsBelow(floor);
    return (`needs glibc >= ${floor}` +
        (symbols.length > 0 ? ` (GLIBC_${floor}: ${list(symbols, 5)})` : '') +
        (older.length > 0 ? `; cannot load on ${list(older, 5)}` : ''));
}
function buildImageAdvice(max) {
    const image = BUILD_IMAGES.find((i) => compareGlibcVersions(i.glibc, max) <= 0);
    const bullseye = 'falcosecurity/plugins builds in `container: debian:bullseye` (glibc 2.31) for that reason';
    if (!image) {
        return `build against a glibc no newer than ${max} (an older distribution image); ${bullseye}`;
    }
    let advice = `build in an older image: run the build job in \`container: ${image.image}\` ` +
        `(glibc ${image.glibc})` +
        (image.image === 'debian:bullseye' ? `, as falcosecurity/plugins does` : `; ${bullseye}`);
    if (compareGlibcVersions(image.glibc, '2.28') < 0) {
        advice +=
            `. GitHub's JavaScript actions need glibc >= 2.28 inside a job container, so with ` +
                `${image.image} run the build itself with \`docker run ${image.image} ...\` in a step and ` +
                'pass the .so to this action with build-command / plugin-path';
    }
    return advice;
}
function typeProblem(elf) {
    if (elf.isSharedObject)
        return undefined;
    const how = 'build it with `go build -buildmode=c-shared` (a Falco plugin is a shared library)';
    switch (elf.type) {
        case ET_DYN:
            return `it is a position-independent executable, not a shared object: ${how}`;
        case ET_EXEC:
            return `it is an executable (ET_EXEC), not a shared object: ${how}`;
        case ET_REL:
            return `it is a relocatable object file (.o), not a shared object: ${how}`;
        case ET_CORE:
            return 'it is a core dump, not a shared object';
        default:
            return `it is an ELF file of type ${elf.type}, not a shared object: ${how}`;
    }
}
function machineProblem(elf, platform) {
    const facts = architectureFacts(platform);
    if (elf.machine === facts.elfMachine)
        return undefined;
    const p = formatPlatform(platform);
    const offered = `an ${elf.machineName} .so (ELF machine ${elf.machine}) was offered as ${p}`;
    const arch = facts.goarch;
    return (`${offered}, which needs ${facts.machineName} (ELF machine ${facts.elfMachine}): build it ` +
        `with GOARCH=${arch} and a C compiler for ${facts.gnuTriplet} (CC=${facts.crossCompiler}), ` +
        `or on a native ${arch} runner (${facts.runner}); check that the ${p} build does not ` +
        'reuse the output of another platform');
}
/**
 * Checks a plugin's ELF facts against the platform it is released as. Throws one Error listing
 * everything wrong: not a shared object, another machine than the platform's, a required plugin_*
 * symbol not exported, a glibc floor above opts.maxGlibc. Returns notes worth a warning (libraries
 * it needs beyond glibc).
 */
function checkElfForPlatform(elf, platform, opts = {}) {
    const problems = [];
    const typeIssue = typeProblem(elf);
    if (typeIssue)
        problems.push(typeIssue);
    const machineIssue = machineProblem(elf, platform);
    if (machineIssue)
        problems.push(machineIssue);
    const missing = REQUIRED_SYMBOLS.filter((s) => !elf.exports.includes(s));
    if (missing.length > 0) {
        const all = missing.length === REQUIRED_SYMBOLS.length;
        const verb = all ? 'is' : missing.length === 1 ? 'is not' : 'are not';
        problems.push(`${all ? 'none of' : `${missing.length} of`} the ${REQUIRED_SYMBOLS.length} functions ` +
            `Falco requires ${verb} exported: ${missing.join(', ')} (with ` +
            'plugin-sdk-go, register the plugin with plugins.SetFactory in an init() function of the ' +
            'main package, and build the main package with -buildmode=c-shared)');
    }
    const target = opts.glibcTarget;
    if (target !== undefined) {
        const floor = elf.glibcFloor;
        if (floor !== undefined && compareGlibcVersions(floor, target.version) > 0) {
            problems.push(`it needs glibc ${floor}, newer than the glibc input ${target.version} ` +
                `(${offendingSymbols(elf, target.version)}): the build linked something against a ` +
                `newer glibc than zig's ${target.version} stubs (a build-command that ignores $CC, or a ` +
                'prebuilt library or object built elsewhere)');
        }
        if (target.abi !== undefined) {
            problems.push(...unversionedProblems(elf, platform, target.version, target.abi));
        }
    }
    if (opts.maxGlibc !== undefined && opts.maxGlibc.trim() !== '') {
        const max = normalizeMaxGlibc(opts.maxGlibc);
        const floor = elf.glibcFloor;
        if (floor !== undefined && compareGlibcVersions(floor, max) > 0) {
            const older = distributionsBelow(floor);
            problems.push(`it needs glibc ${floor}, newer than max-glibc ${max} (${offendingSymbols(elf, max)}): ` +
                `hosts with an older glibc refuse to load it ("version \`GLIBC_${floor}' not found")` +
                (older.length > 0 ? `, e.g. ${list(older, 5)}` : '') +
                `. The C library the build links against sets this floor: ${buildImageAdvice(max)}`);
        }
    }
    if (problems.length > 0) {
        throw new Error(`${elf.path} cannot be released as ${formatPlatform(platform)}:\n- ${problems.join('\n- ')}`);
    }
    const notes = [];
    const unversioned = elf.imports
        .filter((i) => i.version === undefined && !i.weak)
        .map((i) => i.name);
    if (unversioned.length > 0 && target?.abi !== undefined) {
        const facts = architectureFacts(platform);
        const { unknown } = checkUnversionedImports(elf, target.abi, facts.gnuTriplet, target.version);
        if (unknown.length > 0) {
            notes.push(`${elf.path} references ${list(unknown)} without a version, which glibc ${target.version} ` +
                'does not define in the libraries the plugin loads: the other libraries it needs ' +
                '(DT_NEEDED) must define them on every Falco host');
        }
    }
    else if (unversioned.length > 0) {
        notes.push(`${elf.path} references ${list(unversioned)} without a symbol version: this machine's glibc ` +
            'resolves them, but an older one may not (falcosecurity/plugins#1500: __res_search lived ' +
            'in libresolv before glibc 2.34); set the glibc input to check them against the oldest ' +
            'glibc you support');
    }
    const extra = elf.needed.filter((n) => !GLIBC_LIBRARIES.test(n));
    if (extra.length > 0) {
        notes.push(`${elf.path} needs ${list(extra)} besides glibc (DT_NEEDED): Falco hosts must have ` +
            `${extra.length > 1 ? 'them' : 'it'} installed, or the plugin will not load`);
    }
    return notes;
}
/** Where the glibc library that defines a symbol is linked from, for the fix. */
const LINK_FLAGS = {
    'libresolv.so.2': '-lresolv',
    'libpthread.so.0': '-lpthread',
    'libdl.so.2': '-ldl',
    'libm.so.6': '-lm',
    'librt.so.1': '-lrt',
    'libutil.so.1': '-lutil'
};
/** Refusals for undefined symbols without a version that glibc `version` leaves unresolved. */
function unversionedProblems(elf, platform, version, abi) {
    const facts = architectureFacts(platform);
    const { unresolved } = checkUnversionedImports(elf, abi, facts.gnuTriplet, version);
    if (unresolved.length === 0)
        return [];
    const elsewhere = unresolved.filter((u) => u.definedIn.length > 0);
    const nowhere = unresolved.filter((u) => u.definedIn.length === 0);
    const problems = [];
    if (elsewhere.length > 0) {
        const flags = [...new Set(elsewhere.flatMap((u) => u.definedIn.map((l) => LINK_FLAGS[l])))]
            .filter((f) => f !== undefined)
            .join(' ');
        problems.push(`it references ${list(elsewhere.map((u) => `${u.name} (in ${u.definedIn.join(', ')})`))} ` +
            `without a symbol version, and on glibc ${version} the library that defines ` +
            `${elsewhere.length > 1 ? 'them is' : 'it is'} not among those the plugin loads ` +
            `(DT_NEEDED: ${elf.needed.join(', ') || 'none'}): dlopen fails there with "undefined ` +
            'symbol", as libcontainer.so did on glibc < 2.34 (falcosecurity/plugins#1500). Link it' +
            (flags ? ` (#cgo LDFLAGS: ${flags})` : '') +
            (elsewhere.some((u) => u.name.includes('res_'))
                ? ", or use Go's pure resolver (-tags netgo)"
                : ''));
    }
    if (nowhere.length > 0) {
        problems.push(`it references ${list(nowhere.map((u) => u.name))} without a symbol version, and glibc ` +
            `${version} does not define ${nowhere.length > 1 ? 'them' : 'it'} at all: dlopen fails ` +
            'there with "undefined symbol" (the code was written for a newer glibc, or expects a ' +
            'library it does not link)');
    }
    return problems;
}
/** The plugin_* functions of an ELF's exports. */
function pluginSymbols(elf) {
    return elf.exports.filter((s) => s.startsWith('plugin_'));
}
/**
 * Throws when two builds of the same plugin (typically the one this machine can dlopen and a
 * foreign one) do not export the same plugin_* functions: metadata read from one would then
 * misdescribe the other. Labels default to the builds' platforms ("linux/amd64").
 */
function compareExports(native, foreign, labels = {}) {
    const a = new Set(pluginSymbols(native));
    const b = new Set(pluginSymbols(foreign));
    const onlyA = [...a].filter((s) => !b.has(s)).sort();
    const onlyB = [...b].filter((s) => !a.has(s)).sort();
    if (onlyA.length === 0 && onlyB.length === 0)
        return;
    const la = labels.native ?? `linux/${native.architecture}`;
    let lb = labels.foreign ?? `linux/${foreign.architecture}`;
    if (lb === la)
        lb = `${lb} (${foreign.path})`;
    const lines = [];
    if (onlyA.length > 0)
        lines.push(`only the ${la} build exports ${onlyA.join(', ')}`);
    if (onlyB.length > 0)
        lines.push(`only the ${lb} build exports ${onlyB.join(', ')}`);
    throw new Error(`the ${la} and ${lb} builds of the plugin export different plugin_* functions, so the ` +
        `metadata read from one would not describe the other:\n- ${lines.join('\n- ')}\n` +
        'Build every platform from the same sources and the same build tags (a file with a ' +
        '//go:build constraint on the architecture, or cgo disabled on one side, does this)');
}

// Reading the metadata of a plugin built for another architecture: the inspector is compiled
// with that architecture's cross compiler and run under qemu-user with Debian's cross libc as its
// root (`qemu-aarch64 -L /usr/aarch64-linux-gnu inspector lib.so`), so the .so is loaded by the
// real dynamic linker of its architecture, as Falco would. When any piece is missing we say so
// and the caller relies on the ELF comparison (checks.ts) instead.
/**
 * An inspector able to load a plugin built for `platform`: on the host platform, the native one;
 * otherwise the inspector cross-compiled for it plus a qemu-user runner, when qemu-<arch>, the
 * cross compiler and the cross libc (/usr/<triplet>) are all present and the emulated inspector
 * starts. Returns undefined (after telling onUnavailable why) when they are not.
 */
async function foreignInspector(platform, opts) {
    const host = opts.host ?? hostPlatform();
    const children = { env: opts.env, envPolicy: opts.envPolicy };
    if (isHostPlatform(platform, host)) {
        return {
            inspector: await compileInspector({ cc: opts.cc, cacheDir: opts.cacheDir, ...children }),
            runner: []
        };
    }
    const facts = architectureFacts(platform);
    const p = formatPlatform(platform);
    const unavailable = (why) => {
        opts.onUnavailable?.(`cannot load the ${p} plugin under emulation: ${why}; relying on the ELF checks ` +
            `(exports compared with the ${formatPlatform(host)} build) instead`);
        return undefined;
    };
    const path = { path: opts.path ?? opts.env.PATH };
    const qemuNames = opts.qemu ? [opts.qemu] : [facts.qemu, `${facts.qemu}-static`];
    let qemu;
    for (const name of qemuNames)
        qemu ??= await findProgram(name, path);
    if (!qemu)
        return unavailable(`${qemuNames[0]} not found (apt-get install qemu-user)`);
    const cc = opts.cc ?? facts.crossCompiler;
    const ccCommand = cc.trim().split(/\s+/)[0];
    if ((await findProgram(ccCommand, path)) === undefined) {
        return unavailable(`the cross compiler ${ccCommand} was not found (apt-get install ${facts.crossPackages.join(' ')})`);
    }
    const sysroot = opts.sysroot ?? facts.crossSysroot;
    if (!existsSync$1(join(sysroot, 'lib'))) {
        return unavailable(`the ${facts.gnuTriplet} C library is not in ${sysroot} (apt-get install ` +
            `${facts.crossPackages[1]})`);
    }
    let inspector;
    try {
        inspector = await compileInspector({ cc, cacheDir: opts.cacheDir, ...children });
    }
    catch (e) {
        return unavailable(`compiling the inspector with ${cc} failed: ${e.message}`);
    }
    const runner = [qemu, '-L', sysroot];
    // Without arguments the inspector prints its usage and exits with 1: proof that it runs.
    const probe = await runChild([...runner, inspector], {
        env: opts.env,
        policy: opts.envPolicy,
        timeoutMs: opts.timeoutMs ?? 60_000
    });
    const output = probe.error?.message ?? probe.stdout + probe.stderr;
    if (probe.code !== 1 || !output.includes('usage:')) {
        return unavailable(`the ${p} inspector does not run under ${runner.join(' ')} ` +
            `(${probe.timedOut ? 'timed out' : `exit ${probe.code}`}): ${output.trim().slice(0, 300)}`);
    }
    return { inspector, runner };
}

// Checks a plugin's metadata against the release being made: the .so must report the version
// the tag names, and a name the falcosecurity registry accepts. Pure.
/** The plugin API major that every current Falco offers. */
const FRAMEWORK_API_MAJOR = 3;
/**
 * Throws when the plugin cannot be released under this tag: its reported version differs from
 * the tag's, its name is not a valid registry name, or it differs from expectedName.
 * Returns warnings (strings) about things that are legal but probably wrong.
 */
function validatePluginAgainstRelease(meta, release) {
    const errors = [];
    if (release.version !== undefined && meta.version !== release.version) {
        errors.push(`the plugin reports version ${meta.version || '(empty)'} (plugin_get_version) but the tag ` +
            `says ${release.version}: bump the version in your plugin's Info or tag the right commit`);
    }
    if (!ARTIFACT_NAME_PATTERN.test(meta.name)) {
        errors.push(`the plugin reports the name '${meta.name}' (plugin_get_name), which is not a valid plugin ` +
            `name: it must match ${ARTIFACT_NAME_PATTERN.source} (lower-case letters first, then ` +
            'lower-case letters, digits, "-" or "_"); change Name in your plugin\'s Info');
    }
    if (release.expectedName !== undefined && meta.name !== release.expectedName) {
        errors.push(`the plugin reports the name '${meta.name}' (plugin_get_name) but '${release.expectedName}' ` +
            "was expected: fix Name in your plugin's Info or the plugin-name input");
    }
    if (errors.length > 0)
        throw new Error(errors.join('\n'));
    const warnings = [];
    if (meta.name.includes('_')) {
        warnings.push(`the plugin name '${meta.name}' contains "_": the falcosecurity registry discourages it`);
    }
    if (!meta.description.trim())
        warnings.push('the plugin reports an empty description');
    if (!meta.contact.trim())
        warnings.push('the plugin reports an empty contact');
    const major = Number(meta.requiredApiVersion.split('.')[0]);
    if (Number.isInteger(major) && major !== FRAMEWORK_API_MAJOR) {
        warnings.push(`the plugin requires plugin API ${meta.requiredApiVersion}, but current Falco releases ` +
            `offer ${FRAMEWORK_API_MAJOR}.x: no current Falco will load it`);
    }
    if (meta.capabilities.includes('sourcing') && meta.id !== undefined && meta.id !== 0) {
        const id = meta.id;
        const block = sourceIdBlock(id);
        if (block === 'development') {
            warnings.push(`the plugin uses event source ID ${id}, which is reserved for development: request an ID ` +
                'in falcosecurity/plugins (registry.yaml) before publishing, or it will collide with others');
        }
        else if (block === 'internal') {
            warnings.push(`the event source ID ${id} is in the reserved range (above ${MAX_PRIVATE_ID})`);
        }
        else if (block === 'private') {
            warnings.push(`the event source ID ${id} is in the private range: the public registry accepts IDs up to ` +
                `${MAX_PUBLIC_ID}`);
        }
        const source = meta.eventSource ?? '';
        if (RESERVED_SOURCES.includes(source)) {
            warnings.push(`the event source '${source}' is reserved: the registry refuses it`);
        }
        else if (!EVENT_SOURCE_PATTERN.test(source)) {
            warnings.push(`the event source '${source}' does not match ${EVENT_SOURCE_PATTERN.source}: the registry refuses it`);
        }
    }
    return warnings;
}

// Builds the plugin for every requested platform, checks each .so the way a
// user's machine will see it (ELF machine, Falco's required symbols, glibc
// floor), and reads the metadata by loading the .so: natively when the host
// platform is among the builds, under qemu otherwise. Foreign builds must
// export the same plugin_* symbols as the native one and, when qemu can load
// them, report the same metadata.
//
// With the glibc input, every platform is built with zig cc for <arch>-linux-gnu.<glibc> (see
// build/zig.ts) and checked against that glibc, unversioned symbols included (glibc-abi.ts).
// Platforms build at once (bounded by the cores; Go's build cache is safe for concurrent builds,
// and each build writes its own folder), and the inspectors are compiled while Go builds.
/** What children (build, inspector, qemu) keep of the environment: see childEnv. */
function envPolicy(inputs, logger) {
    return {
        keep: inputs.buildEnvKeep,
        containsSecret: (text) => logger.containsSecret?.(text) ?? false
    };
}
/** Finds (or installs) zig and reads its glibc database when the glibc input is set. */
async function prepareToolchain(opts) {
    const { inputs, logger } = opts;
    const toolchain = { inspectors: new Map() };
    if (inputs.glibc === '')
        return toolchain;
    const zig = await logger.group(`zig ${ZIG_VERSION} (glibc ${inputs.glibc})`, async () => {
        const z = await setupZig({
            env: opts.context.childEnvBase,
            policy: envPolicy(inputs, logger),
            logger
        });
        logger.info(`zig ${z.version} from ${z.from}: ${z.path}`);
        return z;
    });
    let abi;
    try {
        abi = parseAbilists(await readFile(abilistsPath(zig)));
    }
    catch (e) {
        throw new Error(`cannot read glibc ${inputs.glibc}'s symbols from zig in ${zig.libDir}: ${e.message}`);
    }
    for (const p of opts.platforms) {
        const triplet = architectureFacts(p).gnuTriplet;
        const oldest = oldestGlibc(abi, triplet);
        const newest = newestGlibc(abi);
        const known = abi.versions.includes(inputs.glibc);
        if (!known || compareGlibcVersions(inputs.glibc, oldest) < 0) {
            throw new Error(`glibc ${inputs.glibc} is not a glibc release zig ${zig.version} can build ` +
                `${formatPlatform(p)} for: it knows ${oldest} to ${newest} for ${triplet}` +
                (compareGlibcVersions(inputs.glibc, oldest) < 0
                    ? ` (${triplet} starts at glibc ${oldest})`
                    : ''));
        }
    }
    return { ...toolchain, glibc: { version: inputs.glibc, zig, abi } };
}
/** The C compiler for a platform: zig with the glibc input, else the cc-* inputs for a cross build. */
function compilerFor(inputs, p, toolchain) {
    if (toolchain?.glibc)
        return zigCompilers(toolchain.glibc.zig.path, p, toolchain.glibc.version).CC;
    if (samePlatform(p, hostPlatform()))
        return undefined;
    const cc = p.architecture === 'arm64' ? inputs.ccArm64 : inputs.ccAmd64;
    return cc || undefined;
}
/**
 * The inspector for a platform: compiled (and, for a foreign one, tried under qemu) once, the
 * first time it is asked for; buildPlatforms asks before Go builds, so both run at once.
 */
function inspectorFor(p, opts) {
    const key = formatPlatform(p);
    const known = opts.toolchain.inspectors.get(key);
    if (known)
        return known;
    const { inputs, logger, context } = opts;
    const children = { env: context.childEnvBase, envPolicy: envPolicy(inputs, logger) };
    const cacheDir = context.inspectorCache;
    const cc = compilerFor(inputs, p, opts.toolchain);
    const started = (async () => {
        if (samePlatform(p, hostPlatform())) {
            // The host's inspector: the compiler cgo uses ($CC unless zig), as before.
            const inspector = await compileInspector({ cc: cc ?? context.cc, cacheDir, ...children });
            return { ok: true, inspector: { inspector, runner: [] } };
        }
        const why = [];
        const fi = await foreignInspector(p, {
            cacheDir,
            cc,
            onUnavailable: (r) => why.push(r),
            ...children,
            timeoutMs: inputs.inspectTimeout * 1000
        });
        return fi ? { ok: true, inspector: fi } : { ok: false, why: why.join('; ') };
    })();
    // Kept for whoever asks: a failure must not be an unhandled rejection meanwhile.
    started.catch(() => undefined);
    opts.toolchain.inspectors.set(key, started);
    return started;
}
async function buildOne(inputs, p, workDir, scratch, childEnvBase, logger, toolchain, concurrent, onlyBuild) {
    const out = join(scratch, 'build', `${p.os}-${p.architecture}`, 'plugin.so');
    await mkdir(dirname(out), { recursive: true });
    const ownBuild = inputs.buildCommand === '';
    const glibc = toolchain.glibc;
    const built = await buildPlugin({
        workingDirectory: workDir,
        goPackage: inputs.goPackage,
        output: out,
        buildCommand: ownBuild ? undefined : inputs.buildCommand,
        pluginPath: ownBuild ? undefined : inputs.pluginPath,
        platform: p,
        cc: compilerFor(inputs, p),
        compilers: glibc ? zigCompilers(glibc.zig.path, p, glibc.version) : undefined,
        concurrent,
        env: childEnvBase,
        envPolicy: envPolicy(inputs, logger),
        logger
    });
    // A build command writes to the same plugin-path for every platform: keep a copy, unless no
    // other build follows (copying a large plugin costs more than the rest of its checks).
    if (built === out || onlyBuild)
        return built;
    await copyFile(built, out);
    return out;
}
/** How many builds run at once: one per core (each go build uses them all, but its cgo, link
 * and zig steps leave gaps the other fills), and one at a time for a build-command, which writes
 * the same plugin-path for every platform. */
function buildConcurrency(inputs, platforms, cores = availableParallelism()) {
    if (inputs.buildCommand !== '')
        return 1;
    return Math.max(1, Math.min(platforms, cores));
}
/**
 * fn over items, at most `limit` at once, in order; each result as its own promise. After a
 * failure, items not started yet are not started (their promises fail too).
 */
function startLimited(items, limit, fn) {
    let running = 0;
    let failed = false;
    const queue = [];
    const next = () => {
        while (failed && queue.length > 0)
            queue.shift()?.skip();
        if (running >= limit)
            return;
        const job = queue.shift();
        if (job) {
            running++;
            job.start();
        }
    };
    return items.map((item) => new Promise((resolve, reject) => {
        queue.push({
            start: () => {
                fn(item)
                    .then(resolve, (e) => {
                    failed = true;
                    reject(e);
                })
                    .finally(() => {
                    running--;
                    next();
                });
            },
            skip: () => reject(new Error('not built: an earlier build failed'))
        });
        next();
    }));
}
function sameMetadata(a, b) {
    const diffs = [];
    for (const k of ['name', 'version', 'requiredApiVersion', 'id', 'eventSource']) {
        if (a[k] !== b[k])
            diffs.push(`${k}: ${String(a[k])} vs ${String(b[k])}`);
    }
    if (a.capabilities.join(',') !== b.capabilities.join(',')) {
        diffs.push(`capabilities: ${a.capabilities.join(',')} vs ${b.capabilities.join(',')}`);
    }
    return diffs;
}
/**
 * Checks every .so (ELF machine, required symbols, glibc floor), reads the plugin's metadata from
 * the native build (else the first, under qemu), and compares the others with it (exports, and
 * the metadata when qemu can load them). Each .so may still be building: its checks start when it
 * is there, and `pack` gets each build as soon as it is checked and the plugin's name is known,
 * so packing overlaps the other builds and the emulated loads.
 */
async function checkBuilds(opts) {
    const { inputs, logger } = opts;
    const toolchain = opts.toolchain ?? { inspectors: new Map() };
    const glibcTarget = toolchain.glibc
        ? { version: toolchain.glibc.version, abi: toolchain.glibc.abi }
        : inputs.glibc !== ''
            ? { version: inputs.glibc }
            : undefined;
    const platforms = opts.sources.map((s) => s.platform);
    const checked = opts.sources.map(async ({ platform: p, soPath: built }) => {
        const soPath = await built;
        const elf = await readElf(soPath);
        const checks = { maxGlibc: inputs.maxGlibc || undefined, glibcTarget };
        for (const note of checkElfForPlatform(elf, p, checks)) {
            opts.warn(`${formatPlatform(p)}: ${note}`);
        }
        const glibcFloor = describeGlibcFloor(elf);
        logger.info(`${formatPlatform(p)}: ${glibcFloor}`);
        return { platform: p, soPath, elf, glibcFloor };
    });
    checked.forEach((c) => c.catch(() => undefined));
    // One at a time, the inspection waits for every build: its log group follows theirs.
    const allBuilt = opts.concurrent ? undefined : Promise.allSettled(checked);
    const children = { env: opts.context.childEnvBase, envPolicy: envPolicy(inputs, logger) };
    const inspectOptions = {
        ...children,
        timeoutMs: inputs.inspectTimeout * 1000,
        log: (line) => logger.info(line)
    };
    const nativeIndex = platforms.findIndex((p) => samePlatform(p, hostPlatform()));
    const refIndex = nativeIndex >= 0 ? nativeIndex : 0;
    const inspectorOf = (p) => inspectorFor(p, { ...opts, toolchain });
    const work = async () => {
        const metadata = (async () => {
            const reference = await checked[refIndex];
            await allBuilt;
            opts.onInspect?.();
            const first = await inspectorOf(reference.platform);
            if (!first.ok) {
                throw new Error(`cannot read the plugin's metadata: this runner is ${formatPlatform(hostPlatform())} ` +
                    `but only ${platforms.map(formatPlatform).join(', ')} is at hand, and it cannot be ` +
                    `loaded here (${first.why}). Include ${formatPlatform(hostPlatform())} in platforms, ` +
                    'run on a native runner, or install qemu-user and the cross libc.');
            }
            const meta = await inspectPlugin(reference.soPath, { ...inspectOptions, ...first.inspector });
            checkPlugin(meta);
            for (const w of validatePluginAgainstRelease(meta, {
                version: opts.version,
                expectedName: opts.expectedName
            })) {
                opts.warn(w);
            }
            logger.info(`${meta.name} ${meta.version}: requires plugin API ${meta.requiredApiVersion}, ` +
                `capabilities ${meta.capabilities.join(', ')}`);
            return meta;
        })();
        metadata.catch(() => undefined);
        // Every build: packed once the name is known; every other build than the reference: the same
        // exported symbols, and the same metadata when qemu can load it.
        const perPlatform = checked.map(async (c, i) => {
            const b = await c;
            const meta = await metadata;
            const packing = opts.pack?.(b, meta.name);
            packing?.catch(() => undefined);
            if (i !== refIndex) {
                const reference = await checked[refIndex];
                compareExports(reference.elf, b.elf, {
                    native: formatPlatform(reference.platform),
                    foreign: formatPlatform(b.platform)
                });
                const fi = await inspectorOf(b.platform);
                if (!fi.ok) {
                    logger.info(`${formatPlatform(b.platform)}: checked through its ELF only (${fi.why})`);
                }
                else {
                    const other = await inspectPlugin(b.soPath, { ...inspectOptions, ...fi.inspector });
                    const diffs = sameMetadata(meta, other);
                    if (diffs.length > 0) {
                        throw new Error(`the ${formatPlatform(b.platform)} build reports other metadata than the ` +
                            `${formatPlatform(reference.platform)} build: ${diffs.join('; ')}`);
                    }
                    logger.info(`${formatPlatform(b.platform)}: loaded under emulation, same metadata`);
                }
            }
            return { build: b, packing };
        });
        // The first failure ends it (a build still running is killed when we exit).
        perPlatform.forEach((p) => p.catch(() => undefined));
        const [, ...results] = await Promise.all([metadata, ...perPlatform]);
        const packed = Promise.all(results.map((r) => r.packing));
        packed.catch(() => undefined); // awaited by the caller
        return { metadata: await metadata, builds: results.map((r) => r.build), packed };
    };
    if (opts.concurrent)
        return work();
    // Sequential builds opened their own groups; the inspection gets one of its own.
    await allBuilt;
    return logger.group('Inspect the plugin', work);
}
/**
 * Builds every platform (at once, up to one per core, while the inspectors compile), checks and
 * inspects each build as soon as it is there, and packs it (pack) as soon as the plugin's name is
 * known. Each .so goes to its own scratch folder.
 */
async function buildAndInspect(opts) {
    const { inputs, logger, platforms, toolchain } = opts;
    for (const p of platforms)
        void inspectorFor(p, { ...opts, toolchain });
    const limit = buildConcurrency(inputs, platforms.length);
    const concurrent = limit > 1;
    const build = (p) => buildOne(inputs, p, opts.workDir, opts.scratch, opts.context.childEnvBase, logger, toolchain, concurrent, platforms.length === 1);
    if (!concurrent) {
        const soPaths = startLimited(platforms, 1, build);
        soPaths.forEach((s) => s.catch(() => undefined));
        const sources = platforms.map((platform, i) => ({ platform, soPath: soPaths[i] }));
        return checkBuilds({ ...opts, sources, concurrent });
    }
    const names = platforms.map(formatPlatform).join(', ');
    return logger.group(`Build and inspect ${inputs.goPackage} (${names}, ${limit} at once)`, async () => {
        logRemovedVariables(opts.context.childEnvBase, envPolicy(inputs, logger), logger);
        const started = Date.now();
        const soPaths = startLimited(platforms, limit, async (p) => {
            const so = await build(p);
            logger.info(`${formatPlatform(p)}: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
            return so;
        });
        soPaths.forEach((s) => s.catch(() => undefined));
        const sources = platforms.map((platform, i) => ({ platform, soPath: soPaths[i] }));
        const result = await checkBuilds({ ...opts, sources, concurrent });
        logger.info(`built and checked ${names} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return result;
    });
}
async function inspectBuilds(opts) {
    const sources = opts.built.map((b) => ({
        platform: b.platform,
        soPath: Promise.resolve(b.soPath)
    }));
    const { metadata, builds } = await checkBuilds({ ...opts, sources, concurrent: false });
    return { metadata, builds };
}

/** The real thing: Go (and zig), the inspector, the registry client. */
const realSteps = {
    build: async (opts) => buildAndInspect({ ...opts, toolchain: await prepareToolchain(opts) }),
    inspect: inspectBuilds,
    openTargets: openTargets$1
};

// The release pipeline, shared by the action (src/main.ts) and the CLI (src/cli.ts): the inputs
// stage (src/pipeline/setup.ts) settles the run and its mode, then the mode's stages run in order
// over the release state (src/pipeline/modes.ts, src/pipeline/stages.ts), and the result is read
// off the state. Everything that can refuse a release runs before the first write.
async function runRelease(opts) {
    const journal = opts.journal ?? newJournal(opts.inputs.dryRun);
    const state = await setUp({ ...opts, journal, steps: opts.steps ?? realSteps });
    try {
        const stages = stagesOf(state.mode, {
            dev: state.dev !== undefined,
            dryRun: state.inputs.dryRun
        });
        await runStages(stages, state);
        return resultOf(state);
    }
    finally {
        await rm(state.scratch, { recursive: true, force: true });
    }
}
/** What a run tells its users (outputs, summary, metadata JSON), read off the final state. */
function resultOf(state) {
    const plan = need(state.plan, 'the plan', 'plan');
    const release = need(state.release, 'the version', 'inputs or version');
    const digestOf = (p) => plan.plugin.manifests.find((m) => m.platform?.architecture === p.architecture && m.platform?.os === p.os)?.descriptor.digest ?? '';
    const published = state.report !== undefined && state.prepared !== undefined;
    return {
        mode: state.mode,
        plan,
        metadata: need(state.metadata, 'the metadata', 'build or inspect'),
        pluginPath: need(state.pluginPath, 'the plugin path', 'build or inspect'),
        builds: need(state.builds, 'the builds', 'build or inspect').map((b) => ({
            platform: b.platform,
            glibcFloor: b.glibcFloor,
            glibcVersion: b.elf.glibcFloor,
            manifestDigest: digestOf(b.platform)
        })),
        rulesFile: state.rules?.file,
        dryRun: state.inputs.dryRun,
        warnings: state.warnings,
        ...(release.dev ? { devChannel: release.dev } : {}),
        registryEntry: state.registryEntry,
        install: state.install,
        report: state.report,
        signing: state.signingResult,
        ...(published
            ? {
                distribution: {
                    indexFile: state.prepared?.writeIndex ? state.prepared.inputs.indexFile : '',
                    index: state.index,
                    githubRelease: state.githubRelease,
                    attestation: state.attestation
                }
            }
            : {}),
        indexFile: state.indexFile,
        retention: state.retention
    };
}

// Text from the plugin (its description, contact, event source), from the rules file or from a
// registry must not shape the job summary: a `\r` or `\n` would end a table row and start a
// heading, `[x](y)` would make a link, raw HTML would render. These helpers make any string
// inert in GitHub-flavoured Markdown.
/** Control characters, and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/** One line of plain text: every control character and line break becomes a space. */
function oneLine(s) {
    return s.replace(BREAKS, ' ').trim();
}
const HTML = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
/**
 * Literal text for a table cell, a list item or the rest of a line: no HTML, no Markdown
 * syntax, one line. Never used at the start of a line, so only the characters that act
 * inside a line are escaped (emphasis, code, links, tables, strikethrough).
 */
function mdText(s) {
    return escapeInline(oneLine(s));
}
function escapeInline(s) {
    return s.replace(/[&<>"]/g, (c) => HTML[c]).replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}
/**
 * A message of ours (a warning, why a tag did not move, why nothing was signed): literal text
 * like mdText, except that its `quoted` parts are shown as code, as the message means them.
 * Every part is made inert on its own, so a message that quotes a plugin's text stays safe.
 */
function mdMessage(s) {
    const parts = oneLine(s).split(/`([^`]+)`/);
    return parts.map((part, i) => (i % 2 === 1 ? mdCode(part) : escapeInline(part))).join('');
}
/** An inline code span that shows `s` as it is, whatever backticks it holds. */
function mdCode(s) {
    const text = oneLine(s);
    if (text === '')
        return '` `';
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
    const fence = '`'.repeat(longest + 1);
    const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
    // A pipe would still split a table cell: GitHub reads \| inside code spans as a pipe.
    return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`;
}
/** A fenced code block that the text cannot close early. */
function mdFence(text, lang = '') {
    const longest = Math.max(0, ...(text.match(/`{3,}|~{3,}/g) ?? []).map((r) => r.length));
    const fence = '`'.repeat(Math.max(3, longest + 1));
    return [`${fence}${lang}`, text.replace(/\r\n?/g, '\n').trimEnd(), fence];
}
/** A URL that GitHub shows as a link, when it is one; anything else as plain text. */
function mdUrl(s) {
    return /^https?:\/\/[^\s<>()[\]`|\\"']+$/.test(s) ? s : mdText(s);
}

function fileName(p) {
    return p.split('/').slice(-1)[0];
}
/** Markdown lines of the Install section (heading included). */
function installSection(result) {
    const { plan, metadata } = result;
    const check = result.install;
    const out = ['### Install', ''];
    const commands = [];
    const index = result.distribution?.index;
    if (index)
        commands.push(`falcoctl index add ${metadata.name} ${index.url}`);
    else if (result.indexFile) {
        commands.push(`falcoctl index add ${metadata.name} <URL where you publish ${fileName(result.indexFile)}>`);
    }
    const tag = installTag(plan);
    const target = plan.rules ?? plan.plugin;
    const install = check?.install ?? [`${target.name}:${tag}`];
    const noDeps = (skip) => (skip ? ' --resolve-deps=false' : '');
    commands.push(`falcoctl artifact install${noDeps(check?.indexedSkipsDependencies)} ${install.join(' ')}`);
    const direct = check?.direct ?? [`${plan.plugin.ref}:${plan.version}`];
    commands.push('# or, without an index:');
    commands.push(`falcoctl artifact install${noDeps(check?.directSkipsDependencies ?? true)} ${direct.join(' ')}`);
    out.push(...mdFence(commands.join('\n'), 'sh'));
    const notes = [];
    if (check && check.others.length > 0) {
        notes.push(`Installing through the index also installs ${check.others.map(mdCode).join(', ')} ` +
            '(dependencies of the rules); without an index, install them yourself.');
    }
    if (check && check.missing.length > 0) {
        notes.push(`Not published yet, so dependencies are skipped above: ${check.missing
            .map((m) => mdCode(`${m.name}:${m.version}`))
            .join(', ')}.`);
    }
    if (plan.rules && plan.plugin.config.dependencies?.some((d) => d.name === plan.rules?.name)) {
        notes.push(`The plugin depends on ${mdCode(`${plan.rules.name}:${plan.version}`)}: installing either installs both.`);
    }
    else if (plan.rules && install.length === 1) {
        notes.push(`The rules artifact depends on ${mdCode(`${plan.plugin.name}:${plan.version}`)}, so installing it installs the plugin too.`);
    }
    for (const n of notes)
        out.push('', n);
    return out;
}

function artifactJson(a) {
    if (!a)
        return undefined;
    return {
        name: a.name,
        ref: a.ref,
        digest: a.root.descriptor.digest,
        mediaType: a.root.descriptor.mediaType,
        tags: a.tags,
        status: a.status,
        config: a.config,
        manifests: a.manifests.map((m) => ({ platform: m.platform, digest: m.descriptor.digest }))
    };
}
function platformName(p) {
    return `${p.os}/${p.architecture}`;
}
function metadataJson(result) {
    const { plan, metadata } = result;
    return {
        mode: result.mode,
        version: plan.version,
        created: plan.created,
        dryRun: result.dryRun,
        tags: plan.plugin.tags,
        skippedTags: plan.tagPlan.floating
            .filter((d) => !d.move)
            .map((d) => ({ tag: d.tag, reason: d.reason })),
        plugin: {
            ...artifactJson(plan.plugin),
            requiredApiVersion: metadata.requiredApiVersion,
            description: metadata.description,
            contact: metadata.contact,
            capabilities: metadata.capabilities,
            ...(metadata.id !== undefined ? { id: metadata.id, eventSource: metadata.eventSource } : {})
        },
        rules: artifactJson(plan.rules),
        platforms: result.builds.map((b) => ({
            platform: platformName(b.platform),
            manifestDigest: b.manifestDigest,
            glibcFloor: b.glibcVersion ?? null
        })),
        indexFile: result.indexFile ?? null,
        indexUrl: result.distribution?.index?.url ?? null,
        githubRelease: result.distribution?.githubRelease
            ? {
                url: result.distribution.githubRelease.htmlUrl,
                assets: result.distribution.githubRelease.assets.map((a) => ({
                    name: a.name,
                    url: a.url,
                    sha256: a.sha256
                }))
            }
            : null,
        registryEntry: result.registryEntry ?? null,
        signing: signingJson(result),
        dev: devJson(result),
        published: result.report
            ? {
                blobsUploaded: result.report.blobsUploaded,
                bytesUploaded: result.report.bytesUploaded,
                manifestsWritten: result.report.manifestsWritten,
                tagsWritten: result.report.tags.filter((t) => t.written).map((t) => `${t.ref}:${t.tag}`)
            }
            : null,
        warnings: result.warnings
    };
}
function signingJson(result) {
    const s = result.signing;
    if (!s)
        return null;
    if (!s.signed)
        return { signed: false, reason: s.reason ?? null };
    const id = s.identity;
    return {
        signed: true,
        ...(id?.kind === 'keyless'
            ? { mode: 'keyless', identity: id.subject, issuer: id.issuer }
            : { mode: 'key', publicKey: id?.publicKeyPem ?? null }),
        index: s.indexSignature ?? null,
        signatures: s.signatures.map((x) => ({
            ref: x.ref,
            legacyTag: x.legacy.tag,
            bundle: x.bundle.digest,
            via: x.bundle.via
        })),
        attestation: result.distribution?.attestation ?? null
    };
}
function devJson(result) {
    const dev = result.plan.tagPlan.devTag !== undefined ? result.devChannel : undefined;
    if (!dev)
        return null;
    const r = result.retention;
    return {
        branch: dev.branch,
        devTag: dev.devTag,
        commit: dev.commit,
        lastRelease: dev.lastRelease ?? null,
        commits: dev.commits,
        soVersion: dev.soVersion,
        retention: r
            ? {
                keep: r.keep,
                deleted: r.deleted.map((d) => `${d.ref}:${d.tag}`),
                left: r.left.flatMap((l) => l.tags.map((t) => `${l.ref}:${t}`)),
                unsupported: r.unsupported ?? null
            }
            : null
    };
}
function outputsOf(result) {
    const { plan } = result;
    const at = (a) => (a ? `${a.ref}:${plan.version}` : '');
    const glibc = Object.fromEntries(result.builds.map((b) => [platformName(b.platform), b.glibcVersion ?? null]));
    const common = {
        version: plan.version,
        'plugin-path': result.pluginPath,
        'glibc-floor': JSON.stringify(glibc),
        metadata: JSON.stringify(metadataJson(result))
    };
    if (result.mode === 'push-by-digest') {
        // A matrix job: only the platform manifest exists; the merge job takes it from here.
        const b = result.builds[0];
        return {
            ...common,
            tags: '',
            'plugin-ref': `${plan.plugin.ref}@${b.manifestDigest}`,
            'plugin-digest': b.manifestDigest,
            'rules-ref': '',
            'rules-digest': '',
            'index-file': '',
            digest: b.manifestDigest,
            platform: platformName(b.platform),
            'release-url': '',
            'index-url': '',
            'registry-entry': '',
            signed: 'false',
            skipped: 'false'
        };
    }
    return {
        ...common,
        tags: plan.plugin.tags.join('\n'),
        'plugin-ref': at(plan.plugin),
        'plugin-digest': plan.plugin.root.descriptor.digest,
        'rules-ref': at(plan.rules),
        'rules-digest': plan.rules?.root.descriptor.digest ?? '',
        'index-file': result.indexFile ?? '',
        digest: plan.plugin.root.descriptor.digest,
        platform: result.builds.map((b) => platformName(b.platform)).join(','),
        'release-url': result.distribution?.githubRelease?.htmlUrl ?? '',
        'index-url': result.distribution?.index?.url ?? '',
        'registry-entry': result.registryEntry?.yaml ?? '',
        signed: result.signing?.signed ? 'true' : 'false',
        skipped: 'false'
    };
}
/** The summary of a dev build that had nothing to build. */
function skippedMarkdown(reason) {
    return `## Falco plugin dev build skipped\n\n${mdMessage(reason)}\n`;
}
/** What a dev build is and left alone, and what happened to old dev builds. */
function devSection(result) {
    const dev = result.devChannel;
    if (!dev || result.plan.tagPlan.devTag === undefined)
        return [];
    const out = ['', `### Dev build of ${mdCode(dev.branch)}`, ''];
    out.push(`${mdCode(result.plan.version)}: ` +
        (dev.lastRelease
            ? `${dev.commits} commit(s) after ${mdCode(dev.lastRelease.tag)}`
            : `no release yet, ${dev.commits} commit(s) in all`) +
        `, commit ${mdCode(dev.commit.slice(0, 12))}, the .so reports ${mdCode(dev.soVersion)}.`);
    out.push('', `Stable tags (${['X.Y.Z', 'X.Y', 'X', 'latest'].map(mdCode).join(', ')}) and the stable ` +
        'index were left alone; no GitHub Release.');
    const r = result.retention;
    if (r && r.keep > 0) {
        const left = r.left.reduce((n, l) => n + l.tags.length, 0);
        out.push('', `Old dev builds (keeping the newest ${r.keep} per repository): ${r.deleted.length} deleted` +
            (left > 0
                ? `, ${left} left in place${r.unsupported ? ' (the registry refuses deletion)' : ''}`
                : '') +
            '.');
    }
    return out;
}
/** The plan as plain text: what a dry run prints. */
function planText(plan) {
    const lines = [`Release ${plan.version} (created ${plan.created})`];
    for (const a of [plan.plugin, plan.rules]) {
        if (!a)
            continue;
        lines.push('', `${a.kind} ${a.name}`, `  ref:     ${a.ref}`);
        lines.push(`  digest:  ${a.root.descriptor.digest} (${a.root.descriptor.mediaType})`);
        lines.push(`  status:  ${a.status}`);
        lines.push(`  tags:    ${a.tags.join(', ')}`);
        lines.push(`  config:  ${a.configJson}`);
        for (const m of a.manifests) {
            lines.push(`  manifest ${m.platform ? `${m.platform.os}/${m.platform.architecture}` : ''}: ${m.descriptor.digest}`);
        }
        for (const b of a.blobs)
            lines.push(`  blob:    ${b.descriptor.digest} ${b.descriptor.size} B ${b.descriptor.mediaType}`);
    }
    const skipped = plan.tagPlan.floating.filter((d) => !d.move);
    if (skipped.length > 0) {
        lines.push('', 'Tags left where they are:');
        for (const d of skipped)
            lines.push(`  ${d.tag}: ${d.reason}`);
    }
    return lines.join('\n');
}
function platformsTable(result) {
    const out = ['| Platform | Manifest | glibc floor |', '|---|---|---|'];
    for (const b of result.builds) {
        out.push(`| ${mdCode(platformName(b.platform))} | ${mdCode(b.manifestDigest)} | ${mdText(b.glibcFloor)} |`);
    }
    return out;
}
function pushByDigestSummary(result) {
    const b = result.builds[0];
    return [
        `## Falco plugin ${mdText(result.metadata.name)} ${mdText(result.plan.version)}: ${mdText(platformName(b.platform))} pushed by digest`,
        '',
        mdCode(`${result.plan.plugin.ref}@${b.manifestDigest}`),
        '',
        ...platformsTable(result),
        '',
        'No tags were written: the merge job assembles the index and tags the release.',
        ''
    ].join('\n');
}
/** The job summary, in GitHub-flavoured markdown. */
function summaryMarkdown(result) {
    if (result.mode === 'push-by-digest')
        return pushByDigestSummary(result);
    const { plan, metadata } = result;
    const rows = [plan.plugin, plan.rules].filter((a) => !!a);
    const out = [];
    out.push(`## Falco plugin ${mdText(metadata.name)} ${mdText(plan.version)}${result.dryRun ? ' (dry run: nothing pushed)' : ''}`);
    out.push('');
    out.push('| Artifact | Reference | Digest | Tags |');
    out.push('|---|---|---|---|');
    for (const a of rows) {
        out.push(`| ${a.kind} ${mdCode(a.name)} | ${mdCode(`${a.ref}:${plan.version}`)} | ${mdCode(a.root.descriptor.digest)} | ${a.tags.map(mdCode).join(' ')} |`);
    }
    const skipped = plan.tagPlan.floating.filter((d) => !d.move);
    if (skipped.length > 0) {
        out.push('', 'Tags not moved:', '');
        for (const d of skipped)
            out.push(`- ${mdCode(d.tag)}: ${mdMessage(d.reason)}`);
    }
    out.push(...devSection(result));
    out.push('', '### Platforms', '', ...platformsTable(result));
    out.push('', '### Plugin metadata (read from the .so)', '');
    out.push('| Field | Value |', '|---|---|');
    out.push(`| name | ${mdCode(metadata.name)} |`);
    out.push(`| version | ${mdCode(metadata.version)} |`);
    out.push(`| required plugin API | ${mdCode(metadata.requiredApiVersion)} |`);
    out.push(`| capabilities | ${mdText(metadata.capabilities.join(', '))} |`);
    if (metadata.id !== undefined)
        out.push(`| event source | ${mdCode(metadata.eventSource ?? '')} (id ${metadata.id}) |`);
    out.push(`| description | ${mdText(metadata.description)} |`);
    out.push(`| contact | ${mdText(metadata.contact)} |`);
    const release = result.distribution?.githubRelease;
    if (release) {
        const count = (a) => release.assets.filter((x) => x.action === a).length;
        out.push('', `GitHub release: ${mdUrl(release.htmlUrl)} (${release.created ? 'created' : 'updated'}): ` +
            `${count('uploaded')} uploaded, ${count('replaced')} replaced, ${count('unchanged')} unchanged`);
    }
    out.push('', ...signingSummary(result));
    const index = result.distribution?.index;
    if (index) {
        const what = index.changed ? `committed ${index.commitSha.slice(0, 12)}` : 'already up to date';
        out.push('', `index.yaml: ${what} (${mdUrl(index.url)})`);
    }
    out.push('', ...installSection(result));
    if (result.registryEntry) {
        const e = result.registryEntry;
        out.push('', '<details><summary>registry.yaml entry (for falcosecurity/plugins)</summary>', '');
        out.push(...mdFence(e.yaml, 'yaml'));
        for (const x of e.errors)
            out.push(`- error: ${mdMessage(x)}`);
        for (const x of e.warnings)
            out.push(`- warning: ${mdMessage(x)}`);
        out.push('', '</details>');
    }
    if (result.warnings.length > 0) {
        out.push('', '### Warnings', '');
        for (const w of result.warnings)
            out.push(`- ${mdMessage(w)}`);
    }
    return out.join('\n') + '\n';
}
/** A reason that starts with "not signed: " (as the log line says it) after our own "Not signed:". */
function withoutPrefix(reason) {
    return reason.replace(/^not signed:\s*/i, '');
}
/** How the release was signed and how users verify it (or why it was not signed). */
function signingSummary(result) {
    const s = result.signing;
    if (!s)
        return result.dryRun ? [] : ['Not signed.'];
    if (!s.signed)
        return [`Not signed: ${mdMessage(withoutPrefix(s.reason ?? 'signing is off'))}`];
    const id = s.identity;
    const out = ['### Signatures', ''];
    const flags = id?.kind === 'keyless'
        ? `--certificate-oidc-issuer ${id.issuer} --certificate-identity '${id.subject}'`
        : '--key cosign.pub --insecure-ignore-tlog';
    out.push(id?.kind === 'keyless'
        ? `Signed keylessly as ${mdCode(id.subject)} (issuer ${mdCode(id.issuer)}), in the cosign v2 (\`.sig\`) and v3 (bundle referrer) formats.`
        : 'Signed with the cosign key below, in the cosign v2 (`.sig`) and v3 (bundle referrer) formats.');
    out.push('', '```sh');
    for (const x of s.signatures)
        out.push(`cosign verify ${flags} ${x.ref}`);
    out.push('```');
    if (id?.kind === 'key')
        out.push('', '```', id.publicKeyPem.trim(), '```');
    if (!s.indexSignature) {
        out.push('', 'index.yaml has no `signature` block (set `signing-public-key-ref`).');
    }
    return out;
}
/**
 * The job summary of a failed run: where it stopped, the error, what was and was not written,
 * and what to do. `message` must already be scrubbed of secrets.
 */
function failureMarkdown(journal, message) {
    const what = [journal.plugin, journal.version].filter(Boolean).join(' ');
    const out = [
        `## Falco plugin release failed${what ? `: ${mdText(what)}` : ''}`,
        '',
        `It stopped while ${STAGE_TEXT[journal.stage]}:`,
        '',
        ...mdFence(message, 'text'),
        ''
    ];
    const p = journal.publish;
    const tagsWritten = p?.tags.filter((t) => t.written) ?? [];
    const floatingWritten = tagsWritten.filter((t) => journal.floating.includes(t.tag));
    const written = [];
    if (p && (p.blobsUploaded > 0 || p.manifestsWritten > 0)) {
        written.push(`registry: ${p.blobsUploaded} blob(s) (${p.bytesUploaded} bytes) and ` +
            `${p.manifestsWritten} manifest(s) by digest, which no tag points at until the release ends`);
    }
    for (const s of p?.signatures ?? []) {
        written.push(`signatures of ${mdCode(s.ref)} (${mdCode(s.legacy.tag)} and a bundle referrer)`);
    }
    for (const t of tagsWritten)
        written.push(`registry tag ${mdCode(`${t.ref}:${t.tag}`)}`);
    for (const r of p?.repairs ?? [])
        written.push(`registry tag ${mdCode(`${r.ref}:${r.tag}`)} moved to ${mdCode(r.version)}`);
    if (journal.indexFile)
        written.push(`index file ${mdCode(journal.indexFile)}`);
    if (journal.indexBranchUrl)
        written.push(`index branch: ${mdUrl(journal.indexBranchUrl)}`);
    if (journal.releaseUrl)
        written.push(`GitHub Release: ${mdUrl(journal.releaseUrl)}`);
    out.push('### What was written', '');
    if (written.length === 0) {
        out.push(journal.dryRun
            ? 'Nothing: this was a dry run.'
            : 'Nothing. Every check that can refuse a release runs before the first registry write.');
    }
    else {
        out.push(...written.map((w) => `- ${w}`));
    }
    const notWritten = [];
    if (journal.floating.length > 0 && floatingWritten.length === 0) {
        notWritten.push(`floating tags (${journal.floating.map(mdCode).join(', ')}): unchanged, still where they were`);
    }
    if (!journal.indexFile)
        notWritten.push('index.yaml');
    if (!journal.indexBranchUrl)
        notWritten.push('the index branch');
    if (!journal.releaseUrl)
        notWritten.push('the GitHub Release (no published release, at most a draft)');
    if (notWritten.length > 0) {
        out.push('', '### Not written', '', ...notWritten.map((w) => `- ${w}`));
    }
    out.push('', '### What to do', '', 'Fix what the error says, then re-run the job: a re-run rebuilds the same digests, skips ' +
        'what the registry already has and writes the rest.', '');
    return out.join('\n');
}

// The GitHub Action: the run's context and inputs read once here (the environment, INPUT_*,
// @actions/github's context), logs through @actions/core, outputs and a job summary at the end.
// The pipeline itself lives in src/pipeline/.
/**
 * Runs the action. `env` and `github` are the process's environment and @actions/github's
 * context; tests give their own.
 */
async function run(env = process.env, github = context) {
    const scrubber = new SecretScrubber();
    const logger = actionsLogger(scrubber);
    const journal = newJournal();
    const summary$1 = !!env.GITHUB_STEP_SUMMARY;
    try {
        const context = readRunContext(env, github);
        const inputs = readInputs(envInputReader(env), context.github);
        if (inputs.password !== '')
            logger.secret(inputs.password, 'the password input');
        // A dev build whose push did not touch this plugin (a monorepo): nothing to do.
        const skipped = await devBuildSkipped(inputs, context, logger);
        if (skipped !== undefined) {
            notice(scrubber.scrub(`dev build skipped: ${skipped}`));
            setOutput('skipped', 'true');
            if (summary$1)
                await summary.addRaw(scrubber.scrub(skippedMarkdown(skipped))).write();
            return;
        }
        const result = await runRelease({ inputs, context, logger, journal });
        for (const [name, value] of Object.entries(outputsOf(result))) {
            setOutput(name, scrubber.scrub(value));
        }
        if (result.dryRun) {
            info(planText(result.plan));
            // What the workflow must grant before this run is made for real.
            const needs = requiredPermissions({ ...inputs, dryRun: false }, context.github);
            const granted = Object.entries(needs).map(([scope, level]) => `${scope}: ${level}`);
            info(`Without dry-run, the job needs permissions: ${granted.join(', ')}`);
        }
        if (summary$1)
            await summary.addRaw(scrubber.scrub(summaryMarkdown(result))).write();
    }
    catch (err) {
        const message = scrubber.scrub(err instanceof Error ? err.message : String(err));
        setFailed(message);
        // Like docker/build-push-action: a failed run still says what happened, in the summary.
        if (summary$1) {
            try {
                await summary.addRaw(scrubber.scrub(failureMarkdown(journal, message))).write();
            }
            catch {
                // The summary is a courtesy; the failure above is what counts.
            }
        }
    }
}

export { ARTIFACT_NAME_PATTERN as A, metadataJson as B, Context as C, planText as D, summaryMarkdown as E, run as F, MAX_INDEX_FILE_BYTES as M, OCI_IMAGE_CONFIG as O, SecretMask as S, USAGE as U, safeExcerpt as a, checkRepository as b, commonjsGlobal as c, debug as d, sha256File as e, formatBytes as f, getDefaultExportFromCjs as g, semverExports as h, info as i, isDebug as j, getIDToken as k, sha256Digest as l, OCI_MANIFEST as m, OCI_EMPTY as n, ANNOTATION_CREATED as o, bufferBlob as p, attachReferrer as q, requireSemver as r, setSecret as s, parseArgs as t, consoleLogger as u, SecretScrubber as v, readRunContext as w, context as x, readInputs as y, runRelease as z };
