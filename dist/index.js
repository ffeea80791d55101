import { F as run } from './shared.js';
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

// Entry point of the bundled action (dist/index.js).
await run();
