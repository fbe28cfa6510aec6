import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decode, encode, f16BitsToNumber, numberToBF16Bits, numberToF16Bits, firstNonFinite } from '../../src/io/dtypes.js';

interface Case {
  f32: number;
  f16: number;
  bf16: number;
}
// Golden: numpy float32->float16 and torch float32->bfloat16 (scripts/golden/io_safetensors.py).
const cases = JSON.parse(readFileSync(new URL('../fixtures/io/dtype_cases.json', import.meta.url), 'utf8')) as Case[];
const asF32 = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0];

test('float32 -> f16 bits matches numpy (round to nearest even, subnormals, overflow)', () => {
  for (const c of cases) assert.equal(numberToF16Bits(asF32(c.f32)), c.f16, `f32 bits 0x${c.f32.toString(16)} = ${asF32(c.f32)}`);
});

test('float32 -> bf16 bits matches torch', () => {
  for (const c of cases) assert.equal(numberToBF16Bits(asF32(c.f32)), c.bf16, `f32 bits 0x${c.f32.toString(16)}`);
});

test('f16 and bf16 decoders invert the golden bit patterns', () => {
  const h = new Uint16Array(cases.map((c) => c.f16));
  const b = new Uint16Array(cases.map((c) => c.bf16));
  const dh = decode('F16', new Uint8Array(h.buffer), h.length);
  const db = decode('BF16', new Uint8Array(b.buffer), b.length);
  cases.forEach((c, i) => {
    assert.equal(numberToF16Bits(dh[i]), c.f16);
    assert.equal(numberToBF16Bits(db[i]), c.bf16);
    assert.equal(f16BitsToNumber(c.f16), dh[i]);
  });
  assert.ok(Number.isNaN(f16BitsToNumber(0x7e00)));
  assert.equal(f16BitsToNumber(0x0001), 2 ** -24);
  assert.equal(f16BitsToNumber(0xfbff), -65504);
});

test('big-endian input decodes to the same values as little-endian', () => {
  const vals = [1.5, -2.25, 1e-3, 12345.5];
  for (const dt of ['F64', 'F32', 'F16', 'BF16'] as const) {
    const le = encode(dt, vals);
    const size = le.length / vals.length;
    const be = new Uint8Array(le.length);
    for (let i = 0; i < vals.length; i++) for (let k = 0; k < size; k++) be[i * size + k] = le[i * size + size - 1 - k];
    assert.deepEqual(Array.from(decode(dt, be, vals.length, false)), Array.from(decode(dt, le, vals.length, true)), dt);
  }
  const i16 = new Uint8Array([0xff, 0xfe, 0x00, 0x05]);
  assert.deepEqual(Array.from(decode('I16', i16, 2, false)), [-2, 5]);
});

test('decode works on unaligned views and for integer types', () => {
  const buf = new Uint8Array(1 + 8);
  buf.set(encode('F32', [3.5, -1]), 1);
  assert.deepEqual(Array.from(decode('F32', buf.subarray(1), 2)), [3.5, -1]);
  assert.deepEqual(Array.from(decode('I8', new Uint8Array([0x80, 0x7f, 0xff]), 3)), [-128, 127, -1]);
  assert.deepEqual(Array.from(decode('U8', new Uint8Array([0x80, 0x7f, 0xff]), 3)), [128, 127, 255]);
  const i64 = new Uint8Array(16);
  new DataView(i64.buffer).setBigInt64(8, -7n, true);
  assert.deepEqual(Array.from(decode('I64', i64, 2)), [0, -7]);
  assert.ok(decode('F64', encode('F64', [1]), 1) instanceof Float64Array);
  assert.ok(decode('F16', encode('F16', [1]), 1) instanceof Float32Array);
});

test('firstNonFinite finds NaN and infinities', () => {
  assert.equal(firstNonFinite([1, 2, 3]), -1);
  assert.equal(firstNonFinite([1, NaN]), 1);
  assert.equal(firstNonFinite(new Float32Array([Infinity])), 0);
});
