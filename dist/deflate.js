import { readFileSync } from 'node:fs';

// @ts-check
// The layer gzip's raw-DEFLATE encoder: deflate.wasm (built from deflate.c by
// scripts/build-deflate-wasm.sh, committed), loaded beside this module: src/falco/ in tests,
// dist/ in the bundle. The output for a segment depends on exactly three things: its bytes, the
// window bytes before it (at most 32 KiB) and whether it is the last one; that is what lets
// layer.ts compress fixed-size segments in parallel and concatenate them (pigz's scheme).
// deflate.c is an exact port of the JavaScript encoder used before (the test oracle,
// __tests__/helpers/deflate-oracle.js): same bytes, same digests, and no JIT warm-up.
//
// Plain JavaScript (checked by tsc from its JSDoc types), like the worker that imports it.
/**
 * Compresses one segment.
 *
 * @typedef {object} SegmentDeflater
 * @property {(data: Uint8Array, start: number, last: boolean, output?: Uint8Array) => Uint8Array} deflateSegment
 *   Raw DEFLATE of `data[start..]`, with `data[0..start)` (at most 32 KiB, the bytes just before
 *   the segment) as the window back-references may reach into. Unless `last`, the output ends
 *   with a sync flush; with `last`, the final block has BFINAL set. The result is written into
 *   `output` when it is at least outputBound(data.length - start) long (and is then a view of it),
 *   else into a new array.
 * @property {(size: number) => number} outputBound
 *   The output size deflateSegment may need for `size` bytes of input.
 */
/**
 * @typedef {object} DeflateExports
 * @property {WebAssembly.Memory} memory
 * @property {() => number} deflate_heap_base
 * @property {(src: number, end: number, start: number, last: number, out: number) => number} deflate_segment
 */
/** The DEFLATE window: how far back a segment's matches may reach into the bytes before it. */
const WINDOW = 32768;
const PAGE = 65536;
/** The match finder reads up to 8 bytes past the input (and ignores them). */
const SLACK = 16;
/** @type {WebAssembly.Module | undefined} */
let compiled;
/**
 * The compiled encoder, once per thread. A WebAssembly.Module can be sent to a worker (layer.ts
 * does), which then instantiates it without compiling again.
 *
 * @returns {WebAssembly.Module}
 */
function deflateModule() {
    compiled ??= new WebAssembly.Module(readFileSync(new URL('./deflate.wasm', import.meta.url)));
    return compiled;
}
/** @param {number} size @returns {number} */
function outputBound(size) {
    // Every block is written stored when that is smallest: 5 bytes per 64 KiB piece and per
    // block (a block holds at least 16 Ki bytes but the last), plus headers and flush.
    return size + (size >>> 10) + 256;
}
/**
 * An encoder instance: its own linear memory (the encoder's tables, then the input and output
 * of one segment, grown on demand), reused from one segment to the next.
 *
 * @param {WebAssembly.Module} [module]
 * @returns {SegmentDeflater}
 */
function createSegmentDeflater(module = deflateModule()) {
    const exports = /** @type {DeflateExports} */ (
    /** @type {unknown} */ (new WebAssembly.Instance(module, {}).exports));
    const { memory } = exports;
    const base = Math.ceil(exports.deflate_heap_base() / 16) * 16;
    /**
     * @param {Uint8Array} src
     * @param {number} start
     * @param {boolean} last
     * @param {Uint8Array} [output]
     * @returns {Uint8Array}
     */
    function deflateSegment(src, start, last, output) {
        const end = src.length;
        if (!(start >= 0 && start <= end && start <= WINDOW)) {
            throw new RangeError(`deflateSegment: bad window of ${start} bytes for ${end}`);
        }
        const bound = outputBound(end - start);
        const outAt = base + Math.ceil((end + SLACK) / 16) * 16;
        const need = outAt + bound;
        if (memory.buffer.byteLength < need) {
            memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
        }
        new Uint8Array(memory.buffer, base, end).set(src);
        const n = exports.deflate_segment(base, end, start, last ? 1 : 0, outAt);
        const out = output !== undefined && output.length >= bound ? output : new Uint8Array(bound);
        out.set(new Uint8Array(memory.buffer, outAt, n));
        return out.subarray(0, n);
    }
    return { deflateSegment, outputBound };
}

export { WINDOW as W, createSegmentDeflater as c, deflateModule as d };
