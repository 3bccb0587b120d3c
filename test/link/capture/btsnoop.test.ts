/**
 * The btsnoop format: hex fixtures beside their decoded records, writer and
 * reader round trips (fast-check), the writer's buffer and file limits, and
 * a fuzzed reader that only ever fails with CaptureFormatError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BTSNOOP_UNIX_EPOCH_US,
  BtsnoopFlag,
  BtsnoopWriter,
  CaptureError,
  CaptureFormatError,
  MemorySink,
  btsnoopToUnixMs,
  decodeBtsnoop,
  encodeBtsnoopHeader,
  encodeBtsnoopRecord,
  unixMsToBtsnoop,
} from '../../../src/link/capture';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const HEADER = '6274736e6f6f7000 00000001 000003ea';
/** HCI_Read_BD_ADDR sent at 2026-01-05T09:00:00Z. */
const READ_BD_ADDR_RECORD = '00000004 00000004 00000002 00000000 00e3255357de0400 01091000';

test('the header and a record match their fixtures both ways', () => {
  assert.equal(toHex(encodeBtsnoopHeader()), HEADER.replace(/\s+/g, ''));
  const timestampUs = unixMsToBtsnoop(Date.UTC(2026, 0, 5, 9));
  assert.equal(timestampUs, 0x00e3255357de0400n);
  const record = { originalLength: 4, flags: BtsnoopFlag.CommandOrEvent, drops: 0, timestampUs, data: hex('01091000') };
  assert.equal(toHex(encodeBtsnoopRecord(record)), READ_BD_ADDR_RECORD.replace(/\s+/g, ''));
  const file = decodeBtsnoop(hex(HEADER + READ_BD_ADDR_RECORD));
  assert.deepEqual(file, { version: 1, datalink: 1002, records: [record], truncatedTail: false });
});

test('timestamps count microseconds from year 0; the Unix epoch sits at 0x00dcddb30f2f8000', () => {
  assert.equal(unixMsToBtsnoop(0), BTSNOOP_UNIX_EPOCH_US);
  assert.equal(unixMsToBtsnoop(1.5), BTSNOOP_UNIX_EPOCH_US + 1500n);
  assert.equal(btsnoopToUnixMs(BTSNOOP_UNIX_EPOCH_US + 2_000_123n), 2000.123);
});

const packetArb = fc.record({
  flags: fc.integer({ min: 0, max: 3 }),
  timestampUs: fc.bigInt({ min: BTSNOOP_UNIX_EPOCH_US, max: BTSNOOP_UNIX_EPOCH_US + 10n ** 15n }),
  data: fc.uint8Array({ minLength: 0, maxLength: 300 }),
});

test('whatever the writer writes, through any buffer size, the reader reads back', () => {
  fc.assert(
    fc.property(fc.array(packetArb, { maxLength: 40 }), fc.integer({ min: 1, max: 4096 }), (packets, bufferBytes) => {
      const sink = new MemorySink();
      const writer = new BtsnoopWriter(sink, { bufferBytes });
      for (const p of packets) writer.write(p);
      writer.close();
      assert.equal(sink.closed, true);
      const file = decodeBtsnoop(sink.bytes());
      assert.equal(file.records.length, packets.length);
      file.records.forEach((r, i) => {
        const p = packets[i] as (typeof packets)[number];
        assert.deepEqual({ flags: r.flags, timestampUs: r.timestampUs, data: r.data }, { flags: p.flags, timestampUs: p.timestampUs, data: p.data });
        assert.equal(r.originalLength, p.data.length);
        assert.equal(r.drops, 0);
      });
    }),
    { numRuns: 300 },
  );
});

