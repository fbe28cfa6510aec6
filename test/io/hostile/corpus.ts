import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { concat, enc, external, f32, gguf, type GgufValue, onnxModel, Pickle, safetensors, tfjsManifest, torchZip, u32, u64, zip } from './build.js';

/**
 * The hostile corpus: for each class of attack from issue 11, several cases, each built fresh in
 * its own folder `dir` next to an `outside` folder of sentinels that must never be read.
 * `build` returns the path genbound is pointed at. `via` says how the case is run: 'cli' through
 * `genbound analyze`, 'api' through openSource + reading every tensor, 'lora' through openLora.
 */
export interface Outside {
  dir: string;
  /** A valid safetensors file whose tensor name and metadata carry MARKER. */
  safetensors: string;
  /** A JSON object carrying MARKER. */
  json: string;
  /** 4 KiB of float32 data. */
  bin: string;
}

export interface HostileCase {
  cls: string;
  name: string;
  via: 'cli' | 'api' | 'lora';
  build(dir: string, out: Outside): string | Promise<string>;
  /** The one error line must match this. */
  error: RegExp;
  /** Cleanup of live resources (a listening socket). */
  cleanup?: () => Promise<void>;
}

export const MARKER = 'SENTINEL_6d1f2c';

export function writeOutside(dir: string): Outside {
  mkdirSync(dir, { recursive: true });
  const o = { dir, safetensors: join(dir, 'sentinel.safetensors'), json: join(dir, 'sentinel.json'), bin: join(dir, 'sentinel.bin') };
  writeFileSync(o.safetensors, safetensors({ [`${MARKER}.weight`]: { shape: [2, 2], data: [1, 2, 3, 4] } }, { marker: MARKER }));
  writeFileSync(o.json, JSON.stringify({ model_type: MARKER, weight_map: { [MARKER]: 'sentinel.safetensors' } }));
  writeFileSync(o.bin, f32(new Array(1024).fill(0.5)));
  return o;
}

const ST = safetensors({ 'w.weight': { shape: [2, 2], data: [1, 2, 3, 4] } });
const w = (p: string, data: string | Uint8Array): void => writeFileSync(p, data);
const mkfifo = (p: string): void => {
  execFileSync('mkfifo', [p]);
};

/** A folder whose safetensors index names one shard. */
function indexed(dir: string, shard: string): void {
  w(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: { 'w.weight': shard } }));
}

/** A tfjs folder over `paths` (a 16-element float32 weight per listed shard of 64 bytes). */
function tfjs(dir: string, paths: string[], weights = paths.map((_, i) => ({ name: `w${i}`, count: 16 }))): string {
  w(join(dir, 'model.json'), tfjsManifest(paths, weights));
  return dir;
}

/** An ONNX model whose initializers live in `location`. */
function onnxExt(dir: string, ranges: readonly [string, number, number][], location = 'weights.bin', dims = (len: number) => [len / 4]): string {
  w(join(dir, 'model.onnx'), onnxModel(ranges.map(([name, off, len]) => external(name, dims(len), location, off, len))));
  return dir;
}

/** A torch zip with one tensor of the given view over a storage of `numel` floats. */
function torchView(dir: string, numel: number, shape: number[], stride: number[], file = 'pytorch_model.bin'): string {
  w(join(dir, file), torchZip([{ name: 'w', key: '0', numel, shape: (p) => p.ints(shape), stride: (p) => p.ints(stride) }], { '0': f32(new Array(numel).fill(1)) }));
  return dir;
}

/** A torch zip whose tensor size is written by `size` (a lie the error message must render safely). */
function torchSize(dir: string, size: (p: Pickle) => void, stride: (p: Pickle) => void = (p) => p.ints([1])): string {
  w(join(dir, 'pytorch_model.bin'), torchZip([{ name: 'w', key: '0', numel: 4, shape: size, stride }], { '0': f32([1, 2, 3, 4]) }));
  return dir;
}

/**
 * A two-layer LLaMA GGUF (the names.ts keys, each stored with its proper type) in `dir`, with
 * `lies` replacing or adding metadata.
 */
function ggufFile(dir: string, lies: Record<string, GgufValue>): string {
  const names = ['token_embd.weight', ...[0, 1].flatMap((l) => ['attn_q', 'attn_k', 'attn_v', 'attn_output'].map((m) => `blk.${l}.${m}.weight`))];
  const kv: Record<string, GgufValue> = {
    'general.architecture': 'llama', 'llama.block_count': 2, 'llama.embedding_length': 64, 'llama.feed_forward_length': 128,
    'llama.attention.head_count': 4, 'llama.attention.head_count_kv': 2, 'llama.attention.key_length': 16, ...lies,
  };
  w(join(dir, 'model.gguf'), gguf(names, kv));
  return dir;
}

