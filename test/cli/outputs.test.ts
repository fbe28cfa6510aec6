import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';

/**
 * --json, --csv, --report (analyze, compare) and lab run's --out are checked before any work:
 * never over an input (by device and inode, so symlinks and hard links count), never over
 * something that is not a regular file or folder, never into a folder genbound cannot write.
 * Every case: the exit code, exactly one line on stderr, no stack trace, nothing printed on
 * stdout (the analysis never ran), and every file of the scene byte-for-byte as it was.
 */
const E2E = fileURLToPath(new URL('../fixtures/analyze/e2e/', import.meta.url));

/** A fresh scene: a model folder, an init checkpoint, a list file, a lab config, a stray file. */
function scene(): { root: string; model: string; init: string } {
  const root = mkdtempSync(join(tmpdir(), 'gb-out-'));
  cpSync(join(E2E, 'bert-f32'), join(root, 'model'), { recursive: true });
  cpSync(join(E2E, 'bert-init'), join(root, 'init'), { recursive: true });
  writeFileSync(join(root, 'models.txt'), 'model\n');
  writeFileSync(join(root, 'lab.json'), '{}');
  writeFileSync(join(root, 'plain.txt'), 'not a folder');
  return { root, model: join(root, 'model'), init: join(root, 'init') };
}

