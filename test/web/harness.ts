/**
 * The browser page under test: the web build, `genbound serve` as a child process, and Debian's
 * Chromium (playwright-core, never a downloaded browser) with a fresh profile and every request
 * to a host other than this machine blocked and recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from '../report/browser.js';
import { startFakeHub, type FakeHub } from './fake-hub.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];

/**
 * Builds dist/web with Vite in a child process (the test command builds it itself, so CI always
 * tests a fresh build); resolves when the build is done, so the caller can work meanwhile.
 */
export function buildWeb(): Promise<void> {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${out}`))));
  });
}

export interface Served {
  url: string;
  stop(): Promise<void>;
}

/** Runs `genbound serve --port 0` and waits for the URL it prints. */
export async function serve(extra: string[] = []): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin/genbound.mjs'), 'serve', '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`genbound serve printed no URL in 20 s: ${out}${err}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`genbound serve exited with ${code}: ${err}`)));
  });
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export interface Browser {
  context: BrowserContext;
  /** URLs of every request to a host other than 127.0.0.1/localhost (all were blocked). */
  offsite: string[];
  close(): Promise<void>;
}

const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`headless Chromium not found at ${CHROMIUM}: install Debian's chromium (bash scripts/setup.sh test does) or set GENBOUND_CHROMIUM`);
  const profile = mkdtempSync(join(tmpdir(), 'genbound-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1300, height: 900 }, acceptDownloads: true });
  const offsite: string[] = [];
  await context.route('**/*', async (route) => {
    const u = new URL(route.request().url());
    if ((u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'ws:' || u.protocol === 'wss:') && !LOCAL.has(u.hostname)) {
      offsite.push(u.href);
      await route.abort('blockedbyclient');
      return;
    }
    await route.continue();
  });
  context.on('request', (r) => {
    const u = new URL(r.url());
    if (!['blob:', 'data:'].includes(u.protocol) && !LOCAL.has(u.hostname) && !offsite.includes(u.href)) offsite.push(u.href);
  });
  return {
    context,
    offsite,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page with its console errors and page errors collected. */
export async function openPage(b: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await b.context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors };
}

/** Waits until the page leaves the running state; returns the state it ended in. */
export async function settled(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForFunction(`document.body.dataset.state !== 'running' && document.body.dataset.state !== 'idle'`, undefined, { timeout });
  return (await page.evaluate('document.body.dataset.state')) as string;
}

/** The text of a download link on the page (a blob: URL made by the page). */
export async function downloadText(page: Page, name: string): Promise<string> {
  return (await page.evaluate(`fetch(document.querySelector('a.download[download=${JSON.stringify(name)}]').href).then(function (r) { return r.text(); })`)) as string;
}

/** Drops files (name -> bytes) onto the drop zone as a real DataTransfer, as a user's drag would. */
export async function dropFiles(page: Page, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  const dt = await page.evaluateHandle(`(function (files) {
    var dt = new DataTransfer();
    files.forEach(function (f) {
      var bin = atob(f.b64), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name));
    });
    return dt;
  })(${JSON.stringify(payload)})`);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'genbound-web-'));
}

/** What a page test file runs against; close() stops and removes all of it. */
export interface WebSession {
  /** A temporary folder for the test's models and the CLI's JSON. */
  dir: string;
  hub: FakeHub;
  served: Served;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * The web build (in the background while `prepare` writes the models into the session's folder),
 * a local stand-in hub serving `hubModels` (id -> folder), `genbound serve` pointing the page at
 * that hub, and Chromium.
 */
export async function startWebSession(prepare: (dir: string) => Promise<void>, hubModels: (dir: string) => Record<string, string>): Promise<WebSession> {
  const built = buildWeb();
  const dir = tempDir();
  const session: Partial<WebSession> = { dir };
  const close = async (): Promise<void> => {
    await session.browser?.close();
    await session.served?.stop();
    await session.hub?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await prepare(dir);
    await built;
    session.hub = await startFakeHub(hubModels(dir));
    session.served = await serve(['--hub-endpoint', session.hub.endpoint]);
    session.browser = await launchBrowser();
  } catch (err) {
    await built.catch(() => undefined);
    await close();
    throw err;
  }
  return { dir, hub: session.hub, served: session.served, browser: session.browser, close };
}
