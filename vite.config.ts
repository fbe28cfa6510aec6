/**
 * The static site in dist/web (`npm run build:web`): the page of src/web/ with its workers, every
 * asset bundled (no CDN). The guard below fails the build when the browser entry reaches a
 * Node-only module, so the bundle stays platform-neutral by construction.
 */
import { builtinModules } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

const NODE_ONLY = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
/** Project modules and packages that must never reach the page. */
const FORBIDDEN = [/[\\/]native-addon(\.js|\.ts)?$/, /^@resvg\//, /^cli-progress$/, /^commander$/, /^tsx/];

function nodeGuard(): Plugin {
  return {
    name: 'genbound-node-guard',
    enforce: 'pre',
    resolveId(id, importer) {
      if (!importer || importer.includes('node_modules')) return null;
      if (NODE_ONLY.has(id) || FORBIDDEN.some((re) => re.test(id))) {
        this.error(`${id} is Node-only but ${importer} imports it: the browser entry must reach platform-neutral code only`);
      }
      return null;
    },
  };
}

export default defineConfig({
  root: 'src/web',
  base: './',
  logLevel: 'warn',
  plugins: [nodeGuard()],
  worker: { format: 'es', plugins: () => [nodeGuard()] },
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
});
