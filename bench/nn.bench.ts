/**
 * One training step (forward + backward + Adam) of a 2-layer, 4-head, width-64 Transformer
 * regressor (FFN 256, GELU tanh, pre-LN, mean pool) on 64 bags of 128 two-dimensional samples,
 * src/nn against PyTorch CPU (bench/nn_torch.py, same model and Adam) in the same run.
 *
 *   node --import tsx bench/nn.bench.ts [--steps 10] [--rounds 3] [--threads 1] [--backend native|js] [--torch-blas-default] [--torch-env K=V ...]
 *
 * Rounds alternate PyTorch and src/nn so both see the same machine load; each round reports the
 * median step time of each, and the summary is the median over rounds of the per-round ratio.
 * Both sides use the same thread count: OpenBLAS threads and src/nn's native kernels here;
 * torch.set_num_threads and OPENBLAS_NUM_THREADS in the PyTorch process. Debian's PyTorch does its
 * GEMMs in the system OpenBLAS, whose pool torch.set_num_threads does not size: left alone it
 * uses every core even at "1 thread" (measured 110–125 ms vs 142–147 ms truly single-threaded
 * on the 2-core machine). --torch-blas-default leaves it alone, as the bench did before 2026-12-02.
 * --torch-env K=V adds variables to the PyTorch process only (e.g. OMP_WAIT_POLICY=PASSIVE, which
 * stops its OpenMP threads spinning against OpenBLAS's at 2 threads).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { TransformerRegressor, Tensor, Adam, mse, backward, Rng, setGemmThreads, setGemmBackend, gemmBackend } from '../src/nn/index.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    backend: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'torch-blas-default': { type: 'boolean', default: false },
    'torch-env': { type: 'string', multiple: true, default: [] },
  },
});
const steps = Number(values.steps), rounds = Number(values.rounds), threads = Number(values.threads);
const [BAGS, N, DIM, WIDTH, HEADS, LAYERS, FFN] = [64, 128, 2, 64, 4, 2, 256];
if (values.backend) setGemmBackend(values.backend as 'native' | 'js');
setGemmThreads(threads);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function torchRound(): { times: number[]; version: string } | null {
  const env: NodeJS.ProcessEnv = values['torch-blas-default'] ? { ...process.env } : { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  for (const kv of values['torch-env'] as string[]) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--torch-env expects K=V, got "${kv}"`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const r = spawnSync(values.python as string, ['bench/nn_torch.py', ...[BAGS, N, DIM, WIDTH, HEADS, LAYERS, FFN, steps, threads].map(String)], { encoding: 'utf8', env });
  if (r.status !== 0) {
    console.log(`PyTorch reference unavailable (${values.python}): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
    return null;
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { times_ms: number[]; torch: string };
  return { times: out.times_ms, version: out.torch };
}

const model = new TransformerRegressor({ inputDim: DIM, hiddenSize: WIDTH, numHeads: HEADS, numLayers: LAYERS, intermediateSize: FFN, seed: 0 });
const opt = new Adam(model.trainableParameters(), { lr: 1e-3 });
const rng = new Rng(0);
const x = Tensor.zeros([BAGS, N, DIM]);
for (let i = 0; i < x.size; i++) x.data[i] = rng.normal();
const y = Tensor.zeros([BAGS, 1]);
for (let i = 0; i < BAGS; i++) y.data[i] = rng.normal();

function step(): number {
  const t0 = performance.now();
  opt.zeroGrad();
  const loss = mse(model.forward(x), y);
  backward(loss);
  opt.step();
  return performance.now() - t0;
}

for (let i = 0; i < 3; i++) step(); // warm-up (JIT)
console.log(`PyTorch OpenBLAS threads: ${values['torch-blas-default'] ? 'OpenBLAS default (all cores)' : threads}${(values['torch-env'] as string[]).length ? `; PyTorch env ${(values['torch-env'] as string[]).join(' ')}` : ''}`);
console.log(`src/nn backend: ${gemmBackend()}, threads: ${threads}; workload ${BAGS} bags × ${N} samples × ${DIM}-d, width ${WIDTH}, ${HEADS} heads, ${LAYERS} layers, FFN ${FFN}`);
console.log('| round | PyTorch ms/step | src/nn ms/step | ratio |');
console.log('|---|---|---|---|');
const ratios: number[] = [], ours: number[] = [], theirs: number[] = [];
let version = '';
for (let r = 0; r < rounds; r++) {
  const t = torchRound();
  const times: number[] = [];
  for (let s = 0; s < steps; s++) times.push(step());
  const m = median(times);
  ours.push(m);
  if (t) {
    version = t.version;
    const tm = median(t.times);
    theirs.push(tm);
    ratios.push(m / tm);
    console.log(`| ${r + 1} | ${tm.toFixed(1)} | ${m.toFixed(1)} | ${(m / tm).toFixed(2)}× |`);
  } else {
    console.log(`| ${r + 1} | – | ${m.toFixed(1)} | – |`);
  }
}
if (ratios.length > 0) {
  console.log(`\nmedian over rounds: PyTorch ${version} ${median(theirs).toFixed(1)} ms, src/nn ${median(ours).toFixed(1)} ms, ratio src/nn / PyTorch = ${median(ratios).toFixed(2)}× (goal ≤ 1.0×)`);
} else {
  console.log(`\nmedian src/nn step: ${median(ours).toFixed(1)} ms (no PyTorch reference)`);
}
