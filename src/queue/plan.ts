import { isAbsolute, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { downloadModel } from '../io/hub.js';
import { HUB_ID } from '../io/open.js';
import { defaultModelPath } from '../models/paths.js';
import { contentKey, modelDigest, type DigestMemo } from './content-key.js';
import type { Unit } from './units.js';
import type { AnalyzeModelPayload, WireRunSettings } from './kinds/analyze-model.js';

/**
 * How a submitter names a model to its workers: an absolute path (workers must see the same path:
 * a shared volume) or a hub id (each worker reads its own hub cache, downloading if needed).
 * Returns that reference and the model's content digest.
 */
export async function modelReference(model: string | undefined, memo?: DigestMemo): Promise<{ ref: string | null; digest: string }> {
  if (model === undefined) return { ref: null, digest: await modelDigest(defaultModelPath(), memo) };
  const local = await stat(model).catch(() => undefined);
  if (!local && HUB_ID.test(model)) return { ref: model, digest: await modelDigest(await downloadModel(model), memo) };
  const abs = isAbsolute(model) ? model : resolve(model);
  return { ref: abs, digest: await modelDigest(abs, memo) };
}

/** One whole-checkpoint unit per model (compare's units), keyed by model digest and settings. */
export async function modelUnits(models: readonly (string | undefined)[], names: readonly string[], settings: WireRunSettings, memo?: DigestMemo): Promise<Unit[]> {
  const units: Unit[] = [];
  for (let i = 0; i < models.length; i++) {
    const { ref, digest } = await modelReference(models[i], memo);
    const payload: AnalyzeModelPayload = { model: ref, settings };
    units.push({ kind: 'analyze-model', key: contentKey('analyze-model', { model: digest, settings, unit: 'whole' }), label: names[i], payload });
  }
  return units;
}
