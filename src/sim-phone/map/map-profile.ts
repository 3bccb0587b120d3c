/**
 * The `map` section of a phone profile: how the phone behaves as a MAP
 * Message Server (its MAS SDP record, the "Show Message Notifications" gate,
 * how many sessions it allows and how it refuses more, which messages a PC
 * may see, how MMS and group messages look, date-time format, and what
 * PushMessage accepts), its typed form and its field-by-field validation.
 */
import { ResponseCode } from '../../protocol/obex/constants';
import {
  Fail,
  checkArray,
  checkBoolean,
  checkKeys,
  checkNumber,
  checkObject,
  checkOneOf,
  checkString,
  join,
  required,
} from '../json-check';

/**
 * How a MAS session past `maxSessions` is refused:
 * `refuse-channel`: the channel acceptor says no (the PC sees LinkError link.channel-refused; iOS);
 * `service-unavailable`: the channel opens and OBEX Connect is answered Service Unavailable (0xD3).
 */
export type SecondSessionRefusal = 'refuse-channel' | 'service-unavailable';
export const SECOND_SESSION_REFUSALS: readonly SecondSessionRefusal[] = ['refuse-channel', 'service-unavailable'];

/** What happens to a received MMS (a message with an attachment): `drop`: never shown over MAP (iOS); `deliver`: typed MMS. */
export type MmsPolicy = 'drop' | 'deliver';
export const MMS_POLICIES: readonly MmsPolicy[] = ['drop', 'deliver'];

/**
 * How a group message looks: `sender-only`: the sender as originator and
 * the phone's own number as the only recipient (iOS); `participants`: every
 * participant (the phone's own number first) as a recipient.
 */
export type GroupPolicy = 'sender-only' | 'participants';
export const GROUP_POLICIES: readonly GroupPolicy[] = ['sender-only', 'participants'];

/** conversation_id in format 1.1 listings: `zero`: always "0" (iOS); `per-thread`: one id per set of participants. */
export type ConversationIdPolicy = 'zero' | 'per-thread';
export const CONVERSATION_ID_POLICIES: readonly ConversationIdPolicy[] = ['zero', 'per-thread'];

/** What PushMessage accepts and what follows it. */
export interface MapPushPolicy {
  /** bMessage TYPE values accepted (e.g. ["SMS_GSM"]). */
  types: string[];
  /** Most recipients one pushed message may have. */
  maxRecipients: number;
  /** Response code for more recipients than `maxRecipients` (iOS model: 0xC6 Not Acceptable). */
  tooManyRecipients: number;
  /** Response code for a TYPE outside `types` (an MMS, a picture; iOS model: 0xC0 Bad Request). */
  notText: number;
  /** After a push, send SendingSuccess then DeliverySuccess events (iOS sends none). */
  statusEvents: boolean;
}

export interface MapProfile {
  /** RFCOMM server channel of the MAS, 1..30. */
  channel: number;
  /** MAP version in the SDP record (0x0104 = MAP 1.4). */
  version: number;
  /** ServiceName of the MAS record. */
  serviceName: string;
  /** MASInstanceID (SDP 0x0315, and AppParam MASInstanceID in event reports). */
  masInstanceId: number;
  /** SupportedMessageTypes bits (SDP 0x0316): Email 1, SMS_GSM 2, SMS_CDMA 4, MMS 8, IM 16. */
  supportedMessageTypes: number;
  /** MapSupportedFeatures (SDP 0x0317). */
  supportedFeatures: number;
  /** OBEX Connect is Forbidden until the user enables "Show Message Notifications" for the PC (iOS). */
  requiresShowMessageNotifications: boolean;
  /** Most MAS sessions at once, from any PCs (iOS: 1). */
  maxSessions: number;
  secondSession: SecondSessionRefusal;
  /**
   * true: every message on the phone is visible; false (iOS): a PC sees only
   * messages that arrived while it had a MAS session with notification
   * registration on.
   */
  history: boolean;
  /** Messages sent from the PC appear in telecom/msg/sent (iOS: the folder stays empty). */
  sentFolder: boolean;
  mms: MmsPolicy;
  groups: GroupPolicy;
  conversationIds: ConversationIdPolicy;
  /** The phone's time zone, minutes east of UTC (date-times are the phone's local time). */
  utcOffsetMinutes: number;
  /** Listing and event date-times carry "+HHMM" (iOS writes local time with no zone). */
  writeUtcOffset: boolean;
  /** GetMessage marks the message read. */
  markReadOnGet: boolean;
  /** The phone's own number: the recipient of received messages, the originator of sent ones. */
  ownNumber: string;
  push: MapPushPolicy;
}

const MAP_KEYS = [
  'channel',
  'version',
  'serviceName',
  'masInstanceId',
  'supportedMessageTypes',
  'supportedFeatures',
  'requiresShowMessageNotifications',
  'maxSessions',
  'secondSession',
  'history',
  'sentFolder',
  'mms',
  'groups',
  'conversationIds',
  'utcOffsetMinutes',
  'writeUtcOffset',
  'markReadOnGet',
  'ownNumber',
  'push',
] as const;
const PUSH_KEYS = ['types', 'maxRecipients', 'tooManyRecipients', 'notText', 'statusEvents'] as const;

