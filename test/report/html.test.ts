import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHtmlReport, formatCell, formatSetting, escapeHtml, type Report } from '../../src/report/html.js';
import { renderSvg, renderPng, prefixSvgIds, type VegaLiteSpec } from '../../src/report/vega.js';
import { GenboundError, BadOptionError } from '../../src/errors.js';
import { launch, openReport, figureInfo, columnText } from './browser.js';
import { pngInflate, pngSize, svgSize } from './png.js';

const line: VegaLiteSpec = {
  width: 200,
  height: 120,
  data: { values: [1, 2, 3, 4, 5].map((x) => ({ x, y: 10 ** -x, g: x % 2 ? 'odd' : 'even' })) },
  mark: { type: 'line', point: true },
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', scale: { type: 'log' } } },
};
const heat: VegaLiteSpec = {
  data: { values: [0, 1, 2].flatMap((l) => [0, 1].map((h) => ({ l, h, v: l + h + 1 }))) },
  mark: 'rect',
  encoding: { x: { field: 'h', type: 'ordinal' }, y: { field: 'l', type: 'ordinal' }, color: { field: 'v', type: 'quantitative' } },
};

function sample(): Report {
  return {
    title: 'Sample <report>',
    subtitle: 'a & b',
    settings: { convention: 'consistent', gridM: 7, nested: { a: 1 } },
    notes: ['first note'],
    sections: [
      { title: 'Lines', text: 'para one\n\npara two', figures: [{ name: 'decay', title: 'Decay', spec: line, caption: 'log scale' }] },
      {
        title: 'Heat',
        figures: [{ name: 'heat', title: 'Heat', spec: heat }],
        tables: [{ name: 'tab', title: 'Values', columns: ['name', 'value'], rows: [['b', 10], ['a', 2], ['c', null], ['d', 1e-7]] }],
      },
    ],
  };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'genbound-report-'));
}

test('renderSvg draws marks with the figure font and no external references', async () => {
  const svg = await renderSvg(line);
  assert.match(svg, /^<svg /);
  assert.match(svg, /DejaVu Sans/);
  assert.ok((svg.match(/<path/g) ?? []).length >= 2, 'line and points drawn');
  assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org)/);
  const { width, height } = svgSize(svg);
  assert.ok(width > 200 && height > 120, `axes add room around the 200x120 plot, got ${width}x${height}`);
});

test('renderSvg refuses specs that need the network and specs that do not compile', async () => {
  await assert.rejects(renderSvg({ data: { url: 'https://example.com/x.json' }, mark: 'point' }), GenboundError);
  await assert.rejects(renderSvg({ mark: 'nonsense' } as unknown as VegaLiteSpec), GenboundError);
});

test('renderPng produces a decodable PNG at twice the SVG size', async () => {
  const svg = await renderSvg(line);
  const png = renderPng(svg);
  const s = svgSize(svg);
  const { width, height, raw } = pngInflate(png);
  assert.equal(width, Math.round(2 * s.width));
  assert.equal(height, Math.round(2 * s.height));
  assert.ok(new Set(raw).size > 10, 'not a blank image');
  assert.equal(pngSize(renderPng(svg, { scale: 1 })).width, Math.round(s.width));
});

test('prefixSvgIds rewrites ids and their references', () => {
  assert.equal(prefixSvgIds('<g id="clip1"/><path clip-path="url(#clip1)"/><use href="#clip1"/>', 'f-'), '<g id="f-clip1"/><path clip-path="url(#f-clip1)"/><use href="#f-clip1"/>');
});