test('the writer streams: nothing waits in memory past the buffer size', () => {
  const sink = new MemorySink();
  const writer = new BtsnoopWriter(sink, { bufferBytes: 100 });
  assert.equal(sink.bytes().length, 0, 'the header waits in the buffer');
  for (let i = 0; i < 10; i++) writer.write({ flags: 0, timestampUs: BTSNOOP_UNIX_EPOCH_US, data: new Uint8Array(30) });
  // Each record is 54 bytes: at most one can be held back.
  assert.ok(writer.byteCount - sink.bytes().length <= 100);
  writer.flush();
  assert.equal(sink.bytes().length, 16 + 10 * 54);
});

test('a full file refuses records with capture.file-full and counts them in the next drops field', () => {
  const sink = new MemorySink();
  const writer = new BtsnoopWriter(sink, { maxFileBytes: 16 + 2 * 28 });
  const packet = { flags: 1, timestampUs: BTSNOOP_UNIX_EPOCH_US, data: new Uint8Array(4) };
  writer.write(packet);
  writer.write(packet);
  assert.throws(() => writer.write(packet), (e: unknown) => e instanceof CaptureError && e.code === 'capture.file-full');
  assert.equal(writer.dropped, 1);
  writer.close();
  assert.throws(() => writer.write(packet), (e: unknown) => e instanceof CaptureError && e.code === 'capture.closed');

  const counting = new MemorySink();
  const w2 = new BtsnoopWriter(counting);
  w2.noteDropped(3);
  w2.write(packet);
  w2.close();
  assert.equal(decodeBtsnoop(counting.bytes()).records[0]?.drops, 3);
});

test('bad files fail with the code and offset of the problem', () => {
  const good = hex(HEADER + READ_BD_ADDR_RECORD);
  const cases: Array<[Uint8Array, string, number]> = [
    [good.subarray(0, 10), 'btsnoop.truncated', 10],
    [hex('6274736e6f6f7001 00000001 000003ea'), 'btsnoop.bad-magic', 7],
    [hex('6274736e6f6f7000 00000002 000003ea'), 'btsnoop.bad-version', 8],
    [good.subarray(0, 30), 'btsnoop.truncated', 16],
    [good.subarray(0, good.length - 1), 'btsnoop.truncated', 40],
    [hex(`${HEADER} 00000004 00000005 00000002 00000000 00e3255357de0400 0109100000`), 'btsnoop.bad-length', 20],
  ];
  for (const [bytes, code, offset] of cases) {
    assert.throws(
      () => decodeBtsnoop(bytes),
      (e: unknown) => e instanceof CaptureFormatError && e.code === code && e.offset === offset,
      `${code} at ${offset}`,
    );
  }
  assert.throws(() => decodeBtsnoop(good, { maxRecordBytes: 3 }), (e: unknown) => e instanceof CaptureFormatError && e.code === 'btsnoop.bad-length');
  assert.throws(() => decodeBtsnoop(hex(HEADER + READ_BD_ADDR_RECORD + READ_BD_ADDR_RECORD), { maxRecords: 1 }), (e: unknown) => e instanceof CaptureFormatError && e.code === 'btsnoop.too-many-records');
});

test('a lenient read keeps the whole records of a log cut mid-record', () => {
  const cut = hex(HEADER + READ_BD_ADDR_RECORD + READ_BD_ADDR_RECORD).subarray(0, 16 + 28 + 20);
  const file = decodeBtsnoop(cut, { lenient: true });
  assert.equal(file.records.length, 1);
  assert.equal(file.truncatedTail, true);
});

test('fuzz: any bytes after a valid header read or fail with CaptureFormatError only', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.boolean(), (tail, withHeader, lenient) => {
      const bytes = withHeader ? Buffer.concat([encodeBtsnoopHeader(), tail]) : tail;
      try {
        const file = decodeBtsnoop(bytes, { lenient });
        for (const r of file.records) assert.ok(r.data.length <= r.originalLength);
      } catch (error) {
        assert.ok(error instanceof CaptureFormatError, `escaped: ${String(error)}`);
      }
    }),
    { numRuns: 1000 },
  );
});
