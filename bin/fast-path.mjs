// `genbound --version` and `genbound --help` without loading commander or any command: the version
// is read from package.json, and the help text is the one commander renders, stored per terminal
// width by the build (scripts/build.mjs -> dist/cli/help.json). Anything else, or a missing help
// file, returns undefined and the full CLI runs. test/cli/help-fast-path.test.ts checks that both
// outputs equal commander's own at every width.
import { readFileSync } from 'node:fs';

/**
 * The text to print for these arguments, or undefined when the full CLI must run. `distFresh` says
 * whether dist/ (and so its help file) matches the sources; it is asked only for --help.
 */
export function fastOutput(args, root, width, distFresh) {
  if (args.length !== 1) return undefined;
  const [a] = args;
  if (a === '--version' || a === '-V') {
    const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    return typeof version === 'string' ? `${version}\n` : undefined;
  }
  if ((a === '--help' || a === '-h') && distFresh()) return helpText(new URL('dist/cli/help.json', root), width);
  return undefined;
}

/** commander's help at this width (undefined: not a terminal, which commander renders at 80). */
export function helpText(file, width) {
  let help;
  try {
    help = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const w = width ?? 80;
  // help.texts: [fromWidth, text] in increasing fromWidth; the last one holds for every wider terminal.
  let text;
  for (const [from, t] of help.texts) if (from <= w) text = t;
  return text;
}
