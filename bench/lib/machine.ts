/**
 * What every benchmark figure is printed next to: the CPU model, OpenBLAS's version, core and
 * thread settings (as the addon sees them, and the environment variables that set them), the load
 * average, and the user/sys CPU time of a measured span (sys time shows threads spinning).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadNativeAddon } from '../../src/linalg/native-addon.js';

export function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1]?.trim() ?? 'unknown CPU';
    const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(/\s+/));
    const isa = flags.has('avx512f') ? 'AVX-512' : flags.has('avx2') ? 'AVX2 (no AVX-512)' : 'no AVX2';
    return `${model}, ${availableParallelism()} cores, ${isa}`;
  } catch {
    return `unknown CPU, ${availableParallelism()} cores`;
  }
}

export function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/** The OpenBLAS environment as the user set it (before the addon chooses a core type). */
const userEnv = ['OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'GENBOUND_BACKEND']
  .filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`).join(' ');

/** OpenBLAS as genbound's addon loaded it (version, core, threads), plus the user's environment. */
export function blasLine(): string {
  const addon = loadNativeAddon();
  const chosen = addon && !userEnv.includes('OPENBLAS_CORETYPE') && process.env.OPENBLAS_CORETYPE
    ? ` (core chosen by genbound from the CPU flags)` : '';
  return `${addon ? addon.config() : 'native addon unavailable'}${chosen}; user env: ${userEnv || 'no OPENBLAS_*/OMP_* variables'}`;
}

/** The header printed once per bench run. */
export function machineHeader(): string {
  return [`# CPU: ${cpuModel()}`, `# OpenBLAS (genbound): ${blasLine()}`, `# node ${process.version}, load ${loadavg()}, ${new Date().toISOString()}`].join('\n');
}

/** Wall, user and sys seconds of fn (user/sys of the whole process, worker threads included). */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; wall: number; user: number; sys: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wall, user: c.user / 1e6, sys: c.system / 1e6 };
}

/** "12.34 s (user 20.1, sys 0.3)". */
export function fmtTime(t: { wall: number; user: number; sys: number }): string {
  return `${t.wall.toFixed(2)} s (user ${t.user.toFixed(1)}, sys ${t.sys.toFixed(1)})`;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}
