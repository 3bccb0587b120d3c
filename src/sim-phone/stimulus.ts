/**
 * Stimuli: the typed things a test or a script does to the phone (post a
 * notification, change or remove one, flip a permission, install an app,
 * add / edit / remove a contact, log a call, load a contact book, calls
 * and radio changes from hfp/call-stimulus.ts, messages arriving from
 * map/message-stimulus.ts), as a
 * JSON-friendly discriminated union; their validation; and stimulus
 * scripts (`fixtures/notifications/*.json`: an array of `{ atMs, stimulus }`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CategoryId } from '../protocol/ancs/constants';
import { CALL_KINDS, type CallKind } from './call-history';
import { parseContactInitJson, parseContactJson, type ContactChanges, type ContactInit } from './contact-data';
import { StimulusError } from './errors';
import { CALL_STIMULUS_KINDS, type CallStimulus, isCallStimulusKind, parseCallStimulus } from './hfp/call-stimulus';
import { MESSAGE_STIMULUS_KINDS, type MessageStimulus, isMessageStimulusKind, parseMessageStimulus } from './map/message-stimulus';
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

export type CategoryName = keyof typeof CategoryId;

/** A notification to post. Dates may be ISO 8601 strings (for JSON); the default is the clock's date. */
export interface NotificationSpec {
  appId: string;
  title: string;
  message: string;
  subtitle?: string;
  /** CategoryID number (any byte) or its ANCS name ("Social"); default Other. */
  category?: number | CategoryName;
  date?: Date | string;
  silent?: boolean;
  important?: boolean;
  positiveActionLabel?: string;
  negativeActionLabel?: string;
}

/** Changes to a posted notification; `null` removes an action label. */
export interface NotificationChangeSpec {
  title?: string;
  subtitle?: string;
  message?: string;
  category?: number | CategoryName;
  date?: Date | string;
  silent?: boolean;
  important?: boolean;
  positiveActionLabel?: string | null;
  negativeActionLabel?: string | null;
}

/** A posted notification: its store id, or the `ref` name a script gave it when posting. */
export type NotificationRef = number | string;

/** A contact: its id (0 = the owner card), or the `ref` name a script gave it when adding. */
export type ContactRef = number | string;

/** A call to put in the call log; the default time is the clock's date. */
export interface CallSpec {
  kind: CallKind;
  number: string;
  name?: string;
  time?: Date | string;
  durationSec?: number;
}

export type Stimulus =
  | { kind: 'postNotification'; ref?: string; notification: NotificationSpec }
  | { kind: 'modifyNotification'; notification: NotificationRef; changes: NotificationChangeSpec }
  | { kind: 'removeNotification'; notification: NotificationRef }
  | { kind: 'allowShareSystemNotifications'; pcAddress?: string }
  | { kind: 'revokeShareSystemNotifications'; pcAddress?: string }
  | { kind: 'installApp'; appId: string; name: string }
  | { kind: 'withdrawAncs' }
  | { kind: 'publishAncs' }
  | { kind: 'allowSyncContacts'; pcAddress?: string }
  | { kind: 'revokeSyncContacts'; pcAddress?: string }
  | { kind: 'allowMessageNotifications'; pcAddress?: string }
  | { kind: 'revokeMessageNotifications'; pcAddress?: string }
  | { kind: 'addContact'; ref?: string; contact: ContactInit }
  | { kind: 'editContact'; contact: ContactRef; changes: ContactChanges }
  | { kind: 'removeContact'; contact: ContactRef }
  | { kind: 'addCall'; call: CallSpec }
  | { kind: 'loadContactBook'; file: string }
  | CallStimulus
  | MessageStimulus;

export type StimulusKind = Stimulus['kind'];

/** One step of a script: the stimulus and when, in ms after the script starts. */
export interface ScriptStep {
  atMs: number;
  stimulus: Stimulus;
}

