/**
 * Phone profiles: everything that makes one simulated phone behave unlike
 * another (link timing, ANCS, PBAP, MAP and HFP policy, installed apps, its
 * BR/EDR identity) as data in
 * `fixtures/phones/<id>.json`. This file defines the typed `PhoneProfile`,
 * validates the JSON field by field and loads a profile by name or path.
 * A profile may start from another (`"extends": "iphone"`): the base's JSON
 * is merged under it (objects deep, arrays and other values replaced) before
 * the usual validation.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ClassicLinkModel, checkClassicModel } from '../link/classic-model';
import { BleLinkModel, checkBleModel } from '../link/link-model';
import { ProfileError } from './errors';
import { type HfpProfile, parseHfpProfile } from './hfp/hfp-profile';
import { type MapProfile, parseMapProfile } from './map/map-profile';
import { type HostileProfile, parseHostileProfile } from './hostile/hostile-profile';
import {
  Fail,
  JsonObject,
  checkArray,
  checkBoolean,
  checkKeys,
  checkNumber,
  checkObject,
  checkOneOf,
  checkString,
  isObject,
  join,
  required,
} from './json-check';

/** The two ANCS actions a notification can offer. */
export type AncsAction = 'positive' | 'negative';
export const ANCS_ACTIONS: readonly AncsAction[] = ['positive', 'negative'];

/**
 * GetAppAttributes for an app the phone does not know:
 * `empty`: reply with the app id and no attribute tuples (iOS, for uninstalled apps);
 * `emptyValues`: one zero-length tuple per requested attribute;
 * `invalidParameter`: refuse the write with ATT 0xA2.
 */
export type UnknownAppReply = 'empty' | 'emptyValues' | 'invalidParameter';
export const UNKNOWN_APP_REPLIES: readonly UnknownAppReply[] = ['empty', 'emptyValues', 'invalidParameter'];

/** What performing an action does to the notification on the phone. */
export type ActionEffect = 'remove' | 'none';
export const ACTION_EFFECTS: readonly ActionEffect[] = ['remove', 'none'];

/** Notification Source behaviour while "Share System Notifications" is off for a PC. */
export type NotSharedSource = 'silent' | 'deliver';
export const NOT_SHARED_SOURCES: readonly NotSharedSource[] = ['silent', 'deliver'];

export interface AncsProfile {
  /** Characteristics demand a bonded, encrypted link. */
  requiresBonding: boolean;
  /** Nothing flows to a PC until the user allows "Share System Notifications" for it. */
  requiresShareSystemNotifications: boolean;
  /** Every NS subscription replays existing notifications as Added + PreExisting. */
  replayPreExisting: boolean;
  /** NotificationUIDs are renumbered for every NS subscription (stale ones are refused). */
  uidsPerSession: boolean;
  /** Actions the phone offers at all; a notification offers one only when it also has its label. */
  actions: AncsAction[];
  /** Whether the phone offers a text-reply action (iOS does not; ANCS has no such action). */
  textReply: boolean;
  unknownAppReply: UnknownAppReply;
  whenNotShared: {
    notificationSource: NotSharedSource;
    /** ATT error code Control Point writes answer with (iOS: 0x08 Insufficient Authorization). */
    controlPointAttError: number;
  };
  actionEffects: Record<AncsAction, ActionEffect>;
}

/** Settings of a profile section not modelled yet (none at present; kept for later sections). */
export type FutureProfileSection = Readonly<Record<string, unknown>>;

export type PbapFormatName = '2.1' | '3.0';
export const PBAP_FORMAT_NAMES: readonly PbapFormatName[] = ['2.1', '3.0'];

