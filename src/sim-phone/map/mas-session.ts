/**
 * One MAS session on one channel: an OBEX server session whose handlers
 * implement the MSE side of MAP. Connect needs the MAS Target and whatever
 * the server's gate says (the user's "Show Message Notifications" on iOS, a
 * free session slot); SetPath walks telecom/msg; GET serves folder and
 * message listings, messages and the instance information; PUT takes
 * notification registration, message status, UpdateInbox and PushMessage.
 * Bodies a PC sends are bounded. Every bad request gets an OBEX response
 * code and the phone carries on.
 */
import type { ByteChannel, ClassicPeer } from '../../link/classic';
import type { Clock } from '../../link/clock';
import {
  decodeMapParams,
  isMasTarget,
  isMessageHandle,
  MapFeature,
  MapMime,
  NotificationStatus,
  StatusIndicator,
  StatusValue,
  type MapParams,
} from '../../protocol/map';
import {
  HeaderId,
  nameHeader,
  ObexServerSession,
  readU32,
  PutRefusal,
  ResponseCode,
  type ConnectRequest,
  type GetReply,
  type ObexHeader,
  type PutReceiver,
  type PutRequest,
  type ServerReply,
  type ServerRequest,
  type SetPathRequest,
} from '../../protocol/obex';
import type { PhoneModel } from '../phone-model';
import { setPath, type MapFolderPath } from './map-folders';
import type { MapProfile } from './map-profile';
import {
  checkPushedMessage,
  checkPushRequest,
  folderListingReply,
  instanceInfoReply,
  isRefusal,
  messageReply,
  messagesListingReply,
  refuse,
  type Refusal,
} from './mas-objects';
import type { SentMessage } from './message-store';
import { messageHandle, messageIdOf, type MessageView } from './message-view';

export type MapOperation =
  | 'connect'
  | 'setPath'
  | 'folderListing'
  | 'messagesListing'
  | 'getMessage'
  | 'instanceInfo'
  | 'pushMessage'
  | 'setMessageStatus'
  | 'notificationRegistration'
  | 'updateInbox'
  | 'other';

/** The GET object types, by lower-cased Type. */
const GET_OPERATIONS = new Map<string, MapOperation>([
  [MapMime.folderListing.toLowerCase(), 'folderListing'],
  [MapMime.messageListing.toLowerCase(), 'messagesListing'],
  [MapMime.message.toLowerCase(), 'getMessage'],
  [MapMime.instanceInfo.toLowerCase(), 'instanceInfo'],
]);

/** Most bytes of a PUT that carries no object (the filler byte, give or take). */
const MAX_FILLER_BYTES = 1024;

/** What a session asks of, and reports to, its server. */
export interface MasSessionHooks {
  /** May this PC connect now? A response code refuses (Forbidden, Service Unavailable); undefined allows. */
  connectGate(): number | undefined;
  connected(mceFeatures: number | undefined): void;
  /** NotificationStatus was set (on or off), or the session ended with it on; the server starts or stops the MNS client. */
  registration(on: boolean): void;
  /** The PC sent a message through the phone. */
  pushed(message: SentMessage): void;
  request(operation: MapOperation, name: string | undefined, code: number, why: string | undefined): void;
}

export interface MasSessionOptions {
  channel: ByteChannel;
  peer: ClassicPeer;
  model: PhoneModel;
  map: MapProfile;
  view: MessageView;
  clock: Clock;
  hooks: MasSessionHooks;
  maxPacketLength: number;
  timeoutMs: number;
  /** Largest pushed bMessage (bytes). */
  maxPushBytes: number;
  onClose(): void;
}

export class MasSession {
  readonly obex: ObexServerSession;
  private path: MapFolderPath = [];
  /** MapSupportedFeatures the MCE sent in Connect, if any. */
  mceFeatures: number | undefined;
  private registered = false;

