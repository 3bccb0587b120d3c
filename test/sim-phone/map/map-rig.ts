/**
 * Test rig for the phone's MAP server over the in-memory classic link: a
 * SimulatedPhone on a VirtualClock and MemoryClassicAir, and PCs that
 * connect, pair, publish an MNS record and accept the phone's MNS channel
 * (an OBEX server that records each event report), with a small MCE (an
 * ObexClientSession) that speaks MAS to the phone.
 */
import assert from 'node:assert/strict';
import { COD_AUDIO_VIDEO_HANDS_FREE, type ByteChannel, type ServiceRecord } from '../../../src/link/classic';
import { MemoryClassicAir, type MemoryClassicClient, type MemoryClassicConnection } from '../../../src/link/memory/classic';
import { VirtualClock } from '../../../src/link/virtual-clock';
import {
  decodeBMessage,
  decodeEventReport,
  decodeFolderListing,
  decodeMapParams,
  decodeMessageListing,
  encodeBMessage,
  encodeMapParams,
  isMnsTarget,
  MAS_TARGET,
  MapMime,
  MapUuid,
  type BMessage,
  type EventReport,
  type MapEvent,
  type MapParams,
  type MessageListing,
} from '../../../src/protocol/map';
import {
  ObexClientSession,
  ObexResponseError,
  ObexServerSession,
  readAppParams,
  readName,
  ResponseCode,
  type ObexHeader,
} from '../../../src/protocol/obex';
import { SimulatedPhone, type SimulatedPhoneOptions } from '../../../src/sim-phone';
import { loadPhoneProfile, type PhoneProfile } from '../../../src/sim-phone/profile';
import { FakeGattHost } from '../fake-gatt-host';

export const PC = 'AA:BB:CC:DD:EE:01';
export const PC2 = 'AA:BB:CC:DD:EE:02';
export const MNS_CHANNEL = 17;

export interface Rig {
  clock: VirtualClock;
  air: MemoryClassicAir;
  phone: SimulatedPhone;
  profile: PhoneProfile;
  /** Runs the clock until `promise` settles; returns its value or throws its error. */
  settle<T>(promise: Promise<T>): Promise<T>;
  /** Runs the clock for `ms` of link time. */
  advance(ms: number): Promise<void>;
}

export function makeRig(options: { profile?: string | PhoneProfile; seed?: number; mapOptions?: SimulatedPhoneOptions['mapOptions']; messageLimit?: number } = {}): Rig {
  const seed = options.seed ?? 5;
  const clock = new VirtualClock({ seed });
  const profile = typeof options.profile === 'object' ? options.profile : loadPhoneProfile(options.profile ?? 'iphone');
  const classic = profile.classic;
  assert.ok(classic);
  const air = new MemoryClassicAir(clock, { seed });
  const classicHost = air.createHost({ address: profile.address, name: 'placeholder', classOfDevice: 0x200404, model: classic.link });
  const phone = new SimulatedPhone({
    host: new FakeGattHost(),
    classicHost,
    clock,
    profile,
    ...(options.mapOptions !== undefined ? { mapOptions: options.mapOptions } : {}),
    ...(options.messageLimit !== undefined ? { messageLimit: options.messageLimit } : {}),
  });
  phone.start();
  const settle = async <T>(promise: Promise<T>): Promise<T> => {
    let done = false;
    const watched = promise.finally(() => {
      done = true;
    });
    watched.catch(() => undefined);
    await clock.runUntil(() => done, 3_600_000);
    return watched;
  };
  const advance = async (ms: number): Promise<void> => {
    await settle(clock.sleep(ms));
  };
  return { clock, air, phone, profile, settle, advance };
}

/** How the PC's MNS server behaves. */
export type MnsMode = 'accept' | 'refuse-channel' | 'forbid-connect' | 'refuse-events' | 'none';

/** One event report as the PC's MNS server received it. */
export interface ReceivedReport {
  report: EventReport;
  params: MapParams;
  at: number;
}

export interface Pc {
  address: string;
  client: MemoryClassicClient;
  connection: MemoryClassicConnection;
  /** Event reports the PC's MNS server received, in order. */
  reports: ReceivedReport[];
  /** MNS channels the phone opened (accepted or not). */
  mnsChannelsOffered: number;
  /** MNS OBEX sessions that Connected. */
  mnsConnects: number;
  /** MNS OBEX Disconnects received. */
  mnsDisconnects: number;
  /** MNS channels that are open now. */
  mnsOpen(): number;
  /** Sets how the MNS server behaves from now on. */
  setMnsMode(mode: MnsMode): void;
  /** The PC closes every MNS channel it holds. */
  closeMns(): Promise<void>;
}

