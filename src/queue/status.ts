import type { Job } from 'bullmq';
import { withQueue } from './submit.js';
import type { QueueAddress } from './url.js';

export interface QueueStatus {
  queue: string;
  counts: { running: number; waiting: number; failed: number };
  computed: number;
  duplicates: number;
  workers: number;
  running: { label: string; worker: string; seconds: number }[];
  waiting: { label: string }[];
  failed: { label: string; error: string; attempts: number }[];
}

const SHOW = 20;

function labelOf(j: Job): string {
  const d = j.data as { label?: unknown } | undefined;
  return typeof d?.label === 'string' ? d.label : String(j.id);
}

/** `genbound queue status`: what runs where, what waits, what failed (first 20 of each). */
export async function queueStatus(address: QueueAddress): Promise<QueueStatus> {
  return withQueue(address, async (q, store) => {
    const c = await q.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'failed');
    const [active, waiting, failed, stats, workers] = await Promise.all([
      q.getActive(0, SHOW - 1), q.getWaiting(0, SHOW - 1), q.getFailed(0, SHOW - 1), store.stats(),
      q.getWorkersCount().catch(() => -1),
    ]);
    const now = Date.now();
    return {
      queue: address.display,
      counts: { running: c.active ?? 0, waiting: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), failed: c.failed ?? 0 },
      computed: stats.computed,
      duplicates: stats.duplicates,
      workers,
      running: active.map((j) => ({ label: labelOf(j), worker: j.processedBy ?? '?', seconds: j.processedOn ? (now - j.processedOn) / 1000 : 0 })),
      waiting: waiting.map((j) => ({ label: labelOf(j) })),
      failed: failed.map((j) => ({ label: labelOf(j), error: (j.failedReason ?? '').split('\n')[0], attempts: j.attemptsMade })),
    };
  });
}

export function formatStatus(s: QueueStatus): string {
  const lines = [
    `queue ${s.queue}: ${s.counts.running} running, ${s.counts.waiting} waiting, ${s.counts.failed} failed; ${s.workers >= 0 ? `${s.workers} workers connected; ` : ''}${s.computed} units computed so far (${s.duplicates} duplicates)`,
  ];
  for (const r of s.running) lines.push(`running  ${r.label}  on ${r.worker} for ${r.seconds.toFixed(0)} s`);
  for (const w of s.waiting) lines.push(`waiting  ${w.label}`);
  for (const f of s.failed) lines.push(`failed   ${f.label}  after ${f.attempts} attempts: ${f.error}`);
  const more = (n: number, shown: number, what: string) => (n > shown ? [`... and ${n - shown} more ${what}`] : []);
  lines.push(...more(s.counts.running, s.running.length, 'running'), ...more(s.counts.waiting, s.waiting.length, 'waiting'), ...more(s.counts.failed, s.failed.length, 'failed'));
  return `${lines.join('\n')}\n`;
}
