import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, readdirSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';
import { close } from '../bounds/fixture.js';
import type { AnalysisResult, CompareResult } from '../../src/types/analysis.js';

const E2E = fileURLToPath(new URL('../fixtures/analyze/e2e/', import.meta.url));
interface Expected { gridM: number; bounds: Record<string, number>; matrices: Record<string, number | string>[] }
const expected = JSON.parse(readFileSync(join(E2E, 'expected.json'), 'utf8')) as Record<string, Expected>;
const tmp = mkdtempSync(join(tmpdir(), 'genbound-analyze-'));
const NUM_KEYS = ['spectralNorm', 'frobeniusNorm', 'nuclearNorm', 'norm21', 'norm11', 'stableRank', 'alpha', 'gamma', 'contribution'] as const;

async function analyzeJson(args: string[]): Promise<AnalysisResult> {
  const out = join(tmp, `r${Math.random().toString(36).slice(2)}.json`);
  const r = await runCli(['analyze', ...args, '--json', out]);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(readFileSync(out, 'utf8')) as AnalysisResult;
}

function check(got: AnalysisResult, exp: Expected, what: string): void {
  assert.equal(got.settings.gridM, exp.gridM, `${what} gridM`);
  assert.equal(got.matrices.length, exp.matrices.length, `${what} matrix count`);
  for (const e of exp.matrices) {
    const g = got.matrices.find((m) => m.layer === e.layer && m.head === e.head && m.type === e.type);
    const label = `${what} ${String(e.type)} ${e.layer}/${e.head}`;
    assert.ok(g, label);
    assert.equal(g.rank, e.rank, `${label} rank`);
    assert.deepEqual([g.rows, g.cols], [e.rows, e.cols], `${label} shape`);
    assert.equal(g.pOpt, e.pOpt, `${label} pOpt`);
    for (const k of NUM_KEYS) close(g[k] as number, e[k] as number, 1e-8, `${label} ${k}`);
  }
  for (const [k, v] of Object.entries(exp.bounds)) close(got.bounds[k] as number, v, 1e-8, `${what} bound ${k}`);
}

// The goldens hold every head product's (1,1)-norm and the (1,1) proxies: --head-l11.
for (const name of ['bert-f32', 'bert-f16', 'bert-bf16', 'gpt2-f16', 'llama-bf16']) {
  test(`analyze ${name} --head-l11: every matrix and bound matches numpy`, async () => {
    check(await analyzeJson([join(E2E, name), '--head-l11']), expected[name], name);
  });
}

test('analyze (default): head products without (1,1)-norm, the (1,1) proxies "not computed (needs --head-l11)" in JSON, CSV and summary', async () => {
  const dir = join(tmp, 'csv-default');
  const out = join(tmp, 'default.json');
  const r = await runCli(['analyze', join(E2E, 'bert-f32'), '--json', out, '--csv', dir]);
  assert.equal(r.code, 0, r.err);
  const got = JSON.parse(readFileSync(out, 'utf8')) as AnalysisResult;
  const exp = expected['bert-f32'];
  assert.equal(got.settings.headL11, false);
  for (const e of exp.matrices) {
    const g = got.matrices.find((m) => m.layer === e.layer && m.head === e.head && m.type === e.type);
    assert.ok(g);
    if (e.type === 'QK' || e.type === 'V_tilde') assert.equal(g.norm11, null, `${String(e.type)} ${e.layer}/${e.head} norm11`);
    else close(g.norm11 as number, e.norm11 as number, 1e-8, `${String(e.type)} ${e.layer} norm11`);
    close(g.contribution as number, e.contribution as number, 1e-8, 'contribution');
  }
  for (const k of ['norm11Sum', 'norm11Product']) {
    assert.equal(got.bounds[k], null, k);
    assert.equal(got.boundsLog10?.[k], null, `${k} log10`);
    assert.match(r.out, new RegExp(`${k === 'norm11Sum' ? '\\(1,1\\)-norm sum' : '\\(1,1\\)-norm layer product'} +not computed \\(needs --head-l11\\)`));
    assert.ok(readFileSync(join(dir, 'bounds.csv'), 'utf8').includes(`\n${k},,,not computed (needs --head-l11)\n`), `bounds.csv ${k}`);
  }
  for (const k of ['spectrumAdaptive', 'edelman', 'bartlett', 'frobeniusProduct', 'paramCount']) close(got.bounds[k] as number, exp.bounds[k], 1e-8, k);
  const head = readFileSync(join(dir, 'matrices.csv'), 'utf8').split('\n').find((l) => l.startsWith('0,0,QK,')) as string;
  assert.equal(head.split(',')[10], '', 'matrices.csv: empty norm11 cell for a head product');
});