/** A PC near the phone: ACL connected and paired, with its MNS record published (unless mode 'none'). */
export async function connectPc(rig: Rig, options: { address?: string; mns?: MnsMode } = {}): Promise<Pc> {
  const address = options.address ?? PC;
  const client = rig.air.createClient({ address, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const connection = await rig.settle(client.connect(rig.profile.address));
  await rig.settle(connection.pair());
  let mode: MnsMode = options.mns ?? 'accept';
  const open = new Set<ByteChannel>();
  const record: ServiceRecord = {
    serviceClasses: [MapUuid.MNS],
    profile: { uuid: MapUuid.Profile, version: 0x0104 },
    channel: MNS_CHANNEL,
    name: 'MAP MNS',
    attributes: { 0x0317: 0x0008027f },
  };
  const pc: Pc = {
    address,
    client,
    connection,
    reports: [],
    mnsChannelsOffered: 0,
    mnsConnects: 0,
    mnsDisconnects: 0,
    mnsOpen: () => [...open].filter((c) => c.open).length,
    closeMns: async () => {
      await Promise.all([...open].filter((c) => c.open).map((c) => c.close()));
    },
    setMnsMode: (next) => {
      mode = next;
      if (next === 'none') client.removeServiceRecord(MNS_CHANNEL);
      else client.addServiceRecord(record);
    },
  };
  pc.setMnsMode(mode);
  client.listen(MNS_CHANNEL, (_peer, channel) => {
    pc.mnsChannelsOffered++;
    if (mode === 'refuse-channel') return false;
    open.add(channel);
    const server: ObexServerSession = new ObexServerSession({
      send: (bytes) => channel.write(bytes),
      clock: rig.clock,
      requireConnect: true,
      srm: false,
      handlers: {
        connect: (request) => {
          if (mode === 'forbid-connect') return ResponseCode.Forbidden;
          if (!isMnsTarget(request.target)) return ResponseCode.NotAcceptable;
          pc.mnsConnects++;
          return ResponseCode.Success;
        },
        disconnect: () => {
          pc.mnsDisconnects++;
        },
        put: (request) => {
          if (request.type !== MapMime.eventReport) return ResponseCode.BadRequest;
          if (mode === 'refuse-events') return ResponseCode.NotAcceptable;
          const params = request.appParams === undefined ? {} : decodeMapParams(request.appParams);
          const chunks: Uint8Array[] = [];
          return {
            onBody: (chunk) => void chunks.push(Uint8Array.from(chunk)),
            onEnd: () => {
              pc.reports.push({ report: decodeEventReport(Buffer.concat(chunks)), params, at: rig.clock.now() });
              return ResponseCode.Success;
            },
          };
        },
      },
    });
    channel.events.on('data', (chunk) => server.receive(chunk));
    channel.events.on('close', () => server.close());
    return true;
  });
  return pc;
}

/** Every event of every report, flattened. */
export function eventsOf(pc: Pc): MapEvent[] {
  return pc.reports.flatMap((r) => r.report.events);
}

/** The response code a refused operation carries. */
export async function refusal(rig: Rig, promise: Promise<unknown>): Promise<number> {
  try {
    await rig.settle(promise);
  } catch (err) {
    if (err instanceof ObexResponseError) return err.responseCode;
    throw err;
  }
  throw new Error('expected a refusal, got success');
}

/** A small MCE: one MAS channel and an OBEX client session on it. */
export class Mce {
  readonly obex: ObexClientSession;
  closed = false;

  private constructor(
    private readonly rig: Rig,
    readonly channel: ByteChannel,
  ) {
    this.obex = new ObexClientSession({ send: (bytes) => channel.write(bytes), clock: rig.clock, maxPacketLength: 0xffff });
    channel.events.on('data', (chunk) => this.obex.receive(chunk));
    channel.events.on('close', () => {
      this.closed = true;
      this.obex.close();
    });
  }

  /** Finds the MAS by SDP and opens its channel (rejects with the LinkError when the phone refuses). */
  static async open(rig: Rig, pc: Pc): Promise<Mce> {
    const info = await rig.settle(pc.client.discover(rig.profile.address));
    const record = info.records.find((r) => r.serviceClasses.includes(MapUuid.MAS));
    assert.ok(record, 'the phone publishes a MAS record');
    const channel = await rig.settle(pc.connection.openChannel(record.channel));
    return new Mce(rig, channel);
  }

  /** Opens the channel and Connects with the MAS Target (features sent when given). */
  static async connect(rig: Rig, pc: Pc, features?: number): Promise<Mce> {
    const mce = await Mce.open(rig, pc);
    await rig.settle(mce.obex.connect(mce.connectOptions(features)));
    return mce;
  }

  connectOptions(features?: number): { target: Uint8Array; appParams?: Uint8Array } {
    return features === undefined ? { target: MAS_TARGET } : { target: MAS_TARGET, appParams: encodeMapParams({ mapSupportedFeatures: features }) };
  }

  /** SetPath to the root, then down to `path` ("telecom/msg/inbox"). */
  async cd(path: string): Promise<void> {
    await this.rig.settle(this.obex.setPath({ name: '' }));
    for (const part of path.split('/').filter((p) => p !== '')) await this.rig.settle(this.obex.setPath({ name: part }));
  }

  /** A GET: body bytes and the response application parameters (raw TLVs passed through untouched when `rawParams`). */
  async get(type: string, name: string | undefined, params: MapParams | Uint8Array = {}): Promise<{ body: Buffer; params: MapParams; headers: ObexHeader[] }> {
    const parts: Uint8Array[] = [];
    let responseParams: MapParams = {};
    const headers: ObexHeader[] = [];
    const appParams = params instanceof Uint8Array ? params : Object.keys(params).length > 0 ? encodeMapParams(params) : undefined;
    await this.rig.settle(
      this.obex.get(
        { type, ...(name !== undefined ? { name } : {}), ...(appParams !== undefined ? { appParams } : {}) },
        {
          onHeaders: (hs) => {
            headers.push(...hs);
            const raw = readAppParams(hs);
            if (raw !== undefined) responseParams = { ...responseParams, ...decodeMapParams(raw) };
          },
          onBody: (chunk) => void parts.push(Uint8Array.from(chunk)),
        },
      ),
    );
    return { body: Buffer.concat(parts), params: responseParams, headers };
  }

  async listing(folder: string | undefined, params: MapParams = {}): Promise<{ listing: MessageListing; params: MapParams }> {
    const got = await this.get(MapMime.messageListing, folder, params);
    // MaxListCount 0 answers with parameters only.
    const listing = got.body.length === 0 ? { version: '', messages: [] } : decodeMessageListing(got.body);
    return { listing, params: got.params };
  }

  async folders(name?: string, params: MapParams = {}): Promise<string[]> {
    const got = await this.get(MapMime.folderListing, name, params);
    return decodeFolderListing(got.body).folders;
  }

  async message(handle: string, params: MapParams = { attachment: 0, charset: 1 }): Promise<BMessage> {
    const got = await this.get(MapMime.message, handle, params);
    return decodeBMessage(got.body);
  }

  /** A PUT; resolves with the response headers. */
  async put(type: string, name: string | undefined, params: MapParams | Uint8Array, body: Uint8Array): Promise<ObexHeader[]> {
    const appParams = params instanceof Uint8Array ? params : encodeMapParams(params);
    const result = await this.rig.settle(this.obex.put({ type, ...(name !== undefined ? { name } : {}), appParams }, body));
    return result.headers;
  }

  async register(on: boolean): Promise<void> {
    await this.put(MapMime.notificationRegistration, undefined, { notificationStatus: on ? 1 : 0 }, Uint8Array.of(0x30));
  }

  async setStatus(handle: string, indicator: number, value: number): Promise<void> {
    await this.put(MapMime.messageStatus, handle, { statusIndicator: indicator, statusValue: value }, Uint8Array.of(0x30));
  }

  /** PushMessage of a bMessage into `name` (relative to the current folder); resolves with the new handle. */
  async push(message: BMessage, name = 'outbox', params: MapParams = { charset: 1 }): Promise<string> {
    const headers = await this.put(MapMime.message, name, params, encodeBMessage(message));
    const handle = readName(headers);
    assert.ok(handle !== undefined, 'PushMessage answers with a Name');
    return handle;
  }

  async disconnect(): Promise<void> {
    await this.rig.settle(this.obex.disconnect());
  }

  async close(): Promise<void> {
    await this.rig.settle(this.channel.close());
  }
}

