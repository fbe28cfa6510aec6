import { BadFileError, UnsupportedError } from '../../../errors.js';
import { ByteCursor } from '../../cursor.js';
import { describeValue } from '../../describe.js';
import { MAX_PICKLE_ITEMS, MAX_PICKLE_MEMO } from '../../limits.js';

/** Bytes as Latin-1 characters, without spreading them as call arguments. */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, Array.from(b.subarray(i, i + 4096)));
  return s;
}

/**
 * A RESTRICTED unpickler (opcodes as in CPython's Lib/pickletools.py, protocols 0-5). It builds
 * plain data only: None, bool, int (number, or bigint past 2^53), float, str, bytes, lists/tuples
 * (arrays), dicts (PyDict) and references to the globals the caller allows. There is no `eval`,
 * no attribute lookup and no class instantiation: a global outside the allow-list is refused with
 * UnsupportedError naming it, as soon as the GLOBAL opcode is met, so loading never runs code.
 * No npm package does this (the unpicklers there are general-purpose or call constructors).
 */

/** A Python dict (and OrderedDict): keys are str or int in a state dict. */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  /** State applied by BUILD (e.g. OrderedDict's `_metadata`), kept but not interpreted. */
  state: unknown;
}

/** A reference to an allowed global, e.g. `torch.FloatStorage`. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

export interface UnpickleOptions {
  /** File name for messages. */
  file: string;
  /** Allowed globals: "module.name" -> function applied by REDUCE (undefined = not callable). */
  globals: ReadonlyMap<string, ((args: unknown[]) => unknown) | undefined>;
  /** Persistent ids (torch storages). Without it, PERSID opcodes are refused. */
  persistentLoad?: (pid: unknown) => unknown;
}

/** Raised when the bytes end before STOP; legacy torch files are parsed from a growing window. */
export class PickleTruncated extends BadFileError {}

