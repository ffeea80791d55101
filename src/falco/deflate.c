// The layer gzip's raw-DEFLATE encoder (RFC 1951), compiled to WebAssembly by
// scripts/build-deflate-wasm.sh into deflate.wasm, which deflate.js loads.
//
// It is an exact port of the JavaScript encoder the action used before (kept as the test oracle
// in __tests__/helpers/deflate-oracle.js, which documents the design): same parameters, same
// match search, same block decisions, same bits. Every byte it writes is part of the layer
// digests, so a change here is a change of every published digest; the unit test
// __tests__/falco/deflate.test.ts compares it with the oracle on many inputs.
//
// Why WebAssembly: the JavaScript encoder spent most of a small layer's 0.1 s in V8's JIT warm-up;
// WebAssembly is compiled before it runs (Liftoff, then TurboFan in the background), so the
// first segment is already fast. Integer arithmetic only, no libc, no threads, no SIMD: the output
// depends on the input alone.
//
// Interface: deflate_segment(src, end, start, last, out) compresses src[start..end) with
// src[0..start) as window and returns the number of bytes written at out (outputBound(end -
// start) bytes must be there, and 8 readable bytes after src[end]). deflate.js owns the linear
// memory above deflate_heap_base() and checks the arguments.

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

// ---- fixed parameters (part of the output format) ----
#define HASH_BITS 16
#define WINDOW 32768
#define WMASK (WINDOW - 1)
#define MIN_MATCH 4
#define MAX_MATCH 258
#define MAX_CHAIN 8
#define NICE_MATCH 64
#define LAZY_BELOW 16
#define INSERT_ALL 32
#define SKIP_SHIFT 5
#define MAX_SKIP 32
#define BLOCK_SYMBOLS 16384

