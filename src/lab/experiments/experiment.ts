import { mergeConfig } from './common.js';
import { cached, type ExperimentOutput, type Row, type RunContext } from './runner.js';

/** A named experiment: full defaults, the quick overrides (`--quick`), and its body. */
export interface Experiment {
  readonly name: string;
  readonly description: string;
  /** The effective config from the user's file (or none), with --quick applied first. */
  resolve(user: unknown, quick: boolean): unknown;
  run(config: unknown, ctx: RunContext): Promise<ExperimentOutput>;
}

export function defineExperiment<C>(e: {
  name: string;
  description: string;
  defaults: C;
  quick: Partial<C>;
  run(config: C, ctx: RunContext): Promise<ExperimentOutput>;
}): Experiment {
  return {
    name: e.name,
    description: e.description,
    resolve: (user, quick) => mergeConfig(quick ? mergeConfig(e.defaults, e.quick) : e.defaults, user),
    run: (config, ctx) => e.run(config as C, ctx),
  };
}

export interface Job {
  key: string;
  meta: Row;
  run(): Row | Promise<Row>;
}

/** Runs the jobs in order, each checkpointed under its key; returns meta + result rows. */
export async function runJobs(ctx: RunContext, label: string, jobs: readonly Job[]): Promise<Row[]> {
  if (ctx.executor) return ctx.executor(ctx, label, jobs);
  const rows: Row[] = [];
  ctx.progress.start(jobs.length, label);
  try {
    for (const j of jobs) {
      const { value, reused } = await cached(ctx, j.key, j.run);
      rows.push({ ...j.meta, ...value });
      const t = value.testMse;
      ctx.progress.tick(`${Object.values(j.meta).join(' ')}${typeof t === 'number' ? ` mse=${t.toPrecision(3)}` : ''}${reused ? ' (done before)' : ''}`);
    }
  } finally {
    ctx.progress.stop();
  }
  return rows;
}
