/**
 * Where the PhoneBridge checkout is and which version it is: found by walking
 * up from this file to the package.json named "phonebridge", so it works from
 * `src/` under ts-node and from `dist/` alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface PackageInfo {
  root: string;
  version: string;
}

let cached: PackageInfo | undefined;

function readPackage(file: string): { name?: unknown; version?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as { name?: unknown; version?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

function find(): PackageInfo {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = readPackage(file);
      if (pkg?.name === 'phonebridge') return { root: dir, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
    }
    if (path.dirname(dir) === dir) throw new Error('cannot find the phonebridge package.json above ' + __dirname);
  }
}

/** The checkout's root directory (where package.json is). */
export function projectRoot(): string {
  cached ??= find();
  return cached.root;
}

/** The version from package.json. */
export function toolVersion(): string {
  cached ??= find();
  return cached.version;
}
