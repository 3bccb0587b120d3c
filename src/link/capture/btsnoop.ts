/**
 * The btsnoop capture format, both ways: a writer that streams records to a
 * sink (a file, or memory in tests) through a bounded buffer, and a reader
 * that turns a whole file back into typed records, failing with a
 * CaptureFormatError (code and byte offset) on anything it cannot read.
 *
 * Layout (all big-endian): a 16-byte header "btsnoop\0", version u32 (1),
 * datalink u32 (1002 = HCI UART H4, 1001 = HCI without the H4 type byte);
 * then records of original length u32, included length u32, flags u32
 * (bit 0: 0 sent by the host, 1 received by it; bit 1: command/event rather
 * than data), cumulative drops u32, timestamp u64 in microseconds since
 * 0000-01-01, and the packet bytes.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CaptureError, CaptureErrorKind, CaptureFormatError, CaptureFormatErrorKind } from './errors';

export const BTSNOOP_MAGIC = Uint8Array.of(0x62, 0x74, 0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00);
export const BTSNOOP_VERSION = 1;
export const BTSNOOP_HEADER_LENGTH = 16;
export const BTSNOOP_RECORD_HEADER_LENGTH = 24;

/** Datalink types (open: other values pass through the reader). */
export const BtsnoopDatalink = {
  /** HCI packets without a type byte; flags tell commands/events from data. */
  HciUnencapsulated: 1001,
  /** HCI UART (H4): each packet starts with its type byte. */
  HciUart: 1002,
} as const;

/** Record flag bits. */
export const BtsnoopFlag = {
  /** Set when the host received the packet (events, incoming ACL); clear when it sent it. */
  Received: 0x01,
  /** Set for commands and events; clear for ACL/SCO data. */
  CommandOrEvent: 0x02,
} as const;

/** Microseconds from 0000-01-01 to the Unix epoch, as btsnoop counts them. */
export const BTSNOOP_UNIX_EPOCH_US = 0x00dcddb30f2f8000n;
/** The largest packet a record may hold: an H4 ACL packet of the largest HCI length. */
export const MAX_BTSNOOP_RECORD_BYTES = 1 + 4 + 0xffff;

export interface BtsnoopRecord {
  /** Length of the packet as it was; at least `data.length`. */
  originalLength: number;
  flags: number;
  /** Packets lost before this one, counted since the capture began. */
  drops: number;
  /** Microseconds since 0000-01-01. */
  timestampUs: bigint;
  data: Uint8Array;
}

export interface BtsnoopFile {
  version: number;
  datalink: number;
  records: BtsnoopRecord[];
  /** True when the reader was lenient and the last record was cut short (it is left out). */
  truncatedTail: boolean;
}

/** Unix time in milliseconds (fractions kept to the microsecond) as a btsnoop timestamp. */
export function unixMsToBtsnoop(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) + BTSNOOP_UNIX_EPOCH_US;
}

/** A btsnoop timestamp as Unix time in milliseconds. */
export function btsnoopToUnixMs(timestampUs: bigint): number {
  return Number(timestampUs - BTSNOOP_UNIX_EPOCH_US) / 1000;
}

export function encodeBtsnoopHeader(datalink: number = BtsnoopDatalink.HciUart): Uint8Array {
  const out = new Uint8Array(BTSNOOP_HEADER_LENGTH);
  out.set(BTSNOOP_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, BTSNOOP_VERSION);
  view.setUint32(12, datalink >>> 0);
  return out;
}

/** One record's bytes; throws RangeError for fields btsnoop cannot hold. */
export function encodeBtsnoopRecord(record: BtsnoopRecord): Uint8Array {
  const { data } = record;
  const u32 = (name: string, value: number): number => {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xffffffff)) throw new RangeError(`btsnoop ${name} ${value} is not a u32`);
    return value;
  };
  const original = u32('original length', record.originalLength);
  if (original < data.length) throw new RangeError(`btsnoop original length ${original} is shorter than the ${data.length} bytes included`);
  if (record.timestampUs < 0n || record.timestampUs > 0xffffffffffffffffn) throw new RangeError('btsnoop timestamp is not a u64');
  const out = new Uint8Array(BTSNOOP_RECORD_HEADER_LENGTH + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, original);
  view.setUint32(4, u32('included length', data.length));
  view.setUint32(8, u32('flags', record.flags));
  view.setUint32(12, u32('drops', record.drops));
  view.setBigUint64(16, record.timestampUs);
  out.set(data, BTSNOOP_RECORD_HEADER_LENGTH);
  return out;
}

