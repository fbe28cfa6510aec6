import { BadOptionError } from '../errors.js';

/**
 * Units of queued work. A unit is (kind, content key, payload): the payload says what to compute,
 * the key names the result (content-key.ts). Handlers run inside a worker's compute thread
 * (compute-thread.ts) and return a JSON-able value; the submitter merges the values in unit order
 * with a pure function of its own, so the merge never depends on which worker finished first.
 */
export interface Unit {
  kind: string;
  key: string;
  /** Short human label for progress, status and errors ("llama-7b layer 3"). */
  label: string;
  payload: unknown;
}

export interface UnitHandler {
  readonly kind: string;
  run(payload: unknown): Promise<unknown>;
}

const handlers = new Map<string, () => Promise<UnitHandler>>();

/** Registers a handler, loaded on first use (so a worker loads only what its jobs need). */
export function registerUnitKind(kind: string, load: () => Promise<UnitHandler>): void {
  handlers.set(kind, load);
}

export async function unitHandler(kind: string): Promise<UnitHandler> {
  const load = handlers.get(kind);
  if (!load) throw new BadOptionError(`this worker does not know jobs of kind "${kind}" (known: ${[...handlers.keys()].join(', ')}); is it an older genbound?`);
  return load();
}

export function isUnit(v: unknown): v is Unit {
  if (!v || typeof v !== 'object') return false;
  const u = v as Record<string, unknown>;
  return typeof u.kind === 'string' && typeof u.key === 'string' && /^[0-9a-f]{64}$/.test(u.key) && typeof u.label === 'string' && 'payload' in u;
}
