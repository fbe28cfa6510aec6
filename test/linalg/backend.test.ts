import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nativeAvailable } from '../../src/linalg/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a snippet in a fresh process (the backend is chosen once per process). */
function run(code: string, env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root, encoding: 'utf8', env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

const probe = `import { backend } from './src/linalg/index.ts';
try { console.log(backend().name); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }`;

test('GENBOUND_BACKEND selects the backend; a bad name is a BadOptionError', () => {
  assert.equal(run(probe, { GENBOUND_BACKEND: 'js' }).stdout, 'js');
  const bad = run(probe, { GENBOUND_BACKEND: 'cuda' });
  assert.match(bad.stdout, /^BadOptionError: GENBOUND_BACKEND: unknown linear-algebra backend "cuda"/);
});

test('default is native when the addon loads, without any notice', { skip: nativeAvailable() ? false : 'no addon' }, () => {
  const r = run(probe, { GENBOUND_BACKEND: undefined });
  assert.equal(r.stdout, 'native');
  assert.equal(r.stderr, '');
});

test('setBackend rejects unknown names', () => {
  const r = run(`import { setBackend, backend } from './src/linalg/index.ts';
setBackend('js'); console.log(backend().name);
try { setBackend('gpu'); } catch (e) { console.log(e.constructor.name); }`, {});
  assert.deepEqual(r.stdout.split('\n'), ['js', 'BadOptionError']);
});

test('CLI --backend: an unknown name is one line on stderr and exit code 2', () => {
  const r = spawnSync(process.execPath, ['bin/genbound.mjs', '--backend', 'gpu', 'analyze', 'missing.safetensors'], {
    cwd: root, encoding: 'utf8',
  });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'genbound: --backend: unknown linear-algebra backend "gpu" (expected native or js)\n');
});
