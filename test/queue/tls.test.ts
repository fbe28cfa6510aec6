/**
 * rediss:// against a real TLS redis-server (Debian's redis-server is built with TLS): a throwaway
 * CA and a server certificate for IP 127.0.0.1 are made with the openssl CLI when the test starts.
 * A small analyze job runs over TLS with an ACL user and password, the CA trusted the two
 * documented ways: NODE_EXTRA_CA_CERTS for the spawned worker, GENBOUND_QUEUE_CA for the
 * submitter (in this process, where NODE_EXTRA_CA_CERTS is read too late). A server whose
 * certificate comes from another CA is one line at once: no stack trace, no minute of retrying.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.js';
import { Cli, startWorkers, TestRedis, withEnv } from './redis-harness.js';
import { makeLlama } from './make-llama.js';

const tmp = mkdtempSync(join(tmpdir(), 'genbound-tls-'));
const USER = ['--user', 'default', 'off', '--user', 'alice', 'on', '>wonder', '~*', '&*', '+@all'];

/** A CA and a server certificate for IP 127.0.0.1 signed by it (P-256 keys: fast to make). */
function makeCa(name: string): { ca: string; cert: string; key: string } {
  const f = (s: string) => join(tmp, `${name}-${s}`);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-subj', `/CN=genbound test CA ${name}`, '-days', '1');
  ssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '1', '-extfile', f('san.cnf'));
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

let good: ReturnType<typeof makeCa>;
let other: ReturnType<typeof makeCa>;
let redis: TestRedis;
let model = '';

before(async () => {
  good = makeCa('good');
  other = makeCa('other');
  redis = await new TestRedis(USER, good).start();
  model = await makeLlama(join(tmp, 'llama'), { layers: 2, hidden: 64, inter: 128, heads: 4, seed: 3 });
});

after(async () => {
  await redis.close();
  rmSync(tmp, { recursive: true, force: true });
});

const url = (): string => `rediss://alice:wonder@127.0.0.1:${redis.port}`;

test('rediss:// with user and password: a worker (NODE_EXTRA_CA_CERTS) and a submitter (GENBOUND_QUEUE_CA) run a job; the JSON equals the single-process run', async () => {
  const [worker] = await startWorkers(url(), 1, { NODE_EXTRA_CA_CERTS: good.ca });
  try {
    const single = join(tmp, 'single.json');
    const queued = join(tmp, 'queued.json');
    const s = await runCli(['analyze', model, '--json', single]);
    assert.equal(s.code, 0, s.err);
    const q = await withEnv({ GENBOUND_QUEUE_CA: good.ca }, () => runCli(['analyze', model, '--queue', url(), '--json', queued]));
    assert.equal(q.code, 0, q.err);
    assert.equal(readFileSync(queued, 'utf8'), readFileSync(single, 'utf8'));
    assert.match(worker.err, /done in/, 'the job ran on the TLS worker');
    assert.doesNotMatch(worker.err, /Warning/, 'no TLS warning (an IP address must not be sent as SNI servername)');
    const st = await withEnv({ GENBOUND_QUEUE_CA: good.ca }, () => runCli(['queue', 'status', '--queue', url()]));
    assert.equal(st.code, 0, st.err);
    assert.match(st.out, /^queue rediss:\/\/alice:\*\*\*@127\.0\.0\.1:\d+: 0 running, 0 waiting, 0 failed; 1 workers? connected; 2 units computed so far/);
  } finally {
    await worker.kill();
  }
});

/**
 * Asserts exit `code`, exactly one `genbound:` line on stderr, no stack trace, and an end well
 * inside the 60 s reconnect budget (`ms`): a certificate error is not retried.
 */
function oneLine(r: { code: number | null; err: string }, ms: number, re: RegExp, code = 1): void {
  assert.equal(r.code, code, r.err);
  assert.match(r.err, /^genbound: [^\n]*\n$/, r.err);
  assert.doesNotMatch(r.err, /\n\s+at |node:internal/);
  assert.match(r.err, re);
  assert.ok(ms < 20_000, `took ${ms} ms: the error was retried`);
}

test('a server certificate from another CA, or no CA at all: one line at once, for the submitter and for a worker', async () => {
  for (const env of [{ GENBOUND_QUEUE_CA: other.ca }, {}] as Record<string, string>[]) {
    const t0 = Date.now();
    const r = await withEnv(env, () => runCli(['queue', 'status', '--queue', url()]));
    oneLine(r, Date.now() - t0, /^genbound: Redis at rediss:\/\/alice:\*\*\*@127\.0\.0\.1:\d+ presented a TLS certificate genbound does not trust: .*\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\); trust its CA with GENBOUND_QUEUE_CA/);
  }
  const t0 = Date.now();
  const w = new Cli(['worker', '--queue', url()], { NODE_EXTRA_CA_CERTS: other.ca });
  oneLine({ code: await w.exited, err: w.err }, Date.now() - t0, /^genbound: Redis at rediss:.* presented a TLS certificate genbound does not trust/);
});

test('an unreadable GENBOUND_QUEUE_CA is one line (exit 2) before anything connects', async () => {
  const t0 = Date.now();
  const r = await withEnv({ GENBOUND_QUEUE_CA: join(tmp, 'missing.pem') }, () => runCli(['queue', 'status', '--queue', url()]));
  oneLine(r, Date.now() - t0, /^genbound: GENBOUND_QUEUE_CA: cannot read ".*missing\.pem" \(ENOENT\)/, 2);
  const notPem = join(tmp, 'not.pem');
  writeFileSync(notPem, 'hello');
  const r2 = await withEnv({ GENBOUND_QUEUE_CA: notPem }, () => runCli(['queue', 'status', '--queue', url()]));
  oneLine(r2, Date.now() - t0, /^genbound: GENBOUND_QUEUE_CA: ".*not\.pem" holds no PEM certificate/, 2);
});
