import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildPlugin } from '../../src/build/go.js'
import { recordingLogger } from '../../test/helpers/fixtures.js'

describe('buildPlugin', () => {
  let dir: string
  beforeAll(() => {
    // A space in the path checks that nothing goes through a shell unquoted.
    dir = mkdtempSync(join(tmpdir(), 'fpr build '))
    mkdirSync(join(dir, 'plugin'))
  })
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a working directory that does not exist', async () => {
    const missing = join(dir, 'nope')
    await expect(
      buildPlugin({ env: process.env, workingDirectory: missing, output: '/tmp/x.so', logger: recordingLogger() })
    ).rejects.toThrow(
      `working-directory '${missing}' does not exist: set the input to the folder that holds your plugin's go.mod`
    )
  })

  it('refuses a working directory that is a file', async () => {
    const file = join(dir, 'file')
    writeFileSync(file, '')
    await expect(
      buildPlugin({ env: process.env, workingDirectory: file, output: '/tmp/x.so', logger: recordingLogger() })
    ).rejects.toThrow(/working-directory '.*file' is not a directory/)
  })

  it('refuses a go-package that does not exist, default or explicit', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'fpr-build-empty-'))
    try {
      await expect(
        buildPlugin({ env: process.env, workingDirectory: empty, output: '/tmp/x.so', logger: recordingLogger() })
      ).rejects.toThrow(`go-package './plugin' not found in ${empty}: set go-package`)
      await expect(
        buildPlugin({ env: process.env,
          workingDirectory: empty,
          goPackage: './cmd/p',
          output: '/tmp/x.so',
          logger: recordingLogger()
        })
      ).rejects.toThrow(/go-package '.\/cmd\/p' not found/)
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('says how to get Go when it is not installed', async () => {
    await expect(
      buildPlugin({
        workingDirectory: dir,
        output: join(dir, 'out', 'lib.so'),
        env: { PATH: join(dir, 'empty-path') },
        logger: recordingLogger()
      })
    ).rejects.toThrow(/'go'\) was not found on PATH: add actions\/setup-go/)
  })

  it('requires plugin-path with a build-command', async () => {
    const logger = recordingLogger()
    await expect(
      buildPlugin({ env: process.env,
        workingDirectory: dir,
        output: '/tmp/x.so',
        buildCommand: 'touch ran',
        logger
      })
    ).rejects.toThrow(/build-command is set, so plugin-path is required/)
    expect(logger.lines).toEqual([])
  })

  it('surfaces the output and status of a failing build-command', async () => {
    const logger = recordingLogger()
    const buildCommand = 'for i in $(seq 1 60); do echo "line $i"; done; echo "compiler says: boom" >&2; exit 3'
    let message = ''
    try {
      await buildPlugin({ env: process.env,
        workingDirectory: dir,
        output: '/tmp/x.so',
        buildCommand,
        pluginPath: 'lib.so',
        logger
      })
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toContain(`build-command exited with status 3: ${buildCommand} (in ${dir})`)
    expect(message).toContain('compiler says: boom')
    expect(message).toContain('line 60')
    expect(message).not.toContain('line 20\n') // only the tail
    expect(logger.groups).toEqual(['Build (build-command)'])
    expect(logger.lines).toContain('line 1')
    expect(logger.lines).toContain('compiler says: boom')
  })

  it('refuses a build-command that does not produce plugin-path', async () => {
    await expect(
      buildPlugin({ env: process.env,
        workingDirectory: dir,
        output: '/tmp/x.so',
        buildCommand: 'true',
        pluginPath: 'out/missing.so',
        logger: recordingLogger()
      })
    ).rejects.toThrow(
      `build-command finished but plugin-path 'out/missing.so' (${join(dir, 'out', 'missing.so')}) does not exist`
    )
  })

  it('runs a build-command in the working directory, with bash and the extra env', async () => {
    const logger = recordingLogger()
    const so = await buildPlugin({
      workingDirectory: dir,
      output: '/tmp/x.so',
      buildCommand: 'mkdir -p "out dir" && [[ -d plugin ]] && echo "$GREETING" > "out dir/libp.so"',
      pluginPath: 'out dir/libp.so',
      env: { GREETING: 'hi' },
      logger
    })
    expect(so).toBe(join(dir, 'out dir', 'libp.so'))
  })
})
