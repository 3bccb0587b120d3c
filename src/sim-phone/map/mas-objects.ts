/**
 * The objects a MAS session serves and takes, as replies to one request:
 * the folder listing, the Messages-Listing (filters, paging, MaxListCount 0
 * for sizes only), a message as a bMessage, the MAS instance information,
 * and the checks on a pushed bMessage. Each returns an OBEX response code
 * for a request it refuses; nothing here throws on hostile input.
 */
import {
  bMessageBody,
  bMessageRecipients,
  decodeBMessage,
  encodeBMessage,
  encodeFolderListing,
  encodeMapParams,
  encodeMessageListing,
  isUtf8Charset,
  MapAttachment,
  MapCharset,
  type BMessage,
  type MapParams,
} from '../../protocol/map';
import { appParamsHeader, ResponseCode, type GetReply, type ObexHeader } from '../../protocol/obex';
import { childFolders, messageFolderOf, resolveFolder, type MapFolderPath } from './map-folders';
import type { MapProfile } from './map-profile';
import { filterMessages } from './message-filter';
import type { PhoneMessage } from './message-store';
import { DEFAULT_SUBJECT_LENGTH, type MessageView } from './message-view';

/** MaxListCount when the request carries none (the MAP default). */
export const DEFAULT_MAX_LIST_COUNT = 1024;

/** A refusal: the OBEX response code and why (for logs and tests). */
export interface Refusal {
  code: number;
  why: string;
}

export function refuse(code: number, why: string): Refusal {
  return { code, why };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'code' in value && 'why' in value && !('headers' in value);
}

function paramHeaders(params: MapParams): ObexHeader[] {
  return Object.keys(params).length === 0 ? [] : [appParamsHeader(encodeMapParams(params))];
}

function folderRefusal(reason: 'bad-name' | 'not-found', name: string | undefined): Refusal {
  return reason === 'bad-name'
    ? refuse(ResponseCode.BadRequest, `folder name ${JSON.stringify(name?.slice(0, 40))} is not usable`)
    : refuse(ResponseCode.NotFound, `no folder ${JSON.stringify(name?.slice(0, 40))}`);
}

/** GetFolderListing: the children of the current folder (or of a child named by Name). */
export function folderListingReply(path: MapFolderPath, name: string | undefined, params: MapParams): GetReply | Refusal {
  const folder = resolveFolder(path, name);
  if (!folder.ok) return folderRefusal(folder.reason, name);
  const children = childFolders(folder.path) ?? [];
  const max = params.maxListCount ?? DEFAULT_MAX_LIST_COUNT;
  if (max === 0) return { headers: paramHeaders({ folderListingSize: children.length }) };
  const offset = params.listStartOffset ?? 0;
  const page = children.slice(offset, offset + max);
  return { body: encodeFolderListing({ version: '1.0', folders: [...page] }) };
}

export interface ListingContext {
  path: MapFolderPath;
  all: readonly PhoneMessage[];
  pcAddress: string;
  view: MessageView;
  map: MapProfile;
  now: Date;
  /** Listing format 1.1 was agreed in Connect. */
  format11: boolean;
}

/** GetMessagesListing: a folder's messages the PC may see, filtered, newest first, one page. */
export function messagesListingReply(ctx: ListingContext, name: string | undefined, params: MapParams): GetReply | Refusal {
  const folder = resolveFolder(ctx.path, name);
  if (!folder.ok) return folderRefusal(folder.reason, name);
  const subjectLength = params.subjectLength ?? DEFAULT_SUBJECT_LENGTH;
  if (subjectLength < 1) return refuse(ResponseCode.BadRequest, 'SubjectLength 0');
  const messageFolder = messageFolderOf(folder.path);
  const visible = messageFolder === undefined ? [] : ctx.view.folderContents(ctx.all, messageFolder, ctx.pcAddress);
  const filtered = filterMessages(visible, params, ctx.view, ctx.map);
  if (!filtered.ok) return refuse(ResponseCode.BadRequest, filtered.problem);
  const found = filtered.messages;
  const newMessage = found.some((m) => !m.read) ? 1 : 0;
  const size = Math.min(found.length, 0xffff);
  const max = params.maxListCount ?? DEFAULT_MAX_LIST_COUNT;
  if (max === 0) return { headers: paramHeaders({ newMessage, messagesListingSize: size }) };
  const offset = params.listStartOffset ?? 0;
  const page = found.slice(offset, offset + max);
  const options = { parameterMask: params.parameterMask ?? 0, subjectLength, format11: ctx.format11 };
  const body = encodeMessageListing({ version: ctx.format11 ? '1.1' : '1.0', messages: page.map((m) => ctx.view.listingEntry(m, options)) });
  return { headers: paramHeaders({ newMessage, mseTime: ctx.view.mseTime(ctx.now), messagesListingSize: size }), body };
}

