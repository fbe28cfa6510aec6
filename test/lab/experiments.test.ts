import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { findExperiment } from '../../src/lab/experiments/index.js';
import { silentProgress, writeOutputs } from '../../src/lab/experiments/runner.js';
import { BadOptionError } from '../../src/errors.js';
import { kendallTau, logLogSlope } from '../../src/lab/stats.js';

const tiny = {
  family: { kind: 'beta' },
  functional: 'mean',
  models: ['ridge', 'plugin'],
  m: [8, 32],
  n: 8,
  seeds: [1],
  testM: 20,
  ridge: { features: 8, sigma: null, lambdas: [1e-3] },
};

test('an experiment writes results and resumes from its checkpoints', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lab-exp-'));
  try {
    const exp = findExperiment('rate-m');
    assert.ok(exp);
    const config = exp.resolve(tiny, true);
    const first = await exp.run(config, { out, quick: true, progress: silentProgress });
    assert.equal(first.rows.length, 4);
    assert.equal(readdirSync(join(out, 'runs')).length, 4);
    await writeOutputs(out, 'rate-m', config, first, 1);
    for (const f of ['results.json', 'results.csv', 'report/index.html']) assert.ok(existsSync(join(out, f)), f);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 5);
    // mark a checkpoint: a resumed run must read it instead of recomputing
    const runs = readdirSync(join(out, 'runs'));
    const marked = join(out, 'runs', runs[0]);
    const rec = JSON.parse(readFileSync(marked, 'utf8')) as Record<string, number>;
    writeFileSync(marked, JSON.stringify({ ...rec, testMse: 12345 }));
    const second = await exp.run(config, { out, quick: true, progress: silentProgress });
    assert.ok(second.rows.some((r) => r.testMse === 12345));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('configs: unknown keys and bad values are rejected by name', () => {
  const exp = findExperiment('rate-m');
  assert.ok(exp);
  assert.throws(() => exp.resolve({ mm: [1] }, false), (e: unknown) => e instanceof BadOptionError && /unknown key "mm"/.test(e.message));
  assert.throws(() => exp.resolve({ train: { stepz: 3 } }, false), (e: unknown) => e instanceof BadOptionError && /config\.train/.test(e.message));
});

test('compression: equal-moment pairs separate in the attention representation', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lab-cmp-'));
  try {
    const exp = findExperiment('compression');
    assert.ok(exp);
    const res = await exp.run(exp.resolve({ n: [64, 4096], reps: 6, distributions: 2 }, true), { out, quick: true, progress: silentProgress });
    const pop = (res.summary.population as { populationSupDistance: number; dMoment1: number; dMoment3: number; dMoment4: number }[]);
    for (const p of pop) {
      assert.ok(p.populationSupDistance > 0.05, `population distance ${p.populationSupDistance}`);
      assert.ok(p.dMoment1 < 1e-12 && p.dMoment3 < 1e-12, 'first moments equal');
    }
    const big = res.rows.filter((r) => r.part === 'A' && r.n === 4096);
    for (const r of big) assert.ok(Number(r.attDistance) > 2 * Number(r.attNull), `pair ${r.pair}: ${r.attDistance} vs null ${r.attNull}`);
    const sup = res.rows.filter((r) => r.part === 'B');
    const at = (n: number): number => sup.filter((r) => r.n === n).reduce((s, r) => s + Number(r.supError), 0);
    assert.ok(at(4096) < at(64) / 3, 'sup-norm error decreases with n');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('stats: Kendall τ and log-log slopes on known inputs', () => {
  assert.equal(kendallTau([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // τ-b with one tie in y: pairs (1,2)(1,3)(2,3): concordant 2, ties 1 → 2/√(3·2)
  assert.ok(Math.abs(kendallTau([1, 2, 3], [1, 1, 2]) - 2 / Math.sqrt(6)) < 1e-12);
  const g = new Map([[10, [1e-1, 1e-1]], [100, [1e-2, 1e-2]], [1000, [1e-3, 1e-3]]]);
  const s = logLogSlope(g);
  assert.ok(Math.abs(s.slope + 1) < 1e-12 && Math.abs(s.lo + 1) < 1e-12);
});

test('CLI: unknown experiment and bad config file give one line on stderr', () => {
  const run = (args: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync(process.execPath, ['bin/genbound.mjs', 'lab', ...args], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };
  const a = run(['run', 'nope']);
  assert.equal(a.status, 2);
  assert.match(a.stderr, /^genbound: unknown experiment "nope"/);
  assert.equal(a.stderr.trim().split('\n').length, 1);
  const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
  try {
    writeFileSync(join(dir, 'bad.json'), '{ "m": [1,');
    const b = run(['run', 'rate-m', '--config', join(dir, 'bad.json'), '--out', join(dir, 'o')]);
    assert.notEqual(b.status, 0);
    assert.match(b.stderr, /bad\.json: not valid JSON/);
    assert.ok(!existsSync(join(dir, 'o')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the example configs in lab/configs resolve against their experiments', () => {
  const which: Record<string, string> = {
    'entropy-rotgauss.json': 'rate-m', 'hierarchy-topic.json': 'hierarchy', 'hierarchy-gmix.json': 'hierarchy', 'custom-mixture.json': 'rate-m', 'finetune-gmix.json': 'finetune', 'growth-4x4.json': 'growth',
  };
  for (const f of readdirSync('lab/configs')) {
    const exp = findExperiment(which[f] ?? '');
    assert.ok(exp, `lab/configs/${f}: add it to this test's table`);
    const cfg = exp.resolve(JSON.parse(readFileSync(join('lab/configs', f), 'utf8')), false) as { family: unknown };
    assert.ok(cfg.family);
  }
});

test('curve: one experiment with an axis; rate-m and rate-n are its aliases and report seed-resampled slopes and paired verdicts', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lab-curve-'));
  try {
    const exp = findExperiment('curve');
    const alias = findExperiment('rate-n');
    assert.ok(exp && alias);
    const cfg = { ...tiny, models: ['ridge', 'merr', 'plugin'], axis: 'n', m: 24, n: [8, 32], seeds: [1, 2, 3], reference: 'ridge', merr: { sigma1: [1], sigma2: [1], lambdas: [1e-3], folds: 3, exactMax: 100, landmarks: 10 } };
    const a = await exp.run(exp.resolve(cfg, true), { out, quick: true, progress: silentProgress });
    assert.equal(a.rows.length, 3 * 3 * 2);
    const b = await alias.run(alias.resolve(cfg, true), { out, quick: true, progress: silentProgress });
    assert.deepEqual(b.rows, a.rows, 'the alias runs the same units (all reused from the checkpoints)');
    const s = a.summary as { axis: string; slopes: { model: string; slope: number; ci: number[]; seeds: number }[]; paired: { model: string; verdict: string; ci: number[] }[] };
    assert.equal(s.axis, 'n');
    const plug = s.slopes.find((r) => r.model === 'plugin');
    assert.ok(plug && plug.slope < -0.5 && plug.seeds === 3 && plug.ci[0] <= plug.slope && plug.slope <= plug.ci[1], JSON.stringify(plug));
    assert.equal(s.paired.length, 2 * 2);
    for (const p of s.paired) assert.ok(['better', 'worse', 'not distinguishable'].includes(p.verdict) && p.ci.length === 2);
    await assert.rejects(exp.run(exp.resolve({ ...cfg, axis: 'q' }, true), { out, quick: true, progress: silentProgress }), /axis/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('loopback and growth: independent models analysed; degenerate models have the spectrum-adaptive value Σ√(rank·N) + √L', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lab-loop-'));
  try {
    const small = { family: { kind: 'beta' }, functional: 'mean', testM: 20, n: 8 };
    const loop = findExperiment('loopback');
    assert.ok(loop);
    const l = await loop.run(loop.resolve({ ...small, m: [16, 32], hidden: [8], layers: [1], weightDecay: [0, 0.1], steps: [5, 20], count: 6 }, true), { out: join(out, 'l'), quick: true, progress: silentProgress });
    const ls = l.summary as { models: number; used: number; dropped: number; kendallTau: { proxy: string; kind: string; tau: number; ci: number[] }[] };
    assert.equal(ls.models, 6);
    assert.equal(ls.used + ls.dropped, 6);
    for (const base of ['1/√m', 'parameter count', 'parameter count / m']) assert.ok(ls.kendallTau.some((t) => t.proxy === base && t.kind === 'model-free'), base);
    const grow = findExperiment('growth');
    assert.ok(grow);
    const g = await grow.run(grow.resolve({ ...small, m: 16, depths: [1, 2], widths: [16, 32], seeds: [1, 2], train: { steps: 10, batch: 8, lr: 3e-3, weightDecay: 0, valFraction: 0.25, evalEvery: 5, patience: 2 } }, true), { out: join(out, 'g'), quick: true, progress: silentProgress });
    assert.equal(g.rows.length, 8);
    const gs = g.summary as { slopes: { quantity: string; against: string; slope: number; ci: number[] }[] };
    assert.ok(gs.slopes.some((s) => s.quantity === 'spectrumAdaptive' && s.against === 'width' && Number.isFinite(s.slope) && s.ci[0] <= s.slope + 1e-12));
    // τ is paired against the parameter count: the difference is the two τs' difference, and the
    // parameter count against itself is exactly 0 in every resample.
    const gt = (g.summary as { kendallTau: { proxy: string; tau: number; minusParamCount: number; minusCi: number[]; verdict: string }[] }).kendallTau;
    const pc = gt.find((t) => t.proxy === 'paramCount');
    assert.ok(pc, 'paramCount τ');
    assert.deepEqual([pc.minusParamCount, ...pc.minusCi, pc.verdict], [0, 0, 0, 'not distinguishable']);
    for (const t of gt) assert.ok(Math.abs(t.minusParamCount - (t.tau - pc.tau)) < 1e-12, t.proxy);
    for (const r of [...l.rows, ...g.rows]) {
      assert.ok(Number(r.matrices) > 0 && Number(r.pOptPositive) <= Number(r.matrices));
      if (Number(r.pOptPositive) === 0) {
        const v = 10 ** Number(r.log10_spectrumAdaptive);
        assert.ok(Math.abs(v - Number(r.rankSum)) < 1e-9 * v, `${r.model}: bound ${v} vs Σ√(rank·N) + √L = ${r.rankSum}`);
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
