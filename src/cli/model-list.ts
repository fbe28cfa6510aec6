import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BadFileError } from '../errors.js';
import { q } from '../io/describe.js';
import { MAX_LIST_BYTES, MAX_LIST_LINE, MAX_LIST_MODELS } from '../io/limits.js';
import { openGatedFile } from '../io/node-gate.js';

/**
 * A `genbound compare` list file: UTF-8 text, one model path per line (relative to the file),
 * '#' starts a comment, blank lines are skipped. It is untrusted input like a checkpoint: opened
 * through the file gate (a folder, FIFO, socket, device or a link out of its folder is refused
 * without blocking), its size checked before it is read, its lines bounded in number and length,
 * and every model it names checked to exist before any work starts. Every failure is one
 * BadFileError naming the file (and the line).
 */
export async function readModelList(path: string): Promise<string[]> {
  const src = await openGatedFile(path);
  let bytes: Uint8Array;
  try {
    if (src.size > MAX_LIST_BYTES) throw new BadFileError(path, `list file of ${src.size} bytes is larger than the ${MAX_LIST_BYTES}-byte limit; refused`);
    bytes = await src.read(0, src.size, 'list text');
  } finally {
    await src.close();
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new BadFileError(path, `holds a NUL byte at byte ${nul}: not a text list of model paths`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new BadFileError(path, 'is not UTF-8 text: not a list of model paths');
  }
  const models: { line: number; path: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].replace(/#.*/, '').trim();
    if (!l) continue;
    if (l.length > MAX_LIST_LINE) throw new BadFileError(path, `line ${i + 1} is ${l.length} characters long, more than the ${MAX_LIST_LINE} a path may have`);
    if (models.length === MAX_LIST_MODELS) throw new BadFileError(path, `names more than ${MAX_LIST_MODELS} models; refused`);
    models.push({ line: i + 1, path: l });
  }
  if (models.length === 0) throw new BadFileError(path, 'the list file names no models');
  const out: string[] = [];
  for (const m of models) {
    const p = resolve(dirname(path), m.path);
    // Checked now, so that a typo on line 40 costs one line at once, not the 39 analyses before it.
    if (!(await stat(p).then(() => true, () => false))) throw new BadFileError(path, `line ${m.line}: ${q(m.path)} names no file or folder`);
    out.push(p);
  }
  return out;
}
