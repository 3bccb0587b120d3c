/**
 * The sent log written beside a scenario's capture (`<name>.sent.json`):
 * what our stack sent, from the stack's own view rather than from the
 * capture, for the capture oracle to hold tshark's dissection against. ATT
 * PDUs come from a link tap (memory) or from the phone's HCI (hci, see
 * HciTestbed.sentPdus); RFCOMM payloads come from the classic air's tap, cut
 * into OBEX packets (PacketSplitter) or AT lines per channel and direction.
 * Every list is bounded by PDU_LOG_LIMIT; past it the log is marked
 * truncated and the oracle compares the prefix it has.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDU_LOG_LIMIT } from '../limits';
import type { PduTapEvent } from '../link/memory/air-events';
import type { FrameTapEvent } from '../link/memory/classic';
import { PacketSplitter } from '../protocol/obex';

export const SENT_LOG_FORMAT = 'phonebridge-sent-log/1';
export const SENT_LOG_SUFFIX = '.sent.json';

/** ATT opcodes whose values a log carries completely (writes, notifications, indications). */
export const ATT_VALUE_OPCODES = [0x12, 0x52, 0x1b, 0x1d] as const;
/** Read responses, carried only where the tap sees their values (memory). */
export const ATT_READ_OPCODES = [0x0b, 0x0d] as const;

export interface SentAttPdu {
  dir: 'toPeripheral' | 'toCentral';
  opcode: number;
  /** Characteristic UUID the tap named (absent for descriptors). */
  characteristic?: string;
  descriptor?: string;
  /** Absent when the tap saw the PDU but not its value. */
  value?: string;
}

export interface SentObexPacket {
  channel: number;
  /** 'toHost' PC to phone, 'toClient' phone to PC. */
  dir: 'toHost' | 'toClient';
  role: 'request' | 'response';
  hex: string;
}

export interface SentAtLine {
  channel: number;
  dir: 'toHost' | 'toClient';
  line: string;
}

export interface SentLog {
  format: typeof SENT_LOG_FORMAT;
  transport: string;
  /** Where the log came from, in words. */
  source: string;
  /** ATT opcodes the log holds every PDU of. */
  attOpcodes: number[];
  att: SentAttPdu[];
  obex: SentObexPacket[];
  at: SentAtLine[];
  /** Set when a list hit its limit; later entries were not kept. */
  truncated: boolean;
  /**
   * Set when the log was taken at the far end of the air from the capture
   * (hci: the phone's HCI vs the PC's): PDUs lost on the air when a link
   * drops are in one and not the other, so order is compared, not count.
   */
  airBetween?: boolean;
}

/** A typed failure reading a sent log. */
export class SentLogError extends Error {
  readonly usage = true;
  constructor(message: string) {
    super(message);
    this.name = 'SentLogError';
  }
}

/** `<dir>/<name>.sent.json` beside `<dir>/<name>.btsnoop`. */
export function sentLogPathFor(captureFile: string): string {
  return captureFile.replace(/\.btsnoop$/i, '') + SENT_LOG_SUFFIX;
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? new Uint8Array(0)).toString('hex');

/** The opcode of a tap's PDU name ('ATT_WRITE_REQ' -> 0x12), undefined for non-ATT kinds. */
export function opcodeOfKind(kind: string): number | undefined {
  const named: Record<string, number> = {
    ATT_ERROR_RSP: 0x01,
    ATT_READ_RSP: 0x0b,
    ATT_READ_BLOB_RSP: 0x0d,
    ATT_WRITE_REQ: 0x12,
    ATT_WRITE_RSP: 0x13,
    ATT_HANDLE_VALUE_NTF: 0x1b,
    ATT_HANDLE_VALUE_IND: 0x1d,
    ATT_HANDLE_VALUE_CFM: 0x1e,
    ATT_WRITE_CMD: 0x52,
  };
  const known = named[kind];
  if (known !== undefined) return known;
  const raw = /^ATT_0x([0-9a-f]{2})$/i.exec(kind);
  return raw ? parseInt(raw[1] ?? '', 16) : undefined;
}

