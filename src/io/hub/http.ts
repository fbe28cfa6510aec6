import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { NetworkError } from '../../errors.js';
import { MAX_REDIRECTS, seconds } from './settings.js';

/**
 * The hub client's HTTP layer on node:http/https (not fetch, whose connect and read timeouts
 * cannot be set without undici's own dispatcher):
 * - a connect timeout (TCP, and TLS for https) and a read timeout (no byte for that long, waiting
 *   for the headers or inside the body), both per request, and the whole header block within
 *   connect + 2 × read (a server cannot trickle headers);
 * - redirects followed up to MAX_REDIRECTS, loops refused at once, https → http refused;
 * - Authorization only to the origin it was meant for: dropped for good at the first redirect to
 *   another origin (scheme, host or port), as requests (under huggingface_hub) drops it when the
 *   host changes;
 * - optionally stopping at a cross-origin redirect (HEAD, as huggingface_hub follows only
 *   relative redirects there: the hub's answer carries the file's metadata, the CDN's does not).
 */

export interface RequestSpec {
  method: 'GET' | 'HEAD';
  url: string;
  headers: Record<string, string>;
  /** Sent only while the request stays on the first URL's origin. */
  auth?: string;
  /** Connect timeout and read timeout (huggingface_hub uses one value for both). */
  timeoutMs: number;
  /** The variable that sets it, for messages. */
  timeoutVar: 'HF_HUB_ETAG_TIMEOUT' | 'HF_HUB_DOWNLOAD_TIMEOUT';
  /** Return the 3xx answer of the first redirect to another origin instead of following it. */
  stopAtCrossOrigin?: boolean;
  /** Names the request in messages ("model.safetensors", "the model listing"). */
  what: string;
  /** Prefix of messages ("org/name"). */
  id: string;
}

export interface HubResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: URL;
  /** True when a redirect left the first origin. */
  crossOrigin: boolean;
  res: IncomingMessage;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** A one-line NetworkError from a socket error or timeout. */
function netError(spec: RequestSpec, url: URL, err: unknown): NetworkError {
  if (err instanceof NetworkError) return err;
  const e = err as { code?: string; message?: string };
  return new NetworkError(`${spec.id}: cannot reach ${url.origin} for ${spec.what} (${e.code ?? e.message ?? String(err)})`);
}

function once(spec: RequestSpec, url: URL, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(url, { method: spec.method, headers, agent: false });
    let response: IncomingMessage | undefined;
    const connect = setTimeout(() => {
      req.destroy(new NetworkError(`${spec.id}: connecting to ${url.origin} for ${spec.what} took longer than ${seconds(spec.timeoutMs)} (${spec.timeoutVar})`));
    }, spec.timeoutMs);
    req.on('socket', (sock) => {
      sock.once(https ? 'secureConnect' : 'connect', () => {
        clearTimeout(connect);
        // Inactivity from here on: waiting for the headers, then between body chunks.
        // Destroying the response (once there is one) hands the reason to whoever reads the body.
        sock.setTimeout(spec.timeoutMs, () => {
          const err = new NetworkError(`${spec.id}: ${url.origin} sent nothing for ${seconds(spec.timeoutMs)} during ${spec.what} (${spec.timeoutVar})`);
          if (response) response.destroy(err);
          else req.destroy(err);
        });
      });
    });
    // Headers trickled a byte at a time keep the socket busy: they get connect + 2 × read in all.
    const headersBy = setTimeout(() => {
      req.destroy(new NetworkError(`${spec.id}: ${url.origin} did not complete its answer's headers for ${spec.what} within ${seconds(3 * spec.timeoutMs)}`));
    }, 3 * spec.timeoutMs);
    req.on('response', (res) => {
      clearTimeout(connect);
      clearTimeout(headersBy);
      response = res;
      resolve(res);
    });
    req.on('error', (err) => {
      clearTimeout(connect);
      clearTimeout(headersBy);
      reject(netError(spec, url, err));
    });
    req.end();
  });
}

/** One request with redirects followed as described above. The caller consumes `res`. */
export async function hubRequest(spec: RequestSpec): Promise<HubResponse> {
  const first = new URL(spec.url);
  let url = first;
  let crossOrigin = false;
  const seen = new Set<string>();
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new NetworkError(`${spec.id}: ${spec.what}: refusing a ${url.protocol} URL`);
    seen.add(url.href);
    const headers = { ...spec.headers, ...(spec.auth && !crossOrigin ? { authorization: spec.auth } : {}) };
    const res = await once(spec, url, headers);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!REDIRECT.has(status) || !location) return { status, headers: res.headers, url, crossOrigin, res };
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      res.destroy();
      throw new NetworkError(`${spec.id}: ${spec.what}: the server redirected to an invalid URL`);
    }
    const leaves = next.origin !== first.origin;
    if (leaves && spec.stopAtCrossOrigin) return { status, headers: res.headers, url, crossOrigin, res };
    res.resume();
    if (url.protocol === 'https:' && next.protocol === 'http:') throw new NetworkError(`${spec.id}: ${spec.what}: refusing a redirect from https to http (${next.origin})`);
    if (seen.has(next.href)) throw new NetworkError(`${spec.id}: ${spec.what}: redirect loop at ${next.origin}${next.pathname.slice(0, 80)}`);
    if (hop + 1 > MAX_REDIRECTS) throw new NetworkError(`${spec.id}: ${spec.what}: more than ${MAX_REDIRECTS} redirects`);
    crossOrigin ||= leaves;
    url = next;
  }
}

/**
 * The body decoded per Content-Encoding (gzip, deflate, br or none), so callers count decoded
 * bytes; undefined for an encoding genbound does not decode.
 */
export function decodedBody(r: HubResponse): Readable | undefined {
  const enc = String(r.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return r.res;
  const dec = enc === 'gzip' || enc === 'x-gzip' ? createGunzip() : enc === 'deflate' ? createInflate() : enc === 'br' ? createBrotliDecompress() : undefined;
  if (!dec) return undefined;
  r.res.on('error', (err) => dec.destroy(err));
  dec.on('close', () => r.res.destroy());
  return r.res.pipe(dec);
}
