/**
 * CLI start-up: `genbound --version` and `genbound --help` (bin/genbound.mjs running the compiled
 * dist/, as the installed package does) against `node -e 0` in the same run, each started N times
 * in turn, medians compared (issue 14's goal: ≤ 0.2 s). Builds dist/ first when it is stale (a stale
 * dist/ would send the bin through tsx). A bare --version/--help takes bin/fast-path.mjs.
 * Run: npm run bench -- startup
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureDist } from '../test/package/dist.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.STARTUP_RUNS ?? 21);
ensureDist();

const cases: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['genbound --version', [`${root}bin/genbound.mjs`, '--version']],
  ['genbound --help', [`${root}bin/genbound.mjs`, '--help']],
  // The same help through commander and the whole command tree (--debug skips the fast path).
  ['full CLI --help', [`${root}bin/genbound.mjs`, '--debug', '--help']],
  // Before issue 14: the sources through tsx at start-up, as bin/ did.
  ['tsx src --version', ['--import', 'tsx', '--input-type=module', '-e',
    `const { main } = await import(${JSON.stringify(`${root}src/cli/main.ts`)}); await main(['node', 'genbound', '--version']);`]],
];
const times = new Map<string, number[]>(cases.map(([n]) => [n, []]));
for (let i = 0; i < N; i++) {
  for (const [name, args] of cases) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: root });
    const dt = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    if (name.endsWith('--version') && r.stdout.trim() !== (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version) {
      throw new Error(`unexpected --version output ${r.stdout}`);
    }
    times.get(name)?.push(dt);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ref = median(times.get('node -e 0') ?? []);
console.log(`CPU ${cpus()[0]?.model}, node ${process.version}, ${N} runs each, dist built ${statSync(`${root}dist/.build-stamp`).mtime.toISOString()}`);
console.log(`loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
for (const [name] of cases) {
  const m = median(times.get(name) ?? []);
  console.log(`${name.padEnd(20)} median ${m.toFixed(3)} s  min ${Math.min(...(times.get(name) ?? [])).toFixed(3)} s  ratio to node -e 0: ${(m / ref).toFixed(2)}x`);
}