/** The ATT part of a log from tap events: the PDUs of `opcodes`, in order. */
export function sentAttFromTap(pdus: readonly PduTapEvent[], opcodes: readonly number[]): SentAttPdu[] {
  const wanted = new Set(opcodes);
  const out: SentAttPdu[] = [];
  for (const p of pdus) {
    const opcode = opcodeOfKind(p.kind);
    if (opcode === undefined || !wanted.has(opcode)) continue;
    out.push({
      dir: p.direction,
      opcode,
      ...(p.characteristic !== undefined ? { characteristic: p.characteristic } : {}),
      ...(p.descriptor !== undefined ? { descriptor: p.descriptor } : {}),
      ...(p.value !== undefined ? { value: hex(p.value) } : {}),
    });
  }
  return out;
}

interface ChannelStream {
  kind: 'obex' | 'at' | undefined;
  /** Which direction carries requests (the one that opened with Connect, else the first to speak). */
  requestDir: 'toHost' | 'toClient' | undefined;
  splitters: Record<'toHost' | 'toClient', PacketSplitter>;
  text: Record<'toHost' | 'toClient', string>;
}

/** Longest AT line kept while waiting for its end. */
const MAX_AT_PENDING = 4096;

/**
 * Turns classic tap frames into OBEX packets and AT lines, per connection
 * and channel; a channel that closes drops its half-read packet.
 */
export class RfcommSentLog {
  readonly obex: SentObexPacket[] = [];
  readonly at: SentAtLine[] = [];
  truncated = false;
  private readonly streams = new Map<string, ChannelStream>();

  constructor(private readonly limit: number = PDU_LOG_LIMIT) {}

  frame(event: FrameTapEvent): void {
    const key = `${event.connectionId}/${event.channel}`;
    if (event.kind === 'disc' || event.kind === 'open' || event.kind === 'refuse') {
      this.streams.delete(key);
      return;
    }
    if (event.kind !== 'data' || !event.data || event.data.length === 0) return;
    let stream = this.streams.get(key);
    if (!stream) {
      if (this.streams.size >= MAX_STREAMS) return;
      stream = { kind: undefined, requestDir: undefined, splitters: { toHost: new PacketSplitter(), toClient: new PacketSplitter() }, text: { toHost: '', toClient: '' } };
      this.streams.set(key, stream);
    }
    if (stream.kind === undefined) {
      const first = event.data[0] as number;
      stream.kind = first === 0x41 || first === 0x61 || first === 0x0d || first === 0x0a || first === 0x2b ? 'at' : 'obex';
      stream.requestDir = event.direction;
    }
    if (stream.kind === 'at') this.atData(stream, event.channel, event.direction, event.data);
    else this.obexData(stream, event.channel, event.direction, event.data);
  }

  /** Drops every channel's state (a link went down). */
  reset(): void {
    this.streams.clear();
  }

  private obexData(stream: ChannelStream, channel: number, dir: 'toHost' | 'toClient', data: Uint8Array): void {
    const splitter = stream.splitters[dir];
    if (splitter.failed) return;
    let packets: Uint8Array[];
    try {
      packets = splitter.push(data);
    } catch {
      return;
    }
    for (const packet of packets) {
      if (this.obex.length >= this.limit) {
        this.truncated = true;
        return;
      }
      this.obex.push({ channel, dir, role: dir === stream.requestDir ? 'request' : 'response', hex: hex(packet) });
    }
  }

  private atData(stream: ChannelStream, channel: number, dir: 'toHost' | 'toClient', data: Uint8Array): void {
    const text = stream.text[dir] + Buffer.from(data).toString('latin1');
    const parts = text.split(/\r\n|\r|\n/);
    const rest = parts.pop() ?? '';
    stream.text[dir] = rest.length > MAX_AT_PENDING ? '' : rest;
    for (const line of parts) {
      if (line.trim() === '') continue;
      if (this.at.length >= this.limit) {
        this.truncated = true;
        return;
      }
      this.at.push({ channel, dir, line });
    }
  }
}

/** Channels followed at once. */
const MAX_STREAMS = 256;

