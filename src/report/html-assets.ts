/** Inline CSS and JS of the HTML report (kept here so html.ts stays about structure). */

export const REPORT_CSS = `
:root { --fg:#222; --dim:#666; --line:#ddd; --accent:#1f5fa8; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: var(--fg); margin: 0; line-height: 1.45; }
header { padding: 1.2em 2em .6em; border-bottom: 1px solid var(--line); background: #fafafa; }
h1 { margin: 0 0 .2em; font-size: 1.5em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .5em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
.subtitle, .dim, footer { color: var(--dim); }
.dim { font-size: .85em; font-weight: normal; }
nav ul { list-style: none; padding: 0; margin: .4em 0 0; display: flex; flex-wrap: wrap; gap: .3em 1.2em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
main { padding: 0 2em 2em; max-width: 1400px; }
figure { margin: 1em 0 1.6em; }
figcaption { font-weight: bold; margin-bottom: .4em; }
figure.plot .svg { overflow-x: auto; }
figure.plot svg { max-width: none; height: auto; display: block; }
.caption { color: var(--dim); font-size: .9em; margin: .3em 0 0; max-width: 60em; }
.scroll { max-height: 28em; overflow: auto; border: 1px solid var(--line); display: inline-block; max-width: 100%; }
table { border-collapse: collapse; font-size: .85em; }
th, td { padding: .25em .6em; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable thead th { position: sticky; top: 0; background: #f3f3f3; cursor: pointer; user-select: none; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; }
table.kv th { background: none; font-weight: normal; color: var(--dim); }
footer { padding: 1em 2em; font-size: .8em; border-top: 1px solid var(--line); }
`;

/**
 * Sortable tables: click a header to sort by that column (numbers by value via data-v, text
 * with a numeric-aware collation, empty cells last); click again to reverse.
 */
export const SORT_SCRIPT = `
(function () {
  function key(td) {
    if (!td) return null;
    var v = td.getAttribute('data-v');
    if (v !== null && v !== '') return Number(v);
    var t = td.textContent || '';
    return t === '' ? null : t;
  }
  function cmp(a, b) {
    if (a === null) return b === null ? 0 : 1;
    if (b === null) return -1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var ths = table.querySelectorAll('thead th');
    ths.forEach(function (th, col) {
      th.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        ths.forEach(function (o) { o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var a = key(r1.cells[col]), b = key(r2.cells[col]);
          if (a === null || b === null) return cmp(a, b);
          return dir * cmp(a, b);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
`;
