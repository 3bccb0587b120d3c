/**
 * Test rig for the phone's PBAP server: a PhoneModel on a VirtualClock, a
 * started PbapServer on a FakeClassicHost, and PCs that open a channel and
 * drive the server through an ObexClientSession, as a PCE would.
 */
import { COD_AUDIO_VIDEO_HANDS_FREE, type ClassOfDevice } from '../../src/link/classic';
import { VirtualClock } from '../../src/link/virtual-clock';
import { ObexClientSession, ObexResponseError, type ObexHeader, readAppParams } from '../../src/protocol/obex';
import { decodePbapParams, PBAP_TARGET, type PbapParams, encodePbapParams } from '../../src/protocol/pbap';
import { PbapServer, type PbapServerOptions } from '../../src/sim-phone/pbap-server';
import { PhoneModel } from '../../src/sim-phone/phone-model';
import { loadPhoneProfile, type PhoneProfile } from '../../src/sim-phone/profile';
import { FakeClassicHost, type FakeByteChannel } from './fake-classic-host';

export const PC_ADDRESS = 'AA:BB:CC:DD:EE:01';

export interface Rig {
  clock: VirtualClock;
  profile: PhoneProfile;
  model: PhoneModel;
  host: FakeClassicHost;
  server: PbapServer;
  /** Runs the clock until `promise` settles; returns its value or throws its error. */
  settle<T>(promise: Promise<T>): Promise<T>;
}

export function makeRig(
  options: { profile?: string | PhoneProfile; seed?: number; maxChunk?: number; server?: Partial<PbapServerOptions> } = {},
): Rig {
  const clock = new VirtualClock({ seed: options.seed ?? 1 });
  const profile = typeof options.profile === 'object' ? options.profile : loadPhoneProfile(options.profile ?? 'iphone');
  const model = new PhoneModel(profile, clock);
  const host = new FakeClassicHost(clock, options.maxChunk ?? 700);
  const server = new PbapServer({ ...options.server, host, model, profile, clock });
  server.start();
  const settle = async <T>(promise: Promise<T>): Promise<T> => {
    let done = false;
    const watched = promise.finally(() => {
      done = true;
    });
    watched.catch(() => undefined);
    await clock.runUntil(() => done, 3_600_000);
    return watched;
  };
  return { clock, profile, model, host, server, settle };
}

export interface Pc {
  channel: FakeByteChannel;
  obex: ObexClientSession;
}

/** Opens the PBAP channel as a PC; undefined when the phone refuses the channel. */
export function openPc(rig: Rig, cod: ClassOfDevice = COD_AUDIO_VIDEO_HANDS_FREE, address = PC_ADDRESS, maxPacketLength = 0xffff): Pc | undefined {
  const channel = rig.host.openAs({ address, classOfDevice: cod }, rig.server.pbap.channel);
  if (channel === undefined) return undefined;
  const obex = new ObexClientSession({ send: (bytes) => channel.write(bytes), clock: rig.clock, maxPacketLength });
  channel.events.on('data', (chunk) => obex.receive(chunk));
  channel.events.on('close', () => obex.close());
  return { channel, obex };
}

/** Opens a channel and connects with the PBAP Target; throws when refused. */
export async function connectPc(rig: Rig, cod?: ClassOfDevice, address?: string): Promise<Pc> {
  const pc = openPc(rig, cod, address);
  if (pc === undefined) throw new Error('channel refused');
  await rig.settle(pc.obex.connect({ target: PBAP_TARGET }));
  return pc;
}

export interface Pulled {
  text: string;
  params: PbapParams;
  chunks: number;
}

/** A PBAP GET: body as text, response application parameters decoded. */
export async function pull(rig: Rig, pc: Pc, type: string, name: string | undefined, params: PbapParams = {}): Promise<Pulled> {
  const parts: Uint8Array[] = [];
  let responseParams: PbapParams = {};
  const options: { type: string; name?: string; appParams?: Uint8Array } = { type };
  if (name !== undefined) options.name = name;
  if (Object.keys(params).length > 0) options.appParams = encodePbapParams(params);
  await rig.settle(
    pc.obex.get(options, {
      onHeaders: (headers: ObexHeader[]) => {
        const raw = readAppParams(headers);
        if (raw !== undefined) responseParams = { ...responseParams, ...decodePbapParams(raw) };
      },
      onBody: (chunk) => void parts.push(Uint8Array.from(chunk)),
    }),
  );
  return { text: Buffer.concat(parts).toString('utf8'), params: responseParams, chunks: parts.length };
}

/** The response code a refused promise carries. */
export async function refusal(rig: Rig, promise: Promise<unknown>): Promise<number> {
  try {
    await rig.settle(promise);
  } catch (err) {
    if (err instanceof ObexResponseError) return err.responseCode;
    throw err;
  }
  throw new Error('expected a refusal, got success');
}
