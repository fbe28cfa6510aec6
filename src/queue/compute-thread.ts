/**
 * The queue worker's compute thread: runs one unit at a time (load the unit's tensors, compute,
 * encode) so that the worker's main thread stays free to renew its BullMQ job lock and answer
 * Redis while a 60-second SVD or a training run is under way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GenboundError } from '../errors.js';
import { setBackend, type BackendName } from '../linalg/index.js';
import { unitHandler } from './units.js';
import { encodeResult } from './wire.js';
import type { ComputeReply, ComputeRequest } from './compute.js';
import './kinds.js';

const { backend } = workerData as { backend?: BackendName };
if (backend) setBackend(backend);

parentPort?.on('message', (req: ComputeRequest) => {
  void (async () => {
    let reply: ComputeReply;
    try {
      const h = await unitHandler(req.kind);
      reply = { id: req.id, ok: true, json: encodeResult(await h.run(req.payload)) };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const message = err instanceof GenboundError ? e.message : `internal error: ${e.message}`;
      reply = { id: req.id, ok: false, message: message.split('\n')[0] };
    }
    parentPort?.postMessage(reply);
  })();
});
