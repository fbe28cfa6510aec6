import { f16BitsToNumber } from '../../dtypes.js';

/**
 * Dequantization of ggml's block formats (the structs block_q4_0 … block_iq4_xs of ggml's
 * ggml-common.h; what llama.cpp's GGUF files hold: Q4_K_M files are Q4_K and Q6_K, Q5_K_M files
 * Q5_K and Q6_K, and so on). Each function turns `count` values (a whole number of blocks) into
 * float32, following ggml's dequantize_row_* arithmetic. Written here because no maintained npm
 * package dequantizes GGUF (@huggingface/gguf parses headers only); the golden values in
 * test/io/gguf-quants.test.ts come from llama.cpp's own Python package (gguf-py, quants.py).
 *
 * Block layouts (bytes; d, m, dmin are float16; QK_K = 256):
 *   Q4_0   18: d, qs[16]             x = d·(nibble − 8)          value j: low nibble of qs[j] (j < 16), high nibble of qs[j−16]
 *   Q4_1   20: d, m, qs[16]          x = d·nibble + m
 *   Q5_0   22: d, qh u32, qs[16]     x = d·((nibble | bit_j(qh)<<4) − 16)
 *   Q5_1   24: d, m, qh u32, qs[16]  x = d·(nibble | bit_j(qh)<<4) + m
 *   Q8_0   34: d, qs[32] int8        x = d·q
 *   Q2_K   84: scales[16], qs[64], d, dmin; 16 groups of 16: x = d·(sc&15)·q2 − dmin·(sc>>4)
 *   Q3_K  110: hmask[32], qs[64], scales[12] (16 6-bit, offset 32), d; x = d·s·(q2 − 4·!hbit)
 *   Q4_K  144: d, dmin, scales[12] (8 6-bit scales and mins), qs[128]; x = d·sc·q4 − dmin·mn
 *   Q5_K  176: d, dmin, scales[12], qh[32], qs[128]; q5 = q4 | hbit<<4
 *   Q6_K  210: ql[128], qh[64], scales[16] int8, d; x = d·sc·((q4 | q2<<4) − 32)
 *   IQ4_NL 18: d, qs[16]; x = d·KVALUES[nibble]
 *   IQ4_XS 136: d, scales_h u16, scales_l[4], qs[128]; 8 groups of 32, scale 6-bit − 32
 */
export type BlockDequant = (bytes: Uint8Array, count: number) => Float32Array;

const KVALUES = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

function half(b: Uint8Array, o: number): number {
  return f16BitsToNumber(b[o] | (b[o + 1] << 8));
}

/** Q4_0, Q4_1, Q5_0, Q5_1 and IQ4_NL: 32 values from 16 nibble bytes (+ 32 high bits). */
function block32(bytes: Uint8Array, count: number, size: number, hasMin: boolean, hasHigh: boolean, table?: readonly number[]): Float32Array {
  const out = new Float32Array(count);
  const offset = hasHigh ? 16 : 8;
  for (let blk = 0, o = 0; blk * 32 < count; blk++, o += size) {
    const d = half(bytes, o);
    const m = hasMin ? half(bytes, o + 2) : 0;
    let p = o + (hasMin ? 4 : 2);
    let qh = 0;
    if (hasHigh) {
      qh = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
      p += 4;
    }
    const base = blk * 32;
    for (let j = 0; j < 16; j++) {
      let lo = bytes[p + j] & 15;
      let hi = bytes[p + j] >> 4;
      if (hasHigh) {
        lo |= ((qh >>> j) & 1) << 4;
        hi |= ((qh >>> (j + 16)) & 1) << 4;
      }
      if (table) {
        out[base + j] = d * table[lo];
        out[base + j + 16] = d * table[hi];
      } else if (hasMin) {
        out[base + j] = d * lo + m;
        out[base + j + 16] = d * hi + m;
      } else {
        out[base + j] = d * (lo - offset);
        out[base + j + 16] = d * (hi - offset);
      }
    }
  }
  return out;
}

function q8_0(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let blk = 0, o = 0; blk * 32 < count; blk++, o += 34) {
    const d = half(bytes, o);
    for (let j = 0; j < 32; j++) out[blk * 32 + j] = d * ((bytes[o + 2 + j] << 24) >> 24);
  }
  return out;
}

function q2K(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let blk = 0, o = 0; blk * 256 < count; blk++, o += 84) {
    const d = half(bytes, o + 80);
    const dmin = half(bytes, o + 82);
    const base = blk * 256;
    // value v = 128·h + 32·s + l comes from bits 2s..2s+1 of qs[32·h + l]; group v/16.
    for (let v = 0; v < 256; v++) {
      const h = v >> 7, s = (v >> 5) & 3, l = v & 31;
      const q = (bytes[o + 16 + 32 * h + l] >> (2 * s)) & 3;
      const sc = bytes[o + (v >> 4)];
      out[base + v] = d * (sc & 15) * q - dmin * (sc >> 4);
    }
  }
  return out;
}

