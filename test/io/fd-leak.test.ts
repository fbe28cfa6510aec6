import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource } from '../../src/io/open.js';
import { corpus } from './hostile/corpus.js';
import { runCase, withBuiltCase } from './hostile/run.js';
import { f32, tfjsManifest } from './hostile/build.js';

/**
 * No file handle outlives the source that opened it. Counted in /proc/self/fd (not through the
 * "Closing file descriptor N on garbage collection" warning, which only shows when a GC happens
 * to run): the count after a run must equal the count before it.
 */

const openFds = (): number => readdirSync('/proc/self/fd').length;

function tempRoot(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'gb-fd-')));
}

test('tfjs: concurrent reads over several shards leave no file handle open after close', async () => {
  const root = tempRoot();
  try {
    // 4 shards of 64 bytes holding 8 weights of 8 floats, two per shard.
    const paths = ['s1.bin', 's2.bin', 's3.bin', 's4.bin'];
    for (const [i, p] of paths.entries()) writeFileSync(join(root, p), f32(new Array(16).fill(i + 1)));
    writeFileSync(join(root, 'model.json'), tfjsManifest(paths, Array.from({ length: 8 }, (_, i) => ({ name: `w${i}`, count: 8 }))));
    const before = openFds();
    for (let round = 0; round < 5; round++) {
      const src = await openSource(root);
      try {
        // The adapters read a layer's tensors with Promise.all: reads from different shards interleave.
        const ts = await Promise.all([...src.list()].reverse().map((t) => src.read(t.name)));
        assert.deepEqual(ts.map((t) => t.data[0]), [4, 4, 3, 3, 2, 2, 1, 1]);
      } finally {
        await src.close();
      }
    }
    assert.equal(openFds(), before, 'file descriptors left open by the tfjs reader');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the hostile corpus (every error path of the readers) leaves no file handle open', { timeout: 60_000 }, async () => {
  const before = openFds();
  for (const c of corpus()) {
    await withBuiltCase(c, 'gb-fd-', ({ target }) => runCase(c, target));
    assert.equal(openFds(), before, `${c.cls} / ${c.name}: file descriptors left open`);
  }
});
