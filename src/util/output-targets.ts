import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, realpathSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { BadOptionError } from '../errors.js';

/**
 * The up-front check of a run's outputs (--json, --csv, --report of analyze and compare; the
 * --out files of lab run), done before any analysis so a bad target costs one line at once
 * instead of minutes of work and an exit 70:
 * - no target may be an input of the run: same device and inode (so a symlink or a hard link to
 *   an input counts) as a file named on the command line (model, --init, --merge-into, a list
 *   file, a lab config), or as a checkpoint file (MODEL_FILE: weights, configs, indexes,
 *   manifests, external data) inside an input model folder or beside an input model file, since
 *   the readers open those too;
 * - a file target that exists must be a regular file, a folder target a folder; FIFOs, sockets,
 *   devices and folders-for-files are refused without opening them;
 * - a report folder must not be an input folder or hold an input, must hold nothing but an
 *   earlier report (index.html, figures/), and may not hold another target of the run (the
 *   report replaces the whole folder);
 * - the folder each target is created in must be writable: a file is created there with O_EXCL
 *   and removed again (so this holds for root, read-only mounts and full quotas alike).
 * Everything refused is a BadOptionError naming the flag and the path.
 */

export interface OutputTarget {
  /** The option that named it, for messages: "--json". */
  flag: string;
  path: string;
  /** file: written whole; folder: `files` written inside it; report: the folder is replaced whole. */
  kind: 'file' | 'folder' | 'report';
  /** For a folder target: the names written inside it. */
  files?: readonly string[];
}

/** What an earlier report folder may hold (src/report/html.ts writes these). */
export const REPORT_ENTRIES: ReadonlySet<string> = new Set(['index.html', 'figures']);

/** Files a reader may open inside a model folder or beside a model file. */
export const MODEL_FILE = /(config\.json|model\.json|\.index\.json|\.(safetensors|bin|pt|pth|ckpt|gguf|onnx|onnx_data|data|pb|h5|msgpack|npz|pkl|pickle))$/i;

/** The inputs of a run: model paths (files or folders) and other files it reads (list files, configs). */
export interface RunInputs {
  models: readonly string[];
  files?: readonly string[];
}

const MAX_WALK = 20_000;
const MAX_DEPTH = 6;

interface Inputs {
  /** dev:ino → the input path it was found under. */
  ids: Map<string, string>;
  /** Real paths of the inputs themselves (files and folders). */
  roots: string[];
}

const idOf = (st: Stats): string => `${st.dev}:${st.ino}`;

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function kindOf(st: Stats): string {
  return st.isFile() ? 'a file' : st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'a special file';
}

/** Input identities: each input, and the checkpoint files under an input folder or beside an input model file. */
function collectInputs(run: RunInputs): Inputs {
  const ids = new Map<string, string>();
  const roots: string[] = [];
  let budget = MAX_WALK;
  const walk = (dir: string, label: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (--budget < 0) return;
      const p = join(dir, name);
      const st = statOrUndefined(p);
      if (!st) continue;
      if (st.isDirectory()) {
        if (depth < MAX_DEPTH) walk(p, label, depth + 1);
      } else if (MODEL_FILE.test(name) && !ids.has(idOf(st))) ids.set(idOf(st), label);
    }
  };
  const add = (p: string, model: boolean): void => {
    const st = statOrUndefined(p);
    if (!st) return; // a hub id, or a path the reader will refuse itself
    roots.push(realpathSync(p));
    ids.set(idOf(st), p);
    if (model && st.isDirectory()) walk(p, p, 0);
    else if (model) walk(dirname(p), p, MAX_DEPTH);
  };
  for (const p of run.models) add(p, true);
  for (const p of run.files ?? []) add(p, false);
  return { ids, roots };
}

function refuse(t: OutputTarget, what: string): never {
  throw new BadOptionError(`${t.flag} ${t.path}: ${what}`);
}

/** The nearest existing folder at or above `p`, which must be a writable folder. */
function checkWritable(t: OutputTarget, folder: string): void {
  let dir = resolve(folder);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const st = statOrUndefined(dir);
  if (!st?.isDirectory()) refuse(t, `${dir} is not a folder`);
  const probe = join(dir, `.genbound-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (err) {
    refuse(t, `cannot write in ${dir} (${(err as { code?: string }).code ?? 'error'})`);
  }
}

function checkFile(t: OutputTarget, path: string, inputs: Inputs): void {
  const st = statOrUndefined(path);
  if (st && !st.isFile()) refuse(t, `${path === t.path ? 'is' : `${path} is`} ${kindOf(st)}, not a file genbound may replace`);
  const input = st && inputs.ids.get(idOf(st));
  if (input !== undefined) refuse(t, `${path === t.path ? 'is' : `${path} is`} an input of this run (${input === path ? 'the same file' : `the same file as one read from ${input}`}); choose another path`);
}

const inside = (child: string, parent: string): boolean => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/** The real path `p` will have: its nearest existing ancestor resolved, the rest appended. */
function realTarget(p: string): string {
  let dir = resolve(p);
  const rest: string[] = [];
  while (!existsSync(dir) && dirname(dir) !== dir) {
    rest.unshift(dir.slice(dirname(dir).length).replace(/^[/\\]/, ''));
    dir = dirname(dir);
  }
  return join(realpathSync(dir), ...rest);
}

function checkReport(t: OutputTarget, inputs: Inputs, others: readonly OutputTarget[]): void {
  const st = statOrUndefined(t.path);
  if (st && !st.isDirectory()) refuse(t, `is ${kindOf(st)}, not a report folder`);
  const real = realTarget(t.path);
  const input = inputs.roots.find((r) => inside(r, real));
  if (input !== undefined) refuse(t, `${input === real ? 'is' : 'holds'} an input of this run (${input}); the report replaces the whole folder, choose another one`);
  if (st) {
    const foreign = readdirSync(t.path).filter((n) => !REPORT_ENTRIES.has(n));
    if (foreign.length) refuse(t, `holds ${foreign.slice(0, 3).map((n) => JSON.stringify(n.slice(0, 60))).join(', ')}${foreign.length > 3 ? ', …' : ''}, which genbound did not write; the report replaces the whole folder, so choose an empty or new one`);
  }
  const nested = others.find((o) => o !== t && inside(realTarget(o.path), real));
  if (nested) refuse(t, `would replace ${nested.flag} ${nested.path}, which lies inside it`);
  checkWritable(t, dirname(resolve(t.path)));
}

/** Throws BadOptionError (one line) for the first target that must not be written; see above. */
export function checkOutputs(targets: readonly OutputTarget[], run: RunInputs): void {
  const inputs = collectInputs(run);
  for (const t of targets) {
    if (t.kind === 'report') {
      checkReport(t, inputs, targets);
    } else if (t.kind === 'file') {
      checkFile(t, t.path, inputs);
      checkWritable(t, dirname(resolve(t.path)));
    } else {
      const st = statOrUndefined(t.path);
      if (st && !st.isDirectory()) refuse(t, `is ${kindOf(st)}, not a folder`);
      for (const name of t.files ?? []) checkFile(t, join(t.path, name), inputs);
      checkWritable(t, t.path);
    }
  }
}

