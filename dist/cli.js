#!/usr/bin/env node
import { t as parseArgs, U as USAGE, u as consoleLogger, v as SecretScrubber, w as readRunContext, x as context, y as readInputs, z as runRelease, B as metadataJson, D as planText, E as summaryMarkdown } from './shared.js';
import 'node:util';
import 'node:fs';
import 'node:fs/promises';
import 'node:path';
import 'path';
import 'os';
import 'crypto';
import 'fs';
import 'node:os';
import 'node:crypto';
import 'node:url';
import 'node:child_process';
import 'node:string_decoder';
import 'node:worker_threads';
import 'node:zlib';
import './deflate.js';
import 'node:stream';
import 'node:http';
import 'node:https';
import 'node:async_hooks';
import 'node:timers/promises';
import 'node:stream/promises';
import 'node:events';

// The release pipeline outside GitHub Actions. Flags are the action's input
// names: `--tag 1.2.3 --working-directory examples/hello --dry-run`. The run's context comes from
// the CLI's own environment (a shell's GITHUB_* too, when set), read once here.
async function main() {
    const scrubber = new SecretScrubber();
    try {
        const args = parseArgs(process.argv.slice(2));
        if (args.help) {
            process.stdout.write(USAGE + '\n');
            return 0;
        }
        const env = process.env;
        if (!args.values.has('password') && env.FPR_PASSWORD) {
            args.values.set('password', env.FPR_PASSWORD);
        }
        // As cosign reads it: the key file's password stays off the command line.
        if (!args.values.has('signing-key-password') && env.COSIGN_PASSWORD) {
            args.values.set('signing-key-password', env.COSIGN_PASSWORD);
        }
        const logger = consoleLogger(scrubber, args.verbose);
        const context$1 = readRunContext(env, context);
        const inputs = readInputs((name) => (args.values.get(name) ?? '').trim(), context$1.github);
        if (inputs.password !== '')
            logger.secret(inputs.password, 'the password input');
        const result = await runRelease({ inputs, context: context$1, logger });
        const text = args.json
            ? JSON.stringify(metadataJson(result), null, 2)
            : result.dryRun
                ? planText(result.plan)
                : summaryMarkdown(result);
        process.stdout.write(scrubber.scrub(text) + '\n');
        return 0;
    }
    catch (err) {
        process.stderr.write(`error: ${scrubber.scrub(err instanceof Error ? err.message : String(err))}\n`);
        return 1;
    }
}
process.exitCode = await main();
