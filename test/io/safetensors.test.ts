import { test } from 'node:test';
import { NodeFolder, openGatedFile } from '../../src/io/node-gate.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, openSync, writeSync, closeSync, ftruncateSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSafetensors, openShardedSafetensors } from '../../src/io/formats/safetensors/reader.js';
import { writeSafetensors } from '../../src/io/formats/safetensors/write.js';
import { openSource } from '../../src/io/open.js';
import { BadFileError, BadOptionError, ModelError, NumericError, UnsupportedError } from '../../src/errors.js';

const FIX = fileURLToPath(new URL('../fixtures/io/', import.meta.url));
const tmp = (): string => mkdtempSync(join(tmpdir(), 'gb-io-'));

interface Expected {
  metadata: Record<string, string>;
  tensors: Record<string, { shape: number[]; values: number[] }>;
}

test('reads every dtype of the golden safetensors file', async () => {
  const exp = JSON.parse(readFileSync(join(FIX, 'st_small.json'), 'utf8')) as Expected;
  const src = await openSafetensors(await openGatedFile(join(FIX, 'st_small.safetensors')));
  try {
    assert.equal(src.format, 'safetensors');
    assert.deepEqual(src.metadata, exp.metadata);
    assert.deepEqual(src.list().map((t) => t.name), ['f64', 'enc.f32', 'f16', 'bf16', 'i8', 'u8', 'empty', 'position_ids']);
    for (const [name, e] of Object.entries(exp.tensors)) {
      const t = await src.read(name);
      assert.deepEqual(t.shape, e.shape, name);
      assert.deepEqual(Array.from(t.data), e.values, name);
      assert.ok(name === 'f64' ? t.data instanceof Float64Array : t.data instanceof Float32Array, name);
    }
    await assert.rejects(src.read('position_ids'), (err: Error) => err instanceof UnsupportedError && /position_ids.*I64/.test(err.message));
    await assert.rejects(src.read('nope'), ModelError);
  } finally {
    await src.close();
  }
});

test('NaN and Inf are refused on read, naming the tensor (unless checking is off)', async () => {
  const p = join(FIX, 'st_nonfinite.safetensors');
  const src = await openSafetensors(await openGatedFile(p));
  assert.equal((await src.read('ok')).data[0], 1);
  await assert.rejects(src.read('has_nan'), (e: Error) => e instanceof NumericError && e.message.includes('"has_nan" contains NaN'));
  await assert.rejects(src.read('has_inf'), (e: Error) => e instanceof NumericError && e.message.includes('"has_inf" contains -Inf'));
  await src.close();
  const lax = await openSafetensors(await openGatedFile(p), { checkFinite: false });
  assert.ok(Number.isNaN((await lax.read('has_nan')).data[1]));
  await lax.close();
});

test('sharded checkpoint: index, shards and config.json through openSource', async () => {
  const dir = join(FIX, 'sharded');
  const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, number[]>;
  const src = await openSource(dir);
  try {
    assert.equal(src.format, 'safetensors');
    assert.deepEqual(src.config, { model_type: 'toy', hidden_size: 3 });
    assert.deepEqual(src.list().map((t) => t.name).sort(), Object.keys(exp).sort());
    for (const [n, v] of Object.entries(exp)) {
      const t = await src.read(n);
      assert.deepEqual(t.shape, [2, 3]);
      assert.deepEqual(Array.from(t.data), v);
    }
  } finally {
    await src.close();
  }
  const d2 = tmp();
  for (const f of readdirSync(dir)) writeFileSync(join(d2, f), readFileSync(join(dir, f)));
  const idx = JSON.parse(readFileSync(join(d2, 'model.safetensors.index.json'), 'utf8'));
  idx.weight_map['layer.0.weight'] = 'model-00002-of-00002.safetensors';
  writeFileSync(join(d2, 'model.safetensors.index.json'), JSON.stringify(idx));
  await assert.rejects(openShardedSafetensors(await NodeFolder.open(d2), 'model.safetensors.index.json'), /layer\.0\.weight.*no such tensor/);
  rmSync(join(d2, 'model-00002-of-00002.safetensors'));
  await assert.rejects(openSource(d2), (e: Error) => e instanceof BadFileError && e.message.includes('model-00002-of-00002.safetensors: no such file'));
});