  constructor(private readonly options: MasSessionOptions) {
    const session = this;
    this.obex = new ObexServerSession({
      send: (bytes) => options.channel.write(bytes),
      clock: options.clock,
      maxPacketLength: options.maxPacketLength,
      timeoutMs: options.timeoutMs,
      // RFCOMM carries no SRM (GOEP 2.0 uses it over L2CAP only).
      srm: false,
      requireConnect: true,
      onClose: () => options.onClose(),
      handlers: {
        connect: (request) => session.connect(request),
        disconnect: () => session.ended(),
        setPath: (request) => session.setPath(request),
        get: (request) => session.get(request),
        put: (request) => session.put(request),
      },
    });
  }

  get peer(): ClassicPeer {
    return this.options.peer;
  }

  /** OBEX Connect succeeded and no Disconnect followed. */
  get connected(): boolean {
    return this.obex.connected;
  }

  /** Notification registration is on. */
  get notificationsOn(): boolean {
    return this.registered;
  }

  /** The current folder, e.g. `telecom/msg/inbox` ('' at the root). */
  get currentFolder(): string {
    return this.path.join('/');
  }

  /** Listing format 1.1 applies: both sides have the MessagesListingFormat11 feature. */
  get format11(): boolean {
    return hasBit(this.options.map.supportedFeatures, MapFeature.MessagesListingFormat11) && hasBit(this.mceFeatures ?? 0, MapFeature.MessagesListingFormat11);
  }

  /** Event reports are version 1.1: both sides have the ExtendedEventReport11 feature. */
  get eventReport11(): boolean {
    return hasBit(this.options.map.supportedFeatures, MapFeature.ExtendedEventReport11) && hasBit(this.mceFeatures ?? 0, MapFeature.ExtendedEventReport11);
  }

  close(): void {
    this.obex.close();
  }

  private track(operation: MapOperation, name: string | undefined, code: number, why?: string): void {
    this.options.hooks.request(operation, name, code, why);
  }

  private connect(request: ConnectRequest): ServerReply {
    const answer = (code: number, why?: string): number => {
      this.track('connect', request.name, code, why);
      return code;
    };
    if (!isMasTarget(request.target)) return answer(ResponseCode.NotAcceptable, 'Target is not the MAS');
    const gate = this.options.hooks.connectGate();
    if (gate !== undefined) return answer(gate, 'refused by the phone');
    const params = this.params(request.appParams);
    if (params === undefined) return answer(ResponseCode.BadRequest, 'bad application parameters');
    this.mceFeatures = params.mapSupportedFeatures;
    this.path = [];
    this.options.hooks.connected(this.mceFeatures);
    return answer(ResponseCode.Success);
  }

  /** OBEX Disconnect: registration ends with the session. */
  private ended(): void {
    this.path = [];
    this.setRegistration(false);
  }

  /** The session is going away for good (channel closed, server stopped). */
  teardown(): void {
    this.setRegistration(false);
  }

  private setRegistration(on: boolean): void {
    if (this.registered === on) return;
    this.registered = on;
    this.options.hooks.registration(on);
  }

  private setPath(request: SetPathRequest): ServerReply {
    const result = setPath(this.path, request.up, request.name);
    let code: number = ResponseCode.Success;
    if (result.ok) this.path = result.path;
    else code = result.reason === 'bad-name' ? ResponseCode.BadRequest : ResponseCode.NotFound;
    this.track('setPath', request.name, code);
    return code;
  }

  private get(request: ServerRequest): number | GetReply {
    const operation = GET_OPERATIONS.get(request.type?.toLowerCase() ?? '') ?? 'other';
    let reply: GetReply | Refusal;
    const params = this.params(request.appParams);
    try {
      if (params === undefined) reply = refuse(ResponseCode.BadRequest, 'bad application parameters');
      else reply = this.getObject(operation, request.name, params);
    } catch (err) {
      reply = refuse(ResponseCode.InternalServerError, err instanceof Error ? err.message : String(err));
    }
    if (isRefusal(reply)) {
      this.track(operation, request.name, reply.code, reply.why);
      return reply.code;
    }
    this.track(operation, request.name, reply.code ?? ResponseCode.Success);
    return reply;
  }