test('analyze: --lphi and --grid-m reach the bounds', async () => {
  const r = await analyzeJson([join(E2E, 'bert-f32'), '--lphi', '1.5', '--grid-m', '7', '--head-l11']);
  check(r, expected['bert-f32-lphi1.5-m7'], 'lphi 1.5, m 7');
  assert.equal(r.settings.lPhi, 1.5);
});

test('analyze --init: the update W - W0', async () => {
  const r = await analyzeJson([join(E2E, 'bert-f32'), '--init', join(E2E, 'bert-init'), '--head-l11']);
  check(r, expected['bert-f32-minus-init'], 'minus init');
});

test('analyze a LoRA adapter alone (factored update) and merged into its base', async () => {
  const alone = await analyzeJson([join(E2E, 'bert-lora'), '--spectra']);
  const exp = expected['bert-lora-alone'] as unknown as { matrices: Record<string, number | string | number[]>[]; paramCount: number };
  assert.equal(alone.matrices.length, exp.matrices.length);
  for (const e of exp.matrices) {
    const g = alone.matrices.find((m) => m.name === e.name);
    assert.ok(g, String(e.name));
    assert.equal(g.rank, e.rank);
    assert.equal(g.alpha, null);
    // Generic mode (a LoRA update alone): the (1,1)-norm by default (no head products).
    for (const k of ['spectralNorm', 'frobeniusNorm', 'nuclearNorm', 'norm21', 'norm11'] as const) close(g[k] as number, e[k] as number, 1e-8, `${String(e.name)} ${k}`);
    (e.singularValues as number[]).forEach((s, i) => close(g.singularValues?.[i] as number, s, 1e-8, `${String(e.name)} sigma ${i}`));
  }
  assert.equal(alone.bounds.paramCount, exp.paramCount);
  const merged = await analyzeJson([join(E2E, 'bert-lora'), '--merge-into', join(E2E, 'bert-f32'), '--head-l11']);
  check(merged, expected['bert-lora-merged'], 'LoRA merged');
});

test('analyze --csv and --spectra write the tables', async () => {
  const dir = join(tmp, 'csv');
  const r = await runCli(['analyze', join(E2E, 'gpt2-f16'), '--csv', dir, '--spectra', '--report', join(tmp, 'html')]);
  assert.equal(r.code, 0, r.err);
  assert.match(readFileSync(join(tmp, 'html', 'index.html'), 'utf8'), /spectrumAdaptive/);
  assert.match(r.out, /spectrum-adaptive/);
  assert.deepEqual(readdirSync(dir).sort(), ['bounds.csv', 'matrices.csv', 'spectra.csv', 'tcurve.csv']);
  const rows = readFileSync(join(dir, 'matrices.csv'), 'utf8').trim().split('\n');
  assert.equal(rows.length, 1 + expected['gpt2-f16'].matrices.length);
  assert.match(rows[0], /^layer,head,type,rows,cols,rank,spectralNorm/);
  const b = readFileSync(join(dir, 'bounds.csv'), 'utf8');
  const line = b.split('\n').find((l) => l.startsWith('edelman,')) as string;
  close(Number(line.split(',')[1]), expected['gpt2-f16'].bounds.edelman, 1e-8, 'csv edelman');
});

