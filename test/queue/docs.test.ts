/**
 * docs/distributed.md's docker-compose and Kubernetes examples are not run in CI, so this test
 * keeps them honest: every YAML block parses, every genbound command and flag they (and the
 * shell examples) use exists in the CLI, every GENBOUND_* variable they set is read by the code,
 * and every queue URL they give parses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { registerCommands } from '../../src/cli/commands.js';
import { parseQueueUrl } from '../../src/queue/url.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(ROOT, 'docs/distributed.md'), 'utf8');

function blocks(lang: string): string[] {
  return [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

function sourceText(dir: string): string {
  return readdirSync(dir).map((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sourceText(p) : p.endsWith('.ts') ? readFileSync(p, 'utf8') : '';
  }).join('\n');
}

const program = new Command();
registerCommands(program);
const GLOBAL = ['--backend', '--debug'];

/** Checks `genbound <cmd> [sub] --flags...` against the registered commands. */
function checkInvocation(args: readonly string[], where: string): void {
  let cmd: Command | undefined = program.commands.find((c) => c.name() === args[0]);
  assert.ok(cmd, `${where}: no command "${args[0]}"`);
  let i = 1;
  const sub = cmd.commands.find((c) => c.name() === args[1]);
  if (sub) {
    cmd = sub;
    i = 2;
  }
  const flags = new Set([...cmd.options.map((o) => o.long), ...GLOBAL]);
  for (const a of args.slice(i)) {
    if (a.startsWith('--')) assert.ok(flags.has(a.split('=')[0]), `${where}: ${cmd.name()} has no ${a}`);
  }
}

type Node = Record<string, unknown>;
function walk(v: unknown, f: (n: Node) => void): void {
  if (Array.isArray(v)) v.forEach((x) => walk(x, f));
  else if (v && typeof v === 'object') {
    f(v as Node);
    Object.values(v).forEach((x) => walk(x, f));
  }
}

test('docs/distributed.md: YAML parses; commands, flags, env variables and queue URLs match the code', () => {
  const yamls = blocks('yaml');
  assert.equal(yamls.length, 2, 'a docker-compose block and a Kubernetes block');
  const code = sourceText(join(ROOT, 'src'));
  const envSeen = new Set<string>();
  let workerContainers = 0;
  for (const [bi, y] of yamls.entries()) {
    const docs = parseAllDocuments(y);
    for (const d of docs) assert.deepEqual(d.errors, [], `YAML block ${bi}`);
    for (const d of docs) {
      walk(d.toJS(), (n) => {
        // docker-compose: the image's ENTRYPOINT is genbound, so command is its arguments; Kubernetes: args.
        const argv = (Array.isArray(n.args) ? n.args : Array.isArray(n.command) && n.build !== undefined ? n.command : undefined) as string[] | undefined;
        if (argv && (argv[0] === 'worker' || argv[0] === 'queue')) {
          checkInvocation(argv, `YAML block ${bi}`);
          workerContainers++;
        }
        const env = n.environment ?? n.env ?? n.stringData;
        const pairs: [string, unknown][] = Array.isArray(env)
          ? (env as { name: string; value?: unknown }[]).map((e) => [e.name, e.value])
          : env && typeof env === 'object' ? Object.entries(env) : [];
        for (const [k, v] of pairs) {
          envSeen.add(k);
          if (k === 'GENBOUND_QUEUE' && v !== undefined) assert.doesNotThrow(() => parseQueueUrl(String(v)));
        }
      });
    }
  }
  assert.equal(workerContainers, 3, 'compose worker, Deployment worker, Indexed Job worker');
  for (const k of envSeen) {
    if (k.startsWith('GENBOUND_')) assert.ok(code.includes(`'${k}'`) || code.includes(`.${k}`), `${k} is not read anywhere in src/`);
  }
  for (const k of ['GENBOUND_QUEUE', 'GENBOUND_QUEUE_LOCK_MS', 'GENBOUND_QUEUE_RETRY_SECONDS']) {
    assert.ok(doc.includes(k), `docs/distributed.md does not mention ${k}`);
  }
  // shell examples: every genbound invocation names real commands and flags, every URL parses
  for (const sh of [...blocks('sh'), ...yamls]) {
    for (const line of sh.split('\n')) {
      const m = /(?:^|\s)genbound ((?:analyze|compare|worker|queue|lab)\b[^#\n]*)/.exec(line);
      if (!m) continue;
      const argv = m[1].trim().split(/\s+/);
      checkInvocation(argv, line.trim());
      const q = argv.indexOf('--queue');
      if (q >= 0) assert.doesNotThrow(() => parseQueueUrl(argv[q + 1].replace('PASSWORD', 'x')), line);
    }
  }
});