const KINDS: readonly StimulusKind[] = [
  'postNotification',
  'modifyNotification',
  'removeNotification',
  'allowShareSystemNotifications',
  'revokeShareSystemNotifications',
  'installApp',
  'withdrawAncs',
  'publishAncs',
  'allowSyncContacts',
  'revokeSyncContacts',
  'allowMessageNotifications',
  'revokeMessageNotifications',
  'addContact',
  'editContact',
  'removeContact',
  'addCall',
  'loadContactBook',
  ...CALL_STIMULUS_KINDS,
  ...MESSAGE_STIMULUS_KINDS,
];
const CATEGORY_NAMES = Object.keys(CategoryId) as CategoryName[];
const SPEC_KEYS = ['appId', 'title', 'message', 'subtitle', 'category', 'date', 'silent', 'important', 'positiveActionLabel', 'negativeActionLabel'];
const CHANGE_KEYS = SPEC_KEYS.filter((k) => k !== 'appId');
const ADDRESS = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

/** Resolves a category name or number to a CategoryID byte. */
export function categoryIdOf(category: number | CategoryName | undefined): number {
  if (category === undefined) return CategoryId.Other;
  if (typeof category === 'number') {
    if (!(Number.isInteger(category) && category >= 0 && category <= 0xff)) throw new RangeError(`category ${category} is not a byte`);
    return category;
  }
  const id = CategoryId[category];
  if (id === undefined) throw new RangeError(`unknown category name ${JSON.stringify(category)}`);
  return id;
}

/** Validates parsed JSON as one stimulus; `field` prefixes error paths. */
export function parseStimulus(json: unknown, field = 'stimulus', source?: string): Stimulus {
  const fail: Fail = (f, problem) => {
    throw new StimulusError(f, problem, source);
  };
  const obj = checkObject(json, field, fail);
  const kind = checkOneOf(required(obj, 'kind', field, fail), KINDS, join(field, 'kind'), fail);
  const at = (key: string): string => join(field, key);
  if (isCallStimulusKind(kind)) return parseCallStimulus(obj, kind, field, fail);
  if (isMessageStimulusKind(kind)) return parseMessageStimulus(obj, kind, field, fail);
  switch (kind) {
    case 'postNotification': {
      checkKeys(obj, ['kind', 'ref', 'notification'], field, fail);
      const notification = parseSpec(required(obj, 'notification', field, fail), at('notification'), fail);
      if (obj.ref === undefined) return { kind, notification };
      return { kind, ref: checkString(obj.ref, at('ref'), fail, { nonEmpty: true }), notification };
    }
    case 'modifyNotification':
      checkKeys(obj, ['kind', 'notification', 'changes'], field, fail);
      return {
        kind,
        notification: parseRef(required(obj, 'notification', field, fail), at('notification'), fail),
        changes: parseChanges(required(obj, 'changes', field, fail), at('changes'), fail),
      };
    case 'removeNotification':
      checkKeys(obj, ['kind', 'notification'], field, fail);
      return { kind, notification: parseRef(required(obj, 'notification', field, fail), at('notification'), fail) };
    case 'allowShareSystemNotifications':
    case 'revokeShareSystemNotifications':
    case 'allowSyncContacts':
    case 'revokeSyncContacts':
    case 'allowMessageNotifications':
    case 'revokeMessageNotifications':
      checkKeys(obj, ['kind', 'pcAddress'], field, fail);
      if (obj.pcAddress === undefined) return { kind };
      return { kind, pcAddress: checkString(obj.pcAddress, at('pcAddress'), fail, { pattern: ADDRESS }) };
    case 'installApp':
      checkKeys(obj, ['kind', 'appId', 'name'], field, fail);
      return {
        kind,
        appId: checkString(required(obj, 'appId', field, fail), at('appId'), fail, { nonEmpty: true }),
        name: checkString(required(obj, 'name', field, fail), at('name'), fail, { nonEmpty: true }),
      };
    case 'withdrawAncs':
    case 'publishAncs':
      checkKeys(obj, ['kind'], field, fail);
      return { kind };
    case 'addContact': {
      checkKeys(obj, ['kind', 'ref', 'contact'], field, fail);
      const contact = parseContactInitJson(required(obj, 'contact', field, fail), at('contact'), fail);
      if (obj.ref === undefined) return { kind, contact };
      return { kind, ref: checkString(obj.ref, at('ref'), fail, { nonEmpty: true }), contact };
    }
    case 'editContact': {
      checkKeys(obj, ['kind', 'contact', 'changes'], field, fail);
      const changes = parseContactJson(required(obj, 'changes', field, fail), at('changes'), fail, true);
      if (Object.keys(changes).length === 0) fail(at('changes'), 'changes nothing');
      return { kind, contact: parseContactRef(required(obj, 'contact', field, fail), at('contact'), fail), changes };
    }
    case 'removeContact':
      checkKeys(obj, ['kind', 'contact'], field, fail);
      return { kind, contact: parseContactRef(required(obj, 'contact', field, fail), at('contact'), fail) };
    case 'addCall':
      checkKeys(obj, ['kind', 'call'], field, fail);
      return { kind, call: parseCall(required(obj, 'call', field, fail), at('call'), fail) };
    case 'loadContactBook':
      checkKeys(obj, ['kind', 'file'], field, fail);
      return { kind, file: checkString(required(obj, 'file', field, fail), at('file'), fail, { nonEmpty: true }) };
  }
}

