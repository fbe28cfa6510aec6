// Peak memory of genbound on the hostile corpus (test/io/hostile/corpus.ts) and on inputs close to
// 10 MB (scaleCorpus): issue 11 asks that no input of at most 10 MB takes genbound's peak RSS to
// 500 MB. Each case is built by this process and then run in a fresh child process, so the
// child's peak RSS is genbound's alone (node + tsx + genbound's modules, then the case). One row
// per class: the largest input and the highest peak, plus one line per case of the ~10 MB class;
// exit 1 when a limit is crossed.
// Run: npm run bench -- hostile            (every class)
//      npm run bench -- hostile --only scale-10MB   (one class)
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSource } from '../src/io/open.js';
import { hasGraph } from '../src/io/types.js';
import { GraphIndex } from '../src/models/graph.js';
import { corpus, scaleCorpus, type HostileCase } from '../test/io/hostile/corpus.js';
import { runCase, withBuiltCase } from '../test/io/hostile/run.js';

const LIMIT_RSS_MB = 500;
const LIMIT_INPUT_MB = 10;
const all = (): HostileCase[] => [...corpus(), ...scaleCorpus()];

function bytesUnder(p: string): number {
  let n = 0;
  for (const e of readdirSync(p)) {
    const st = lstatSync(join(p, e));
    if (st.isDirectory()) n += bytesUnder(join(p, e));
    else if (st.isFile()) n += st.size;
  }
  return n;
}

/** Child: runs case `i` on `target` and prints its exit code and this process's peak RSS. */
async function child(i: number, target: string): Promise<void> {
  const c = all()[i];
  const code = (await runCase(c, target)).code;
  if (c.name.includes('graph')) {
    // Fold the deepest tensor of the graph too (iterative and capped: no stack overflow).
    const src = await openSource(target);
    if (hasGraph(src)) new GraphIndex(src).fold(src.graph().at(-1)?.name ?? '');
    await src.close();
  }
  process.stdout.write(JSON.stringify({ code, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n'); // maxRSS: KiB on Linux
}

async function main(): Promise<void> {
  const k = process.argv.indexOf('--run');
  if (k >= 0) return child(Number(process.argv[k + 1]), process.argv[k + 2]);
  const load = () => readFileSync('/proc/loadavg', 'utf8').trim();
  console.log(`hostile corpus, peak RSS of a fresh process per case (${cpus()[0]?.model ?? 'cpu'}; loadavg ${load()})`);
  console.log('class            cases  exit codes  largest input  highest peak RSS');
  const rows = new Map<string, { cases: number; codes: Set<number>; input: number; peak: number; failed: string[] }>();
  const cases = all();
  const o = process.argv.indexOf('--only');
  const only = o >= 0 ? process.argv[o + 1] : undefined;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    if (only !== undefined && c.cls !== only) continue;
    const row = rows.get(c.cls) ?? { cases: 0, codes: new Set<number>(), input: 0, peak: 0, failed: [] };
    rows.set(c.cls, row);
    await withBuiltCase(c, 'gb-bench-hostile-', async ({ dir, target }) => {
      row.input = Math.max(row.input, bytesUnder(dir));
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--run', String(i), target], { encoding: 'utf8', maxBuffer: 1 << 24 });
      try {
        const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { code: number; peakRssMb: number };
        row.codes.add(res.code);
        row.peak = Math.max(row.peak, res.peakRssMb);
        if (c.cls === 'scale-10MB') console.log(`  ${c.name}: ${(bytesUnder(dir) / 1e6).toFixed(2)} MB, exit ${res.code}, peak ${res.peakRssMb.toFixed(0)} MB`);
      } catch {
        row.failed.push(`${c.name}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
      }
      row.cases++;
    });
  }
  let bad = 0;
  for (const [cls, r] of rows) {
    const over = r.peak >= LIMIT_RSS_MB || r.input > LIMIT_INPUT_MB * 1e6 || r.failed.length > 0;
    if (over) bad++;
    console.log(`${cls.padEnd(16)} ${String(r.cases).padStart(5)}  ${[...r.codes].join(',').padEnd(10)}  ${(r.input / 1e6).toFixed(2).padStart(9)} MB  ${r.peak.toFixed(0).padStart(9)} MB${over ? '  OVER THE LIMIT ' + r.failed.join('; ') : ''}`);
  }
  console.log(`limit: peak RSS < ${LIMIT_RSS_MB} MB on inputs <= ${LIMIT_INPUT_MB} MB; loadavg after ${load()}`);
  if (bad) process.exit(1);
}

await main();
