/**
 * The Redis job queue on one machine: the 7B LLaMA shape (4096 / 11008, 32 heads) analysed by
 * `genbound analyze --queue` with 1 and then 2 local workers (OPENBLAS_NUM_THREADS=1 each), one
 * job per layer. A whole 7B model takes about 34 min single-process here, so this measures the
 * first K layers (default 4) and projects to 32; the projection is labelled as such.
 *
 *   node --import tsx bench/queue.bench.ts [--layers K] [--hidden 4096] [--inter 11008] [--heads 32]
 *
 * Prints, with /proc/loadavg beside each figure: wall time at 1 and 2 workers, parallel efficiency
 * T1 / (2·T2) (goal >= 0.9), the queue's overhead per job (wall time at 1 worker minus the
 * workers' own compute time, per job), and the projected wall time of all 32 layers at K workers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Cli, startWorkers, TestRedis } from '../test/queue/redis-harness.js';
import { makeLlama } from '../test/queue/make-llama.js';

const { values } = parseArgs({ options: { layers: { type: 'string', default: '4' }, hidden: { type: 'string', default: '4096' },
  inter: { type: 'string', default: '11008' }, heads: { type: 'string', default: '32' } } });
const layers = Number(values.layers);
const load = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

async function computeSeconds(port: number): Promise<number[]> {
  const r = new Redis({ port });
  const keys = await r.keys('genbound:result:*');
  const secs = await Promise.all(keys.map(async (k) => Number(await r.hget(k, 'seconds'))));
  r.disconnect();
  return secs;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'genbound-qbench-'));
  const redis = await new TestRedis().start();
  try {
    console.log(`writing a ${layers}-layer LLaMA shape (${values.hidden}/${values.inter}, ${values.heads} heads, BF16) ... load ${load()}`);
    const model = await makeLlama(join(dir, 'llama'), { layers, hidden: Number(values.hidden), inter: Number(values.inter), heads: Number(values.heads) });
    const env = { OPENBLAS_NUM_THREADS: '1', GENBOUND_QUEUE_LOCK_MS: '30000' };
    const runs: { workers: number; wall: number; compute: number[] }[] = [];
    for (const n of [1, 2]) {
      const r = new Redis({ port: redis.port });
      await r.flushall();
      r.disconnect();
      const ws = await startWorkers(redis.url, n, env);
      const t0 = performance.now();
      const sub = new Cli(['analyze', model, '--queue', redis.url, '--json', join(dir, `q${n}.json`)], env);
      const code = await sub.exited;
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) throw new Error(`analyze --queue failed: ${sub.err}`);
      const compute = await computeSeconds(redis.port);
      await Promise.all(ws.map((w) => w.kill('SIGTERM')));
      runs.push({ workers: n, wall, compute });
      const mean = compute.reduce((a, b) => a + b, 0) / compute.length;
      console.log(`${n} worker(s): ${layers} layers in ${wall.toFixed(1)} s wall (submitter start-up included), ${mean.toFixed(1)} s compute per layer; load ${load()}`);
    }
    const [one, two] = runs;
    const eff = one.wall / (2 * two.wall);
    const sum1 = one.compute.reduce((a, b) => a + b, 0);
    const overhead = (one.wall - sum1) / layers;
    const perLayer = sum1 / layers;
    console.log(`parallel efficiency at 2 workers: ${eff.toFixed(3)} (goal >= 0.9); queue overhead per job: ${overhead.toFixed(2)} s (wall at 1 worker minus compute, per job, submitter start-up included); load ${load()}`);
    for (const k of [1, 2, 4, 8, 16, 32]) {
      const wallK = Math.ceil(32 / k) * perLayer + overhead * Math.ceil(32 / k);
      console.log(`projected (not measured): all 32 layers at ${k} single-thread worker(s) of this kind: ${(wallK / 60).toFixed(1)} min`);
    }
  } finally {
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