/** The phone's PBAP server (PSE). JSON numbers may also be written as "0x..." strings. */
export interface PbapProfile {
  /** RFCOMM server channel, 1..30. */
  channel: number;
  /** Profile version in the SDP record (0x0102 = PBAP 1.2). */
  version: number;
  /** SupportedRepositories bits (0x0314): bit0 local, bit1 SIM, bit2 speed dial, bit3 favourites. */
  supportedRepositories: number;
  /** PbapSupportedFeatures (0x0317); absent: the record has no such attribute (iOS's bits are unverified). */
  supportedFeatures?: number;
  /** vCard versions the phone serves. */
  formats: PbapFormatName[];
  /** OBEX Connect is Forbidden until the user enables "Sync Contacts" for the PC (iOS). */
  requiresSyncContacts: boolean;
  /** Channels are refused unless the PC's Class of Device is Audio/Video Hands-free (iOS). */
  requiresHandsFreeClass: boolean;
  /** Contact photos are included in vCards. */
  photos: boolean;
}

/** The phone as a BR/EDR device. */
export interface ClassicProfile {
  /** Device name the PC discovers. */
  name: string;
  /** The phone's own 24-bit Class of Device (0x7A020C: Phone major class, smartphone minor, with service bits). */
  classOfDevice: number;
  /** Link timing for the in-memory classic link (checked by checkClassicModel). */
  link: ClassicLinkModel;
}

export interface PhoneProfile {
  /** Short id, the file name without `.json` ("iphone"). */
  id: string;
  /** Device name; the phone advertises it as its local name. */
  name: string;
  description?: string;
  /** Public device address, "F0:99:B6:00:00:01". */
  address: string;
  ble: BleLinkModel;
  ancs: AncsProfile;
  /** Installed apps: bundle identifier -> display name. */
  apps: Record<string, string>;
  /** BR/EDR identity and link timing; absent: the phone has no classic radio model. */
  classic?: ClassicProfile;
  /** Absent: the phone offers no message server. */
  map?: MapProfile;
  /** Absent: the phone offers no phone book server. */
  pbap?: PbapProfile;
  /** Absent: the phone offers no HFP Audio Gateway. */
  hfp?: HfpProfile;
  /** Present: the phone's servers misbehave on purpose (a saboteur sits on its transports). */
  hostile?: HostileProfile;
}

const TOP_KEYS = ['id', 'name', 'description', 'address', 'ble', 'ancs', 'apps', 'classic', 'map', 'pbap', 'hfp', 'hostile', 'extends'] as const;
const PBAP_KEYS = [
  'channel',
  'version',
  'supportedRepositories',
  'supportedFeatures',
  'formats',
  'requiresSyncContacts',
  'requiresHandsFreeClass',
  'photos',
] as const;
const CLASSIC_LINK_KEYS = [
  'bitrate',
  'latencyMs',
  'rfcommFrameSize',
  'initialCredits',
  'creditReturnThreshold',
  'connectSetupMs',
  'sdpQueryMs',
  'pairingMs',
  'supervisionTimeoutMs',
  'txQueueLimitBytes',
] as const;
const BLE_KEYS = [
  'connectionIntervalMs',
  'packetsPerEvent',
  'llPayloadOctets',
  'maxMtu',
  'supervisionTimeoutMs',
  'connectSetupMs',
  'pairingMs',
  'txQueueLimit',
] as const;
const ANCS_KEYS = [
  'requiresBonding',
  'requiresShareSystemNotifications',
  'replayPreExisting',
  'uidsPerSession',
  'actions',
  'textReply',
  'unknownAppReply',
  'whenNotShared',
  'actionEffects',
] as const;

const ADDRESS = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;
const PROFILE_ID = /^[a-z0-9][a-z0-9_-]*$/;

/** Validates parsed JSON as a phone profile; throws ProfileError naming the first bad field. */
export function parsePhoneProfile(json: unknown, source?: string): PhoneProfile {
  const fail: Fail = (field, problem) => {
    throw new ProfileError(field || '(root)', problem, source);
  };
  const root = checkObject(json, '', fail);
  checkKeys(root, TOP_KEYS, '', fail);
  if (root.extends !== undefined) fail('extends', 'is resolved only when a profile is loaded from a file (loadPhoneProfile)');
  const profile: PhoneProfile = {
    id: checkString(required(root, 'id', '', fail), 'id', fail, { pattern: PROFILE_ID }),
    name: checkString(required(root, 'name', '', fail), 'name', fail, { nonEmpty: true }),
    address: checkString(required(root, 'address', '', fail), 'address', fail, { pattern: ADDRESS }),
    ble: parseBle(required(root, 'ble', '', fail), fail),
    ancs: parseAncs(required(root, 'ancs', '', fail), fail),
    apps: parseApps(required(root, 'apps', '', fail), fail),
  };
  if (root.description !== undefined) profile.description = checkString(root.description, 'description', fail);
  if (root.classic !== undefined) profile.classic = parseClassic(root.classic, fail);
  if (root.pbap !== undefined) profile.pbap = parsePbap(root.pbap, fail);
  if (root.hfp !== undefined) profile.hfp = parseHfpProfile(root.hfp, fail);
  if (root.map !== undefined) profile.map = parseMapProfile(root.map, fail);
  if (root.hostile !== undefined) profile.hostile = parseHostileProfile(root.hostile, fail);
  return profile;
}

