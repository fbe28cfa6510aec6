/**
 * Benchmarks of `genbound analyze` (docs/benchmarks/analyze.md). Every figure is printed with the
 * CPU model, OpenBLAS's core and threads, the load average and the user/sys CPU seconds.
 *
 *   node --import tsx bench/analyze.bench.ts                       # floor + numpy, the default set
 *   node --import tsx bench/analyze.bench.ts --floor [--shapes bert,gpt2-medium,llama-layer]
 *        [--workers 1,2] [--rounds R] [--head-l11]
 *   node --import tsx bench/analyze.bench.ts --numpy [--rounds R] [--bert-layers K] [--workers W]
 *   node --import tsx bench/analyze.bench.ts --llama7b [--llama-layers K]
 *
 * Issue 15's figures in one command (the three floor shapes, then BERT-base against numpy; about
 * 4–5 minutes at 2 workers on a quiet 2-core Zen 3, ~3 GB of memory for the LLaMA layer):
 *   node --import tsx bench/analyze.bench.ts --floor --numpy --shapes bert,gpt2-medium,llama-layer --workers 2 --rounds 1
 *
 * 1. --floor: "the LAPACK floor". For each shape (weights generated in memory, bench/lib/shapes.ts)
 *    and each worker count: the time of the unavoidable full SVDs alone (every M_in and M_out,
 *    values only, same backend, a layer's two at a time as the analysis does), then the whole
 *    analysis (analyzeModel: adapter, every measure, every bound), alternately in the same run.
 *    Reported: analysis ÷ floor at the same worker count, and ÷ the best floor of the round; the
 *    pool's speed-up (analysis at 1 worker ÷ at W). At 1 worker a breakdown by kind of call.
 * 2. --numpy: BERT-base shape on disk (F32 safetensors written by
 *    scripts/golden/analyze_bench_ref.py into a temporary folder, deleted after): `analyzePath`
 *    (read, spectra, norms, every bound) against the numpy pipeline of the same script, which runs
 *    a full dense SVD on every per-head product and feed-forward matrix. Each round times numpy,
 *    then genbound; the figure is the median ratio. The bounds must agree.
 * 3. --llama7b: a whole 7B LLaMA shape (32 layers of 4096 / 11008) analysed in a child process
 *    whose peak RSS is reported (weights generated lazily, layer by layer).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine, type SpectralEngine } from '../src/analysis/engine.js';
import { analyzePath } from '../src/analysis/run.js';
import { analyzeModel } from '../src/analysis/pipeline.js';
import { detectAdapter } from '../src/models/index.js';
import { loadNativeAddon } from '../src/linalg/native-addon.js';
import { GeneratedSource, SHAPES } from './lib/shapes.js';
import { fmtTime, loadavg, machineHeader, median, timed } from './lib/machine.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const root = fileURLToPath(new URL('..', import.meta.url));
// --head-l11: also every head product's (1,1)-norm (the analysis's default until issue 15; off by default now).
const settings = { convention: 'consistent' as const, lPhi: 1.13, rankTol: 1e-10, spectra: false, headL11: args.includes('--head-l11') };
const workerCounts = opt('--workers', '1,2').split(',').map(Number);

/** An engine that adds up the wall time of its calls by kind (meaningful at 1 worker: calls are serial). */
function profiled(engine: SpectralEngine): { engine: SpectralEngine; times: Map<string, number> } {
  const times = new Map<string, number>();
  const add = (k: string, t: number) => times.set(k, (times.get(k) ?? 0) + t);
  return {
    times,
    engine: {
      ...engine,
      measure: (a, b, spectrum, norm11) => {
        // In-process calls do their work synchronously: time the call, not the await (other
        // matrices of the layer run while this one's promise waits to be taken up).
        const t0 = performance.now();
        const r = engine.measure(a, b, spectrum, norm11);
        add(!b ? 'dense (M_in, M_out): SVD + norms' : spectrum === 'top' ? 'value map: dgemm + Lanczos σ₁ + norms' : `head products: factored σ, norms${norm11 ? ', (1,1)' : ''}`, performance.now() - t0);
        return r;
      },
    },
  };
}

