import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

/**
 * Records every path the process opens or reads whole while `during` runs, by wrapping the
 * node:fs entry points (node's documented syncBuiltinESMExports() makes the wrappers visible to
 * modules that imported them by name). This is how the hostile tests prove "nothing outside the
 * folder was read": a path outside shows up here, whatever atime says.
 */
type Fn = (...a: unknown[]) => unknown;
const ASYNC = ['open', 'readFile'] as const;
const SYNC = ['openSync', 'readFileSync', 'open', 'readFile', 'createReadStream'] as const;

export async function recordOpens<T>(during: () => Promise<T>): Promise<{ result?: T; error?: unknown; opened: string[] }> {
  const opened: string[] = [];
  const pathOf = (p: unknown): string | undefined => (typeof p === 'string' ? p : p instanceof URL ? p.pathname : Buffer.isBuffer(p) ? p.toString() : undefined);
  const saved: [Record<string, unknown>, string, unknown][] = [];
  const wrap = (obj: Record<string, unknown>, key: string): void => {
    const orig = obj[key] as Fn;
    saved.push([obj, key, orig]);
    obj[key] = function (this: unknown, ...a: unknown[]) {
      const p = pathOf(a[0]);
      if (p !== undefined) opened.push(p);
      return orig.apply(this, a);
    };
  };
  for (const k of ASYNC) wrap(fsp as unknown as Record<string, unknown>, k);
  for (const k of SYNC) wrap(fs as unknown as Record<string, unknown>, k);
  syncBuiltinESMExports();
  try {
    return { result: await during(), opened };
  } catch (error) {
    return { error, opened };
  } finally {
    for (const [obj, key, orig] of saved) obj[key] = orig;
    syncBuiltinESMExports();
  }
}
