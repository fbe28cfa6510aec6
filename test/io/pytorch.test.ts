import { test } from 'node:test';
import { openGatedFile } from '../../src/io/node-gate.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPyTorch } from '../../src/io/formats/pytorch/reader.js';
import { unpickle } from '../../src/io/formats/pytorch/pickle.js';
import { MAX_PICKLE_ITEMS, MAX_PICKLE_MEMO } from '../../src/io/limits.js';
import { openSource } from '../../src/io/open.js';
import { BadFileError, GenboundError, UnsupportedError } from '../../src/errors.js';

const FIX = fileURLToPath(new URL('../fixtures/io/torch/', import.meta.url));
type Expected = Record<string, { shape: number[]; dtype: string; values?: number[] }>;
const load = (f: string): Expected => JSON.parse(readFileSync(join(FIX, f), 'utf8')) as Expected;

for (const file of ['bert_like.bin', 'bert_like_legacy.bin']) {
  test(`${file}: every tensor matches torch's own values (dtypes, Parameter, views, shared storage)`, async () => {
    const exp = load('bert_like.json');
    const src = await openSource(join(FIX, file));
    try {
      assert.equal(src.format, 'pytorch');
      assert.deepEqual(src.list().map((t) => t.name), Object.keys(exp));
      for (const [name, e] of Object.entries(exp)) {
        assert.equal(src.list().find((t) => t.name === name)?.dtype, e.dtype, name);
        if (!e.values) {
          await assert.rejects(src.read(name), (err: Error) => err instanceof UnsupportedError && err.message.includes(`"${name}" has dtype I64`));
          continue;
        }
        const t = await src.read(name);
        assert.deepEqual(t.shape, e.shape, name);
        assert.deepEqual(Array.from(t.data), e.values, name);
        assert.equal(t.data instanceof Float64Array, e.dtype === 'F64', name);
      }
    } finally {
      await src.close();
    }
  });
}

test('a training checkpoint wrapping the state dict is unwrapped', async () => {
  const exp = load('wrapped.json');
  const src = await openPyTorch(await openGatedFile(join(FIX, 'wrapped.pt')));
  assert.deepEqual(src.list().map((t) => t.name), Object.keys(exp));
  for (const [name, e] of Object.entries(exp)) assert.deepEqual(Array.from((await src.read(name)).data), e.values);
  await src.close();
});

test('sharded pytorch_model.bin.index.json folder, with config.json', async () => {
  const dir = join(FIX, 'sharded');
  const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const src = await openSource(dir);
  assert.equal(src.format, 'pytorch');
  assert.deepEqual(src.config, { model_type: 'toy' });
  for (const [name, e] of Object.entries(exp)) assert.deepEqual(Array.from((await src.read(name)).data), e.values, name);
  await src.close();
});

test('a pickle that would run code is refused, naming the global, and nothing runs', async () => {
  for (const f of ['evil.bin', 'evil_legacy.bin']) {
    await assert.rejects(openSource(join(FIX, f)), (e: Error) => {
      assert.ok(e instanceof UnsupportedError, `${f}: ${e.message}`);
      assert.match(e.message, /"posix\.system", which is not part of a PyTorch state dict; refused/);
      return true;
    });
  }
});

test('truncated and corrupted zips give one-line BadFileErrors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gb-pt-'));
  const good = readFileSync(join(FIX, 'bert_like.bin'));
  const cut = join(dir, 'cut.bin');
  writeFileSync(cut, good.subarray(0, good.length - 100));
  await assert.rejects(openSource(cut), (e: Error) => e instanceof BadFileError && /corrupt zip: no end-of-central-directory/.test(e.message));
  // Storage bytes missing but the directory intact: the error comes when reading that tensor.
  const legacy = readFileSync(join(FIX, 'bert_like_legacy.bin'));
  const lcut = join(dir, 'lcut.bin');
  writeFileSync(lcut, legacy.subarray(0, legacy.length - 10));
  await assert.rejects(openSource(lcut), (e: Error) => e instanceof BadFileError && /truncated: storage/.test(e.message));
  const lpk = join(dir, 'lpk.bin');
  writeFileSync(lpk, legacy.subarray(0, 200));
  await assert.rejects(openSource(lpk), (e: Error) => e instanceof BadFileError && /truncated pickle/.test(e.message));
  // Flip the central-directory offset.
  const bad = Buffer.from(good);
  const eocd = bad.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  bad.writeUInt32LE(0xfffffff0 - 1, eocd + 16);
  const p = join(dir, 'cd.bin');
  writeFileSync(p, bad);
  await assert.rejects(openSource(p), (e: Error) => e instanceof GenboundError && e.message.startsWith(p) && !e.message.includes('\n'));
});

