import { BadOptionError } from '../errors.js';

/**
 * The `--queue` URL: redis://[user[:password]@]host[:port][/db] or rediss://… for TLS.
 * Parsed and checked here, once, before anything connects; no Redis client is loaded by this file.
 */
export interface QueueAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with the password replaced by "***", for messages and `queue status`. */
  display: string;
}

export function parseQueueUrl(url: string): QueueAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new BadOptionError(`--queue must be a URL such as redis://host:6379 or rediss://user:pass@host:6380/0 (got ${JSON.stringify(url)})`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new BadOptionError(`--queue must start with redis:// or rediss:// (got ${JSON.stringify(u.protocol)})`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new BadOptionError(`--queue: no host in ${JSON.stringify(redact(u))}`);
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BadOptionError(`--queue: bad port in ${JSON.stringify(redact(u))}`);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!/^\d{0,2}$/.test(path) || !Number.isInteger(db) || db > 15) {
    throw new BadOptionError(`--queue: the path must be a database number 0..15 (got ${JSON.stringify(u.pathname)})`);
  }
  if (u.search || u.hash) throw new BadOptionError(`--queue: no query or fragment is understood (got ${JSON.stringify(redact(u))})`);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  return { host, port, db, username, password, tls: u.protocol === 'rediss:', display: redact(u) };
}

function redact(u: URL): string {
  const c = new URL(u.href);
  if (c.password) c.password = '***';
  return c.href.replace(/\/$/, '');
}
