import { workerData, parentPort } from 'node:worker_threads';
import { c as createSegmentDeflater } from './deflate.js';
import 'node:fs';

// @ts-check
// The compression worker thread of layer.ts: compresses the segments it is sent with our encoder
// and sends them back, with the buffers, for reuse. Plain JavaScript like deflate.js, so the same
// file runs from the source tree (tests) and, bundled by Rollup, from dist/deflate-worker.js.
// layer.ts sends the compiled encoder (a WebAssembly.Module) as workerData: no worker compiles it
// again.
/**
 * A segment to compress: buffer[start..end), with buffer[0..start) as its window.
 *
 * @typedef {object} Job
 * @property {number} id
 * @property {ArrayBuffer} buffer
 * @property {ArrayBuffer} [output] A buffer to write into, when large enough.
 * @property {number} start
 * @property {number} end
 * @property {boolean} last
 */
const port = parentPort;
if (port === null)
    throw new Error('deflate-worker.js runs as a worker thread of layer.ts');
const deflater = createSegmentDeflater(
/** @type {{ module?: WebAssembly.Module } | undefined} */ (workerData)?.module);
port.on('message', (/** @type {Job} */ job) => {
    try {
        const out = deflater.deflateSegment(new Uint8Array(job.buffer, 0, job.end), job.start, job.last, job.output ? new Uint8Array(job.output) : undefined);
        const outBuffer = /** @type {ArrayBuffer} */ (out.buffer);
        port.postMessage({ id: job.id, buffer: job.buffer, out }, [job.buffer, outBuffer]);
    }
    catch (err) {
        port.postMessage({ id: job.id, error: String((err instanceof Error && err.stack) || err) });
    }
});
