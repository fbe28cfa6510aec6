/**
 * Worker side of SpectralPool: receives copies of the matrices (transferred, not cloned), runs the
 * chosen backend on them, and answers with the singular values (and, for 'measure', the other
 * measures), transferred back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GenboundError } from '../errors.js';
import { JsBackend } from './js-backend.js';
import { NativeBackend } from './native.js';
import { loadNativeAddon } from './native-addon.js';
import type { PoolRequest, PoolResponse, PoolWorkerData } from './pool-protocol.js';
import type { LinalgBackend } from './types.js';
import { formedProducts, l11Passes } from './formed.js';

const { backend, blasThreads } = workerData as PoolWorkerData;
let engine: LinalgBackend;
if (backend === 'native') {
  const addon = loadNativeAddon();
  if (!addon) throw new Error('native addon failed to load in a pool worker');
  addon.setNumThreads(blasThreads);
  engine = new NativeBackend(addon);
} else {
  engine = new JsBackend();
}

function run(req: PoolRequest): PoolResponse & { ok: true } {
  const { a, b } = req;
  if (req.op === 'sv') return { id: req.id, ok: true, values: engine.singularValues(a) };
  if (req.op === 'psv') return { id: req.id, ok: true, values: engine.productSingularValues(a, b ?? a) };
  if (req.op === 'counters') return { id: req.id, ok: true, values: Float64Array.of(formedProducts.thin, formedProducts.other, l11Passes.js) };
  const r = b ? engine.measureProduct(a, b, req.spectrum, req.norm11) : engine.measureDense(a, req.spectrum);
  return { id: req.id, ok: true, values: r.singularValues, columnNorms: r.columnNorms, norm11: r.norm11, frobenius: r.frobenius };
}

parentPort?.on('message', (req: PoolRequest) => {
  try {
    const res = run(req);
    const transfer = [res.values.buffer as ArrayBuffer];
    if (res.columnNorms) transfer.push(res.columnNorms.buffer as ArrayBuffer);
    parentPort?.postMessage(res, transfer);
  } catch (err) {
    const e = err as Error;
    const res: PoolResponse = { id: req.id, ok: false, errorClass: err instanceof GenboundError ? e.name : 'Error', message: e.message };
    parentPort?.postMessage(res);
  }
});
