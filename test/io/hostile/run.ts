import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLora } from '../../../src/analysis/lora.js';
import { GenboundError } from '../../../src/errors.js';
import { openSource } from '../../../src/io/open.js';
import { runCli } from '../../cli/run-cli.js';
import { writeOutside, type HostileCase, type Outside } from './corpus.js';
import { recordOpens } from './spy.js';

/**
 * Runs one hostile case the way it says (`genbound analyze` in-process, openSource + reading every
 * tensor, or openLora + every pair) and returns what a user would see: exit code, stderr, stdout,
 * and every path the process opened meanwhile. Shared by the test and bench/hostile.bench.ts.
 */
export async function runCase(c: HostileCase, target: string): Promise<{ code: number; err: string; out: string; opened: string[] }> {
  if (c.via === 'cli') {
    const r = await recordOpens(() => runCli(['analyze', target]));
    if (r.error) throw r.error;
    const res = r.result as { code: number; err: string; out: string };
    return { ...res, opened: r.opened };
  }
  const r = await recordOpens(async () => {
    if (c.via === 'lora') {
      const lora = await openLora(target);
      try {
        for (const m of lora.modules) await lora.pair(m);
      } finally {
        await lora.source.close();
      }
      return;
    }
    const src = await openSource(target);
    try {
      for (const t of src.list()) await src.read(t.name);
    } finally {
      await src.close();
    }
  });
  if (!r.error) return { code: 0, err: '', out: '', opened: r.opened };
  if (!(r.error instanceof GenboundError)) return { code: 70, err: `not a GenboundError: ${String(r.error)}\n`, out: '', opened: r.opened };
  return { code: r.error.exitCode, err: `genbound: ${r.error.message}\n`, out: '', opened: r.opened };
}

/** Where a case was built: `root` (a fresh real temp folder) holds the sentinels and the model folder. */
export interface BuiltCase {
  root: string;
  outside: Outside;
  /** The case's model folder, root/model. */
  dir: string;
  /** What genbound is pointed at (the folder or a file in it). */
  target: string;
}

/**
 * Builds case `c` in a fresh temp folder (sentinels in root/outside, the model in root/model),
 * runs `body` on it, then, whatever happened, releases the case's live resources (a listening
 * socket) and removes the folder; returns what `body` returned. Shared by hostile.test.ts,
 * fd-leak.test.ts and bench/hostile.bench.ts.
 */
export async function withBuiltCase<T>(c: HostileCase, prefix: string, body: (b: BuiltCase) => Promise<T>): Promise<T> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  try {
    const outside = writeOutside(join(root, 'outside'));
    const dir = join(root, 'model');
    mkdirSync(dir);
    return await body({ root, outside, dir, target: await c.build(dir, outside) });
  } finally {
    await c.cleanup?.();
    rmSync(root, { recursive: true, force: true });
  }
}
