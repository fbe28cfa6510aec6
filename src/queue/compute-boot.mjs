// Entry of the queue worker's compute thread: registers tsx (as bin/genbound.mjs does) so the
// TypeScript source runs directly; Node 20 does not apply --import hooks to a .ts worker entry.
import { register } from 'tsx/esm/api';
register();
await import('./compute-thread.ts');
