/**
 * PBAP folder paths for SetPhoneBook: parses `telecom/pb`, `/telecom`,
 * `..` and `pb` into components, resolves them against the current folder,
 * and plans the fewest SetPath steps (to the root, up one, down into a
 * child) from where the session is to where it should be.
 */

export type SetPathStep = { kind: 'root' } | { kind: 'up' } | { kind: 'down'; name: string };

/** Resolves `path` against `current`: a leading `/` starts at the root, `..` goes up, `.` and empty parts are ignored. */
export function resolveFolder(current: readonly string[], path: string): string[] {
  const out = path.startsWith('/') ? [] : [...current];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

/** Components of a folder given from the root (`telecom/pb` and `/telecom/pb` alike). */
export function absoluteFolder(path: string): string[] {
  return resolveFolder([], path);
}

/**
 * The SetPath steps from `from` (undefined: not known, e.g. after a failed
 * SetPath) to `to`: up to the common part and down, or to the root and
 * down, whichever is shorter.
 */
export function planSetPath(from: readonly string[] | undefined, to: readonly string[]): SetPathStep[] {
  const downFromRoot: SetPathStep[] = [{ kind: 'root' }, ...to.map((name): SetPathStep => ({ kind: 'down', name }))];
  if (from === undefined) return downFromRoot;
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common++;
  const steps: SetPathStep[] = [];
  for (let i = common; i < from.length; i++) steps.push({ kind: 'up' });
  for (let i = common; i < to.length; i++) steps.push({ kind: 'down', name: to[i] as string });
  return steps.length <= downFromRoot.length ? steps : downFromRoot;
}

/** A folder as text, `/` for the root. */
export function folderText(folder: readonly string[]): string {
  return `/${folder.join('/')}`;
}
