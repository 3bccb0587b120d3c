/**
 * `phonebridge decode capture <file>`: summarises a btsnoop capture (ours or
 * a real phone's controller log) by profile with our own decoders:
 * connections; ANCS notifications, Control Point requests, Data Source
 * replies and errors; OBEX operations per channel with PBAP or MAP
 * application parameters; HFP AT commands and results. Names, numbers and
 * message text are masked unless redaction is turned off.
 */
import { btsnoopToUnixMs, decodeBtsnoop, HciTrafficReader, TrafficEvent, type BtsnoopReadOptions } from '../link/capture';
import type { AttPduView } from '../link/capture';
import { attErrorName } from '../link/att-codes';
import {
  ANCS_CONTROL_POINT_UUID,
  ANCS_DATA_SOURCE_UUID,
  ANCS_NOTIFICATION_SOURCE_UUID,
  DataSourceReassembler,
  ancsErrorName,
  attributeText,
  categoryName,
  commandName,
  decodeControlPoint,
  decodeNotificationSource,
  eventFlagNames,
  eventIdName,
  expectedReplyFor,
  notificationAttributeName,
  type ControlPointCommand,
} from '../protocol/ancs';
import { BaseOpcode, HeaderId, PacketSplitter, decodeAppParams, decodeRequest, decodeResponse, isContinue, responseCodeName, type ObexHeader } from '../protocol/obex';
import { decodePbapParams, isPbapTarget } from '../protocol/pbap';
import { decodeMapParams, isMasTarget, isMnsTarget } from '../protocol/map';
import { CommandLineSplitter, ResultLineSplitter, decodeCommand, decodeResult } from '../protocol/hfp';
import { MASK, redactText } from './report/redact';

export interface CaptureSummaryOptions {
  /** Mask names, numbers and message text (default true). */
  redact?: boolean;
  /** Lines, operations and events kept per list (default 10,000). */
  maxEntries?: number;
}

export interface ConnectionSummary {
  handle: number;
  transport: 'le' | 'br-edr';
  peer: string;
  /** Seconds from the first record. */
  at: number;
  closedAt?: number;
  reason?: number;
  encrypted: boolean;
}

export interface AncsEntry {
  at: number;
  kind: 'notification' | 'request' | 'reply' | 'error';
  [field: string]: unknown;
}

export interface ObexOperation {
  at: number;
  operation: string;
  name?: string;
  type?: string;
  target?: string;
  params?: Record<string, unknown>;
  response?: string;
  responseParams?: Record<string, unknown>;
  packets: number;
  bodyBytes: number;
}

export interface StreamSummary {
  handle: number;
  channel: number;
  /** What runs on it: 'PBAP', 'MAP MAS', 'MAP MNS', 'OBEX', 'HFP' or 'unknown'. */
  service: string;
  /** OBEX channels. */
  operations?: ObexOperation[];
  /** HFP channels. */
  lines?: Array<{ at: number; from: 'HF' | 'AG'; text: string; kind: string }>;
  bytes: number;
}

export interface CaptureSummary {
  records: number;
  drops: number;
  truncatedTail: boolean;
  start: string | undefined;
  durationSeconds: number;
  localAddress: string | undefined;
  connections: ConnectionSummary[];
  ancs: AncsEntry[];
  streams: StreamSummary[];
  problems: string[];
  redacted: boolean;
}

/** Service classes of SDP records, by name. */
const SERVICES: Record<number, string> = { 0x111e: 'HFP', 0x111f: 'HFP', 0x112f: 'PBAP', 0x1132: 'MAP MAS', 0x1133: 'MAP MNS', 0x1105: 'OBEX', 0x1106: 'OBEX' };
/** Reads and writes (an error to discovery is not about ANCS itself). */
const ATTRIBUTE_REQUESTS = new Set([0x0a, 0x0c, 0x12]);
const ANCS_CHARACTERISTICS = new Set([ANCS_NOTIFICATION_SOURCE_UUID, ANCS_CONTROL_POINT_UUID, ANCS_DATA_SOURCE_UUID]);
/** ANCS attributes that carry what people wrote (masked when redacting). */
const PERSONAL_ATTRIBUTES = new Set([1, 2, 3]);
/** App parameters that carry names or numbers. */
const PERSONAL_PARAMS = new Set(['searchValue', 'filterRecipient', 'filterOriginator']);

