import { BadFileError, UnsupportedError } from '../../../errors.js';
import type { RandomAccessFile } from '../../file.js';
import { q } from '../../source-base.js';

/**
 * Minimal ZIP central-directory reader (PKWARE APPNOTE 6.3: end of central directory record,
 * ZIP64 locator and record, central file headers, ZIP64 extra field 0x0001, local file headers).
 *
 * Written by hand rather than taken from npm (yauzl, unzipper ...): torch.save stores every entry
 * uncompressed, so all a reader needs is each entry's byte offset; this gives it with our lazy
 * RandomAccessFile and our one-line BadFileError messages, in ~150 lines and no dependency.
 */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflate ... */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const Z64_LOCATOR_SIG = 0x07064b50;
const Z64_EOCD_SIG = 0x06064b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;

/** A bounds-checked little-endian view: any out-of-range read is a BadFileError, never RangeError. */
class Cursor {
  private readonly dv: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    private readonly what: string,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(p: number, n: number): void {
    if (p < 0 || p + n > this.bytes.length) throw new BadFileError(this.file, `corrupt zip: ${this.what} is cut short`);
  }
  u16(p: number): number {
    this.need(p, 2);
    return this.dv.getUint16(p, true);
  }
  u32(p: number): number {
    this.need(p, 4);
    return this.dv.getUint32(p, true);
  }
  u64(p: number): number {
    this.need(p, 8);
    const v = this.dv.getBigUint64(p, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadFileError(this.file, `corrupt zip: ${this.what} has an impossible 64-bit value`);
    return Number(v);
  }
  slice(p: number, n: number): Uint8Array {
    this.need(p, n);
    return this.bytes.subarray(p, p + n);
  }
}

/** Reads the central directory of a zip file. */
export async function readZipDirectory(file: RandomAccessFile): Promise<ZipEntry[]> {
  const bad = (what: string): BadFileError => new BadFileError(file.path, `corrupt zip: ${what}`);
  const tailLen = Math.min(file.size, 22 + 65535);
  if (tailLen < 22) throw bad('too short for an end-of-central-directory record');
  const tailStart = file.size - tailLen;
  const tail = await file.read(tailStart, tailLen, 'zip end records');
  const tdv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let p = tailLen - 22; p >= 0; p--) {
    if (tdv.getUint32(p, true) === EOCD_SIG && p + 22 + tdv.getUint16(p + 20, true) <= tailLen) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw bad('no end-of-central-directory record (truncated or not a zip)');
  const tc = new Cursor(tail, file.path, 'end record');
  let count = tc.u16(eocd + 10);
  let cdSize = tc.u32(eocd + 12);
  let cdOffset = tc.u32(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tc.u32(loc) !== Z64_LOCATOR_SIG) throw bad('ZIP64 values without a ZIP64 locator');
    const recOff = tc.u64(loc + 8);
    const rec = new Cursor(await file.read(recOff, 56, 'ZIP64 end record'), file.path, 'ZIP64 end record');
    if (rec.u32(0) !== Z64_EOCD_SIG) throw bad('ZIP64 locator points to no ZIP64 end record');
    count = rec.u64(32);
    cdSize = rec.u64(40);
    cdOffset = rec.u64(48);
  }
  if (cdOffset + cdSize > file.size) throw bad(`central directory (${cdSize} bytes at ${cdOffset}) lies outside the file`);
  if (count > cdSize / 46) throw bad(`${count} entries cannot fit a ${cdSize}-byte central directory`);
  const cd = new Cursor(await file.read(cdOffset, cdSize, 'central directory'), file.path, 'central directory');
  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (cd.u32(p) !== CEN_SIG) throw bad(`central directory entry ${i} has a bad signature`);
    const method = cd.u16(p + 10);
    let compressedSize = cd.u32(p + 20);
    let size = cd.u32(p + 24);
    const nameLen = cd.u16(p + 28);
    const extraLen = cd.u16(p + 30);
    const commentLen = cd.u16(p + 32);
    let localHeaderOffset = cd.u32(p + 42);
    const name = decoder.decode(cd.slice(p + 46, nameLen));
    // ZIP64 extended information: present fields appear in this fixed order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.u16(e);
      const len = cd.u16(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = cd.u64(q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = cd.u64(q);
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = cd.u64(q);
      }
      e += 4 + len;
    }
    if (localHeaderOffset + 30 > file.size) throw bad(`entry ${q(name)} starts outside the file`);
    entries.push({ name, method, compressedSize, size, localHeaderOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}

/**
 * Byte offset of a stored (uncompressed) entry's data, from its local header. Throws
 * UnsupportedError for compressed entries and BadFileError when the data lies outside the file.
 */
export async function storedDataOffset(file: RandomAccessFile, entry: ZipEntry): Promise<number> {
  if (entry.method !== 0) {
    throw new UnsupportedError(`${file.path}: zip entry ${q(entry.name)} is compressed (method ${entry.method}); torch.save writes stored entries, re-save the checkpoint`);
  }
  const loc = new Cursor(await file.read(entry.localHeaderOffset, 30, `local header of ${q(entry.name)}`), file.path, 'local header');
  if (loc.u32(0) !== LOC_SIG) throw new BadFileError(file.path, `corrupt zip: entry ${q(entry.name)} has a bad local header`);
  const start = entry.localHeaderOffset + 30 + loc.u16(26) + loc.u16(28);
  if (entry.compressedSize !== entry.size || start + entry.size > file.size) {
    throw new BadFileError(file.path, `truncated or corrupt zip: entry ${q(entry.name)} (${entry.size} bytes at ${start}) does not fit the file of ${file.size} bytes`);
  }
  return start;
}