  private getObject(operation: MapOperation, name: string | undefined, params: MapParams): GetReply | Refusal {
    const { model, map, view, peer, clock } = this.options;
    switch (operation) {
      case 'folderListing':
        return folderListingReply(this.path, name, params);
      case 'messagesListing':
        return messagesListingReply(
          { path: this.path, all: model.messages.all(), pcAddress: peer.address, view, map, now: clock.date(), format11: this.format11 },
          name,
          params,
        );
      case 'getMessage': {
        if (name === undefined || !isMessageHandle(name)) return refuse(ResponseCode.BadRequest, 'Name is not a message handle');
        const id = messageIdOf(name);
        const message = id === undefined ? undefined : model.messages.get(id);
        const visible = message !== undefined && view.visibleTo(message, peer.address) ? message : undefined;
        const reply = messageReply(visible, params, view);
        if (!isRefusal(reply) && visible !== undefined && map.markReadOnGet) model.messages.setRead(visible.id, true);
        return reply;
      }
      case 'instanceInfo':
        if (!hasBit(map.supportedFeatures, MapFeature.InstanceInformation)) return refuse(ResponseCode.NotImplemented, 'no InstanceInformation feature');
        return instanceInfoReply(map, params);
      default:
        return refuse(ResponseCode.BadRequest, 'unknown object type');
    }
  }

  private put(request: PutRequest): number | PutReceiver {
    const type = request.type?.toLowerCase();
    const params = this.params(request.appParams);
    const refused = (operation: MapOperation, refusal: Refusal): number => {
      this.track(operation, request.name, refusal.code, refusal.why);
      return refusal.code;
    };
    switch (type) {
      case MapMime.notificationRegistration.toLowerCase(): {
        if (params === undefined) return refused('notificationRegistration', refuse(ResponseCode.BadRequest, 'bad application parameters'));
        const status = params.notificationStatus;
        if (status !== NotificationStatus.On && status !== NotificationStatus.Off) {
          return refused('notificationRegistration', refuse(ResponseCode.BadRequest, `NotificationStatus ${String(status)}`));
        }
        return this.filler(request, 'notificationRegistration', () => {
          // Told every time (not only on a change): registering again restarts an MNS client that gave up.
          this.registered = status === NotificationStatus.On;
          this.options.hooks.registration(this.registered);
          return ResponseCode.Success;
        });
      }
      case MapMime.messageStatus.toLowerCase(): {
        if (params === undefined) return refused('setMessageStatus', refuse(ResponseCode.BadRequest, 'bad application parameters'));
        const problem = this.checkStatus(request.name, params);
        if (problem !== undefined) return refused('setMessageStatus', problem);
        return this.filler(request, 'setMessageStatus', () => this.applyStatus(request.name, params));
      }
      case MapMime.messageUpdate.toLowerCase():
        return this.filler(request, 'updateInbox', () => ResponseCode.Success);
      case MapMime.message.toLowerCase():
        if (params === undefined) return refused('pushMessage', refuse(ResponseCode.BadRequest, 'bad application parameters'));
        return this.push(request, params);
      default:
        return refused('other', refuse(type === undefined ? ResponseCode.BadRequest : ResponseCode.NotImplemented, `PUT of ${type ?? 'no type'}`));
    }
  }

  /** A PUT whose body is only a filler byte: the body is read (bounded) and dropped, then `finish` answers. */
  private filler(request: PutRequest, operation: MapOperation, finish: () => number | Refusal): number | PutReceiver {
    return this.bounded(request, operation, MAX_FILLER_BYTES, () => {
      const result = finish();
      return typeof result === 'number' ? { code: result } : result;
    });
  }

