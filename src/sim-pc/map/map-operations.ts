/**
 * The MAP functions as OBEX exchanges, run by the MAP client one at a time
 * on its open session: SetNotificationRegistration, GetMessagesListing (one
 * page), GetMessage, SetMessageStatus, PushMessage, UpdateInbox and
 * SetFolder, with the folder the session is in kept track of (unknown
 * after a failed SetPath, so the next move starts from the root). Bodies
 * are gathered up to a limit and decoded with the src/protocol/map codecs.
 */
import { encodeMapParams, decodeMapParams } from '../../protocol/map/app-params';
import { decodeBMessage, encodeBMessage } from '../../protocol/map/bmessage';
import { MapAttachment, MapCharset, MAP_FILLER_BYTE, MapMime } from '../../protocol/map/constants';
import { decodeMessageListing, isMessageHandle } from '../../protocol/map/listing';
import type { BMessage, MapParams } from '../../protocol/map/types';
import type { ObexClientSession } from '../../protocol/obex/client-session';
import type { GetSink } from '../../protocol/obex/client-types';
import { readAppParams, readName } from '../../protocol/obex/header-values';
import type { ObexHeader } from '../../protocol/obex/headers';
import { absoluteFolder, folderText, planSetPath } from '../pbap/folder-path';
import { MapLimitError, MapProtocolError } from './errors';
import type { ListMessagesOptions, MapClientOptions, MessageFetch, MessagesListingPage, PushResult } from './map-types';
import { MAP_MAX_LISTING_BYTES, MAP_MAX_MESSAGE_BYTES } from '../../limits';

export const DEFAULT_MAX_LISTING_BYTES = MAP_MAX_LISTING_BYTES;
export const DEFAULT_MAX_MESSAGE_BYTES = MAP_MAX_MESSAGE_BYTES;
/** MaxListCount when the caller gives none. */
export const DEFAULT_LIST_COUNT = 1024;

/** Runs an operation on the client's session, queued behind the others. */
export type RunMapOperation = <T>(what: string, body: (session: ObexClientSession) => Promise<T>) => Promise<T>;

export class MapOperations {
  private current: string[] | undefined = [];
  private readonly maxListingBytes: number;
  private readonly maxMessageBytes: number;