/** bMessage TYPE tokens a profile may accept for PushMessage. */
const MESSAGE_TYPE = /^[A-Z][A-Z0-9_]{0,15}$/;
/** A phone number as MAP carries it: an optional '+', then digits. */
const OWN_NUMBER = /^\+?[0-9]{3,20}$/;
/** Largest zone offset either way: 14:00. */
const MAX_OFFSET_MINUTES = 14 * 60;

/** An unsigned integer up to `max`, written as a JSON number or a "0x..." string. */
function checkUint(value: unknown, field: string, fail: Fail, max: number): number {
  if (typeof value === 'string') {
    if (!/^0x[0-9A-Fa-f]{1,8}$/.test(value)) fail(field, `must be an integer or a "0x..." hex string, got ${JSON.stringify(value)}`);
    return checkNumber(parseInt(value.slice(2), 16), field, fail, { integer: true, min: 0, max });
  }
  return checkNumber(value, field, fail, { integer: true, min: 0, max });
}

/** An OBEX error response code (0xC0..0xFF, final bit set). */
function checkErrorCode(value: unknown, field: string, fail: Fail): number {
  const code = checkUint(value, field, fail, 0xff);
  if (code < ResponseCode.BadRequest) fail(field, `must be an OBEX error response code (0xC0..0xFF), got 0x${code.toString(16)}`);
  return code;
}

/** Validates the `map` section of a profile; `fail` throws the caller's error. */
export function parseMapProfile(value: unknown, fail: Fail): MapProfile {
  const obj = checkObject(value, 'map', fail);
  checkKeys(obj, MAP_KEYS, 'map', fail);
  const at = (key: (typeof MAP_KEYS)[number]): string => join('map', key);
  const need = (key: (typeof MAP_KEYS)[number]): unknown => required(obj, key, 'map', fail);
  const flag = (key: (typeof MAP_KEYS)[number]): boolean => checkBoolean(need(key), at(key), fail);
  return {
    channel: checkNumber(need('channel'), at('channel'), fail, { integer: true, min: 1, max: 30 }),
    version: checkUint(need('version'), at('version'), fail, 0xffff),
    serviceName: checkString(need('serviceName'), at('serviceName'), fail, { nonEmpty: true }),
    masInstanceId: checkNumber(need('masInstanceId'), at('masInstanceId'), fail, { integer: true, min: 0, max: 0xff }),
    supportedMessageTypes: checkUint(need('supportedMessageTypes'), at('supportedMessageTypes'), fail, 0xff),
    supportedFeatures: checkUint(need('supportedFeatures'), at('supportedFeatures'), fail, 0xffffffff),
    requiresShowMessageNotifications: flag('requiresShowMessageNotifications'),
    maxSessions: checkNumber(need('maxSessions'), at('maxSessions'), fail, { integer: true, min: 1, max: 16 }),
    secondSession: checkOneOf(need('secondSession'), SECOND_SESSION_REFUSALS, at('secondSession'), fail),
    history: flag('history'),
    sentFolder: flag('sentFolder'),
    mms: checkOneOf(need('mms'), MMS_POLICIES, at('mms'), fail),
    groups: checkOneOf(need('groups'), GROUP_POLICIES, at('groups'), fail),
    conversationIds: checkOneOf(need('conversationIds'), CONVERSATION_ID_POLICIES, at('conversationIds'), fail),
    utcOffsetMinutes: checkNumber(need('utcOffsetMinutes'), at('utcOffsetMinutes'), fail, {
      integer: true,
      min: -MAX_OFFSET_MINUTES,
      max: MAX_OFFSET_MINUTES,
    }),
    writeUtcOffset: flag('writeUtcOffset'),
    markReadOnGet: flag('markReadOnGet'),
    ownNumber: checkString(need('ownNumber'), at('ownNumber'), fail, { pattern: OWN_NUMBER }),
    push: parsePush(need('push'), at('push'), fail),
  };
}

function parsePush(value: unknown, field: string, fail: Fail): MapPushPolicy {
  const obj = checkObject(value, field, fail);
  checkKeys(obj, PUSH_KEYS, field, fail);
  const at = (key: (typeof PUSH_KEYS)[number]): string => join(field, key);
  const need = (key: (typeof PUSH_KEYS)[number]): unknown => required(obj, key, field, fail);
  const types: string[] = [];
  checkArray(need('types'), at('types'), fail).forEach((t, i) => {
    const type = checkString(t, join(at('types'), i), fail, { pattern: MESSAGE_TYPE });
    if (types.includes(type)) fail(join(at('types'), i), `repeats "${type}"`);
    types.push(type);
  });
  return {
    types,
    maxRecipients: checkNumber(need('maxRecipients'), at('maxRecipients'), fail, { integer: true, min: 1, max: 256 }),
    tooManyRecipients: checkErrorCode(need('tooManyRecipients'), at('tooManyRecipients'), fail),
    notText: checkErrorCode(need('notText'), at('notText'), fail),
    statusEvents: checkBoolean(need('statusEvents'), at('statusEvents'), fail),
  };
}
