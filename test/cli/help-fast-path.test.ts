/**
 * `genbound --version` and `--help` are answered by bin/fast-path.mjs without loading commander
 * (issue 14's start-up goal). These tests keep that shortcut honest: its help text equals
 * commander's own rendering of the real command tree at every terminal width, the bin's bytes equal
 * those of the full CLI path, and the shortcut really loads none of the CLI's modules.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, test } from 'node:test';
import { buildProgram } from '../../src/cli/main.js';
import { ensureDist, ROOT } from '../package/dist.js';
// @ts-expect-error: plain JavaScript next to the bin, without declarations
import { fastOutput } from '../../bin/fast-path.mjs';

const fast = fastOutput as (args: string[], root: URL, width: number | undefined, distFresh: () => boolean) => string | undefined;
const root = pathToFileURL(ROOT.endsWith("/") ? ROOT : `${ROOT}/`);
const bin = join(ROOT, 'bin', 'genbound.mjs');

/** commander's help for the sources' command tree, as it renders for stdout of this width. */
function commanderHelp(width: number | undefined): string {
  const p = buildProgram();
  // commander itself returns undefined here when stdout is not a terminal (its types say number).
  p.configureOutput({ getOutHelpWidth: () => width as number, getOutHasColors: () => false });
  return p.helpInformation();
}

function runBin(args: string[], node: string[] = []): { out: string; err: string } {
  const r = spawnSync(process.execPath, [...node, bin, ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { out: r.stdout, err: r.stderr };
}

before(() => ensureDist());

test('the stored help equals commander\'s at every width, and on a pipe', () => {
  for (let w = 1; w <= 260; w++) assert.equal(fast(['--help'], root, w, () => true), commanderHelp(w), `width ${w}`);
  assert.equal(fast(['-h'], root, undefined, () => true), commanderHelp(undefined));
  assert.match(commanderHelp(undefined), /Commands:\n\s+analyze/);
});

test('the version is package.json\'s; a stale build or any other argument takes the full CLI', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(fast(['--version'], root, undefined, () => false), `${version}\n`);
  assert.equal(fast(['-V'], root, 80, () => false), `${version}\n`);
  assert.equal(fast(['--help'], root, 80, () => false), undefined);
  for (const args of [[], ['analyze', '--help'], ['--help', '--debug'], ['--backend', 'js', '--version'], ['help']]) {
    assert.equal(fast(args, root, 80, () => true), undefined, args.join(' '));
  }
});

test('the bin prints what the full CLI prints, and loads none of it for --version and --help', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genbound-fastpath-'));
  try {
    // A resolve hook that lists every module the process loads.
    writeFileSync(join(dir, 'hooks.mjs'), 'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`loaded ${r.url}\\n`); return r; }\n');
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    for (const [flag, alias] of [['--version', '-V'], ['--help', '-h']]) {
      const quick = runBin([flag], ['--import', join(dir, 'register.mjs')]);
      const loaded = quick.err.split('\n').filter((l) => l.startsWith('loaded file:')).map((l) => l.slice('loaded '.length));
      assert.deepEqual(loaded.map((u) => u.slice(root.href.length)).sort(), ['bin/fast-path.mjs', 'bin/genbound.mjs'], `${flag} loaded ${loaded.join(', ')}`);
      // --debug changes nothing in the output but sends the command line through commander.
      assert.equal(quick.out, runBin(['--debug', flag]).out, flag);
      assert.equal(runBin([alias]).out, quick.out, alias);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
