// Runs every bench/*.bench.ts in turn (or those whose path contains an argument). Arguments from
// the first one starting with '--' on are passed to each bench run:
//   npm run bench -- hostile --only scale-10MB
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const split = args.findIndex((a) => a.startsWith('--'));
const filters = split < 0 ? args : args.slice(0, split);
const passed = split < 0 ? [] : args.slice(split);
const files = readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${f}`, ...passed], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
