/**
 * Test double for the phone's side of PBAP, independent of src/sim-phone:
 * a ClassicClient whose phone publishes an SDP record and answers on a
 * pair of in-memory byte channels with an ObexServerSession serving
 * phone books from plain vCard strings. Knobs: features attribute present
 * or not, Forbidden on Connect, refused channel, slow or stalled bodies,
 * a drop after N bytes, hostile raw responses.
 */
import type { BondStore } from '../../../src/link/ble';
import { MemoryBondStore } from '../../../src/link/ble';
import {
  COD_AUDIO_VIDEO_HANDS_FREE,
  type ByteChannel,
  type ByteChannelEvents,
  type ClassicClient,
  type ClassicConnection,
  type ClassicConnectionEvents,
  type ClassicDeviceInfo,
  type ServiceRecord,
} from '../../../src/link/classic';
import type { VirtualClock } from '../../../src/link/virtual-clock';
import { DisconnectedError, LinkError } from '../../../src/link/errors';
import { appParamsHeader } from '../../../src/protocol/obex/header-values';
import { ResponseCode } from '../../../src/protocol/obex/constants';
import { ObexServerSession } from '../../../src/protocol/obex/server-session';
import type { GetReply, ServerRequest } from '../../../src/protocol/obex/server-handlers';
import { decodePbapParams, encodePbapParams, type PbapParams } from '../../../src/protocol/pbap/app-params';
import { encodeVcardListing } from '../../../src/protocol/pbap/listing';
import { Emitter } from '../../../src/util/emitter';

export const PHONE = 'AA:BB:CC:DD:EE:01';
export const PSE_CHANNEL = 19;

export class FakeChannel implements ByteChannel {
  readonly events = new Emitter<ByteChannelEvents>();
  peer: FakeChannel | undefined;
  isOpen = true;
  pendingBytes = 0;
  /** Called with every chunk this side writes (before delivery). */
  onWrite: ((bytes: Uint8Array) => void) | undefined;

  constructor(
    private readonly clock: VirtualClock,
    readonly channel: number,
    readonly maxFrameSize: number,
    private readonly latencyMs: number,
  ) {}

  get open(): boolean {
    return this.isOpen;
  }

  write(data: Uint8Array): void {
    if (!this.isOpen) throw new DisconnectedError(0x16);
    this.onWrite?.(data);
    for (let at = 0; at < data.length; at += this.maxFrameSize) {
      const frame = data.slice(at, at + this.maxFrameSize);
      this.clock.schedule(this.latencyMs, () => {
        const peer = this.peer;
        if (this.isOpen && peer?.isOpen) peer.events.emit('data', frame);
      });
    }
  }

  async close(): Promise<void> {
    this.shut(0x16, 0x13);
  }

  /** Both ends close with `reason` (0x08: link lost). */
  drop(reason = 0x08): void {
    this.shut(reason, reason);
  }

  private shut(here: number, there: number): void {
    const peer = this.peer;
    if (this.isOpen) {
      this.isOpen = false;
      this.events.emit('close', here);
    }
    if (peer?.isOpen) {
      peer.isOpen = false;
      peer.events.emit('close', there);
    }
  }
}

export interface Book {
  /** Raw vCard text per entry (malformed ones allowed). */
  cards: string[];
  newMissedCalls?: number;
}

export interface FakePhoneOptions {
  /** 0x0317 in the PSE record (undefined: absent). */
  features?: number;
  /** Other record attributes. */
  attributes?: Record<number, number | string>;
  /** No PSE record at all. */
  noPse?: boolean;
  /** Refuse the channel like a phone that dislikes our Class of Device. */
  refuseChannel?: boolean;
  /** Connect answered Forbidden (Sync Contacts off). */
  forbidden?: boolean;
  /** Phone books by object name (`telecom/pb.vcf`). */
  books?: Record<string, Book>;
  /** Server OBEX packet size. Default 4096. */
  serverPacket?: number;
  frameSize?: number;
  latencyMs?: number;
  /** Body pieces of this many bytes, each after `pieceDelayMs` (a slow phone). */
  pieceBytes?: number;
  pieceDelayMs?: number;
  /** Stop sending after this many body bytes of a pull (a stalled phone). */
  stallAfterBytes?: number;
  /** Drop the link once this many bytes went to the PC on one channel (once). */
  dropAfterBytes?: number;
  /** Instead of the OBEX server: answer each request with these raw bytes (hostile phone). */
  rawResponses?: (request: Uint8Array, index: number) => Uint8Array[] | undefined;
}

/** What the phone saw, for assertions. */
export interface PhoneLog {
  connects: { appParams: PbapParams | undefined; target: Uint8Array | undefined }[];
  gets: { type: string | undefined; name: string | undefined; params: PbapParams }[];
  setPaths: string[];
  channelsOpened: number;
  pairings: number;
}

