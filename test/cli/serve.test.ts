/**
 * `genbound serve` as a real HTTP server on 127.0.0.1: the page, its assets, and nothing else
 * (no traversal out of the web folder, GET/HEAD only), the hub endpoint written into the page's
 * meta tag and Content-Security-Policy, and one-line errors for a missing build or a bad option.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import { runCli } from './run-cli.js';

const PAGE = `<!DOCTYPE html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; connect-src 'self' blob: https://huggingface.co">
<meta name="genbound-hub-endpoint" content="https://huggingface.co"></head><body></body></html>`;
let root: string;
let server: RunningServer;

/** A raw request (fetch would normalise ../ out of the path). */
function get(path: string, method = 'GET'): Promise<{ status: number; body: string; type?: string }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'genbound-serve-'));
  mkdirSync(join(root, 'web', 'assets'), { recursive: true });
  writeFileSync(join(root, 'web', 'index.html'), PAGE);
  writeFileSync(join(root, 'web', 'assets', 'a.js'), 'export {};');
  writeFileSync(join(root, 'secret.txt'), 'outside');
  server = await startServer({ dir: join(root, 'web'), port: 0, hubEndpoint: 'http://127.0.0.1:9/hub/' });
});

after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

test('serves the page with the hub endpoint in its meta tag and CSP, and its assets', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.type ?? '', /text\/html/);
  assert.match(page.body, /name="genbound-hub-endpoint" content="http:\/\/127\.0\.0\.1:9\/hub"/);
  assert.match(page.body, /connect-src 'self' blob: http:\/\/127\.0\.0\.1:9 https:\/\/huggingface\.co/);
  const js = await get('/assets/a.js');
  assert.equal(js.status, 200);
  assert.match(js.type ?? '', /javascript/);
  assert.equal((await get('/assets/a.js', 'HEAD')).body, '');
});

test('nothing outside the web folder, and only GET and HEAD', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/assets', '/nope.js', '/%00']) {
    const r = await get(p);
    assert.ok(r.status === 404 || r.status === 400, `${p}: HTTP ${r.status}`);
    assert.doesNotMatch(r.body, /outside/);
  }
  assert.equal((await get('/', 'POST')).status, 405);
});

test('a missing build and bad options are one-line errors', async () => {
  const r = await runCli(['serve', '--dir', join(root, 'nothing-here'), '--port', '0']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^genbound: no web build in .*nothing-here \(run `npm run build:web` first, or pass --dir\)\n$/);
  const p = await runCli(['serve', '--port', 'eighty']);
  assert.equal(p.code, 2);
  assert.match(p.err, /--port must be an integer/);
  const e = await runCli(['serve', '--dir', join(root, 'web'), '--hub-endpoint', 'ftp://x']);
  assert.equal(e.code, 2);
  assert.match(e.err, /--hub-endpoint must be an http\(s\) URL/);
});
