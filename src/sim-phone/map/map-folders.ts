/**
 * The MAS folder tree (root -> telecom -> msg -> inbox, outbox, sent,
 * deleted) and moving through it: SetPath (to the root, up one level, down
 * one level), resolving a request's relative Name to a folder, and the
 * children a folder listing shows. Names compare without case; paths are
 * kept in lower case.
 */
import { MESSAGE_FOLDERS, type MessageFolder } from './message-store';

/** A folder as its names from the root; [] is the root. */
export type MapFolderPath = readonly string[];

const TELECOM = 'telecom';
const MSG = 'msg';
/** Longest Name a request may carry (characters); longer is a bad request. */
const MAX_NAME_LENGTH = 255;

/** The children of a folder, or undefined when the path names no folder. */
export function childFolders(path: MapFolderPath): readonly string[] | undefined {
  if (path.length === 0) return [TELECOM];
  if (path.length === 1 && path[0] === TELECOM) return [MSG];
  if (path.length === 2 && path[0] === TELECOM && path[1] === MSG) return MESSAGE_FOLDERS;
  if (path.length === 3 && messageFolderOf(path) !== undefined) return [];
  return undefined;
}

/** The message folder a path names (telecom/msg/<folder>), if any. */
export function messageFolderOf(path: MapFolderPath): MessageFolder | undefined {
  if (path.length !== 3 || path[0] !== TELECOM || path[1] !== MSG) return undefined;
  const leaf = path[2];
  return MESSAGE_FOLDERS.find((f) => f === leaf);
}

/** The path of a message folder. */
export function messageFolderPath(folder: MessageFolder): MapFolderPath {
  return [TELECOM, MSG, folder];
}

export type SetPathResult = { ok: true; path: MapFolderPath } | { ok: false; reason: 'bad-name' | 'not-found' };

/**
 * One SetPath: `up` backs up a level first (an error at the root); then a
 * non-empty `name` goes down into that child. No name and no `up` (or an
 * empty Name) goes to the root. Only one level at a time: a Name with '/'
 * is a bad name.
 */
export function setPath(current: MapFolderPath, up: boolean, name: string | undefined): SetPathResult {
  let path = [...current];
  if (up) {
    if (path.length === 0) return { ok: false, reason: 'not-found' };
    path.pop();
  } else if (name === undefined || name === '') {
    return { ok: true, path: [] };
  }
  if (name === undefined || name === '') return { ok: true, path };
  if (!isPlainName(name)) return { ok: false, reason: 'bad-name' };
  const child = findChild(path, name);
  if (child === undefined) return { ok: false, reason: 'not-found' };
  path = [...path, child];
  return { ok: true, path };
}

export type ResolveResult = { ok: true; path: MapFolderPath } | { ok: false; reason: 'bad-name' | 'not-found' };

/**
 * A folder named relative to `current`: '' (or none) is `current` itself;
 * otherwise one or more child names separated by '/' (e.g. `outbox`, or
 * `msg/outbox` from telecom). No '..', no empty segments.
 */
export function resolveFolder(current: MapFolderPath, name: string | undefined): ResolveResult {
  if (name === undefined || name === '') return childFolders(current) === undefined ? { ok: false, reason: 'not-found' } : { ok: true, path: current };
  if (name.length > MAX_NAME_LENGTH) return { ok: false, reason: 'bad-name' };
  const segments = name.split('/');
  if (segments.some((s) => !isPlainName(s))) return { ok: false, reason: 'bad-name' };
  let path = [...current];
  for (const segment of segments) {
    const child = findChild(path, segment);
    if (child === undefined) return { ok: false, reason: 'not-found' };
    path = [...path, child];
  }
  return { ok: true, path };
}

/** The path as text, e.g. `telecom/msg/inbox` ('' at the root). */
export function folderText(path: MapFolderPath): string {
  return path.join('/');
}

function findChild(path: MapFolderPath, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return childFolders(path)?.find((c) => c === wanted);
}

/** One folder name: non-empty, no '/', not '.' or '..', no control characters, not too long. */
function isPlainName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_NAME_LENGTH &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('/') &&
    !/[\u0000-\u001f\u007f]/.test(name)
  );
}
