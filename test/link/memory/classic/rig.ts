/**
 * Shared set-up for the in-memory classic link tests: a virtual clock, a
 * classic air, a phone with PBAP and MAP records and an acceptor that
 * accepts and remembers every channel, a hands-free PC, and helpers that
 * run the clock until a promise settles and collect what a channel receives.
 */
import { ByteChannel, COD_AUDIO_VIDEO_HANDS_FREE, ClassicPeer, ServiceRecord } from '../../../../src/link/classic';
import { ClassicLinkModel, DEFAULT_CLASSIC_MODEL } from '../../../../src/link/classic-model';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import {
  FrameTapEvent,
  MemoryByteChannel,
  MemoryClassicAir,
  MemoryClassicClient,
  MemoryClassicConnection,
  MemoryClassicHost,
} from '../../../../src/link/memory/classic';

export const PHONE = '11:22:33:44:55:66';
export const PC = 'AA:BB:CC:DD:EE:01';
export const PC2 = 'AA:BB:CC:DD:EE:02';
/** An iPhone's Class of Device: Phone major class, smartphone minor class, with service bits. */
export const PHONE_COD = 0x7a020c;
export const PBAP_CHANNEL = 19;
export const MAP_CHANNEL = 2;

export const PBAP_RECORD: ServiceRecord = {
  serviceClasses: [0x112f],
  profile: { uuid: 0x1130, version: 0x0102 },
  channel: PBAP_CHANNEL,
  name: 'Phonebook',
  attributes: { 0x0314: 0x01, 0x0317: 0x0000_0003 },
};

export const MAP_RECORD: ServiceRecord = {
  serviceClasses: [0x1132],
  profile: { uuid: 0x1134, version: 0x0104 },
  channel: MAP_CHANNEL,
  name: 'MAP MAS-iOS',
  attributes: { 0x0315: 0, 0x0316: 0x02 },
};

export interface Settled<T> {
  ok: boolean;
  value?: T;
  error?: unknown;
  time: number;
}

export interface ClassicRig {
  clock: VirtualClock;
  air: MemoryClassicAir;
  model: ClassicLinkModel;
  phone: MemoryClassicHost;
  pc: MemoryClassicClient;
  /** Phone-side ends handed to the acceptor, in order. */
  accepted: MemoryByteChannel[];
  frames: FrameTapEvent[];
}

export interface ClassicRigOptions {
  model?: Partial<ClassicLinkModel>;
  seed?: number;
  pcMaxFrameSize?: number;
}

export function makeRig(options: ClassicRigOptions = {}): ClassicRig {
  const clock = new VirtualClock();
  const air = new MemoryClassicAir(clock, { seed: options.seed ?? 1 });
  const model: ClassicLinkModel = { ...DEFAULT_CLASSIC_MODEL, ...options.model };
  const phone = air.createHost({ address: PHONE, name: 'Test iPhone', classOfDevice: PHONE_COD, model });
  const pc = air.createClient({
    address: PC,
    classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE,
    ...(options.pcMaxFrameSize !== undefined ? { maxFrameSize: options.pcMaxFrameSize } : {}),
  });
  const rig: ClassicRig = { clock, air, model, phone, pc, accepted: [], frames: [] };
  phone.addServiceRecord(PBAP_RECORD);
  phone.addServiceRecord(MAP_RECORD);
  const accept = (_peer: ClassicPeer, channel: ByteChannel): boolean => {
    if (channel instanceof MemoryByteChannel) rig.accepted.push(channel);
    return true;
  };
  phone.listen(PBAP_CHANNEL, accept);
  phone.listen(MAP_CHANNEL, accept);
  air.events.on('frame', (e) => rig.frames.push(e));
  return rig;
}

/** Runs the clock until `promise` settles (or `timeoutMs` of virtual time passes). */
export async function settle<T>(clock: VirtualClock, promise: Promise<T>, timeoutMs = 120_000): Promise<Settled<T>> {
  let outcome: Settled<T> | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value, time: clock.now() }),
    (error: unknown) => (outcome = { ok: false, error, time: clock.now() }),
  );
  await clock.runUntil(() => outcome !== undefined, timeoutMs);
  if (!outcome) throw new Error('unreachable: runUntil returned before the promise settled');
  return outcome;
}

export async function resolved<T>(clock: VirtualClock, promise: Promise<T>, timeoutMs?: number): Promise<{ value: T; time: number }> {
  const s = await settle(clock, promise, timeoutMs);
  if (!s.ok) throw s.error;
  return { value: s.value as T, time: s.time };
}

export async function rejected(clock: VirtualClock, promise: Promise<unknown>, timeoutMs?: number): Promise<{ error: unknown; time: number }> {
  const s = await settle(clock, promise, timeoutMs);
  if (s.ok) throw new Error(`expected a rejection, got ${String(s.value)}`);
  return { error: s.error, time: s.time };
}

export async function connect(rig: ClassicRig, client: MemoryClassicClient = rig.pc): Promise<MemoryClassicConnection> {
  return (await resolved(rig.clock, client.connect(PHONE))).value;
}

/** Opens `channel` and returns both ends (the phone's is the last one its acceptor saw). */
export async function openPair(
  rig: ClassicRig,
  connection: MemoryClassicConnection,
  channel = PBAP_CHANNEL,
): Promise<{ pcEnd: MemoryByteChannel; phoneEnd: MemoryByteChannel; time: number }> {
  const { value: pcEnd, time } = await resolved(rig.clock, connection.openChannel(channel));
  const phoneEnd = rig.accepted[rig.accepted.length - 1];
  if (!phoneEnd) throw new Error('the acceptor saw no channel');
  return { pcEnd, phoneEnd, time };
}

/** Records every chunk a channel end emits, with its arrival time. */
export function collect(channel: MemoryByteChannel, clock: VirtualClock): { chunks: { time: number; data: Uint8Array }[]; bytes(): Uint8Array; closes: number[] } {
  const chunks: { time: number; data: Uint8Array }[] = [];
  const closes: number[] = [];
  channel.events.on('data', (data) => chunks.push({ time: clock.now(), data: data.slice() }));
  channel.events.on('close', (reason) => closes.push(reason));
  return {
    chunks,
    closes,
    bytes() {
      const total = chunks.reduce((n, c) => n + c.data.length, 0);
      const out = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        out.set(c.data, at);
        at += c.data.length;
      }
      return out;
    },
  };
}

/** Deterministic test bytes: byte i is (i * 31 + seed) & 0xff. */
export function pattern(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}
