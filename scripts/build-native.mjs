// npm "install" script: builds the native OpenBLAS addon (native/genbound.c -> build/Release/genbound.node)
// with the node-gyp that npm ships, when OpenBLAS and Node's headers are present. Otherwise it prints ONE
// line saying the pure TypeScript backend will be used, and exits 0: `npm ci` must never fail for this.
// GENBOUND_SKIP_NATIVE=1 skips the build (the TypeScript backend is then used).
import { existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const say = (why) => console.log(`genbound: ${why}; the pure TypeScript linear-algebra backend will be used`);

function findLib() {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib',
    '/opt/homebrew/opt/openblas/lib', '/usr/local/opt/openblas/lib'];
  return dirs.some((d) => existsSync(join(d, 'libopenblas.so')) || existsSync(join(d, 'libopenblas.dylib')));
}

function findNodeGyp() {
  // npm exposes its bundled node-gyp to install scripts; fall back to npm's own copy next to node.
  const candidates = [process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/share/nodejs/node-gyp/bin/node-gyp.js'];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package: fine.
  }
  return candidates.find((p) => p && existsSync(p));
}

if (process.env.GENBOUND_SKIP_NATIVE === '1') {
  say('GENBOUND_SKIP_NATIVE=1');
} else if (!findLib()) {
  say('OpenBLAS (libopenblas-dev) is not installed');
} else {
  const gyp = findNodeGyp();
  // Node's own headers (Debian's nodejs, or a tarball install) avoid any download by node-gyp.
  const prefix = join(dirname(process.execPath), '..');
  const nodedir = existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : undefined;
  if (!gyp) {
    say('node-gyp was not found');
  } else {
    const args = [gyp, 'rebuild', '--loglevel=error', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (r.status === 0 && existsSync(join(root, 'build', 'Release', 'genbound.node'))) {
      console.log('genbound: built the native OpenBLAS backend (build/Release/genbound.node)');
    } else {
      rmSync(join(root, 'build', 'Release', 'genbound.node'), { force: true });
      const why = `${r.stderr ?? ''}${r.error?.message ?? ''}`.split('\n').find((l) => /error/i.test(l))?.trim();
      say(`the native addon did not build${why ? ` (${why.slice(0, 160)})` : ''}`);
    }
  }
}