function parseContactRef(value: unknown, field: string, fail: Fail): ContactRef {
  if (typeof value === 'number') return checkNumber(value, field, fail, { integer: true, min: 0 });
  return checkString(value, field, fail, { nonEmpty: true });
}

function parseCall(value: unknown, field: string, fail: Fail): CallSpec {
  const obj = checkObject(value, field, fail);
  checkKeys(obj, ['kind', 'number', 'name', 'time', 'durationSec'], field, fail);
  const call: CallSpec = {
    kind: checkOneOf(required(obj, 'kind', field, fail), CALL_KINDS, join(field, 'kind'), fail),
    number: checkString(required(obj, 'number', field, fail), join(field, 'number'), fail),
  };
  if (obj.name !== undefined) call.name = checkString(obj.name, join(field, 'name'), fail);
  if (obj.time !== undefined) {
    const text = checkString(obj.time, join(field, 'time'), fail);
    if (Number.isNaN(Date.parse(text))) fail(join(field, 'time'), `is not an ISO 8601 date: ${JSON.stringify(text)}`);
    call.time = text;
  }
  if (obj.durationSec !== undefined) call.durationSec = checkNumber(obj.durationSec, join(field, 'durationSec'), fail, { min: 0 });
  return call;
}

function parseRef(value: unknown, field: string, fail: Fail): NotificationRef {
  if (typeof value === 'number') return checkNumber(value, field, fail, { integer: true, min: 1 });
  return checkString(value, field, fail, { nonEmpty: true });
}

/** The optional fields a spec and a change set share. */
function parseCommon(obj: JsonObject, field: string, fail: Fail): Omit<NotificationChangeSpec, 'positiveActionLabel' | 'negativeActionLabel'> {
  const out: Omit<NotificationChangeSpec, 'positiveActionLabel' | 'negativeActionLabel'> = {};
  for (const key of ['title', 'subtitle', 'message'] as const) {
    if (obj[key] !== undefined) out[key] = checkString(obj[key], join(field, key), fail);
  }
  for (const key of ['silent', 'important'] as const) {
    if (obj[key] !== undefined) out[key] = checkBoolean(obj[key], join(field, key), fail);
  }
  if (obj.category !== undefined) {
    out.category =
      typeof obj.category === 'string'
        ? checkOneOf(obj.category, CATEGORY_NAMES, join(field, 'category'), fail)
        : checkNumber(obj.category, join(field, 'category'), fail, { integer: true, min: 0, max: 0xff });
  }
  if (obj.date !== undefined) {
    const text = checkString(obj.date, join(field, 'date'), fail);
    if (Number.isNaN(Date.parse(text))) fail(join(field, 'date'), `is not an ISO 8601 date: ${JSON.stringify(text)}`);
    out.date = text;
  }
  return out;
}

function parseSpec(value: unknown, field: string, fail: Fail): NotificationSpec {
  const obj = checkObject(value, field, fail);
  checkKeys(obj, SPEC_KEYS, field, fail);
  const spec: NotificationSpec = {
    ...parseCommon(obj, field, fail),
    appId: checkString(required(obj, 'appId', field, fail), join(field, 'appId'), fail, { nonEmpty: true }),
    title: checkString(required(obj, 'title', field, fail), join(field, 'title'), fail),
    message: checkString(required(obj, 'message', field, fail), join(field, 'message'), fail),
  };
  for (const key of ['positiveActionLabel', 'negativeActionLabel'] as const) {
    if (obj[key] !== undefined) spec[key] = checkString(obj[key], join(field, key), fail, { nonEmpty: true });
  }
  return spec;
}

