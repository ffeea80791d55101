// Registry credentials from a docker config.json (as written by `docker login`, or by
// docker/login-action): `auths` entries, and credential helpers (`credHelpers`, `credsStore`).
import { execFile, type ExecFileException } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Logger } from '../log.js'
import { findProgram } from '../process/which.js'
import type { RegistryCredentials } from './types.js'

interface AuthEntry {
  auth?: unknown
  username?: unknown
  password?: unknown
  identitytoken?: unknown
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>
  credHelpers?: Record<string, string>
  credsStore?: string
}

/** Docker Hub's historical key, used by `docker login` and credential helpers. */
const HUB_KEY = 'https://index.docker.io/v1/'
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])
const HELPER_TIMEOUT_MS = 60_000
const HELPER_OUTPUT_LIMIT = 1 << 20

const execFileAsync = promisify(execFile)

/** The config.json that docker would read: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json')
  return join(env.HOME || homedir(), '.docker', 'config.json')
}

/**
 * The credentials docker would use for `registry` (host[:port]), or undefined when the config
 * file has none. Order, as docker: a `credHelpers` entry for the registry, else `credsStore`,
 * else the `auths` entry (also the fallback when a helper has nothing or is not installed).
 * Every secret found is registered with `logger.secret`.
 */
export async function credentialsFromDockerConfig(
  registry: string,
  env: NodeJS.ProcessEnv,
  logger?: Logger,
  /** The config file (RunContext.dockerConfig); by default where docker looks in `env`. */
  path = dockerConfigPath(env)
): Promise<RegistryCredentials | undefined> {
  const config = await readConfig(path)
  if (!config) return undefined
  const host = normalHost(registry)
  const authKey = findKey(config.auths, host)
  const fromFile =
    authKey === undefined ? undefined : parseEntry(config.auths?.[authKey], path, authKey)
  const mask = (c: RegistryCredentials | undefined): RegistryCredentials | undefined => {
    if (c && logger) {
      for (const v of [c.password, c.identityToken]) if (v) logger.secret(v)
      const raw = authKey === undefined ? undefined : config.auths?.[authKey]?.auth
      if (typeof raw === 'string' && raw) logger.secret(raw)
    }
    return c
  }

  const helperKey = findKey(config.credHelpers, host)
  const helper =
    helperKey !== undefined ? config.credHelpers?.[helperKey] : (config.credsStore ?? undefined)
  if (typeof helper === 'string' && helper !== '') {
    const program = `docker-credential-${helper}`
    const executable = await findProgram(program, { path: env.PATH, pathExt: env.PATHEXT })
    if (executable === undefined) {
      logger?.warning(
        `${path} names the credential helper ${program} for ${registry}, but it is not ` +
          'installed: ignoring it'
      )
    } else {
      // The server URL as docker stored it: the config key, else the host (Hub: its v1 URL).
      const servers = unique([
        helperKey ?? authKey ?? serverUrl(host),
        serverUrl(host),
        `https://${host}`
      ])
      for (const server of servers) {
        const found = await runHelper(executable, program, server, env)
        if (found) return mask(found)
      }
    }
  }
  return mask(fromFile)
}

async function readConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new Error(`cannot read the docker config ${path}: ${(err as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`the docker config ${path} is not valid JSON: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`the docker config ${path} is not a JSON object`)
  }
  return parsed as DockerConfig
}

/** "https://ghcr.io/" or "ghcr.io" -> "ghcr.io"; every Docker Hub alias -> "docker.io". */
export function normalHost(keyOrHost: string): string {
  const noScheme = keyOrHost.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  const host = noScheme.split('/')[0].toLowerCase()
  return HUB_HOSTS.has(host) ? 'docker.io' : host
}

/** The server URL docker uses for a host: Docker Hub's v1 URL, else the host itself. */
function serverUrl(host: string): string {
  return host === 'docker.io' ? HUB_KEY : host
}

