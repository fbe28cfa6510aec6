import { BadFileError, UnsupportedError } from '../../../errors.js';
import type { ByteSource } from '../../byte-source.js';
import { ByteCursor } from '../../cursor.js';
import { q } from '../../describe.js';

/**
 * Minimal ZIP central-directory reader (PKWARE APPNOTE 6.3: end of central directory record,
 * ZIP64 locator and record, central file headers, ZIP64 extra field 0x0001, local file headers).
 *
 * Written by hand rather than taken from npm (yauzl, unzipper ...): torch.save stores every entry
 * uncompressed, so all a reader needs is each entry's byte offset; this gives it with our lazy
 * ByteSource and our one-line BadFileError messages, in ~150 lines and no dependency.
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

/** A bounds-checked cursor over zip records: running past one is a "corrupt zip" BadFileError. */
function cursor(bytes: Uint8Array, file: string, what: string): ByteCursor {
  return new ByteCursor(bytes, {
    file,
    what,
    short: () => new BadFileError(file, `corrupt zip: ${what} is cut short`),
    huge: () => new BadFileError(file, `corrupt zip: ${what} has an impossible 64-bit value`),
  });
}

/** Reads the central directory of a zip file. */
export async function readZipDirectory(file: ByteSource): Promise<ZipEntry[]> {
  const bad = (what: string): BadFileError => new BadFileError(file.name, `corrupt zip: ${what}`);
  const tailLen = Math.min(file.size, 22 + 65535);
  if (tailLen < 22) throw bad('too short for an end-of-central-directory record');
  const tailStart = file.size - tailLen;
  const tail = await file.read(tailStart, tailLen, 'zip end records');
  const tc = cursor(tail, file.name, 'end record');
  let eocd = -1;
  for (let p = tailLen - 22; p >= 0; p--) {
    if (tc.u32At(p) === EOCD_SIG && p + 22 + tc.u16At(p + 20) <= tailLen) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw bad('no end-of-central-directory record (truncated or not a zip)');
  let count = tc.u16At(eocd + 10);
  let cdSize = tc.u32At(eocd + 12);
  let cdOffset = tc.u32At(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tc.u32At(loc) !== Z64_LOCATOR_SIG) throw bad('ZIP64 values without a ZIP64 locator');
    const recOff = tc.u64At(loc + 8);
    const rec = cursor(await file.read(recOff, 56, 'ZIP64 end record'), file.name, 'ZIP64 end record');
    if (rec.u32At(0) !== Z64_EOCD_SIG) throw bad('ZIP64 locator points to no ZIP64 end record');
    count = rec.u64At(32);
    cdSize = rec.u64At(40);
    cdOffset = rec.u64At(48);
  }
  if (cdOffset + cdSize > file.size) throw bad(`central directory (${cdSize} bytes at ${cdOffset}) lies outside the file`);
  if (count > cdSize / 46) throw bad(`${count} entries cannot fit a ${cdSize}-byte central directory`);
  const cd = cursor(await file.read(cdOffset, cdSize, 'central directory'), file.name, 'central directory');
  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (cd.u32At(p) !== CEN_SIG) throw bad(`central directory entry ${i} has a bad signature`);
    const method = cd.u16At(p + 10);
    let compressedSize = cd.u32At(p + 20);
    let size = cd.u32At(p + 24);
    const nameLen = cd.u16At(p + 28);
    const extraLen = cd.u16At(p + 30);
    const commentLen = cd.u16At(p + 32);
    let localHeaderOffset = cd.u32At(p + 42);
    const name = decoder.decode(cd.sliceAt(p + 46, nameLen));
    // ZIP64 extended information: present fields appear in this fixed order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.u16At(e);
      const len = cd.u16At(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = cd.u64At(q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = cd.u64At(q);
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = cd.u64At(q);
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
export async function storedDataOffset(file: ByteSource, entry: ZipEntry): Promise<number> {
  if (entry.method !== 0) {
    throw new UnsupportedError(`${file.name}: zip entry ${q(entry.name)} is compressed (method ${entry.method}); torch.save writes stored entries, re-save the checkpoint`);
  }
  const loc = cursor(await file.read(entry.localHeaderOffset, 30, `local header of ${q(entry.name)}`), file.name, 'local header');
  if (loc.u32At(0) !== LOC_SIG) throw new BadFileError(file.name, `corrupt zip: entry ${q(entry.name)} has a bad local header`);
  const start = entry.localHeaderOffset + 30 + loc.u16At(26) + loc.u16At(28);
  if (entry.compressedSize !== entry.size || start + entry.size > file.size) {
    throw new BadFileError(file.name, `truncated or corrupt zip: entry ${q(entry.name)} (${entry.size} bytes at ${start}) does not fit the file of ${file.size} bytes`);
  }
  return start;
}