test('formatCell and escapeHtml', () => {
  assert.equal(formatCell(null), '');
  assert.equal(formatCell(12), '12');
  assert.equal(formatCell(0.123456789), '0.123457');
  assert.equal(formatCell(1.5e-7), '1.5000e-7');
  assert.equal(formatSetting([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]), '[0, 0.5, 1, …, 4] (9 values)');
  assert.equal(formatSetting({ a: [1, 2] }), '{"a":[1,2]}');
  assert.equal(escapeHtml('<a href="x">&</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
});

test('writeHtmlReport writes index.html, SVGs and PNGs', async () => {
  const dir = join(tmp(), 'out');
  const files = await writeHtmlReport(dir, sample(), { png: true });
  assert.deepEqual(readdirSync(join(dir, 'figures')).sort(), ['decay.png', 'decay.svg', 'heat.png', 'heat.svg']);
  assert.equal(files.svgs.length, 2);
  assert.equal(files.pngs.length, 2);
  const html = readFileSync(files.html, 'utf8');
  assert.match(html, /<title>Sample &lt;report&gt;<\/title>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2, 'both figures inline');
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)="https?:/);
  assert.match(html, /<p>para one<\/p>\s*<p>para two<\/p>/);
  for (const p of files.pngs) pngInflate(readFileSync(p));
  assert.deepEqual(readdirSync(join(dir, '..')), ['out'], 'no temporary directory left');
});

test('a failing figure leaves nothing behind; an existing report is replaced whole; a folder with other files is refused', async () => {
  const root = tmp();
  const dir = join(root, 'rep');
  const bad = sample();
  bad.sections[1].figures.push({ name: 'bad', title: 'bad', spec: { mark: 'nonsense' } as unknown as VegaLiteSpec });
  await assert.rejects(writeHtmlReport(dir, bad), GenboundError);
  assert.deepEqual(readdirSync(root), []);

  mkdirSync(join(dir, 'figures'), { recursive: true });
  writeFileSync(join(dir, 'figures', 'stale.svg'), 'old');
  writeFileSync(join(dir, 'keep.txt'), 'mine');
  await assert.rejects(writeHtmlReport(dir, sample()), /report directory .*rep holds "keep\.txt", which genbound did not write; the report replaces the whole folder/);
  assert.equal(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'mine', 'nothing touched');
  rmSync(join(dir, 'keep.txt'));
  await writeHtmlReport(dir, sample());
  assert.deepEqual(readdirSync(dir).sort(), ['figures', 'index.html']);
  assert.deepEqual(readdirSync(join(dir, 'figures')).sort(), ['decay.svg', 'heat.svg'], 'the old figures went with the old report');
  await assert.rejects(writeHtmlReport(dir, bad), GenboundError);
  assert.ok(existsSync(join(dir, 'figures', 'heat.svg')), 'previous report intact after a failure');
  assert.deepEqual(readdirSync(root), ['rep'], 'no .rep.tmp-* or .rep.old-* left');
});

test('bad names, duplicate names, ragged tables and a file as DIR are refused', async () => {
  const root = tmp();
  const r1 = sample();
  r1.sections[0].figures[0].name = '../evil';
  await assert.rejects(writeHtmlReport(join(root, 'a'), r1), BadOptionError);
  const r2 = sample();
  r2.sections[1].figures[0].name = 'decay';
  await assert.rejects(writeHtmlReport(join(root, 'a'), r2), /used twice/);
  const r3 = sample();
  r3.sections[1].tables![0].rows.push(['x']);
  await assert.rejects(writeHtmlReport(join(root, 'a'), r3), /row 4 has 1 cells/);
  writeFileSync(join(root, 'f'), '');
  await assert.rejects(writeHtmlReport(join(root, 'f'), sample()), /not a directory/);
});

test('generic report in headless Chromium: no errors, figures drawn, tables sort', async () => {
  const dir = join(tmp(), 'out');
  const files = await writeHtmlReport(dir, sample());
  const browser = await launch();
  try {
    const { page, errors, requests } = await openReport(browser, files.html);
    const figs = await figureInfo(page);
    assert.deepEqual(figs.map((f) => f.name), ['decay', 'heat']);
    for (const f of figs) {
      assert.ok(f.width > 100 && f.height > 50, `${f.name} has a sensible size ${f.width}x${f.height}`);
      assert.ok(f.marks > 0, `${f.name} has marks`);
    }
    assert.deepEqual(await columnText(page, 'tab', 0), ['b', 'a', 'c', 'd']);
    await page.click('table[data-name="tab"] th[data-col="1"]');
    assert.deepEqual(await columnText(page, 'tab', 0), ['d', 'a', 'b', 'c'], 'ascending by value, empty last');
    await page.click('table[data-name="tab"] th[data-col="1"]');
    assert.deepEqual(await columnText(page, 'tab', 0), ['b', 'a', 'd', 'c'], 'descending, empty still last');
    await page.click('table[data-name="tab"] th[data-col="0"]');
    assert.deepEqual(await columnText(page, 'tab', 0), ['a', 'b', 'c', 'd']);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
  }
});
