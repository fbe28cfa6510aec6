/** Helpers shared by the analysis figures. */
import type { MatrixResult } from '../../types/analysis.js';
import type { ReportFigure, ReportTable } from '../html-render.js';

export interface FigureWithTable {
  figure: ReportFigure;
  table: ReportTable;
}

/** The four matrix types of the theory, in the paper's order; other types sort after them. */
export const TYPE_ORDER = ['QK', 'V_tilde', 'M_in', 'M_out'];

export function typeRank(t: string): number {
  const i = TYPE_ORDER.indexOf(t);
  return i < 0 ? TYPE_ORDER.length : i;
}

/** The types present, in paper order then alphabetical. */
export function typesOf(ms: readonly MatrixResult[]): string[] {
  return [...new Set(ms.map((m) => m.type))].sort((a, b) => typeRank(a) - typeRank(b) || a.localeCompare(b));
}

/** "head 3", or "layer-wise" for head = -1. */
export function headLabel(head: number): string {
  return head < 0 ? 'layer-wise' : `head ${head}`;
}

/** A stable label for one matrix: "L0 QK h3" / "L0 M_in". */
export function matrixLabel(m: MatrixResult): string {
  return m.head < 0 ? `L${m.layer} ${m.type}` : `L${m.layer} ${m.type} h${m.head}`;
}

export function isPos(x: number): boolean {
  return Number.isFinite(x) && x > 0;
}

/** Keep at most `max` evenly strided points of a line, always including the first and last. */
export function strideIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const stride = (n - 1) / (max - 1);
  const out = new Set<number>();
  for (let k = 0; k < max; k++) out.add(Math.round(k * stride));
  return [...out].sort((a, b) => a - b);
}

/** Finite numbers pass; NaN/±Infinity become null so tables and JSON stay valid. */
export function num(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}
