import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/util/atomic-write.js';

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
  assert.throws(() => writeFileAtomic(join(dir, 'target'), 'data'));
  assert.deepEqual(readdirSync(dir), ['target']);
  assert.deepEqual(readdirSync(join(dir, 'target')), []);
});