  /**
   * A receiver that keeps at most `limit` body bytes. A Length header over
   * the limit is refused at once; a body that grows past it is refused as
   * soon as it does, with the same Request Entity Too Large, and the PUT dropped.
   */
  private bounded(
    request: PutRequest,
    operation: MapOperation,
    limit: number,
    finish: (body: Uint8Array) => { code: number; why?: string; headers?: ObexHeader[] },
  ): number | PutReceiver {
    const declared = readU32(request.headers, HeaderId.Length);
    if (declared !== undefined && declared > limit) {
      this.track(operation, request.name, ResponseCode.RequestEntityTooLarge, `Length ${declared} over ${limit}`);
      return ResponseCode.RequestEntityTooLarge;
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    return {
      onBody: (chunk) => {
        total += chunk.length;
        if (total > limit) {
          this.track(operation, request.name, ResponseCode.RequestEntityTooLarge, `body over ${limit} bytes`);
          throw new PutRefusal(ResponseCode.RequestEntityTooLarge, `body over ${limit} bytes`);
        }
        chunks.push(Uint8Array.from(chunk));
      },
      onEnd: () => {
        const body = new Uint8Array(total);
        let at = 0;
        for (const c of chunks) {
          body.set(c, at);
          at += c.length;
        }
        let result: { code: number; why?: string; headers?: ObexHeader[] };
        try {
          result = finish(body);
        } catch (err) {
          result = { code: ResponseCode.InternalServerError, why: err instanceof Error ? err.message : String(err) };
        }
        this.track(operation, request.name, result.code, result.why);
        return { code: result.code, headers: result.headers ?? [] };
      },
    };
  }

  private checkStatus(name: string | undefined, params: MapParams): Refusal | undefined {
    if (name === undefined || !isMessageHandle(name)) return refuse(ResponseCode.BadRequest, 'Name is not a message handle');
    const indicator = params.statusIndicator;
    const value = params.statusValue;
    if (indicator === undefined || value === undefined) return refuse(ResponseCode.BadRequest, 'StatusIndicator and StatusValue are required');
    if (indicator !== StatusIndicator.Read && indicator !== StatusIndicator.Deleted) {
      return refuse(ResponseCode.NotImplemented, `StatusIndicator ${indicator} is not supported`);
    }
    if (value !== StatusValue.No && value !== StatusValue.Yes) return refuse(ResponseCode.BadRequest, `StatusValue ${value}`);
    return undefined;
  }

  /** SetMessageStatus after its filler body: read/unread, delete (to `deleted`, or for good from there), undelete. */
  private applyStatus(name: string | undefined, params: MapParams): number | Refusal {
    const { model, view, peer } = this.options;
    const id = name === undefined ? undefined : messageIdOf(name);
    const message = id === undefined ? undefined : model.messages.get(id);
    if (message === undefined || !view.visibleTo(message, peer.address)) return refuse(ResponseCode.NotFound, 'no such message');
    const yes = params.statusValue === StatusValue.Yes;
    if (params.statusIndicator === StatusIndicator.Read) {
      model.messages.setRead(message.id, yes);
    } else if (yes) {
      if (message.folder === 'deleted') model.messages.remove(message.id);
      else model.messages.move(message.id, 'deleted');
    } else if (message.folder === 'deleted') {
      model.messages.move(message.id, message.previousFolder ?? 'inbox');
    }
    return ResponseCode.Success;
  }

  private push(request: PutRequest, params: MapParams): number | PutReceiver {
    const problem = checkPushRequest(this.path, request.name, params);
    if (problem !== undefined) {
      this.track('pushMessage', request.name, problem.code, problem.why);
      return problem.code;
    }
    const { model, map, peer, clock, maxPushBytes, hooks } = this.options;
    return this.bounded(request, 'pushMessage', maxPushBytes, (body) => {
      const checked = checkPushedMessage(body, map, maxPushBytes);
      if (isRefusal(checked)) return checked;
      const sent = model.messages.recordSent({ recipients: checked.recipients, text: checked.text, type: checked.type, sentBy: peer.address, date: clock.date() });
      model.messages.markShown(sent.id, peer.address);
      hooks.pushed(sent);
      return { code: ResponseCode.Success, headers: [nameHeader(messageHandle(sent.id))] };
    });
  }

  private params(bytes: Uint8Array | undefined): MapParams | undefined {
    if (bytes === undefined) return {};
    try {
      return decodeMapParams(bytes);
    } catch {
      return undefined;
    }
  }
}

function hasBit(value: number, bit: number): boolean {
  return (value & bit) !== 0;
}