export class FakePhone implements ClassicClient {
  readonly address = '11:22:33:44:55:66';
  readonly bonds: BondStore = new MemoryBondStore();
  readonly log: PhoneLog = { connects: [], gets: [], setPaths: [], channelsOpened: 0, pairings: 0 };
  classOfDevice = COD_AUDIO_VIDEO_HANDS_FREE;
  folder: string[] = [];
  channels: FakeChannel[] = [];
  connections: FakeConnection[] = [];
  private dropArmed: boolean;

  constructor(
    readonly clock: VirtualClock,
    readonly options: FakePhoneOptions = {},
  ) {
    this.dropArmed = options.dropAfterBytes !== undefined;
  }

  // The PC's own records and listeners: PBAP never uses them.
  addServiceRecord(): void {}
  removeServiceRecord(): void {}
  listen(): void {}
  unlisten(): void {}

  record(): ServiceRecord {
    const attributes: Record<number, number | string> = { 0x0314: 0x01, ...(this.options.attributes ?? {}) };
    if (this.options.features !== undefined) attributes[0x0317] = this.options.features;
    return { serviceClasses: [0x112f], profile: { uuid: 0x1130, version: 0x0102 }, channel: PSE_CHANNEL, name: 'Phonebook', attributes };
  }

  async discover(address: string): Promise<ClassicDeviceInfo> {
    await this.clock.sleep(5);
    const records: ServiceRecord[] = [{ serviceClasses: [0x111f, 0x1203], profile: { uuid: 0x111e, version: 0x0108 }, channel: 8, name: 'Voice Gateway', attributes: {} }];
    if (this.options.noPse !== true) records.push(this.record());
    return { address, name: 'iPhone', classOfDevice: 0x7a020c, records };
  }

  async connect(address: string): Promise<ClassicConnection> {
    await this.clock.sleep(5);
    const connection = new FakeConnection(this, address);
    this.connections.push(connection);
    return connection;
  }

  /** Drops every open channel and ACL (link lost). */
  dropAll(): void {
    for (const channel of this.channels) channel.drop();
    for (const connection of this.connections) connection.lose();
  }

  openServer(): FakeChannel {
    const latency = this.options.latencyMs ?? 2;
    const frame = this.options.frameSize ?? 1000;
    const pc = new FakeChannel(this.clock, PSE_CHANNEL, frame, latency);
    const phone = new FakeChannel(this.clock, PSE_CHANNEL, frame, latency);
    pc.peer = phone;
    phone.peer = pc;
    this.channels.push(pc);
    this.log.channelsOpened++;
    let sent = 0;
    phone.onWrite = (bytes) => {
      sent += bytes.length;
      if (this.dropArmed && sent >= (this.options.dropAfterBytes ?? Infinity)) {
        this.dropArmed = false;
        // Let this write's frames go first, then the link goes.
        this.clock.schedule(1, () => this.dropAll());
      }
    };
    this.attachServer(phone);
    return pc;
  }

  /** Serves PBAP (or the raw script) on the phone's end of a channel. */
  attachServer(phone: ByteChannel): void {
    if (this.options.rawResponses) {
      const raw = this.options.rawResponses;
      let index = 0;
      phone.events.on('data', (chunk) => {
        const replies = raw(chunk, index++);
        for (const reply of replies ?? []) if (phone.open) phone.write(reply);
      });
      return;
    }
    const server = new ObexServerSession({
      send: (bytes) => phone.write(bytes),
      clock: this.clock,
      maxPacketLength: this.options.serverPacket ?? 4096,
      handlers: {
        connect: (request) => {
          this.log.connects.push({ appParams: request.appParams ? decodePbapParams(request.appParams) : undefined, target: request.target });
          if (this.options.forbidden === true) return ResponseCode.Forbidden;
          this.folder = [];
          return undefined;
        },
        setPath: (request) => {
          const name = request.name;
          if (request.up) {
            this.log.setPaths.push('..');
            this.folder.pop();
          } else if (name === '' || name === undefined) {
            this.log.setPaths.push('/');
            this.folder = [];
          } else {
            this.log.setPaths.push(name);
            const next = [...this.folder, name];
            if (!isKnownFolder(next)) return ResponseCode.NotFound;
            this.folder = next;
          }
          return undefined;
        },
        get: (request) => this.get(request),
      },
    });
    phone.events.on('data', (chunk) => server.receive(chunk));
    phone.events.on('close', () => server.close());
  }