/** An unsigned integer up to `max`, written as a JSON number or a "0x..." string. */
function checkUint(value: unknown, field: string, fail: Fail, max: number): number {
  if (typeof value === 'string') {
    if (!/^0x[0-9A-Fa-f]{1,8}$/.test(value)) fail(field, `must be an integer or a "0x..." hex string, got ${JSON.stringify(value)}`);
    return checkNumber(parseInt(value.slice(2), 16), field, fail, { integer: true, min: 0, max });
  }
  return checkNumber(value, field, fail, { integer: true, min: 0, max });
}

function parsePbap(value: unknown, fail: Fail): PbapProfile {
  const obj = checkObject(value, 'pbap', fail);
  checkKeys(obj, PBAP_KEYS, 'pbap', fail);
  const at = (key: (typeof PBAP_KEYS)[number]): string => join('pbap', key);
  const need = (key: (typeof PBAP_KEYS)[number]): unknown => required(obj, key, 'pbap', fail);
  const formats: PbapFormatName[] = [];
  checkArray(need('formats'), at('formats'), fail).forEach((f, i) => {
    const format = checkOneOf(f, PBAP_FORMAT_NAMES, join(at('formats'), i), fail);
    if (formats.includes(format)) fail(join(at('formats'), i), `repeats "${format}"`);
    formats.push(format);
  });
  if (formats.length === 0) fail(at('formats'), 'must name at least one vCard version');
  const pbap: PbapProfile = {
    channel: checkNumber(need('channel'), at('channel'), fail, { integer: true, min: 1, max: 30 }),
    version: checkUint(need('version'), at('version'), fail, 0xffff),
    supportedRepositories: checkUint(need('supportedRepositories'), at('supportedRepositories'), fail, 0xff),
    formats,
    requiresSyncContacts: checkBoolean(need('requiresSyncContacts'), at('requiresSyncContacts'), fail),
    requiresHandsFreeClass: checkBoolean(need('requiresHandsFreeClass'), at('requiresHandsFreeClass'), fail),
    photos: checkBoolean(need('photos'), at('photos'), fail),
  };
  if (obj.supportedFeatures !== undefined) {
    pbap.supportedFeatures = checkUint(obj.supportedFeatures, at('supportedFeatures'), fail, 0xffffffff);
  }
  return pbap;
}

function parseClassic(value: unknown, fail: Fail): ClassicProfile {
  const obj = checkObject(value, 'classic', fail);
  checkKeys(obj, ['name', 'classOfDevice', 'link'], 'classic', fail);
  const link = checkObject(required(obj, 'link', 'classic', fail), 'classic.link', fail);
  checkKeys(link, CLASSIC_LINK_KEYS, 'classic.link', fail);
  const num = (key: (typeof CLASSIC_LINK_KEYS)[number]): number =>
    checkNumber(required(link, key, 'classic.link', fail), join('classic.link', key), fail, { min: 0 });
  const model: ClassicLinkModel = {
    bitrate: num('bitrate'),
    latencyMs: num('latencyMs'),
    rfcommFrameSize: num('rfcommFrameSize'),
    initialCredits: num('initialCredits'),
    creditReturnThreshold: num('creditReturnThreshold'),
    connectSetupMs: num('connectSetupMs'),
    sdpQueryMs: num('sdpQueryMs'),
    pairingMs: num('pairingMs'),
    supervisionTimeoutMs: num('supervisionTimeoutMs'),
    txQueueLimitBytes: num('txQueueLimitBytes'),
  };
  try {
    checkClassicModel(model);
  } catch (err) {
    fail('classic.link', err instanceof Error ? err.message : String(err));
  }
  return {
    name: checkString(required(obj, 'name', 'classic', fail), 'classic.name', fail, { nonEmpty: true }),
    classOfDevice: checkUint(required(obj, 'classOfDevice', 'classic', fail), 'classic.classOfDevice', fail, 0xffffff),
    link: model,
  };
}

