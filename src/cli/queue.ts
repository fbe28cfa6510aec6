/**
 * `genbound worker --queue URL` and `genbound queue status --queue URL`, plus the `--queue`
 * option of analyze, compare and lab run. Everything under src/queue/ (and so BullMQ and
 * ioredis) is imported only when a queue is named: without --queue nothing of it loads.
 */
import { Option, type Command } from 'commander';
import { BadOptionError } from '../errors.js';
import type { BackendName } from '../linalg/types.js';
import { parseQueueUrl, type QueueAddress } from '../queue/url.js';

export const QUEUE_FLAG = '--queue <url>';
export const QUEUE_HELP = 'run on the workers of this Redis queue: redis://[user:pass@]host:port[/db] or rediss:// for TLS (docs/distributed.md)';

/** The --queue URL, parsed; undefined without one. */
export function queueAddress(url: string | undefined): QueueAddress | undefined {
  return url === undefined ? undefined : parseQueueUrl(url);
}

/** --queue for worker and queue status: required, or taken from GENBOUND_QUEUE (keeps a password out of the command line). */
function requiredQueueOption(help: string): Option {
  return new Option(QUEUE_FLAG, help).env('GENBOUND_QUEUE').makeOptionMandatory();
}

function idleSeconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new BadOptionError(`--idle-exit must be a number of seconds >= 0 (got ${JSON.stringify(v)})`);
  return x;
}

export function registerQueue(program: Command): void {
  program.command('worker')
    .description('take jobs from a Redis queue and run them (one at a time) until stopped; see docs/distributed.md')
    .addOption(requiredQueueOption('the Redis queue: redis://[user:pass@]host:port[/db] or rediss:// for TLS (env GENBOUND_QUEUE)'))
    .option('--idle-exit <seconds>', 'exit after this many seconds without a job (batch jobs)')
    .action(async (o: { queue: string; idleExit?: string }) => {
      const address = parseQueueUrl(o.queue);
      const idleExitSeconds = idleSeconds(o.idleExit);
      const backend = program.opts<{ backend?: string }>().backend as BackendName | undefined;
      const { runWorker } = await import('../queue/worker.js');
      const r = await runWorker(address, { backend, idleExitSeconds });
      process.stderr.write(`genbound worker: stopped after ${r.jobs} jobs (${r.failed} failed attempts)\n`);
    });
  const queue = program.command('queue').description('inspect a Redis queue of genbound jobs');
  queue.command('status')
    .description('list the running, waiting and failed jobs')
    .addOption(requiredQueueOption('the Redis queue URL (env GENBOUND_QUEUE)'))
    .option('--json', 'print the status as JSON')
    .action(async (o: { queue: string; json?: boolean }) => {
      const address = parseQueueUrl(o.queue);
      const { queueStatus, formatStatus } = await import('../queue/status.js');
      const s = await queueStatus(address);
      process.stdout.write(o.json ? `${JSON.stringify(s, null, 2)}\n` : formatStatus(s));
    });
}
