import { BadFileError } from '../errors.js';
import { MissingFileError, type ModelFolder } from './byte-source.js';
import { clip, describeValue, q } from './describe.js';
import { MAX_CONFIG_INT, MAX_JSON_BYTES } from './limits.js';

/**
 * JSON files of a model folder (config.json, adapter_config.json, *.index.json, tfjs model.json),
 * read through the folder's gate with the size checked first. Every failure is one BadFileError
 * line: too large, not UTF-8, not JSON, or (readJsonObject) not an object, naming what it is.
 */

/** What a parsed JSON value is, for "is not a JSON object (it is …)" messages. */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses JSON bytes of `file` (BadFileError on invalid UTF-8 or JSON). */
export function parseJsonBytes(file: string, bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadFileError(file, 'not valid UTF-8 JSON');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BadFileError(file, `not valid JSON (${clip(err instanceof Error ? err.message : String(err), 120)})`);
  }
}

/** Reads and parses `name` in `folder`; undefined when it does not exist and `optional`. */
export async function readJson(folder: ModelFolder, name: string, optional: true): Promise<unknown>;
export async function readJson(folder: ModelFolder, name: string, optional?: false): Promise<unknown>;
export async function readJson(folder: ModelFolder, name: string, optional = false): Promise<unknown> {
  let src;
  try {
    src = await folder.open(name);
  } catch (err) {
    if (optional && err instanceof MissingFileError) return undefined;
    throw err;
  }
  try {
    if (src.size > MAX_JSON_BYTES) throw new BadFileError(src.name, `JSON file of ${src.size} bytes is larger than the ${MAX_JSON_BYTES}-byte limit; refused`);
    return parseJsonBytes(src.name, await src.read(0, src.size, 'JSON text'));
  } finally {
    await src.close();
  }
}

/**
 * The shown path of the file each JSON object came from (readJsonObject, and GGUF metadata read
 * as a config), so that a check of one of its fields can name the file without every caller
 * passing it along.
 */
const ORIGIN = new WeakMap<object, string>();

/** Records that `obj` was read from `file` (the path shown in messages); returns `obj`. */
export function withOrigin<T extends object>(obj: T, file: string): T {
  ORIGIN.set(obj, file);
  return obj;
}

/** The file `obj` was read from, when it was recorded. */
export function originOf(obj: object): string | undefined {
  return ORIGIN.get(obj);
}

/**
 * Typed access to the fields of an untrusted JSON object. A field that is absent, or `null`
 * (Hugging Face writes `"head_dim": null`, `"n_inner": null` for "not set"), is undefined; a field
 * that is present with the wrong type, sign, or size is a one-line BadFileError naming the file,
 * the field and a truncated rendering of the value. Nothing is coerced ("12" is not 12).
 */
function wrongField(file: string, field: string, v: unknown, expected: string): BadFileError {
  return new BadFileError(file, `field ${q(field)} is ${describeValue(v, 80)}, expected ${expected}`);
}

/** An integer field in [min, max] (defaults: positive, at most MAX_CONFIG_INT). */
export function intField(obj: Record<string, unknown>, key: string, file: string, min = 1, max = MAX_CONFIG_INT): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  const what = min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
  throw wrongField(file, key, v, `${what}${max < Number.MAX_SAFE_INTEGER ? ` of at most ${max}` : ''}`);
}

/** A finite number field in (0, max] when `positive`, else any finite number. */
export function numberField(obj: Record<string, unknown>, key: string, file: string, positive: boolean, max = Number.MAX_VALUE): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v) && (!positive || (v > 0 && v <= max))) return v;
  throw wrongField(file, key, v, positive ? `a positive number${max < Number.MAX_VALUE ? ` of at most ${max}` : ''}` : 'a finite number');
}

/** A boolean field. */
export function boolField(obj: Record<string, unknown>, key: string, file: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  throw wrongField(file, key, v, 'true or false');
}

/** A string field. */
export function stringField(obj: Record<string, unknown>, key: string, file: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw wrongField(file, key, v, 'a string');
}

/** Reads `name` as a JSON object; undefined when it does not exist and `optional`. */
export async function readJsonObject(folder: ModelFolder, name: string, optional: true): Promise<Record<string, unknown> | undefined>;
export async function readJsonObject(folder: ModelFolder, name: string, optional?: false): Promise<Record<string, unknown>>;
export async function readJsonObject(folder: ModelFolder, name: string, optional = false): Promise<Record<string, unknown> | undefined> {
  const v = optional ? await readJson(folder, name, true) : await readJson(folder, name);
  if (v === undefined && optional) return undefined;
  if (!isRecord(v)) throw new BadFileError(folder.pathOf(name), `is not a JSON object (it is ${jsonKind(v)})`);
  return withOrigin(v, folder.pathOf(name));
}
