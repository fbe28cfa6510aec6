import type { RunContext } from '../lab/experiments/runner.js';
import { queueExecutor } from '../queue/lab-executor.js';
import type { QueueAddress } from '../queue/url.js';
import { queueProgress } from './queue-progress.js';

/** lab run --queue: the executor that sends each run list to the queue, one job per training run. */
export async function labExecutor(address: QueueAddress, experiment: string, quick: boolean, bar: boolean): Promise<(config: unknown) => RunContext['executor']> {
  return (config) => queueExecutor(address, experiment, config, quick, (what) => (bar ? queueProgress(undefined, what) : { stop: () => undefined }));
}
