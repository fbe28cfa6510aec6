/**
 * A second process for the concurrency test of hub-hostile.test.ts: downloads one hub id into
 * a given cache and prints the snapshot folder, or one line on stderr and exit code 1.
 */
import { downloadModel } from '../../src/io/hub.js';

const [endpoint, cacheHome, id] = process.argv.slice(2);
downloadModel(id, { endpoint, cacheHome, progress: false, timeouts: { etagMs: 5000, downloadMs: 5000, stallMs: 5000, deadlineMs: 20_000 } }).then(
  (dir) => process.stdout.write(dir),
  (err: Error) => {
    process.stderr.write(`genbound: ${err.message}\n`);
    process.exitCode = 1;
  },
);
