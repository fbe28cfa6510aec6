/** The work of `genbound compare` (loaded only when the command runs). */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { growthView } from '../analysis/compare.js';
import { BadFileError, BadOptionError } from '../errors.js';
import { compareTables, writeTables } from '../report/csv.js';
import { writeJson } from '../report/json.js';
import { compareSummary } from '../report/summary.js';
import { writeCompareReport } from '../report/analysis-report.js';
import { analysisTargets, parseAnalysisOptions } from './analyze-options.js';
import { checkOutputs } from '../util/output-targets.js';
import { analyzeWithOptions } from './analyze-action.js';

const MODEL_FILES = /^(config\.json|model\.json|adapter_config\.json|.*\.(safetensors|onnx|bin|pt|pth|gguf))$/;
const LIST_EXT = new Set(['.txt', '.lst', '.list']);

/**
 * The models named on the command line: paths as given, a folder whose sub-folders are the
 * checkpoints (a folder that itself holds a model counts as one model), or a list file (.txt/.lst/
 * .list: one path per line, relative to the file, '#' comments).
 */
export async function expandModels(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    const st = await stat(a).catch(() => undefined);
    if (!st) throw new BadFileError(a, 'no such file or folder');
    if (st.isDirectory()) {
      const entries = (await readdir(a, { withFileTypes: true })).sort((x, y) => x.name.localeCompare(y.name, 'en', { numeric: true }));
      if (entries.some((e) => e.isFile() && MODEL_FILES.test(e.name))) out.push(a);
      else {
        const subs = entries.filter((e) => e.isDirectory()).map((e) => join(a, e.name));
        if (subs.length === 0) throw new BadFileError(a, 'folder holds neither a model nor model sub-folders');
        out.push(...subs);
      }
    } else if (LIST_EXT.has(extname(a))) {
      const lines = (await readFile(a, 'utf8')).split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
      if (lines.length === 0) throw new BadFileError(a, 'the list file names no models');
      out.push(...lines.map((l) => resolve(dirname(a), l)));
    } else {
      out.push(a);
    }
  }
  return out;
}

/** `genbound compare <models...>` with commander's raw option values. */
export async function runCompare(models: string[], raw: Record<string, string | boolean | undefined>): Promise<void> {
  const o = parseAnalysisOptions(raw);
  if (o.init || o.mergeInto) throw new BadOptionError('compare does not take --init or --merge-into (run analyze per model)');
  const paths = await expandModels(models);
  checkOutputs(analysisTargets(o), { models: paths, files: models });
  const names = paths.map((p) => basename(resolve(p)));
  const results = [];
  for (let i = 0; i < paths.length; i++) {
    results.push(await analyzeWithOptions(paths[i], o, `[${i + 1}/${paths.length}] ${names[i]} `));
  }
  const c = growthView(names, results);
  const written: string[] = [];
  if (o.json) {
    writeJson(o.json, c);
    written.push(o.json);
  }
  if (o.csv) written.push(...writeTables(o.csv, compareTables(c, names)));
  if (o.report) written.push((await writeCompareReport(o.report, c, { png: o.png })).html);
  process.stdout.write(compareSummary(c, names));
  if (written.length) process.stdout.write(`\nwrote ${written.join(', ')}\n`);
}
