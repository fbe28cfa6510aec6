/**
 * The experiment runner: every run (one model fitted once) is checkpointed as
 * OUT/runs/<key>.json, so rerunning an interrupted experiment skips what is done; results go to
 * OUT/results.json and OUT/results.csv, and the HTML report to OUT/report/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProgressBar } from '../../util/progress.js';
import { csvTable } from '../../report/csv.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { writeHtmlReport, type Cell, type ReportSection } from '../../report/html.js';

export type Row = Record<string, string | number | null>;

export interface RunContext {
  out: string;
  quick: boolean;
  /** Called with a short status after each run (the CLI draws a progress bar). */
  progress: Progress;
  /** Runs the run lists instead of runJobs' in-order loop (lab run --queue: src/queue/lab-executor.ts). */
  executor?: (ctx: RunContext, label: string, jobs: readonly import('./experiment.js').Job[]) => Promise<Row[]>;
}

export interface Progress {
  start(total: number, label: string): void;
  tick(status: string): void;
  stop(): void;
}

/** The progress bar (util/progress.ts) on stderr, drawn also when stderr is not a TTY, as plain updates. */
export function barProgress(): Progress {
  let bar: ProgressBar | null = null;
  return {
    start(total, label) {
      bar = new ProgressBar({ enabled: true, format: `${label} [{bar}] {value}/{total} runs | {status}`, schedule: 5000 });
      bar.start(total);
    },
    tick(status) {
      bar?.increment(status);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

export const silentProgress: Progress = { start() {}, tick() {}, stop() {} };

/** Key → file-name-safe string. */
function safeKey(key: string): string {
  return key.replace(/[^A-Za-z0-9_.=-]+/g, '_');
}

/** Where run `key`'s result is checkpointed. */
export function checkpointPath(ctx: Pick<RunContext, 'out'>, key: string): string {
  return join(ctx.out, 'runs', `${safeKey(key)}.json`);
}

/** Returns the checkpointed result of run `key`, computing and saving it if absent. */
export async function cached<T>(ctx: RunContext, key: string, fn: () => T | Promise<T>): Promise<{ value: T; reused: boolean }> {
  const file = checkpointPath(ctx, key);
  if (existsSync(file)) return { value: JSON.parse(readFileSync(file, 'utf8')) as T, reused: true };
  const value = await fn();
  writeFileAtomic(file, JSON.stringify(value));
  return { value, reused: false };
}

export interface ExperimentOutput {
  rows: Row[];
  summary: Record<string, unknown>;
  sections: ReportSection[];
  notes?: string[];
}

/** Writes results.json, results.csv and report/ for an experiment's output. */
export async function writeOutputs(out: string, experiment: string, config: unknown, result: ExperimentOutput, seconds: number): Promise<void> {
  writeFileAtomic(join(out, 'results.json'), JSON.stringify({ experiment, config, seconds, summary: result.summary, rows: result.rows }, null, 1));
  const cols = [...new Set(result.rows.flatMap((r) => Object.keys(r)))];
  writeFileAtomic(join(out, 'results.csv'), csvTable(cols, result.rows.map((r) => cols.map((c) => r[c]))));
  await writeHtmlReport(join(out, 'report'), {
    title: `genbound lab: ${experiment}`,
    subtitle: 'Distribution regression (Liu & Zhou 2026 framework), two-stage sampling on the CPU',
    settings: { ...(config as Record<string, unknown>), wallSeconds: Math.round(seconds) },
    notes: result.notes,
    sections: result.sections,
  });
}

/** A table section from rows with the given columns. */
export function table(name: string, title: string, rows: readonly Row[], columns: readonly string[]): { name: string; title: string; columns: string[]; rows: Cell[][] } {
  return { name, title, columns: [...columns], rows: rows.map((r) => columns.map((c) => (typeof r[c] === 'number' ? Number((r[c] as number).toPrecision(5)) : (r[c] ?? null)))) };
}
