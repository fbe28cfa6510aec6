/**
 * A SpectralEngine (src/analysis/engine.ts) over a pool of SVD workers: each request goes to the
 * worker with the fewest requests in flight. The analysis pipeline asks for a whole layer's
 * matrices at once (Promise.all), so the pool keeps every worker busy.
 */
import * as Comlink from 'comlink';
import type { SpectralEngine } from '../analysis/engine.js';
import type { Matrix, MatrixMeasures, SpectrumWanted } from '../linalg/types.js';
import type { SvdWorkerApi } from './protocol.js';

/**
 * A compact copy of a matrix, its buffer ready to transfer. Adapters hand out views into larger
 * tensors (a head's slice of a fused QKV kernel): transferring the view's buffer would detach the
 * whole tensor, and cloning it would copy all of it.
 */
function compact(m: Matrix): { matrix: Matrix; buffer: ArrayBuffer } {
  const data = m.data.slice(0, m.rows * m.cols);
  return { matrix: { rows: m.rows, cols: m.cols, data, name: m.name }, buffer: data.buffer as ArrayBuffer };
}

export class WorkerPoolEngine implements SpectralEngine {
  readonly backend: string;
  private readonly remotes: Comlink.Remote<SvdWorkerApi>[];
  private readonly busy: number[];

  constructor(ports: readonly MessagePort[]) {
    if (ports.length === 0) throw new Error('the SVD pool needs at least one worker');
    this.remotes = ports.map((p) => Comlink.wrap<SvdWorkerApi>(p));
    this.busy = ports.map(() => 0);
    this.backend = `js (${ports.length} web workers)`;
  }

  private async run<T>(f: (w: Comlink.Remote<SvdWorkerApi>) => Promise<T>): Promise<T> {
    let i = 0;
    for (let j = 1; j < this.busy.length; j++) if (this.busy[j] < this.busy[i]) i = j;
    this.busy[i]++;
    try {
      return await f(this.remotes[i]);
    } finally {
      this.busy[i]--;
    }
  }

  singularValues(m: Matrix): Promise<Float64Array> {
    const c = compact(m);
    return this.run((w) => w.singularValues(Comlink.transfer(c.matrix, [c.buffer])));
  }

  productSingularValues(a: Matrix, b: Matrix): Promise<Float64Array> {
    const ca = compact(a);
    const cb = compact(b);
    return this.run((w) => w.productSingularValues(Comlink.transfer(ca.matrix, [ca.buffer]), Comlink.transfer(cb.matrix, [cb.buffer])));
  }

  measure(a: Matrix, b?: Matrix, spectrum: SpectrumWanted = 'all', norm11 = false): Promise<MatrixMeasures> {
    const ca = compact(a);
    const cb = b ? compact(b) : undefined;
    return this.run((w) => w.measure(Comlink.transfer(ca.matrix, [ca.buffer]), cb ? Comlink.transfer(cb.matrix, [cb.buffer]) : undefined, spectrum, norm11));
  }

  async close(): Promise<void> {
    for (const r of this.remotes) r[Comlink.releaseProxy]();
  }
}