const ONE_LINE_OUTSIDE = /outside the model folder/;

export function corpus(): HostileCase[] {
  let server: Server | undefined;
  const cases: HostileCase[] = [
    // --- links out of the folder -------------------------------------------------------------
    { cls: 'link-out', name: 'weights link out', via: 'cli', error: /model\.safetensors.*outside the model folder/, build: (d, o) => (symlinkSync(o.safetensors, join(d, 'model.safetensors')), d) },
    { cls: 'link-out', name: 'config link out', via: 'api', error: /config\.json: resolves outside the model folder/, build: (d, o) => (w(join(d, 'model.safetensors'), ST), symlinkSync(o.json, join(d, 'config.json')), d) },
    { cls: 'link-out', name: 'index link out', via: 'api', error: /model\.safetensors\.index\.json.*outside the model folder/, build: (d, o) => (w(join(d, 'x.txt'), 'x'), symlinkSync(o.json, join(d, 'model.safetensors.index.json')), d) },
    { cls: 'link-out', name: 'shard link out', via: 'api', error: /model-00001-of-00001\.safetensors: resolves outside the model folder/, build: (d, o) => (indexed(d, 'model-00001-of-00001.safetensors'), symlinkSync(o.safetensors, join(d, 'model-00001-of-00001.safetensors')), d) },
    { cls: 'link-out', name: 'tfjs shard link out', via: 'api', error: /shard\.bin: resolves outside the model folder/, build: (d, o) => (symlinkSync(o.bin, join(d, 'shard.bin')), tfjs(d, ['shard.bin'], [{ name: 'w', count: 1024 }])) },
    { cls: 'link-out', name: 'onnx external data link out', via: 'api', error: /weights\.bin: resolves outside the model folder/, build: (d, o) => (symlinkSync(o.bin, join(d, 'weights.bin')), onnxExt(d, [['a', 0, 64]])) },
    { cls: 'link-out', name: 'adapter config link out', via: 'lora', error: /adapter_config\.json: resolves outside the model folder/, build: (d, o) => (w(join(d, 'adapter_model.safetensors'), ST), symlinkSync(o.json, join(d, 'adapter_config.json')), d) },
    { cls: 'link-out', name: 'named file is a link out', via: 'cli', error: /link\.safetensors: resolves outside the model folder/, build: (d, o) => (symlinkSync(o.safetensors, join(d, 'link.safetensors')), join(d, 'link.safetensors')) },
    { cls: 'link-out', name: 'onnx/ folder links out', via: 'api', error: /no weights found.*"onnx" resolves outside/, build: (d, o) => (w(join(o.dir, 'model.onnx'), onnxModel([])), symlinkSync(o.dir, join(d, 'onnx')), w(join(d, 'config.json'), '{}'), d) },

    // --- tfjs manifest paths out of the folder -----------------------------------------------
    { cls: 'tfjs-path', name: '../ shard', via: 'cli', error: /weight shard "\.\.\/outside\/sentinel\.bin" lies outside the model folder/, build: (d) => tfjs(d, ['../outside/sentinel.bin'], [{ name: 'w', count: 1024 }]) },
    { cls: 'tfjs-path', name: 'sub/../../ shard', via: 'api', error: ONE_LINE_OUTSIDE, build: (d) => tfjs(d, ['sub/../../outside/sentinel.bin'], [{ name: 'w', count: 1024 }]) },
    { cls: 'tfjs-path', name: 'absolute shard', via: 'api', error: ONE_LINE_OUTSIDE, build: (d, o) => tfjs(d, [o.bin], [{ name: 'w', count: 1024 }]) },
    { cls: 'tfjs-path', name: 'backslash ../ shard', via: 'api', error: ONE_LINE_OUTSIDE, build: (d) => tfjs(d, ['..\\outside\\sentinel.bin'], [{ name: 'w', count: 1024 }]) },

    // --- FIFOs: refused without blocking -----------------------------------------------------
    { cls: 'fifo', name: 'FIFO model.safetensors in a folder', via: 'cli', error: /model\.safetensors" is a FIFO/, build: (d) => (mkfifo(join(d, 'model.safetensors')), d) },
    { cls: 'fifo', name: 'FIFO named on the command line', via: 'cli', error: /model\.safetensors: is a FIFO, not a regular file/, build: (d) => (mkfifo(join(d, 'model.safetensors')), join(d, 'model.safetensors')) },
    { cls: 'fifo', name: 'FIFO config.json', via: 'api', error: /config\.json: is a FIFO/, build: (d) => (w(join(d, 'model.safetensors'), ST), mkfifo(join(d, 'config.json')), d) },
    { cls: 'fifo', name: 'FIFO tfjs shard', via: 'api', error: /shard\.bin: is a FIFO/, build: (d) => (mkfifo(join(d, 'shard.bin')), tfjs(d, ['shard.bin'])) },
    { cls: 'fifo', name: 'FIFO onnx external data', via: 'api', error: /weights\.bin: is a FIFO/, build: (d) => (mkfifo(join(d, 'weights.bin')), onnxExt(d, [['a', 0, 64]])) },

    // --- folders, sockets, devices where files are expected ----------------------------------
    { cls: 'special', name: 'folder named model.safetensors', via: 'api', error: /no weights found/, build: (d) => (mkdirSync(join(d, 'model.safetensors')), d) },
    { cls: 'special', name: 'folder named config.json', via: 'api', error: /config\.json: is a folder/, build: (d) => (w(join(d, 'model.safetensors'), ST), mkdirSync(join(d, 'config.json')), d) },
    { cls: 'special', name: 'folder as tfjs shard', via: 'api', error: /shard\.bin: is a folder/, build: (d) => (mkdirSync(join(d, 'shard.bin')), tfjs(d, ['shard.bin'])) },
    {
      cls: 'special', name: 'socket named model.safetensors', via: 'cli', error: /model\.safetensors: is a socket/,
      build: async (d) => {
        const p = join(d, 'model.safetensors');
        server = createServer();
        await new Promise<void>((res) => server?.listen(p, res));
        return p;
      },
      cleanup: () => new Promise<void>((res) => (server ? server.close(() => res()) : res())),
    },
    { cls: 'special', name: 'character device named model.safetensors', via: 'api', error: /model\.safetensors: is a character device/, build: (d) => (execFileSync('mknod', [join(d, 'model.safetensors'), 'c', '1', '5']), join(d, 'model.safetensors')) },

    // --- pickle views that would amplify -----------------------------------------------------
    { cls: 'pickle-view', name: 'stride-0 view of one float as 1e9', via: 'cli', error: /stride-0 or overlapping view: 1000000000 elements over 1 stored/, build: (d) => torchView(d, 1, [1_000_000_000], [0]) },
    { cls: 'pickle-view', name: 'stride-0 rows', via: 'api', error: /stride-0 or overlapping view: 4000000 elements over 4 stored/, build: (d) => torchView(d, 4, [1_000_000, 4], [0, 1]) },
    { cls: 'pickle-view', name: 'overlapping 2000x2000 over 3999', via: 'api', error: /stride-0 or overlapping view: 4000000 elements over 3999 stored/, build: (d) => torchView(d, 3999, [2000, 2000], [1, 1]) },
    { cls: 'pickle-view', name: 'view past its storage', via: 'api', error: /reaches past its storage of 4 elements/, build: (d) => torchView(d, 4, [5], [1]) },

    // --- repeated tfjs shards ----------------------------------------------------------------
    { cls: 'tfjs-repeat', name: 'one shard listed 1024 times', via: 'cli', error: /weight shard "a\.bin" is listed more than once/, build: (d) => (w(join(d, 'a.bin'), f32(new Array(256).fill(1))), tfjs(d, new Array<string>(1024).fill('a.bin'), [{ name: 'w', count: 256 * 1024 }])) },
    { cls: 'tfjs-repeat', name: 'a.bin and ./a.bin', via: 'api', error: /weight shard "\.\/a\.bin" is listed more than once/, build: (d) => (w(join(d, 'a.bin'), f32(new Array(16).fill(1))), tfjs(d, ['a.bin', './a.bin'])) },
    {
      cls: 'tfjs-repeat', name: 'same shard in two groups', via: 'api', error: /is listed more than once/,
      build: (d) => {
        w(join(d, 'a.bin'), f32(new Array(16).fill(1)));
        const g = (n: string) => ({ paths: ['a.bin'], weights: [{ name: n, shape: [16], dtype: 'float32' }] });
        w(join(d, 'model.json'), JSON.stringify({ format: 'graph-model', weightsManifest: [g('x'), g('y')] }));
        return d;
      },
    },

    // Two names of one stored file: the gate's identity (device + inode) catches what names cannot.
    { cls: 'tfjs-repeat', name: 'two symlinks to one shard', via: 'cli', error: /weight shard "b\.bin" is the same stored file as "a\.bin"/, build: (d) => (w(join(d, 'real.bin'), f32(new Array(16).fill(1))), symlinkSync('real.bin', join(d, 'a.bin')), symlinkSync('real.bin', join(d, 'b.bin')), tfjs(d, ['a.bin', 'b.bin'])) },
    { cls: 'tfjs-repeat', name: 'a shard and a hard link to it', via: 'api', error: /weight shard "b\.bin" is the same stored file as "a\.bin"/, build: (d) => (w(join(d, 'a.bin'), f32(new Array(16).fill(1))), linkSync(join(d, 'a.bin'), join(d, 'b.bin')), tfjs(d, ['a.bin', 'b.bin'])) },
    { cls: 'tfjs-repeat', name: '512 links to one shard', via: 'api', error: /weight shard "l1\.bin" is the same stored file as "l0\.bin"/, build: (d) => { w(join(d, 'real.bin'), f32(new Array(256).fill(1))); const ps = Array.from({ length: 512 }, (_, i) => `l${i}.bin`); for (const p of ps) symlinkSync('real.bin', join(d, p)); return tfjs(d, ps, [{ name: 'w', count: 256 * 512 }]); } },
    { cls: 'tfjs-repeat', name: 'one shard through a linked sub-folder', via: 'api', error: /weight shard "sub\/a\.bin" is the same stored file as "a\.bin"/, build: (d) => (w(join(d, 'a.bin'), f32(new Array(16).fill(1))), symlinkSync('.', join(d, 'sub')), tfjs(d, ['a.bin', 'sub/a.bin'])) },

    // --- ONNX external data shared between tensors --------------------------------------------
    { cls: 'onnx-external', name: 'two tensors, one range', via: 'cli', error: /tensors "a" and "b" share external bytes/, build: (d) => (w(join(d, 'weights.bin'), f32(new Array(16).fill(1))), onnxExt(d, [['a', 0, 64], ['b', 0, 64]])) },
    { cls: 'onnx-external', name: '1000 tensors, one range', via: 'api', error: /share external bytes/, build: (d) => (w(join(d, 'weights.bin'), f32(new Array(1024).fill(1))), onnxExt(d, Array.from({ length: 1000 }, (_, i): [string, number, number] => [`t${i}`, 0, 4096]))) },
    { cls: 'onnx-external', name: 'partial overlap', via: 'api', error: /share external bytes/, build: (d) => (w(join(d, 'weights.bin'), f32(new Array(32).fill(1))), onnxExt(d, [['a', 0, 64], ['b', 32, 64]])) },
    { cls: 'onnx-external', name: 'one range through two links', via: 'api', error: /external data files "a\.bin" and "b\.bin" are the same stored file/, build: (d) => (w(join(d, 'weights.bin'), f32(new Array(16).fill(1))), symlinkSync('weights.bin', join(d, 'a.bin')), symlinkSync('weights.bin', join(d, 'b.bin')), w(join(d, 'model.onnx'), onnxModel([external('x', [16], 'a.bin', 0, 64), external('y', [16], 'b.bin', 0, 64)])), d) },
    { cls: 'onnx-external', name: 'location ../', via: 'api', error: /points outside the model's folder/, build: (d) => onnxExt(d, [['a', 0, 64]], '../outside/sentinel.bin') },
    { cls: 'onnx-external', name: 'length lies about the dims', via: 'api', error: /external length 64 bytes, but 1000000 F32 elements need 4000000/, build: (d) => (w(join(d, 'weights.bin'), f32(new Array(16).fill(1))), onnxExt(d, [['a', 0, 64]], 'weights.bin', () => [1_000_000])) },

    // --- lying header sizes ---------------------------------------------------------------------
    { cls: 'lying', name: 'safetensors header length 2^40', via: 'cli', error: /not a safetensors|unrecognised checkpoint format/, build: (d) => (w(join(d, 'model.safetensors'), concat([u64(2 ** 40), enc('{}')])), join(d, 'model.safetensors')) },
    { cls: 'lying', name: 'safetensors header past the file', via: 'api', error: /unrecognised checkpoint format|exceeds the file size/, build: (d) => (w(join(d, 'model.safetensors'), concat([u64(99_000_000), enc('{"a":1}')])), join(d, 'model.safetensors')) },
    { cls: 'lying', name: 'safetensors data past the end', via: 'api', error: /truncated or lying header: tensor "w" ends at data byte 4000000/, build: (d) => { const h = enc(JSON.stringify({ w: { dtype: 'F32', shape: [1000000], data_offsets: [0, 4000000] } })); w(join(d, 'model.safetensors'), concat([u64(h.length), h, f32([1])])); return d; } },
    { cls: 'lying', name: 'GGUF tensor count 2^40', via: 'api', error: /tensor count 1099511627776 cannot fit/, build: (d) => (w(join(d, 'model.gguf'), concat([enc('GGUF'), u32(3), u64(2 ** 40), u64(0), new Uint8Array(64)])), d) },
    { cls: 'lying', name: 'zip entry count', via: 'api', error: /entries cannot fit/, build: (d) => { const z = zip([{ name: 'archive/data.pkl', data: new Pickle().proto().op(0x7d, 0x2e).bytes() }]); const v = new DataView(z.buffer); v.setUint16(z.length - 12, 60000, true); v.setUint16(z.length - 14, 60000, true); w(join(d, 'pytorch_model.bin'), z); return d; } },
    { cls: 'lying', name: 'pickle BINUNICODE8 of 2^50 bytes', via: 'api', error: /truncated pickle/, build: (d) => (w(join(d, 'pytorch_model.bin'), zip([{ name: 'archive/data.pkl', data: concat([new Pickle().proto().bytes(), new Uint8Array([0x8d]), u64(2 ** 50)]) }])), d) },
    { cls: 'lying', name: 'ONNX dims of 1e9 over 4 bytes', via: 'api', error: /4 bytes of data for 1000000000 F32 elements/, build: (d) => (w(join(d, 'model.onnx'), onnxModel([{ name: 'big', dims: [1_000_000_000], dataType: 1, rawData: f32([1]) }])), d) },
    { cls: 'lying', name: 'tfjs manifest of 1 GB over 64 bytes', via: 'api', error: /describes 1000000000 bytes but its shards hold 64/, build: (d) => (w(join(d, 'a.bin'), f32(new Array(16).fill(1))), tfjs(d, ['a.bin'], [{ name: 'w', count: 250_000_000 }])) },

    // --- GGUF metadata of the wrong type (a size genbound reads must not be skipped silently) ------
    { cls: 'gguf-metadata', name: 'block_count as a string', via: 'cli', error: /model\.gguf: GGUF metadata "llama\.block_count" is "2" \(string\), expected a positive integer of at most 16777216\n/, build: (d) => ggufFile(d, { 'llama.block_count': '2' }) },
    { cls: 'gguf-metadata', name: 'embedding_length as a float32', via: 'api', error: /"llama\.embedding_length" is 4096 \(float32\), expected a positive integer/, build: (d) => ggufFile(d, { 'llama.embedding_length': { type: 'f32', value: 4096 } }) },
    { cls: 'gguf-metadata', name: 'head_count negative', via: 'api', error: /"llama\.attention\.head_count" is -8 \(int32\), expected a positive integer of at most 16777216, or one per layer\n/, build: (d) => ggufFile(d, { 'llama.attention.head_count': { type: 'i32', value: -8 } }) },
    { cls: 'gguf-metadata', name: 'feed_forward_length 2^40', via: 'api', error: /"llama\.feed_forward_length" is 1099511627776 \(uint64\), expected a positive integer of at most 16777216/, build: (d) => ggufFile(d, { 'llama.feed_forward_length': { type: 'u64', value: 2 ** 40 } }) },
    { cls: 'gguf-metadata', name: 'key_length 0', via: 'api', error: /"llama\.attention\.key_length" is 0 \(uint32\)/, build: (d) => ggufFile(d, { 'llama.attention.key_length': 0 }) },
    { cls: 'gguf-metadata', name: 'head_count_kv an array of strings', via: 'api', error: /"llama\.attention\.head_count_kv" is \["2","2"\] \(array of string\)/, build: (d) => ggufFile(d, { 'llama.attention.head_count_kv': { array: 'str', values: ['2', '2'] } }) },
    { cls: 'gguf-metadata', name: 'per-layer head counts differ', via: 'cli', error: /model\.gguf: GGUF metadata "llama\.attention\.head_count": per-layer head counts differ \(layer 1: 8, layer 0: 32\): not supported\n/, build: (d) => ggufFile(d, { 'llama.attention.head_count': { array: 'u32', values: [32, 8] } }) },
    { cls: 'gguf-metadata', name: 'per-layer array of the wrong length', via: 'api', error: /"llama\.feed_forward_length" has 3 per-layer values but block_count is 2\n/, build: (d) => ggufFile(d, { 'llama.feed_forward_length': { array: 'i32', values: [64, 64, 64] } }) },
    { cls: 'gguf-metadata', name: 'per-layer array of 5000 values', via: 'api', error: /"llama\.attention\.head_count" is an array of 5000 values \(array of uint16\)/, build: (d) => ggufFile(d, { 'llama.attention.head_count': { array: 'u16', values: new Array<number>(5000).fill(4) } }) },
    { cls: 'gguf-metadata', name: 'architecture as a number', via: 'api', error: /"general\.architecture" is 7 \(uint32\), expected a string\n/, build: (d) => ggufFile(d, { 'general.architecture': 7 }) },
    { cls: 'gguf-metadata', name: 'alignment as a float64', via: 'api', error: /"general\.alignment" is 32 \(float64\), expected a positive integer of at most 1048576\n/, build: (d) => ggufFile(d, { 'general.alignment': { type: 'f64', value: 32 } }) },
    { cls: 'gguf-metadata', name: '1 MB string as block_count', via: 'api', error: /"llama\.block_count" is "x{10,}… \(string\)/, build: (d) => ggufFile(d, { 'llama.block_count': 'x'.repeat(1 << 20) }) },

    // --- untrusted values in error messages -----------------------------------------------------
    { cls: 'message', name: 'cyclic size list', via: 'cli', error: /tensor size \[<cycle>\] \/ stride \[1\] are invalid/, build: (d) => torchSize(d, (p) => p.op(0x5d, 0x71, 0, 0x68, 0, 0x61)) },
    { cls: 'message', name: '200000-deep size list', via: 'api', error: /tensor size \[\[\[\[…\]\]\]\]/, build: (d) => torchSize(d, (p) => p.repeat(200_000, 0x5d).repeat(199_999, 0x61)) },
    { cls: 'message', name: 'BigInt in size', via: 'api', error: /tensor size \[1267650600228229401496703205376n\]/, build: (d) => torchSize(d, (p) => p.mark().long(2n ** 100n).tuple()) },
    { cls: 'message', name: 'million-element size list', via: 'api', error: /tensor size \[1,1,1,1,1,1,1,1,… 1000000 items\]/, build: (d) => torchSize(d, (p) => p.op(0x5d).mark().repeat(1_000_000, 0x4b, 1).op(0x65)) },
    { cls: 'message', name: '1 MB tensor name with a bad dtype', via: 'api', error: /has unknown dtype "Q9"/, build: (d) => { const h = enc(JSON.stringify({ ['n'.repeat(1 << 20)]: { dtype: 'Q9', shape: [1], data_offsets: [0, 4] } })); w(join(d, 'model.safetensors'), concat([u64(h.length), h, f32([1])])); return d; } },
    { cls: 'message', name: '100 KB global name', via: 'api', error: /the pickle refers to "x{10,}…/, build: (d) => (w(join(d, 'pytorch_model.bin'), zip([{ name: 'archive/data.pkl', data: new Pickle().proto().global('x'.repeat(100_000), 'y').op(0x2e).bytes() }])), d) },

    // --- null or wrongly typed JSON configs -----------------------------------------------------
    { cls: 'config', name: 'config.json null', via: 'cli', error: /config\.json: is not a JSON object \(it is null\)/, build: (d) => (w(join(d, 'model.safetensors'), ST), w(join(d, 'config.json'), 'null'), d) },
    { cls: 'config', name: 'config.json an array', via: 'api', error: /config\.json: is not a JSON object \(it is an array\)/, build: (d) => (w(join(d, 'model.safetensors'), ST), w(join(d, 'config.json'), '[1,2]'), d) },
    { cls: 'config', name: 'config.json a string', via: 'api', error: /config\.json: is not a JSON object \(it is a string\)/, build: (d) => (w(join(d, 'model.safetensors'), ST), w(join(d, 'config.json'), '"bert"'), d) },
    { cls: 'config', name: 'adapter_config.json null', via: 'lora', error: /adapter_config\.json: is not a JSON object \(it is null\)/, build: (d) => (w(join(d, 'adapter_model.safetensors'), ST), w(join(d, 'adapter_config.json'), 'null'), d) },
    { cls: 'config', name: 'adapter r is a string', via: 'lora', error: /adapter_config\.json: field "r" is "8", expected a positive integer/, build: (d) => (w(join(d, 'adapter_model.safetensors'), ST), w(join(d, 'adapter_config.json'), '{"r":"8","lora_alpha":16}'), d) },
    { cls: 'config', name: 'adapter target_modules an object', via: 'lora', error: /field "target_modules" is \{"a":1\}, expected a string or a list of strings/, build: (d) => (w(join(d, 'adapter_model.safetensors'), ST), w(join(d, 'adapter_config.json'), '{"r":8,"lora_alpha":16,"target_modules":{"a":1}}'), d) },
    { cls: 'config', name: 'index null', via: 'api', error: /model\.safetensors\.index\.json: unrecognised checkpoint format \(first bytes "null"/, build: (d) => (w(join(d, 'model.safetensors.index.json'), 'null'), join(d, 'model.safetensors.index.json')) },
    { cls: 'config', name: 'index weight_map null', via: 'api', error: /shard index has no "weight_map" object/, build: (d) => (w(join(d, 'model.safetensors.index.json'), '{"weight_map":null}'), d) },
    { cls: 'config', name: 'index weight_map of numbers', via: 'api', error: /weight_map\["w"\] is 1, not a plain file name/, build: (d) => (w(join(d, 'model.safetensors.index.json'), '{"weight_map":{"w":1}}'), d) },
    { cls: 'config', name: 'index weight_map a list', via: 'api', error: /index\.json: field "weight_map" is \["a\.safetensors"\], expected an object/, build: (d) => (w(join(d, 'model.safetensors.index.json'), '{"weight_map":["a.safetensors"]}'), d) },
    { cls: 'config', name: 'index metadata a string', via: 'api', error: /index\.json: field "metadata" is "x", expected an object/, build: (d) => (w(join(d, 'model.safetensors'), ST), indexed(d, 'model.safetensors'), w(join(d, 'model.safetensors.index.json'), '{"metadata":"x","weight_map":{"w.weight":"model.safetensors"}}'), d) },
    { cls: 'config', name: 'tfjs weightsManifest an object', via: 'api', error: /model\.json: field "weightsManifest" is \{\}, expected a list of weight groups/, build: (d) => (w(join(d, 'model.json'), '{"format":"graph-model","generatedBy":"x","weightsManifest":{}}'), d) },

    // --- wrongly typed fields inside otherwise valid JSON (null means "absent"; nothing is coerced) ---
    ...badConfigFields(),
  ];
  return cases;
}

/** A LLaMA-named safetensors file with config.json = the base config and `field: raw JSON`. */
function llamaWithField(dir: string, field: string, raw: string): string {
  w(join(dir, 'model.safetensors'), safetensors({ 'model.layers.0.self_attn.q_proj.weight': { shape: [4, 4], data: new Array<number>(16).fill(1) }, 'model.layers.0.self_attn.k_proj.weight': { shape: [4, 4], data: new Array<number>(16).fill(1) } }));
  w(join(dir, 'config.json'), `{"model_type":"llama","hidden_size":4,"intermediate_size":8,"num_attention_heads":2,${JSON.stringify(field)}:${raw}}`);
  return dir;
}

/** An adapter folder whose adapter_config.json is a valid LoRA config plus `field: raw JSON`. */
function adapterWithField(dir: string, field: string, raw: string): string {
  w(join(dir, 'adapter_model.safetensors'), ST);
  const base: Record<string, string> = { r: '8', lora_alpha: '16', [field]: raw };
  w(join(dir, 'adapter_config.json'), `{${Object.entries(base).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
  return dir;
}

/** A tfjs folder of one 16-float weight whose manifest entry is patched by `edit`. */
function tfjsWith(dir: string, edit: (weight: Record<string, unknown>) => void): string {
  w(join(dir, 'a.bin'), f32(new Array(16).fill(1)));
  const m = JSON.parse(tfjsManifest(['a.bin'], [{ name: 'w', count: 16 }])) as { weightsManifest: { weights: Record<string, unknown>[] }[] };
  edit(m.weightsManifest[0].weights[0]);
  w(join(dir, 'model.json'), JSON.stringify(m));
  return dir;
}

function badConfigFields(): HostileCase[] {
  const cfg = (name: string, field: string, raw: string, shown: RegExp): HostileCase => ({
    cls: 'config-field', name: `config.json ${name}`, via: 'cli', build: (d) => llamaWithField(d, field, raw),
    error: new RegExp(`model/config\\.json: field "${field}" is ${shown.source}, expected a positive integer of at most 16777216`),
  });
  const ad = (name: string, field: string, raw: string, error: RegExp): HostileCase => ({ cls: 'config-field', name: `adapter ${name}`, via: 'lora', build: (d) => adapterWithField(d, field, raw), error });
  const tf = (name: string, edit: (weight: Record<string, unknown>) => void, error: RegExp): HostileCase => ({ cls: 'config-field', name: `tfjs ${name}`, via: 'api', build: (d) => tfjsWith(d, edit), error });
  return [
    cfg('heads as a string', 'num_attention_heads', '"12"', /"12"/),
    cfg('hidden size as a float', 'hidden_size', '768.5', /768\.5/),
    cfg('negative layer count', 'num_hidden_layers', '-2', /-2/),
    cfg('zero key/value heads', 'num_key_value_heads', '0', /0/),
    cfg('intermediate size an object', 'intermediate_size', '{"a":[1,2,3]}', /\{"a":\[1,2,3\]\}/),
    cfg('head_dim a list', 'head_dim', '[64,64]', /\[64,64\]/),
    cfg('huge hidden size', 'hidden_size', '1e300', /1e\+300/),
    cfg('hidden size beyond 2^53', 'hidden_size', '9007199254740993', /9007199254740992/),
    cfg('heads as true', 'num_attention_heads', 'true', /true/),
    cfg('a 100 KB string', 'num_hidden_layers', JSON.stringify('9'.repeat(100_000)), /"9{20,}…/),
    { cls: 'config-field', name: 'config.json model_type a number', via: 'api', error: /config\.json: field "model_type" is 42, expected a string/, build: (d) => (w(join(d, 'model.safetensors'), ST), w(join(d, 'config.json'), '{"model_type":42}'), d) },
    ad('r a float', 'r', '8.5', /adapter_config\.json: field "r" is 8\.5, expected a positive integer/),
    ad('r negative', 'r', '-8', /field "r" is -8, expected a positive integer/),
    ad('lora_alpha huge', 'lora_alpha', '1e300', /field "lora_alpha" is 1e\+300, expected a positive number of at most 16777216/),
    ad('lora_alpha a list', 'lora_alpha', '[16]', /field "lora_alpha" is \[16\], expected a positive number/),
    ad('use_rslora a string', 'use_rslora', '"yes"', /field "use_rslora" is "yes", expected true or false/),
    ad('fan_in_fan_out a number', 'fan_in_fan_out', '1', /field "fan_in_fan_out" is 1, expected true or false/),
    ad('base model an object', 'base_model_name_or_path', '{"x":1}', /field "base_model_name_or_path" is \{"x":1\}, expected a string/),
    ad('peft_type a list', 'peft_type', '["LORA"]', /field "peft_type" is \["LORA"\], expected a string/),
    tf('shape of strings', (x) => (x.shape = ['16']), /weight "w": bad shape \["16"\]/),
    tf('shape with null', (x) => (x.shape = [null, 16]), /weight "w": bad shape \[null,16\]/),
    tf('quantization a string', (x) => (x.quantization = 'uint8'), /weight "w": field "quantization" is "uint8", expected \{dtype/),
    tf('quantization scale a string', (x) => (x.quantization = { dtype: 'uint8', scale: '0.5', min: 0 }), /weight "w" quantization: field "scale" is "0\.5", expected a finite number/),
    tf('dtype "constructor"', (x) => (x.dtype = 'constructor'), /weight "w" has dtype "constructor", which genbound does not read/),
    tf('name a number', (x) => (x.name = 7), /weights\[0\] is \{"name":7,/),
  ];
}

/**
 * Inputs close to 10 MB for the peak-memory bench (bench/hostile.bench.ts), not for the test suite:
 * the largest pickle list, safetensors header, GGUF tensor table and tfjs graph that fit. The
 * first ends in an error, the others open and read every tensor.
 */
export function scaleCorpus(): HostileCase[] {
  return [
    { cls: 'scale-10MB', name: '4.5M-element size list in a pickle', via: 'api', error: /pickle holds more than 2097152 values on the stack/, build: (d) => torchSize(d, (p) => p.op(0x5d).mark().repeat(4_500_000, 0x4b, 1).op(0x65)) },
    { cls: 'scale-10MB', name: '2M-element size list in a pickle (under the limit)', via: 'api', error: /tensor size \[1,1,1,1,1,1,1,1,… 2000000 items\]/, build: (d) => torchSize(d, (p) => p.op(0x5d).mark().repeat(2_000_000, 0x4b, 1).op(0x65)) },
    { cls: 'scale-10MB', name: '9M MEMOIZE opcodes in a pickle', via: 'api', error: /pickle holds more than 8388608 memo entries/, build: (d) => torchSize(d, (p) => p.op(0x4e).repeat(9_000_000, 0x94)) },
    { cls: 'scale-10MB', name: '1.9M scattered LONG_BINPUT keys in a pickle', via: 'api', error: /tensor size null/, build: (d) => torchSize(d, (p) => { p.op(0x4e); for (let k = 0; k < 1_900_000; k++) p.op(0x72, ...u32(Math.imul(k, 0x9e3779b1) >>> 0)); }) },
    {
      cls: 'scale-10MB', name: 'safetensors with 120000 tensors', via: 'api', error: /^$/,
      build: (d) => {
        const t: Record<string, { shape: number[]; data: number[] }> = {};
        for (let i = 0; i < 120_000; i++) t[`layer.${i}.w`] = { shape: [1], data: [i] };
        w(join(d, 'model.safetensors'), safetensors(t));
        return d;
      },
    },
    { cls: 'scale-10MB', name: 'GGUF with 110000 tensors', via: 'api', error: /^$/, build: (d) => (w(join(d, 'model.gguf'), gguf(Array.from({ length: 110_000 }, (_, i) => `blk.${i >> 2}.${['attn_q', 'attn_k', 'attn_v', 'ffn_up'][i & 3]}.weight`), { 'general.architecture': 'llama' })), d) },
    {
      cls: 'scale-10MB', name: 'tfjs with a 130000-node graph', via: 'api', error: /^$/,
      build: (d) => {
        w(join(d, 'a.bin'), f32([1, 2, 3, 4]));
        const m = JSON.parse(tfjsManifest(['a.bin'], [{ name: 'c0', count: 4 }])) as { modelTopology: { node: unknown[] } };
        for (let i = 1; i <= 130_000; i++) m.modelTopology.node.push({ name: `c${i}`, op: 'ConcatV2', input: [`c${i - 1}`, `c${i - 1}`, 'axis'] });
        w(join(d, 'model.json'), JSON.stringify(m));
        return d;
      },
    },
  ];
}
