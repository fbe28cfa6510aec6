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

/**
 * A sub-command of `parent` that works on a Redis queue: --queue is required, or taken from
 * GENBOUND_QUEUE (keeps a password out of the command line); `options` adds the command's own
 * options, and `run` gets the parsed queue address with the options.
 */
function queueCommand<O extends { queue: string }>(parent: Command, name: string, description: string, options: (c: Command) => Command, run: (address: QueueAddress, o: O) => Promise<void>): void {
  const queue = new Option(QUEUE_FLAG, 'the Redis queue: redis://[user:pass@]host:port[/db] or rediss:// for TLS').env('GENBOUND_QUEUE').makeOptionMandatory();
  options(parent.command(name).description(description).addOption(queue)).action((o: O) => run(parseQueueUrl(o.queue), o));
}

function idleSeconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new BadOptionError(`--idle-exit must be a number of seconds >= 0 (got ${JSON.stringify(v)})`);
  return x;
}

export function registerQueue(program: Command): void {
  queueCommand(program, 'worker', 'take jobs from a Redis queue and run them (one at a time) until stopped; see docs/distributed.md',
    (c) => c.option('--idle-exit <seconds>', 'exit after this many seconds without a job (batch jobs)'),
    async (address, o: { queue: string; idleExit?: string }) => {
      const idleExitSeconds = idleSeconds(o.idleExit);
      const backend = program.opts<{ backend?: string }>().backend as BackendName | undefined;
      const { runWorker } = await import('../queue/worker.js');
      const r = await runWorker(address, { backend, idleExitSeconds });
      process.stderr.write(`genbound worker: stopped after ${r.jobs} jobs (${r.failed} failed attempts)\n`);
    });
  const queue = program.command('queue').description('inspect a Redis queue of genbound jobs');
  queueCommand(queue, 'status', 'list the running, waiting and failed jobs', (c) => c.option('--json', 'print the status as JSON'),
    async (address, o: { queue: string; json?: boolean }) => {
      const { queueStatus, formatStatus } = await import('../queue/status.js');
      const s = await queueStatus(address);
      process.stdout.write(o.json ? `${JSON.stringify(s, null, 2)}\n` : formatStatus(s));
    });
}
