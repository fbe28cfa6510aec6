import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer, type Socket, type AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadModel, type HubOptions } from '../../src/io/hub.js';
import { BadFileError, BadOptionError, GenboundError, NetworkError } from '../../src/errors.js';
import { COMMIT, HubServer, sha256 } from './hub-server.js';

/**
 * The hub client against a hostile server: slow, lying, oversized, redirecting, gzip-bombing,
 * and a cache shared with another process. Every case checks the error is one line of the
 * right kind, comes quickly (short timeouts set through options or the environment), and that
 * nothing unverified became a blob or a snapshot file.
 */
const body = readFileSync(fileURLToPath(new URL('../fixtures/io/st_small.safetensors', import.meta.url)));
const W = 'model.safetensors';
const FAST = { etagMs: 2000, downloadMs: 2000, stallMs: 2000, deadlineMs: 10_000 };

let hub: HubServer;
const repo = (f: Parameters<typeof HubServer.start>[0][string]['files'][string], more: Record<string, Buffer> = {}) => ({ files: { [W]: f, ...more } });
before(async () => {
  hub = await HubServer.start({
    'org/silent': repo({ body, silentMs: 3000 }),
    'org/trickle': repo({ body, trickleMs: 40 }),
    'org/slowbutsteady': repo({ body, trickleMs: 5 }),
    'org/chunked-over': repo({ body, send: Buffer.concat([body, Buffer.alloc(100_000)]), noLength: true }),
    'org/length-over': repo({ body, send: Buffer.concat([body, Buffer.alloc(10)]) }),
    'org/size-lie': repo({ body, declareSize: body.length - 10, noLength: true }),
    'org/listing-lie': repo({ body, listingSize: body.length + 1 }),
    'org/bomb': repo({ body, gzip: 'bomb' }),
    'org/gzip': repo({ body, gzip: 'honest' }),
    'org/range-lie': repo({ body, cutAfter: 300, contentRange: (_from, size) => `bytes 0-${size - 1}/${size}` }),
    'org/sha-lie': repo({ body, cutAfter: 300, declareSha256: sha256(Buffer.from('x')) }),
    'org/cdn': { token: 'tok', files: { [W]: { body, redirect: 'cdn' }, 'config.json': Buffer.from('{}') } },
    'org/loop': repo({ body, redirect: 'loop' }),
    'org/many': repo({ body, redirect: 'many' }),
    'org/evil-index': repo(Buffer.from('{}'), { 'model.safetensors.index.json': Buffer.from(JSON.stringify({ weight_map: { a: '../../../../x.safetensors' } })) }),
    'org/unlisted-shard': repo(Buffer.from('{}'), { 'model.safetensors.index.json': Buffer.from(JSON.stringify({ weight_map: { a: 'other.safetensors' } })) }),
    'org/plain': repo(body),
    'org/slow-listing': { ...repo(body), listingTrickleMs: 30 },
  });
});
after(() => hub.stop());

const cache = (): string => mkdtempSync(join(tmpdir(), 'gb-hubx-'));
const opts = (home: string, timeouts: HubOptions['timeouts'] = FAST, more: HubOptions = {}): HubOptions => ({ endpoint: hub.endpoint, cacheHome: home, progress: false, timeouts, ...more });
const blobs = (home: string, id: string): string[] => readdirSync(join(home, 'hub', `models--${id.replace('/', '--')}`, 'blobs')).sort();

