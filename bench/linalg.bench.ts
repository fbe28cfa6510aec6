/**
 * Spectral engine benchmark: ratios against numpy's np.linalg.svd(A, compute_uv=False) measured in
 * the same run (a python3 child running bench/linalg_numpy.py), interleaved with our own timings so
 * machine load affects both alike. Medians of repeats.
 *
 *   node --import tsx bench/linalg.bench.ts [--quick] [--js-big] [--reps N] [--threads T]
 *     [--sizes 4096x4096,768x768] [--backends native,js] [--no-product]
 *
 * --quick skips 4096² entirely; --js-big also times the js backend on 4096² (one run, minutes);
 * --threads T sets OpenBLAS's thread count for both numpy and the native addon (default: their
 * own default, all cores). On a loaded machine --threads 1 gives the steadier comparison.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend, nativeAvailable } from '../src/linalg/index.js';
import { loadNativeAddon } from '../src/linalg/native-addon.js';
import type { LinalgBackend, Matrix } from '../src/linalg/types.js';
import { loadavg, machineHeader } from './lib/machine.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsBig = args.includes('--js-big');
const repsArg = args.indexOf('--reps');
const REPS = repsArg >= 0 ? Number(args[repsArg + 1]) : 3;
const threadsArg = args.indexOf('--threads');
const THREADS = threadsArg >= 0 ? Number(args[threadsArg + 1]) : undefined;
const backendsArg = args.indexOf('--backends');
const only = backendsArg >= 0 ? args[backendsArg + 1].split(',') : ['native', 'js'];

function randn(rows: number, cols: number, seed: number): Matrix {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { rows, cols, data };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => unknown, reps: number): number {
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fn();
    ts.push((performance.now() - t) / 1000);
  }
  return median(ts);
}

/** The numpy child: one request at a time. */
class Numpy {
  private readonly lines: AsyncIterableIterator<string>;
  private readonly child;
  version = '';
  constructor() {
    const env = THREADS ? { ...process.env, OPENBLAS_NUM_THREADS: String(THREADS), OMP_NUM_THREADS: String(THREADS) } : process.env;
    this.child = spawn('python3', [new URL('./linalg_numpy.py', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'], env });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }
  async start(): Promise<boolean> {
    const first = await this.lines.next();
    if (first.done) return false;
    const hello = JSON.parse(first.value) as { numpy: string; blas?: string };
    this.version = `${hello.numpy} (its OpenBLAS: ${hello.blas ?? 'unknown'})`;
    return true;
  }
  async time(path: string, rows: number, cols: number, reps: number): Promise<number> {
    this.child.stdin.write(`${path} ${rows} ${cols} ${reps}\n`);
    const r = await this.lines.next();
    return (JSON.parse(r.value as string) as { median: number }).median;
  }
  close(): void {
    this.child.stdin.end();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gb-bench-'));
const numpy = new Numpy();
const haveNumpy = await numpy.start().catch(() => false);
const backends: LinalgBackend[] = [];
if (nativeAvailable() && only.includes('native')) {
  backends.push(createBackend('native'));
  if (THREADS) loadNativeAddon()?.setNumThreads(THREADS);
}
if (only.includes('js')) backends.push(createBackend('js'));

console.log(machineHeader());
console.log(`numpy ${haveNumpy ? numpy.version : 'unavailable'}; backends: ${backends.map((b) => b.name).join(', ')}; median of ${REPS}; OpenBLAS threads: ${THREADS ?? 'default'}`);
if (nativeAvailable()) console.log(`native: ${loadNativeAddon()?.config()}`);
console.log('| matrix | numpy s | backend | s | ratio (÷ numpy) | load |');
console.log('|---|---|---|---|---|---|');
const sizesArg = args.indexOf('--sizes');
const sizes: [number, number][] = sizesArg >= 0
  ? args[sizesArg + 1].split(',').map((s) => s.split('x').map(Number) as [number, number])
  : [[768, 768], [768, 3072], [1024, 4096]];
if (!quick && sizesArg < 0) sizes.push([4096, 4096]);

let seed = 1;
const normRows: string[] = [];
for (const [m, n] of sizes) {
  const a = randn(m, n, seed++);
  const path = join(dir, `a${m}x${n}.bin`);
  writeFileSync(path, new Uint8Array(a.data.buffer));
  for (const be of backends) {
    const big = m * n >= 4096 * 4096;
    if (be.name === 'js' && big && !jsBig) {
      console.log(`| ${m}×${n} | | js | not run | (pass --js-big: one run takes minutes) |`);
      continue;
    }
    const reps = big ? 1 : REPS;
    // numpy before and after ours; the mean of the two medians is the reference.
    const np1 = haveNumpy ? await numpy.time(path, m, n, reps) : NaN;
    let sv: Float64Array = new Float64Array(0);
    const ours = time(() => (sv = be.singularValues(a)), be.name === 'js' && m * n > 1024 * 1024 ? Math.min(reps, 3) : reps);
    const np2 = haveNumpy ? await numpy.time(path, m, n, reps) : NaN;
    const ref = (np1 + np2) / 2;
    console.log(`| ${m}×${n} | ${ref.toFixed(3)} | ${be.name} | ${ours.toFixed(3)} | ${(ours / ref).toFixed(2)}× | ${loadavg()} |`);
    // spectralNorm (Lanczos) against this backend's full SVD just timed.
    let s1 = 0;
    const tn = time(() => (s1 = be.spectralNorm(a)), big ? 1 : REPS);
    normRows.push(`| ${m}×${n} | ${be.name} | ${(tn * 1000).toFixed(1)} ms | ${(ours * 1000).toFixed(0)} ms | ${(ours / tn).toFixed(1)}× | ${(Math.abs(s1 - sv[0]) / sv[0]).toExponential(1)} |`);
  }
}

console.log('\nSpectral norm alone: spectralNorm() (Lanczos on AᵀA, full reorthogonalisation) vs the same backend\'s full SVD above');
console.log('| matrix | backend | spectralNorm | full SVD | speed-up | |σ̃₁ − σ₁|/σ₁ |');
console.log('|---|---|---|---|---|---|');
for (const r of normRows) console.log(r);

if (args.includes('--no-product')) {
  numpy.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
console.log('\nPer-head product 768×64 · 64×768: factored path vs full SVD of the formed 768² product (same backend)');
console.log('| backend | factored s | full SVD s | speed-up |');
console.log('|---|---|---|---|');
const qa = randn(768, 64, 101), qb = randn(64, 768, 102);
const prod = new Float64Array(768 * 768);
for (let i = 0; i < 768; i++) for (let p = 0; p < 64; p++) {
  const v = qa.data[i * 64 + p];
  for (let j = 0; j < 768; j++) prod[i * 768 + j] += v * qb.data[p * 768 + j];
}
// The factored path takes milliseconds, so on a loaded machine single runs are often preempted:
// report the median of many runs (and the minimum, the undisturbed cost) against the full SVD.
for (const be of backends) {
  const fs: number[] = [];
  for (let r = 0; r < 41; r++) fs.push(time(() => be.productSingularValues(qa, qb), 1));
  const f = median(fs), fmin = Math.min(...fs);
  const full = time(() => be.singularValues({ rows: 768, cols: 768, data: prod }), be.name === 'js' ? 1 : REPS);
  console.log(`| ${be.name} | ${(f * 1000).toFixed(1)} ms (min ${(fmin * 1000).toFixed(1)}) | ${(full * 1000).toFixed(0)} ms | ${(full / f).toFixed(0)}× (${(full / fmin).toFixed(0)}× by min) |`);
}
numpy.close();
rmSync(dir, { recursive: true, force: true });