  constructor(
    options: Pick<MapClientOptions, 'maxListingBytes' | 'maxMessageBytes'>,
    private readonly run: RunMapOperation,
  ) {
    this.maxListingBytes = options.maxListingBytes ?? DEFAULT_MAX_LISTING_BYTES;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  get folder(): string | undefined {
    return this.current === undefined ? undefined : folderText(this.current);
  }

  /** A new session starts at the root. */
  reset(): void {
    this.current = [];
  }

  setNotificationRegistration(on: boolean): Promise<void> {
    const appParams = encodeMapParams({ notificationStatus: on ? 1 : 0 });
    return this.run(`SetNotificationRegistration ${on ? 'on' : 'off'}`, async (session) => {
      await session.put({ type: MapMime.notificationRegistration, appParams }, Uint8Array.of(MAP_FILLER_BYTE));
    });
  }

  listMessages(folder: string, options: ListMessagesOptions): Promise<MessagesListingPage> {
    const target = absoluteFolder(folder);
    const params: MapParams = { maxListCount: options.maxListCount ?? DEFAULT_LIST_COUNT };
    if (options.listStartOffset !== undefined) params.listStartOffset = options.listStartOffset;
    if (options.parameterMask !== undefined) params.parameterMask = options.parameterMask;
    if (options.filterReadStatus !== undefined) params.filterReadStatus = options.filterReadStatus;
    if (options.subjectLength !== undefined) params.subjectLength = options.subjectLength;
    const appParams = encodeMapParams(params);
    const text = target.join('/');
    const what = `GetMessagesListing ${text}`;
    return this.run(what, async (session) => {
      await this.navigate(session, target);
      const sink = new MapBodyCollector(what, this.maxListingBytes);
      // The listing of the current folder: an empty Name.
      await session.get({ type: MapMime.messageListing, name: '', appParams }, sink);
      const body = sink.body();
      const messages = body.length === 0 ? [] : decodeMessageListing(body, { maxBytes: this.maxListingBytes }).messages;
      const p = sink.params;
      return { folder: text, messages, size: p.messagesListingSize, newMessage: p.newMessage, mseTime: p.mseTime, params: p };
    });
  }

  getMessage(handle: string, folder: string): Promise<MessageFetch> {
    const what = `GetMessage ${handle}`;
    if (!isMessageHandle(handle)) return Promise.reject(new MapProtocolError(what, 'the handle is not 1 to 16 hex digits', undefined));
    const target = absoluteFolder(folder);
    const appParams = encodeMapParams({ attachment: MapAttachment.Off, charset: MapCharset.Utf8 });
    return this.run(what, async (session) => {
      await this.navigate(session, target);
      const sink = new MapBodyCollector(what, this.maxMessageBytes);
      await session.get({ type: MapMime.message, name: handle, appParams }, sink);
      const body = sink.body();
      return { handle, message: decodeBMessage(body, { maxBytes: this.maxMessageBytes }), bytes: body.length };
    });
  }

  setMessageStatus(handle: string, indicator: number, value: number): Promise<void> {
    const what = `SetMessageStatus ${handle}`;
    if (!isMessageHandle(handle)) return Promise.reject(new MapProtocolError(what, 'the handle is not 1 to 16 hex digits', undefined));
    const appParams = encodeMapParams({ statusIndicator: indicator, statusValue: value });
    return this.run(what, async (session) => {
      await session.put({ type: MapMime.messageStatus, name: handle, appParams }, Uint8Array.of(MAP_FILLER_BYTE));
    });
  }

  pushMessage(folder: string, message: BMessage): Promise<PushResult> {
    const target = absoluteFolder(folder);
    const name = target[target.length - 1] ?? '';
    const parent = target.slice(0, -1);
    let body: Uint8Array;
    try {
      body = encodeBMessage(message);
    } catch (err) {
      // A message that cannot be written (MapError map.bad-value): nothing is sent.
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const appParams = encodeMapParams({ charset: MapCharset.Utf8, transparent: 0, retry: 1 });
    return this.run(`PushMessage ${target.join('/')}`, async (session) => {
      await this.navigate(session, parent);
      // Name is the child folder of the current one (e.g. "outbox" from telecom/msg).
      const result = await session.put({ type: MapMime.message, name, appParams }, body);
      const handle = readName(result.headers);
      return { handle: handle !== undefined && isMessageHandle(handle) ? handle : undefined };
    });
  }

  updateInbox(): Promise<void> {
    return this.run('UpdateInbox', async (session) => {
      await session.put({ type: MapMime.messageUpdate }, Uint8Array.of(MAP_FILLER_BYTE));
    });
  }

  setFolder(path: string): Promise<void> {
    return this.run(`SetFolder ${path}`, async (session) => {
      await this.navigate(session, absoluteFolder(path));
    });
  }

  /** Moves the session to `target` in as few SetPath steps as it takes. */
  private async navigate(session: ObexClientSession, target: readonly string[]): Promise<void> {
    for (const step of planSetPath(this.current, target)) {
      const before = this.current;
      this.current = undefined;
      if (step.kind === 'root') {
        await session.setPath({ name: '' });
        this.current = [];
      } else if (step.kind === 'up') {
        await session.setPath({ up: true });
        this.current = before?.slice(0, -1);
      } else {
        await session.setPath({ name: step.name });
        this.current = before === undefined ? undefined : [...before, step.name];
      }
    }
  }
}

/** Gathers a GET body up to `maxBytes` (MapLimitError beyond) and the responses' application parameters. */
export class MapBodyCollector implements GetSink {
  params: MapParams = {};
  bytes = 0;
  private readonly parts: Uint8Array[] = [];

  constructor(
    private readonly what: string,
    private readonly maxBytes: number,
  ) {}

  onHeaders(headers: ObexHeader[]): void {
    const raw = readAppParams(headers);
    if (raw === undefined) return;
    const decoded = decodeMapParams(raw);
    const unknown = [...(this.params.unknown ?? []), ...(decoded.unknown ?? [])];
    this.params = { ...this.params, ...decoded };
    if (unknown.length > 0) this.params.unknown = unknown;
  }

  onBody(chunk: Uint8Array): void {
    if (this.bytes + chunk.length > this.maxBytes) throw new MapLimitError(`${this.what} body`, this.maxBytes);
    this.parts.push(Uint8Array.from(chunk));
    this.bytes += chunk.length;
  }

  body(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
