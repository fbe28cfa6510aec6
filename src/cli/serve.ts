/**
 * `genbound serve`: a local static server for the browser page (dist/web, built by
 * `npm run build:web`). Bound to 127.0.0.1 unless --host says otherwise; GET and HEAD only;
 * nothing outside the web folder is ever served. The page itself uploads nothing.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { BadOptionError } from '../errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.wasm': 'application/wasm', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** dist/web from the sources (src/cli) or from the compiled package (dist/cli). */
export function defaultWebDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'dist', 'web'), join(here, '..', 'web')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0];
}

export interface ServeOptions {
  dir?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The hub endpoint the page offers and its Content-Security-Policy allows. */
  hubEndpoint?: string;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** index.html with the hub endpoint put in its meta tag and its CSP's connect-src. */
export function pageWithEndpoint(html: string, endpoint: string): string {
  if (endpoint === DEFAULT_HUB_ENDPOINT) return html;
  const origin = new URL(endpoint).origin;
  return html
    .replace(/(<meta name="genbound-hub-endpoint" content=")[^"]*(")/, `$1${endpoint.replace(/"/g, '&quot;')}$2`)
    .replace(/(connect-src 'self' blob:)/, `$1 ${origin}`);
}

function parseEndpoint(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BadOptionError(`--hub-endpoint must be an http(s) URL (got ${JSON.stringify(raw)})`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BadOptionError(`--hub-endpoint must be an http(s) URL (got ${JSON.stringify(raw)})`);
  return raw.replace(/\/+$/, '');
}

/** Starts the server; resolves once it listens. */
export async function startServer(opts: ServeOptions = {}): Promise<RunningServer> {
  const root = resolve(opts.dir ?? defaultWebDir());
  if (!existsSync(join(root, 'index.html'))) {
    throw new BadOptionError(`no web build in ${root} (run \`npm run build:web\` first, or pass --dir)`);
  }
  const endpoint = parseEndpoint(opts.hubEndpoint ?? DEFAULT_HUB_ENDPOINT);
  const index = pageWithEndpoint(await readFile(join(root, 'index.html'), 'utf8'), endpoint);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : index);
      return;
    }
    const file = resolve(root, `.${path}`);
    let size = -1;
    try {
      if (file.startsWith(root + sep) && !path.includes('\0')) {
        const st = statSync(file);
        if (st.isFile()) size = st.size;
      }
    } catch {
      size = -1;
    }
    if (size < 0) {
      res.writeHead(404, { 'Content-Type': TYPES['.txt'] }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size, 'Cache-Control': 'no-cache' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };

  const server: Server = createServer(handle);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      fail(new BadOptionError(`cannot listen on ${host}:${opts.port ?? 8787} (${err.code ?? err.message})`)));
    server.listen(opts.port ?? 8787, host, () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

export function registerServe(program: Command): void {
  program.command('serve')
    .description('serve the browser page (dist/web) on this machine: drop a checkpoint, see its spectra and bounds; nothing is uploaded')
    .option('--port <n>', 'port (0 picks a free one)', '8787')
    .option('--host <addr>', 'address to bind (default 127.0.0.1: this machine only)', '127.0.0.1')
    .option('--dir <folder>', 'the web build to serve (default dist/web)')
    .option('--hub-endpoint <url>', 'Hugging Face endpoint the page fetches hub ids from', DEFAULT_HUB_ENDPOINT)
    .action(async (o: { port: string; host: string; dir?: string; hubEndpoint: string }) => {
      const port = Number(o.port);
      if (o.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new BadOptionError(`--port must be an integer from 0 to 65535 (got ${JSON.stringify(o.port)})`);
      const s = await startServer({ dir: o.dir, host: o.host, port, hubEndpoint: o.hubEndpoint });
      process.stdout.write(`genbound: serving the browser page at ${s.url} (Ctrl-C stops)\n`);
      const stop = (): void => {
        void s.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
