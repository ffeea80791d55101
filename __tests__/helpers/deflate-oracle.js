// @ts-check
// The test oracle of src/falco/deflate.c (compiled to src/falco/deflate.wasm): the JavaScript
// encoder that made the layers until then, unchanged but for this paragraph and the last one.
// deflate.test.ts checks that the WebAssembly port writes exactly its bytes.
//
// A small raw-DEFLATE encoder (RFC 1951) for the layer gzip, written to be deterministic and fast.
//
// Deterministic: integer arithmetic on typed arrays only, fixed parameters, no dependence on the
// Node version, the CPU or the number of threads. The output for a segment depends on exactly
// three things: the segment's bytes, the window bytes before it (at most 32 KiB) and whether it
// is the last one. That is what lets layer.ts compress fixed-size segments of a file in parallel
// and concatenate the results into one DEFLATE stream (as pigz does) with the same bytes whatever
// the number of workers.
//
// Each segment is a series of blocks. For each block the encoder computes the exact size of a
// dynamic-Huffman, a fixed-Huffman and a stored encoding and writes the smallest, so
// incompressible data costs 5 bytes per block (16 Ki symbols) and is copied, not coded. A segment
// that is not the last ends with an empty stored block (a "sync flush": 00 00 ff ff), which leaves
// the stream byte-aligned so the next segment's output can simply be appended. The last segment's
// last block has BFINAL set.
//
// Matching: a 4-byte hash into chains over the 32 KiB window, a short chain walk, one-step lazy
// evaluation of short matches, and a skip that grows over long runs without any match so that
// random data is scanned quickly. The match search never affects correctness, only the size;
// every parameter is fixed below, and changing any of them changes the layer digests. On Go
// binaries the output is about 1.5% larger than fflate's level 6 (the encoder used before) and
// 1-4% larger than zlib's level 6, for 2-4 times less CPU than fflate (see BENCHMARKS.md).
//
// Plain JavaScript, checked by tsc from its JSDoc types.

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