/** The key of `entries` that names `host`: an exact key first, then any URL form of it. */
function findKey(entries: Record<string, unknown> | undefined, host: string): string | undefined {
  if (!entries || typeof entries !== 'object') return undefined
  const keys = Object.keys(entries)
  return (
    keys.find((k) => k === host || (host === 'docker.io' && k === HUB_KEY)) ??
    keys.find((k) => normalHost(k) === host)
  )
}

function parseEntry(
  entry: AuthEntry | undefined,
  path: string,
  key: string
): RegistryCredentials | undefined {
  if (!entry || typeof entry !== 'object') return undefined
  let username = typeof entry.username === 'string' ? entry.username : ''
  let password = typeof entry.password === 'string' ? entry.password : ''
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) {
      throw new Error(
        `the "auth" of "${key}" in ${path} is not base64 of "username:password": ` +
          'run docker login again, or give the credentials another way'
      )
    }
    username = decoded.slice(0, colon)
    password = decoded.slice(colon + 1)
  }
  const identityToken =
    typeof entry.identitytoken === 'string' && entry.identitytoken !== ''
      ? entry.identitytoken
      : undefined
  if (identityToken) return { username: username || '<token>', password, identityToken }
  if (password === '') return undefined
  return { username, password }
}

/**
 * `docker-credential-<name> get` with the server URL on stdin. Returns undefined when the
 * helper has no credentials for it; throws with a clear message when the helper fails.
 */
async function runHelper(
  executable: string,
  program: string,
  server: string,
  env: NodeJS.ProcessEnv
): Promise<RegistryCredentials | undefined> {
  const { code, stdout, stderr, error } = await run(executable, ['get'], server, env)
  if (error) throw new Error(`the docker credential helper ${program} could not run: ${error}`)
  if (code !== 0) {
    const text = (stdout.trim() || stderr.trim()).replace(/\s+/g, ' ').slice(0, 300)
    // The helpers' protocol: "credentials not found in native keychain" on stdout.
    if (/credentials not found/i.test(text)) return undefined
    throw new Error(
      `the docker credential helper ${program} failed for ${server} (exit code ${code})` +
        `${text ? `: ${text}` : ''}. Fix the helper (e.g. log in again), or give the ` +
        'credentials another way.'
    )
  }
  let parsed: { Username?: unknown; Secret?: unknown }
  try {
    parsed = JSON.parse(stdout) as typeof parsed
  } catch {
    throw new Error(`the docker credential helper ${program} printed something that is not JSON`)
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : ''
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : ''
  if (secret === '') return undefined
  // By the helpers' convention, a username "<token>" means the secret is an identity token.
  if (username === '<token>') return { username, password: '', identityToken: secret }
  return { username, password: secret }
}

interface RunResult {
  code: number | null
  stdout: string
  stderr: string
  error?: string
}

/**
 * Runs a helper with `input` on stdin. Node's execFile bounds it: killed after
 * HELPER_TIMEOUT_MS, or once it prints more than HELPER_OUTPUT_LIMIT.
 */
async function run(
  executable: string,
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv
): Promise<RunResult> {
  const running = execFileAsync(executable, args, {
    env,
    encoding: 'utf8',
    timeout: HELPER_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: HELPER_OUTPUT_LIMIT
  })
  running.child.stdin?.on('error', () => undefined) // a helper that exits without reading stdin
  running.child.stdin?.end(input)
  try {
    return { code: 0, ...(await running) }
  } catch (err) {
    const e = err as ExecFileException & { stdout?: string; stderr?: string }
    const out = { stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
    if (typeof e.code === 'number') return { code: e.code, ...out }
    if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      return { code: null, ...out, error: `it printed more than ${HELPER_OUTPUT_LIMIT} bytes` }
    }
    if (e.killed && e.code == null) {
      return { code: null, ...out, error: `no answer within ${HELPER_TIMEOUT_MS / 1000}s` }
    }
    // Killed by someone else (code null, a signal), or it could not start (ENOENT, EACCES).
    return { code: null, ...out, error: e.code == null ? undefined : e.message }
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}
