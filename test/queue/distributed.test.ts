/**
 * The queue end to end with a real redis-server and real `genbound worker` processes: results
 * merged from several workers equal the single-process run byte for byte, and the run survives a
 * worker killed mid-job, a Redis restart that loses the queue, a submitter killed mid-sweep, and
 * reports a job that fails three times in one line. Models are tiny, so each test takes seconds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { runCli } from '../cli/run-cli.js';
import { Cli, startWorkers, TestRedis } from './redis-harness.js';
import { makeLlama } from './make-llama.js';

const E2E = fileURLToPath(new URL('../fixtures/analyze/e2e/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'genbound-queue-'));
const redis = new TestRedis();
let workers: Cli[] = [];
let family = '';
let familySingle = '';

async function flush(): Promise<void> {
  const r = new Redis({ port: redis.port, lazyConnect: true });
  await r.connect();
  await r.flushall();
  r.disconnect();
}

async function stats(): Promise<{ computed: number; duplicates: number }> {
  const r = new Redis({ port: redis.port, lazyConnect: true });
  await r.connect();
  const [c, d] = await r.mget('genbound:stats:computed', 'genbound:stats:duplicates');
  r.disconnect();
  return { computed: Number(c ?? 0), duplicates: Number(d ?? 0) };
}

async function compareJson(args: string[], name: string): Promise<{ json: string; err: string }> {
  const out = join(tmp, `${name}.json`);
  const r = await runCli(['compare', ...args, '--json', out]);
  assert.equal(r.code, 0, r.err);
  return { json: readFileSync(out, 'utf8'), err: r.err };
}

before(async () => {
  await redis.start();
  workers = await startWorkers(redis.url, 3);
  // A family of four small LLaMA-shaped checkpoints (each about half a second of work) plus the
  // numpy-checked e2e fixtures.
  family = join(tmp, 'family');
  for (let i = 0; i < 4; i++) await makeLlama(join(family, `ckpt-${i}`), { layers: 2, hidden: 128, inter: 384, heads: 4, seed: i + 1 });
  familySingle = (await compareJson([family], 'family-single')).json;
});

after(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await redis.close();
});

test('compare on 3 workers: the merged JSON equals the single-process JSON byte for byte', async () => {
  await flush();
  const models = [join(E2E, 'bert-f32'), join(E2E, 'gpt2-f16'), join(E2E, 'llama-bf16'), family];
  const single = await compareJson([...models], 'single');
  const queued = await compareJson([...models, '--queue', redis.url], 'queued');
  assert.equal(queued.json, single.json);
  assert.deepEqual(await stats(), { computed: 7, duplicates: 0 });
  const busy = workers.filter((w) => /done in/.test(w.err)).length;
  assert.ok(busy >= 2, `expected the jobs spread over the workers, got ${busy} busy: ${workers.map((w) => w.err).join('\n')}`);
  // a rerun finds every result and submits nothing
  const again = await compareJson([...models, '--queue', redis.url], 'again');
  assert.equal(again.json, single.json);
  assert.match(again.err, /resuming: 7 of 7 checkpoints already finished/);
  assert.deepEqual(await stats(), { computed: 7, duplicates: 0 });
});

async function analyzeJson(args: string[], name: string): Promise<{ json: string; err: string }> {
  const out = join(tmp, `${name}.json`);
  const r = await runCli(['analyze', ...args, '--json', out]);
  assert.equal(r.code, 0, r.err);
  return { json: readFileSync(out, 'utf8'), err: r.err };
}

test('analyze on the queue, one job per layer: the merged JSON equals the single-process JSON byte for byte', async () => {
  await flush();
  const cases: [string, string[]][] = [
    ['llama', [join(family, 'ckpt-0'), '--spectra']],
    ['bert-init', [join(E2E, 'bert-f32'), '--init', join(E2E, 'bert-init')]],
    ['lora-merged', [join(E2E, 'bert-lora'), '--merge-into', join(E2E, 'bert-f32')]],
    // --head-l11 reaches the workers (per-layer jobs and a whole-model job) and is part of the job key.
    ['llama-l11', [join(family, 'ckpt-0'), '--head-l11']],
    ['lora-merged-l11', [join(E2E, 'bert-lora'), '--merge-into', join(E2E, 'bert-f32'), '--head-l11']],
  ];
  for (const [name, args] of cases) {
    const single = await analyzeJson(args, `${name}-single`);
    const queued = await analyzeJson([...args, '--queue', redis.url], `${name}-queued`);
    assert.equal(queued.json, single.json, name);
    const r = JSON.parse(queued.json) as { bounds: Record<string, number | null>; matrices: { type: string; norm11: number | null }[] };
    const l11 = args.includes('--head-l11');
    assert.equal(r.bounds.norm11Sum === null, !l11, `${name}: norm11Sum`);
    assert.ok(r.matrices.filter((m) => m.type === 'QK').every((m) => (m.norm11 === null) === !l11), `${name}: the head products' norm11`);
  }
  // 2 layers + 3 layers (bert with --init) + 1 whole-model job (LoRA merged), then with --head-l11: 2 layers + 1 whole model
  assert.deepEqual(await stats(), { computed: 9, duplicates: 0 });
});

test('a job that fails 3 times fails the run with its one-line error, and writes no JSON', async () => {
  await flush();
  const bad = join(tmp, 'broken');
  mkdirSync(bad, { recursive: true });
  // a safetensors file whose header is cut short: found as a model, refused when read
  const header = Buffer.from('{"w": {"dtype":"F32","shape":[2],"data_offsets":[0,8]');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(join(bad, 'model.safetensors'), Buffer.concat([len, header, Buffer.alloc(8)]));
  const out = join(tmp, 'broken.json');
  const r = await runCli(['compare', join(E2E, 'bert-f32'), bad, '--queue', redis.url, '--json', out]);
  assert.equal(r.code, 1);
  const lines = r.err.trim().split('\n').filter((l) => l.startsWith('genbound: ') && !l.includes('resuming'));
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0], /^genbound: broken: .*model\.safetensors.*\(failed 3 times\)$/);
  assert.ok(!existsSync(out));
});

test('a worker killed with SIGKILL mid-job: its job is taken over by another worker, results unchanged', async () => {
  await flush();
  const slow = join(tmp, 'slow');
  for (let i = 0; i < 2; i++) await makeLlama(join(slow, `s${i}`), { layers: 2, hidden: 384, inter: 1024, heads: 4, seed: 10 + i });
  const single = await compareJson([slow], 'slow-single');
  const marks = workers.map((w) => w.err.length);
  const run = compareJson([slow, '--queue', redis.url], 'slow-queued');
  let settled = false;
  void run.finally(() => { settled = true; });
  // find a worker that has started a job, and kill it
  let victim: Cli | undefined;
  for (let i = 0; i < 3000 && !victim && !settled; i++) {
    victim = workers.find((w, j) => w.err.slice(marks[j]).includes(' started '));
    if (!victim) await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(victim, 'no worker was seen running a job');
  await victim.kill('SIGKILL');
  const queued = await run;
  assert.equal(queued.json, single.json);
  assert.ok(!victim.err.slice(marks[workers.indexOf(victim)]).includes('done in'), 'the killed worker finished its job');
  workers = [...workers.filter((w) => w !== victim), ...await startWorkers(redis.url, 1)];
});

test('a Redis restart that loses the queue mid-run: jobs are queued again and the results are unchanged', async () => {
  await flush();
  const run = compareJson([family, '--queue', redis.url], 'restart-queued');
  for (let i = 0; i < 400 && (await stats()).computed < 1; i++) await new Promise((r) => setTimeout(r, 25));
  await redis.restart(300);
  const queued = await run;
  assert.equal(queued.json, familySingle);
  for (const w of workers) assert.equal(w.proc.exitCode, null, `a worker died: ${w.err}`);
});

test('a sweep resumes after its submitter is killed: finished units are not computed again', async () => {
  await flush();
  const sub = new Cli(['compare', family, '--queue', redis.url, '--json', join(tmp, 'never.json')]);
  for (let i = 0; i < 1200 && (await stats()).computed < 1; i++) await new Promise((r) => setTimeout(r, 25));
  await sub.kill('SIGKILL');
  assert.ok(!existsSync(join(tmp, 'never.json')));
  const resumed = await compareJson([family, '--queue', redis.url], 'resume-queued');
  assert.equal(resumed.json, familySingle);
  assert.match(resumed.err, /resuming: [1-4] of 4 checkpoints already finished/);
  assert.deepEqual(await stats(), { computed: 4, duplicates: 0 });
});
