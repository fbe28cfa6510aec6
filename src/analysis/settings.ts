import { BadOptionError } from '../errors.js';
import { DEFAULT_RANK_TOL } from '../measures/rank.js';
import type { AnalysisSettings } from '../types/settings.js';
import { DEFAULT_LPHI } from '../bounds/spectrum-adaptive.js';

/** Defaults and the one validator of AnalysisSettings (declared in src/types/settings.ts). */
export type { AnalysisSettings } from '../types/settings.js';

export const DEFAULT_SETTINGS: Readonly<AnalysisSettings> = Object.freeze({
  convention: 'consistent', lPhi: DEFAULT_LPHI, rankTol: DEFAULT_RANK_TOL, spectra: false, headL11: false, workers: 'auto',
});

type Kind = 'positive' | 'nonNegative' | 'positiveInteger' | 'convention' | 'boolean' | 'path' | 'workers';

/** Every key, its check and its command-line flag (for messages at the CLI edge). */
const FIELDS: Record<keyof AnalysisSettings, { kind: Kind; flag: string }> = {
  convention: { kind: 'convention', flag: '--convention' },
  lPhi: { kind: 'positive', flag: '--lphi' },
  rankTol: { kind: 'nonNegative', flag: '--rank-tol' },
  gridM: { kind: 'positiveInteger', flag: '--grid-m' },
  heads: { kind: 'positiveInteger', flag: '--heads' },
  init: { kind: 'path', flag: '--init' },
  mergeInto: { kind: 'path', flag: '--merge-into' },
  spectra: { kind: 'boolean', flag: '--spectra' },
  headL11: { kind: 'boolean', flag: '--head-l11' },
  workers: { kind: 'workers', flag: '--workers' },
};

const WHAT: Record<Kind, string> = {
  positive: 'a positive number', nonNegative: 'a non-negative number', positiveInteger: 'a positive integer',
  convention: 'consistent or reference', boolean: 'true or false', path: 'a non-empty path',
  workers: 'auto or a positive integer',
};

/** Where the settings come from: names in messages are flags for the CLI, keys for the API. */
export type SettingsEdge = 'cli' | 'api';

function check(kind: Kind, v: unknown, edge: SettingsEdge): unknown {
  switch (kind) {
    case 'convention': return v === 'consistent' || v === 'reference' ? v : undefined;
    case 'boolean': return typeof v === 'boolean' ? v : undefined;
    case 'path': return typeof v === 'string' && v !== '' ? v : undefined;
    case 'workers': return v === 'auto' ? v : check('positiveInteger', v, edge);
    default: {
      // The CLI hands over the flag's text; the API must pass numbers.
      const x = edge === 'cli' && typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof x !== 'number' || !Number.isFinite(x)) return undefined;
      if (kind === 'positive') return x > 0 ? x : undefined;
      if (kind === 'nonNegative') return x >= 0 ? x : undefined;
      return Number.isInteger(x) && x >= 1 ? x : undefined;
    }
  }
}

const validated = new WeakSet<object>();

/**
 * Validates settings at an edge and fills in the defaults. Unknown keys and bad values are a
 * BadOptionError naming the flag (CLI) or the key (API). `undefined` values count as absent.
 */
export function resolveSettings(input: unknown = {}, edge: SettingsEdge = 'api'): AnalysisSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new BadOptionError('settings must be an object');
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, v] of Object.entries(input)) {
    if (v === undefined) continue;
    const f = (FIELDS as Record<string, { kind: Kind; flag: string } | undefined>)[key];
    const name = edge === 'cli' && f ? f.flag : key;
    if (!f) throw new BadOptionError(`unknown setting "${key}" (known: ${Object.keys(FIELDS).join(', ')})`);
    const x = check(f.kind, v, edge);
    if (x === undefined) throw new BadOptionError(`${name} must be ${WHAT[f.kind]} (got ${JSON.stringify(v) ?? String(v)})`);
    out[key] = x;
  }
  validated.add(out);
  return out as unknown as AnalysisSettings;
}

/**
 * For functions that take a `Pick<AnalysisSettings, K>` and may be called directly (analyzeModel):
 * checks the picked keys unless `s` came from resolveSettings (validation happens once).
 */
export function checkSettings<K extends keyof AnalysisSettings>(s: Partial<Pick<AnalysisSettings, K>>, keys: readonly K[]): void {
  if (validated.has(s)) return;
  const picked: Record<string, unknown> = {};
  for (const k of keys) picked[k] = s[k];
  resolveSettings(picked, 'api');
}
