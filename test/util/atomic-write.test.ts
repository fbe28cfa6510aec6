import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenboundError } from '../../src/errors.js';
import { besideName, replaceDirAtomic, writeFileAtomic } from '../../src/util/atomic-write.js';

test('writeFileAtomic writes the file and leaves no temporary behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gb-'));
  writeFileAtomic(join(dir, 'sub', 'a.json'), '{"x":1}');
  assert.equal(readFileSync(join(dir, 'sub', 'a.json'), 'utf8'), '{"x":1}');
  assert.deepEqual(readdirSync(join(dir, 'sub')), ['a.json']);
});

test('writeFileAtomic leaves nothing when the write fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gb-'));
  mkdirSync(join(dir, 'target'));
  // Renaming a file onto an existing directory fails: nothing half-written may remain.
  assert.throws(() => writeFileAtomic(join(dir, 'target'), 'data'), (e: Error) => e instanceof GenboundError && e.message === `${join(dir, 'target')}: cannot write (EISDIR)`);
  assert.deepEqual(readdirSync(dir), ['target']);
  assert.deepEqual(readdirSync(join(dir, 'target')), []);
});

test('replaceDirAtomic: a folder replaces the old one whole, and the old one survives until the new one is in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gb-'));
  const target = join(dir, 'rep');
  for (const tag of ['one', 'two']) {
    const tmp = besideName(target, 'tmp');
    mkdirSync(tmp);
    writeFileSync(join(tmp, 'index.html'), tag);
    replaceDirAtomic(tmp, target);
    assert.equal(readFileSync(join(target, 'index.html'), 'utf8'), tag);
  }
  assert.deepEqual(readdirSync(dir), ['rep'], 'no .rep.tmp-* or .rep.old-* left');
  // A rename that cannot happen (the built folder is gone) leaves the old report in place.
  assert.throws(() => replaceDirAtomic(join(dir, '.rep.tmp-missing'), target), /ENOENT/);
  assert.equal(readFileSync(join(target, 'index.html'), 'utf8'), 'two');
});

test('replaceDirAtomic: two processes replacing one folder 100 times each never leave a mixture or a leftover', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gb-'));
  const target = join(dir, 'rep');
  const sync = mkdtempSync(join(tmpdir(), 'gb-sync-'));
  const child = fileURLToPath(new URL('./replace-dir-child.ts', import.meta.url));
  const run = (who: string): Promise<number | null> =>
    new Promise((resolve) => spawn(process.execPath, ['--import', 'tsx', child, target, who, '100', sync], { stdio: 'inherit' }).on('close', resolve));
  const writers = Promise.all([run('A'), run('B')]);
  while (readdirSync(sync).length < 2) await new Promise((r) => setTimeout(r, 5));
  writeFileSync(join(sync, 'go'), '');
  let done = false;
  void writers.then(() => (done = true));
  // A reader meanwhile. Every round's tag is unique and a replaced folder never comes back, so
  // reading a, b, then a again with the same tag both times means b came from that same folder.
  let checked = 0;
  const read = (f: string): string | undefined => {
    try {
      return readFileSync(join(target, f), 'utf8');
    } catch (err) {
      assert.equal((err as { code?: string }).code, 'ENOENT');
      return undefined;
    }
  };
  while (!done) {
    const a1 = read('a.txt');
    const b = read('figures/b.txt');
    const a2 = read('a.txt');
    if (a1 !== undefined && a1 === a2 && b !== undefined) {
      assert.equal(b, a1, 'one folder holds one writer\'s round');
      checked++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.deepEqual(await writers, [0, 0]);
  assert.deepEqual(readdirSync(dir), ['rep'], 'no .rep.tmp-* or .rep.old-* left');
  assert.match(readFileSync(join(target, 'a.txt'), 'utf8'), /^[AB]-99$/);
  assert.equal(readFileSync(join(target, 'a.txt'), 'utf8'), readFileSync(join(target, 'figures', 'b.txt'), 'utf8'));
  assert.ok(checked > 0);
});
