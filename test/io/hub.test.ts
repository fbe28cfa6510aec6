import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSource } from '../../src/io/open.js';
import { downloadModel, chooseWeights } from '../../src/io/hub.js';
import { BadFileError, NetworkError } from '../../src/errors.js';
import { COMMIT, gitSha1, HubServer, sha256, type Logged } from './hub-server.js';

/** The happy paths and the classic failures of the hub client, against test/io/hub-server.ts. */
const FIX = fileURLToPath(new URL('../fixtures/io/sharded/', import.meta.url));
const SHA = COMMIT;
const sharded: Record<string, Buffer> = Object.fromEntries(
  ['config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'].map((f) => [f, readFileSync(join(FIX, f))]),
);
const single = readFileSync(fileURLToPath(new URL('../fixtures/io/st_small.safetensors', import.meta.url)));

let hub: HubServer;
let endpoint = '';
let log: Logged[] = [];
before(async () => {
  hub = await HubServer.start({
    'org/tiny': { files: { ...sharded, 'pytorch_model.bin': Buffer.from('never fetched'), 'README.md': Buffer.from('# tiny') } },
    'org/private': { token: 's3cret', files: { 'config.json': Buffer.from('{"model_type":"toy"}'), 'model.safetensors': single } },
    'org/flaky': { files: { 'model.safetensors': { body: single, cutAfter: 300 } } },
    'org/badsum': { files: { 'model.safetensors': { body: single, declareSha256: sha256(Buffer.from('other')) } } },
  });
  endpoint = hub.endpoint;
  log = hub.log;
});
after(() => hub.stop());

const cache = (): string => mkdtempSync(join(tmpdir(), 'gb-hub-'));

test('hub id: config and sharded safetensors land in the HF cache layout and open; the second run fetches nothing', async () => {
  const home = cache();
  log.length = 0;
  const src = await openSource('org/tiny', { endpoint, cacheHome: home, progress: false });
  try {
    assert.equal(src.format, 'safetensors');
    assert.deepEqual(src.config, { model_type: 'toy', hidden_size: 3 });
    const exp = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as Record<string, number[]>;
    assert.deepEqual(Array.from((await src.read('layer.3.weight')).data), exp['layer.3.weight']);
  } finally {
    await src.close();
  }
  const repo = join(home, 'hub', 'models--org--tiny');
  assert.equal(readFileSync(join(repo, 'refs', 'main'), 'utf8'), SHA);
  const snap = join(repo, 'snapshots', SHA);
  assert.deepEqual(readdirSync(snap).sort(), Object.keys(sharded).sort());
  assert.ok(lstatSync(join(snap, 'model-00001-of-00002.safetensors')).isSymbolicLink());
  assert.ok(existsSync(join(repo, 'blobs', sha256(sharded['model-00001-of-00002.safetensors']))));
  assert.ok(existsSync(join(repo, 'blobs', gitSha1(sharded['config.json']))));
  assert.equal(readdirSync(join(repo, 'blobs')).length, 4, 'four verified blobs, no .incomplete');
  assert.deepEqual(readdirSync(join(home, 'hub', '.locks', 'models--org--tiny')), [], 'every lock released');
  assert.ok(!log.some((r) => r.url.endsWith('pytorch_model.bin')), 'safetensors preferred over .bin');
  log.length = 0;
  const again = await downloadModel('org/tiny', { endpoint, cacheHome: home, progress: false });
  assert.equal(again, snap);
  assert.deepEqual(log.map((r) => r.url), ['/api/models/org/tiny']); // the listing only
  // Hub unreachable: the cached snapshot is used; HF_HUB_OFFLINE=1 never asks the hub.
  assert.equal(await downloadModel('org/tiny', { endpoint: 'http://127.0.0.1:9', cacheHome: home, progress: false }), snap);
  const saved = process.env.HF_HUB_OFFLINE;
  process.env.HF_HUB_OFFLINE = '1';
  try {
    log.length = 0;
    assert.equal(await downloadModel('org/tiny', { endpoint, cacheHome: home, progress: false }), snap);
    assert.equal(log.length, 0);
    await assert.rejects(downloadModel('org/other', { endpoint, cacheHome: home, progress: false }), /not in the cache .* HF_HUB_OFFLINE=1/);
  } finally {
    if (saved === undefined) delete process.env.HF_HUB_OFFLINE;
    else process.env.HF_HUB_OFFLINE = saved;
  }
});

