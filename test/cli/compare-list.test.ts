import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';
import { expandModels } from '../../src/cli/compare.js';
import { MAX_LIST_BYTES, MAX_LIST_LINE, MAX_LIST_MODELS } from '../../src/io/limits.js';

/**
 * `genbound compare LIST` reads its list file through the file gate (src/cli/model-list.ts):
 * real files on disk, each bad one refused with one stderr line, exit 1, no stack trace, and
 * before any model is analysed.
 */

const E2E = fileURLToPath(new URL('../fixtures/analyze/e2e/', import.meta.url));

test('compare list file: UTF-8 with a BOM, CRLF, comments and blank lines; paths relative to the file', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'gb-list-')));
  try {
    mkdirSync(join(root, 'a'));
    mkdirSync(join(root, 'sub', 'b'), { recursive: true });
    writeFileSync(join(root, 'sub', 'family.lst'), '\uFEFF# two models\r\n../a\r\n\r\n  b   # the second\r\n');
    assert.deepEqual(await expandModels([join(root, 'sub', 'family.lst')]), [join(root, 'a'), join(root, 'sub', 'b')]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('compare list file: each bad list is one line on stderr, exit 1, nothing analysed', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'gb-list-')));
  const w = (name: string, data: string | Uint8Array): string => {
    writeFileSync(join(root, name), data);
    return join(root, name);
  };
  try {
    mkdirSync(join(root, 'outside'));
    writeFileSync(join(root, 'outside', 'real.txt'), `${join(E2E, 'gpt2-f16')}\n`);
    mkdirSync(join(root, 'lists'));
    symlinkSync(join(root, 'outside', 'real.txt'), join(root, 'lists', 'link.txt'));
    mkdirSync(join(root, 'empty-dir.txt'));
    execFileSync('mkfifo', [join(root, 'fifo.txt')]);
    const cases: [string, RegExp][] = [
      [join(root, 'missing.txt'), /missing\.txt: no such file or folder$/],
      [join(root, 'empty-dir.txt'), /empty-dir\.txt: folder holds neither a model nor model sub-folders$/],
      [join(root, 'fifo.txt'), /fifo\.txt: is a FIFO, not a regular file; refused$/],
      [join(root, 'lists', 'link.txt'), /link\.txt: resolves outside the model folder/],
      [w('big.txt', `${'#'.repeat(MAX_LIST_BYTES)}\n`), new RegExp(`big\\.txt: list file of ${MAX_LIST_BYTES + 1} bytes is larger than the ${MAX_LIST_BYTES}-byte limit; refused$`)],
      [w('nul.txt', new Uint8Array([0x61, 0x0a, 0x62, 0x00, 0x63])), /nul\.txt: holds a NUL byte at byte 3: not a text list of model paths$/],
      [w('latin1.txt', new Uint8Array([0x6d, 0xe9, 0x6c, 0x0a])), /latin1\.txt: is not UTF-8 text/],
      [w('blank.txt', '# nothing\n\n   \n'), /blank\.txt: the list file names no models$/],
      [w('many.txt', 'x\n'.repeat(MAX_LIST_MODELS + 1)), new RegExp(`many\\.txt: names more than ${MAX_LIST_MODELS} models; refused$`)],
      [w('long.txt', `${join(E2E, 'gpt2-f16')}\n${'y'.repeat(MAX_LIST_LINE + 1)}\n`), new RegExp(`long\\.txt: line 2 is ${MAX_LIST_LINE + 1} characters long`)],
      [w('typo.txt', `# family\n${join(E2E, 'gpt2-f16')}\nno-such-model\n`), /typo\.txt: line 3: "no-such-model" names no file or folder$/],
      [w('quote.txt', 'evil"\u001b[2Jname\n'), /quote\.txt: line 1: "evil\\"\\u001b\[2Jname" names no file or folder$/],
    ];
    for (const [path, re] of cases) {
      const r = await runCli(['compare', path]);
      assert.equal(r.code, 1, `${path}: ${r.err}`);
      assert.match(r.err, /^genbound: [^\n]*\n$/, `${path}: not one stderr line: ${r.err.slice(0, 300)}`);
      assert.match(r.err.trimEnd(), re, path);
      assert.doesNotMatch(r.err, /\n\s+at |internal error/, path);
      assert.equal(r.out, '', `${path}: something was analysed`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
