/**
 * The lockfile of an empty consumer project that depends on the packed genbound tarball, so that
 * `npm install --offline` can install it from npm's cache alone.
 *
 * Why a lockfile: `npm ci` (how this repository and CI install) fetches tarballs straight from the
 * lockfile and caches only them, not the registry's package documents; resolving the tarball's
 * semver ranges afresh needs those documents, so a bare `npm install --offline genbound.tgz` ends in
 * ENOTCACHED. A consumer lockfile pinning the same versions (taken from this repository's
 * package-lock.json: genbound's runtime dependency closure, peers included) lets npm install every
 * package from the cached tarballs, checked against the lockfile's integrity hashes, with no network.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [k: string]: unknown;
}

interface PackageJson {
  name: string;
  version: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

/**
 * package.json and package-lock.json for a consumer of `tarball` (a path relative to the consumer),
 * depending also on `extra` packages of this repository's lockfile (e.g. typescript, @types/node).
 */
export function consumerProject(repo: string, tarball: string, extra: readonly string[]): { packageJson: object; lock: object } {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as PackageJson;
  const packages = (JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  /** Where node would find `name` from the package at `from` (its own node_modules, then up). */
  const locate = (from: string, name: string): string | undefined => {
    for (let base = from; ; base = base.includes('/node_modules/') ? base.slice(0, base.lastIndexOf('/node_modules/')) : '') {
      const at = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (packages[at]) return at;
      if (!base) return undefined;
    }
  };
  const locked: Record<string, LockEntry> = {};
  const visit = (at: string): void => {
    if (locked[at]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = packages[at];
    locked[at] = entry;
    const optional = new Set([...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([k]) => k)]);
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) {
      const found = locate(at, name);
      if (found) visit(found);
      else if (!optional.has(name)) throw new Error(`package-lock.json has no ${name} for ${at}`);
    }
  };
  for (const name of [...Object.keys(pkg.dependencies), ...extra]) visit(`node_modules/${name}`);
  const dependencies: Record<string, string> = { genbound: `file:${tarball}` };
  for (const name of extra) dependencies[name] = String(packages[`node_modules/${name}`].version);
  // genbound's own install script builds the native addon; the dependencies' scripts are allowed or
  // not as in this repository.
  const allowScripts: Record<string, boolean> = { genbound: true };
  for (const [name, ok] of Object.entries(pkg.allowScripts ?? {})) if (locked[`node_modules/${name}`]) allowScripts[name] = ok;
  const packageJson = { name: 'consumer', private: true, type: 'module', dependencies, allowScripts };
  const lock = {
    name: 'consumer',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'consumer', dependencies },
      'node_modules/genbound': { version: pkg.version, resolved: `file:${tarball}`, license: pkg.license, dependencies: pkg.dependencies, hasInstallScript: true, bin: pkg.bin, engines: pkg.engines },
      ...locked,
    },
  };
  return { packageJson, lock };
}
