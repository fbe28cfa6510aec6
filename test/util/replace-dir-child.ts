/**
 * A report writer for the two-writer test of atomic-write.test.ts: replaces TARGET N times with
 * a folder holding a.txt and figures/b.txt that both name this writer and round.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { besideName, replaceDirAtomic } from '../../src/util/atomic-write.js';

const [target, who, rounds, sync] = process.argv.slice(2);
// Both writers start together: say ready, then wait for the test's go (at most 20 s).
writeFileSync(join(sync, `ready-${who}`), '');
for (let i = 0; i < 20_000 && !existsSync(join(sync, 'go')); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
for (let i = 0; i < Number(rounds); i++) {
  const tmp = besideName(target, 'tmp');
  mkdirSync(join(tmp, 'figures'), { recursive: true });
  const tag = `${who}-${i}`;
  writeFileSync(join(tmp, 'a.txt'), tag);
  writeFileSync(join(tmp, 'figures', 'b.txt'), tag);
  replaceDirAtomic(tmp, target);
}
