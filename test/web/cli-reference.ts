/**
 * The CLI's JSON as the reference for the page's numbers: `genbound --backend js analyze MODEL
 * --json` run in-process, and a walk that checks every number of the page's result equals the
 * CLI's to 1e-12 (relative above 1), with the same keys and array lengths everywhere.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.js';

let runs = 0;

/** The CLI's JSON for a model path (extra: e.g. ['--heads', '4']); written into `dir`. */
export async function cliJson(dir: string, model: string, extra: string[] = []): Promise<unknown> {
  const out = join(dir, `cli-${runs++}.json`);
  const r = await runCli(['--backend', 'js', 'analyze', model, ...extra, '--json', out]);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** Every number of `a` equals the one at the same place in `b` to 1e-12; returns how many were compared. */
export function sameNumbers(a: unknown, b: unknown, at = '$', skip = new Set(['$.model.name', '$.model.source', '$.settings.backend'])): number {
  if (skip.has(at)) return 0;
  if (typeof b === 'number') {
    assert.equal(typeof a, 'number', `${at}: ${JSON.stringify(a)} vs ${b}`);
    assert.ok(Math.abs((a as number) - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${at}: page ${a} vs CLI ${b}`);
    return 1;
  }
  if (Array.isArray(b)) {
    assert.ok(Array.isArray(a) && a.length === b.length, `${at}: arrays differ in length`);
    return b.reduce((n: number, x, i) => n + sameNumbers((a as unknown[])[i], x, `${at}[${i}]`, skip), 0);
  }
  if (b !== null && typeof b === 'object') {
    assert.ok(a !== null && typeof a === 'object', `${at}: not an object on the page`);
    assert.deepEqual(Object.keys(a as object).sort(), Object.keys(b).sort(), `${at}: keys differ`);
    return Object.entries(b).reduce((n, [k, v]) => n + sameNumbers((a as Record<string, unknown>)[k], v, `${at}.${k}`, skip), 0);
  }
  assert.deepEqual(a, b, at);
  return 0;
}