function parseBle(value: unknown, fail: Fail): BleLinkModel {
  const obj = checkObject(value, 'ble', fail);
  checkKeys(obj, BLE_KEYS, 'ble', fail);
  const num = (key: (typeof BLE_KEYS)[number], integer = false): number =>
    checkNumber(required(obj, key, 'ble', fail), join('ble', key), fail, { integer, min: 0 });
  const ppe = checkArray(required(obj, 'packetsPerEvent', 'ble', fail), 'ble.packetsPerEvent', fail);
  if (ppe.length !== 2) fail('ble.packetsPerEvent', `must be [min, max], got ${ppe.length} values`);
  const model: BleLinkModel = {
    connectionIntervalMs: num('connectionIntervalMs'),
    packetsPerEvent: [
      checkNumber(ppe[0], 'ble.packetsPerEvent[0]', fail, { integer: true, min: 1 }),
      checkNumber(ppe[1], 'ble.packetsPerEvent[1]', fail, { integer: true, min: 1 }),
    ],
    llPayloadOctets: num('llPayloadOctets', true),
    maxMtu: num('maxMtu', true),
    supervisionTimeoutMs: num('supervisionTimeoutMs'),
    connectSetupMs: num('connectSetupMs'),
    pairingMs: num('pairingMs'),
    txQueueLimit: num('txQueueLimit', true),
  };
  try {
    return checkBleModel(model);
  } catch (err) {
    return fail('ble', err instanceof Error ? err.message : String(err));
  }
}

function parseAncs(value: unknown, fail: Fail): AncsProfile {
  const obj = checkObject(value, 'ancs', fail);
  checkKeys(obj, ANCS_KEYS, 'ancs', fail);
  const flag = (key: (typeof ANCS_KEYS)[number]): boolean => checkBoolean(required(obj, key, 'ancs', fail), join('ancs', key), fail);

  const actionList = checkArray(required(obj, 'actions', 'ancs', fail), 'ancs.actions', fail);
  const actions: AncsAction[] = [];
  actionList.forEach((a, i) => {
    const action = checkOneOf(a, ANCS_ACTIONS, join('ancs.actions', i), fail);
    if (actions.includes(action)) fail(join('ancs.actions', i), `repeats "${action}"`);
    actions.push(action);
  });

  const notShared = checkObject(required(obj, 'whenNotShared', 'ancs', fail), 'ancs.whenNotShared', fail);
  checkKeys(notShared, ['notificationSource', 'controlPointAttError'], 'ancs.whenNotShared', fail);
  const effects = checkObject(required(obj, 'actionEffects', 'ancs', fail), 'ancs.actionEffects', fail);
  checkKeys(effects, ANCS_ACTIONS, 'ancs.actionEffects', fail);
  const effect = (action: AncsAction): ActionEffect =>
    checkOneOf(required(effects, action, 'ancs.actionEffects', fail), ACTION_EFFECTS, join('ancs.actionEffects', action), fail);

  return {
    requiresBonding: flag('requiresBonding'),
    requiresShareSystemNotifications: flag('requiresShareSystemNotifications'),
    replayPreExisting: flag('replayPreExisting'),
    uidsPerSession: flag('uidsPerSession'),
    actions,
    textReply: flag('textReply'),
    unknownAppReply: checkOneOf(required(obj, 'unknownAppReply', 'ancs', fail), UNKNOWN_APP_REPLIES, 'ancs.unknownAppReply', fail),
    whenNotShared: {
      notificationSource: checkOneOf(
        required(notShared, 'notificationSource', 'ancs.whenNotShared', fail),
        NOT_SHARED_SOURCES,
        'ancs.whenNotShared.notificationSource',
        fail,
      ),
      controlPointAttError: checkNumber(
        required(notShared, 'controlPointAttError', 'ancs.whenNotShared', fail),
        'ancs.whenNotShared.controlPointAttError',
        fail,
        { integer: true, min: 0x01, max: 0xff },
      ),
    },
    actionEffects: { positive: effect('positive'), negative: effect('negative') },
  };
}