async function floorShape(kind: string, rounds: number): Promise<void> {
  const spec = SHAPES[kind];
  const t = await timed(() => new GeneratedSource(kind).prepare());
  const src = t.value;
  console.log(`\n## ${spec.name}: ${spec.layers} layers, width ${spec.hidden}, ${spec.heads} heads, FFN ${spec.inter} (weights generated in ${t.wall.toFixed(1)} s, not timed)`);
  const adapter = detectAdapter(src);
  const ratios = new Map<number, number[]>();
  const best: number[] = [];
  const speedups: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const floors = new Map<number, number>();
    const analyses = new Map<number, number>();
    for (const w of workerCounts) {
      // OpenBLAS's thread count is process-wide and pool workers set theirs to cores / workers:
      // give each in-process run the default a fresh process would have.
      loadNativeAddon()?.setNumThreads(availableParallelism());
      const engine = createEngine(w);
      // Start the pool's workers (one small request each) before anything is timed: neither the
      // floor nor the analysis should carry the workers' start-up.
      if (w > 1) await Promise.all(Array.from({ length: w }, () => engine.singularValues({ rows: 8, cols: 8, data: new Float64Array(64).fill(1) })));
      // The floor: per layer the M_in and M_out SVDs (values only), the pair at once as in the analysis.
      const f = { wall: 0, user: 0, sys: 0 };
      for (let l = 0; l < spec.layers; l++) {
        const dense = (await adapter.layerMatrices(l)).filter((m) => !m.factors).map((m) => (m.denseT ?? m.dense)!);
        const s = await timed(() => Promise.all(dense.map((m) => engine.singularValues(m))));
        f.wall += s.wall; f.user += s.user; f.sys += s.sys;
      }
      const load0 = loadavg();
      const p = w === 1 ? profiled(engine) : undefined;
      const a = await timed(() => analyzeModel(adapter, p ? p.engine : engine, settings));
      await engine.close();
      floors.set(w, f.wall);
      analyses.set(w, a.wall);
      const ratio = a.wall / f.wall;
      ratios.set(w, [...(ratios.get(w) ?? []), ratio]);
      console.log(`round ${r + 1}, ${w} worker${w > 1 ? 's' : ''} (${a.value.settings.backend}): floor ${fmtTime(f)}, analysis ${fmtTime(a)}, analysis/floor ${ratio.toFixed(3)} [load ${load0} -> ${loadavg()}]`);
      if (p) console.log('   at 1 worker: ' + [...p.times].map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`).join('; ') + `; the rest (reading, copies, bounds) ${(a.wall - [...p.times.values()].reduce((x, y) => x + y, 0) / 1000).toFixed(2)} s`);
    }
    const bestFloor = Math.min(...floors.values());
    const bestAnalysis = Math.min(...analyses.values());
    best.push(bestAnalysis / bestFloor);
    if (analyses.has(1)) speedups.push(...workerCounts.filter((w) => w > 1).map((w) => (analyses.get(1) as number) / (analyses.get(w) as number)));
  }
  const per = [...ratios].map(([w, xs]) => `${w} worker${w > 1 ? 's' : ''} ${median(xs).toFixed(3)}`).join(', ');
  console.log(`${spec.name}: median analysis/floor ${per}; best analysis ÷ best floor ${median(best).toFixed(3)} (goal <= 1.25)` +
    (speedups.length ? `; pool speed-up 1 -> ${workerCounts.filter((w) => w > 1).join('/')} workers ${median(speedups).toFixed(2)}x` : ''));
}

async function bertNumpy(rounds: number, layers: number, workers: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'genbound-bench-'));
  const model = join(dir, 'bert-base');
  try {
    const py = (cmd: string) => spawnSync('python3', [join(root, 'scripts/golden/analyze_bench_ref.py'), cmd, model, String(layers)], { encoding: 'utf8' });
    const g = py('generate');
    if (g.status !== 0) throw new Error(`generate failed: ${g.stderr}`);
    console.log(`\n## BERT-base widths, ${layers} layers, on disk: genbound (${workers} worker${workers > 1 ? 's' : ''}) vs the numpy full-SVD pipeline`);
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const load0 = loadavg();
      const p = py('reference');
      if (p.status !== 0) throw new Error(`numpy reference failed: ${p.stderr}`);
      const np = JSON.parse(p.stdout) as { seconds: number; user: number; sys: number; numpy: string; blas: string; bounds: Record<string, number> };
      const engine = createEngine(workers);
      const ours = await timed(() => analyzePath(model, engine, settings));
      await engine.close();
      const res = ours.value;
      for (const k of ['spectrumAdaptive', 'edelman', 'bartlett']) {
        const rel = Math.abs((res.bounds[k] ?? NaN) - np.bounds[k]) / Math.abs(np.bounds[k]);
        if (!(rel < 1e-6)) throw new Error(`${k}: genbound ${res.bounds[k]} vs numpy ${np.bounds[k]}`);
      }
      ratios.push(ours.wall / np.seconds);
      if (r === 0) console.log(`numpy ${np.numpy}, its OpenBLAS: ${np.blas}`);
      console.log(`round ${r + 1}: numpy ${fmtTime({ wall: np.seconds, user: np.user, sys: np.sys })}, genbound ${fmtTime(ours)} (backend ${res.settings.backend}), ratio ${(ours.wall / np.seconds).toFixed(3)}; bounds agree to 1e-6 [load ${load0} -> ${loadavg()}]`);
    }
    console.log(`BERT-base widths, ${layers} layers: median ratio genbound/numpy ${median(ratios).toFixed(3)} (goal <= 0.12)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function llamaChild(layers: number): Promise<void> {
  const engine = createEngine(Number(opt('--workers', '1').split(',')[0]));
  const spec = { ...SHAPES['llama-layer'], layers, name: '7B LLaMA' };
  const t0 = performance.now();
  let last = t0;
  const res = await analyzeModel(detectAdapter(new GeneratedSource('llama-layer', spec)), engine, {
    ...settings,
    onProgress: (d, t, label) => {
      if (label.endsWith('M_out')) {
        const now = performance.now();
        console.log(`  ${label.split(' M_out')[0]} done at ${((now - t0) / 1000).toFixed(1)} s (+${((now - last) / 1000).toFixed(1)} s), peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, load ${loadavg()}`);
        last = now;
      }
    },
  });
  const secs = (performance.now() - t0) / 1000;
  await engine.close();
  console.log(`7B LLaMA shape, ${layers} layers of 4096/11008 (${res.matrices.length} matrices): ${secs.toFixed(1)} s, ${(secs / layers).toFixed(1)} s per layer, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, backend ${res.settings.backend}; spectrumAdaptive 10^${res.boundsLog10?.spectrumAdaptive?.toFixed(3)}`);
}

async function main(): Promise<void> {
  if (args.includes('--llama-child')) return llamaChild(Number(opt('--llama-layers', '32')));
  console.log(machineHeader());
  const start = performance.now();
  process.on('exit', () => console.log(`\n(bench took ${((performance.now() - start) / 1000).toFixed(0)} s; load ${loadavg()})`));
  const all = !args.includes('--floor') && !args.includes('--numpy') && !args.includes('--llama7b');
  const rounds = Number(opt('--rounds', '1'));
  if (all || args.includes('--floor')) {
    for (const kind of opt('--shapes', 'bert,gpt2-medium,llama-layer').split(',')) await floorShape(kind, rounds);
  }
  if (all || args.includes('--numpy')) {
    await bertNumpy(Number(opt('--rounds', '1')), Number(opt('--bert-layers', '12')), Math.max(...workerCounts));
  }
  if (args.includes('--llama7b')) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--llama-child', '--llama-layers', opt('--llama-layers', '32'), '--workers', opt('--workers', '1')],
      { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('the 7B run failed');
  }
}

await main();
