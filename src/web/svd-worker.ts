/**
 * One SVD worker: the pure TypeScript backend, serving the coordinator over the MessagePort the
 * page hands it. Inputs arrive as compact copies (transferred), results go back transferred.
 */
import * as Comlink from 'comlink';
import { JsBackend } from '../linalg/js-backend.js';
import type { Matrix, MatrixMeasures, SpectrumWanted } from '../linalg/types.js';
import type { SvdWorkerApi } from './protocol.js';

const backend = new JsBackend();

const api: SvdWorkerApi = {
  singularValues(m: Matrix): Float64Array {
    const sv = backend.singularValues(m);
    return Comlink.transfer(sv, [sv.buffer]);
  },
  productSingularValues(a: Matrix, b: Matrix): Float64Array {
    const sv = backend.productSingularValues(a, b);
    return Comlink.transfer(sv, [sv.buffer]);
  },
  measure(a: Matrix, b: Matrix | undefined, spectrum: SpectrumWanted, norm11: boolean): MatrixMeasures {
    const r = b ? backend.measureProduct(a, b, spectrum, norm11) : backend.measureDense(a, spectrum);
    return Comlink.transfer(r, [r.singularValues.buffer as ArrayBuffer, r.columnNorms.buffer as ArrayBuffer]);
  },
};

addEventListener('message', (e: MessageEvent<{ port?: MessagePort }>) => {
  if (e.data?.port instanceof MessagePort) Comlink.expose(api, e.data.port);
});
