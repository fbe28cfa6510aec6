/**
 * A local stand-in for the Hugging Face hub, as much of it as the page uses: the model listing
 * (`/api/models/ID/revision/REV?blobs=true`) and files by byte range (`/ID/resolve/SHA/FILE`),
 * with the CORS headers a browser page needs. Serves each model folder under its id.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export const FAKE_SHA = '0123456789abcdef0123456789abcdef01234567';

export interface FakeHub {
  endpoint: string;
  /** Paths requested, in order (ranges as "path bytes=a-b"). */
  requests: string[];
  close(): Promise<void>;
}

/** Serves each folder of `models` (id -> folder) as that hub id's revision main. */
export async function startFakeHub(models: Record<string, string>): Promise<FakeHub> {
  const listing = new Map(Object.entries(models).map(([id, dir]) => [id, { dir, files: readdirSync(dir).sort() }]));
  const requests: string[] = [];
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': 'Range, Authorization',
    'Access-Control-Expose-Headers': 'Content-Range, Content-Length',
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const api = /^\/api\/models\/(.+)\/revision\/main$/.exec(url.pathname);
    const id = api ? api[1] : [...listing.keys()].find((k) => url.pathname.startsWith(`/${k}/resolve/`));
    const model = id === undefined ? undefined : listing.get(id);
    if (!model) return void res.writeHead(404, cors).end();
    const { dir, files } = model;
    if (api) {
      const siblings = files.map((f) => ({ rfilename: f, size: statSync(join(dir, f)).size }));
      return void res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ id, sha: FAKE_SHA, siblings }));
    }
    const prefix = `/${id}/resolve/${FAKE_SHA}/`;
    const name = url.pathname.startsWith(prefix) ? decodeURIComponent(url.pathname.slice(prefix.length)) : '';
    if (!files.includes(name)) return void res.writeHead(404, cors).end();
    const size = statSync(join(dir, name)).size;
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, { ...cors, 'Content-Length': size });
      return void createReadStream(join(dir, name)).pipe(res);
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), size - 1);
    res.writeHead(206, { ...cors, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}` });
    createReadStream(join(dir, name), { start, end }).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
