import type { JobsOptions, Queue } from 'bullmq';
import type { DigestMemo } from './content-key.js';
import { QueueJobError, RedisLink, within } from './redis-link.js';
import { QUEUE_NAME, ResultStore } from './store.js';
import type { Unit } from './units.js';
import type { QueueAddress } from './url.js';
import { decodeResult } from './wire.js';

/** Tries per job: a job that fails this many times fails the whole run with its error. */
export const ATTEMPTS = 3;

export interface QueueProgressInfo {
  done: number;
  total: number;
  running: number;
  waiting: number;
  /** The last unit that finished. */
  label: string;
}

export interface SubmitOptions {
  /** Called after every poll. */
  onProgress?: (p: QueueProgressInfo) => void;
  /** Poll interval in ms (default 500). */
  pollMs?: number;
  /** Called once with the number of units already finished before this run (resume). */
  onResume?: (reused: number, total: number) => void;
}

const JOB_OPTS: JobsOptions = {
  attempts: ATTEMPTS,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Opens the link, the result store and the queue; closes them after `f`. */
export async function withQueue<T>(address: QueueAddress, f: (q: Queue, store: ResultStore, link: RedisLink) => Promise<T>): Promise<T> {
  const link = new RedisLink(address);
  const store = await ResultStore.open(link);
  const { Queue } = await import('bullmq');
  const queue = new Queue(QUEUE_NAME, { connection: link.bullOptions() });
  queue.on('error', link.onError);
  try {
    await link.guard(queue.waitUntilReady());
    return await link.guard(f(queue, store, link));
  } finally {
    await within(queue.close(), 2000);
    await within(queue.disconnect(), 2000);
    store.close();
  }
}

/**
 * Runs units (or the units a plan makes; the plan may remember model digests in Redis) on the queue's workers and returns their decoded results in unit order.
 * Finished units (a result under their content key) are not submitted again (resume); a unit
 * queued by an earlier, killed submitter is waited for, not queued twice (job id = content key);
 * a job Redis has lost (a restart without persistence) is queued again. A job that failed its
 * last attempt fails the run with that job's one-line error.
 */
export async function runUnits(address: QueueAddress, plan: readonly Unit[] | ((memo: DigestMemo) => Promise<Unit[]>),
  opts: SubmitOptions = {}): Promise<unknown[]> {
  const pollMs = opts.pollMs ?? 500;
  return withQueue(address, async (queue, store) => {
    const units = typeof plan === 'function' ? await plan(store) : plan;
    const byKey = new Map<string, Unit>();
    for (const u of units) if (!byKey.has(u.key)) byKey.set(u.key, u);
    const results = await store.getMany([...byKey.keys()]);
    opts.onResume?.(results.size, byKey.size);
    const pending = new Set([...byKey.keys()].filter((k) => !results.has(k)));
    let label = '';
    const add = async (keys: string[]) => {
      if (keys.length) await queue.addBulk(keys.map((k) => ({ name: byKey.get(k)!.kind, data: byKey.get(k)!, opts: { ...JOB_OPTS, jobId: k } })));
    };
    // A job that failed in an earlier run is tried afresh; one still waiting or running is left as it is.
    const states = await Promise.all([...pending].map(async (k) => [k, await queue.getJobState(k)] as const));
    for (const [k, s] of states) if (s === 'failed') await queue.remove(k);
    await add(states.filter(([, s]) => s === 'failed' || s === 'unknown').map(([k]) => k));
    let lastCheck = 0;
    for (;;) {
      // 1. collect finished results
      if (pending.size) {
        const got = await store.getMany([...pending]);
        for (const [k, v] of got) {
          results.set(k, v);
          pending.delete(k);
          label = byKey.get(k)!.label;
        }
      }
      const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      opts.onProgress?.({ done: byKey.size - pending.size, total: byKey.size, running: counts.active ?? 0,
        waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0), label });
      if (pending.size === 0) break;
      // 2. every 2 s: failed jobs end the run; lost jobs are queued again
      if (Date.now() - lastCheck > 2000) {
        lastCheck = Date.now();
        const st = await Promise.all([...pending].map(async (k) => [k, await queue.getJobState(k)] as const));
        const lost: string[] = [];
        for (const [k, s] of st) {
          if (s === 'failed') {
            const job = await queue.getJob(k);
            const reason = (job?.failedReason ?? 'unknown error').split('\n')[0];
            throw new QueueJobError(`${byKey.get(k)!.label}: ${reason} (failed ${job?.attemptsMade ?? ATTEMPTS} times)`);
          }
          if (s === 'unknown') lost.push(k);
        }
        if (lost.length) {
          // The worker stores a result before it completes (and removes) a job, so a job that is
          // gone without a result was lost; check the results once more, after the states.
          const late = await store.getMany(lost);
          await add(lost.filter((k) => !late.has(k)));
        }
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
    return units.map((u) => decodeResult(results.get(u.key)!));
  });
}
