import { Worker } from 'node:worker_threads';
import type { BackendName } from '../linalg/types.js';

export interface ComputeRequest { id: number; kind: string; payload: unknown }
export type ComputeReply = { id: number; ok: true; json: string } | { id: number; ok: false; message: string };

/** A failure inside a unit; its message is one line (the job's failedReason). */
export class UnitFailure extends Error {}

/**
 * One compute thread (compute-thread.ts) that runs units for a queue worker, one at a time. A
 * thread that dies (out of memory, a native crash) fails its unit and is replaced for the next.
 */
export class ComputeThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private pending = new Map<number, { resolve: (json: string) => void; reject: (e: Error) => void }>();

  constructor(private readonly backend?: BackendName) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const compiled = !import.meta.url.endsWith('.ts');
    const url = new URL(compiled ? './compute-thread.js' : './compute-boot.mjs', import.meta.url);
    const w = new Worker(url, { workerData: { backend: this.backend } });
    w.on('message', (r: ComputeReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.json);
      else p.reject(new UnitFailure(r.message));
    });
    const fail = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new UnitFailure(why));
      this.pending.clear();
    };
    w.on('error', (e) => fail(`the compute thread crashed: ${e.message.split('\n')[0]}`));
    w.on('exit', (code) => fail(`the compute thread exited (code ${code})`));
    this.worker = w;
    return w;
  }

  /** Runs a unit; resolves to its encoded result (wire.ts). */
  run(kind: string, payload: unknown): Promise<string> {
    const w = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, kind, payload } satisfies ComputeRequest);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
