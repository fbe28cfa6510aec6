#!/usr/bin/env node
// Entry point. The installed package runs the compiled dist/ (no TypeScript at run time). In a
// checkout, dist/ is used only when it is at least as new as every file under src/ (so a stale
// build never runs); otherwise tsx is registered and the TypeScript sources run directly.
// A bare --version or --help is answered from package.json and the build's help text (fast-path.mjs),
// loading no command at all.
import { existsSync, readdirSync, statSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';
import { fastOutput } from './fast-path.mjs';

const root = new URL('../', import.meta.url);
const stamp = new URL('dist/.build-stamp', root);
const srcDir = fileURLToPath(new URL('src/', root));

/** The newest modification time of any file under `dir` (a path ending in /). */
function newestUnder(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = dir + e.name;
    t = Math.max(t, e.isDirectory() ? newestUnder(`${p}/`) : statSync(p).mtimeMs);
  }
  return t;
}

function distUsable() {
  if (!existsSync(srcDir)) return true; // the installed package: dist/ only
  return existsSync(stamp) && newestUnder(srcDir) <= statSync(stamp).mtimeMs;
}

/** Writes all of `text` to stdout synchronously; a closed pipe ends quietly. */
function writeAll(text) {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length;) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EPIPE') return;
      throw e;
    }
  }
}

// commander wraps the help at the terminal's width, or at 80 when stdout is not a terminal.
const fast = fastOutput(process.argv.slice(2), root, isatty(1) ? process.stdout.columns : undefined, distUsable);
if (fast !== undefined) {
  writeAll(fast);
} else {
  // `genbound ... | head`: a closed pipe ends the output quietly.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  let main;
  if (distUsable()) {
    ({ main } = await import('../dist/cli/main.js'));
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import('../src/cli/main.ts'));
  }
  await main(process.argv);
}
