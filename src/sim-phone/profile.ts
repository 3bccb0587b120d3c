/**
 * Phone profiles: everything that makes one simulated phone behave unlike
 * another (link timing, ANCS policy, installed apps) as data in
 * `fixtures/phones/<id>.json`. This file defines the typed `PhoneProfile`,
 * validates the JSON field by field and loads a profile by name or path.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { BleLinkModel, checkBleModel } from '../link/link-model';
import { ProfileError } from './errors';
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

/** Settings of profiles not modelled yet; later work gives them types. */
export type FutureProfileSection = Readonly<Record<string, unknown>>;

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
  map?: FutureProfileSection;
  pbap?: FutureProfileSection;
  hfp?: FutureProfileSection;
}

const TOP_KEYS = ['id', 'name', 'description', 'address', 'ble', 'ancs', 'apps', 'map', 'pbap', 'hfp'] as const;
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
  const profile: PhoneProfile = {
    id: checkString(required(root, 'id', '', fail), 'id', fail, { pattern: PROFILE_ID }),
    name: checkString(required(root, 'name', '', fail), 'name', fail, { nonEmpty: true }),
    address: checkString(required(root, 'address', '', fail), 'address', fail, { pattern: ADDRESS }),
    ble: parseBle(required(root, 'ble', '', fail), fail),
    ancs: parseAncs(required(root, 'ancs', '', fail), fail),
    apps: parseApps(required(root, 'apps', '', fail), fail),
  };
  if (root.description !== undefined) profile.description = checkString(root.description, 'description', fail);
  for (const key of ['map', 'pbap', 'hfp'] as const) {
    const section = root[key];
    if (section !== undefined) profile[key] = { ...checkObject(section, key, fail) };
  }
  return profile;
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
  const file = PROFILE_ID.test(nameOrPath) ? builtInProfilePath(nameOrPath) : path.resolve(nameOrPath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProfileError('(file)', `could not be read: ${err instanceof Error ? err.message : String(err)}`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProfileError('(file)', `is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, file);
  }
  return parsePhoneProfile(json, file);
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