/** @returns {SegmentDeflater} */
export function createSegmentDeflater() {
  // ---- fixed parameters (part of the output format) ----
  const HASH_BITS = 16
  const WINDOW = 32768
  const WMASK = WINDOW - 1
  const MIN_MATCH = 4
  const MAX_MATCH = 258
  const MAX_CHAIN = 8
  const NICE_MATCH = 64
  /** A match shorter than this is compared with the match one byte later (lazy matching). */
  const LAZY_BELOW = 16
  /** Matches up to this length have every position inside them hashed. */
  const INSERT_ALL = 32
  /** After 2^SKIP_SHIFT positions without a match, the scan steps 2, then 3, ... up to MAX_SKIP. */
  const SKIP_SHIFT = 5
  const MAX_SKIP = 32
  /** Symbols per block (a literal or a length/distance pair each). */
  const BLOCK_SYMBOLS = 16384

  // ---- RFC 1951 tables ----
  const LEN_BASE = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258
  ]
  const LEN_EXTRA = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0
  ]
  const DIST_BASE = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
    3073, 4097, 6145, 8193, 12289, 16385, 24577
  ]
  const DIST_EXTRA = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13
  ]
  /** Order in which the code-length code lengths are sent. */
  const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

  /** Match length (3..258) -> length code index 0..28 (symbol 257 + index). */
  const lenIndex = new Uint8Array(MAX_MATCH + 1)
  for (let c = 0; c < 29; c++) {
    const top = c === 28 ? 258 : LEN_BASE[c] + (1 << LEN_EXTRA[c]) - 1
    for (let l = LEN_BASE[c]; l <= top && l <= MAX_MATCH; l++) lenIndex[l] = c
  }
  lenIndex[258] = 28
  /** Distance code of (dist - 1) for dist <= 256, and of (dist - 1) >> 7 for larger ones. */
  const distLow = new Uint8Array(256)
  const distHigh = new Uint8Array(256)
  for (let c = 0; c < 30; c++) {
    for (let d = DIST_BASE[c]; d < DIST_BASE[c] + (1 << DIST_EXTRA[c]); d++) {
      if (d <= 256) distLow[d - 1] = c
      else distHigh[(d - 1) >> 7] = c
    }
  }

  // ---- state, reused from one segment to the next (and reset at each) ----
  const head = new Int32Array(1 << HASH_BITS)
  const prev = new Int32Array(WINDOW)
  /** A literal is its byte value (< 256); a match is (length << 16) | distance. */
  const syms = new Uint32Array(BLOCK_SYMBOLS + MAX_SKIP + 8)
  const litFreq = new Uint32Array(286)
  const distFreq = new Uint32Array(30)
  const litLen = new Uint8Array(286)
  const distLen = new Uint8Array(30)
  const litCode = new Uint16Array(286)
  const distCode = new Uint16Array(30)
  const clFreq = new Uint32Array(19)
  const clLen = new Uint8Array(19)
  const clCode = new Uint16Array(19)
  const allLens = new Uint8Array(286 + 30)
  const rle = new Uint16Array(286 + 30)

  // The fixed code has 288 literal/length and 32 distance symbols (the last two of each are never
  // used, but they count in the canonical code assignment).
  const fixedLitLen = new Uint8Array(288)
  for (let i = 0; i < 288; i++) fixedLitLen[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8
  const fixedDistLen = new Uint8Array(32).fill(5)
  const fixedLitCode = new Uint16Array(288)
  const fixedDistCode = new Uint16Array(32)

  // The bit writer: bits go out least significant first; fewer than 16 are pending at any time.
  /** @type {Uint8Array} */
  let out = new Uint8Array(0)
  let op = 0
  let acc = 0
  let nbits = 0

  /** @param {number} value @param {number} count */
  function putBits(value, count) {
    acc |= value << nbits
    nbits += count
    if (nbits >= 16) {
      out[op++] = acc
      out[op++] = acc >>> 8
      acc >>>= 16
      nbits -= 16
    }
  }

  function alignToByte() {
    while (nbits > 0) {
      out[op++] = acc
      acc >>>= 8
      nbits = nbits > 8 ? nbits - 8 : 0
    }
    acc = 0
  }

  /**
   * Huffman code lengths for freq[0..n), none longer than maxBits. Deterministic: leaves are
   * ordered by (frequency, symbol). A lone used symbol gets a partner so that every set is
   * complete (zlib refuses incomplete code-length sets).
   */
  // Scratch space for buildLengths and buildCodes (allocated once: a worker compresses many
  // blocks, and garbage ArrayBuffers are what makes a thread's memory grow).
  const hKeys = new Float64Array(286)
  const hSym = new Int32Array(286)
  const hWeight = new Float64Array(2 * 286)
  const hParent = new Int32Array(2 * 286)
  const hDepth = new Int32Array(2 * 286)
  const hCount = new Int32Array(16)
  const hNext = new Int32Array(16)

  /** @param {Uint32Array} freq @param {number} n @param {number} maxBits @param {Uint8Array} lens */
  function buildLengths(freq, n, maxBits, lens) {
    lens.fill(0, 0, n)
    let m = 0
    const keys = hKeys
    for (let i = 0; i < n; i++) if (freq[i] !== 0) keys[m++] = freq[i] * 512 + i
    if (m === 0) return
    if (m === 1) {
      const s = keys[0] % 512
      lens[s] = 1
      lens[s === 0 ? 1 : 0] = 1
      return
    }
    const sorted = keys.subarray(0, m).sort()
    const sym = hSym
    const weight = hWeight
    for (let i = 0; i < m; i++) {
      sym[i] = sorted[i] % 512
      weight[i] = freq[sym[i]]
    }
    // Two-queue Huffman: leaves in order, internal nodes in order of creation.
    const parent = hParent
    let leaf = 0
    let node = m
    for (let next = m; next < 2 * m - 1; next++) {
      let a = 0
      let b = 0
      if (leaf < m && (node >= next || weight[leaf] <= weight[node])) a = leaf++
      else a = node++
      if (leaf < m && (node >= next || weight[leaf] <= weight[node])) b = leaf++
      else b = node++
      weight[next] = weight[a] + weight[b]
      parent[a] = next
      parent[b] = next
    }
    const depth = hDepth
    const count = hCount
    count.fill(0)
    depth[2 * m - 2] = 0
    let overflow = false
    for (let i = 2 * m - 3; i >= 0; i--) depth[i] = depth[parent[i]] + 1
    for (let i = 0; i < m; i++) {
      let d = depth[i]
      if (d > maxBits) {
        d = maxBits
        overflow = true
      }
      count[d]++
    }
    if (overflow) {
      // Clamping made the code over-full. Each step moves one code from maxBits to the level
      // below the deepest shorter code, splitting that one: the Kraft sum drops by exactly one
      // unit and the number of codes is unchanged.
      let kraft = 0
      for (let l = 1; l <= maxBits; l++) kraft += count[l] * 2 ** (maxBits - l)
      for (let excess = kraft - 2 ** maxBits; excess > 0; excess--) {
        count[maxBits]--
        let l = maxBits - 1
        while (count[l] === 0) l--
        count[l]--
        count[l + 1] += 2
      }
    }
    // The most frequent symbols get the shortest codes.
    let i = m - 1
    for (let l = 1; l <= maxBits; l++) {
      for (let k = count[l]; k > 0; k--) lens[sym[i--]] = l
    }
  }

  /** Canonical codes for lens[0..n), bit-reversed for LSB-first output. */
  /** @param {Uint8Array} lens @param {number} n @param {Uint16Array} codes */
  function buildCodes(lens, n, codes) {
    const count = hCount
    count.fill(0)
    for (let i = 0; i < n; i++) count[lens[i]]++
    count[0] = 0
    const next = hNext
    let code = 0
    for (let b = 1; b < 16; b++) {
      code = (code + count[b - 1]) << 1
      next[b] = code
    }
    for (let i = 0; i < n; i++) {
      const len = lens[i]
      if (len === 0) {
        codes[i] = 0
        continue
      }
      let c = next[len]++
      let r = 0
      for (let k = 0; k < len; k++) {
        r = (r << 1) | (c & 1)
        c >>>= 1
      }
      codes[i] = r
    }
  }
  buildCodes(fixedLitLen, 288, fixedLitCode)
  buildCodes(fixedDistLen, 32, fixedDistCode)

  /** Run-length codes (16, 17, 18) for allLens[0..n); fills rle and clFreq, returns the count. */
  /** @param {number} n @returns {number} */
  function runLengths(n) {
    clFreq.fill(0)
    let k = 0
    for (let i = 0; i < n;) {
      const v = allLens[i]
      let run = 1
      while (i + run < n && allLens[i + run] === v) run++
      i += run
      if (v === 0) {
        while (run >= 11) {
          const r = run < 138 ? run : 138
          rle[k++] = 18 | ((r - 11) << 5)
          clFreq[18]++
          run -= r
        }
        if (run >= 3) {
          rle[k++] = 17 | ((run - 3) << 5)
          clFreq[17]++
          run = 0
        }
      } else {
        rle[k++] = v
        clFreq[v]++
        run--
        while (run >= 3) {
          const r = run < 6 ? run : 6
          rle[k++] = 16 | ((r - 3) << 5)
          clFreq[16]++
          run -= r
        }
      }
      for (; run > 0; run--) {
        rle[k++] = v
        clFreq[v]++
      }
    }
    return k
  }

  /** Bits of the block's symbols (with extra bits and end-of-block) under the given lengths. */
  /** @param {Uint8Array} ll @param {Uint8Array} dl @returns {number} */
  function dataBits(ll, dl) {
    let total = 0
    for (let i = 0; i < 286; i++) total += litFreq[i] * ll[i]
    for (let i = 0; i < 30; i++) total += distFreq[i] * (dl[i] + DIST_EXTRA[i])
    for (let c = 0; c < 29; c++) total += litFreq[257 + c] * LEN_EXTRA[c]
    return total
  }

  /** Writes the symbols syms[0..count) with the given codes, then end-of-block. */
  /**
   * @param {number} count
   * @param {Uint8Array} ll
   * @param {Uint16Array} lc
   * @param {Uint8Array} dl
   * @param {Uint16Array} dc
   */
  function writeSymbols(count, ll, lc, dl, dc) {
    const buf = out
    let o = op
    let a = acc
    let n = nbits
    for (let i = 0; i < count; i++) {
      const s = syms[i]
      if (s < 256) {
        a |= lc[s] << n
        n += ll[s]
        if (n >= 16) {
          buf[o++] = a
          buf[o++] = a >>> 8
          a >>>= 16
          n -= 16
        }
        continue
      }
      const len = s >>> 16
      const dist = s & 0xffff
      const li = lenIndex[len]
      a |= lc[257 + li] << n
      n += ll[257 + li]
      if (n >= 16) {
        buf[o++] = a
        buf[o++] = a >>> 8
        a >>>= 16
        n -= 16
      }
      const le = LEN_EXTRA[li]
      if (le !== 0) {
        a |= (len - LEN_BASE[li]) << n
        n += le
        if (n >= 16) {
          buf[o++] = a
          buf[o++] = a >>> 8
          a >>>= 16
          n -= 16
        }
      }
      const di = dist <= 256 ? distLow[dist - 1] : distHigh[(dist - 1) >> 7]
      a |= dc[di] << n
      n += dl[di]
      if (n >= 16) {
        buf[o++] = a
        buf[o++] = a >>> 8
        a >>>= 16
        n -= 16
      }
      const de = DIST_EXTRA[di]
      if (de !== 0) {
        a |= (dist - DIST_BASE[di]) << n
        n += de
        if (n >= 16) {
          buf[o++] = a
          buf[o++] = a >>> 8
          a >>>= 16
          n -= 16
        }
      }
    }
    op = o
    acc = a
    nbits = n
    putBits(lc[256], ll[256])
  }

  /** Writes one block: the symbols syms[0..count), which encode src[from..to). */
  /**
   * @param {Uint8Array} src
   * @param {number} from
   * @param {number} to
   * @param {number} count
   * @param {boolean} last
   */
  function writeBlock(src, from, to, count, last) {
    litFreq[256] = 1
    buildLengths(litFreq, 286, 15, litLen)
    buildLengths(distFreq, 30, 15, distLen)
    if (!distLen.some((x) => x !== 0)) {
      // No match in the block: still send two distance codes, which every inflater accepts.
      distLen[0] = distLen[1] = 1
    }
    let hlit = 286
    while (hlit > 257 && litLen[hlit - 1] === 0) hlit--
    let hdist = 30
    while (hdist > 1 && distLen[hdist - 1] === 0) hdist--
    allLens.set(litLen.subarray(0, hlit), 0)
    allLens.set(distLen.subarray(0, hdist), hlit)
    const nrle = runLengths(hlit + hdist)
    buildLengths(clFreq, 19, 7, clLen)
    let hclen = 19
    while (hclen > 4 && clLen[CL_ORDER[hclen - 1]] === 0) hclen--

    let dynamicBits = 3 + 5 + 5 + 4 + 3 * hclen
    for (let i = 0; i < 19; i++) dynamicBits += clFreq[i] * clLen[i]
    dynamicBits += clFreq[16] * 2 + clFreq[17] * 3 + clFreq[18] * 7
    dynamicBits += dataBits(litLen, distLen)
    const fixedBits = 3 + dataBits(fixedLitLen, fixedDistLen)
    const length = to - from
    const pieces = length === 0 ? 1 : Math.ceil(length / 65535)
    // The first stored header is padded to a byte; the later ones start aligned.
    const storedBits = ((nbits + 3 + 7) & ~7) - nbits + 32 + (pieces - 1) * 40 + 8 * length

    if (storedBits <= dynamicBits && storedBits <= fixedBits) {
      let p = from
      do {
        const n = to - p < 65535 ? to - p : 65535
        putBits(last && p + n === to ? 1 : 0, 3)
        alignToByte()
        out[op++] = n
        out[op++] = n >>> 8
        out[op++] = ~n
        out[op++] = ~n >>> 8
        out.set(src.subarray(p, p + n), op)
        op += n
        p += n
      } while (p < to)
    } else if (fixedBits <= dynamicBits) {
      putBits(last ? 3 : 2, 3)
      writeSymbols(count, fixedLitLen, fixedLitCode, fixedDistLen, fixedDistCode)
    } else {
      putBits(last ? 5 : 4, 3)
      putBits(hlit - 257, 5)
      putBits(hdist - 1, 5)
      putBits(hclen - 4, 4)
      for (let i = 0; i < hclen; i++) putBits(clLen[CL_ORDER[i]], 3)
      buildCodes(clLen, 19, clCode)
      for (let i = 0; i < nrle; i++) {
        const s = rle[i] & 31
        putBits(clCode[s], clLen[s])
        if (s === 16) putBits(rle[i] >>> 5, 2)
        else if (s === 17) putBits(rle[i] >>> 5, 3)
        else if (s === 18) putBits(rle[i] >>> 5, 7)
      }
      buildCodes(litLen, 286, litCode)
      buildCodes(distLen, 30, distCode)
      writeSymbols(count, litLen, litCode, distLen, distCode)
    }
    litFreq.fill(0)
    distFreq.fill(0)
  }

  const HASH_SHIFT = 32 - HASH_BITS
  const HASH_MUL = 0x9e3779b1 | 0

  /** Hashes position p (its 4 bytes) into the chains. */
  /** @param {Uint8Array} src @param {number} p */
  function insert(src, p) {
    const h =
      Math.imul(src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24), HASH_MUL) >>>
      HASH_SHIFT
    prev[p & WMASK] = head[h]
    head[h] = p
  }

  /**
   * Inserts p, then returns the longest match for src[p..end) longer than `better` among at most
   * MAX_CHAIN earlier positions, as (length << 16) | distance, or 0.
   */
  /**
   * @param {Uint8Array} src
   * @param {number} p
   * @param {number} end
   * @param {number} better
   * @returns {number}
   */
  function insertAndMatch(src, p, end, better) {
    const h =
      Math.imul(src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24), HASH_MUL) >>>
      HASH_SHIFT
    let cand = head[h]
    prev[p & WMASK] = cand
    head[h] = p
    const maxLen = end - p < MAX_MATCH ? end - p : MAX_MATCH
    if (better >= maxLen) return 0
    let bestLen = better
    let bestDist = 0
    for (let chain = MAX_CHAIN; cand >= 0 && p - cand <= WINDOW && chain > 0; chain--) {
      if (
        src[cand + bestLen] === src[p + bestLen] &&
        src[cand] === src[p] &&
        src[cand + 1] === src[p + 1] &&
        src[cand + 2] === src[p + 2]
      ) {
        let l = 3
        while (l < maxLen && src[cand + l] === src[p + l]) l++
        if (l > bestLen) {
          bestLen = l
          bestDist = p - cand
          if (l >= NICE_MATCH || l === maxLen) break
        }
      }
      const next = prev[cand & WMASK]
      if (next >= cand) break // the slot was reused by a newer position: end of this chain
      cand = next
    }
    return bestDist === 0 ? 0 : (bestLen << 16) | bestDist
  }

  /** @param {number} size @returns {number} */
  function outputBound(size) {
    // Every block is written stored when that is smallest: 5 bytes per 64 KiB piece and per
    // block (a block holds at least BLOCK_SYMBOLS bytes but the last), plus headers and flush.
    return size + (size >>> 10) + 256
  }

  /**
   * @param {Uint8Array} src
   * @param {number} start
   * @param {boolean} last
   * @param {Uint8Array} [output]
   * @returns {Uint8Array}
   */
  function deflateSegment(src, start, last, output) {
    const end = src.length
    if (!(start >= 0 && start <= end && start <= WINDOW)) {
      throw new RangeError(`deflateSegment: bad window of ${start} bytes for ${end}`)
    }
    const bound = outputBound(end - start)
    out = output !== undefined && output.length >= bound ? output : new Uint8Array(bound)
    op = 0
    acc = 0
    nbits = 0
    head.fill(-1)
    prev.fill(-1)
    litFreq.fill(0)
    distFreq.fill(0)
    const lastHash = end - MIN_MATCH // the last position whose 4 bytes can be hashed

    // The window: hash every position of the bytes before the segment.
    for (let p = 0; p < start && p <= lastHash; p++) insert(src, p)

    let count = 0
    let blockStart = start
    let misses = 0
    let i = start
    while (i < end) {
      if (count >= BLOCK_SYMBOLS) {
        writeBlock(src, blockStart, i, count, false)
        count = 0
        blockStart = i
      }
      if (i > lastHash) {
        const b = src[i++]
        syms[count++] = b
        litFreq[b]++
        continue
      }
      // Insert i and look for the longest match among at most MAX_CHAIN earlier positions.
      let match = insertAndMatch(src, i, end, MIN_MATCH - 1)
      if (match === 0) {
        const b = src[i]
        syms[count++] = b
        litFreq[b]++
        misses++
        let step = 1 + (misses >>> SKIP_SHIFT)
        if (step > MAX_SKIP) step = MAX_SKIP
        // Positions skipped over are emitted as literals and not hashed.
        for (let k = 1; k < step && i + k < end; k++) {
          const c = src[i + k]
          syms[count++] = c
          litFreq[c]++
        }
        i += step
        continue
      }
      misses = 0
      let inserted = i // the last position hashed
      // Lazy evaluation: a longer match one byte later wins over this one.
      while (match >>> 16 < LAZY_BELOW && i + 1 <= lastHash) {
        const later = insertAndMatch(src, i + 1, end, match >>> 16)
        inserted = i + 1
        if (later === 0) break
        const b = src[i++]
        syms[count++] = b
        litFreq[b]++
        match = later
      }
      const bestLen = match >>> 16
      const bestDist = match & 0xffff
      syms[count++] = match
      litFreq[257 + lenIndex[bestLen]]++
      distFreq[bestDist <= 256 ? distLow[bestDist - 1] : distHigh[(bestDist - 1) >> 7]]++
      const stop = i + bestLen
      const insertEnd = stop - 1 < lastHash ? stop - 1 : lastHash
      // Hash the positions inside the match (all of a short one, the ends of a long one).
      if (bestLen <= INSERT_ALL) {
        for (let p = inserted + 1; p <= insertEnd; p++) insert(src, p)
      } else {
        const headEnd = i + 3 < insertEnd ? i + 3 : insertEnd
        for (let p = inserted + 1; p <= headEnd; p++) insert(src, p)
        for (let p = insertEnd - 2 > headEnd ? insertEnd - 2 : headEnd + 1; p <= insertEnd; p++) {
          insert(src, p)
        }
      }
      i = stop
    }
    writeBlock(src, blockStart, end, count, last)
    if (last) {
      alignToByte()
    } else {
      // Sync flush: an empty non-final stored block ends the segment on a byte boundary.
      putBits(0, 3)
      alignToByte()
      out[op++] = 0
      out[op++] = 0
      out[op++] = 0xff
      out[op++] = 0xff
    }
    const result = out.subarray(0, op)
    out = new Uint8Array(0)
    return result
  }

  return { deflateSegment, outputBound }
}
