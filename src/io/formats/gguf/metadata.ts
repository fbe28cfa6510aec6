import { BadFileError, UnsupportedError } from '../../../errors.js';
import { describeValue, q } from '../../describe.js';
import { MAX_CONFIG_INT } from '../../limits.js';

/**
 * Typed access to the GGUF metadata values genbound uses (general.alignment, general.architecture
 * and the LLaMA family's sizes and counts, names.ts). The header parser (reader.ts) keeps each
 * key's stored value type beside its value, so a float32 4096.0 is told apart from a uint32 4096.
 * A used key stored with the wrong type, sign or size is one line naming the file, the key, a
 * shortened value and its GGUF type; nothing is coerced and nothing is skipped silently.
 */

/** The stored type of one metadata value: gguf.md's value_type, and for an array its element type. */
export interface GgufValueType {
  readonly type: number;
  readonly element?: number;
}

/** What reader.ts returns for the metadata: values and their stored types, by key. */
export interface GgufMetadata {
  readonly kv: ReadonlyMap<string, unknown>;
  readonly types: ReadonlyMap<string, GgufValueType>;
}

const TYPE_NAMES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'bool', 'string', 'array', 'uint64', 'int64', 'float64'];
/** value_type 9: an array. */
export const GGUF_ARRAY = 9;
const GGUF_STRING = 8;
const INTEGER_TYPES = new Set([0, 1, 2, 3, 4, 5, 10, 11]);

function typeName(t: GgufValueType | undefined): string {
  const one = (n: number | undefined): string => (n === undefined ? 'unknown type' : (TYPE_NAMES[n] ?? `type ${n}`));
  if (t === undefined) return 'unknown type';
  return t.type === GGUF_ARRAY ? `array of ${one(t.element)}` : one(t.type);
}

function wrongValue(file: string, md: GgufMetadata, key: string, expected: string): BadFileError {
  return new BadFileError(file, `GGUF metadata ${q(key)} is ${describeValue(md.kv.get(key), 80)} (${typeName(md.types.get(key))}), expected ${expected}`);
}

const isCount = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;

const PER_LAYER = `a positive integer of at most ${MAX_CONFIG_INT}, or one per layer`;

/** A positive integer stored with an integer type, at most `max`; undefined when the key is absent. */
export function ggufCount(md: GgufMetadata, key: string, file: string, max = MAX_CONFIG_INT, expected = `a positive integer of at most ${max}`): number | undefined {
  if (!md.kv.has(key)) return undefined;
  const v = md.kv.get(key);
  if (INTEGER_TYPES.has(md.types.get(key)?.type ?? -1) && isCount(v, max)) return v;
  throw wrongValue(file, md, key, expected);
}

/** A string value; undefined when the key is absent. */
export function ggufString(md: GgufMetadata, key: string, file: string): string | undefined {
  if (!md.kv.has(key)) return undefined;
  const v = md.kv.get(key);
  if (md.types.get(key)?.type === GGUF_STRING && typeof v === 'string') return v;
  throw wrongValue(file, md, key, 'a string');
}

/**
 * A count that llama.cpp allows per layer (attention.head_count, attention.head_count_kv,
 * feed_forward_length): a positive integer, or an array of them with one value per layer (of
 * `layers` when block_count is known). An array whose values are all equal stands for that value;
 * one whose values differ is refused by name (`what`: "head counts", …), since every layer of a
 * model genbound analyses has the same shape.
 */
export function ggufPerLayerCount(md: GgufMetadata, key: string, file: string, what: string, layers: number | undefined): number | undefined {
  const t = md.types.get(key);
  if (t?.type !== GGUF_ARRAY) return ggufCount(md, key, file, MAX_CONFIG_INT, PER_LAYER);
  const v = md.kv.get(key);
  if (!Array.isArray(v)) {
    // reader.ts keeps arrays of at most 1024 values; a longer one is recorded only by its length.
    const n = (v as { skippedArray?: number } | undefined)?.skippedArray;
    throw new BadFileError(file, `GGUF metadata ${q(key)} is an array of ${n ?? 'too many'} values (${typeName(t)}), expected ${PER_LAYER}${layers !== undefined ? ` (${layers} layers)` : ''}`);
  }
  if (!INTEGER_TYPES.has(t.element ?? -1) || v.length === 0 || !v.every((x) => isCount(x, MAX_CONFIG_INT))) throw wrongValue(file, md, key, PER_LAYER);
  if (layers !== undefined && v.length !== layers) {
    throw new BadFileError(file, `GGUF metadata ${q(key)} has ${v.length} per-layer values but block_count is ${layers}`);
  }
  const first = v[0] as number;
  const at = v.findIndex((x) => x !== first);
  if (at >= 0) throw new UnsupportedError(`${file}: GGUF metadata ${q(key)}: per-layer ${what} differ (layer ${at}: ${String(v[at])}, layer 0: ${first}): not supported`);
  return first;
}