export interface BtsnoopReadOptions {
  /** Records read at most (default 5,000,000). */
  maxRecords?: number;
  /** Largest included length accepted (default MAX_BTSNOOP_RECORD_BYTES). */
  maxRecordBytes?: number;
  /**
   * Accept a last record cut short (a log copied while it was written) by
   * leaving it out and setting `truncatedTail`. Default false.
   */
  lenient?: boolean;
}

export const DEFAULT_MAX_RECORDS = 5_000_000;

/** Reads a whole btsnoop file. Throws CaptureFormatError and nothing else. */
export function decodeBtsnoop(bytes: Uint8Array, options: BtsnoopReadOptions = {}): BtsnoopFile {
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  const maxRecordBytes = options.maxRecordBytes ?? MAX_BTSNOOP_RECORD_BYTES;
  if (bytes.length < BTSNOOP_HEADER_LENGTH) {
    throw new CaptureFormatError(CaptureFormatErrorKind.Truncated, `a btsnoop header needs ${BTSNOOP_HEADER_LENGTH} bytes, got ${bytes.length}`, bytes.length);
  }
  for (let i = 0; i < BTSNOOP_MAGIC.length; i++) {
    if (bytes[i] !== BTSNOOP_MAGIC[i]) throw new CaptureFormatError(CaptureFormatErrorKind.BadMagic, 'not a btsnoop file (no "btsnoop\\0" magic)', i);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8);
  if (version !== BTSNOOP_VERSION) throw new CaptureFormatError(CaptureFormatErrorKind.BadVersion, `btsnoop version ${version} (only 1 is defined)`, 8);
  const datalink = view.getUint32(12);
  const records: BtsnoopRecord[] = [];
  let offset = BTSNOOP_HEADER_LENGTH;
  let truncatedTail = false;
  while (offset < bytes.length) {
    if (bytes.length - offset < BTSNOOP_RECORD_HEADER_LENGTH) {
      if (options.lenient) {
        truncatedTail = true;
        break;
      }
      throw new CaptureFormatError(CaptureFormatErrorKind.Truncated, `record header cut short (${bytes.length - offset} of ${BTSNOOP_RECORD_HEADER_LENGTH} bytes)`, offset);
    }
    const originalLength = view.getUint32(offset);
    const included = view.getUint32(offset + 4);
    if (included > originalLength) {
      throw new CaptureFormatError(CaptureFormatErrorKind.BadLength, `included length ${included} exceeds original length ${originalLength}`, offset + 4);
    }
    if (included > maxRecordBytes) {
      throw new CaptureFormatError(CaptureFormatErrorKind.BadLength, `record of ${included} bytes exceeds the limit of ${maxRecordBytes}`, offset + 4);
    }
    const start = offset + BTSNOOP_RECORD_HEADER_LENGTH;
    if (bytes.length - start < included) {
      if (options.lenient) {
        truncatedTail = true;
        break;
      }
      throw new CaptureFormatError(CaptureFormatErrorKind.Truncated, `record data cut short (${bytes.length - start} of ${included} bytes)`, start);
    }
    if (records.length >= maxRecords) {
      throw new CaptureFormatError(CaptureFormatErrorKind.TooManyRecords, `more than ${maxRecords} records`, offset);
    }
    records.push({
      originalLength,
      flags: view.getUint32(offset + 8),
      drops: view.getUint32(offset + 12),
      timestampUs: view.getBigUint64(offset + 16),
      // A plain Uint8Array copy, even when the input is a Buffer.
      data: new Uint8Array(bytes.subarray(start, start + included)),
    });
    offset = start + included;
  }
  return { version, datalink, records, truncatedTail };
}

/** Where a writer's bytes go. */
export interface ByteSink {
  write(bytes: Uint8Array): void;
  close(): void;
}

/** A sink that writes a file synchronously (creating its folder), so a crash loses at most the buffer. */
export function fileSink(file: string): ByteSink {
  mkdirSync(path.dirname(file), { recursive: true });
  let fd: number | undefined = openSync(file, 'w');
  return {
    write(bytes) {
      if (fd === undefined) throw new CaptureError(CaptureErrorKind.Closed, `${file} is closed`);
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    },
    close() {
      if (fd === undefined) return;
      closeSync(fd);
      fd = undefined;
    },
  };
}

