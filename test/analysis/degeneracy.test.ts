import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransformerRegressor, saveTransformer } from '../../src/nn/index.js';
import { createEngine } from '../../src/analysis/engine.js';
import { analyzePath } from '../../src/analysis/run.js';
import { degeneracyOf } from '../../src/analysis/degeneracy.js';
import { analysisSummary } from '../../src/report/summary.js';
import { buildAnalysisReport } from '../../src/report/analysis-report.js';
import { DEFAULT_SETTINGS } from '../../src/analysis/settings.js';

// A real model analysed by the real pipeline: with large weights every T(p) is smallest at p = 0,
// where T(0) = √(rank·N), so the bound must equal Σ√(rank·N) + √L computed from the ranks alone;
// with tiny weights the optimum moves to p > 0 and the diagnostic must stay silent.
test('degeneracy: p_opt = 0 everywhere ⇔ the spectrum-adaptive bound equals Σ√(rank·N) + √L', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'degen-'));
  const engine = createEngine(1);
  try {
    const seen: boolean[] = [];
    for (const scale of [30, 0.01]) {
      const net = new TransformerRegressor({ inputDim: 2, hiddenSize: 16, numHeads: 2, numLayers: 2, intermediateSize: 32, seed: 3 });
      for (const t of net.parameters()) for (let i = 0; i < t.data.length; i++) (t.data as Float32Array)[i] *= scale;
      const path = join(dir, `s${scale}`);
      await saveTransformer(net, path, {});
      const a = await analyzePath(path, engine, { ...DEFAULT_SETTINGS, notice: () => {} });
      const d = degeneracyOf(a);
      assert.equal(d.matrices, 12);
      const rankSum = a.matrices.reduce((s, m) => s + Math.sqrt(m.rank * 16), 0) + Math.sqrt(2);
      assert.ok(d.rankValue !== null && Math.abs(d.rankValue - rankSum) < 1e-9 * rankSum);
      seen.push(d.degenerate);
      if (d.degenerate) {
        assert.equal(d.positive, 0);
        assert.ok(Math.abs((a.bounds.spectrumAdaptive as number) - rankSum) < 1e-9 * rankSum, `${a.bounds.spectrumAdaptive} vs ${rankSum}`);
        assert.match(d.message ?? '', /p_opt = 0.*Σ√\(rank·N\) \+ √L/);
        // printed by `genbound analyze` and shown in its report
        assert.match(analysisSummary(a), /p_opt > 0 in 0 of 12 matrices\ndegenerate: every one of the 12 matrices/);
        assert.ok(buildAnalysisReport(a).notes?.some((n) => n.startsWith('degenerate: ')));
      } else {
        assert.ok(d.positive > 0 && d.message === null);
        assert.ok(!/degenerate/.test(analysisSummary(a)) && analysisSummary(a).includes(`p_opt > 0 in ${d.positive} of 12 matrices`));
        assert.ok((a.bounds.spectrumAdaptive as number) < 0.5 * rankSum);
      }
    }
    assert.deepEqual(seen, [true, false]);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
