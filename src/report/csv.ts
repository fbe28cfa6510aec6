import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

export { analysisTables, compareTables, csvTable, MATRIX_COLUMNS } from './csv-tables.js';

/** Every file --csv may write (analyze: the first four; compare: all six). */
export const CSV_FILES = ['matrices.csv', 'bounds.csv', 'tcurve.csv', 'spectra.csv', 'growth.csv', 'slopes.csv'] as const;

/** Writes the tables into `dir` (created if needed), each atomically. */
export function writeTables(dir: string, tables: Record<string, string>): string[] {
  return Object.entries(tables).map(([file, text]) => {
    const path = join(dir, file);
    writeFileAtomic(path, text);
    return path;
  });
}