/** A sink that keeps everything in memory (tests, small captures). */
export class MemorySink implements ByteSink {
  private readonly chunks: Uint8Array[] = [];
  closed = false;

  write(bytes: Uint8Array): void {
    if (this.closed) throw new CaptureError(CaptureErrorKind.Closed, 'memory sink is closed');
    this.chunks.push(bytes.slice());
  }

  close(): void {
    this.closed = true;
  }

  /** Everything written so far, joined. */
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.chunks));
  }
}

export interface BtsnoopWriterOptions {
  datalink?: number;
  /** Bytes held before they go to the sink (default 64 KiB). */
  bufferBytes?: number;
  /** The file is not allowed past this size; later records are dropped (default 256 MiB). */
  maxFileBytes?: number;
}

export const DEFAULT_WRITER_BUFFER_BYTES = 64 * 1024;
export const DEFAULT_MAX_CAPTURE_BYTES = 256 * 1024 * 1024;

/** What the writer takes per packet; drops and lengths are its own business. */
export interface BtsnoopPacket {
  flags: number;
  timestampUs: bigint;
  data: Uint8Array;
}

/**
 * Streams a btsnoop file: header first, then each record, through a buffer
 * of at most `bufferBytes` (flushed when full, on flush() and on close()).
 * A record that would take the file past `maxFileBytes` is dropped, counted
 * in the next record's drops field, and refused with CaptureError
 * `capture.file-full`.
 */
export class BtsnoopWriter {
  private readonly bufferLimit: number;
  private readonly maxFileBytes: number;
  private buffer: Uint8Array[] = [];
  private buffered = 0;
  private written = 0;
  private records = 0;
  private lost = 0;
  private closed = false;

  constructor(
    private readonly sink: ByteSink,
    options: BtsnoopWriterOptions = {},
  ) {
    this.bufferLimit = Math.max(BTSNOOP_RECORD_HEADER_LENGTH, options.bufferBytes ?? DEFAULT_WRITER_BUFFER_BYTES);
    this.maxFileBytes = Math.max(BTSNOOP_HEADER_LENGTH, options.maxFileBytes ?? DEFAULT_MAX_CAPTURE_BYTES);
    this.push(encodeBtsnoopHeader(options.datalink ?? BtsnoopDatalink.HciUart));
  }

  /** Records written (buffered or in the sink). */
  get recordCount(): number {
    return this.records;
  }

  /** Bytes of the file so far, header included. */
  get byteCount(): number {
    return this.written + this.buffered;
  }

  /** Records refused for lack of room, or reported lost with noteDropped(). */
  get dropped(): number {
    return this.lost;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(packet: BtsnoopPacket): void {
    if (this.closed) throw new CaptureError(CaptureErrorKind.Closed, 'the btsnoop writer is closed');
    if (packet.data.length > MAX_BTSNOOP_RECORD_BYTES) {
      this.lost++;
      throw new CaptureError(CaptureErrorKind.RecordTooLarge, `a ${packet.data.length}-byte packet exceeds the btsnoop limit of ${MAX_BTSNOOP_RECORD_BYTES}`);
    }
    const size = BTSNOOP_RECORD_HEADER_LENGTH + packet.data.length;
    if (this.byteCount + size > this.maxFileBytes) {
      this.lost++;
      throw new CaptureError(CaptureErrorKind.FileFull, `the capture reached its limit of ${this.maxFileBytes} bytes`);
    }
    const record = encodeBtsnoopRecord({
      originalLength: packet.data.length,
      flags: packet.flags,
      drops: this.lost >>> 0,
      timestampUs: packet.timestampUs,
      data: packet.data,
    });
    this.records++;
    this.push(record);
  }

  /** Counts packets lost before reaching the writer (they show in later records' drops field). */
  noteDropped(count = 1): void {
    this.lost += count;
  }

  flush(): void {
    if (this.buffered === 0) return;
    const parts = this.buffer;
    this.buffer = [];
    const size = this.buffered;
    this.buffered = 0;
    this.sink.write(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, size));
    this.written += size;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      this.sink.close();
    }
  }

  private push(bytes: Uint8Array): void {
    if (this.buffered + bytes.length > this.bufferLimit) this.flush();
    this.buffer.push(bytes);
    this.buffered += bytes.length;
    if (this.buffered >= this.bufferLimit) this.flush();
  }
}
