import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { BadOptionError, GenboundError } from '../errors.js';
import type { QueueAddress } from './url.js';

/** Redis could not be reached, or stayed unreachable longer than the retry budget. */
export class QueueConnectionError extends GenboundError {}

/** A job failed its last attempt; the message is that job's one-line error. */
export class QueueJobError extends GenboundError {}

/**
 * Waits for `p` (a close or disconnect that may never settle once Redis is gone) at most `ms`.
 * The timer is not unref'd: an await on a promise with nothing left to wake it would end Node
 * with exit code 13 instead of the one-line report.
 */
export async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => { t = setTimeout(r, ms); })]);
  clearTimeout(t);
}

/** Seconds a lost connection is retried (with backoff) before the command gives up: GENBOUND_QUEUE_RETRY_SECONDS, default 60. */
export function retryBudgetMs(): number {
  const v = Number(process.env.GENBOUND_QUEUE_RETRY_SECONDS ?? '60');
  return (Number.isFinite(v) && v > 0 ? v : 60) * 1000;
}

/**
 * TLS settings for rediss://. The server's certificate is verified (never switched off) against
 * Node's bundled CAs plus NODE_EXTRA_CA_CERTS, or, when GENBOUND_QUEUE_CA names a PEM file, against
 * Node's bundled CAs plus that file's certificates (a private CA). SNI is sent for host names only:
 * an IP address is checked against the certificate's IP SANs (Node warns on an IP servername).
 */
export function tlsOptions(host: string): ConnectionOptions {
  const base: ConnectionOptions = isIP(host) === 0 ? { servername: host } : {};
  const file = process.env.GENBOUND_QUEUE_CA;
  if (!file) return base;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BadOptionError(`GENBOUND_QUEUE_CA: cannot read ${JSON.stringify(file.slice(0, 200))} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new BadOptionError(`GENBOUND_QUEUE_CA: ${JSON.stringify(file.slice(0, 200))} holds no PEM certificate`);
  return { ...base, ca: [...rootCertificates, pem] };
}

/** TLS failures that retrying cannot mend: an untrusted, expired or mismatched certificate. */
const TLS_UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/**
 * The connection settings every Redis client of one command shares (BullMQ opens several: one
 * per Queue, Worker and blocking reader). Reconnects back off exponentially (0.1 s doubling up to
 * 5 s); once the connection has been down for the retry budget, every client stops retrying and
 * `lost` rejects with one line naming the server and the last error.
 */
export class RedisLink {
  readonly lost: Promise<never>;
  private fail!: (e: QueueConnectionError) => void;
  private downSince: number | undefined;
  private lastError = '';
  private tries = 0;
  private gaveUp = false;
  private readonly budgetMs = retryBudgetMs();
  private readonly tls: ConnectionOptions | undefined;

  constructor(readonly address: QueueAddress) {
    this.tls = address.tls ? tlsOptions(address.host) : undefined;
    this.lost = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.lost.catch(() => undefined); // observed by whoever races it
  }

  /** Note an error event from any client (kept for the final message). */
  readonly onError = (e: Error): void => {
    const msg = (e.message || String(e)).split('\n')[0];
    if (msg) this.lastError = msg;
    // A refused login does not get better by retrying: fail at once.
    if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(msg) && !this.gaveUp) {
      this.gaveUp = true;
      this.fail(new QueueConnectionError(`Redis at ${this.address.display} refused the login: ${msg} (give the user and password in the URL: redis://user:password@host:port)`));
    }
    const code = String((e as NodeJS.ErrnoException).code ?? '');
    if (this.address.tls && TLS_UNTRUSTED.test(code) && !this.gaveUp) {
      this.gaveUp = true;
      this.fail(new QueueConnectionError(`Redis at ${this.address.display} presented a TLS certificate genbound does not trust: ${msg} (${code}); trust its CA with GENBOUND_QUEUE_CA=/path/ca.pem or NODE_EXTRA_CA_CERTS`));
    }
  };

  /** Options for `new IORedis(...)` and for BullMQ's `connection`. */
  options(): RedisOptions {
    const a = this.address;
    return {
      host: a.host,
      port: a.port,
      db: a.db,
      username: a.username,
      password: a.password,
      tls: this.tls,
      connectTimeout: 10_000,
      maxRetriesPerRequest: null, // BullMQ's workers need this; the budget below bounds the wait
      enableReadyCheck: true,
      retryStrategy: (times: number) => this.retry(times),
    };
  }

  /** The same options typed for BullMQ's `connection` (its typing of retryStrategy differs). */
  bullOptions(): BullRedisOptions {
    const { retryStrategy: _r, ...rest } = this.options();
    return { ...rest, retryStrategy: (times: number) => this.retry(times) };
  }

  private retry(times: number): number | null {
    const now = Date.now();
    if (this.gaveUp) return null;
    if (times === 1 || this.downSince === undefined) this.downSince = now;
    this.tries++;
    if (now - this.downSince >= this.budgetMs) {
      this.gaveUp = true;
      const secs = Math.round((now - this.downSince) / 1000);
      this.fail(new QueueConnectionError(`lost the connection to Redis at ${this.address.display} and could not reconnect in ${secs} s (${this.tries} tries${this.lastError ? `; last error: ${this.lastError}` : ''})`));
      return null;
    }
    return Math.min(100 * 2 ** Math.min(times - 1, 6), 5000);
  }

  /** Call when a client is connected again (resets the budget). */
  readonly onReady = (): void => {
    this.downSince = undefined;
    this.tries = 0;
  };

  /** Races `p` against the loss of the connection. */
  guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.lost]);
  }
}
