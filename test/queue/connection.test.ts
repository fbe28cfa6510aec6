/**
 * The --queue URL, Redis authentication (password and ACL user, against a real redis-server),
 * and the one-line reports when Redis cannot be reached or goes away for good.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQueueUrl } from '../../src/queue/url.js';
import { runCli } from '../cli/run-cli.js';
import { Cli, freePort, TestRedis, withEnv } from './redis-harness.js';

const redis = new TestRedis(['--requirepass', 's3cret', '--user', 'alice', 'on', '>wonder', '~*', '&*', '+@all']);

before(async () => {
  await redis.start();
});
after(async () => {
  await redis.close();
});

test('--queue URLs: host, port, db, user, password, TLS; bad ones are one clear error', () => {
  assert.deepEqual(parseQueueUrl('redis://localhost'), { host: 'localhost', port: 6379, db: 0, username: undefined, password: undefined, tls: false, display: 'redis://localhost' });
  const a = parseQueueUrl('rediss://bob:p%40ss@redis.example:6380/3');
  assert.deepEqual([a.host, a.port, a.db, a.username, a.password, a.tls], ['redis.example', 6380, 3, 'bob', 'p@ss', true]);
  assert.equal(a.display, 'rediss://bob:***@redis.example:6380/3');
  assert.equal(parseQueueUrl('redis://:pw@[::1]:7000').host, '::1');
  for (const bad of ['localhost:6379', 'http://h:1', 'redis://h:1/16', 'redis://h:1/x', 'redis://h:1?tls=1', 'redis://']) {
    assert.throws(() => parseQueueUrl(bad), /--queue/, bad);
  }
});

test('Redis with a password and an ACL user: the URL logs in; a wrong password is one line, at once', async () => {
  const ok1 = await runCli(['queue', 'status', '--queue', `redis://:s3cret@127.0.0.1:${redis.port}`]);
  assert.equal(ok1.code, 0, ok1.err);
  assert.match(ok1.out, /^queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: 0 running, 0 waiting, 0 failed/);
  const ok2 = await runCli(['queue', 'status', '--queue', `redis://alice:wonder@127.0.0.1:${redis.port}/2`]);
  assert.equal(ok2.code, 0, ok2.err);
  const t0 = Date.now();
  const bad = await runCli(['queue', 'status', '--queue', `redis://alice:wrong@127.0.0.1:${redis.port}`]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^genbound: Redis at redis:\/\/alice:\*\*\*@127\.0\.0\.1:\d+ refused the login: WRONGPASS[^\n]*\n$/);
  assert.ok(Date.now() - t0 < 10_000);
  const none = await runCli(['queue', 'status', '--queue', `redis://127.0.0.1:${redis.port}`]);
  assert.equal(none.code, 1);
  assert.match(none.err, /^genbound: Redis at .* refused the login: NOAUTH[^\n]*\n$/);
});

test('no Redis at the address: retried with backoff for the budget, then one line', async () => {
  const port = await freePort();
  const r = await withEnv({ GENBOUND_QUEUE_RETRY_SECONDS: '1' }, () => runCli(['queue', 'status', '--queue', `redis://127.0.0.1:${port}`]));
  assert.equal(r.code, 1);
  assert.match(r.err, /^genbound: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ and could not reconnect in [12] s \(\d+ tries; last error: [^\n]*ECONNREFUSED[^\n]*\)\n$/);
});

test('a worker whose Redis goes away for good exits with one line', async () => {
  const r = await new TestRedis().start();
  try {
    const w = new Cli(['worker', '--queue', r.url], { GENBOUND_QUEUE_RETRY_SECONDS: '1' });
    await w.waitFor('waiting for jobs');
    await r.stop();
    const code = await w.exited;
    assert.equal(code, 1);
    const lines = w.err.trim().split('\n').filter((l) => l.startsWith('genbound: '));
    assert.equal(lines.length, 1, w.err);
    assert.match(lines[0], /^genbound: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ and could not reconnect in \d+ s/);
  } finally {
    await r.close();
  }
});
