import { main } from '../../src/cli/main.js';

/** Runs the CLI in-process, capturing stdout/stderr and the exit code it sets. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  // Only strings are the CLI's output; the test runner's own reports (binary) pass through.
  const capture = (sink: string[], orig: typeof w1) => ((s: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof s === 'string') {
      sink.push(s);
      return true;
    }
    return (orig as (...a: unknown[]) => boolean)(s, ...rest);
  }) as typeof process.stdout.write;
  process.stdout.write = capture(out, w1);
  process.stderr.write = capture(err, w2);
  process.exitCode = 0;
  try {
    await main(['node', 'genbound', ...args]);
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, out: out.join(''), err: err.join('') };
}
