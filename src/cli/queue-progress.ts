import cliProgress from 'cli-progress';
import type { QueueProgressInfo } from '../queue/submit.js';

/**
 * The submitter's one progress bar across all workers: units finished of all, an ETA from the
 * recent rate, and how many jobs run and wait. Quiet when stderr is not a TTY unless forced.
 */
export class QueueBar {
  private bar: cliProgress.SingleBar | undefined;
  private first: { done: number; t: number } | undefined;

  constructor(private readonly enabled: boolean, private readonly what: string) {}

  static wanted(force: boolean | undefined): boolean {
    return force === true || process.stderr.isTTY === true;
  }

  update(p: QueueProgressInfo): void {
    if (!this.enabled) return;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar({
        stream: process.stderr,
        noTTYOutput: process.stderr.isTTY !== true,
        notTTYSchedule: 2000,
        etaBuffer: 20,
        hideCursor: false,
        clearOnComplete: false,
        format: `{bar} {value}/{total} ${this.what} | ETA {eta} | {running} running, {waiting} waiting | {label}`,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(p.total, p.done, { running: p.running, waiting: p.waiting, label: p.label, eta: '?' });
      this.first = { done: p.done, t: Date.now() };
    }
    this.bar.update(p.done, { running: p.running, waiting: p.waiting, label: p.label, eta: this.eta(p) });
  }

  /** Remaining units over the rate since this run started (units finished before it, by a resume, left out). */
  private eta(p: QueueProgressInfo): string {
    const f = this.first;
    if (!f || p.done <= f.done) return '?';
    const s = ((Date.now() - f.t) / 1000 / (p.done - f.done)) * (p.total - p.done);
    if (s < 90) return `${Math.round(s)}s`;
    if (s < 5400) return `${Math.round(s / 60)}m`;
    return `${(s / 3600).toFixed(1)}h`;
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

/** What a submitting command passes to runUnits: one progress bar across all workers. */
export function queueProgress(force: boolean | undefined, what: string): { onProgress: (p: QueueProgressInfo) => void; onResume: (n: number, t: number) => void; stop: () => void } {
  const bar = new QueueBar(QueueBar.wanted(force), what);
  return {
    onProgress: (p) => bar.update(p),
    onResume: (n, t) => {
      if (n > 0) process.stderr.write(`genbound: resuming: ${n} of ${t} ${what} already finished on the queue\n`);
    },
    stop: () => bar.stop(),
  };
}