const OP_NAMES: Record<number, string> = { 0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4' };

/** Unpickles one pickle from `bytes` starting at `start`; returns the value and the end offset. */
export function unpickle(bytes: Uint8Array, opts: UnpickleOptions, start = 0): { value: unknown; end: number } {
  const file = opts.file;
  const bad = (what: string): BadFileError => new BadFileError(file, `corrupt pickle: ${what}`);
  const stack: unknown[] = [];
  const marks: number[] = [];
  // The memo: dense keys (CPython writes 0, 1, 2, …) in an array at 8 bytes a slot, any other key
  // in a Map (~90 bytes an entry, measured). 9 MB of MEMOIZE opcodes took 934 MB as one Map.
  const memo: unknown[] = [];
  const sparseMemo = new Map<number, unknown>();
  const memoSize = (): number => memo.length + sparseMemo.size;
  const memoSet = (k: number, v: unknown): void => {
    if (!Number.isSafeInteger(k) || k < 0) throw bad(`memo key ${describeValue(k)} at byte ${c.pos}`);
    if (k < memo.length) memo[k] = v;
    else if (sparseMemo.has(k)) sparseMemo.set(k, v);
    else {
      if (memoSize() >= MAX_PICKLE_MEMO) throw tooMany('memo entries');
      if (k === memo.length) memo.push(v);
      else sparseMemo.set(k, v);
    }
  };
  const memoHas = (k: number): boolean => Number.isSafeInteger(k) && k >= 0 && (k < memo.length || sparseMemo.has(k));
  const memoGet = (k: number): unknown => (k < memo.length ? memo[k] : sparseMemo.get(k));
  const tooMany = (what: string): BadFileError =>
    new BadFileError(file, `pickle holds more than ${what === 'memo entries' ? MAX_PICKLE_MEMO : MAX_PICKLE_ITEMS} ${what} (at byte ${c.pos}); refused, a state dict never needs that many`);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const c = new ByteCursor(bytes, {
    file,
    what: 'pickle',
    short: (at) => new PickleTruncated(file, `truncated pickle at byte ${at}`),
    huge: (v, at) => new PickleTruncated(file, `truncated pickle: length ${v} at byte ${at}`),
  }, start);
  const u8 = (): number => c.u8();
  const u16 = (): number => c.u16();
  const u32 = (): number => c.u32();
  const i32 = (): number => c.i32();
  /** A u64 length; one past the bytes there are means the pickle is truncated (or lying). */
  const u64 = (): number => {
    const v = c.u64();
    if (v > bytes.length) throw new PickleTruncated(file, `truncated pickle: length ${v} at byte ${c.pos - 8}`);
    return v;
  };
  const take = (n: number): Uint8Array => c.take(n);
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, c.pos);
    if (nl < 0) throw new PickleTruncated(file, `truncated pickle: unterminated line at byte ${c.pos}`);
    const s = latin1(bytes.subarray(c.pos, Math.min(nl, c.pos + 4096)));
    c.pos = nl + 1;
    return s;
  };
  const text = (b: Uint8Array): string => {
    try {
      return utf8.decode(b);
    } catch {
      throw bad(`invalid UTF-8 string at byte ${c.pos}`);
    }
  };
  // MARK starts a new frame (CPython's metastack): values below the last mark are out of reach.
  const floor = (): number => (marks.length > 0 ? marks[marks.length - 1] : 0);
  const pop = (): unknown => {
    if (stack.length <= floor()) throw bad(`stack underflow at byte ${c.pos}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length <= floor()) throw bad(`stack underflow at byte ${c.pos}`);
    return stack[stack.length - 1];
  };
  /** Pops the last MARK; the values of its frame are stack[m..]. */
  const popMarkIndex = (): number => {
    const m = marks.pop();
    if (m === undefined) throw bad(`no MARK at byte ${c.pos}`);
    return m;
  };
  const popMark = (): unknown[] => stack.splice(popMarkIndex());
  /** The container a frame's values go into (APPENDS, SETITEMS): the value below the frame's MARK. */
  const frameTarget = (m: number): unknown => {
    if (m <= floor()) throw bad(`stack underflow at byte ${c.pos}`);
    return stack[m - 1];
  };
  const signedLE = (b: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b.length > 0 && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const global = (module: string, name: string): PyGlobal => {
    const q = `${module}.${name}`;
    if (!opts.globals.has(q)) {
      throw new UnsupportedError(`${file}: the pickle refers to ${describeValue(q)}, which is not part of a PyTorch state dict; refused (loading never runs code)`);
    }
    return new PyGlobal(module, name);
  };
  // SETITEMS and APPENDS move stack[from..] into the container in place (no intermediate copy).
  const setItems = (d: unknown, from: number): void => {
    if (!(d instanceof PyDict)) throw bad(`SETITEM on a non-dict at byte ${c.pos}`);
    if ((stack.length - from) % 2 !== 0) throw bad(`odd number of SETITEMS values at byte ${c.pos}`);
    if (d.map.size + (stack.length - from) / 2 > MAX_PICKLE_ITEMS) throw tooMany('dict entries');
    for (let i = from; i < stack.length; i += 2) d.map.set(stack[i], stack[i + 1]);
    stack.length = from;
  };
  const appendItems = (l: unknown, from: number): void => {
    if (!Array.isArray(l)) throw bad(`APPEND on a non-list at byte ${c.pos}`);
    if (l.length + stack.length - from > MAX_PICKLE_ITEMS) throw tooMany('list items');
    for (let i = from; i < stack.length; i++) l.push(stack[i]);
    stack.length = from;
  };
  const persid = (pid: unknown): unknown => {
    if (!opts.persistentLoad) throw new UnsupportedError(`${file}: persistent ids are not allowed in this pickle`);
    return opts.persistentLoad(pid);
  };

  for (;;) {
    const at = c.pos;
    // Every list, tuple and dict is built from values on the stack, so this one bound caps them all.
    if (stack.length > MAX_PICKLE_ITEMS) throw tooMany('values on the stack');
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new UnsupportedError(`${file}: pickle protocol above 5`);
        break;
      case 0x95: // FRAME (length is advisory)
        take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length > 0) throw bad(`STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: c.pos };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP (an empty frame pops its mark, as CPython does)
        if (marks.length > 0 && stack.length === floor()) marks.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(signedLE(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n > 1 << 20) throw bad(`LONG4 of ${n} bytes`);
        stack.push(signedLE(take(n)));
        break;
      }
      case 0x49: {
        // INT (text): also "01"/"00" for booleans
        const s = line().trim();
        if (s === '01' || s === '00') stack.push(s === '01');
        else if (/^-?\d{1,15}$/.test(s)) stack.push(Number(s));
        else throw bad(`bad INT ${describeValue(s.slice(0, 40))}`);
        break;
      }
      case 0x4c: {
        // LONG (text)
        const s = line().trim().replace(/L$/, '');
        if (!/^-?\d{1,400}$/.test(s)) throw bad(`bad LONG at byte ${at}`);
        const v = BigInt(s);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(c.f64(false));
        break;
      case 0x46: {
        // FLOAT (text)
        const v = Number(line().trim());
        if (Number.isNaN(v)) throw bad(`bad FLOAT at byte ${at}`);
        stack.push(v);
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(text(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(take(u64())));
        break;
      case 0x54: // BINSTRING
        stack.push(latin1(take(Math.max(0, i32())).subarray(0, 1 << 16)));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()).slice());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMarkIndex());
        stack.push(d);
        break;
      }
      case 0x5d: // EMPTY_LIST
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x6c: // LIST
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x61: // APPEND
        if (stack.length - 2 < floor()) throw bad(`stack underflow at byte ${c.pos}`);
        appendItems(stack[stack.length - 2], stack.length - 1);
        break;
      case 0x65: {
        // APPENDS
        const m = popMarkIndex();
        appendItems(frameTarget(m), m);
        break;
      }
      case 0x73: // SETITEM
        if (stack.length - 3 < floor()) throw bad(`stack underflow at byte ${c.pos}`);
        setItems(stack[stack.length - 3], stack.length - 2);
        break;
      case 0x75: {
        // SETITEMS
        const m = popMarkIndex();
        setItems(frameTarget(m), m);
        break;
      }
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x67 ? Number(line()) : op === 0x68 ? u8() : u32();
        if (!memoHas(k)) throw bad(`memo key ${describeValue(k)} used before it was set (byte ${at})`);
        stack.push(memoGet(k));
        break;
      }
      case 0x70: // PUT
      case 0x71: // BINPUT
      case 0x72: // LONG_BINPUT
        memoSet(op === 0x70 ? Number(line()) : op === 0x71 ? u8() : u32(), top());
        break;
      case 0x94: // MEMOIZE: the next key is the memo's size, as in CPython
        memoSet(memoSize(), top());
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw bad(`STACK_GLOBAL without strings at byte ${at}`);
        stack.push(global(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyGlobal) || !Array.isArray(args)) throw bad(`REDUCE of a non-callable at byte ${at}`);
        const f = opts.globals.get(fn.qualified);
        if (!f) throw bad(`${fn.qualified} is not callable (byte ${at})`);
        stack.push(f(args));
        break;
      }
      case 0x62: {
        // BUILD: only state on a dict (OrderedDict._metadata) is accepted
        const state = pop();
        const obj = top();
        if (!(obj instanceof PyDict)) throw new UnsupportedError(`${file}: pickle BUILD on an object other than a dict (byte ${at}); refused`);
        obj.state = state;
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persid(pop()));
        break;
      case 0x50: // PERSID
        stack.push(persid(line()));
        break;
      default:
        throw new UnsupportedError(
          `${file}: pickle opcode ${OP_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`} at byte ${at} is not allowed in a PyTorch state dict`,
        );
    }
  }
}
