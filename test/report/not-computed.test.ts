/**
 * A bound the run did not compute (the (1,1)-norm proxies without --head-l11: null in bounds and
 * boundsLog10) reads "not computed (needs --head-l11)" in every report — never a number, 0 or a
 * blank — while a bound that overflowed (null in JSON, finite log10) is still a value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisResult, CompareResult } from '../../src/types/analysis.js';
import { buildAnalysisReport, buildCompareReport } from '../../src/report/analysis-report.js';
import { analysisTables } from '../../src/report/csv-tables.js';
import { analysisSummary, compareSummary } from '../../src/report/summary.js';
import { growthView } from '../../src/analysis/compare.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'report');
const full = JSON.parse(readFileSync(join(FIX, 'analysis.json'), 'utf8')) as AnalysisResult;
const HINT = 'not computed (needs --head-l11)';

/** The fixture as the default path gives it: head products without norm11, the (1,1) proxies null. */
function withoutL11(r: AnalysisResult): AnalysisResult {
  return {
    ...r,
    matrices: r.matrices.map((m) => (m.head >= 0 ? { ...m, norm11: null } : m)),
    bounds: { ...r.bounds, norm11Sum: null, norm11Product: null },
    boundsLog10: { ...(r.boundsLog10 ?? {}), norm11Sum: null, norm11Product: null, edelman: 400 },
  };
}

test('analysis: summary, bounds.csv and the HTML bounds table say "not computed (needs --head-l11)"', () => {
  const r = withoutL11({ ...full, bounds: { ...full.bounds, edelman: null } }); // edelman: overflowed (finite log10)
  assert.match(analysisSummary(r), /\(1,1\)-norm sum +not computed \(needs --head-l11\)\n\(1,1\)-norm layer product +not computed \(needs --head-l11\)/);
  assert.match(analysisSummary(r), /Edelman et al\. \(norm-based\) +10\^400\.00/);
  const csv = analysisTables(r)['bounds.csv'];
  assert.ok(csv.includes(`\nnorm11Sum,,,${HINT}\n`) && csv.includes(`\nnorm11Product,,,${HINT}\n`), csv);
  assert.ok(csv.includes('\nedelman,,400,\n'), csv);
  const rows = buildAnalysisReport(r).sections[0].tables?.[0].rows ?? [];
  assert.deepEqual(rows.find((x) => x[0] === 'norm11Sum'), ['norm11Sum', HINT, HINT]);
  assert.deepEqual(rows.find((x) => x[0] === 'edelman'), ['edelman', null, 400]);
});

test('compare: no growth rows or slopes for a bound not computed; the models and norms tables say so', () => {
  const a = withoutL11(full);
  const b = withoutL11({ ...full, model: { ...full.model, hidden: 2 * full.model.hidden, name: 'wide' } });
  const c: CompareResult = growthView(['narrow', 'wide'], [a, b]);
  assert.ok(c.growth.some((g) => g.bound === 'edelman') && !c.growth.some((g) => g.bound.startsWith('norm11')));
  assert.ok(!c.slopes.some((s) => s.bound.startsWith('norm11')));
  assert.match(compareSummary(c, ['narrow', 'wide']), /norm11Sum.*\n.*\nnarrow .*not computed \(needs --head-l11\)/);
  const report = buildCompareReport(c);
  const models = report.sections[0].tables?.[0];
  const col = models?.columns.indexOf('norm11Sum') ?? -1;
  assert.ok(col > 0 && models?.rows.every((row) => row[col] === HINT));
  const norms = report.sections.flatMap((s) => s.tables ?? []).find((t) => t.name === 'norms');
  const qk = norms?.rows.find((row) => row[3] === 'QK');
  assert.equal(qk?.[7], HINT, 'mean (1,1) of QK');
  assert.equal(typeof norms?.rows.find((row) => row[3] === 'M_in')?.[7], 'number', 'mean (1,1) of M_in');
});