test('writeSafetensors round-trips F64/F32/F16/BF16/I8/U8 with metadata, atomically', async () => {
  const dir = tmp();
  const p = join(dir, 'out', 'w.safetensors');
  const x = [0.1, -2.5, 3e-5, 70000];
  await writeSafetensors(
    p,
    [
      { name: 'a', dtype: 'F64', shape: [2, 2], data: x },
      { name: 'b', dtype: 'F32', shape: [4], data: new Float32Array(x) },
      { name: 'c', dtype: 'F16', shape: [1, 4], data: x },
      { name: 'd', dtype: 'BF16', shape: [4, 1], data: x },
      { name: 'e', dtype: 'I8', shape: [2], data: [-3, 4] },
      { name: 'f', dtype: 'U8', shape: [2], data: [200, 4] },
    ],
    { format: 'pt' },
  );
  assert.deepEqual(readdirSync(join(dir, 'out')), ['w.safetensors']);
  const raw = readFileSync(p);
  const n = Number(raw.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0, 'header padded to 8 bytes');
  const src = await openSource(p, { checkFinite: false });
  assert.deepEqual(src.list().map((t) => [t.name, t.dtype]), [['a', 'F64'], ['b', 'F32'], ['c', 'F16'], ['d', 'BF16'], ['e', 'I8'], ['f', 'U8']]);
  assert.deepEqual(Array.from((await src.read('a')).data), x);
  assert.deepEqual(Array.from((await src.read('b')).data), Array.from(new Float32Array(x)));
  const c = (await src.read('c')).data;
  assert.equal(c[3], Infinity); // 70000 overflows f16
  assert.ok(Math.abs(c[0] - 0.1) < 1e-4);
  const d = (await src.read('d')).data;
  assert.ok(Math.abs(d[3] - 70000) / 70000 < 4e-3);
  assert.deepEqual(Array.from((await src.read('e')).data), [-3, 4]);
  assert.deepEqual(Array.from((await src.read('f')).data), [200, 4]);
  await src.close();
  await assert.rejects(writeSafetensors(join(dir, 'bad.safetensors'), [{ name: 'a', dtype: 'F32', shape: [3], data: [1, 2] }]), BadOptionError);
  await assert.rejects(
    writeSafetensors(join(dir, 'bad.safetensors'), [
      { name: 'a', dtype: 'F32', shape: [1], data: [1] },
      { name: 'a', dtype: 'F32', shape: [1], data: [1] },
    ]),
    BadOptionError,
  );
  assert.deepEqual(readdirSync(dir).sort(), ['out']);
});

/** Builds a safetensors file from a header object and a data length. */
function rawFile(header: unknown, dataLen: number, lenOverride?: bigint): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lenOverride ?? BigInt(h.length));
  return Buffer.concat([len, h, Buffer.alloc(dataLen)]);
}

