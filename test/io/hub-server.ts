import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/**
 * A local, hostile stand-in for the Hugging Face hub (a real node:http server on 127.0.0.1:0,
 * started and stopped by the tests), with a second server on another port as the "CDN":
 *   GET  /api/models/{id}[/revision/{rev}]?blobs=true   listing: sha, siblings with size and lfs
 *   HEAD /{id}/resolve/{commit}/{file}                   X-Linked-Etag/X-Linked-Size (LFS) or ETag
 *   GET  /{id}/resolve/{commit}/{file}                   the bytes, honouring `Range: bytes=N-`
 * Each file can be made hostile: slow (trickling), lying (size, sha256, Content-Range), oversized,
 * redirecting (to the CDN, in a loop, too many times), gzip-bombing, or held back until another
 * client has arrived (two processes against one server).
 */

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
export const gitSha1 = (b: Buffer): string => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

export interface ServedFile {
  body: Buffer;
  /** Served as an LFS file (X-Linked-Etag sha256); default for .safetensors/.bin/.gguf. */
  lfs?: boolean;
  /** A size declared in HEAD and listing instead of the true one. */
  declareSize?: number;
  /** A size declared in the listing only. */
  listingSize?: number;
  /** A sha256 declared in HEAD and listing instead of the true one. */
  declareSha256?: string;
  /** Bytes sent on GET instead of `body` (oversized or different). */
  send?: Buffer;
  /** No Content-Length on GET (a chunked body): only the client's own cap stops it. */
  noLength?: boolean;
  /** Send one byte every this many ms. */
  trickleMs?: number;
  /** Send 4 KiB every this many ms (slow but steady). */
  chunkMs?: number;
  /** The first GET from offset 0 is cut after this many bytes. */
  cutAfter?: number;
  /** The Content-Range of a 206 answer, instead of the true one. */
  contentRange?: (from: number, size: number) => string;
  /** A gzip-encoded answer to a GET without Range: the body, or 8 MiB of zeros (a bomb). */
  gzip?: 'honest' | 'bomb';
  /** The hub answers HEAD and GET with a redirect: to the CDN, in a loop, or through 50 hops. */
  redirect?: 'cdn' | 'loop' | 'many';
  /** Wait this long before answering a GET (headers included). */
  silentMs?: number;
  /** A GET waits for this before sending. */
  hold?: () => Promise<void>;
}

export interface Repo {
  files: Record<string, ServedFile | Buffer>;
  sha?: string;
  /** Requests need `Authorization: Bearer <token>`. */
  token?: string;
  /** The listing is sent one byte every this many ms. */
  listingTrickleMs?: number;
}

export interface Logged {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  range?: string;
  auth?: string;
}

export const COMMIT = 'a'.repeat(40);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function served(f: ServedFile | Buffer): ServedFile {
  return Buffer.isBuffer(f) ? { body: f } : f;
}

function isLfs(name: string, f: ServedFile): boolean {
  return f.lfs ?? /\.(safetensors|bin|gguf)$/.test(name);
}

export class HubServer {
  readonly log: Logged[] = [];
  endpoint = '';
  cdn = '';
  private hub!: Server;
  private cdnServer!: Server;

  constructor(readonly repos: Record<string, Repo>) {}

  static async start(repos: Record<string, Repo>): Promise<HubServer> {
    const s = new HubServer(repos);
    s.hub = createServer((req, res) => void s.handle('hub', req, res));
    s.cdnServer = createServer((req, res) => void s.handle('cdn', req, res));
    s.endpoint = await listen(s.hub);
    s.cdn = await listen(s.cdnServer);
    return s;
  }