const round = (seconds: number): number => Math.round(seconds * 1e6) / 1e6;

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

interface Stream {
  summary: StreamSummary;
  serverIsLocal: boolean;
  requests?: PacketSplitter;
  responses?: PacketSplitter;
  pendingConnect?: boolean;
  current?: ObexOperation;
  hf?: CommandLineSplitter;
  ag?: ResultLineSplitter;
  /** True when the server side is the hands-free unit (the phone connected to the PC's HF record). */
  serverIsHf?: boolean;
}

interface AncsSession {
  reassembler: DataSourceReassembler;
  pending: ControlPointCommand | undefined;
}

class CaptureSummariser {
  readonly summary: CaptureSummary;
  private readonly redact: boolean;
  private readonly max: number;
  private first: number | undefined;
  private readonly connections = new Map<number, ConnectionSummary>();
  private readonly records = new Map<string, number>();
  private readonly streams = new Map<string, Stream>();
  private readonly ancs = new Map<number, AncsSession>();

  constructor(options: CaptureSummaryOptions) {
    this.redact = options.redact ?? true;
    this.max = options.maxEntries ?? 10_000;
    this.summary = { records: 0, drops: 0, truncatedTail: false, start: undefined, durationSeconds: 0, localAddress: undefined, connections: [], ancs: [], streams: [], problems: [], redacted: this.redact };
  }

  /** Sets time zero (the first record's time, Unix ms). */
  startAt(time: number): void {
    this.first ??= time;
  }

  at(time: number): number {
    if (this.first === undefined) this.first = time;
    return round((time - this.first) / 1000);
  }

  event(e: TrafficEvent): void {
    const at = this.at(e.time);
    switch (e.type) {
      case 'local-address':
        this.summary.localAddress = e.address;
        return;
      case 'connect': {
        const c: ConnectionSummary = { handle: e.handle, transport: e.transport, peer: e.address, at, encrypted: false };
        this.connections.set(e.handle, c);
        this.push(this.summary.connections, c);
        this.ancs.delete(e.handle);
        return;
      }
      case 'encryption': {
        const c = this.connections.get(e.handle);
        if (c) c.encrypted = e.enabled;
        return;
      }
      case 'disconnect': {
        const c = this.connections.get(e.handle);
        if (c) Object.assign(c, { closedAt: at, reason: e.reason });
        for (const key of [...this.streams.keys()]) if (key.startsWith(`${e.handle}:`)) this.streams.delete(key);
        return;
      }
      case 'att':
        return this.att(at, e.handle, e.pdu);
      case 'sdp-record':
        if (e.record.rfcommChannel !== undefined && e.record.serviceClasses[0] !== undefined && this.records.size < this.max) {
          this.records.set(`${e.handle}:${e.serverIsLocal}:${e.record.rfcommChannel}`, e.record.serviceClasses[0]);
        }
        return;
      case 'rfcomm-open':
        this.stream(e.handle, e.dlci, e.channel, e.serverIsLocal);
        return;
      case 'rfcomm-data':
        return this.data(at, this.stream(e.handle, e.dlci, e.channel, e.serverIsLocal), e.fromLocal, e.data);
      case 'rfcomm-close':
        this.streams.delete(`${e.handle}:${e.dlci}`);
        return;
      case 'problem':
        this.push(this.summary.problems, `${at}s: ${e.message}`);
        return;
    }
  }

  private push<T>(list: T[], item: T): void {
    if (list.length < this.max) list.push(item);
  }

  private text(value: string): string {
    return this.redact ? redactText(value) : value;
  }

  // ---- ANCS ----