test('--progress forces the per-matrix bar on a non-TTY stderr; without it stderr stays quiet', async () => {
  const on = await runCli(['analyze', join(E2E, 'gpt2-f16'), '--progress']);
  assert.equal(on.code, 0, on.err);
  assert.match(on.err, /matrices \| ETA/);
  assert.match(on.err, /20\/20 matrices/);
  const off = await runCli(['analyze', join(E2E, 'gpt2-f16')]);
  assert.equal(off.err, '');
});

test('compare: a list file and a folder, growth ratios and slopes', async () => {
  const list = join(tmp, 'family.txt');
  writeFileSync(list, ['# three shapes', join(E2E, 'gpt2-f16'), join(E2E, 'bert-f32'), join(E2E, 'llama-bf16')].join('\n'));
  const out = join(tmp, 'compare.json');
  const r = await runCli(['compare', list, '--json', out, '--csv', join(tmp, 'cmp')]);
  assert.equal(r.code, 0, r.err);
  const c = JSON.parse(readFileSync(out, 'utf8')) as CompareResult;
  assert.equal(c.models.length, 3);
  const bert = c.growth.find((g) => g.model === 'bert-f32' && g.bound === 'spectrumAdaptive');
  // smallest depth at N = 32 is L = 2: the first listed such model, gpt2-f16.
  close(bert?.byDepth as number, expected['bert-f32'].bounds.spectrumAdaptive / expected['gpt2-f16'].bounds.spectrumAdaptive, 1e-8, 'byDepth');
  assert.equal(bert?.byWidth, null);
  const slope = c.slopes.find((s) => s.bound === 'edelman' && s.against === 'depth');
  assert.equal(slope?.points, 3);
  // Without --head-l11 the (1,1) proxies have no growth rows and are said to be not computed.
  assert.ok(!c.growth.some((g) => g.bound === 'norm11Sum') && !c.slopes.some((s) => s.bound === 'norm11Product'));
  assert.match(r.out, /norm11Sum/);
  assert.match(r.out, /not computed \(needs --head-l11\)/);
  assert.ok(existsSync(join(tmp, 'cmp', 'growth.csv')) && existsSync(join(tmp, 'cmp', 'slopes.csv')));
  // a folder of checkpoints
  const fam = join(tmp, 'fam');
  for (const m of ['bert-f16', 'gpt2-f16']) {
    mkdirSync(join(fam, m), { recursive: true });
    for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(E2E, m, f), join(fam, m, f));
  }
  const r2 = await runCli(['compare', fam]);
  assert.equal(r2.code, 0, r2.err);
  assert.match(r2.out, /bert-f16/);
  assert.match(r2.out, /gpt2-f16/);
});

test('bad input: one line on stderr, non-zero exit, no output file', async () => {
  const out = join(tmp, 'never.json');
  const cases: [string[], number, RegExp][] = [
    [['analyze', join(tmp, 'missing'), '--json', out], 1, /missing: no such file or folder/],
    [['analyze', join(E2E, 'bert-f32'), '--convention', 'weird', '--json', out], 2, /--convention must be consistent or reference/],
    [['analyze', join(E2E, 'bert-f32'), '--grid-m', '0', '--json', out], 2, /--grid-m must be a positive integer/],
    [['analyze', join(E2E, 'bert-f32'), '--lphi', 'abc', '--json', out], 2, /--lphi must be a positive number/],
    [['analyze', join(E2E, 'bert-f32'), '--init', join(E2E, 'gpt2-f16'), '--json', out], 1, /--init/],
  ];
  for (const [args, code, re] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.equal(existsSync(out), false);
  }
  // a truncated checkpoint
  const bad = join(tmp, 'truncated');
  mkdirSync(bad);
  copyFileSync(join(E2E, 'bert-f32', 'config.json'), join(bad, 'config.json'));
  writeFileSync(join(bad, 'model.safetensors'), readFileSync(join(E2E, 'bert-f32', 'model.safetensors')).subarray(0, 5000));
  const r = await runCli(['analyze', bad, '--json', out]);
  assert.notEqual(r.code, 0);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /model\.safetensors/);
  assert.equal(existsSync(out), false);
});