function parseApps(value: unknown, fail: Fail): Record<string, string> {
  const obj: JsonObject = checkObject(value, 'apps', fail);
  const apps: Record<string, string> = {};
  for (const [bundleId, name] of Object.entries(obj)) {
    // GetAppAttributes carries the id NUL-terminated, so a NUL inside could never be asked for.
    if (bundleId.length === 0 || bundleId.includes('\0')) fail(join('apps', bundleId), 'is not a usable bundle identifier');
    apps[bundleId] = checkString(name, join('apps', bundleId), fail, { nonEmpty: true });
  }
  return apps;
}

/**
 * Loads a profile by id ("iphone": `fixtures/phones/iphone.json`, found by
 * walking up from this file) or by a path to a JSON file.
 */
export function loadPhoneProfile(nameOrPath: string): PhoneProfile {
  const file = profileFile(nameOrPath, process.cwd());
  return parsePhoneProfile(resolveExtends(readProfileJson(file), file, [file]), file);
}

/** Longest chain of `extends` a profile may use. */
export const MAX_EXTENDS_DEPTH = 8;

/** The file a profile id or path names; a relative path counts from `dir`. */
function profileFile(nameOrPath: string, dir: string): string {
  return PROFILE_ID.test(nameOrPath) ? builtInProfilePath(nameOrPath) : path.resolve(dir, nameOrPath);
}

function readProfileJson(file: string, field = '(file)', from?: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (from !== undefined) throw new ProfileError(field, `names no profile that can be read (${file}: ${why})`, from);
    throw new ProfileError(field, `could not be read: ${why}`, file);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ProfileError('(file)', `is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, file);
  }
}

/**
 * Replaces `"extends": base` by the base profile's JSON merged under this
 * one (recursively; `chain` holds the files met so far, to refuse cycles).
 */
function resolveExtends(json: unknown, file: string, chain: string[]): unknown {
  if (!isObject(json) || json.extends === undefined) return json;
  const fail: Fail = (field, problem) => {
    throw new ProfileError(field, problem, file);
  };
  const base = checkString(json.extends, 'extends', fail, { nonEmpty: true });
  const baseFile = profileFile(base, path.dirname(file));
  if (chain.includes(baseFile)) fail('extends', `forms a cycle: ${[...chain, baseFile].map((f) => path.basename(f, '.json')).join(' -> ')}`);
  if (chain.length > MAX_EXTENDS_DEPTH) fail('extends', `chain is longer than ${MAX_EXTENDS_DEPTH} profiles`);
  const baseJson = resolveExtends(readProfileJson(baseFile, 'extends', file), baseFile, [...chain, baseFile]);
  if (!isObject(baseJson)) fail('extends', `names ${baseFile}, which is not a JSON object`);
  const { extends: _ignored, ...own } = json;
  return mergeProfileJson(baseJson, own);
}

/** `overlay` over `base`: objects merge key by key, anything else (arrays too) in `overlay` replaces. */
export function mergeProfileJson(base: JsonObject, overlay: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const under = out[key];
    out[key] = isObject(under) && isObject(value) ? mergeProfileJson(under, value) : value;
  }
  return out;
}

/** Path of a built-in profile by id; the file need not exist. */
export function builtInProfilePath(id: string): string {
  return path.join(fixturesDir(), 'phones', `${id}.json`);
}

/** The repository's `fixtures/` folder: nearest ancestor of this file that has one. */
export function fixturesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'fixtures');
    if (existsSync(path.join(candidate, 'phones'))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..', '..', 'fixtures');
}

