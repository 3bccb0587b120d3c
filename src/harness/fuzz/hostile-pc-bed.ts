/**
 * The bed of the `hostile-pc` fuzz campaign: a Testbed (the real
 * SimulatedPhone on the in-memory links) whose PC radios are first driven
 * raw by a hostile PC (a GATT connection for ANCS, RFCOMM channels for
 * PBAP, MAP MAS and HFP, an MNS server of its own), with everything the
 * phone does wrong recorded as a problem: a handler that threw, an internal
 * error, an unhandled rejection, a byte that does not frame. `handOver()`
 * closes the hostile links so that the Testbed's well-behaved PhoneLink can
 * take over (see hostile-pc-recovery.ts).
 */
import type { ByteChannel } from '../../link/classic';
import type { MemoryConnection } from '../../link/memory';
import type { MemoryClassicConnection } from '../../link/memory/classic';
import { mnsServiceRecord } from '../../sim-pc/map/mas-record';
import { Testbed } from '../testbed';
import { AncsLink, ANCS_DATA_SOURCE_UUID, ANCS_NOTIFICATION_SOURCE_UUID, ANCS_SERVICE_UUID } from './hostile-pc-ancs';
import { cutInto } from './fuzz-channels';
import { HostileMnsEnd, RawAtLink, RawObexLink, type MnsBehaviour } from './hostile-pc-links';

/** The RFCOMM channel of the hostile PC's MNS server (the PhoneLink's default, so the phone finds either by SDP). */
export const HOSTILE_MNS_CHANNEL = 17;
/** MapSupportedFeatures the hostile MNS record announces. */
const MNS_FEATURES = 0x0000_021f;
const INTERNAL_SERVER_ERROR = 0xd0;

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown } | { ok: 'pending' };

export interface HostileBedOptions {
  profile: 'iphone' | 'android';
  seed: number;
  /** The ATT MTU the hostile PC offers. */
  mtu: number;
  /** Sizes its classic writes are cut into (cycled). */
  cuts: number[];
}

export class HostileBed {
  readonly tb: Testbed;
  /** Everything the phone did wrong, in order. */
  readonly problems: string[] = [];
  readonly cut: (bytes: Uint8Array) => Uint8Array[];
  ancs: AncsLink | undefined;
  /** UIDs of GATT connections gone by: none may name anything on a later one. */
  staleUids: number[] = [];
  classic: MemoryClassicConnection | undefined;
  pbap: RawObexLink | undefined;
  mas: RawObexLink | undefined;
  hf: RawAtLink | undefined;
  readonly mnsEnds: HostileMnsEnd[] = [];
  mnsBehaviour: MnsBehaviour = { kind: 'good' };
  private readonly offs: Array<() => void> = [];
  private readonly onRejection = (reason: unknown): void => {
    this.problems.push(`unhandled rejection: ${describe(reason)}`);
  };

  constructor(readonly options: HostileBedOptions) {
    this.tb = new Testbed({ phone: options.profile, seed: options.seed, recordPdus: false });
    this.cut = cutInto(options.cuts);
    const { tb } = this;
    this.offs.push(
      tb.air.events.on('handlerError', (e) => this.problems.push(`GATT ${e.side} handler threw: ${describe(e.error)}`)),
      tb.classicAir.events.on('handlerError', (e) => this.problems.push(`classic handler threw: ${describe(e.error)}`)),
    );
    const { hfp, pbap, map } = tb.phone;
    if (hfp) this.offs.push(hfp.events.on('internalError', (_peer, err) => this.problems.push(`AG internal error: ${describe(err)}`)));
    // Internal Server Error is the servers' word for a bug of their own, never a refusal a PC earned.
    if (pbap) this.offs.push(pbap.events.on('request', (_peer, op, name, code) => this.noteCode(`PBAP ${op} ${JSON.stringify(name)}`, code, undefined)));
    if (map) {
      this.offs.push(
        map.events.on('request', (_peer, op, name, code, why) => this.noteCode(`MAP ${op} ${JSON.stringify(name)}`, code, why)),
        map.events.on('eventFailed', (_pc, event, err) => {
          if (!typed(err)) this.problems.push(`MNS event ${event.type} failed with an untyped error: ${describe(err)}`);
        }),
      );
    }
    process.on('unhandledRejection', this.onRejection);
    const client = tb.classicClient;
    if (client) {
      client.addServiceRecord(mnsServiceRecord(HOSTILE_MNS_CHANNEL, MNS_FEATURES));
      client.listen(HOSTILE_MNS_CHANNEL, (_peer, channel) => this.acceptMns(channel));
    }
  }

  get clock(): Testbed['clock'] {
    return this.tb.clock;
  }

