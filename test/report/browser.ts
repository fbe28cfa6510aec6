/**
 * Headless Chromium for the report tests: Debian's chromium driven by playwright-core (never a
 * downloaded browser). A missing chromium is a test FAILURE with a clear message, not a skip:
 * scripts/setup.sh installs it for the test job.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.GENBOUND_CHROMIUM ?? '/usr/bin/chromium';

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`headless Chromium not found at ${CHROMIUM}: install Debian's chromium (bash scripts/setup.sh test does) or set GENBOUND_CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export interface OpenedPage {
  page: Page;
  /** Console errors, page errors and failed/any network requests other than file://. */
  errors: string[];
  requests: string[];
}

/** Open a local HTML file, collecting console errors, page errors and non-file requests. */
export async function openReport(browser: Browser, htmlPath: string, width = 1300): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
  return { page, errors, requests };
}

export interface FigureInfo {
  name: string;
  width: number;
  height: number;
  marks: number;
  paths: number;
}

/**
 * Every figure's bounding box and how many drawn marks it has. Browser-side code is passed as a
 * string: the project compiles without the DOM lib.
 */
export async function figureInfo(page: Page): Promise<FigureInfo[]> {
  return (await page.evaluate(`Array.from(document.querySelectorAll('figure.plot')).map(function (f) {
    var svg = f.querySelector('svg');
    var box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    return {
      name: f.getAttribute('data-name') || '',
      width: box.width,
      height: box.height,
      marks: svg ? svg.querySelectorAll('g[class*="mark-"] path[d], g[class*="mark-"] rect, g[class*="mark-"] line, g[class*="mark-"] circle').length : 0,
      paths: svg ? svg.querySelectorAll('path[d]').length : 0,
    };
  })`)) as FigureInfo[];
}

/** The text of one column of a table, top to bottom. */
export async function columnText(page: Page, tableName: string, col: number): Promise<string[]> {
  const sel = JSON.stringify(`table[data-name="${tableName}"] tbody tr`);
  return (await page.evaluate(`Array.from(document.querySelectorAll(${sel})).map(function (r) { return r.cells[${col}] ? r.cells[${col}].textContent : ''; })`)) as string[];
}
