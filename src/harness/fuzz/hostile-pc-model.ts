/**
 * The model of the `hostile-pc` fuzz campaign: what the hostile PC knows of
 * its own links (connected, secured, subscribed, OBEX Connection IDs and
 * folders, SLC) and of the user's switches on the phone, and the rules that
 * say which OBEX response code each request must get from the phone's
 * PBAP and MAP servers. The rules come from the OBEX, PBAP and MAP specs
 * and the profile's documented choices, not from the phone's code.
 */
import { ResponseCode } from '../../protocol/obex';
import type { PhoneProfile } from '../../sim-phone/profile';

export class HostilePcFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostilePcFailure';
  }
}

/** One OBEX server session as the hostile PC sees it. */
export interface ObexSessionModel {
  open: boolean;
  /** Connection ID of the current OBEX connection, if one is up. */
  cid: number | undefined;
  /** The ID the next successful Connect gets (the server counts from 1 per channel). */
  nextCid: number;
  /** The connection was made with a Target: every operation must carry the Connection ID. */
  targeted: boolean;
  path: string[];
}

export interface HostileModel {
  readonly profile: PhoneProfile;
  // ANCS
  gatt: boolean;
  /** The PC and the phone share a bond (it outlives connections). */
  bonded: boolean;
  /** Paired (or re-encrypted with the bond) on the current connection. */
  secure: boolean;
  /** The user lets this PC see notifications (always true where the profile does not ask). */
  shared: boolean;
  ns: boolean;
  ds: boolean;
  // PBAP and MAP
  syncContacts: boolean;
  /** The user lets this PC see messages ("Show Message Notifications"). */
  messages: boolean;
  pbap: ObexSessionModel;
  mas: ObexSessionModel;
  registered: boolean;
  // HFP
  hfOpen: boolean;
  slc: boolean;
  cmee: boolean;
}

export const closedSession = (): ObexSessionModel => ({ open: false, cid: undefined, nextCid: 1, targeted: false, path: [] });

export function initialModel(profile: PhoneProfile): HostileModel {
  return {
    profile,
    gatt: false,
    bonded: false,
    secure: false,
    shared: true,
    ns: false,
    ds: false,
    syncContacts: true,
    messages: true,
    pbap: closedSession(),
    mas: closedSession(),
    registered: false,
    hfOpen: false,
    slc: false,
    cmee: false,
  };
}

/** Which Connection ID a request carries. */
export type CidChoice = 'right' | 'wrong' | 'none';

/** The Connection ID value to put in a request, or undefined for none. */
export function cidValue(choice: CidChoice, session: ObexSessionModel): number | undefined {
  if (choice === 'none') return undefined;
  if (choice === 'right') return session.cid ?? 0x7fff_0001;
  return (session.cid ?? 0) + 0x1000;
}

/**
 * The generic OBEX gate every request other than Connect and Abort passes
 * first: a Connection ID that is not ours, or none after a targeted
 * Connect, is Service Unavailable; so is anything but Disconnect before a
 * Connect (the servers require one). Undefined: the request gets through.
 */
export function obexGate(choice: CidChoice, session: ObexSessionModel, disconnect: boolean): number | undefined {
  const cid = cidValue(choice, session);
  const fits = cid !== undefined ? cid === session.cid : !session.targeted;
  if (!fits) return ResponseCode.ServiceUnavailable;
  if (disconnect) return undefined;
  if (session.cid === undefined) return ResponseCode.ServiceUnavailable;
  return undefined;
}

/** Folders of the PBAP tree the campaign names (local phone book only). */
const PBAP_FOLDERS = new Set(['', 'telecom', 'telecom/pb', 'telecom/ich', 'telecom/och', 'telecom/mch', 'telecom/cch']);
/** Folders of the MAP tree the campaign names. */
const MAP_FOLDERS = new Set(['', 'telecom', 'telecom/msg', 'telecom/msg/inbox', 'telecom/msg/outbox', 'telecom/msg/deleted']);

/** True when `path` ('a/b', '' for the root) names a folder of the MAP tree the campaign knows. */
export const mapFolderExists = (path: string): boolean => MAP_FOLDERS.has(path);

export type SetPathOutcome = { code: number; path: string[] };

/** SetPath in a folder tree: up (Backup) then into `name`; no name and no Backup is the root. */
export function setPathIn(tree: 'pbap' | 'map', path: readonly string[], up: boolean, name: string | undefined): SetPathOutcome {
  const folders = tree === 'pbap' ? PBAP_FOLDERS : MAP_FOLDERS;
  let next = [...path];
  if (up) {
    if (next.length === 0) return { code: ResponseCode.NotFound, path: [...path] };
    next.pop();
  } else if (name === undefined || name === '') {
    return { code: ResponseCode.Success, path: [] };
  }
  if (name === undefined || name === '') return { code: ResponseCode.Success, path: next };
  if (name.includes('/') || name.includes('\\') || name === '.' || name === '..') return { code: ResponseCode.BadRequest, path: [...path] };
  next = [...next, name.toLowerCase()];
  return folders.has(next.join('/')) ? { code: ResponseCode.Success, path: next } : { code: ResponseCode.NotFound, path: [...path] };
}

/** Response codes that end a request; Continue means a body follows in more packets. */
export const ENDS = new Set<number>([
  ResponseCode.Success,
  ResponseCode.BadRequest,
  ResponseCode.Forbidden,
  ResponseCode.NotFound,
  ResponseCode.NotAcceptable,
  ResponseCode.NotImplemented,
  ResponseCode.ServiceUnavailable,
  ResponseCode.RequestEntityTooLarge,
]);

export const codeName = (code: number | undefined): string => (code === undefined ? 'none' : `0x${code.toString(16).toUpperCase()}`);

export const describeCodes = (codes: ReadonlySet<number>): string => [...codes].map(codeName).join(' or ');
