/**
 * The one kernel registry of genbound, in the manner of tfjs-core's backends (registerBackend /
 * setBackend / getBackend): each backend is registered by name with a factory and a priority, and
 * ONE is chosen per process — by setBackend() (the CLI's --backend), else the GENBOUND_BACKEND
 * environment variable, else the available backend of highest priority (with one notice line on
 * stderr when a better one is unavailable). linalg (SVDs), measures (product norms) and nn (GEMM,
 * fused kernels) all run on backend(); none of them chooses on its own.
 */
import { BadOptionError } from '../errors.js';
import { JsBackend } from './js-backend.js';
import { NativeBackend } from './native.js';
import { loadNativeAddon, nativeLoadError } from './native-addon.js';
import type { LinalgBackend } from './types.js';

export interface BackendEntry {
  name: string;
  /** Higher wins when nothing was asked for. */
  priority: number;
  /** A new instance, or null when the backend cannot run here. */
  create(): LinalgBackend | null;
  /** Why create() returned null, for messages. */
  unavailableReason?(): string | undefined;
}

const entries = new Map<string, BackendEntry>();
let current: LinalgBackend | undefined;

/** Registers (or replaces) a backend. */
export function registerBackend(entry: BackendEntry): void {
  entries.set(entry.name, entry);
}

/** Removes a registered backend (the current one stays in use until setBackend). */
export function removeBackend(name: string): void {
  entries.delete(name);
}

/** Registered backend names, highest priority first. */
export function registeredBackends(): string[] {
  return [...entries.values()].sort((a, b) => b.priority - a.priority).map((e) => e.name);
}

function entryOf(name: string, source: string): BackendEntry {
  const e = entries.get(name);
  if (!e) {
    throw new BadOptionError(`${source}: unknown linear-algebra backend "${name}" (expected ${registeredBackends().join(' or ')})`);
  }
  return e;
}

/** A new instance of a backend by name; BadOptionError when it is unknown or unavailable here. */
export function createBackend(name: string, source = 'backend'): LinalgBackend {
  const e = entryOf(name, source);
  const b = e.create();
  if (!b) {
    throw new BadOptionError(`${source}: the ${name} backend is unavailable: ${e.unavailableReason?.() ?? 'unknown reason'}; use --backend js`);
  }
  return b;
}

/** Selects the backend for the rest of the process. */
export function setBackend(name: string, source = '--backend'): void {
  current = createBackend(name, source);
}

/** The process's backend, chosen on first use. */
export function backend(): LinalgBackend {
  if (current) return current;
  // No `process` in a browser (src/web chooses js with setBackend before any use).
  const env = typeof process === 'undefined' ? undefined : process.env.GENBOUND_BACKEND;
  if (env !== undefined && env !== '') {
    current = createBackend(env, 'GENBOUND_BACKEND');
    return current;
  }
  const skipped: string[] = [];
  for (const name of registeredBackends()) {
    const e = entries.get(name) as BackendEntry;
    const b = e.create();
    if (b) {
      for (const why of skipped) process.stderr.write(`genbound: ${why}; using the ${b.name} backend${b.name === 'js' ? ' (pure TypeScript, slower)' : ''}\n`);
      current = b;
      return b;
    }
    skipped.push(e.unavailableReason?.() ?? `the ${e.name} backend is unavailable`);
  }
  throw new BadOptionError('no linear-algebra backend is available');
}

registerBackend({ name: 'js', priority: 1, create: () => new JsBackend() });
registerBackend({
  name: 'native',
  priority: 2,
  create: () => {
    const addon = loadNativeAddon();
    return addon ? new NativeBackend(addon) : null;
  },
  unavailableReason: () => nativeLoadError() ?? 'the native addon is unavailable',
});