test('HF_ENDPOINT, HF_HOME and HF_TOKEN are honoured; no token gives one clear 401 error', async () => {
  const home = cache();
  const saved = { ...process.env };
  try {
    process.env.HF_ENDPOINT = endpoint;
    process.env.HF_HOME = home;
    delete process.env.HF_TOKEN;
    await assert.rejects(downloadModel('org/private', { progress: false }), (e: Error) => {
      assert.ok(e instanceof NetworkError);
      assert.match(e.message, /^org\/private: access denied to the model listing \(HTTP 401\); .*HF_TOKEN/);
      return true;
    });
    process.env.HF_TOKEN = 's3cret';
    const src = await openSource('org/private', { progress: false });
    assert.deepEqual(src.config, { model_type: 'toy' });
    assert.equal(src.list().length, 8);
    await src.close();
    assert.ok(existsSync(join(home, 'hub', 'models--org--private', 'snapshots', SHA, 'model.safetensors')));
    assert.ok(log.filter((r) => r.url.includes('org/private/resolve')).every((r) => r.auth === 'Bearer s3cret'));
  } finally {
    process.env = saved;
  }
});

test('a 404 is one clear error; a model with no weights is refused', async () => {
  await assert.rejects(downloadModel('org/nothere', { endpoint, cacheHome: cache(), progress: false }), (e: Error) => {
    assert.ok(e instanceof NetworkError);
    assert.equal(e.message, `org/nothere: the model listing not found on ${endpoint} (HTTP 404); check the model id and revision`);
    return true;
  });
  assert.equal(chooseWeights(['README.md', 'config.json']), undefined);
  assert.equal(chooseWeights(['pytorch_model.bin', 'model.safetensors']), 'model.safetensors');
});

test('an interrupted download resumes with a Range request and shows progress when asked', async () => {
  const home = cache();
  log.length = 0;
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stderr.write;
  let dir: string;
  try {
    dir = await downloadModel('org/flaky', { endpoint, cacheHome: home, progress: true });
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual(readFileSync(join(dir, 'model.safetensors')), single);
  const gets = log.filter((r) => r.method === 'GET' && r.url.endsWith('model.safetensors'));
  assert.equal(gets.length, 2);
  assert.equal(gets[1].range, 'bytes=300-');
  assert.ok(chunks.join('').includes('model.safetensors'), 'progress names the file');
});

test('a checksum mismatch is refused and leaves no partial file', async () => {
  const home = cache();
  await assert.rejects(downloadModel('org/badsum', { endpoint, cacheHome: home, progress: false }), (e: Error) => {
    assert.ok(e instanceof BadFileError);
    assert.match(e.message, /downloaded model\.safetensors does not match the hub's checksum \(sha256 /);
    return true;
  });
  const blobs = join(home, 'hub', 'models--org--badsum', 'blobs');
  assert.deepEqual(readdirSync(blobs), []);
  assert.ok(!existsSync(join(home, 'hub', 'models--org--badsum', 'snapshots', SHA, 'model.safetensors')));
});

test('an unreachable endpoint is a NetworkError, not a crash', async () => {
  await assert.rejects(downloadModel('org/tiny', { endpoint: 'http://127.0.0.1:9', cacheHome: cache(), progress: false }), (e: Error) => {
    assert.ok(e instanceof NetworkError);
    assert.match(e.message, /cannot reach http:\/\/127\.0\.0\.1:9/);
    return true;
  });
});

test('openSource on a missing local path shaped like a hub id says both', async () => {
  await assert.rejects(openSource('nope/nothere', { endpoint, cacheHome: cache(), progress: false }), (e: Error) => {
    assert.ok(e instanceof NetworkError);
    assert.match(e.message, /HTTP 404.*\(and there is no local file or folder "nope\/nothere"\)$/);
    return true;
  });
});
