/**
 * The reports of `genbound analyze --report DIR` and `genbound compare --report DIR`, built by
 * analysis-build.ts and written by writeHtmlReport.
 */
import type { AnalysisResult, CompareResult } from '../types/analysis.js';
import { writeHtmlReport, type HtmlReportFiles, type HtmlReportOptions } from './html.js';
import { buildAnalysisReport, buildCompareReport, type AnalysisReportBuildOptions } from './analysis-build.js';

export { buildAnalysisReport, buildCompareReport, CONVENTION_NOTE, PROXY_NOTE } from './analysis-build.js';

export interface AnalysisReportOptions extends HtmlReportOptions, AnalysisReportBuildOptions {}

/** Write the HTML report of one analysis to DIR (index.html, figures/*.svg, and PNGs with png). */
export async function writeAnalysisReport(dir: string, result: AnalysisResult, opts: AnalysisReportOptions = {}): Promise<HtmlReportFiles> {
  return writeHtmlReport(dir, buildAnalysisReport(result, opts), opts);
}

/** Write the HTML report of a comparison to DIR. */
export async function writeCompareReport(dir: string, result: CompareResult, opts: AnalysisReportOptions = {}): Promise<HtmlReportFiles> {
  return writeHtmlReport(dir, buildCompareReport(result, opts), opts);
}