/** A memory link's log from its taps' events (PDUs and frames kept by a test, say). */
export function sentLogFromTaps(pdus: readonly PduTapEvent[], frames: readonly FrameTapEvent[], limit: number = PDU_LOG_LIMIT): SentLog {
  const rfcomm = new RfcommSentLog(limit);
  for (const frame of frames) rfcomm.frame(frame);
  const attOpcodes = [...ATT_VALUE_OPCODES, ...ATT_READ_OPCODES];
  return {
    format: SENT_LOG_FORMAT,
    transport: 'memory',
    source: MEMORY_SOURCE,
    attOpcodes,
    att: sentAttFromTap(pdus.slice(0, limit), attOpcodes),
    obex: rfcomm.obex,
    at: rfcomm.at,
    truncated: rfcomm.truncated || pdus.length > limit,
  };
}

const MEMORY_SOURCE = "the in-memory links' taps (ATT PDUs as delivered, RFCOMM payloads per channel)";

/** Writes a log as JSON (its folder is created). */
export function writeSentLog(file: string, log: SentLog): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(log));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Reads and checks a log's shape; SentLogError when it is not one. */
export function readSentLog(file: string): SentLog {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SentLogError(`${file}: not a readable sent log (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(parsed) || parsed.format !== SENT_LOG_FORMAT) throw new SentLogError(`${file}: not a ${SENT_LOG_FORMAT} file`);
  const lists = ['att', 'obex', 'at', 'attOpcodes'] as const;
  for (const name of lists) if (!Array.isArray(parsed[name])) throw new SentLogError(`${file}: "${name}" is not a list`);
  return parsed as unknown as SentLog;
}

/** What a sent-log recorder can listen to: the memory airs, or an hci bed's phone-side ATT log. */
export interface SentLogSources {
  readonly transport: string;
  readonly air?: { readonly events: { on(event: 'pdu', listener: (e: PduTapEvent) => void): () => void } };
  readonly classicAir?: { readonly events: { on(event: 'frame', listener: (e: FrameTapEvent) => void): () => void } };
  /** ATT PDUs our stack sent as seen on the host side of an hci link (HciTestbed). */
  readonly sentPdus?: readonly PduTapEvent[];
}

/**
 * Collects a scenario's sent log from its testbed while it runs; `finish()`
 * detaches and returns the log. On memory it listens to the airs' taps;
 * on hci it reads the bed's host-side ATT log at the end.
 */
export class SentLogRecorder {
  private readonly pdus: PduTapEvent[] = [];
  private readonly rfcomm: RfcommSentLog;
  private readonly detach: Array<() => void> = [];
  private attTruncated = false;

  constructor(
    private readonly sources: SentLogSources,
    private readonly limit: number = PDU_LOG_LIMIT,
  ) {
    this.rfcomm = new RfcommSentLog(limit);
    if (sources.air) {
      this.detach.push(
        sources.air.events.on('pdu', (e) => {
          if (this.pdus.length >= this.limit) this.attTruncated = true;
          else this.pdus.push(e);
        }),
      );
    }
    if (sources.classicAir) this.detach.push(sources.classicAir.events.on('frame', (e) => this.rfcomm.frame(e)));
  }

  /** Stops listening and returns the log. */
  finish(): SentLog {
    for (const off of this.detach.splice(0)) off();
    const memory = this.sources.sentPdus === undefined;
    const pdus = memory ? this.pdus : this.sources.sentPdus ?? [];
    const attOpcodes = memory ? [...ATT_VALUE_OPCODES, ...ATT_READ_OPCODES] : [...ATT_VALUE_OPCODES];
    return {
      format: SENT_LOG_FORMAT,
      transport: this.sources.transport,
      source: memory
        ? MEMORY_SOURCE
        : "the phone's HCI (bleno side): ATT the phone sent and the PC's writes as the phone received them; not the PC controller's stream the capture is written from",
      attOpcodes,
      att: sentAttFromTap(pdus.slice(0, this.limit), attOpcodes),
      obex: this.rfcomm.obex,
      at: this.rfcomm.at,
      truncated: this.attTruncated || this.rfcomm.truncated || pdus.length > this.limit,
      ...(memory ? {} : { airBetween: true }),
    };
  }
}
