import { BadOptionError, GenboundError } from '../../errors.js';
import type { Job } from '../../lab/experiments/experiment.js';
import { findExperiment } from '../../lab/experiments/index.js';
import { silentProgress, type Row, type RunContext } from '../../lab/experiments/runner.js';
import type { UnitHandler } from '../units.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * lab run's unit: one training run of an experiment. The worker replays the experiment's body
 * with the same resolved config (its data, seeds and run list are deterministic functions of the
 * config): the run lists before this one are answered with the results the submitter already has
 * (`prior`), and in list `list` only the run whose key is `job` is executed; then the replay stops.
 */
export interface LabRunPayload {
  experiment: string;
  config: unknown;
  quick: boolean;
  /** Index of the runJobs call (run list) the job belongs to. */
  list: number;
  /** The run's key within the experiment. */
  job: string;
  /** The results (without meta) of every earlier run list, in order. */
  prior: Row[][];
}

class Found {
  constructor(readonly value: Row) {}
}

function checkPayload(p: unknown): LabRunPayload {
  const o = p as Partial<LabRunPayload> | null;
  if (!o || typeof o !== 'object' || typeof o.experiment !== 'string' || typeof o.job !== 'string' || !Number.isInteger(o.list)
    || !Array.isArray(o.prior) || typeof o.quick !== 'boolean') {
    throw new BadOptionError('lab-run job: malformed payload');
  }
  return o as LabRunPayload;
}

export const labRunUnit: UnitHandler = {
  kind: 'lab-run',
  async run(payload): Promise<Row> {
    const p = checkPayload(payload);
    const exp = findExperiment(p.experiment);
    if (!exp) throw new BadOptionError(`lab-run job: this worker has no experiment "${p.experiment}"`);
    let call = 0;
    const out = await mkdtemp(join(tmpdir(), 'genbound-labjob-'));
    const ctx: RunContext = {
      out, quick: p.quick, progress: silentProgress,
      executor: async (_ctx: RunContext, _label: string, jobs: readonly Job[]) => {
        const i = call++;
        if (i < p.list) {
          const prior = p.prior[i];
          if (!prior || prior.length !== jobs.length) throw new GenboundError(`lab-run job: run list ${i} has ${jobs.length} runs here but ${prior?.length ?? 0} on the submitter (different genbound versions?)`);
          return jobs.map((j, k) => ({ ...j.meta, ...prior[k] }));
        }
        if (i === p.list) {
          const j = jobs.find((x) => x.key === p.job);
          if (!j) throw new GenboundError(`lab-run job: run "${p.job}" is not in ${p.experiment}'s run list ${i} here (different genbound versions?)`);
          throw new Found(await j.run());
        }
        throw new GenboundError(`lab-run job: ${p.experiment} went past run list ${p.list} without finding run "${p.job}"`);
      },
    };
    try {
      await exp.run(p.config, ctx);
    } catch (e) {
      if (e instanceof Found) return e.value;
      throw e;
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    throw new GenboundError(`lab-run job: ${p.experiment} finished without reaching run "${p.job}"`);
  },
};
