/**
 * Byte sources for the page: a dropped File read by File.slice, and a hub file read by HTTP range
 * requests. Neither holds the file: each read fetches just its byte range, so a checkpoint larger
 * than memory is read tensor by tensor (one layer's tensors at a time, see the pipeline).
 */
import { BadFileError, NetworkError } from '../errors.js';
import { checkRange, type ByteSource } from '../io/byte-source.js';

/** A File (or any Blob) read by byte range through Blob.slice. */
export class BlobByteSource implements ByteSource {
  readonly size: number;

  constructor(readonly name: string, private readonly blob: Blob) {
    this.size = blob.size;
  }

  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    const buf = await this.blob.slice(offset, offset + length).arrayBuffer();
    if (buf.byteLength !== length) throw new BadFileError(this.name, `truncated: ${what} ends at byte ${offset + buf.byteLength}, expected ${offset + length}`);
    return new Uint8Array(buf);
  }

  async close(): Promise<void> {
    // A Blob holds no handle.
  }
}

/** How long one HTTP request may wait for its answer and body. */
export const HTTP_TIMEOUT_MS = 120_000;

/** fetch with a time limit and errors as NetworkError naming what was asked for. */
export async function fetchChecked(url: string, init: RequestInit, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), credentials: 'omit', referrerPolicy: 'no-referrer' });
  } catch (err) {
    const e = err as Error;
    throw new NetworkError(`cannot fetch ${what} from ${new URL(url).origin} (${e.name === 'TimeoutError' ? `no answer in ${HTTP_TIMEOUT_MS / 1000} s` : e.message})`);
  }
  if (!res.ok) throw new NetworkError(`${what}: HTTP ${res.status}${res.status === 404 ? ' (not found: check the id, revision and endpoint)' : res.status === 401 ? ' (the model is gated or private)' : ''}`);
  return res;
}

/** A remote file read by HTTP range requests (the server must answer 206 with the range). */
export class HttpByteSource implements ByteSource {
  private constructor(readonly name: string, private readonly url: string, readonly size: number, private readonly headers: Record<string, string>) {}

  /**
   * `size` comes from the hub's listing when it gives one; otherwise from a one-byte range
   * request (whose Content-Range the server must expose to the page through CORS).
   */
  static async open(name: string, url: string, size: number | undefined, headers: Record<string, string> = {}): Promise<HttpByteSource> {
    if (size !== undefined && Number.isSafeInteger(size) && size >= 0) return new HttpByteSource(name, url, size, headers);
    const res = await fetchChecked(url, { headers: { ...headers, Range: 'bytes=0-0' } }, name);
    const range = res.headers.get('Content-Range');
    await res.body?.cancel();
    const total = range ? Number(/\/(\d+)$/.exec(range)?.[1]) : NaN;
    if (res.status !== 206 || !Number.isSafeInteger(total)) {
      throw new NetworkError(`${name}: the server does not answer byte-range requests (HTTP ${res.status}, Content-Range ${JSON.stringify(range)}); genbound reads checkpoints piece by piece`);
    }
    return new HttpByteSource(name, url, total, headers);
  }

  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (length === 0) return new Uint8Array(0);
    const res = await fetchChecked(this.url, { headers: { ...this.headers, Range: `bytes=${offset}-${offset + length - 1}` } }, `${this.name} (${what})`);
    if (res.status !== 206) throw new NetworkError(`${this.name}: expected a byte range (HTTP 206), got HTTP ${res.status}`);
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.length !== length) throw new BadFileError(this.name, `truncated: ${what} got ${buf.length} bytes, expected ${length}`);
    return buf;
  }

  async close(): Promise<void> {
    // Nothing held open between requests.
  }
}