/** Runs a download that must fail: one line of the given kind, within `ms`; nothing unverified installed. */
async function refused(id: string, home: string, o: HubOptions, kind: new (...args: never[]) => GenboundError, re: RegExp, ms = 3000): Promise<void> {
  const t0 = Date.now();
  await assert.rejects(downloadModel(id, o), (e: Error) => {
    assert.ok(e instanceof kind, `${e.name}: ${e.message}`);
    assert.match(e.message, re);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
  assert.ok(Date.now() - t0 < ms, `took ${Date.now() - t0} ms`);
  const dir = join(home, 'hub', `models--${id.replace('/', '--')}`);
  assert.ok(!existsSync(join(dir, 'snapshots', COMMIT, W)), 'no snapshot file');
  const names = existsSync(join(dir, 'blobs')) ? readdirSync(join(dir, 'blobs')) : [];
  assert.deepEqual(names.filter((n) => !n.endsWith('.incomplete')), [], 'no blob');
}

test('read timeout: a server that never answers the GET fails after 3 short attempts', async () => {
  const home = cache();
  await refused('org/silent', home, opts(home, { ...FAST, downloadMs: 150 }), NetworkError, /sent nothing for 0\.15 s during model\.safetensors \(HF_HUB_DOWNLOAD_TIMEOUT\).*gave up after 3 attempts/, 2500);
});

test('stall timeout: one byte every 40 ms passes the read timeout but not the stall window', async () => {
  const home = cache();
  await refused('org/trickle', home, opts(home, { ...FAST, stallMs: 250 }), NetworkError, /model\.safetensors stalled: \d+ bytes in 0\.25 s \(at least \d+ needed; GENBOUND_HUB_STALL_TIMEOUT\).*gave up after 3 attempts/, 3000);
  // What did arrive is kept for a resume, but never as a blob.
  assert.ok(blobs(home, 'org/trickle').every((n) => n.endsWith('.incomplete')));
});

test('overall deadline: a steady trickle that would take seconds is cut at the per-file deadline', async () => {
  const home = cache();
  await refused('org/slowbutsteady', home, opts(home, { ...FAST, stallMs: 10_000, deadlineMs: 400 }), NetworkError, /model\.safetensors did not finish within 0\.4 s \(GENBOUND_HUB_DEADLINE\)/, 2000);
});

test('connect timeout: a TLS endpoint that accepts TCP but never handshakes', async () => {
  const sockets: Socket[] = [];
  const silent: TcpServer = createTcpServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const endpoint = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  try {
    const home = cache();
    const t0 = Date.now();
    await assert.rejects(downloadModel('org/plain', { ...opts(home, { ...FAST, etagMs: 200 }), endpoint }), (e: Error) => {
      assert.ok(e instanceof NetworkError);
      assert.equal(e.message, `org/plain: connecting to ${endpoint} for the model listing took longer than 0.2 s (HF_HUB_ETAG_TIMEOUT)`);
      return true;
    });
    assert.ok(Date.now() - t0 < 1500);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('a listing trickled byte by byte gets two stall windows; headers trickled byte by byte get connect + 2 × read', async () => {
  const home = cache();
  await refused('org/slow-listing', home, opts(home, { ...FAST, stallMs: 150 }), NetworkError, /^org\/slow-listing: the model listing did not arrive within 0\.3 s \(2 × GENBOUND_HUB_STALL_TIMEOUT\)$/, 2000);
  const sockets: Socket[] = [];
  const tricklers: NodeJS.Timeout[] = [];
  const raw: TcpServer = createTcpServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    const head = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-padding: ' + 'a'.repeat(1000));
    let i = 0;
    tricklers.push(setInterval(() => i < head.length && !s.destroyed && s.write(head.subarray(i, ++i)), 20));
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  try {
    await refused('org/plain', home, { ...opts(home, { ...FAST, etagMs: 150 }), endpoint }, NetworkError, /did not complete its answer's headers for the model listing within 0\.45 s$/, 2000);
  } finally {
    tricklers.forEach(clearInterval);
    for (const s of sockets) s.destroy();
    raw.close();
  }
});

test('HF_HUB_DOWNLOAD_TIMEOUT and friends are read from the environment; a bad value is one line', async () => {
  const saved = { ...process.env };
  try {
    process.env.HF_HUB_DOWNLOAD_TIMEOUT = '0.15';
    process.env.HF_HUB_ETAG_TIMEOUT = '2';
    const home = cache();
    await refused('org/silent', home, opts(home, {}), NetworkError, /sent nothing for 0\.15 s/, 2500);
    process.env.GENBOUND_HUB_STALL_TIMEOUT = 'soon';
    await refused('org/plain', home, opts(home, {}), BadOptionError, /^GENBOUND_HUB_STALL_TIMEOUT must be a positive number of seconds \(got "soon"\)$/);
  } finally {
    process.env = saved;
  }
});

test('size cap: a chunked body longer than declared is cut at the declared size and discarded', async () => {
  const home = cache();
  await refused('org/chunked-over', home, opts(home), NetworkError, /the server sent more than the declared 865 bytes \(counted after decoding\); refused and discarded$/);
  assert.deepEqual(blobs(home, 'org/chunked-over'), [], 'partial file removed');
  const home2 = cache();
  await refused('org/length-over', home2, opts(home2), NetworkError, /the server sends "875" bytes where the hub declared 865; refused$/);
  // A declared size smaller than the real file: the stream is capped at it.
  const home3 = cache();
  await refused('org/size-lie', home3, opts(home3), NetworkError, /more than the declared 855 bytes/);
  const home4 = cache();
  await refused('org/listing-lie', home4, opts(home4), NetworkError, /the listing declares 866 bytes, the file's headers 865; refused$/);
});

test('gzip: an honest gzip body is decoded and verified; a gzip bomb stops at the declared size', async () => {
  const home = cache();
  const dir = await downloadModel('org/gzip', opts(home));
  assert.deepEqual(readFileSync(join(dir, W)), body);
  assert.equal(hub.requests(W).filter((r) => r.url.startsWith('/org/gzip/')).length, 1);
  const home2 = cache();
  const before = process.memoryUsage().rss;
  await refused('org/bomb', home2, opts(home2), NetworkError, /more than the declared 865 bytes \(counted after decoding\)/);
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'the 8 MiB of zeros were never all inflated at once');
});

test('a 206 with a Content-Range other than the one asked for is discarded; the retry from 0 is verified', async () => {
  const home = cache();
  const dir = await downloadModel('org/range-lie', opts(home));
  assert.deepEqual(readFileSync(join(dir, W)), body);
  const gets = hub.requests(W).filter((r) => r.url.startsWith('/org/range-lie/'));
  assert.deepEqual(gets.map((g) => g.range), [undefined, 'bytes=300-', undefined]);
  assert.deepEqual(blobs(home, 'org/range-lie'), [sha256(body)]);
});

test('a resumed download whose sha256 does not match is refused and deleted', async () => {
  const home = cache();
  await refused('org/sha-lie', home, opts(home), BadFileError, /downloaded model\.safetensors does not match the hub's checksum \(sha256 /);
  assert.deepEqual(blobs(home, 'org/sha-lie'), []);
});

test('revisions are a commit or a safe ref name, never a path; nothing is asked of the hub for a bad one', async () => {
  const home = cache();
  const n = hub.log.length;
  for (const rev of ['../x', '/etc/passwd', 'a\\b', 'main/../x', '.hidden', 'x.lock', '', 'a//b', 'tag@{1}', 'x/', '-rf']) {
    await refused(`org/plain@${rev}`.replace(/@$/, '@'), home, opts(home), BadOptionError, /is not a valid revision \(a 40-hex commit or a branch\/tag name\)$/);
  }
  assert.equal(hub.log.length, n);
  // refs/pr/1 is a ref (huggingface_hub's pull-request refs) and is stored under refs/ like huggingface_hub does.
  const dir = await downloadModel('org/plain@refs/pr/1', opts(home));
  assert.equal(readFileSync(join(home, 'hub', 'models--org--plain', 'refs', 'refs', 'pr', '1'), 'utf8'), COMMIT);
  assert.deepEqual(readFileSync(join(dir, W)), body);
  assert.ok(hub.log.some((r) => r.url === '/api/models/org/plain/revision/refs/pr/1'));
});

test('redirects: to another origin the token is dropped; loops and long chains are refused', async () => {
  const home = cache();
  const dir = await downloadModel('org/cdn', opts(home, FAST, { token: 'tok' }));
  assert.deepEqual(readFileSync(join(dir, W)), body);
  const cdnGets = hub.log.filter((r) => r.server === 'cdn');
  assert.equal(cdnGets.length, 1);
  assert.equal(cdnGets[0].auth, undefined, 'no Authorization to the CDN');
  assert.ok(hub.log.filter((r) => r.server === 'hub' && r.url.includes('org/cdn')).every((r) => r.auth === 'Bearer tok'));
  const h2 = cache();
  await refused('org/loop', h2, opts(h2), NetworkError, /^org\/loop: model\.safetensors: redirect loop at http:\/\/127\.0\.0\.1:\d+\/loop\/0$/);
  const h3 = cache();
  await refused('org/many', h3, opts(h3), NetworkError, /^org\/many: model\.safetensors: more than 10 redirects$/);
});

test('a shard index naming a path outside the snapshot, or a shard the repository does not list, is refused', async () => {
  const home = cache();
  await assert.rejects(downloadModel('org/evil-index', opts(home)), /names the shard "\.\.\/\.\.\/\.\.\/\.\.\/x\.safetensors", which is not a safe relative path$/);
  await assert.rejects(downloadModel('org/unlisted-shard', opts(home)), /names the shard "other\.safetensors", which the repository does not list$/);
  assert.ok(!existsSync(join(home, 'x.safetensors')) && !existsSync(join(home, 'hub', 'x.safetensors')));
});

const lockFile = (home: string, id: string): string => join(home, 'hub', '.locks', `models--${id.replace('/', '--')}`, `${sha256(body)}.genbound.lock`);

function plantLock(home: string, holder: object, ageMs = 0): string {
  const p = lockFile(home, 'org/plain');
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, JSON.stringify(holder));
  if (ageMs) utimesSync(p, new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
  return p;
}

test('locks: a lock left by a dead process or an untouched one from another host is broken; the download proceeds', async () => {
  for (const holder of [{ pid: 2 ** 22 + 12345, host: hostname(), token: 'dead' }, { pid: 1, host: 'elsewhere', token: 'old' }]) {
    const home = cache();
    const p = plantLock(home, holder, holder.host === 'elsewhere' ? 120_000 : 0);
    const dir = await downloadModel('org/plain', opts(home));
    assert.deepEqual(readFileSync(join(dir, W)), body);
    assert.ok(!existsSync(p), 'lock released');
    assert.deepEqual(readdirSync(join(p, '..')), [], 'nothing left in .locks');
  }
});

test('locks: a live holder is waited for (bounded), and its result is reused when it appears', async () => {
  const home = cache();
  plantLock(home, { pid: process.pid, host: hostname(), token: 'other' });
  await refused('org/plain', home, opts(home, { ...FAST, deadlineMs: 300 }), NetworkError, new RegExp(`^gave up waiting for pid ${process.pid} downloading org/plain/model\\.safetensors \\(lock .*\\.genbound\\.lock; delete it if no download is running`), 1500);
  const gets = hub.requests(W).length;
  const blobDir = join(home, 'hub', 'models--org--plain', 'blobs');
  mkdirSync(blobDir, { recursive: true });
  setTimeout(() => writeFileSync(join(blobDir, sha256(body)), body), 200);
  const dir = await downloadModel('org/plain', opts(home));
  assert.deepEqual(readFileSync(join(dir, W)), body);
  assert.equal(hub.requests(W).length, gets, 'the waiting process fetched nothing');
});

test('two processes downloading the same file into one cache: one GET, the other waits and reuses it', async () => {
  const home = cache();
  const listings = (): number => hub.log.filter((r) => r.url === '/api/models/org/two').length;
  // The first GET of the weights is held until both processes have listed the repository, so
  // the second one meets the first one's lock whatever the start-up times.
  const hold = async (): Promise<void> => {
    for (let i = 0; i < 200 && listings() < 2; i++) await new Promise((r) => setTimeout(r, 25));
  };
  hub.repos['org/two'] = { files: { [W]: { body, hold, trickleMs: 1 }, 'config.json': Buffer.from('{"model_type":"toy"}') } };
  const child = fileURLToPath(new URL('./hub-child.ts', import.meta.url));
  const run = (): Promise<{ code: number | null; out: string; err: string }> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', child, hub.endpoint, home, 'org/two'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (code) => resolve({ code, out, err }));
    });
  const [a, b] = await Promise.all([run(), run()]);
  assert.deepEqual([a.code, b.code, a.err, b.err], [0, 0, '', '']);
  const snap = join(home, 'hub', 'models--org--two', 'snapshots', COMMIT);
  assert.deepEqual([a.out, b.out], [snap, snap]);
  assert.equal(hub.requests(W).filter((r) => r.url.startsWith('/org/two/')).length, 1, 'the weights were fetched once');
  assert.deepEqual(readFileSync(join(snap, W)), body);
  assert.deepEqual(blobs(home, 'org/two').filter((n) => !/^[0-9a-f]{40,64}$/.test(n)), [], 'no .incomplete left');
  assert.deepEqual(readdirSync(join(home, 'hub', '.locks', 'models--org--two')), [], 'no lock left');
});

test('a complete .incomplete left by an earlier run is verified from the disk before it becomes the blob', async () => {
  const home = cache();
  const blobDir = join(home, 'hub', 'models--org--plain', 'blobs');
  mkdirSync(blobDir, { recursive: true });
  const part = join(blobDir, `${sha256(body)}.incomplete`);
  const wrong = Buffer.from(body);
  wrong[500] ^= 1;
  writeFileSync(part, wrong);
  await refused('org/plain', home, opts(home), BadFileError, /does not match the hub's checksum \(sha256 /);
  assert.ok(!existsSync(part), 'the corrupt part was removed');
  writeFileSync(part, body);
  const gets = hub.requests(W).length;
  const dir = await downloadModel('org/plain', opts(home));
  assert.deepEqual(readFileSync(join(dir, W)), body);
  assert.equal(hub.requests(W).length, gets, 'nothing fetched: the part was already whole');
});