  async stop(): Promise<void> {
    for (const srv of [this.hub, this.cdnServer]) {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  }

  /** Requests seen for one file (GET or HEAD), on either server. */
  requests(file: string, method = 'GET'): Logged[] {
    return this.log.filter((r) => r.method === method && r.url.endsWith(`/${file}`));
  }

  private async handle(server: 'hub' | 'cdn', req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '';
    const url = decodeURIComponent(raw.replace(/\?.*$/, ''));
    this.log.push({ server, method: req.method ?? '', url, range: req.headers.range, auth: req.headers.authorization });
    const hop = /^\/(loop|hop)\/(\d+)$/.exec(url);
    if (hop) {
      const n = Number(hop[2]);
      const next = hop[1] === 'loop' ? `/loop/${(n + 1) % 2}` : `/hop/${n + 1}`;
      res.writeHead(302, { location: next }).end();
      return;
    }
    const api = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/(.+))?$/.exec(url);
    const resolve = server === 'hub' ? /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url) : /^\/cdn\/([^/]+\/[^/]+)\/()(.+)$/.exec(url);
    const id = api?.[1] ?? resolve?.[1] ?? '';
    const repo = this.repos[id];
    if (!repo) {
      res.writeHead(404).end('Repository not found');
      return;
    }
    if (server === 'hub' && repo.token && req.headers.authorization !== `Bearer ${repo.token}`) {
      res.writeHead(401).end('unauthorized');
      return;
    }
    const sha = repo.sha ?? COMMIT;
    if (api) {
      const siblings = Object.entries(repo.files).map(([rfilename, raw]) => {
        const f = served(raw);
        const size = f.listingSize ?? f.declareSize ?? f.body.length;
        return isLfs(rfilename, f) ? { rfilename, size, lfs: { sha256: f.declareSha256 ?? sha256(f.body), size } } : { rfilename, size };
      });
      const listing = Buffer.from(JSON.stringify({ id, sha, siblings }));
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; repo.listingTrickleMs && i < listing.length && !res.destroyed; i++) {
        res.write(listing.subarray(i, i + 1));
        await sleep(repo.listingTrickleMs);
      }
      res.end(repo.listingTrickleMs ? undefined : listing);
      return;
    }
    const name = resolve?.[3] ?? '';
    const f = repo.files[name] === undefined ? undefined : served(repo.files[name]);
    if (!resolve || !f || (server === 'hub' && resolve[2] !== sha)) {
      res.writeHead(404).end('Entry not found');
      return;
    }
    const lfs = isLfs(name, f);
    const size = f.declareSize ?? f.body.length;
    const meta: Record<string, string | number> = lfs
      ? { 'x-linked-etag': `"${f.declareSha256 ?? sha256(f.body)}"`, 'x-linked-size': size, 'x-repo-commit': sha }
      : { etag: `"${gitSha1(f.body)}"`, 'x-repo-commit': sha };
    if (server === 'hub' && f.redirect) {
      const to = { cdn: `${this.cdn}/cdn/${id}/${name}`, loop: '/loop/0', many: '/hop/0' }[f.redirect];
      res.writeHead(302, { ...meta, location: to }).end();
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...meta, 'content-length': size }).end();
      return;
    }
    await this.sendBody(req, res, f, size);
  }

  private async sendBody(req: IncomingMessage, res: ServerResponse, f: ServedFile, size: number): Promise<void> {
    if (f.hold) await f.hold();
    if (f.silentMs) await sleep(f.silentMs);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = m ? Number(m[1]) : 0;
    const body = (f.send ?? f.body).subarray(from);
    if (f.gzip && !m && /gzip/.test(String(req.headers['accept-encoding'] ?? ''))) {
      const gz = f.gzip === 'bomb' ? gzipSync(Buffer.alloc(8 * 1024 * 1024)) : gzipSync(body);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gz.length }).end(gz);
      return;
    }
    if (f.cutAfter !== undefined && from === 0) {
      const cut = f.cutAfter;
      f.cutAfter = undefined;
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, cut), () => res.destroy());
      return;
    }
    const length = f.noLength ? {} : { 'content-length': body.length };
    if (m) res.writeHead(206, { 'content-range': f.contentRange ? f.contentRange(from, size) : `bytes ${from}-${size - 1}/${size}`, ...length });
    else res.writeHead(200, length);
    const step = f.trickleMs ? 1 : f.chunkMs ? 4096 : body.length;
    const pause = f.trickleMs ?? f.chunkMs ?? 0;
    for (let i = 0; i < body.length && !res.destroyed; i += step) {
      res.write(body.subarray(i, i + step));
      if (pause) await sleep(pause);
    }
    res.end();
  }
}

function listen(s: Server): Promise<string> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}
