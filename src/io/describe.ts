/**
 * Short, safe renderings of untrusted values for one-line error messages. Nothing here ever
 * serialises a whole value: output is cut at MESSAGE_VALUE_MAX characters, nesting is followed
 * to a small depth, cycles and BigInts are printed as such, and long arrays, maps and strings are
 * elided. JSON.stringify of a value parsed from a file is never used in a message (it can be
 * unbounded, throw on BigInt, or loop on a cycle).
 */

/** Longest rendering of one untrusted value in a message (characters). */
export const MESSAGE_VALUE_MAX = 200;
/** Deepest nesting followed when rendering a value; deeper levels print as "…". */
const MAX_DEPTH = 3;
/** Most elements of an array or members of an object rendered. */
const MAX_ITEMS = 8;

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A short JSON-like rendering of any value (strings quoted and escaped), at most `max` characters. */
export function describeValue(v: unknown, max = MESSAGE_VALUE_MAX): string {
  const seen = new Set<object>();
  let budget = max + 1; // stop building as soon as the result is certainly too long
  const go = (x: unknown, depth: number): string => {
    if (budget <= 0) return '…';
    let s: string;
    if (x === null) s = 'null';
    else if (x === undefined) s = 'undefined';
    else if (typeof x === 'string') s = JSON.stringify(cut(x, Math.max(1, Math.min(budget, max))));
    else if (typeof x === 'number' || typeof x === 'boolean') s = String(x);
    else if (typeof x === 'bigint') s = `${cut(x.toString(), 40)}n`;
    else if (typeof x === 'function' || typeof x === 'symbol') s = `<${typeof x}>`;
    else if (ArrayBuffer.isView(x)) s = `<${x.constructor.name} of ${x.byteLength} bytes>`;
    else if (seen.has(x)) s = '<cycle>';
    else if (depth >= MAX_DEPTH) s = Array.isArray(x) ? '[…]' : '{…}';
    else {
      seen.add(x);
      if (Array.isArray(x)) {
        const parts: string[] = [];
        for (let i = 0; i < x.length && i < MAX_ITEMS && budget > 0; i++) parts.push(go(x[i], depth + 1));
        if (x.length > parts.length) parts.push(`… ${x.length} items`);
        s = `[${parts.join(',')}]`;
      } else if (x instanceof Map) {
        const parts: string[] = [];
        for (const [k, val] of x) {
          if (parts.length >= MAX_ITEMS || budget <= 0) break;
          parts.push(`${go(k, depth + 1)}:${go(val, depth + 1)}`);
        }
        if (x.size > parts.length) parts.push(`… ${x.size} entries`);
        s = `{${parts.join(',')}}`;
      } else {
        const parts: string[] = [];
        let n = 0;
        for (const k in x as Record<string, unknown>) {
          if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
          n++;
          if (parts.length < MAX_ITEMS && budget > 0) parts.push(`${JSON.stringify(cut(k, 40))}:${go((x as Record<string, unknown>)[k], depth + 1)}`);
        }
        if (n > parts.length) parts.push('…');
        s = `{${parts.join(',')}}`;
      }
      seen.delete(x);
    }
    budget -= s.length;
    return s;
  };
  return cut(go(v, 0), max);
}

/**
 * Quotes a name taken from a file for a one-line message: JSON escaping (so a newline or quote
 * in a tensor name cannot break the line), cut to 120 characters.
 */
export function q(name: string): string {
  return describeValue(String(name), 122);
}

/** A message part from an untrusted or foreign source (a parser's error text): one line, at most `max` characters. */
export function clip(s: string, max = MESSAGE_VALUE_MAX): string {
  return cut(s.replace(/[\r\n\u2028\u2029]+/g, ' '), max);
}