/**
 * A pickle `0x80 2 <head> <body × n> <tail> STOP` built straight into bytes (millions of opcodes):
 * the body is written once and doubled with copyWithin; `patch` then writes what varies per item.
 */
function bulkPickle(head: number[], body: number[], n: number, tail: number[], patch?: (out: Uint8Array, at: number, i: number) => void): Uint8Array {
  const start = 2 + head.length;
  const out = new Uint8Array(start + body.length * n + tail.length + 1);
  out.set([0x80, 2, ...head]);
  out.set(body, start);
  const end = start + body.length * n;
  for (let len = body.length; start + len < end; len *= 2) out.copyWithin(start + len, start, Math.min(start + len, end - len));
  if (patch) for (let i = 0; i < n; i++) patch(out, start + i * body.length, i);
  out.set([...tail, 0x2e], end);
  return out;
}

test('pickle size limits: a stack, list, dict or memo past MAX_PICKLE_ITEMS / MAX_PICKLE_MEMO is one line; under them it loads', () => {
  const opts = { file: 'x.pkl', globals: new Map() };
  const N = MAX_PICKLE_ITEMS + 1;
  const le = (k: number) => [0x4a, k & 255, (k >> 8) & 255, (k >> 16) & 255, k >>> 24];
  const cases: [string, Uint8Array, RegExp][] = [
    ['values in one MARK frame', bulkPickle([0x5d, 0x28], [0x4b, 1], N, [0x65]), /more than 2097152 values on the stack/],
    ['APPEND one by one', bulkPickle([0x5d], [0x4b, 1, 0x61], N, []), /more than 2097152 list items/],
    ['SETITEM one by one', bulkPickle([0x7d], [...le(0), 0x4e, 0x73], N, [], (o, at, i) => o.set(le(i), at)), /more than 2097152 dict entries/],
    ['MEMOIZE', bulkPickle([0x4e], [0x94], MAX_PICKLE_MEMO + 1, []), /more than 8388608 memo entries/],
  ];
  for (const [what, bytes, re] of cases) {
    assert.throws(() => unpickle(bytes, opts), (e: unknown) => e instanceof BadFileError && /^x\.pkl: pickle holds more than \d+ [a-z ]+ \(at byte \d+\); refused/.test(e.message) && re.test(e.message), what);
  }
  // At the limit: a list of exactly MAX_PICKLE_ITEMS - 1 items (plus the list itself on the stack) loads.
  const list = unpickle(bulkPickle([0x5d, 0x28], [0x4b, 7], MAX_PICKLE_ITEMS - 1, [0x65]), opts).value as number[];
  assert.equal(list.length, MAX_PICKLE_ITEMS - 1);
  assert.equal(list[MAX_PICKLE_ITEMS - 2], 7);
  // Memo keys: scattered LONG_BINPUT keys read back by LONG_BINGET (the memo is an array now).
  const keyed = bulkPickle([0x4b, 5, 0x72, 0, 0, 0, 0x80, 0x30, 0x6a, 0, 0, 0, 0x80, 0x6a, 9, 0, 0, 0], [], 0, [0x86]);
  assert.throws(() => unpickle(keyed, opts), /memo key 9 used before it was set/);
  const pair = bulkPickle([0x4b, 5, 0x72, 0, 0, 0, 0x80, 0x30, 0x6a, 0, 0, 0, 0x80, 0x6a, 0, 0, 0, 0x80], [], 0, [0x86]);
  assert.deepEqual(unpickle(pair, opts).value, [5, 5]);
});
