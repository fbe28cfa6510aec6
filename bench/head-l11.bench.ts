/**
 * What --head-l11 costs per head product (issue 15, docs/benchmarks/analyze.md §6): measureProduct
 * of a BERT-base head (768×64 · 64×768, float32 factors as read from a checkpoint) without and with
 * its (1,1)-norm, alternately in the same run, in-process with one OpenBLAS thread. Reported: CPU
 * ms per product (min and median of the rounds, user + sys of the process) and the ratio; the load
 * average beside every figure (CPU time, not wall time, so other processes on a loaded machine
 * distort it less).
 *
 *   node --import tsx bench/head-l11.bench.ts [--rounds R] [--products P] [--backend native,js]
 */
import { createBackend, nativeAvailable } from '../src/linalg/index.js';
import { loadNativeAddon } from '../src/linalg/native-addon.js';
import type { Matrix } from '../src/linalg/types.js';
import { loadavg, machineHeader, median } from './lib/machine.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const rounds = Number(opt('--rounds', '7'));
const products = Number(opt('--products', '24'));
const N = 768, d = 64;

function factor(rows: number, cols: number, seed: number): Matrix {
  const data = new Float32Array(rows * cols);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (s / 2 ** 32 - 0.5) * 0.08;
  }
  return { rows, cols, data };
}

/** CPU ms (user + sys of the process) per product of `products` calls. */
function cpuPerProduct(f: () => void): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < products; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / products;
}

loadNativeAddon()?.setNumThreads(1);
console.log(machineHeader());
const a = factor(N, d, 1), b = factor(d, N, 2);
for (const name of opt('--backend', nativeAvailable() ? 'native' : 'js').split(',')) {
  const be = createBackend(name);
  be.measureProduct(a, b, 'all', true); // warm-up
  const off: number[] = [], on: number[] = [];
  for (let r = 0; r < rounds; r++) {
    off.push(cpuPerProduct(() => be.measureProduct(a, b)));
    on.push(cpuPerProduct(() => be.measureProduct(a, b, 'all', true)));
  }
  const fmt = (xs: number[]) => `min ${Math.min(...xs).toFixed(2)} ms, median ${median(xs).toFixed(2)} ms`;
  console.log(`${name}, one 768×64·64×768 head product, ${rounds} rounds of ${products}, 1 OpenBLAS thread:`);
  console.log(`  default (no (1,1)-norm): ${fmt(off)}`);
  console.log(`  --head-l11:              ${fmt(on)}`);
  console.log(`  (1,1)-norm costs ${(median(on) - median(off)).toFixed(2)} ms per product (median); with/without ${(median(on) / median(off)).toFixed(2)}x; ` +
    `BERT-base (288 head products): ${((288 * (median(on) - median(off))) / 1000).toFixed(2)} CPU s [load ${loadavg()}]`);
}
