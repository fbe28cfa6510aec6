/**
 * The coordinator worker: opens the dropped files (or hub id) through the platform-neutral
 * readers, reading one tensor at a time through File.slice (or HTTP range requests), and runs the
 * analysis pipeline with the SVDs spread over the SVD workers. Heavy reading and the norms happen
 * here, off the page's thread.
 */
import * as Comlink from 'comlink';
import { analyzeOpened } from '../analysis/source.js';
import { setBackend } from '../linalg/registry.js';
import { openInput } from './open-input.js';
import type { CoordinatorApi, ModelInput, ProgressFn, WebSettings } from './protocol.js';
import { WorkerPoolEngine } from './pool-engine.js';

const api: CoordinatorApi = {
  async analyze(input: ModelInput, settings: WebSettings, ports: MessagePort[], onProgress: ProgressFn, onNotice: (line: string) => void) {
    const engine = new WorkerPoolEngine(ports);
    try {
      const { source, name, location } = await openInput(input);
      try {
        return await analyzeOpened(source, engine, { ...settings, spectra: true, onProgress, notice: onNotice }, { name, source: location });
      } finally {
        await source.close();
      }
    } finally {
      await engine.close();
    }
  },
};

// The page promises the TypeScript backend; choosing it here keeps the registry from probing for
// a native addon (which a browser never has) when the measures ask for products.
setBackend('js', 'the page');
Comlink.expose(api);
