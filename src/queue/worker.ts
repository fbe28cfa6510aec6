import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import type { BackendName } from '../linalg/types.js';
import { ComputeThread } from './compute.js';
import { RedisLink, within } from './redis-link.js';
import { QUEUE_NAME, ResultStore } from './store.js';
import { isUnit } from './units.js';
import type { QueueAddress } from './url.js';

export interface WorkerOptions {
  /** Linear-algebra backend of the compute thread (the CLI's --backend). */
  backend?: BackendName;
  /** Exit after this many seconds with no job (for batch Jobs in Kubernetes); default: run until stopped. */
  idleExitSeconds?: number;
  /** One line per event (default: stderr). */
  log?: (line: string) => void;
}

/**
 * How long a job's lock lasts without renewal (GENBOUND_QUEUE_LOCK_MS, default 30000). The worker
 * renews it every half of this while the job runs; a worker killed mid-job stops renewing, and
 * after this long (plus up to one stalled-check interval, the same length) another worker takes
 * the job over. Units run in a compute thread, so a long SVD does not delay the renewal.
 */
export function lockMs(): number {
  const v = Number(process.env.GENBOUND_QUEUE_LOCK_MS ?? '30000');
  return Number.isFinite(v) && v >= 500 ? v : 30000;
}

/**
 * `genbound worker`: takes jobs from the queue one at a time, runs each unit in a compute thread,
 * stores the result under its content key, and completes the job. Resolves when the worker has
 * been stopped (SIGINT/SIGTERM: the current job is finished first; a second signal exits at once)
 * or has been idle for idleExitSeconds; rejects with one line if Redis stays unreachable.
 */
export async function runWorker(address: QueueAddress, opts: WorkerOptions = {}): Promise<{ jobs: number; failed: number }> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const name = `${hostname()}:${process.pid}`;
  const link = new RedisLink(address);
  const store = await ResultStore.open(link);
  const compute = new ComputeThread(opts.backend);
  const { Worker } = await import('bullmq');
  let jobs = 0;
  let failed = 0;
  let active = 0;
  let lastActive = Date.now();
  const processor = async (job: Job): Promise<string> => {
    const u: unknown = job.data;
    if (!isUnit(u)) throw new Error('malformed job (not a genbound unit)');
    if (await store.has(u.key)) return 'duplicate';
    log(`genbound worker ${name}: ${u.label} started (attempt ${job.attemptsMade + 1})`);
    const t0 = performance.now();
    const encoded = await compute.run(u.kind, u.payload);
    const seconds = (performance.now() - t0) / 1000;
    await store.put(u.key, encoded, { kind: u.kind, label: u.label, worker: name, seconds, finishedAt: new Date().toISOString() });
    log(`genbound worker ${name}: ${u.label} done in ${seconds.toFixed(1)} s`);
    return 'done';
  };
  const lock = lockMs();
  const worker = new Worker(QUEUE_NAME, processor, {
    connection: link.bullOptions(), concurrency: 1, name, autorun: false,
    lockDuration: lock, stalledInterval: lock, maxStalledCount: 2,
  });
  worker.on('error', link.onError);
  worker.on('active', () => {
    active++;
  });
  worker.on('completed', () => {
    jobs++;
    active--;
    lastActive = Date.now();
  });
  worker.on('failed', (job, err) => {
    failed++;
    active = Math.max(0, active - 1);
    lastActive = Date.now();
    log(`genbound worker ${name}: ${(job?.data as { label?: string } | undefined)?.label ?? job?.id ?? 'a job'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message.split('\n')[0]}`);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    log(`genbound worker ${name}: stopping after the current job (signal again to exit at once)`);
    void worker.close();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const idle = opts.idleExitSeconds;
  const timer = idle === undefined ? undefined : setInterval(() => {
    if (active === 0 && Date.now() - lastActive > idle * 1000 && !stopping) {
      stopping = true;
      log(`genbound worker ${name}: idle for ${idle} s, exiting`);
      void worker.close();
    }
  }, 250);
  log(`genbound worker ${name}: waiting for jobs on ${address.display}`);
  try {
    await link.guard(worker.run());
  } finally {
    if (timer) clearInterval(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await within(worker.close(true), 2000);
    await within(worker.disconnect(), 2000);
    await compute.close();
    store.close();
  }
  return { jobs, failed };
}
