import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenboundError } from '../../src/errors.js';
import { parseSafetensorsHeader } from '../../src/io/formats/safetensors/reader.js';
import { parseGgufHeader } from '../../src/io/formats/gguf/reader.js';
import { parseStateDictPickle } from '../../src/io/formats/pytorch/reader.js';
import { unpickle } from '../../src/io/formats/pytorch/pickle.js';
import { openSource } from '../../src/io/open.js';
import { openGatedFile } from '../../src/io/node-gate.js';
import { readZipDirectory, storedDataOffset } from '../../src/io/formats/pytorch/zip.js';

/**
 * Fuzzing with a fixed seed and a bounded number of cases: random bytes and mutated valid inputs
 * must either parse or throw a GenboundError subclass (never RangeError, TypeError, ...), and
 * every case must finish (each is timed; a hang fails the test by its time limit).
 */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIX = fileURLToPath(new URL('../fixtures/io/', import.meta.url));

/** Random edits: flip bytes, set interesting values, cut, insert or duplicate a slice. */
function mutate(src: Uint8Array, r: () => number): Uint8Array {
  let b = Uint8Array.from(src);
  const edits = 1 + Math.floor(r() * 4);
  for (let e = 0; e < edits && b.length > 0; e++) {
    const i = Math.floor(r() * b.length);
    const kind = Math.floor(r() * 6);
    if (kind === 0) b[i] ^= 1 << Math.floor(r() * 8);
    else if (kind === 1) b[i] = [0, 0xff, 0x7f, 0x80, 0x2e, 0x28, 0x7b][Math.floor(r() * 7)];
    else if (kind === 2) b = b.subarray(0, i);
    else if (kind === 3) b = Uint8Array.from([...b.subarray(0, i), Math.floor(r() * 256), ...b.subarray(i)]);
    else if (kind === 4) b.fill(0xff, i, Math.min(b.length, i + 8));
    else {
      const j = Math.floor(r() * b.length);
      b = Uint8Array.from([...b.subarray(0, i), ...b.subarray(j, j + 16), ...b.subarray(i)]);
    }
  }
  return b;
}

function randomBytes(r: () => number, max: number): Uint8Array {
  const b = new Uint8Array(Math.floor(r() * max));
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
  return b;
}

function expectOnlyGenboundErrors(label: string, inputs: Iterable<Uint8Array>, parse: (b: Uint8Array) => unknown): { ok: number; refused: number } {
  let ok = 0;
  let refused = 0;
  let k = 0;
  for (const b of inputs) {
    const t0 = Date.now();
    try {
      parse(b);
      ok++;
    } catch (err) {
      if (!(err instanceof GenboundError)) {
        assert.fail(`${label} case ${k}: ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)} for bytes ${Buffer.from(b.subarray(0, 64)).toString('hex')}`);
      }
      assert.ok(!err.message.includes('\n'), `${label} case ${k}: multi-line message`);
      refused++;
    }
    assert.ok(Date.now() - t0 < 2000, `${label} case ${k} took too long`);
    k++;
  }
  return { ok, refused };
}

function* cases(seed: number, n: number, valid: Uint8Array, maxRandom: number): Generator<Uint8Array> {
  const r = rng(seed);
  for (let i = 0; i < n; i++) yield i % 4 === 0 ? randomBytes(r, maxRandom) : mutate(valid, r);
}

test('fuzz: safetensors header parser', () => {
  const file = readFileSync(join(FIX, 'st_small.safetensors'));
  const n = Number(file.readBigUInt64LE(0));
  const header = new Uint8Array(file.subarray(8, 8 + n));
  const textual = (r: () => number): Uint8Array => {
    // Mutations that keep JSON valid but change what it says.
    const json = JSON.parse(new TextDecoder().decode(header)) as Record<string, Record<string, unknown>>;
    const names = Object.keys(json).filter((k) => k !== '__metadata__');
    const t = json[names[Math.floor(r() * names.length)]];
    const vals: unknown[] = [-1, 0, 1, 2 ** 53, 1e300, 'x', null, [], [1, 2, 3], {}, [0, 2 ** 40], [5, 3], 'F8_E4M3', 'Q4'];
    const field = ['dtype', 'shape', 'data_offsets'][Math.floor(r() * 3)];
    t[field] = vals[Math.floor(r() * vals.length)];
    return new TextEncoder().encode(JSON.stringify(json));
  };
  const r = rng(11);
  const inputs = [...cases(1, 1500, header, 300), ...Array.from({ length: 500 }, () => textual(r))];
  const res = expectOnlyGenboundErrors('safetensors', inputs, (b) => parseSafetensorsHeader('f.safetensors', b, file.length - n + b.length));
  assert.ok(res.refused > 0 && res.ok > 0, JSON.stringify(res));
});

test('fuzz: restricted unpickler and state-dict builder', async () => {
  const f = await openGatedFile(join(FIX, 'torch', 'bert_like.bin'));
  const entries = await readZipDirectory(f);
  const pkl = entries.find((e) => e.name.endsWith('data.pkl'));
  assert.ok(pkl);
  const bytes = await f.read(await storedDataOffset(f, pkl), pkl.size);
  await f.close();
  assert.equal(parseStateDictPickle('data.pkl', bytes).tensors.size, 15);
  const res = expectOnlyGenboundErrors('pickle', cases(2, 3000, bytes, 400), (b) => parseStateDictPickle('data.pkl', b));
  assert.ok(res.refused > 0, JSON.stringify(res));
  // The bare unpickler with no globals allowed at all.
  expectOnlyGenboundErrors('pickle-bare', cases(3, 1000, bytes, 400), (b) => unpickle(b, { file: 'x', globals: new Map() }));
});

test('fuzz: GGUF header parser', () => {
  const good = new Uint8Array(readFileSync(join(FIX, 'gguf', 'small.gguf')));
  const res = expectOnlyGenboundErrors('gguf', cases(4, 3000, good, 400), (b) => parseGgufHeader('f.gguf', b, b.length));
  assert.ok(res.refused > 0 && res.ok > 0, JSON.stringify(res));
});

test('fuzz: whole files through openSource and read (zip, legacy pickle, GGUF, safetensors)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gb-fuzz-'));
  const r = rng(5);
  const files = ['torch/bert_like.bin', 'torch/bert_like_legacy.bin', 'gguf/small.gguf', 'st_small.safetensors'];
  let k = 0;
  for (const f of files) {
    const good = readFileSync(join(FIX, f));
    for (let i = 0; i < 60; i++, k++) {
      const p = join(dir, `case${k}${f.slice(f.lastIndexOf('.'))}`);
      writeFileSync(p, mutate(good, r));
      try {
        const src = await openSource(p);
        try {
          for (const t of src.list()) await src.read(t.name).catch((e: unknown) => {
            if (!(e instanceof GenboundError)) throw e;
          });
        } finally {
          await src.close();
        }
      } catch (err) {
        assert.ok(err instanceof GenboundError, `${f} mutation ${i}: ${String(err)}`);
      }
    }
  }
});
