import { BadFileError } from '../errors.js';
import { MissingFileError, type ModelFolder } from './byte-source.js';
import { clip } from './describe.js';
import { MAX_JSON_BYTES } from './limits.js';

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

/** Reads `name` as a JSON object; undefined when it does not exist and `optional`. */
export async function readJsonObject(folder: ModelFolder, name: string, optional: true): Promise<Record<string, unknown> | undefined>;
export async function readJsonObject(folder: ModelFolder, name: string, optional?: false): Promise<Record<string, unknown>>;
export async function readJsonObject(folder: ModelFolder, name: string, optional = false): Promise<Record<string, unknown> | undefined> {
  const v = optional ? await readJson(folder, name, true) : await readJson(folder, name);
  if (v === undefined && optional) return undefined;
  if (!isRecord(v)) throw new BadFileError(folder.pathOf(name), `is not a JSON object (it is ${jsonKind(v)})`);
  return v;
}
