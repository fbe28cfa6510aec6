/**
 * The static site in dist/web (`npm run build:web`): the page of src/web/ with its workers, every
 * asset bundled (no CDN). The guard below fails the build when the browser entry reaches a
 * Node-only module, so the bundle stays platform-neutral by construction; the one platform module
 * swapped for the page is linalg's native-addon.ts (-> src/web/no-native-addon.ts).
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** The browser's implementation of src/linalg/native-addon.ts (no addon in a page). */
const NO_NATIVE_ADDON = fileURLToPath(new URL('./src/web/no-native-addon.ts', import.meta.url));

const NODE_ONLY = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
/** Project modules and packages that must never reach the page. */
const FORBIDDEN = [/^@resvg\//, /^cli-progress$/, /^commander$/, /^tsx/];

function nodeGuard(): Plugin {
  return {
    name: 'genbound-node-guard',
    enforce: 'pre',
    resolveId(id, importer) {
      if (!importer || importer.includes('node_modules')) return null;
      // The linalg registry names the native backend; in a page it resolves to "unavailable".
      if (/[\\/]native-addon\.js$/.test(id) && /[\\/]src[\\/]linalg[\\/]/.test(importer)) return NO_NATIVE_ADDON;
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
    // Rolldown reports slow plugins on a loaded machine; not a problem of the build.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
});
