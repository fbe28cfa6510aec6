/**
 * The page: what the user drops, picks or types becomes models; each is analysed in the worker
 * pool (runner.ts), one after the other; one model shows its analysis, several their comparison.
 */
import './style.css';
import { growthView } from '../analysis/compare.js';
import { DEFAULT_LPHI } from '../bounds/spectrum-adaptive.js';
import { DEFAULT_RANK_TOL } from '../measures/rank.js';
import { REPORT_CSS } from '../report/html-assets.js';
import type { AnalysisResult } from '../types/analysis.js';
import { modelsFromDrop, modelsFromInput } from './drop.js';
import type { ModelInput, WebSettings } from './protocol.js';
import { clearResults, showAnalysis, showComparison } from './results.js';
import { Cancelled, defaultWorkers, Run } from './runner.js';

// The report's own look, so the page and the downloaded report read alike.
const css = document.createElement('style');
css.textContent = REPORT_CSS;
document.head.prepend(css);

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const drop = $<HTMLDivElement>('drop');
const status = $<HTMLParagraphElement>('status');
const notices = $<HTMLUListElement>('notices');
const progress = $<HTMLProgressElement>('progress');
const progressLabel = $<HTMLSpanElement>('progress-label');
const results = $<HTMLElement>('results');
const endpointMeta = document.querySelector('meta[name="genbound-hub-endpoint"]')?.getAttribute('content') ?? 'https://huggingface.co';

$<HTMLInputElement>('hub-endpoint').value = endpointMeta;
$<HTMLInputElement>('rank-tol').value = String(DEFAULT_RANK_TOL);
$<HTMLInputElement>('lphi').value = String(DEFAULT_LPHI);
$<HTMLInputElement>('workers').value = String(defaultWorkers());

let current: Run | undefined;

function setState(state: 'idle' | 'running' | 'done' | 'error' | 'cancelled', text: string): void {
  document.body.dataset.state = state;
  status.textContent = text;
  status.className = state === 'error' ? 'error' : '';
  $<HTMLElement>('run').hidden = state !== 'running';
}

function number(id: string, what: string, ok: (x: number) => boolean): number {
  const v = $<HTMLInputElement>(id).value.trim();
  const x = Number(v);
  if (v === '' || !Number.isFinite(x) || !ok(x)) throw new Error(`${what} must be ${id === 'workers' ? 'a whole number from 1 to 16' : id === 'heads' ? 'a positive whole number' : 'a non-negative number'} (got ${JSON.stringify(v)})`);
  return x;
}

function settings(): WebSettings {
  const convention = $<HTMLSelectElement>('convention').value === 'reference' ? 'reference' : 'consistent';
  const heads = $<HTMLInputElement>('heads').value.trim();
  return {
    convention,
    lPhi: number('lphi', 'L_phi', (x) => x > 0),
    rankTol: number('rank-tol', 'the rank tolerance', (x) => x >= 0),
    heads: heads === '' ? undefined : number('heads', 'heads', (x) => Number.isInteger(x) && x >= 1),
    headL11: $<HTMLInputElement>('head-l11').checked,
  };
}

function modelName(m: ModelInput): string {
  return m.kind === 'hub' ? m.id : m.name;
}

async function analyse(models: ModelInput[]): Promise<void> {
  if (models.length === 0) return;
  if (current) current.cancel();
  let s: WebSettings;
  let workers: number;
  try {
    s = settings();
    workers = number('workers', 'workers', (x) => Number.isInteger(x) && x >= 1 && x <= 16);
  } catch (err) {
    setState('error', `genbound: ${(err as Error).message}`);
    return;
  }
  const run = new Run(workers);
  current = run;
  clearResults(results);
  notices.replaceChildren();
  const out: AnalysisResult[] = [];
  const t0 = performance.now();
  setState('running', `analysing ${models.map(modelName).join(', ')}`);
  try {
    for (const [i, m] of models.entries()) {
      const prefix = models.length > 1 ? `model ${i + 1}/${models.length} (${modelName(m)}): ` : '';
      progress.value = 0;
      progressLabel.textContent = `${prefix}opening`;
      out.push(await run.analyze(m, s, (done, total, label) => {
        progress.max = total;
        progress.value = done;
        progressLabel.textContent = `${prefix}${done}/${total} ${label}`;
      }, (line) => {
        const li = document.createElement('li');
        li.textContent = `genbound: ${line}`;
        notices.append(li);
      }));
    }
    const seconds = (performance.now() - t0) / 1000;
    document.body.dataset.seconds = seconds.toFixed(3);
    if (out.length === 1) await showAnalysis(results, out[0]);
    else await showComparison(results, growthView(models.map(modelName), out), models.map(modelName));
    setState('done', `analysed ${models.length === 1 ? modelName(models[0]) : `${models.length} models`} in ${seconds.toFixed(1)} s with ${workers} worker${workers > 1 ? 's' : ''}`);
  } catch (err) {
    if (err instanceof Cancelled) setState('cancelled', 'cancelled; drop a model to start again');
    else setState('error', `genbound: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (current === run) current = undefined;
  }
}

function fail(err: unknown): void {
  setState('error', `genbound: ${err instanceof Error ? err.message : String(err)}`);
}

$<HTMLButtonElement>('cancel').addEventListener('click', () => current?.cancel());
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  if (e.dataTransfer) modelsFromDrop(e.dataTransfer).then(analyse, fail);
});
for (const id of ['pick-files', 'pick-folder']) {
  const input = $<HTMLInputElement>(id);
  input.addEventListener('change', () => {
    try {
      const models = input.files ? modelsFromInput(input.files) : [];
      input.value = '';
      void analyse(models);
    } catch (err) {
      fail(err);
    }
  });
}
$<HTMLFormElement>('hub').addEventListener('submit', (e) => {
  e.preventDefault();
  const raw = $<HTMLInputElement>('hub-id').value.trim();
  const revision = $<HTMLInputElement>('hub-revision').value.trim() || 'main';
  const endpoint = $<HTMLInputElement>('hub-endpoint').value.trim().replace(/\/+$/, '');
  void analyse([{ kind: 'hub', id: raw, revision, endpoint }]);
});