  private get(request: ServerRequest): number | GetReply {
    const params = request.appParams ? decodePbapParams(request.appParams) : {};
    this.log.gets.push({ type: request.type, name: request.name, params });
    if (request.type === 'x-bt/phonebook') {
      const book = this.options.books?.[request.name ?? ''];
      if (!book) return ResponseCode.NotFound;
      const reply: PbapParams = {};
      if (book.newMissedCalls !== undefined) reply.newMissedCalls = book.newMissedCalls;
      const max = params.maxListCount ?? 0xffff;
      if (max === 0) {
        reply.phonebookSize = book.cards.length;
        return { headers: [appParamsHeader(encodePbapParams(reply))] };
      }
      const start = params.listStartOffset ?? 0;
      const body = book.cards.slice(start, start + max).join('');
      const headers = Object.keys(reply).length > 0 ? [appParamsHeader(encodePbapParams(reply))] : [];
      return { headers, body: this.bodyOf(Buffer.from(body, 'utf8')) };
    }
    if (request.type === 'x-bt/vcard-listing') {
      const book = this.options.books?.[`${this.folder.join('/')}.vcf`];
      if (!book || request.name !== '') return ResponseCode.NotFound;
      const cards = book.cards.map((text, i) => ({ handle: `${i}.vcf`, name: /\nN:([^\r\n]*)/.exec(text)?.[1] ?? '' }));
      const search = params.searchValue;
      const chosen = search === undefined ? cards : cards.filter((c) => c.name.includes(search));
      if (params.maxListCount === 0) return { headers: [appParamsHeader(encodePbapParams({ phonebookSize: chosen.length }))] };
      const start = params.listStartOffset ?? 0;
      const page = chosen.slice(start, start + (params.maxListCount ?? 0xffff));
      return { body: Buffer.from(encodeVcardListing(page), 'utf8') };
    }
    if (request.type === 'x-bt/vcard') {
      const book = this.options.books?.[`${this.folder.join('/')}.vcf`];
      const match = /^(\d+)\.vcf$/.exec(request.name ?? '');
      const text = match ? book?.cards[Number(match[1])] : undefined;
      if (text === undefined) return ResponseCode.NotFound;
      return { body: Buffer.from(text, 'utf8') };
    }
    return ResponseCode.BadRequest;
  }

  private bodyOf(bytes: Uint8Array): Uint8Array | AsyncIterable<Uint8Array> {
    const piece = this.options.pieceBytes;
    const stall = this.options.stallAfterBytes;
    if (piece === undefined && stall === undefined) return bytes;
    const clock = this.clock;
    const delay = this.options.pieceDelayMs ?? 0;
    const size = piece ?? 256;
    return (async function* () {
      for (let at = 0; at < bytes.length; at += size) {
        if (stall !== undefined && at >= stall) await new Promise<never>(() => undefined);
        if (delay > 0) await clock.sleep(delay);
        yield bytes.subarray(at, at + size);
      }
    })();
  }
}

function isKnownFolder(path: string[]): boolean {
  const text = path.join('/');
  return text === 'telecom' || /^telecom\/(pb|ich|och|mch|cch|spd|fav)$/.test(text);
}

export class FakeConnection implements ClassicConnection {
  readonly events = new Emitter<ClassicConnectionEvents>();
  connected = true;
  encrypted = false;
  bonded = false;

  constructor(
    private readonly phone: FakePhone,
    readonly peerAddress: string,
  ) {
    this.encrypted = phone.bonds.has(peerAddress);
    this.bonded = this.encrypted;
  }

  async pair(): Promise<void> {
    await this.phone.clock.sleep(20);
    this.phone.log.pairings++;
    this.phone.bonds.set(this.peerAddress, new Uint8Array(16));
    this.encrypted = true;
    this.bonded = true;
  }

  async openChannel(channel: number): Promise<ByteChannel> {
    await this.phone.clock.sleep(5);
    if (!this.connected) throw new DisconnectedError(0x08);
    if (this.phone.options.refuseChannel === true || channel !== PSE_CHANNEL) {
      throw new LinkError('link.channel-refused', `channel ${channel} refused`);
    }
    return this.phone.openServer();
  }

  async disconnect(): Promise<void> {
    this.lose(0x16);
  }

  lose(reason = 0x08): void {
    if (!this.connected) return;
    this.connected = false;
    this.events.emit('disconnect', reason);
  }
}

/** A vCard 3.0 entry as a phone writes it. */
export function card30(given: string, family: string, tel: string, extra = ''): string {
  const fn = [given, family].filter((p) => p !== '').join(' ');
  return `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${fn}\r\nN:${family};${given};;;\r\nTEL;TYPE=CELL:${tel}\r\n${extra}END:VCARD\r\n`;
}

/** A call-history entry. */
export function callCard(kind: 'MISSED' | 'RECEIVED' | 'DIALED', time: string, tel: string, name = ''): string {
  const [family = '', given = ''] = name === '' ? [] : name.split(' ').reverse();
  return `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\nN:${family};${given};;;\r\nTEL:${tel}\r\nX-IRMC-CALL-DATETIME;TYPE=${kind}:${time}\r\nEND:VCARD\r\n`;
}

/** `count` generated contacts. */
export function manyCards(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(card30(`Given${i}`, `Family${i}`, `+4420794${String(i).padStart(5, '0')}`));
  return out;
}
