import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpus, MARKER, type HostileCase } from './corpus.js';
import { runCase, withBuiltCase } from './run.js';

/**
 * Issue 11's hostile corpus, built fresh in a temp folder per case. Every case must end in ONE
 * line (`genbound: …` on stderr for the CLI, a one-line GenboundError for the API), with exit
 * code 1, no stack trace, no open() of anything in the sentinel folder beside the model, and
 * the whole tree (model and sentinels) byte-for-byte as it was.
 */

/** Type, size and content hash of every entry under `root` (links and FIFOs not followed or read). */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string): void => {
    for (const n of readdirSync(p)) {
      const f = join(p, n);
      const st = lstatSync(f);
      if (st.isDirectory()) {
        out.set(f, 'dir');
        walk(f);
      } else if (st.isFile()) out.set(f, `file ${st.size} ${createHash('sha1').update(readFileSync(f)).digest('hex')}`);
      else out.set(f, st.isSymbolicLink() ? 'link' : 'special');
    }
  };
  walk(root);
  return out;
}


const classes = new Map<string, HostileCase[]>();
for (const c of corpus()) classes.set(c.cls, [...(classes.get(c.cls) ?? []), c]);

for (const [cls, cases] of classes) {
  test(`hostile ${cls}: ${cases.length} cases, each one line, exit 1, nothing outside read, nothing changed`, { timeout: 60_000 }, async () => {
    for (const c of cases) {
      const { r, ms, before, after, outside } = await withBuiltCase(c, 'gb-hostile-', async ({ root, outside, target }) => {
        const before = snapshot(root);
        const t0 = Date.now();
        const r = await runCase(c, target);
        return { r, ms: Date.now() - t0, before, after: snapshot(root), outside };
      });
      const label = `${cls} / ${c.name}`;
      assert.ok(ms < 10_000, `${label}: took ${ms} ms`);
      assert.equal(r.code, 1, `${label}: exit code (stderr: ${r.err})`);
      assert.match(r.err, /^genbound: [^\n]*\n$/, `${label}: not exactly one stderr line: ${r.err.slice(0, 500)}`);
      assert.ok(r.err.length < 700, `${label}: message of ${r.err.length} characters`);
      assert.doesNotMatch(r.err, /\n\s+at |internal error/, `${label}: stack trace or internal error`);
      assert.match(r.err, c.error, label);
      assert.ok(!r.err.includes(MARKER) && !r.out.includes(MARKER), `${label}: sentinel content reached the output`);
      const leaked = r.opened.filter((p) => p.startsWith(outside.dir));
      assert.deepEqual(leaked, [], `${label}: opened outside the model folder`);
      assert.deepEqual(after, before, `${label}: files changed`);
    }
  });
}
