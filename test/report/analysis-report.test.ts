import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisResult, CompareResult } from '../../src/types/analysis.js';
import { buildAnalysisReport, buildCompareReport, writeAnalysisReport, writeCompareReport, CONVENTION_NOTE } from '../../src/report/analysis-report.js';
import { esdBinCount, esdHistogram } from '../../src/report/figures/esd.js';
import { contributionsByType } from '../../src/report/figures/contributions.js';
import { tRatios } from '../../src/report/figures/tcurve.js';
import { growthPoints } from '../../src/report/figures/growth.js';
import { strideIndices } from '../../src/report/figures/common.js';
import { launch, openReport, figureInfo, columnText } from './browser.js';
import { pngInflate, svgSize } from './png.js';

// Fixtures and golden values: scripts/golden/report_fixture.py (numpy, independent of src/).
const FIX = join(import.meta.dirname, '..', 'fixtures', 'report');
const analysis = JSON.parse(readFileSync(join(FIX, 'analysis.json'), 'utf8')) as AnalysisResult;
const compare = JSON.parse(readFileSync(join(FIX, 'compare.json'), 'utf8')) as CompareResult;
const golden = JSON.parse(readFileSync(join(FIX, 'golden.json'), 'utf8')) as {
  esd: Record<string, { edges: number[]; density: number[]; counts: number[] }>;
  byType: Record<string, { count: number; sum: number }>;
  ratioAtOpt: number[];
};

function close(a: number, b: number, rel = 1e-12): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

test('ESD histogram matches numpy log-binned density', () => {
  for (const [type, g] of Object.entries(golden.esd)) {
    const sv = analysis.matrices.filter((m) => m.type === type).flatMap((m) => m.singularValues ?? []);
    assert.equal(esdBinCount(sv.length), g.counts.length, `${type} bin count`);
    const h = esdHistogram(sv);
    assert.deepEqual(h.map((b) => b.count), g.counts, `${type} counts`);
    h.forEach((b, i) => {
      assert.ok(close(b.lo, g.edges[i], 1e-9), `${type} edge ${i}`);
      assert.ok(close(b.density, g.density[i], 1e-9), `${type} density ${i}: ${b.density} vs ${g.density[i]}`);
    });
  }
  assert.deepEqual(esdHistogram([0, -1, NaN]), []);
});

test('contributions by type and T(p*)/T(0) match numpy', () => {
  const by = contributionsByType(analysis.matrices);
  assert.deepEqual(by.map((e) => e.type), ['QK', 'V_tilde', 'M_in', 'M_out']);
  for (const e of by) {
    assert.equal(e.count, golden.byType[e.type].count);
    assert.ok(close(e.sum, golden.byType[e.type].sum, 1e-12));
  }
  analysis.matrices.forEach((m, i) => {
    const opt = tRatios(m).filter((p) => p.opt);
    assert.equal(opt.length, 1, 'exactly one optimum marked');
    assert.equal(opt[0].p, m.pOpt);
    assert.ok(close(opt[0].ratio, golden.ratioAtOpt[i]), `matrix ${i}`);
  });
  // Some optimum is interior or at p = 2 in this fixture, so the marks are not all at p = 0.
  assert.ok(analysis.matrices.some((m) => (m.pOpt ?? 0) > 0));
});

test('growth points carry the normalised ratios and one slope label per line', () => {
  const w = growthPoints(compare, 'width');
  assert.equal(w.length, compare.growth.length);
  const labels = w.filter((p) => p.label !== '');
  assert.equal(labels.length, 2 * 3, 'two bounds x three depths');
  for (const l of labels) {
    const s = compare.slopes.find((q) => q.bound === l.bound && q.against === 'width' && q.fixed === l.fixed);
    assert.equal(l.label, `slope ${s!.slope.toFixed(2)}`);
    assert.equal(l.x, 128, 'label at the widest model');
  }
  const d = growthPoints(compare, 'depth');
  assert.ok(d.every((p) => p.x === 2 ? close(p.ratio, 1) : true), 'normalised to 1 at the smallest depth');
});

test('strideIndices keeps ends and caps the count', () => {
  assert.deepEqual(strideIndices(5, 10), [0, 1, 2, 3, 4]);
  const s = strideIndices(1000, 160);
  assert.equal(s.length, 160);
  assert.equal(s[0], 0);
  assert.equal(s[159], 999);
});

test('report sections degrade gracefully without spectra, curves or contributions', () => {
  const bare: AnalysisResult = {
    ...analysis,
    matrices: analysis.matrices.map((m) => ({ ...m, singularValues: undefined, tCurve: undefined, contribution: null, pOpt: null, alpha: null, gamma: null })),
  };
  const r = buildAnalysisReport(bare);
  assert.deepEqual(r.sections.map((s) => s.title), ['Bounds', 'Spectral decay']);
  assert.equal(r.sections[1].figures.length, 0);
  assert.equal(r.sections[1].tables![0].rows.length, analysis.matrices.length);
  assert.ok(r.notes!.includes(CONVENTION_NOTE));
  const c = buildCompareReport({ ...compare, models: [compare.models[0]], growth: compare.growth.slice(0, 1), slopes: [] });
  assert.ok(c.sections.every((s) => s.figures.length === 0), 'one model: nothing to plot, tables only');
});

