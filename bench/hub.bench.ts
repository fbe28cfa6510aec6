/**
 * Hub client cost (figures in docs/benchmarks/hub.md): downloading one LFS file of SIZE MiB from
 * the local test hub (test/io/hub-server.ts, same process) with downloadModel, against a plain
 * reference measured in the same run: one node:http GET of the same URL streamed to a file with
 * sha256 computed on the way (the least any verified download must do). downloadModel adds the
 * listing, the HEAD, the lock, a second read of the file to hash it (it may have been resumed),
 * and the rename. Median of 5 each, the order alternated; the peak RSS of the whole process; /proc/loadavg.
 * Run: node --import tsx bench/hub.bench.ts [--mib 256]
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { downloadModel } from '../src/io/hub.js';
import { COMMIT, HubServer } from '../test/io/hub-server.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const i = process.argv.indexOf('--mib');
const mib = i >= 0 ? Number(process.argv[i + 1]) : 256;
const body = Buffer.alloc(mib * 1024 * 1024);
for (let k = 0; k < body.length; k += 4) body.writeUInt32LE((k * 2654435761) >>> 0, k);
const hub = await HubServer.start({ 'org/big': { files: { 'model.safetensors': body } } });
const url = `${hub.endpoint}/org/big/resolve/${COMMIT}/model.safetensors`;
const dir = mkdtempSync(join(tmpdir(), 'gb-hub-bench-'));

async function reference(): Promise<number> {
  const t = performance.now();
  const h = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    get(url, (res) => {
      res.on('data', (c: Buffer) => h.update(c));
      pipeline(res, createWriteStream(join(dir, 'ref.bin'))).then(resolve, reject);
    }).on('error', reject);
  });
  h.digest('hex');
  return performance.now() - t;
}

async function ours(run: number): Promise<number> {
  const home = join(dir, `cache${run}`);
  const t = performance.now();
  await downloadModel('org/big', { endpoint: hub.endpoint, cacheHome: home, progress: false });
  const ms = performance.now() - t;
  rmSync(home, { recursive: true, force: true });
  return ms;
}

const ref: number[] = [];
const gb: number[] = [];
for (let r = 0; r < 5; r++) {
  // Alternate the order: the second of a pair writes while the first one's pages are flushed.
  if (r % 2 === 0) {
    ref.push(await reference());
    gb.push(await ours(r));
  } else {
    gb.push(await ours(r));
    ref.push(await reference());
  }
}
await hub.stop();
rmSync(dir, { recursive: true, force: true });
const load = readFileSync('/proc/loadavg', 'utf8').trim();
console.log(`download of one ${mib} MiB LFS file from a local hub (median of 5, order alternated)`);
console.log(`  reference GET + sha256 + write: ${median(ref).toFixed(0)} ms (${(mib / (median(ref) / 1000)).toFixed(0)} MiB/s)`);
console.log(`  downloadModel (listing, HEAD, lock, GET, size + sha256 check, rename): ${median(gb).toFixed(0)} ms (${(mib / (median(gb) / 1000)).toFixed(0)} MiB/s)`);
console.log(`  ratio ${(median(gb) / median(ref)).toFixed(2)}; peak RSS of the process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (the served file itself is ${mib} MiB of it)`);
console.log(`  /proc/loadavg: ${load}`);
