/**
 * One PBAP session on one channel: an OBEX server session whose handlers
 * implement the PSE side. Connect needs the PBAP Target and, on iOS, the
 * user's "Sync Contacts" for this PC (Forbidden until then, and for every
 * later request while it is off); SetPath walks the folder tree;
 * PullPhoneBook, PullvCardListing and PullvCardEntry stream their bodies a
 * page of cards at a time. Every bad request gets an OBEX response code.
 */
import type { Clock } from '../link/clock';
import type { ByteChannel, ClassicPeer } from '../link/classic';
import {
  appParamsHeader,
  ObexServerSession,
  ResponseCode,
  type ConnectRequest,
  type GetReply,
  type ObexHeader,
  type ServerReply,
  type ServerRequest,
  type SetPathRequest,
} from '../protocol/obex';
import {
  decodePbapParams,
  encodePbapParams,
  isPbapTarget,
  parsePhonebookObject,
  PBAP_MAX_LIST_COUNT_DEFAULT,
  PbapFormat,
  PbapObjectType,
  PbapOrder,
  PbapSearchProperty,
  SIM_FOLDER,
  TELECOM_FOLDER,
  VCARD_LISTING_HEAD,
  VCARD_LISTING_TAIL,
  vcardListingCardLine,
  type PbapParams,
} from '../protocol/pbap';
import type { VcardWriteVersion } from '../protocol/vcard';
import { PbapFolders, searchEntries, sortEntries, type BookEntry, type FolderPath } from './pbap-folders';
import type { PhoneModel } from './phone-model';
import type { PbapProfile } from './profile';

export type PbapOperation = 'connect' | 'setPath' | 'phonebook' | 'listing' | 'entry' | 'other';

/** What a session reports to its server (for stats and events). */
export interface PbapSessionHooks {
  request(operation: PbapOperation, name: string | undefined, code: number): void;
  /** A Connect succeeded; `pceFeatures` is the PbapSupportedFeatures the PCE sent in it, if any. */
  connected(pceFeatures: number | undefined): void;
  body(kind: 'cards' | 'listing', items: number, bytes: number): void;
}

export interface PbapSessionOptions {
  channel: ByteChannel;
  peer: ClassicPeer;
  model: PhoneModel;
  pbap: PbapProfile;
  clock: Clock;
  hooks: PbapSessionHooks;
  /** Cards (or listing lines) rendered per body chunk. */
  cardsPerChunk: number;
  maxPacketLength: number;
  timeoutMs: number;
  onClose(): void;
}

const encoder = new TextEncoder();

export class PbapSession {
  readonly obex: ObexServerSession;
  private path: FolderPath = [];
  private readonly folders: PbapFolders;
  /** PbapSupportedFeatures the PCE sent in Connect, if any. */
  pceFeatures: number | undefined;

