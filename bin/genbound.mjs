#!/usr/bin/env node
// Entry point. The installed package runs the compiled dist/ (no TypeScript at run time). In a
// checkout, dist/ is used only when it is at least as new as every file under src/ (so a stale
// build never runs); otherwise tsx is registered and the TypeScript sources run directly.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const stamp = new URL('dist/.build-stamp', root);
const srcDir = new URL('src/', root);

function newestUnder(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    t = Math.max(t, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return t;
}

function distUsable() {
  if (!existsSync(srcDir)) return true; // the installed package: dist/ only
  return existsSync(stamp) && newestUnder(srcDir) <= statSync(stamp).mtimeMs;
}

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
