/**
 * How results travel through Redis: JSON, with the numbers JSON cannot hold (±Infinity, NaN; a
 * bound may overflow a double) written as {"$num": "Infinity"} and read back as numbers, so a
 * merged result equals the single-process one. Doubles round-trip exactly through JSON text.
 */
const MARK = '$num';

export function encodeResult(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? { [MARK]: String(x) } : x));
}

export function decodeResult(s: string): unknown {
  return JSON.parse(s, (_k, x: unknown) => {
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      const o = x as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === MARK && typeof o[MARK] === 'string') return Number(o[MARK]);
    }
    return x;
  });
}
