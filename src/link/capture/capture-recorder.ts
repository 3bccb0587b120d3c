/**
 * Records the in-memory links of a testbed (or any clock + airs) as one
 * btsnoop file seen from the PC's HCI: attaches the BLE and BR/EDR
 * synthesisers to the airs' taps, orders their packets (timeline.ts) and
 * streams them through a BtsnoopWriter. Nothing here runs a timer: records
 * are written as tap events happen, and close() flushes and detaches.
 *
 *   const recorder = CaptureRecorder.toFile(testbed, captureFilePath('captures', 'Pull the phonebook'));
 *   ... run the scenario ...
 *   recorder.close();
 */
import path from 'node:path';
import type { Clock } from '../clock';
import type { MemoryAir } from '../memory/memory-air';
import type { MemoryClassicAir } from '../memory/classic/classic-air';
import { BleCaptureSynth, memoryAirInfo } from './ble-synth';
import { BtsnoopFlag, BtsnoopWriter, BtsnoopWriterOptions, ByteSink, fileSink, unixMsToBtsnoop } from './btsnoop';
import { ClassicCaptureSynth, memoryClassicInfo } from './classic-synth';
import { CaptureError } from './errors';
import { H4Type, HciPacket, readBdAddr } from './hci-packets';
import { ConnectionHandles, OrderedTimeline } from './timeline';

/** What a recorder attaches to: a Testbed has all three. */
export interface CaptureSources {
  readonly clock: Clock;
  readonly air?: MemoryAir;
  readonly classicAir?: MemoryClassicAir;
  /** The PC's own address, written first (as HCI_Read_BD_ADDR) so analysers can name both ends. */
  readonly pcAddress?: string;
}

export interface CaptureRecorderOptions extends BtsnoopWriterOptions {
  /** LE ACL buffer size (default 251). */
  leAclMtu?: number;
  /** BR/EDR ACL buffer size (default 1021). */
  aclMtu?: number;
}

export class CaptureRecorder {
  private readonly writer: BtsnoopWriter;
  private readonly timeline: OrderedTimeline;
  private readonly detach: Array<() => void> = [];
  /** Unix time (ms) of link time 0. */
  private readonly epochMs: number;
  private closed = false;
  private readonly failures: unknown[] = [];

  constructor(sources: CaptureSources, sink: ByteSink, options: CaptureRecorderOptions = {}) {
    this.writer = new BtsnoopWriter(sink, options);
    this.epochMs = sources.clock.date().getTime() - sources.clock.now();
    this.timeline = new OrderedTimeline((time, packet) => this.write(time, packet));
    if (sources.pcAddress !== undefined) this.timeline.add(sources.clock.now(), readBdAddr(sources.pcAddress));
    const handles = new ConnectionHandles();
    if (sources.air) {
      const ble = new BleCaptureSynth(this.timeline, handles, memoryAirInfo(sources.air), options.leAclMtu ? { aclMtu: options.leAclMtu } : {});
      this.detach.push(ble.attach(sources.air, (error) => this.failed(error)));
    }
    if (sources.classicAir) {
      const classic = new ClassicCaptureSynth(this.timeline, handles, memoryClassicInfo(sources.classicAir), options.aclMtu ? { aclMtu: options.aclMtu } : {});
      this.detach.push(classic.attach(sources.classicAir, (error) => this.failed(error)));
    }
  }

  /** A recorder writing `file` (its folder is created). */
  static toFile(sources: CaptureSources, file: string, options: CaptureRecorderOptions = {}): CaptureRecorder {
    return new CaptureRecorder(sources, fileSink(file), options);
  }

  /** Records written so far. */
  get records(): number {
    return this.writer.recordCount;
  }

  /** Packets lost to the file limit. */
  get dropped(): number {
    return this.writer.dropped;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** What went wrong turning tap events into packets (the first few); the links never see these. */
  get errors(): readonly unknown[] {
    return this.failures;
  }

  /** Writes what is buffered (open reservations stay open). */
  flush(): void {
    if (!this.closed) this.writer.flush();
  }

  /** Stops listening, writes everything still held and closes the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.detach.splice(0)) off();
    this.timeline.flushAll();
    this.writer.close();
  }

  private failed(error: unknown): void {
    this.writer.noteDropped();
    if (this.failures.length < MAX_KEPT_ERRORS) this.failures.push(error);
  }

  private write(time: number, packet: HciPacket): void {
    if (this.writer.isClosed) return;
    const type = packet.bytes[0];
    let flags = packet.sent ? 0 : BtsnoopFlag.Received;
    if (type === H4Type.Command || type === H4Type.Event) flags |= BtsnoopFlag.CommandOrEvent;
    try {
      this.writer.write({ flags, timestampUs: unixMsToBtsnoop(this.epochMs + time), data: packet.bytes });
    } catch (error) {
      // A full file drops the packet (the writer counts it); anything else is a bug worth seeing.
      if (!(error instanceof CaptureError)) throw error;
    }
  }
}

/** Errors a recorder keeps for inspection. */
const MAX_KEPT_ERRORS = 16;

/** Characters kept in capture file names; everything else becomes "-". */
const UNSAFE = /[^A-Za-z0-9._+-]+/g;
/** Longest base name (before the suffix). */
const MAX_NAME = 120;

/** A file-system-safe base name from a scenario or test name. */
export function captureBaseName(name: string): string {
  const safe = name.replace(UNSAFE, '-').replace(/^-+|-+$/g, '').slice(0, MAX_NAME).replace(/-+$/, '');
  return safe === '' ? 'capture' : safe;
}

/** `<dir>/<safe name>.btsnoop`. */
export function captureFilePath(dir: string, name: string): string {
  return path.join(dir, `${captureBaseName(name)}.btsnoop`);
}

/** Names already given out per folder in this process (a scenario outline repeats its name). */
const issuedNames = new Map<string, Set<string>>();
/** Names remembered per folder; past this, later duplicates overwrite. */
const MAX_ISSUED_PER_DIR = 100_000;

/**
 * The capture file for a scenario: `<dir>/<safe name>.btsnoop`, or
 * `<safe name>-2.btsnoop` and so on when this process already used that
 * name in that folder.
 */
export function scenarioCaptureFile(dir: string, scenario: string): string {
  const folder = path.resolve(dir);
  let issued = issuedNames.get(folder);
  if (!issued) {
    issued = new Set();
    issuedNames.set(folder, issued);
  }
  const base = captureBaseName(scenario);
  let name = base;
  for (let n = 2; issued.has(name) && n <= MAX_ISSUED_PER_DIR; n++) name = `${base}-${n}`;
  if (issued.size < MAX_ISSUED_PER_DIR) issued.add(name);
  return path.join(folder, `${name}.btsnoop`);
}
