/**
 * The page's side of a run: it starts the coordinator and the SVD workers, wires each SVD worker
 * to the coordinator with a MessageChannel, and on Cancel terminates every one of them (the only
 * sure way to stop a synchronous SVD in flight). A run that was cancelled rejects with Cancelled.
 */
import * as Comlink from 'comlink';
import type { AnalysisResult } from '../types/analysis.js';
import type { CoordinatorApi, ModelInput, ProgressFn, WebSettings } from './protocol.js';

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Workers for the SVDs: one per core the browser reports, at least 1, at most 16. */
export function defaultWorkers(): number {
  const n = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1;
  return Math.max(1, Math.min(16, Number.isInteger(n) ? n : 1));
}

export class Run {
  private readonly workers: Worker[] = [];
  private cancelled = false;
  private rejectCancel: ((e: Error) => void) | undefined;

  constructor(private readonly svdWorkers = defaultWorkers()) {}

  /** Analyses one model; several models are run one after the other on the same pool. */
  async analyze(input: ModelInput, settings: WebSettings, onProgress: ProgressFn, onNotice: (line: string) => void): Promise<AnalysisResult> {
    if (this.cancelled) throw new Cancelled();
    const coordinator = new Worker(new URL('./coordinator-worker.ts', import.meta.url), { type: 'module', name: 'genbound-coordinator' });
    this.workers.push(coordinator);
    const ports: MessagePort[] = [];
    for (let i = 0; i < this.svdWorkers; i++) {
      const w = new Worker(new URL('./svd-worker.ts', import.meta.url), { type: 'module', name: `genbound-svd-${i}` });
      this.workers.push(w);
      const ch = new MessageChannel();
      w.postMessage({ port: ch.port2 }, [ch.port2]);
      ports.push(ch.port1);
    }
    const api = Comlink.wrap<CoordinatorApi>(coordinator);
    const cancel = new Promise<never>((_, reject) => {
      this.rejectCancel = reject;
    });
    const failed = new Promise<never>((_, reject) => {
      for (const w of this.workers) w.addEventListener('error', (e) => reject(new Error(`a worker failed to start: ${e.message || 'script error'}`)));
    });
    try {
      return await Promise.race([
        api.analyze(input, settings, Comlink.transfer(ports, ports), Comlink.proxy(onProgress), Comlink.proxy(onNotice)),
        cancel,
        failed,
      ]);
    } finally {
      this.stopWorkers();
    }
  }

  /** Terminates every worker; the pending analyze() rejects with Cancelled. */
  cancel(): void {
    this.cancelled = true;
    this.stopWorkers();
    this.rejectCancel?.(new Cancelled());
  }

  private stopWorkers(): void {
    for (const w of this.workers.splice(0)) w.terminate();
  }
}