test('analysis and compare reports in headless Chromium: figures drawn, tables sort, PNGs decode', async () => {
  const root = mkdtempSync(join(tmpdir(), 'genbound-report-'));
  const a = await writeAnalysisReport(join(root, 'analysis'), analysis, { png: true, decayLayers: 2 });
  const c = await writeCompareReport(join(root, 'compare'), compare, { png: true });
  assert.deepEqual(
    a.svgs.map((p) => p.split('/').pop()),
    ['spectral-decay.svg', 't-curves.svg', 'contributions-heatmap.svg', 'contributions-by-layer.svg', 'esd.svg'],
  );
  assert.deepEqual(c.svgs.map((p) => p.split('/').pop()), ['bounds-per-model.svg', 'growth-width.svg', 'growth-depth.svg', 'norms-width.svg']);
  for (const [svgPath, pngPath] of [...a.svgs.map((s, i) => [s, a.pngs[i]]), ...c.svgs.map((s, i) => [s, c.pngs[i]])]) {
    const s = svgSize(readFileSync(svgPath, 'utf8'));
    const png = pngInflate(readFileSync(pngPath));
    assert.equal(png.width, Math.round(2 * s.width), pngPath);
    assert.equal(png.height, Math.round(2 * s.height), pngPath);
  }
  const html = readFileSync(a.html, 'utf8');
  assert.match(html, /reference/);
  assert.match(html, /numerical zeros/);
  assert.match(html, /consistent/);

  const browser = await launch();
  try {
    for (const [file, minFigs] of [[a.html, 5], [c.html, 4]] as const) {
      const { page, errors, requests } = await openReport(browser, file);
      const figs = await figureInfo(page);
      assert.equal(figs.length, minFigs, `${file}: figures`);
      for (const f of figs) {
        assert.ok(f.width >= 150 && f.height >= 100 && f.width < 4000 && f.height < 3000, `${f.name}: sensible size ${f.width}x${f.height}`);
        assert.ok(f.marks >= 3, `${f.name}: has marks (${f.marks})`);
      }
      assert.deepEqual(errors, [], `${file}: console errors`);
      assert.deepEqual(requests, [], `${file}: network requests`);
      if (file === a.html) {
        // Sort the matrices table by spectral norm (column 6), both directions.
        const before = await columnText(page, 'matrices', 6);
        await page.click('table[data-name="matrices"] th[data-col="6"]');
        const asc = (await columnText(page, 'matrices', 6)).map(Number);
        assert.notDeepEqual(asc.map(String), before, 'order changed');
        assert.deepEqual(asc, [...asc].sort((x, y) => x - y));
        await page.click('table[data-name="matrices"] th[data-col="6"]');
        const desc = (await columnText(page, 'matrices', 6)).map(Number);
        assert.deepEqual(desc, [...asc].reverse());
        mkdirSync('test-output', { recursive: true });
        await page.screenshot({ path: 'test-output/report.png', fullPage: true });
      } else {
        await page.screenshot({ path: 'test-output/compare-report.png', fullPage: true });
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  assert.ok(readdirSync('test-output').includes('report.png'));
});

test('overflowed and generic-mode results still render: Infinity, nulls from JSON, raw tensor types', async () => {
  const quirky: AnalysisResult = JSON.parse(JSON.stringify({
    ...analysis,
    bounds: { ...analysis.bounds, edelman: Infinity },
    matrices: [
      ...analysis.matrices.map((m, i) => (i === 0 ? { ...m, contribution: Infinity, tCurve: { p: m.tCurve!.p, t: m.tCurve!.t.map((t, j) => (j > 3 ? Infinity : t)) } } : m)),
      { ...analysis.matrices[8], type: 'encoder.dense.weight', name: 'encoder.dense.weight', alpha: null, gamma: null, pOpt: null, contribution: null, tCurve: undefined },
    ],
  })) as AnalysisResult; // through JSON: Infinity becomes null, as when reading analyze's --json
  const r = buildAnalysisReport(quirky);
  assert.equal(r.sections[0].tables![0].rows.find((row) => row[0] === 'edelman')![1], null);
  const dir = join(mkdtempSync(join(tmpdir(), 'genbound-report-')), 'q');
  const files = await writeAnalysisReport(dir, quirky);
  const decay = readFileSync(files.svgs[0], 'utf8');
  assert.match(decay, /encoder\.dense\.weight/, 'raw types get their own panel');
  assert.ok(readFileSync(files.html, 'utf8').includes('T(p) / T(0)'));
});
