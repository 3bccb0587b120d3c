/**
 * The message stimuli (a text, iMessage, group message or MMS arrives; the
 * user reads a message on the phone) as JSON-friendly values: their types,
 * their field-by-field validation, and the conversion of a spec into what
 * the message store takes. The shared Stimulus union includes these; the
 * "Show Message Notifications" toggles sit with the other permissions.
 */
import { type Fail, type JsonObject, checkArray, checkKeys, checkNumber, checkObject, checkOneOf, checkString, join, required } from '../json-check';
import { MESSAGE_SERVICES, type MessageAttachment, type MessageService, type ReceivedInit } from './message-store';

/** A message arriving on the phone. Dates may be ISO 8601 strings (for JSON); the default is the clock's date. */
export interface MessageSpec {
  /** The sender's number (or iMessage address). */
  from: string;
  /** The sender's name as the phone shows it. */
  name?: string;
  text: string;
  /** Default 'sms'. */
  service?: MessageService;
  /** A group message: the other participants' numbers (not the sender, not the phone itself). */
  group?: string[];
  /** An MMS: its attachment (a picture, say). */
  attachment?: MessageAttachment;
  date?: Date | string;
}

/** A message: its store id, or the `ref` name a script gave it when it arrived. */
export type MessageRef = number | string;

export type MessageStimulus =
  | { kind: 'receiveMessage'; ref?: string; message: MessageSpec }
  | { kind: 'readMessage'; message: MessageRef };

export type MessageStimulusKind = MessageStimulus['kind'];

export const MESSAGE_STIMULUS_KINDS: readonly MessageStimulusKind[] = ['receiveMessage', 'readMessage'];

export function isMessageStimulusKind(kind: string): kind is MessageStimulusKind {
  return (MESSAGE_STIMULUS_KINDS as readonly string[]).includes(kind);
}

/** True for the message stimuli. */
export function isMessageStimulus(stimulus: { kind: string }): stimulus is MessageStimulus {
  return isMessageStimulusKind(stimulus.kind);
}

/** Longest text a received message may have (characters). */
export const MAX_MESSAGE_TEXT = 65_536;
/** Most other participants in a group message. */
export const MAX_GROUP_PARTICIPANTS = 31;
/** Largest attachment size (bytes). */
export const MAX_ATTACHMENT_SIZE = 100_000_000;

/** A sender or participant: printable, no separators MAP uses (';'), at most 64 characters. */
const ADDRESS = /^[^;\u0000-\u001f\u007f]{1,64}$/;
const NAME = /^[^\u0000-\u001f\u007f]{1,128}$/;
const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$/;
const SPEC_KEYS = ['from', 'name', 'text', 'service', 'group', 'attachment', 'date'];

/** Validates a message spec (also used by the Backchannel for values given in code). */
export function parseMessageSpec(value: unknown, field: string, fail: Fail): MessageSpec {
  const obj = checkObject(value, field, fail);
  checkKeys(obj, SPEC_KEYS, field, fail);
  const at = (key: string): string => join(field, key);
  const text = checkString(required(obj, 'text', field, fail), at('text'), fail);
  if (text.length > MAX_MESSAGE_TEXT) fail(at('text'), `is ${text.length} characters, more than ${MAX_MESSAGE_TEXT}`);
  const spec: MessageSpec = { from: checkString(required(obj, 'from', field, fail), at('from'), fail, { pattern: ADDRESS }), text };
  if (obj.name !== undefined) spec.name = checkString(obj.name, at('name'), fail, { pattern: NAME });
  if (obj.service !== undefined) spec.service = checkOneOf(obj.service, MESSAGE_SERVICES, at('service'), fail);
  if (obj.group !== undefined) {
    const list = checkArray(obj.group, at('group'), fail);
    if (list.length > MAX_GROUP_PARTICIPANTS) fail(at('group'), `has ${list.length} participants, more than ${MAX_GROUP_PARTICIPANTS}`);
    spec.group = list.map((n, i) => checkString(n, join(at('group'), i), fail, { pattern: ADDRESS }));
  }
  if (obj.attachment !== undefined) spec.attachment = parseAttachment(obj.attachment, at('attachment'), fail);
  if (obj.date !== undefined) {
    if (obj.date instanceof Date) {
      if (Number.isNaN(obj.date.getTime())) fail(at('date'), 'is an invalid Date');
      spec.date = obj.date;
    } else {
      const date = checkString(obj.date, at('date'), fail);
      if (Number.isNaN(Date.parse(date))) fail(at('date'), `is not an ISO 8601 date: ${JSON.stringify(date)}`);
      spec.date = date;
    }
  }
  return spec;
}

function parseAttachment(value: unknown, field: string, fail: Fail): MessageAttachment {
  const obj = checkObject(value, field, fail);
  checkKeys(obj, ['mimeType', 'size'], field, fail);
  return {
    mimeType: checkString(required(obj, 'mimeType', field, fail), join(field, 'mimeType'), fail, { pattern: MIME_TYPE }),
    size: checkNumber(required(obj, 'size', field, fail), join(field, 'size'), fail, { integer: true, min: 1, max: MAX_ATTACHMENT_SIZE }),
  };
}

function parseMessageRef(value: unknown, field: string, fail: Fail): MessageRef {
  if (typeof value === 'number') return checkNumber(value, field, fail, { integer: true, min: 1 });
  return checkString(value, field, fail, { nonEmpty: true });
}

/** Validates one message stimulus (`obj.kind` already checked to be `kind`). */
export function parseMessageStimulus(obj: JsonObject, kind: MessageStimulusKind, field: string, fail: Fail): MessageStimulus {
  const at = (key: string): string => join(field, key);
  switch (kind) {
    case 'receiveMessage': {
      checkKeys(obj, ['kind', 'ref', 'message'], field, fail);
      const message = parseMessageSpec(required(obj, 'message', field, fail), at('message'), fail);
      if (obj.ref === undefined) return { kind, message };
      return { kind, ref: checkString(obj.ref, at('ref'), fail, { nonEmpty: true }), message };
    }
    case 'readMessage':
      checkKeys(obj, ['kind', 'message'], field, fail);
      return { kind, message: parseMessageRef(required(obj, 'message', field, fail), at('message'), fail) };
  }
}

/** What the store takes for a validated spec; `now` is the default date. */
export function receivedInit(spec: MessageSpec, now: Date): ReceivedInit {
  const date = spec.date === undefined ? now : typeof spec.date === 'string' ? new Date(spec.date) : spec.date;
  const init: ReceivedInit = { from: spec.from, text: spec.text, date };
  if (spec.name !== undefined) init.name = spec.name;
  if (spec.service !== undefined) init.service = spec.service;
  if (spec.group !== undefined && spec.group.length > 0) init.group = [...spec.group];
  if (spec.attachment !== undefined) init.attachment = { ...spec.attachment };
  return init;
}
