import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BadOptionError, GenboundError, NumericError, ShapeError } from '../errors.js';
import { backend as processBackend, createBackend } from './registry.js';
import type { PoolMatrix, PoolRequest, PoolResponse, PoolWorkerData } from './pool-protocol.js';
import type { Matrix, MatrixMeasures, SpectrumWanted } from './types.js';
import { checkProductShapes, checkShape } from './validate.js';

/**
 * A transferable copy of a matrix's rows·cols values in its own precision: float32 stays float32
 * (the native kernels convert it in C, into the one float64 scratch copy LAPACK overwrites).
 */
function ownCopy(m: Matrix): PoolMatrix {
  return { rows: m.rows, cols: m.cols, data: m.data.slice(0, m.rows * m.cols), name: m.name };
}

interface Pending {
  resolve: (v: PoolResponse & { ok: true }) => void;
  reject: (e: Error) => void;
  slot: Slot;
  cost: number;
}

interface Slot {
  worker: Worker;
  busy: number;
  /** Estimated cost of the requests in flight on this worker (requestCost). */
  load: number;
}

/**
 * A rough cost of a request, in units of about a nanosecond of one core (Zen 3 / Skylake, one
 * OpenBLAS thread), so that a request goes to the worker with the least work queued rather than
 * the fewest requests: one 3072×768 SVD weighs as much as ~70 head products. Dense values-only
 * SVD: the bidiagonalisation's 4mn² − 4n³/3 flops (m ≥ n) at ~20 flops/ns; a product: the dgemm
 * that forms (or tiles) it, 2mkn flops at ~35 flops/ns, plus the thin QRs' 4(m + n)k².
 */
export function requestCost(req: Pick<PoolRequest, 'op' | 'a' | 'b'>): number {
  const { a, b } = req;
  if (!b || req.op === 'sv') {
    const m = Math.max(a.rows, a.cols), n = Math.min(a.rows, a.cols);
    return (4 * m * n * n - (4 / 3) * n * n * n) / 20 + m * n;
  }
  const m = a.rows, k = a.cols, n = b.cols;
  return (2 * m * k * n) / 35 + (4 * (m + n) * k * k) / 20 + m * k + k * n;
}

const ERRORS: Record<string, new (msg: string) => GenboundError> = {
  NumericError, ShapeError, BadOptionError, GenboundError,
};

/**
 * Spreads independent spectral computations over worker threads. Each request's shape is checked
 * on the calling thread and a copy of its values (in their own precision) is TRANSFERRED to the
 * worker, not cloned; the worker's backend checks the values and makes the float64 scratch copy
 * LAPACK overwrites; results come back the same way. OpenBLAS threads per worker are set so that
 * workers × threads ≤ cores. A request goes to the worker with the least estimated work in flight
 * (requestCost), so long SVDs and small head products spread evenly.
 */
export class SpectralPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(opts: { workers?: number; backend?: string } = {}) {
    const cores = availableParallelism();
    const workers = Math.max(1, Math.floor(opts.workers ?? cores));
    const name = opts.backend ?? processBackend().name;
    if (name !== 'native' && name !== 'js') throw new BadOptionError(`--workers: the worker pool runs the native and js backends, not "${name}"`);
    createBackend(name); // throws BadOptionError now, not in a worker, if native is unavailable
    const data: PoolWorkerData = { backend: name, blasThreads: Math.max(1, Math.floor(cores / workers)) };
    // Workers run the TypeScript sources through tsx, like the CLI (bin/genbound.mjs); a compiled
    // build would start pool-worker.js directly.
    const compiled = !import.meta.url.endsWith('.ts');
    const url = new URL(compiled ? './pool-worker.js' : './pool-worker-boot.mjs', import.meta.url);
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(url, { workerData: data });
      const slot: Slot = { worker, busy: 0, load: 0 };
      worker.on('message', (res: PoolResponse) => this.settle(slot, res));
      // A worker that dies (out of memory, a crash in native code) fails what is in flight and
      // leaves the pool; later requests go to the survivors.
      worker.on('error', (err) => this.failAll(err));
      worker.on('exit', () => {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
      });
      worker.unref();
      this.slots.push(slot);
    }
  }

  /** All singular values of A (see singularValues in index.ts), computed in a worker. */
  async singularValues(a: Matrix): Promise<Float64Array> {
    checkShape(a); // validation errors reject the promise (async function)
    return (await this.send({ id: 0, op: 'sv', a: ownCopy(a) })).values;
  }

  /** Singular values of A·B through the factored path (see productSingularValues), in a worker. */
  async productSingularValues(a: Matrix, b: Matrix): Promise<Float64Array> {
    checkProductShapes(a, b);
    return (await this.send({ id: 0, op: 'psv', a: ownCopy(a), b: ownCopy(b) })).values;
  }

  /** The backend's measureDense (b absent) or measureProduct (the (1,1)-norm only with `norm11`), in a worker. */
  async measure(a: Matrix, b: Matrix | undefined, spectrum: SpectrumWanted = 'all', norm11 = false): Promise<MatrixMeasures> {
    if (b) checkProductShapes(a, b);
    else checkShape(a);
    const r = await this.send({ id: 0, op: 'measure', spectrum, norm11, a: ownCopy(a), b: b ? ownCopy(b) : undefined });
    return { singularValues: r.values, columnNorms: r.columnNorms as Float64Array, norm11: r.norm11 ?? null, frobenius: r.frobenius as number };
  }

  /**
   * The workers' own formedProducts and l11Passes (src/linalg/formed.ts), added up: what the
   * thread-local counters of the js backend saw in the pool. (The native backend's tile loops are
   * counted process-wide by the addon.) Asks every live worker once.
   */
  async counters(): Promise<{ thin: number; other: number; l11Js: number }> {
    const out = { thin: 0, other: 0, l11Js: 0 };
    const all = await Promise.all(this.slots.map((slot) => this.send({ id: 0, op: 'counters', a: { rows: 0, cols: 0, data: new Float64Array(0) } }, slot)));
    for (const r of all) {
      out.thin += r.values[0];
      out.other += r.values[1];
      out.l11Js += r.values[2];
    }
    return out;
  }

  /** Terminates the workers; pending requests are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new GenboundError('the spectral pool was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Sends a request with its arrays transferred (they are the pool's own copies), to `to` or the least loaded worker. */
  private send(req: PoolRequest, to?: Slot): Promise<PoolResponse & { ok: true }> {
    const transfer = [req.a.data.buffer as ArrayBuffer];
    if (req.b) transfer.push(req.b.data.buffer as ArrayBuffer);
    if (this.closed) return Promise.reject(new GenboundError('the spectral pool is closed'));
    if (this.slots.length === 0) return Promise.reject(new GenboundError('all spectral pool workers have exited'));
    const slot = to ?? this.slots.reduce((best, s) => (s.load < best.load || (s.load === best.load && s.busy < best.busy) ? s : best));
    const id = this.nextId++;
    req.id = id;
    const cost = requestCost(req);
    slot.load += cost;
    return new Promise<PoolResponse & { ok: true }>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot, cost });
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage(req, transfer);
    });
  }

  private settle(slot: Slot, res: PoolResponse): void {
    if (--slot.busy === 0) slot.worker.unref();
    const p = this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id);
    p.slot.load = Math.max(0, p.slot.load - p.cost);
    if (res.ok) p.resolve(res);
    else p.reject(new (ERRORS[res.errorClass] ?? Error)(res.message));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) {
      p.slot.load = 0;
      p.reject(err);
    }
    this.pending.clear();
  }
}
