import { createEngine } from '../../analysis/engine.js';
import { analyzePath, type RunSettings } from '../../analysis/run.js';
import { resolveSettings } from '../../analysis/settings.js';
import { BadOptionError } from '../../errors.js';
import type { UnitHandler } from '../units.js';

/** The settings of one analysis as sent to a worker (RunSettings without the callbacks). */
export type WireRunSettings = Omit<RunSettings, 'onProgress' | 'notice'>;

export interface AnalyzeModelPayload {
  /** The model as the submitter named it: a path the workers see the same way, or a hub id; null = the embedded default. */
  model: string | null;
  settings: WireRunSettings;
}

function checkPayload(p: unknown): AnalyzeModelPayload {
  const o = p as Partial<AnalyzeModelPayload> | null;
  if (!o || typeof o !== 'object' || !(o.model === null || typeof o.model === 'string') || !o.settings || typeof o.settings !== 'object') {
    throw new BadOptionError('analyze-model job: malformed payload');
  }
  return o as AnalyzeModelPayload;
}

/** Compare's unit: one checkpoint analysed whole, exactly as `genbound analyze` would. */
export const analyzeModelUnit: UnitHandler = {
  kind: 'analyze-model',
  async run(payload) {
    const p = checkPayload(payload);
    const engine = createEngine(1);
    try {
      const { workers: _w, ...settings } = resolveSettings(p.settings, 'api');
      return await analyzePath(p.model ?? undefined, engine, settings);
    } finally {
      await engine.close();
    }
  },
};