// ---- RFC 1951 tables ----
static const u16 LEN_BASE[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const u8 LEN_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const u16 DIST_BASE[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                  33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                  1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const u8 DIST_EXTRA[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                  6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const u8 CL_ORDER[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

static u8 lenIndex[MAX_MATCH + 1];
static u8 distLow[256];
static u8 distHigh[256];
static u8 fixedLitLen[288];
static u8 fixedDistLen[32];
static u16 fixedLitCode[288];
static u16 fixedDistCode[32];
static int initialized;

// ---- state, reset at each segment ----
static int head[1 << HASH_BITS];
static int prev[WINDOW];
// A literal is its byte value (< 256); a match is (length << 16) | distance.
static u32 syms[BLOCK_SYMBOLS + MAX_SKIP + 8];
static u32 litFreq[286];
static u32 distFreq[30];
static u8 litLen[286];
static u8 distLen[30];
static u16 litCode[286];
static u16 distCode[30];
static u32 clFreq[19];
static u8 clLen[19];
static u16 clCode[19];
static u8 allLens[286 + 30];
static u16 rle[286 + 30];

// Scratch space of buildLengths and buildCodes.
static u32 hKeys[286];
static int hSym[286];
static u32 hWeight[2 * 286];
static int hParent[2 * 286];
static int hDepth[2 * 286];
static int hCount[16];
static int hNext[16];

// The bit writer: bits go out least significant first; fewer than 16 are pending at any time.
static u8 *out;
static u32 op;
static u32 acc;
static u32 nbits;

static inline void putBits(u32 value, u32 count) {
  acc |= value << nbits;
  nbits += count;
  if (nbits >= 16) {
    out[op++] = (u8)acc;
    out[op++] = (u8)(acc >> 8);
    acc >>= 16;
    nbits -= 16;
  }
}

static void alignToByte(void) {
  while (nbits > 0) {
    out[op++] = (u8)acc;
    acc >>= 8;
    nbits = nbits > 8 ? nbits - 8 : 0;
  }
  acc = 0;
}

// Keys are distinct (the symbol is in the low bits): any correct sort gives the oracle's order.
static void sortKeys(u32 *keys, int m) {
  for (int i = 1; i < m; i++) {
    u32 k = keys[i];
    int j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
}

// Huffman code lengths for freq[0..n), none longer than maxBits; leaves ordered by (frequency,
// symbol); a lone used symbol gets a partner.
static void buildLengths(const u32 *freq, int n, int maxBits, u8 *lens) {
  for (int i = 0; i < n; i++) lens[i] = 0;
  int m = 0;
  u32 *keys = hKeys;
  for (int i = 0; i < n; i++)
    if (freq[i] != 0) keys[m++] = freq[i] * 512 + (u32)i;
  if (m == 0) return;
  if (m == 1) {
    u32 s = keys[0] & 511;
    lens[s] = 1;
    lens[s == 0 ? 1 : 0] = 1;
    return;
  }
  sortKeys(keys, m);
  int *sym = hSym;
  u32 *weight = hWeight;
  for (int i = 0; i < m; i++) {
    sym[i] = (int)(keys[i] & 511);
    weight[i] = freq[sym[i]];
  }
  // Two-queue Huffman: leaves in order, internal nodes in order of creation.
  int *parent = hParent;
  int leaf = 0;
  int node = m;
  for (int next = m; next < 2 * m - 1; next++) {
    int a, b;
    if (leaf < m && (node >= next || weight[leaf] <= weight[node])) a = leaf++;
    else a = node++;
    if (leaf < m && (node >= next || weight[leaf] <= weight[node])) b = leaf++;
    else b = node++;
    weight[next] = weight[a] + weight[b];
    parent[a] = next;
    parent[b] = next;
  }
  int *depth = hDepth;
  int *count = hCount;
  for (int l = 0; l < 16; l++) count[l] = 0;
  depth[2 * m - 2] = 0;
  int overflow = 0;
  for (int i = 2 * m - 3; i >= 0; i--) depth[i] = depth[parent[i]] + 1;
  for (int i = 0; i < m; i++) {
    int d = depth[i];
    if (d > maxBits) {
      d = maxBits;
      overflow = 1;
    }
    count[d]++;
  }
  if (overflow) {
    // Each step moves one code from maxBits to below the deepest shorter code.
    int kraft = 0;
    for (int l = 1; l <= maxBits; l++) kraft += count[l] << (maxBits - l);
    for (int excess = kraft - (1 << maxBits); excess > 0; excess--) {
      count[maxBits]--;
      int l = maxBits - 1;
      while (count[l] == 0) l--;
      count[l]--;
      count[l + 1] += 2;
    }
  }
  // The most frequent symbols get the shortest codes.
  int i = m - 1;
  for (int l = 1; l <= maxBits; l++) {
    for (int k = count[l]; k > 0; k--) lens[sym[i--]] = (u8)l;
  }
}

// Canonical codes for lens[0..n), bit-reversed for LSB-first output.
static void buildCodes(const u8 *lens, int n, u16 *codes) {
  int *count = hCount;
  for (int l = 0; l < 16; l++) count[l] = 0;
  for (int i = 0; i < n; i++) count[lens[i]]++;
  count[0] = 0;
  int *next = hNext;
  int code = 0;
  for (int b = 1; b < 16; b++) {
    code = (code + count[b - 1]) << 1;
    next[b] = code;
  }
  for (int i = 0; i < n; i++) {
    int len = lens[i];
    if (len == 0) {
      codes[i] = 0;
      continue;
    }
    u32 c = (u32)next[len]++;
    u32 r = 0;
    for (int k = 0; k < len; k++) {
      r = (r << 1) | (c & 1);
      c >>= 1;
    }
    codes[i] = (u16)r;
  }
}

static void init(void) {
  for (int c = 0; c < 29; c++) {
    int top = c == 28 ? 258 : LEN_BASE[c] + (1 << LEN_EXTRA[c]) - 1;
    for (int l = LEN_BASE[c]; l <= top && l <= MAX_MATCH; l++) lenIndex[l] = (u8)c;
  }
  lenIndex[258] = 28;
  for (int c = 0; c < 30; c++) {
    for (int d = DIST_BASE[c]; d < DIST_BASE[c] + (1 << DIST_EXTRA[c]); d++) {
      if (d <= 256) distLow[d - 1] = (u8)c;
      else distHigh[(d - 1) >> 7] = (u8)c;
    }
  }
  for (int i = 0; i < 288; i++) fixedLitLen[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  for (int i = 0; i < 32; i++) fixedDistLen[i] = 5;
  buildCodes(fixedLitLen, 288, fixedLitCode);
  buildCodes(fixedDistLen, 32, fixedDistCode);
  initialized = 1;
}

// Run-length codes (16, 17, 18) for allLens[0..n); fills rle and clFreq, returns the count.
static int runLengths(int n) {
  for (int i = 0; i < 19; i++) clFreq[i] = 0;
  int k = 0;
  for (int i = 0; i < n;) {
    int v = allLens[i];
    int run = 1;
    while (i + run < n && allLens[i + run] == v) run++;
    i += run;
    if (v == 0) {
      while (run >= 11) {
        int r = run < 138 ? run : 138;
        rle[k++] = (u16)(18 | ((r - 11) << 5));
        clFreq[18]++;
        run -= r;
      }
      if (run >= 3) {
        rle[k++] = (u16)(17 | ((run - 3) << 5));
        clFreq[17]++;
        run = 0;
      }
    } else {
      rle[k++] = (u16)v;
      clFreq[v]++;
      run--;
      while (run >= 3) {
        int r = run < 6 ? run : 6;
        rle[k++] = (u16)(16 | ((r - 3) << 5));
        clFreq[16]++;
        run -= r;
      }
    }
    for (; run > 0; run--) {
      rle[k++] = (u16)v;
      clFreq[v]++;
    }
  }
  return k;
}

// Bits of the block's symbols (with extra bits and end-of-block) under the given lengths.
static long long dataBits(const u8 *ll, const u8 *dl) {
  long long total = 0;
  for (int i = 0; i < 286; i++) total += (long long)litFreq[i] * ll[i];
  for (int i = 0; i < 30; i++) total += (long long)distFreq[i] * (dl[i] + DIST_EXTRA[i]);
  for (int c = 0; c < 29; c++) total += (long long)litFreq[257 + c] * LEN_EXTRA[c];
  return total;
}

#define FLUSH16()            \
  if (n >= 16) {             \
    buf[o++] = (u8)a;        \
    buf[o++] = (u8)(a >> 8); \
    a >>= 16;                \
    n -= 16;                 \
  }

// Writes the symbols syms[0..count) with the given codes, then end-of-block.
static void writeSymbols(int count, const u8 *ll, const u16 *lc, const u8 *dl, const u16 *dc) {
  u8 *buf = out;
  u32 o = op;
  u32 a = acc;
  u32 n = nbits;
  for (int i = 0; i < count; i++) {
    u32 s = syms[i];
    if (s < 256) {
      a |= (u32)lc[s] << n;
      n += ll[s];
      FLUSH16()
      continue;
    }
    u32 len = s >> 16;
    u32 dist = s & 0xffff;
    u32 li = lenIndex[len];
    a |= (u32)lc[257 + li] << n;
    n += ll[257 + li];
    FLUSH16()
    u32 le = LEN_EXTRA[li];
    if (le != 0) {
      a |= (len - LEN_BASE[li]) << n;
      n += le;
      FLUSH16()
    }
    u32 di = dist <= 256 ? distLow[dist - 1] : distHigh[(dist - 1) >> 7];
    a |= (u32)dc[di] << n;
    n += dl[di];
    FLUSH16()
    u32 de = DIST_EXTRA[di];
    if (de != 0) {
      a |= (dist - DIST_BASE[di]) << n;
      n += de;
      FLUSH16()
    }
  }
  op = o;
  acc = a;
  nbits = n;
  putBits(lc[256], ll[256]);
}

// Writes one block: the symbols syms[0..count), which encode src[from..to).
__attribute__((noinline)) static void writeBlock(const u8 *src, int from, int to, int count, int last) {
  litFreq[256] = 1;
  buildLengths(litFreq, 286, 15, litLen);
  buildLengths(distFreq, 30, 15, distLen);
  int anyDist = 0;
  for (int i = 0; i < 30; i++) anyDist |= distLen[i];
  if (!anyDist) {
    // No match in the block: still send two distance codes, which every inflater accepts.
    distLen[0] = distLen[1] = 1;
  }
  int hlit = 286;
  while (hlit > 257 && litLen[hlit - 1] == 0) hlit--;
  int hdist = 30;
  while (hdist > 1 && distLen[hdist - 1] == 0) hdist--;
  for (int i = 0; i < hlit; i++) allLens[i] = litLen[i];
  for (int i = 0; i < hdist; i++) allLens[hlit + i] = distLen[i];
  int nrle = runLengths(hlit + hdist);
  buildLengths(clFreq, 19, 7, clLen);
  int hclen = 19;
  while (hclen > 4 && clLen[CL_ORDER[hclen - 1]] == 0) hclen--;

  long long dynamicBits = 3 + 5 + 5 + 4 + 3 * hclen;
  for (int i = 0; i < 19; i++) dynamicBits += (long long)clFreq[i] * clLen[i];
  dynamicBits += (long long)clFreq[16] * 2 + (long long)clFreq[17] * 3 + (long long)clFreq[18] * 7;
  dynamicBits += dataBits(litLen, distLen);
  long long fixedBits = 3 + dataBits(fixedLitLen, fixedDistLen);
  long long length = to - from;
  long long pieces = length == 0 ? 1 : (length + 65534) / 65535;
  // The first stored header is padded to a byte; the later ones start aligned.
  long long nb = nbits;
  long long storedBits = ((nb + 3 + 7) & ~7LL) - nb + 32 + (pieces - 1) * 40 + 8 * length;

  if (storedBits <= dynamicBits && storedBits <= fixedBits) {
    int p = from;
    do {
      u32 n = to - p < 65535 ? (u32)(to - p) : 65535;
      putBits(last && p + (int)n == to ? 1 : 0, 3);
      alignToByte();
      out[op++] = (u8)n;
      out[op++] = (u8)(n >> 8);
      out[op++] = (u8)~n;
      out[op++] = (u8)(~n >> 8);
      __builtin_memcpy(out + op, src + p, n);
      op += n;
      p += (int)n;
    } while (p < to);
  } else if (fixedBits <= dynamicBits) {
    putBits(last ? 3 : 2, 3);
    writeSymbols(count, fixedLitLen, fixedLitCode, fixedDistLen, fixedDistCode);
  } else {
    putBits(last ? 5 : 4, 3);
    putBits((u32)(hlit - 257), 5);
    putBits((u32)(hdist - 1), 5);
    putBits((u32)(hclen - 4), 4);
    for (int i = 0; i < hclen; i++) putBits(clLen[CL_ORDER[i]], 3);
    buildCodes(clLen, 19, clCode);
    for (int i = 0; i < nrle; i++) {
      u32 s = rle[i] & 31;
      putBits(clCode[s], clLen[s]);
      if (s == 16) putBits(rle[i] >> 5, 2);
      else if (s == 17) putBits(rle[i] >> 5, 3);
      else if (s == 18) putBits(rle[i] >> 5, 7);
    }
    buildCodes(litLen, 286, litCode);
    buildCodes(distLen, 30, distCode);
    writeSymbols(count, litLen, litCode, distLen, distCode);
  }
  for (int i = 0; i < 286; i++) litFreq[i] = 0;
  for (int i = 0; i < 30; i++) distFreq[i] = 0;
}

static inline u32 load32(const u8 *p) {
  u32 v;
  __builtin_memcpy(&v, p, 4);
  return v; // WebAssembly is little-endian, as the oracle's byte assembly
}

static inline u64 load64(const u8 *p) {
  u64 v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

static inline u32 hash4(const u8 *src, int p) {
  return (load32(src + p) * 0x9e3779b1u) >> (32 - HASH_BITS);
}

// Hashes position p (its 4 bytes) into the chains.
static inline void insert(const u8 *src, int p) {
  u32 h = hash4(src, p);
  prev[p & WMASK] = head[h];
  head[h] = p;
}

// Inserts p, then returns the longest match for src[p..end) longer than `better` among at most
// MAX_CHAIN earlier positions, as (length << 16) | distance, or 0.
static inline int insertAndMatch(const u8 *src, int p, int end, int better) {
  u32 h = hash4(src, p);
  int cand = head[h];
  prev[p & WMASK] = cand;
  head[h] = p;
  int maxLen = end - p < MAX_MATCH ? end - p : MAX_MATCH;
  if (better >= maxLen) return 0;
  int bestLen = better;
  int bestDist = 0;
  for (int chain = MAX_CHAIN; cand >= 0 && p - cand <= WINDOW && chain > 0; chain--) {
    if (src[cand + bestLen] == src[p + bestLen] && src[cand] == src[p] &&
        src[cand + 1] == src[p + 1] && src[cand + 2] == src[p + 2]) {
      // The first difference at or after byte 3, 8 bytes at a time (reading past src[end] is
      // allowed; the length is capped at maxLen, as the oracle's byte loop stops there).
      int l = 3;
      for (;;) {
        u64 x = load64(src + cand + l) ^ load64(src + p + l);
        if (x != 0) {
          l += __builtin_ctzll(x) >> 3;
          break;
        }
        l += 8;
        if (l >= maxLen) break;
      }
      if (l > maxLen) l = maxLen;
      if (l > bestLen) {
        bestLen = l;
        bestDist = p - cand;
        if (l >= NICE_MATCH || l == maxLen) break;
      }
    }
    int next = prev[cand & WMASK];
    if (next >= cand) break; // the slot was reused by a newer position: end of this chain
    cand = next;
  }
  return bestDist == 0 ? 0 : (bestLen << 16) | bestDist;
}

// The scan's position, symbol count and run of positions without a match, kept between the calls
// of scan().
static int pos;
static int count;
static u32 misses;

// Turns src[pos..) into symbols until the block is full (BLOCK_SYMBOLS) or the input ends. A
// function of its own, called once per block: V8 runs a WebAssembly function's first calls with
// its baseline compiler (Liftoff) and switches to the optimized code (TurboFan, compiled in the
// background) at the next call, so a segment is not scanned with baseline code throughout.
__attribute__((noinline)) static void scan(const u8 *src, int end) {
  int lastHash = end - MIN_MATCH; // the last position whose 4 bytes can be hashed
  int i = pos;
  int count_ = count;
  u32 misses_ = misses;
  while (i < end && count_ < BLOCK_SYMBOLS) {
    if (i > lastHash) {
      u32 b = src[i++];
      syms[count_++] = b;
      litFreq[b]++;
      continue;
    }
    int match = insertAndMatch(src, i, end, MIN_MATCH - 1);
    if (match == 0) {
      u32 b = src[i];
      syms[count_++] = b;
      litFreq[b]++;
      misses_++;
      u32 step = 1 + (misses_ >> SKIP_SHIFT);
      if (step > MAX_SKIP) step = MAX_SKIP;
      // Positions skipped over are emitted as literals and not hashed.
      for (int k = 1; k < (int)step && i + k < end; k++) {
        u32 c = src[i + k];
        syms[count_++] = c;
        litFreq[c]++;
      }
      i += (int)step;
      continue;
    }
    misses_ = 0;
    int inserted = i; // the last position hashed
    // Lazy evaluation: a longer match one byte later wins over this one.
    while ((match >> 16) < LAZY_BELOW && i + 1 <= lastHash) {
      int later = insertAndMatch(src, i + 1, end, match >> 16);
      inserted = i + 1;
      if (later == 0) break;
      u32 b = src[i++];
      syms[count_++] = b;
      litFreq[b]++;
      match = later;
    }
    int bestLen = match >> 16;
    int bestDist = match & 0xffff;
    syms[count_++] = (u32)match;
    litFreq[257 + lenIndex[bestLen]]++;
    distFreq[bestDist <= 256 ? distLow[bestDist - 1] : distHigh[(bestDist - 1) >> 7]]++;
    int stop = i + bestLen;
    int insertEnd = stop - 1 < lastHash ? stop - 1 : lastHash;
    // Hash the positions inside the match (all of a short one, the ends of a long one).
    if (bestLen <= INSERT_ALL) {
      for (int p = inserted + 1; p <= insertEnd; p++) insert(src, p);
    } else {
      int headEnd = i + 3 < insertEnd ? i + 3 : insertEnd;
      for (int p = inserted + 1; p <= headEnd; p++) insert(src, p);
      for (int p = insertEnd - 2 > headEnd ? insertEnd - 2 : headEnd + 1; p <= insertEnd; p++) {
        insert(src, p);
      }
    }
    i = stop;
  }
  pos = i;
  count = count_;
  misses = misses_;
}

extern u8 __heap_base;

// Where deflate.js may put its buffers: the linear memory above the encoder's own data.
__attribute__((export_name("deflate_heap_base"))) u32 deflate_heap_base(void) {
  return (u32)&__heap_base;
}

__attribute__((export_name("deflate_segment"))) u32 deflate_segment(const u8 *src, int end,
                                                                     int start, int last,
                                                                     u8 *output) {
  if (!initialized) init();
  out = output;
  op = 0;
  acc = 0;
  nbits = 0;
  __builtin_memset(head, 0xff, sizeof head);
  __builtin_memset(prev, 0xff, sizeof prev);
  for (int i = 0; i < 286; i++) litFreq[i] = 0;
  for (int i = 0; i < 30; i++) distFreq[i] = 0;
  int lastHash = end - MIN_MATCH; // the last position whose 4 bytes can be hashed

  // The window: hash every position of the bytes before the segment.
  for (int p = 0; p < start && p <= lastHash; p++) insert(src, p);

  count = 0;
  pos = start;
  misses = 0;
  int blockStart = start;
  while (pos < end) {
    if (count >= BLOCK_SYMBOLS) {
      writeBlock(src, blockStart, pos, count, 0);
      count = 0;
      blockStart = pos;
    }
    scan(src, end);
  }
  writeBlock(src, blockStart, end, count, last);
  if (last) {
    alignToByte();
  } else {
    // Sync flush: an empty non-final stored block ends the segment on a byte boundary.
    putBits(0, 3);
    alignToByte();
    out[op++] = 0;
    out[op++] = 0;
    out[op++] = 0xff;
    out[op++] = 0xff;
  }
  return op;
}
