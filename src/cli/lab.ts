/**
 * `genbound lab list` and `genbound lab run <experiment> [--config F] [--out DIR] [--quick]`:
 * distribution-regression experiments (docs/lab.md). Runs are checkpointed in OUT/runs/, so an
 * interrupted experiment resumes where it stopped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { QUEUE_FLAG, QUEUE_HELP, queueAddress } from './queue.js';
import { BadFileError, BadOptionError } from '../errors.js';
import { checkOutputs } from '../util/output-targets.js';

function readConfig(file: string): unknown {
  if (!existsSync(file)) throw new BadFileError(file, 'config file not found');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    throw new BadFileError(file, `not valid JSON (${(e as Error).message})`);
  }
}

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('distribution-regression experiments on the CPU (two-stage sampling, Transformers vs baselines)');
  lab
    .command('list')
    .description('list the experiments')
    .action(async () => {
      const { EXPERIMENTS } = await import('../lab/experiments/index.js');
      for (const e of EXPERIMENTS) process.stdout.write(`${e.name.padEnd(14)} ${e.description}\n`);
    });
  lab
    .command('run <experiment>')
    .description('run one experiment; rerunning with the same --out skips finished runs')
    .option('--config <file>', 'JSON config (keys override the defaults; see docs/lab.md)')
    .option('--out <dir>', 'output folder (default lab-out/<experiment>)')
    .option('--quick', 'the quick configuration (about 10 minutes or less on 2 cores)')
    .option('--quiet', 'no progress bar')
    .option('--print-config', 'print the effective config and exit')
    .option(QUEUE_FLAG, `${QUEUE_HELP}; one job per training run`)
    .action(async (name: string, o: { config?: string; out?: string; quick?: boolean; quiet?: boolean; printConfig?: boolean; queue?: string }) => {
      // Config file and outputs are checked first; the lab (and src/nn) is imported only then.
      const user = o.config ? readConfig(o.config) : undefined;
      if (user !== undefined && (typeof user !== 'object' || user === null || Array.isArray(user))) {
        throw new BadFileError(o.config as string, 'expected a JSON object of config keys');
      }
      const out = o.out ?? join('lab-out', name + (o.quick ? '-quick' : ''));
      if (!o.printConfig) {
        checkOutputs(
          [
            { flag: '--out', path: join(out, 'results.json'), kind: 'file' },
            { flag: '--out', path: join(out, 'results.csv'), kind: 'file' },
            { flag: '--out', path: join(out, 'report'), kind: 'report' },
          ],
          { models: [], files: o.config ? [o.config] : [] },
        );
      }
      const { EXPERIMENTS, findExperiment, runExperiment } = await import('../lab/experiments/index.js');
      const { barProgress, silentProgress } = await import('../lab/experiments/runner.js');
      const exp = findExperiment(name);
      if (!exp) throw new BadOptionError(`unknown experiment "${name}" (run "genbound lab list"; known: ${EXPERIMENTS.map((e) => e.name).join(', ')})`);
      const config = exp.resolve(user, o.quick === true);
      if (o.printConfig) {
        process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
        return;
      }
      const address = queueAddress(o.queue);
      const executor = address ? await (await import('./queue-lab.js')).labExecutor(address, name, o.quick === true, o.quiet !== true) : undefined;
      const { result, seconds } = await runExperiment(name, { out, config: user, quick: o.quick === true, progress: o.quiet ? silentProgress : barProgress(), executor });
      process.stdout.write(`${name}: ${result.rows.length} rows in ${seconds.toFixed(1)} s -> ${join(out, 'results.json')}, results.csv, report/index.html\n`);
    });
}