  private att(at: number, handle: number, pdu: AttPduView): void {
    let session = this.ancs.get(handle);
    if (!session) {
      session = { reassembler: new DataSourceReassembler(), pending: undefined };
      this.ancs.set(handle, session);
    }
    try {
      this.ancsPdu(at, session, pdu);
    } catch (error) {
      this.push(this.summary.problems, `${at}s: ANCS: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private ancsPdu(at: number, session: AncsSession, pdu: AttPduView): void {
    const value = pdu.value ?? new Uint8Array(0);
    if (pdu.name === 'ATT_HANDLE_VALUE_NTF' && pdu.characteristic === ANCS_NOTIFICATION_SOURCE_UUID) {
      const ev = decodeNotificationSource(value);
      this.push(this.summary.ancs, {
        at,
        kind: 'notification',
        event: eventIdName(ev.eventId),
        flags: eventFlagNames(ev.eventFlags),
        category: categoryName(ev.categoryId),
        categoryCount: ev.categoryCount,
        uid: ev.notificationUid,
      });
    } else if (pdu.name === 'ATT_WRITE_REQ' && pdu.characteristic === ANCS_CONTROL_POINT_UUID && pdu.descriptor === undefined) {
      const cmd = decodeControlPoint(value);
      session.pending = cmd;
      const entry: AncsEntry = { at, kind: 'request', command: commandName(cmd.commandId) };
      if (cmd.commandId === 0) Object.assign(entry, { uid: cmd.notificationUid, attributes: cmd.attributes.map((a) => notificationAttributeName(a.id)) });
      else if (cmd.commandId === 1) Object.assign(entry, { app: cmd.appIdentifier, attributes: cmd.attributes });
      else Object.assign(entry, { uid: cmd.notificationUid, action: cmd.actionId === 0 ? 'Positive' : cmd.actionId === 1 ? 'Negative' : cmd.actionId });
      this.push(this.summary.ancs, entry);
    } else if (pdu.name === 'ATT_WRITE_RSP' && session.pending) {
      const cmd = session.pending;
      session.pending = undefined;
      if (cmd.commandId !== 2) session.reassembler.expect(expectedReplyFor(cmd));
    } else if (pdu.name === 'ATT_ERROR_RSP' && ATTRIBUTE_REQUESTS.has(pdu.requestOpcode ?? 0) && pdu.characteristic !== undefined && ANCS_CHARACTERISTICS.has(pdu.characteristic)) {
      if (pdu.characteristic === ANCS_CONTROL_POINT_UUID) session.pending = undefined;
      const code = pdu.errorCode ?? 0;
      const name = code >= 0xa0 && code <= 0xa3 ? ancsErrorName(code) : attErrorName(code);
      this.push(this.summary.ancs, { at, kind: 'error', characteristic: pdu.characteristic, descriptor: pdu.descriptor, code, error: name });
    } else if (pdu.name === 'ATT_HANDLE_VALUE_NTF' && pdu.characteristic === ANCS_DATA_SOURCE_UUID) {
      for (const reply of session.reassembler.push(value)) {
        const attributes = reply.attributes.map((a) => ({
          attribute: reply.commandId === 0 ? notificationAttributeName(a.id) : a.id === 0 ? 'DisplayName' : `AppAttribute(${a.id})`,
          value: this.redact && reply.commandId === 0 && PERSONAL_ATTRIBUTES.has(a.id) && a.value.length > 0 ? MASK : attributeText(a.value),
        }));
        const base = reply.commandId === 0 ? { uid: reply.notificationUid } : { app: reply.appIdentifier };
        this.push(this.summary.ancs, { at, kind: 'reply', command: commandName(reply.commandId), ...base, attributes });
      }
    }
  }

  // ---- RFCOMM streams ----

  private stream(handle: number, dlci: number, channel: number, serverIsLocal: boolean): Stream {
    const key = `${handle}:${dlci}`;
    let stream = this.streams.get(key);
    if (!stream) {
      const serviceClass = this.records.get(`${handle}:${serverIsLocal}:${channel}`);
      const service = serviceClass === undefined ? 'unknown' : (SERVICES[serviceClass] ?? `0x${serviceClass.toString(16)}`);
      stream = { summary: { handle, channel, service, bytes: 0 }, serverIsLocal, serverIsHf: serviceClass === 0x111e };
      if (this.streams.size < this.max) this.streams.set(key, stream);
      this.push(this.summary.streams, stream.summary);
    }
    return stream;
  }

  private data(at: number, stream: Stream, fromLocal: boolean, data: Uint8Array): void {
    const summary = stream.summary;
    summary.bytes += data.length;
    const fromServer = fromLocal === stream.serverIsLocal;
    if (summary.service === 'unknown') {
      if (!fromServer && data[0] === 0x80) summary.service = 'OBEX';
      else if (/^\s*AT/i.test(Buffer.from(data.subarray(0, 8)).toString('latin1'))) {
        summary.service = 'HFP';
        stream.serverIsHf = fromServer;
      } else return;
    }
    if (summary.service === 'HFP') this.hfp(at, stream, fromServer, data);
    else this.obex(at, stream, fromServer, data);
  }

  private hfp(at: number, stream: Stream, fromServer: boolean, data: Uint8Array): void {
    const fromHf = fromServer === (stream.serverIsHf ?? false);
    const lines = (stream.summary.lines ??= []);
    const splitter = fromHf ? (stream.hf ??= new CommandLineSplitter()) : (stream.ag ??= new ResultLineSplitter());
    for (const event of splitter.push(data)) {
      if (event.kind === 'error') {
        this.push(this.summary.problems, `${at}s: HFP channel ${stream.summary.channel}: ${event.error.message}`);
        continue;
      }
      let kind: string;
      try {
        kind = fromHf ? decodeCommand(event.text).kind : decodeResult(event.text).kind;
      } catch (error) {
        kind = `undecodable: ${error instanceof Error ? error.message : String(error)}`;
      }
      this.push(lines, { at, from: fromHf ? 'HF' : 'AG', text: this.text(event.text), kind });
    }
  }

  private obex(at: number, stream: Stream, fromServer: boolean, data: Uint8Array): void {
    const splitter = fromServer ? (stream.responses ??= new PacketSplitter()) : (stream.requests ??= new PacketSplitter());
    if (splitter.failed) return;
    let packets: Uint8Array[];
    try {
      packets = splitter.push(data);
    } catch (error) {
      this.push(this.summary.problems, `${at}s: OBEX channel ${stream.summary.channel}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const packet of packets) {
      try {
        if (fromServer) this.obexResponse(stream, packet);
        else this.obexRequest(at, stream, packet);
      } catch (error) {
        this.push(this.summary.problems, `${at}s: OBEX channel ${stream.summary.channel}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private obexRequest(at: number, stream: Stream, packet: Uint8Array): void {
    const request = decodeRequest(packet);
    const base = request.opcode === 0xff ? 'Abort' : (nameOf(BaseOpcode, request.opcode & 0x7f) ?? `Opcode 0x${request.opcode.toString(16)}`);
    stream.pendingConnect = base === 'Connect';
    let op = stream.current;
    if (!op || op.response !== undefined || op.operation !== base) {
      op = { at, operation: base, packets: 0, bodyBytes: 0 };
      stream.current = op;
      this.push((stream.summary.operations ??= []), op);
    }
    op.packets++;
    this.headers(stream, op, request.headers, false);
    if (base === 'Connect') {
      const target = request.headers.find((h) => h.id === HeaderId.Target);
      const bytes = target?.kind === 'bytes' ? target.value : undefined;
      const service = isPbapTarget(bytes) ? 'PBAP' : isMasTarget(bytes) ? 'MAP MAS' : isMnsTarget(bytes) ? 'MAP MNS' : undefined;
      if (service) {
        op.target = service;
        stream.summary.service = service;
      }
    }
  }

  private obexResponse(stream: Stream, packet: Uint8Array): void {
    const response = decodeResponse(packet, { connectResponse: stream.pendingConnect === true });
    stream.pendingConnect = false;
    const op = stream.current;
    if (!op) return;
    this.headers(stream, op, response.headers, true);
    if (isContinue(response.code) && op.operation !== 'Connect') return;
    op.response = responseCodeName(response.code);
  }

  private headers(stream: Stream, op: ObexOperation, headers: readonly ObexHeader[], response: boolean): void {
    for (const header of headers) {
      if (header.id === HeaderId.Name && header.kind === 'unicode' && !response) op.name ??= header.value;
      else if (header.id === HeaderId.Type && header.kind === 'bytes' && !response) op.type ??= Buffer.from(header.value).toString('latin1').replace(/\0+$/, '');
      else if ((header.id === HeaderId.Body || header.id === HeaderId.EndOfBody) && header.kind === 'bytes') op.bodyBytes += header.value.length;
      else if (header.id === HeaderId.AppParameters && header.kind === 'bytes') {
        const params = this.appParams(stream.summary.service, header.value);
        if (response) op.responseParams = { ...op.responseParams, ...params };
        else op.params = { ...op.params, ...params };
      }
    }
  }

  private appParams(service: string, bytes: Uint8Array): Record<string, unknown> {
    let decoded: Record<string, unknown>;
    if (service === 'PBAP') decoded = { ...decodePbapParams(bytes) };
    else if (service.startsWith('MAP')) decoded = { ...decodeMapParams(bytes) };
    else decoded = Object.fromEntries(decodeAppParams(bytes).map((p) => [`tag 0x${p.tag.toString(16)}`, p.value]));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(decoded)) {
      if (value === undefined) continue;
      out[key] = this.redact && PERSONAL_PARAMS.has(key) ? MASK : plain(value);
    }
    return out;
  }
}

function nameOf(table: Record<string, number>, value: number): string | undefined {
  for (const [name, v] of Object.entries(table)) if (v === value) return name;
  return undefined;
}

/** Summarises a whole btsnoop file. Throws CaptureFormatError when the file itself cannot be read. */
export function summariseCapture(bytes: Uint8Array, options: CaptureSummaryOptions & BtsnoopReadOptions = {}): CaptureSummary {
  const file = decodeBtsnoop(bytes, { lenient: options.lenient ?? true, ...(options.maxRecords ? { maxRecords: options.maxRecords } : {}) });
  const summariser = new CaptureSummariser(options);
  const reader = new HciTrafficReader((e) => summariser.event(e), file.datalink);
  const first = file.records[0];
  if (first) summariser.startAt(btsnoopToUnixMs(first.timestampUs));
  let last: bigint | undefined;
  for (const record of file.records) {
    reader.record(record);
    last = record.timestampUs;
  }
  const summary = summariser.summary;
  summary.records = file.records.length;
  summary.drops = file.records[file.records.length - 1]?.drops ?? 0;
  summary.truncatedTail = file.truncatedTail;
  if (first && last !== undefined) {
    summary.start = new Date(btsnoopToUnixMs(first.timestampUs)).toISOString();
    summary.durationSeconds = round(Number(last - first.timestampUs) / 1e6);
  }
  return summary;
}

/** The summary as text for a terminal. */
export function formatCaptureSummary(summary: CaptureSummary): string {
  const out: string[] = [];
  out.push(`${summary.records} records over ${summary.durationSeconds} s${summary.start ? ` from ${summary.start}` : ''}${summary.drops ? `, ${summary.drops} dropped` : ''}${summary.truncatedTail ? ', last record cut short' : ''}`);
  if (summary.localAddress) out.push(`Local adapter ${summary.localAddress}`);
  out.push('', 'Connections');
  for (const c of summary.connections) {
    const end = c.closedAt !== undefined ? `, closed at ${c.closedAt}s (reason 0x${(c.reason ?? 0).toString(16).padStart(2, '0')})` : '';
    out.push(`  ${c.at}s ${c.transport === 'le' ? 'LE' : 'BR/EDR'} ${c.peer} handle 0x${c.handle.toString(16).padStart(4, '0')}${c.encrypted ? ', encrypted' : ''}${end}`);
  }
  if (summary.ancs.length > 0) {
    out.push('', 'ANCS');
    for (const entry of summary.ancs) {
      const { at, kind, ...rest } = entry;
      out.push(`  ${at}s ${kind} ${JSON.stringify(rest)}`);
    }
  }
  for (const s of summary.streams) {
    out.push('', `${s.service} on RFCOMM channel ${s.channel} (handle 0x${s.handle.toString(16).padStart(4, '0')}, ${s.bytes} bytes)`);
    for (const op of s.operations ?? []) {
      const parts = [op.operation, op.target, op.name !== undefined ? `"${op.name}"` : undefined, op.type, op.response ? `-> ${op.response}` : '-> (no response)'];
      const extra = [op.params ? `params ${JSON.stringify(op.params)}` : '', op.responseParams ? `reply ${JSON.stringify(op.responseParams)}` : '', op.bodyBytes ? `${op.bodyBytes} body bytes` : '']
        .filter((p) => p !== '')
        .join('; ');
      out.push(`  ${op.at}s ${parts.filter((p) => p !== undefined).join(' ')}${extra ? ` (${extra})` : ''}`);
    }
    for (const line of s.lines ?? []) out.push(`  ${line.at}s ${line.from} ${line.text}`);
  }
  if (summary.problems.length > 0) {
    out.push('', 'Problems');
    for (const p of summary.problems) out.push(`  ${p}`);
  }
  if (summary.redacted) out.push('', 'Names, numbers and message text are masked (--no-redact shows them).');
  return `${out.join('\n')}\n`;
}