  get pcAddress(): string {
    return this.tb.pcAddress;
  }

  /** Runs the clock until `promise` settles or `ms` pass; never throws. */
  async settle<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
    let outcome: Settled<T> = { ok: 'pending' };
    promise.then(
      (value) => (outcome = { ok: true, value }),
      (error: unknown) => (outcome = { ok: false, error }),
    );
    await this.clock.runUntil(() => outcome.ok !== 'pending', ms).catch(() => undefined);
    await this.clock.runFor(0);
    return outcome;
  }

  // ---- GATT (ANCS) ----

  /** Connects the hostile GATT link and exchanges its MTU; undefined when the phone cannot be reached. */
  async connectGatt(): Promise<AncsLink | undefined> {
    const connected = await this.settle(this.tb.central.connect(this.tb.profile.address), 10_000);
    if (connected.ok !== true) return undefined;
    const connection: MemoryConnection = connected.value;
    await this.settle(connection.gatt.exchangeMtu(this.options.mtu), 5_000);
    const link = new AncsLink(connection);
    connection.events.on('disconnect', () => {
      if (this.ancs === link) this.ancs = undefined;
    });
    this.ancs = link;
    return link;
  }

  subscribeNs(link: AncsLink): Promise<void> {
    return link.gatt.subscribe(ANCS_SERVICE_UUID, ANCS_NOTIFICATION_SOURCE_UUID, (v) => link.onNotificationSource(v));
  }

  subscribeDs(link: AncsLink): Promise<void> {
    return link.gatt.subscribe(ANCS_SERVICE_UUID, ANCS_DATA_SOURCE_UUID, (v) => link.onDataSource(v));
  }

  // ---- BR/EDR ----

  /** The hostile PC's ACL to the phone (one, shared by its channels, as real stacks do). */
  async classicConnection(): Promise<MemoryClassicConnection | undefined> {
    const client = this.tb.classicClient;
    if (!client) return undefined;
    if (this.classic?.connected) return this.classic;
    const connected = await this.settle(client.connect(this.tb.profile.address), 10_000);
    if (connected.ok !== true) return undefined;
    this.classic = connected.value;
    return this.classic;
  }

  /** Opens an RFCOMM channel to the phone; undefined when refused. */
  async openChannel(channel: number): Promise<ByteChannel | undefined> {
    const acl = await this.classicConnection();
    if (!acl) return undefined;
    const opened = await this.settle(acl.openChannel(channel), 5_000);
    return opened.ok === true ? opened.value : undefined;
  }

  private acceptMns(channel: ByteChannel): boolean {
    if (this.mnsEnds.length >= 64) return false;
    this.mnsEnds.push(new HostileMnsEnd(channel, () => this.mnsBehaviour));
    return true;
  }

  private noteCode(what: string, code: number, why: string | undefined): void {
    if (code === INTERNAL_SERVER_ERROR) this.problems.push(`${what} answered Internal Server Error${why === undefined ? '' : ` (${why})`}`);
  }

  /** Every violation the hostile links saw, moved into `problems`. */
  collect(): void {
    const sources: { bad: string[] }[] = [...this.mnsEnds];
    if (this.ancs) sources.push(this.ancs);
    if (this.pbap) sources.push(this.pbap);
    if (this.mas) sources.push(this.mas);
    if (this.hf) sources.push(this.hf);
    for (const source of sources) {
      for (const line of source.bad.splice(0)) this.problems.push(line);
    }
  }

  /** Closes every hostile link and withdraws the hostile MNS server, so the PhoneLink can take over. */
  async handOver(): Promise<void> {
    this.collect();
    for (const link of [this.pbap, this.mas, this.hf]) if (link) await this.settle(link.close(), 5_000);
    for (const end of this.mnsEnds) if (end.channel.open) await this.settle(end.channel.close(), 5_000);
    const client = this.tb.classicClient;
    client?.unlisten(HOSTILE_MNS_CHANNEL);
    client?.removeServiceRecord(HOSTILE_MNS_CHANNEL);
    if (this.ancs) await this.settle(this.ancs.connection.disconnect(), 5_000);
    if (this.classic?.connected) await this.settle(this.classic.disconnect(), 5_000);
    this.ancs = undefined;
    this.pbap = undefined;
    this.mas = undefined;
    this.hf = undefined;
  }

  /** Stops listening for process-wide failures and the air's tap. */
  dispose(): void {
    process.off('unhandledRejection', this.onRejection);
    for (const off of this.offs.splice(0)) off();
  }
}

/** An error the stack meant: it carries a stable `code` string. */
function typed(err: unknown): boolean {
  return err instanceof Error && 'code' in err && typeof err.code === 'string';
}

export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
