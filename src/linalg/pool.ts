import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BadOptionError, GenboundError, NumericError, ShapeError } from '../errors.js';
import { backend as processBackend, createBackend } from './registry.js';
import type { PoolRequest, PoolResponse, PoolWorkerData } from './pool-protocol.js';
import type { BackendName, Matrix } from './types.js';
import { checkProductShapes, label, paddedStride, toFloat64Copy } from './validate.js';

interface Pending {
  resolve: (v: Float64Array) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

const ERRORS: Record<string, new (msg: string) => GenboundError> = {
  NumericError, ShapeError, BadOptionError, GenboundError,
};

/**
 * Spreads independent spectral computations over worker threads. Each request is validated and
 * converted to a float64 scratch copy on the calling thread (the one copy every backend needs,
 * since LAPACK overwrites its input), and that copy is TRANSFERRED to the worker, not cloned; the
 * result comes back the same way. OpenBLAS threads per worker are set so workers × threads ≤ cores.
 */
export class SpectralPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private readonly backendName: BackendName;

  constructor(opts: { workers?: number; backend?: string } = {}) {
    const cores = availableParallelism();
    const workers = Math.max(1, Math.floor(opts.workers ?? cores));
    const name = opts.backend ?? processBackend().name;
    if (name !== 'native' && name !== 'js') throw new BadOptionError(`--workers: the worker pool runs the native and js backends, not "${name}"`);
    this.backendName = name;
    createBackend(name); // throws BadOptionError now, not in a worker, if native is unavailable
    const data: PoolWorkerData = { backend: name, blasThreads: Math.max(1, Math.floor(cores / workers)) };
    // Workers run the TypeScript sources through tsx, like the CLI (bin/genbound.mjs); a compiled
    // build would start pool-worker.js directly.
    const compiled = !import.meta.url.endsWith('.ts');
    const url = new URL(compiled ? './pool-worker.js' : './pool-worker-boot.mjs', import.meta.url);
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(url, { workerData: data });
      const slot: Slot = { worker, busy: 0 };
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
    // native workers get LAPACK's padded row stride (see paddedStride); js needs contiguous rows.
    const ld = this.backendName === 'native' ? paddedStride(a.cols) : a.cols;
    const copy = toFloat64Copy(a, 'matrix', ld); // validation errors reject the promise (async function)
    return this.submit({ id: 0, op: 'sv', m: a.rows, k: 0, n: a.cols, a: copy, ld, what: label(a) }, [copy.buffer as ArrayBuffer]);
  }

  /** Singular values of A·B through the factored path (see productSingularValues), in a worker. */
  async productSingularValues(a: Matrix, b: Matrix): Promise<Float64Array> {
    checkProductShapes(a, b);
    const ac = toFloat64Copy(a, 'matrix A'), bc = toFloat64Copy(b, 'matrix B');
    return this.submit({ id: 0, op: 'psv', m: a.rows, k: a.cols, n: b.cols, a: ac, b: bc,
      what: `product ${label(a, 'A')}·${label(b, 'B')}` }, [ac.buffer as ArrayBuffer, bc.buffer as ArrayBuffer]);
  }

  /** Terminates the workers; pending requests are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new GenboundError('the spectral pool was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private submit(req: PoolRequest, transfer: ArrayBuffer[]): Promise<Float64Array> {
    if (this.closed) return Promise.reject(new GenboundError('the spectral pool is closed'));
    if (this.slots.length === 0) return Promise.reject(new GenboundError('all spectral pool workers have exited'));
    const slot = this.slots.reduce((best, s) => (s.busy < best.busy ? s : best));
    const id = this.nextId++;
    req.id = id;
    return new Promise<Float64Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage(req, transfer);
    });
  }

  private settle(slot: Slot, res: PoolResponse): void {
    if (--slot.busy === 0) slot.worker.unref();
    const p = this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id);
    if (res.ok) p.resolve(res.values);
    else p.reject(new (ERRORS[res.errorClass] ?? Error)(res.message));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