function parseChanges(value: unknown, field: string, fail: Fail): NotificationChangeSpec {
  const obj = checkObject(value, field, fail);
  checkKeys(obj, CHANGE_KEYS, field, fail);
  const changes: NotificationChangeSpec = parseCommon(obj, field, fail);
  for (const key of ['positiveActionLabel', 'negativeActionLabel'] as const) {
    if (obj[key] === null) changes[key] = null;
    else if (obj[key] !== undefined) changes[key] = checkString(obj[key], join(field, key), fail, { nonEmpty: true });
  }
  if (Object.keys(changes).length === 0) fail(field, 'changes nothing');
  return changes;
}

/**
 * Validates a script: steps in non-decreasing `atMs`, each stimulus valid,
 * `ref` names unique, and every string reference naming a notification,
 * contact or message an earlier step posted, added or received.
 */
export function parseStimulusScript(json: unknown, source?: string): ScriptStep[] {
  const fail: Fail = (f, problem) => {
    throw new StimulusError(f || '(root)', problem, source);
  };
  const list = checkArray(json, '', fail);
  const refs = new Set<string>();
  const contactRefs = new Set<string>();
  const messageRefs = new Set<string>();
  let last = 0;
  return list.map((item, i) => {
    const field = join('', i);
    const step = checkObject(item, field, fail);
    checkKeys(step, ['atMs', 'stimulus', 'note'], field, fail);
    const atMs = checkNumber(required(step, 'atMs', field, fail), join(field, 'atMs'), fail, { min: 0 });
    if (atMs < last) fail(join(field, 'atMs'), `is ${atMs}, before the previous step's ${last}`);
    last = atMs;
    if (step.note !== undefined) checkString(step.note, join(field, 'note'), fail);
    const stimulus = parseStimulus(required(step, 'stimulus', field, fail), join(field, 'stimulus'), source);
    if (stimulus.kind === 'postNotification' && stimulus.ref !== undefined) {
      if (refs.has(stimulus.ref)) fail(join(field, 'stimulus.ref'), `repeats ${JSON.stringify(stimulus.ref)}`);
      refs.add(stimulus.ref);
    }
    if ((stimulus.kind === 'modifyNotification' || stimulus.kind === 'removeNotification') && typeof stimulus.notification === 'string') {
      if (!refs.has(stimulus.notification)) {
        fail(join(field, 'stimulus.notification'), `names ${JSON.stringify(stimulus.notification)}, which no earlier step posted`);
      }
    }
    if (stimulus.kind === 'addContact' && stimulus.ref !== undefined) {
      if (contactRefs.has(stimulus.ref)) fail(join(field, 'stimulus.ref'), `repeats ${JSON.stringify(stimulus.ref)}`);
      contactRefs.add(stimulus.ref);
    }
    if ((stimulus.kind === 'editContact' || stimulus.kind === 'removeContact') && typeof stimulus.contact === 'string') {
      if (!contactRefs.has(stimulus.contact)) {
        fail(join(field, 'stimulus.contact'), `names ${JSON.stringify(stimulus.contact)}, which no earlier step added`);
      }
    }
    if (stimulus.kind === 'receiveMessage' && stimulus.ref !== undefined) {
      if (messageRefs.has(stimulus.ref)) fail(join(field, 'stimulus.ref'), `repeats ${JSON.stringify(stimulus.ref)}`);
      messageRefs.add(stimulus.ref);
    }
    if (stimulus.kind === 'readMessage' && typeof stimulus.message === 'string' && !messageRefs.has(stimulus.message)) {
      fail(join(field, 'stimulus.message'), `names ${JSON.stringify(stimulus.message)}, which no earlier step received`);
    }
    return { atMs, stimulus };
  });
}

/** Reads and validates a stimulus script file. */
export function loadStimulusScript(file: string): ScriptStep[] {
  const full = path.resolve(file);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(full, 'utf8'));
  } catch (err) {
    throw new StimulusError('(file)', `could not be read as JSON: ${err instanceof Error ? err.message : String(err)}`, full);
  }
  return parseStimulusScript(json, full);
}