/** Every file under root (links as links) with its bytes, to prove nothing was touched. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(root.length)] = e.isFile() ? readFileSync(p).toString('base64') : `<${e.isSymbolicLink() ? 'link' : 'special'}>`;
    }
  };
  walk(root);
  return out;
}

async function refused(root: string, args: string[], message: RegExp, code = 2): Promise<void> {
  const before = snapshot(root);
  const t0 = Date.now();
  const r = await runCli(args);
  assert.equal(r.code, code, r.err);
  assert.equal(r.out, '', 'nothing ran');
  assert.equal(r.err.split('\n').filter(Boolean).length, 1, `one line: ${r.err}`);
  assert.match(r.err, /^genbound: /);
  assert.doesNotMatch(r.err, /\n\s+at |internal error/);
  assert.match(r.err.trim(), message);
  assert.ok(Date.now() - t0 < 3000, `refused at once (${Date.now() - t0} ms)`);
  assert.deepEqual(snapshot(root), before, 'no file written, moved or left behind');
}

test('--json over a model file, through a symlink, through a hard link, or over a file in the model folder is refused', async () => {
  const { root, model } = scene();
  const weights = join(model, 'model.safetensors');
  await refused(root, ['analyze', model, '--json', weights], /^genbound: --json .*model\.safetensors: is an input of this run \(the same file as one read from .*model\); choose another path$/);
  await refused(root, ['analyze', weights, '--json', weights], /is an input of this run \(the same file\); choose another path$/);
  symlinkSync(weights, join(root, 'link.json'));
  await refused(root, ['analyze', model, '--json', join(root, 'link.json')], /link\.json: is an input of this run/);
  linkSync(weights, join(root, 'hard.json'));
  await refused(root, ['analyze', model, '--json', join(root, 'hard.json')], /hard\.json: is an input of this run/);
  await refused(root, ['analyze', model, '--json', join(model, 'config.json')], /config\.json: is an input of this run/);
  // A file beside a model file counts when a reader may open it (config.json), not otherwise.
  await refused(root, ['analyze', weights, '--json', join(model, 'config.json')], /config\.json: is an input of this run/);
});

test('--init, --merge-into and --csv files: an input is never overwritten', async () => {
  const { root, model, init } = scene();
  await refused(root, ['analyze', model, '--init', init, '--json', join(init, 'model.safetensors')], /--json .*init\/model\.safetensors: is an input of this run/);
  await refused(root, ['analyze', model, '--merge-into', init, '--json', join(init, 'config.json')], /--json .*init\/config\.json: is an input of this run/);
  mkdirSync(join(root, 'csv'));
  linkSync(join(model, 'model.safetensors'), join(root, 'csv', 'bounds.csv'));
  await refused(root, ['analyze', model, '--csv', join(root, 'csv')], /^genbound: --csv .*csv: .*csv\/bounds\.csv is an input of this run/);
});

test('--report may not be, hold or sit above an input, hold foreign files, or swallow another output', async () => {
  const { root, model } = scene();
  await refused(root, ['analyze', model, '--report', model], /^genbound: --report .*model: is an input of this run \(.*model\); the report replaces the whole folder, choose another one$/);
  await refused(root, ['analyze', model, '--report', root], /--report .*: holds an input of this run/);
  mkdirSync(join(root, 'rep', 'figures'), { recursive: true });
  writeFileSync(join(root, 'rep', 'thesis.tex'), 'mine');
  await refused(root, ['analyze', model, '--report', join(root, 'rep')], /holds "thesis\.tex", which genbound did not write; the report replaces the whole folder, so choose an empty or new one$/);
  await refused(root, ['analyze', model, '--report', join(root, 'new'), '--json', join(root, 'new', 'r.json')], /--report .*new: would replace --json .*new\/r\.json, which lies inside it$/);
});

test('targets that are not regular files or folders, and unwritable places, are one line at once', async () => {
  const { root, model } = scene();
  mkdirSync(join(root, 'adir'));
  await refused(root, ['analyze', model, '--json', join(root, 'adir')], /--json .*adir: is a folder, not a file genbound may replace$/);
  execFileSync('mkfifo', [join(root, 'fifo.json')]);
  await refused(root, ['analyze', model, '--json', join(root, 'fifo.json')], /fifo\.json: is a FIFO, not a file genbound may replace$/);
  await refused(root, ['analyze', model, '--csv', join(root, 'plain.txt')], /--csv .*plain\.txt: is a file, not a folder$/);
  await refused(root, ['analyze', model, '--report', join(root, 'plain.txt')], /--report .*plain\.txt: is a file, not a report folder$/);
  await refused(root, ['analyze', model, '--json', join(root, 'plain.txt', 'out.json')], /--json .*plain\.txt\/out\.json: .*plain\.txt is not a folder$/);
  await refused(root, ['analyze', model, '--json', '/proc/genbound-no/out.json'], /^genbound: --json \/proc\/genbound-no\/out\.json: cannot write in \/proc \(E[A-Z]+\)$/);
  if (process.getuid?.() !== 0) {
    mkdirSync(join(root, 'ro'), { mode: 0o555 });
    await refused(root, ['analyze', model, '--csv', join(root, 'ro', 'csv')], /cannot write in .*ro \(EACCES\)$/);
  }
});

test('compare: a list file or a model is not an output; lab run: its config is not an output', async () => {
  const { root, model } = scene();
  await refused(root, ['compare', join(root, 'models.txt'), '--json', join(root, 'models.txt')], /--json .*models\.txt: is an input of this run \(the same file\)/);
  await refused(root, ['compare', model, '--report', model], /--report .*model: is an input of this run/);
  mkdirSync(join(root, 'lab'));
  symlinkSync(join(root, 'lab.json'), join(root, 'lab', 'results.json'));
  await refused(root, ['lab', 'run', 'rate-m', '--quick', '--quiet', '--config', join(root, 'lab.json'), '--out', join(root, 'lab')], /^genbound: --out .*lab\/results\.json: is an input of this run/);
  mkdirSync(join(root, 'lab2', 'results.csv'), { recursive: true });
  await refused(root, ['lab', 'run', 'rate-m', '--quick', '--quiet', '--out', join(root, 'lab2')], /--out .*lab2\/results\.csv: is a folder, not a file genbound may replace$/);
});

test('a good run still writes all three outputs, and a second run replaces the report whole', async () => {
  const { root, model } = scene();
  const args = ['analyze', model, '--json', join(root, 'r.json'), '--csv', join(root, 'csv'), '--report', join(root, 'rep')];
  assert.equal((await runCli(args)).code, 0);
  const first = statSync(join(root, 'rep', 'index.html')).ino;
  const r = await runCli(args);
  assert.equal(r.code, 0, r.err);
  assert.notEqual(statSync(join(root, 'rep', 'index.html')).ino, first, 'a new report folder');
  assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.')), [], 'no .rep.tmp-* or .rep.old-* left');
  assert.ok(readdirSync(join(root, 'csv')).includes('bounds.csv'));
});
