import { existsSync, readFileSync } from 'node:fs';
import type { Job } from '../lab/experiments/experiment.js';
import { checkpointPath, type Row, type RunContext } from '../lab/experiments/runner.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { contentKey } from './content-key.js';
import type { LabRunPayload } from './kinds/lab-run.js';
import { runUnits, type SubmitOptions } from './submit.js';
import type { Unit } from './units.js';
import type { QueueAddress } from './url.js';

/**
 * lab run --queue: the experiment body runs here as usual, but each of its run lists goes to the
 * queue, one job per training run. Runs already checkpointed in OUT/runs/ are not submitted (the
 * lab's own resume), and every result fetched is checkpointed there too. Jobs are keyed by
 * (experiment, resolved config, quick, list, run key), so a second submitter or a rerun after a
 * killed submitter finds the finished runs on the queue as well.
 */
export function queueExecutor(address: QueueAddress, experiment: string, config: unknown, quick: boolean,
  progress: (label: string) => SubmitOptions & { stop(): void }): RunContext['executor'] {
  const prior: Row[][] = [];
  return async (ctx: RunContext, label: string, jobs: readonly Job[]): Promise<Row[]> => {
    const list = prior.length;
    const values: (Row | undefined)[] = jobs.map((j) => {
      const f = checkpointPath(ctx, j.key);
      return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Row) : undefined;
    });
    const todo = jobs.map((j, i) => ({ j, i })).filter(({ i }) => values[i] === undefined);
    const snapshot = prior.map((rows) => rows);
    const units: Unit[] = todo.map(({ j }) => {
      const payload: LabRunPayload = { experiment, config, quick, list, job: j.key, prior: snapshot };
      return { kind: 'lab-run', key: contentKey('lab-run', { experiment, config, quick, list, job: j.key }), label: `${experiment} ${label} ${Object.values(j.meta).join(' ')}`, payload };
    });
    if (units.length) {
      const p = progress(`${label} runs`);
      try {
        const got = (await runUnits(address, units, p)) as Row[];
        todo.forEach(({ j, i }, k) => {
          values[i] = got[k];
          writeFileAtomic(checkpointPath(ctx, j.key), JSON.stringify(got[k]));
        });
      } finally {
        p.stop();
      }
    }
    prior.push(values as Row[]);
    return jobs.map((j, i) => ({ ...j.meta, ...(values[i] as Row) }));
  };
}