function q3K(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const scale = new Int32Array(16);
  for (let blk = 0, o = 0; blk * 256 < count; blk++, o += 110) {
    const sc = o + 96;
    for (let i = 0; i < 16; i++) {
      const lo = (bytes[sc + (i & 7)] >> (4 * (i >> 3))) & 15;
      const hi = (bytes[sc + 8 + (i & 3)] >> (2 * (i >> 2))) & 3;
      scale[i] = (lo | (hi << 4)) - 32;
    }
    const d = half(bytes, o + 108);
    const base = blk * 256;
    for (let v = 0; v < 256; v++) {
      const h = v >> 7, s = (v >> 5) & 3, l = v & 31;
      const q2 = (bytes[o + 32 + 32 * h + l] >> (2 * s)) & 3;
      const hbit = (bytes[o + l] >> (v >> 5)) & 1;
      out[base + v] = d * scale[v >> 4] * (q2 - (hbit ? 0 : 4));
    }
  }
  return out;
}

/** The 8 six-bit scales and mins of Q4_K/Q5_K, packed in 12 bytes at o. */
function scaleMin(bytes: Uint8Array, o: number, sc: Int32Array, mn: Int32Array): void {
  for (let j = 0; j < 4; j++) {
    const d = bytes[o + j], m = bytes[o + 4 + j], md = bytes[o + 8 + j];
    sc[j] = d & 63;
    mn[j] = m & 63;
    sc[j + 4] = (md & 15) | ((d >> 2) & 48);
    mn[j + 4] = (md >> 4) | ((m >> 2) & 48);
  }
}

function q45K(bytes: Uint8Array, count: number, five: boolean): Float32Array {
  const out = new Float32Array(count);
  const sc = new Int32Array(8), mn = new Int32Array(8);
  const size = five ? 176 : 144;
  for (let blk = 0, o = 0; blk * 256 < count; blk++, o += size) {
    const d = half(bytes, o), dmin = half(bytes, o + 2);
    scaleMin(bytes, o + 4, sc, mn);
    const qh = o + 16, qs = o + (five ? 48 : 16);
    const base = blk * 256;
    // sub-block g = 2·c + n (32 values) takes nibble n of qs[32·c + l]; Q5_K adds bit g of qh[l].
    for (let g = 0; g < 8; g++) {
      const c = g >> 1, n = g & 1;
      const dl = d * sc[g], ml = dmin * mn[g];
      for (let l = 0; l < 32; l++) {
        let q = (bytes[qs + 32 * c + l] >> (4 * n)) & 15;
        if (five) q |= ((bytes[qh + l] >> g) & 1) << 4;
        out[base + 32 * g + l] = dl * q - ml;
      }
    }
  }
  return out;
}

function q6K(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let blk = 0, o = 0; blk * 256 < count; blk++, o += 210) {
    const d = half(bytes, o + 208);
    const base = blk * 256;
    for (let v = 0; v < 256; v++) {
      const h = v >> 7;
      const lo = (bytes[o + 64 * h + (v & 63)] >> (4 * ((v >> 6) & 1))) & 15;
      const hi = (bytes[o + 128 + 32 * h + (v & 31)] >> (2 * ((v >> 5) & 3))) & 3;
      const sc = (bytes[o + 192 + (v >> 4)] << 24) >> 24;
      out[base + v] = d * sc * ((lo | (hi << 4)) - 32);
    }
  }
  return out;
}

function iq4XS(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let blk = 0, o = 0; blk * 256 < count; blk++, o += 136) {
    const d = half(bytes, o);
    const sh = bytes[o + 2] | (bytes[o + 3] << 8);
    const base = blk * 256;
    for (let g = 0; g < 8; g++) {
      const lo = (bytes[o + 4 + (g >> 1)] >> (4 * (g & 1))) & 15;
      const dl = d * ((lo | (((sh >> (2 * g)) & 3) << 4)) - 32);
      for (let m = 0; m < 16; m++) {
        const b = bytes[o + 8 + 16 * g + m];
        out[base + 32 * g + m] = dl * KVALUES[b & 15];
        out[base + 32 * g + 16 + m] = dl * KVALUES[b >> 4];
      }
    }
  }
  return out;
}

/** ggml type name -> dequantizer, for every block format genbound decodes. */
export const BLOCK_DEQUANT: Readonly<Record<string, BlockDequant>> = {
  Q4_0: (b, n) => block32(b, n, 18, false, false),
  Q4_1: (b, n) => block32(b, n, 20, true, false),
  Q5_0: (b, n) => block32(b, n, 22, false, true),
  Q5_1: (b, n) => block32(b, n, 24, true, true),
  Q8_0: q8_0,
  Q2_K: q2K,
  Q3_K: q3K,
  Q4_K: (b, n) => q45K(b, n, false),
  Q5_K: (b, n) => q45K(b, n, true),
  Q6_K: q6K,
  IQ4_NL: (b, n) => block32(b, n, 18, false, false, KVALUES),
  IQ4_XS: iq4XS,
};
