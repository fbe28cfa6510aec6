/**
 * The browser page against the CLI (docs/BENCHMARKS.md, "Browser"):
 *
 *   node --import tsx bench/web.bench.ts [--rounds R] [--layers K] [--workers W]
 *
 * A BERT-base-shaped model (12 layers of width 768, 12 heads, FFN 3072, F32 safetensors with
 * config.json, written by test/web/bert-fixture.ts into a temporary folder and deleted after) is
 * analysed in the same run, round after round, by
 *   1. the CLI: `genbound --backend js analyze DIR --json F` (a child process, wall time from
 *      spawn to exit, start-up included; its CPU time too, which a load does not inflate), and the
 *      same with `--workers 2`;
 *   2. the page in Debian's headless Chromium served by `genbound serve`: the folder is picked in
 *      the page and the time is the page's own, from the pick to the result (data-seconds:
 *      reading through File.slice, the SVD worker pool, bounds; the figures are drawn after).
 * Every bound of the page must equal the CLI's to 1e-12. Prints /proc/loadavg with every figure.
 * --layers K uses K layers of these widths (both sides scale linearly in K).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BERT_BASE, writeBert } from '../test/web/bert-fixture.js';
import { buildWeb, downloadText, launchBrowser, openPage, ROOT, serve, settled, tempDir } from '../test/web/harness.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const rounds = Number(opt('--rounds', '2'));
const layers = Number(opt('--layers', String(BERT_BASE.layers)));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

type Bounds = Record<string, number>;

/** CPU seconds (user + system) of this process's finished children, from /proc/self/stat. */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 (cutime, cstime), counted from 1 with pid and comm before the ')'.
  return (Number(f[13]) + Number(f[14])) / 100;
}

function cli(dir: string, out: string, workers: number): { seconds: number; cpu: number; bounds: Bounds } {
  const c0 = childrenCpu();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/genbound.mjs'), '--backend', 'js', 'analyze', dir, '--json', out, '--workers', String(workers)], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`CLI failed: ${r.stderr}`);
  return { seconds, cpu: childrenCpu() - c0, bounds: (JSON.parse(readFileSync(out, 'utf8')) as { bounds: Bounds }).bounds };
}

function agree(page: Bounds, ref: Bounds): void {
  for (const [k, v] of Object.entries(ref)) {
    if (!(Math.abs(page[k] - v) <= 1e-12 * Math.max(1, Math.abs(v)))) throw new Error(`${k}: page ${page[k]} vs CLI ${v}`);
  }
}

async function main(): Promise<void> {
  const dir = tempDir();
  const model = join(dir, 'bert-base');
  console.log(`CPU: ${cpus()[0]?.model ?? '?'} x${cpus().length}; building the page and writing a ${layers}-layer BERT-base shape`);
  await buildWeb();
  await writeBert(model, { ...BERT_BASE, layers });
  const served = await serve();
  const browser = await launchBrowser();
  const ratios: number[] = [];
  const rows: string[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const l0 = load();
      const c1 = cli(model, join(dir, 'cli1.json'), 1);
      const l1 = load();
      const c2 = cli(model, join(dir, 'cli2.json'), 2);
      const l2 = load();
      const { page, errors } = await openPage(browser, served.url);
      await page.setInputFiles('#pick-folder', model);
      const state = await settled(page, 1_800_000);
      if (state !== 'done') throw new Error(`page ended ${state}: ${await page.textContent('#status')}`);
      const seconds = Number(await page.evaluate('document.body.dataset.seconds'));
      const workers = await page.inputValue('#workers');
      agree((JSON.parse(await downloadText(page, 'result.json')) as { bounds: Bounds }).bounds, c1.bounds);
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      await page.close();
      const l3 = load();
      ratios.push(seconds / c1.seconds);
      rows.push(`round ${r + 1}: CLI js ${c1.seconds.toFixed(2)} s (CPU ${c1.cpu.toFixed(1)} s) [load ${l0}], CLI js --workers 2 ${c2.seconds.toFixed(2)} s (CPU ${c2.cpu.toFixed(1)} s) [load ${l1}], page (${workers} workers) ${seconds.toFixed(2)} s [load ${l2} -> ${l3}]; page/CLI ${(seconds / c1.seconds).toFixed(3)}, page/CLI-2-workers ${(seconds / c2.seconds).toFixed(3)}; bounds agree to 1e-12`);
      console.log(rows.at(-1));
    }
    console.log(`BERT-base widths, ${layers} layers: median page/CLI ratio ${median(ratios).toFixed(3)} (goal <= 1.3); load now ${load()}`);
    if (browser.offsite.length) throw new Error(`the page asked for off-machine URLs: ${browser.offsite.join(', ')}`);
  } finally {
    await browser.close();
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
