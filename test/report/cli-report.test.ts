import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.js';

const BERT = join(import.meta.dirname, '..', 'fixtures', 'models', 'synthetic', 'bert');

test('analyze --report draws the spectra even without --spectra, and --json then leaves them out', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbound-cli-report-'));
  const r = await runCli(['analyze', BERT, '--report', join(tmp, 'rep'), '--png', '--json', join(tmp, 'r.json')]);
  assert.equal(r.code, 0, r.err);
  const figs = readdirSync(join(tmp, 'rep', 'figures')).sort();
  for (const f of ['spectral-decay', 'esd', 't-curves', 'contributions-heatmap', 'contributions-by-layer']) {
    assert.ok(figs.includes(`${f}.svg`) && figs.includes(`${f}.png`), `${f} written (${figs.join(', ')})`);
  }
  const json = JSON.parse(readFileSync(join(tmp, 'r.json'), 'utf8')) as { matrices: { singularValues?: number[] }[] };
  assert.ok(json.matrices.every((m) => m.singularValues === undefined));
});

test('analyze --report into a file is one clear error', async () => {
  const r = await runCli(['analyze', BERT, '--report', join(import.meta.dirname, 'cli-report.test.ts')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^genbound: --report .*cli-report\.test\.ts: is a file, not a report folder\n$/);
  assert.equal(r.out, '', 'refused before the analysis');
});
