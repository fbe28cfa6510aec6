import { open, rename, rm, mkdir, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BadOptionError } from '../../../errors.js';
import { encode } from '../../dtypes.js';

/** One tensor to write. `data` is row-major with numel(shape) elements. */
export interface WritableTensor {
  name: string;
  dtype: 'F64' | 'F32' | 'F16' | 'BF16' | 'I8' | 'U8';
  shape: readonly number[];
  data: ArrayLike<number>;
}

const SIZE = { F64: 8, F32: 4, F16: 2, BF16: 2, I8: 1, U8: 1 } as const;

function encodeAny(t: WritableTensor): Uint8Array {
  if (t.dtype === 'I8' || t.dtype === 'U8') {
    const lo = t.dtype === 'I8' ? -128 : 0;
    const out = new Uint8Array(t.data.length);
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i];
      if (!Number.isInteger(v) || v < lo || v > lo + 255) throw new BadOptionError(`writeSafetensors: tensor "${t.name}" value ${v} does not fit ${t.dtype}`);
      out[i] = v & 0xff;
    }
    return out;
  }
  return encode(t.dtype, t.data);
}

/** Writes every byte (one write(2) may write less, e.g. past 2 GiB). */
async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, Math.min(bytes.length - done, 1 << 30));
    done += bytesWritten;
  }
}

/**
 * Writes a safetensors file (format: 8-byte LE header length, JSON header padded with spaces to a
 * multiple of 8 as the reference writer does, then the data in the given order). The file is
 * streamed to a temporary name in the same folder and renamed into place, so memory stays at one
 * encoded tensor and a failure leaves no partial file.
 */
export async function writeSafetensors(path: string, tensors: readonly WritableTensor[], metadata?: Record<string, string>): Promise<void> {
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new BadOptionError(`writeSafetensors: metadata "${k}" must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const t of tensors) {
    if (!t.name || t.name === '__metadata__' || Object.hasOwn(header, t.name)) {
      throw new BadOptionError(`writeSafetensors: tensor name ${JSON.stringify(t.name)} is empty, reserved or repeated`);
    }
    const size = SIZE[t.dtype];
    if (size === undefined) throw new BadOptionError(`writeSafetensors: tensor "${t.name}" has unsupported dtype ${String(t.dtype)}`);
    let n = 1;
    for (const d of t.shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new BadOptionError(`writeSafetensors: tensor "${t.name}" has invalid shape ${JSON.stringify(t.shape)}`);
      n *= d;
    }
    if (n !== t.data.length) {
      throw new BadOptionError(`writeSafetensors: tensor "${t.name}" has shape ${JSON.stringify(t.shape)} (${n} elements) but ${t.data.length} values`);
    }
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + n * size] };
    offset += n * size;
  }
  let json = JSON.stringify(header);
  const jsonBytes = new TextEncoder().encode(json);
  const pad = (8 - (jsonBytes.length % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.length), true);

  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await writeAll(fh, prefix);
    await writeAll(fh, headerBytes);
    for (const t of tensors) await writeAll(fh, encodeAny(t));
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
