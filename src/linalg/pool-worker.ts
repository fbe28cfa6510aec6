/**
 * Worker side of SpectralPool: receives float64 scratch arrays (transferred, not copied), runs the
 * chosen backend on them, and answers with the singular values (transferred back).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GenboundError } from '../errors.js';
import { jsProductSingularValues, jsSingularValues } from './js-backend.js';
import { NativeBackend } from './native.js';
import { loadNativeAddon } from './native-addon.js';
import type { PoolRequest, PoolResponse, PoolWorkerData } from './pool-protocol.js';

const { backend, blasThreads } = workerData as PoolWorkerData;
let native: NativeBackend | undefined;
if (backend === 'native') {
  const addon = loadNativeAddon();
  if (!addon) throw new Error('native addon failed to load in a pool worker');
  addon.setNumThreads(blasThreads);
  native = new NativeBackend(addon);
}

function run(req: PoolRequest): Float64Array {
  if (req.op === 'sv') {
    return native ? native.singularValuesOwned(req.m, req.n, req.a, req.what, req.ld ?? req.n)
      : jsSingularValues(req.m, req.n, req.a, req.what);
  }
  const b = req.b as Float64Array;
  return native ? native.productOwned(req.m, req.k, req.n, req.a, b, req.what)
    : jsProductSingularValues(req.m, req.k, req.n, req.a, b, req.what);
}

parentPort?.on('message', (req: PoolRequest) => {
  let res: PoolResponse;
  try {
    const values = run(req);
    res = { id: req.id, ok: true, values };
    parentPort?.postMessage(res, [values.buffer as ArrayBuffer]);
  } catch (err) {
    const e = err as Error;
    res = { id: req.id, ok: false, errorClass: err instanceof GenboundError ? e.name : 'Error', message: e.message };
    parentPort?.postMessage(res);
  }
});
