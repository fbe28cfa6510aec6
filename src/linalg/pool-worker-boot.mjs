// Entry of SpectralPool's worker threads: registers tsx (as bin/genbound.mjs does) so the worker's
// TypeScript source runs directly; Node 20 does not apply --import hooks to a .ts worker entry.
import { register } from 'tsx/esm/api';
register();
await import('./pool-worker.ts');
