// Real plugins of falcosecurity/plugins, fetched from the Go module proxy at exact versions
// (`go mod download -json github.com/falcosecurity/plugins/plugins/<name>@v<version>` gives a
// read-only copy of plugins/<name> at that tag), laid out as in the upstream monorepo:
// plugins/<name>/ in a git repository, tagged plugins/<name>/v<version>.
import { execFile } from 'node:child_process'
import { chmod, cp, mkdir, mkdtemp, readdir, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { requireTool } from './tools.js'

const exec = promisify(execFile)

export const UPSTREAM_MODULE = 'github.com/falcosecurity/plugins/plugins'

/** The module proxy's copy of plugins/<name> at v<version> (read-only, in GOMODCACHE). */
export async function downloadUpstreamPlugin(name: string, version: string): Promise<string> {
  const go = requireTool('go')
  const mod = `${UPSTREAM_MODULE}/${name}@v${version}`
  let stdout: string
  try {
    ;({ stdout } = await exec(go, ['mod', 'download', '-json', mod], {
      timeout: 300_000,
      maxBuffer: 1 << 20
    }))
  } catch (err) {
    const e = err as { stdout?: string; message: string }
    throw new Error(
      `go mod download ${mod} failed (the tests need the Go module proxy, or these modules in ` +
        `GOMODCACHE): ${e.stdout ?? ''}${e.message}`
    )
  }
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string }
  if (!info.Dir) throw new Error(`go mod download ${mod}: ${info.Error ?? 'no Dir'}`)
  return info.Dir
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755)
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) await makeWritable(p)
    else await chmod(p, ((await stat(p)).mode & 0o777) | 0o200)
  }
}

export interface Monorepo {
  dir: string
  git(...args: string[]): Promise<string>
  /** Commits everything (but the index.yaml the action writes) and tags it. */
  commitAndTag(message: string, tags: string[]): Promise<void>
}

/** A git repository holding each plugin at plugins/<name>, committed and tagged as upstream. */
export async function upstreamMonorepo(
  plugins: Array<{ name: string; version: string }>
): Promise<Monorepo> {
  const dir = await mkdtemp(join(tmpdir(), 'fpr-upstream-'))
  const gitBin = requireTool('git')
  const git = async (...args: string[]) =>
    (
      await exec(gitBin, args, {
        cwd: dir,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'test',
          GIT_AUTHOR_EMAIL: 'test@example.com',
          GIT_COMMITTER_NAME: 'test',
          GIT_COMMITTER_EMAIL: 'test@example.com'
        }
      })
    ).stdout
  await git('init', '-q', '-b', 'main')
  for (const p of plugins) {
    const source = await downloadUpstreamPlugin(p.name, p.version)
    const dest = join(dir, 'plugins', p.name)
    await mkdir(join(dir, 'plugins'), { recursive: true })
    await cp(source, dest, { recursive: true })
    await makeWritable(dest)
  }
  const repo: Monorepo = {
    dir,
    git,
    commitAndTag: async (message, tags) => {
      await git('add', '-A', '--', '.', ':!index.yaml')
      await git('commit', '-q', '--allow-empty', '-m', message)
      for (const t of tags) await git('tag', '-f', t)
    }
  }
  await repo.commitAndTag(
    'plugins from the Go module proxy',
    plugins.map((p) => `plugins/${p.name}/v${p.version}`)
  )
  return repo
}
