import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real Debian redis-server for the queue tests: started on a free port in a temporary folder,
 * with no persistence (nothing written to /var or anywhere else), stopped by stop(). restart()
 * brings it back on the same port, empty, as a server restarted without persistence would be.
 * It does not use, or need, the system's redis service.
 */
export class TestRedis {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'genbound-redis-'));
  port = 0;

  /** With `tls` (PEM files), the server listens on TLS only (no plain port) and `url` is rediss://. */
  constructor(
    private readonly extra: string[] = [],
    private readonly tls?: { cert: string; key: string; ca: string },
  ) {}

  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  static available(): boolean {
    return spawnSync('redis-server', ['--version']).status === 0;
  }

  async start(): Promise<this> {
    if (!this.port) this.port = await freePort();
    const listen = this.tls
      ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', this.tls.cert, '--tls-key-file', this.tls.key, '--tls-ca-cert-file', this.tls.ca, '--tls-auth-clients', 'no']
      : ['--port', String(this.port)];
    const p = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no',
      '--daemonize', 'no', '--loglevel', 'notice', ...this.extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const t = setTimeout(() => reject(new Error(`redis-server did not start: ${log}`)), 10_000);
      p.stdout?.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('Ready to accept connections')) {
          clearTimeout(t);
          resolve();
        }
      });
      p.on('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`redis-server exited (${code}): ${log}`));
      });
    });
    p.removeAllListeners('exit');
    return this;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  async restart(downMs = 300): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `f` with `env` set in this process's environment, restoring it afterwards. */
export async function withEnv<T>(env: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const BIN = fileURLToPath(new URL('../../bin/genbound.mjs', import.meta.url));

/** A `genbound` child process (a worker or a submitter) with its stderr collected. */
export class Cli {
  readonly proc: ChildProcess;
  out = '';
  err = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.proc = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GENBOUND_QUEUE_LOCK_MS: '1500', ...env },
    });
    this.proc.stdout?.on('data', (d: Buffer) => { this.out += d.toString(); });
    this.proc.stderr?.on('data', (d: Buffer) => { this.err += d.toString(); });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Resolves once stderr contains `text` (rejects after `ms`). */
  async waitFor(text: string | RegExp, ms = 120_000): Promise<void> {
    const t0 = Date.now();
    while (!(typeof text === 'string' ? this.err.includes(text) : text.test(this.err))) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${String(text)}; stderr: ${this.err}`);
      if (this.proc.exitCode !== null) throw new Error(`exited (${this.proc.exitCode}) before ${String(text)}; stderr: ${this.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.proc.exitCode === null) this.proc.kill(signal);
    return this.exited;
  }
}

/** Starts n workers on the queue and waits until each is listening. */
export async function startWorkers(url: string, n: number, env: Record<string, string> = {}): Promise<Cli[]> {
  const ws = Array.from({ length: n }, () => new Cli(['worker', '--queue', url], env));
  await Promise.all(ws.map((w) => w.waitFor('waiting for jobs', 120_000)));
  return ws;
}