  constructor(private readonly options: PbapSessionOptions) {
    this.folders = new PbapFolders(options.model, options.pbap.supportedRepositories, options.pbap.photos);
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
        connect: (request) => session.track('connect', request.name, session.connect(request)),
        disconnect: () => {
          session.path = [];
        },
        setPath: (request) => session.track('setPath', request.name, session.setPath(request)),
        get: (request) => session.get(request),
      },
    });
  }

  /** The current folder, e.g. `telecom/pb` ('' at the root). */
  get currentFolder(): string {
    return this.path.join('/');
  }

  close(): void {
    this.obex.close();
  }

  private get allowed(): boolean {
    const { pbap, model, peer } = this.options;
    return !pbap.requiresSyncContacts || model.hasPermission(peer.address, 'syncContacts');
  }

  private track<T extends ServerReply | GetReply>(operation: PbapOperation, name: string | undefined, reply: T): T {
    const code = typeof reply === 'number' ? reply : (reply.code ?? ResponseCode.Success);
    this.options.hooks.request(operation, name, code);
    return reply;
  }

  private connect(request: ConnectRequest): ServerReply {
    if (!isPbapTarget(request.target)) return ResponseCode.NotAcceptable;
    if (!this.allowed) return ResponseCode.Forbidden;
    if (request.appParams !== undefined) {
      const params = this.params(request.appParams);
      if (params === undefined) return ResponseCode.BadRequest;
      this.pceFeatures = params.supportedFeatures;
    } else {
      this.pceFeatures = undefined;
    }
    this.path = [];
    this.options.hooks.connected(this.pceFeatures);
    return ResponseCode.Success;
  }

  private setPath(request: SetPathRequest): ServerReply {
    if (!this.allowed) return ResponseCode.Forbidden;
    const result = this.folders.setPath(this.path, request.up, request.name);
    if (!result.ok) return result.reason === 'bad-name' ? ResponseCode.BadRequest : ResponseCode.NotFound;
    this.path = result.path;
    return ResponseCode.Success;
  }

  private get(request: ServerRequest): number | GetReply {
    const type = request.type?.toLowerCase();
    const operation: PbapOperation =
      type === PbapObjectType.Phonebook ? 'phonebook' : type === PbapObjectType.VcardListing ? 'listing' : type === PbapObjectType.Vcard ? 'entry' : 'other';
    let reply: number | GetReply;
    if (!this.allowed) {
      reply = ResponseCode.Forbidden;
    } else {
      const params = request.appParams === undefined ? {} : this.params(request.appParams);
      if (params === undefined) reply = ResponseCode.BadRequest;
      else if (operation === 'phonebook') reply = this.pullPhonebook(request.name, params);
      else if (operation === 'listing') reply = this.pullListing(request.name, params);
      else if (operation === 'entry') reply = this.pullEntry(request.name, params);
      else reply = ResponseCode.BadRequest;
    }
    return this.track(operation, request.name, reply);
  }

  private pullPhonebook(name: string | undefined, params: PbapParams): number | GetReply {
    if (name === undefined || name === '') return ResponseCode.BadRequest;
    const object = parsePhonebookObject(name);
    if (object === undefined) return ResponseCode.NotFound;
    const folder = object.sim ? [SIM_FOLDER, TELECOM_FOLDER, object.book] : [TELECOM_FOLDER, object.book];
    const entries = this.folders.entries(folder);
    if (entries === undefined) return ResponseCode.NotFound;
    const version = this.versionOf(params);
    if (version === undefined) return ResponseCode.NotAcceptable;
    const max = params.maxListCount ?? PBAP_MAX_LIST_COUNT_DEFAULT;
    const offset = params.listStartOffset ?? 0;
    const reply: PbapParams = this.missedCallsParams(folder, params);
    if (max === 0) return { headers: this.paramHeaders({ ...reply, phonebookSize: Math.min(entries.length, 0xffff) }) };
    const page = entries.slice(offset, offset + max);
    const selector = params.propertySelector ?? 0n;
    return { headers: this.paramHeaders(reply), body: this.cards(page, version, selector) };
  }

  private pullListing(name: string | undefined, params: PbapParams): number | GetReply {
    const folder = this.folders.resolve(this.path, name ?? '');
    const entries = folder === undefined ? undefined : this.folders.entries(folder);
    if (folder === undefined || entries === undefined) return ResponseCode.NotFound;
    const order = params.order ?? PbapOrder.Indexed;
    const property = params.searchProperty ?? PbapSearchProperty.Name;
    if (order > PbapOrder.Phonetic || property > PbapSearchProperty.Sound) return ResponseCode.NotAcceptable;
    const found = sortEntries(searchEntries(entries, params.searchValue, property), order);
    const reply: PbapParams = this.missedCallsParams(folder, params);
    const max = params.maxListCount ?? PBAP_MAX_LIST_COUNT_DEFAULT;
    if (max === 0) return { headers: this.paramHeaders({ ...reply, phonebookSize: Math.min(found.length, 0xffff) }) };
    const offset = params.listStartOffset ?? 0;
    return { headers: this.paramHeaders(reply), body: this.listing(found.slice(offset, offset + max)) };
  }

  private pullEntry(name: string | undefined, params: PbapParams): number | GetReply {
    if (name === undefined) return ResponseCode.BadRequest;
    const match = /^(\d{1,9})\.vcf$/.exec(name);
    const entries = this.folders.entries(this.path);
    if (match === null || entries === undefined) return ResponseCode.NotFound;
    const handle = Number(match[1]);
    const entry = entries.find((e) => e.handle === handle);
    if (entry === undefined) return ResponseCode.NotFound;
    const version = this.versionOf(params);
    if (version === undefined) return ResponseCode.NotAcceptable;
    const text = entry.render(version, params.propertySelector ?? 0n);
    const body = encoder.encode(text);
    this.options.hooks.body('cards', 1, body.length);
    return { body };
  }

  /** NewMissedCalls for mch and cch (then reset, when the PCE asks). */
  private missedCallsParams(folder: FolderPath, params: PbapParams): PbapParams {
    const book = folder[folder.length - 1];
    const local = folder.length === 2;
    if (!local || (book !== 'mch' && book !== 'cch')) return {};
    const calls = this.options.model.calls;
    const count = Math.min(calls.newMissedCalls, 0xff);
    if (params.resetNewMissedCalls === 1) calls.resetNewMissedCalls();
    return { newMissedCalls: count };
  }

  private versionOf(params: PbapParams): VcardWriteVersion | undefined {
    const format = params.format ?? PbapFormat.Vcard21;
    const version: VcardWriteVersion | undefined =
      format === PbapFormat.Vcard21 ? '2.1' : format === PbapFormat.Vcard30 ? '3.0' : undefined;
    return version !== undefined && this.options.pbap.formats.includes(version) ? version : undefined;
  }

  private params(bytes: Uint8Array): PbapParams | undefined {
    try {
      return decodePbapParams(bytes);
    } catch {
      return undefined;
    }
  }

  private paramHeaders(params: PbapParams): ObexHeader[] {
    return Object.keys(params).length === 0 ? [] : [appParamsHeader(encodePbapParams(params))];
  }

  /** vCards rendered a chunk of cards at a time, as the OBEX session asks for bytes. */
  private async *cards(entries: readonly BookEntry[], version: VcardWriteVersion, selector: bigint): AsyncIterable<Uint8Array> {
    const step = this.options.cardsPerChunk;
    for (let at = 0; at < entries.length; at += step) {
      const slice = entries.slice(at, at + step);
      const bytes = encoder.encode(slice.map((e) => e.render(version, selector)).join(''));
      this.options.hooks.body('cards', slice.length, bytes.length);
      yield bytes;
    }
  }

  private async *listing(entries: readonly BookEntry[]): AsyncIterable<Uint8Array> {
    yield encoder.encode(VCARD_LISTING_HEAD);
    const step = this.options.cardsPerChunk * 4;
    for (let at = 0; at < entries.length; at += step) {
      const slice = entries.slice(at, at + step);
      const bytes = encoder.encode(slice.map((e) => vcardListingCardLine({ handle: `${e.handle}.vcf`, name: e.listingName })).join(''));
      this.options.hooks.body('listing', slice.length, bytes.length);
      yield bytes;
    }
    yield encoder.encode(VCARD_LISTING_TAIL);
  }
}
