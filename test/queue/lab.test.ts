/**
 * lab run --queue with a real redis-server and two `genbound worker` processes: one job per
 * training run; the rows equal the single-process run's (its `seconds` timing aside); a sweep
 * whose submitter is killed resumes without computing a finished run again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runCli } from '../cli/run-cli.js';
import { Cli, startWorkers, TestRedis } from './redis-harness.js';

const tmp = mkdtempSync(join(tmpdir(), 'genbound-labq-'));
const redis = new TestRedis();
let workers: Cli[] = [];
const cfg = join(tmp, 'tiny.json');
writeFileSync(cfg, JSON.stringify({
  family: { kind: 'beta' }, functional: 'mean', models: ['ridge', 'plugin'], m: [8, 16, 32], n: 8, seeds: [1], testM: 20,
  ridge: { features: 8, sigma: null, lambdas: [1e-3] },
}));

async function computed(): Promise<number> {
  const r = new Redis({ port: redis.port });
  const c = await r.get('genbound:stats:computed');
  r.disconnect();
  return Number(c ?? 0);
}

/** results.json without its timing fields (the run's and each row's `seconds`). */
function results(out: string): unknown {
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'), (k, v: unknown) => (/seconds$/i.test(k) ? undefined : v));
}

before(async () => {
  await redis.start();
  workers = await startWorkers(redis.url, 2);
});
after(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await redis.close();
});

test('lab run --queue: one job per training run, rows equal to the single-process run', async () => {
  const single = join(tmp, 'single');
  const a = await runCli(['lab', 'run', 'rate-m', '--quick', '--config', cfg, '--out', single, '--quiet']);
  assert.equal(a.code, 0, a.err);
  const queued = join(tmp, 'queued');
  const b = await runCli(['lab', 'run', 'rate-m', '--quick', '--config', cfg, '--out', queued, '--quiet', '--queue', redis.url]);
  assert.equal(b.code, 0, b.err);
  assert.deepEqual(results(queued), results(single));
  assert.equal(await computed(), 6);
  assert.ok(workers.some((w) => /rate-m .* done in/.test(w.err)));
});

test('a lab sweep resumes after its submitter is killed: finished runs are not trained again', async () => {
  const r = new Redis({ port: redis.port });
  await r.flushall();
  r.disconnect();
  const out = join(tmp, 'killed');
  const sub = new Cli(['lab', 'run', 'rate-m', '--quick', '--config', cfg, '--out', out, '--quiet', '--queue', redis.url]);
  for (let i = 0; i < 2000 && (await computed()) < 1; i++) await new Promise((res) => setTimeout(res, 20));
  await sub.kill('SIGKILL');
  assert.ok(!existsSync(join(out, 'results.json')));
  const b = await runCli(['lab', 'run', 'rate-m', '--quick', '--config', cfg, '--out', out, '--quiet', '--queue', redis.url]);
  assert.equal(b.code, 0, b.err);
  assert.deepEqual(results(out), results(join(tmp, 'single')));
  assert.equal(await computed(), 6);
});