/** GetMessage: Attachment and Charset are mandatory; the bMessage carries the message's status before this read. */
export function messageReply(message: PhoneMessage | undefined, params: MapParams, view: MessageView): GetReply | Refusal {
  if (params.attachment === undefined) return refuse(ResponseCode.BadRequest, 'GetMessage without Attachment');
  if (params.charset === undefined) return refuse(ResponseCode.BadRequest, 'GetMessage without Charset');
  if (params.attachment !== MapAttachment.Off && params.attachment !== MapAttachment.On) {
    return refuse(ResponseCode.BadRequest, `Attachment ${params.attachment} is reserved`);
  }
  if (params.charset !== MapCharset.Native && params.charset !== MapCharset.Utf8) {
    return refuse(ResponseCode.BadRequest, `Charset ${params.charset} is reserved`);
  }
  if (message === undefined) return refuse(ResponseCode.NotFound, 'no such message');
  // Native asks for SMS PDUs; the phone serves UTF-8 text either way and says so in CHARSET.
  return { body: encodeBMessage(view.bMessage(message)) };
}

/** GetMASInstanceInformation: the instance's description as UTF-8 text. */
export function instanceInfoReply(map: MapProfile, params: MapParams): GetReply | Refusal {
  if (params.masInstanceId === undefined) return refuse(ResponseCode.BadRequest, 'GetMASInstanceInformation without MASInstanceID');
  if (params.masInstanceId !== map.masInstanceId) return refuse(ResponseCode.NotFound, `no MAS instance ${params.masInstanceId}`);
  return { body: new TextEncoder().encode(map.serviceName) };
}

/** A push the phone accepted: what to record. */
export interface AcceptedPush {
  type: string;
  recipients: string[];
  text: string;
}

/** Checks a PushMessage request's Name and parameters before its body arrives. */
export function checkPushRequest(path: MapFolderPath, name: string | undefined, params: MapParams): Refusal | undefined {
  const folder = resolveFolder(path, name);
  if (!folder.ok) return folderRefusal(folder.reason, name);
  if (messageFolderOf(folder.path) !== 'outbox') return refuse(ResponseCode.BadRequest, `PushMessage into ${folder.path.join('/') || 'the root'}, not outbox`);
  if (params.charset === undefined) return refuse(ResponseCode.BadRequest, 'PushMessage without Charset');
  if (params.charset === MapCharset.Native) return refuse(ResponseCode.NotAcceptable, 'PushMessage in the native charset (SMS PDUs) is not supported');
  if (params.charset !== MapCharset.Utf8) return refuse(ResponseCode.BadRequest, `Charset ${params.charset} is reserved`);
  return undefined;
}

/** Decodes and checks a pushed bMessage against the profile's push policy. */
export function checkPushedMessage(bytes: Uint8Array, map: MapProfile, maxBytes: number): AcceptedPush | Refusal {
  let message: BMessage;
  try {
    message = decodeBMessage(bytes, { maxBytes });
  } catch (err) {
    return refuse(ResponseCode.BadRequest, `not a bMessage: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body = bMessageBody(message);
  if (!isUtf8Charset(body.charset)) return refuse(ResponseCode.BadRequest, `body CHARSET ${body.charset ?? ''} is not UTF-8`);
  const recipients: string[] = [];
  for (const party of bMessageRecipients(message)) {
    const address = party.phones[0] ?? party.emails[0];
    if (address === undefined || address.trim() === '') return refuse(ResponseCode.BadRequest, 'a recipient without a number or address');
    recipients.push(address.trim());
  }
  if (recipients.length === 0) return refuse(ResponseCode.BadRequest, 'no recipient');
  if (!map.push.types.includes(message.type)) return refuse(map.push.notText, `TYPE ${message.type} is not accepted (text only)`);
  if (recipients.length > map.push.maxRecipients) {
    return refuse(map.push.tooManyRecipients, `${recipients.length} recipients, at most ${map.push.maxRecipients}`);
  }
  return { type: message.type, recipients, text: body.text };
}