test('header validation: each lie gives one clear BadFileError/UnsupportedError naming the file', async () => {
  const dir = tmp();
  const cases: [string, Buffer, RegExp, typeof BadFileError | typeof UnsupportedError][] = [
    ['short', Buffer.from([1, 2, 3]), /shorter than the 8-byte header length/, BadFileError],
    ['len', rawFile({}, 0, 1000n), /truncated: safetensors header length 1000 exceeds the file size/, BadFileError],
    ['huge', rawFile({}, 0, 1n << 60n), /larger than the 100000000-byte limit/, BadFileError],
    ['json', Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x:')]), /not valid UTF-8 JSON/, BadFileError],
    ['arr', rawFile([1, 2], 0), /JSON is not an object/, BadFileError],
    ['dtype', rawFile({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1), /tensor "a" has unknown dtype "Q4"/, UnsupportedError],
    ['shape', rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /invalid shape/, BadFileError],
    ['size', rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4), /needs 8 bytes but data_offsets span 4/, BadFileError],
    ['range', rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4), /truncated or lying header: tensor "a" ends at data byte 8 but the file holds 4/, BadFileError],
    ['offs', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4), /invalid data_offsets/, BadFileError],
    [
      'overlap',
      rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8),
      /"a" and "b" overlap/,
      BadFileError,
    ],
    ['meta', rawFile({ __metadata__: { a: 1 } }, 0), /__metadata__\["a"\] is not a string/, BadFileError],
  ];
  for (const [name, bytes, re, cls] of cases) {
    const p = join(dir, `${name}.safetensors`);
    writeFileSync(p, bytes);
    await assert.rejects(openGatedFile(p).then((f) => openSafetensors(f)), (e: Error) => {
      assert.ok(e instanceof cls, `${name}: ${e.constructor.name} ${e.message}`);
      assert.match(e.message, re, name);
      assert.ok(e.message.startsWith(p), name);
      assert.ok(!e.message.includes('\n'), name);
      return true;
    });
  }
});

test('offsets past 2^31 and 2^32 work (sparse 5 GiB file), reading only the tensor asked for', async () => {
  const dir = tmp();
  const p = join(dir, 'big.safetensors');
  const big = 5 * 2 ** 30; // bytes of a declared-but-never-written tensor
  const header = {
    big: { dtype: 'F32', shape: [big / 4], data_offsets: [0, big] },
    tail: { dtype: 'F64', shape: [2, 2], data_offsets: [big, big + 32] },
  };
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const fd = openSync(p, 'w');
  try {
    writeSync(fd, Buffer.concat([len, h]));
    ftruncateSync(fd, 8 + h.length + big + 32); // sparse: no GBs written
    const tail = Buffer.alloc(32);
    [1.5, -2, 3.25, 1e300].forEach((v, i) => tail.writeDoubleLE(v, i * 8));
    writeSync(fd, tail, 0, 32, 8 + h.length + big);
  } finally {
    closeSync(fd);
  }
  assert.ok(statSync(p).size > 2 ** 32);
  const before = process.memoryUsage().rss;
  const src = await openSource(p);
  assert.deepEqual(src.list().find((t) => t.name === 'big')?.shape, [big / 4]);
  const t = await src.read('tail');
  assert.deepEqual(Array.from(t.data), [1.5, -2, 3.25, 1e300]);
  assert.ok(process.memoryUsage().rss - before < 256 * 2 ** 20, 'reading one tensor must not load the file');
  await src.close();
  rmSync(p);
});

test('openSource: single file by magic bytes, unknown format and missing path', async () => {
  const dir = tmp();
  const p = join(dir, 'weights.data');
  writeFileSync(p, readFileSync(join(FIX, 'st_small.safetensors')));
  const src = await openSource(p);
  assert.equal(src.format, 'safetensors');
  assert.equal(src.config, undefined);
  await src.close();
  writeFileSync(join(dir, 'junk.bin'), 'hello world, not weights');
  await assert.rejects(openSource(join(dir, 'junk.bin')), (e: Error) => e instanceof UnsupportedError && /unrecognised checkpoint format/.test(e.message));
  await assert.rejects(openSource(join(dir, 'missing.safetensors')), (e: Error) => e instanceof BadFileError && /no such file or folder/.test(e.message));
  const empty = join(dir, 'emptydir');
  (await import('node:fs')).mkdirSync(empty);
  await assert.rejects(openSource(empty), (e: Error) => e instanceof BadFileError && /no weights found/.test(e.message));
  writeFileSync(join(dir, 'config.json'), '{"a": ');
  await assert.rejects(openSource(p), (e: Error) => e instanceof BadFileError && /config\.json: not valid JSON/.test(e.message));
});
