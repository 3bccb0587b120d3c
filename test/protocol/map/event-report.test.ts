/**
 * MAP event reports: the bluez/iPhone NewMessage report and a 1.1 report
 * paired with decoded objects, escaping, rejections as MapErrors, limits,
 * fast-check round trips and hostile input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEventReport, encodeEventReport, MapErrorCode, MapEventName, sameFolder, type EventReport } from '../../../src/protocol/map';
import { applyByteEdits, byteEditsArb, eventReportArb } from '../../../src/harness/fuzz/map-arbitraries';
import { assertMapError, bytes, text, valueOrMapError } from './fixtures';

test('decodes the NewMessage report an MSE sends (upper-case folder)', () => {
  const doc =
    '<MAP-event-report version="1.0">\n<event type="NewMessage" handle="20000100001" folder="TELECOM/MSG/INBOX" msg_type="SMS_GSM"/>\n</MAP-event-report>\n';
  const report = decodeEventReport(bytes(doc));
  assert.deepEqual(report, {
    version: '1.0',
    events: [{ type: 'NewMessage', handle: '20000100001', folder: 'TELECOM/MSG/INBOX', msg_type: 'SMS_GSM' }],
  });
  assert.ok(sameFolder(report.events[0]?.folder ?? '', 'telecom/msg/inbox'));
});

test('encodes a 1.1 report with MessageShift, MemoryFull and escaped names; decodes back', () => {
  const report: EventReport = {
    version: '1.1',
    events: [
      { type: MapEventName.NewMessage, handle: 'A1', folder: 'telecom/msg/inbox', msg_type: 'SMS_GSM', datetime: '20260301T081500', subject: 'Fish & chips', sender_name: '"Ann" <Lee>', priority: 'no' },
      { type: MapEventName.MessageShift, handle: 'A1', folder: 'telecom/msg/deleted', old_folder: 'telecom/msg/inbox', msg_type: 'SMS_GSM' },
      { type: MapEventName.MemoryFull },
      { type: 'VendorEvent', other: { 'x-vendor': 'é' } },
    ],
  };
  const out = text(encodeEventReport(report));
  assert.equal(
    out,
    '<?xml version="1.0" encoding="UTF-8"?>\n<MAP-event-report version="1.1">\n' +
      '<event type="NewMessage" handle="A1" folder="telecom/msg/inbox" msg_type="SMS_GSM" datetime="20260301T081500" subject="Fish &amp; chips" sender_name="&quot;Ann&quot; &lt;Lee&gt;" priority="no"/>\n' +
      '<event type="MessageShift" handle="A1" folder="telecom/msg/deleted" old_folder="telecom/msg/inbox" msg_type="SMS_GSM"/>\n' +
      '<event type="MemoryFull"/>\n' +
      '<event type="VendorEvent" x-vendor="é"/>\n' +
      '</MAP-event-report>\n',
  );
  assert.deepEqual(decodeEventReport(bytes(out)), report);
});

test('rejections: garbage, wrong root, event without type, non-hex handle; limits', () => {
  assertMapError(() => decodeEventReport(bytes('<<<')), MapErrorCode.BadEventReport);
  assertMapError(() => decodeEventReport(bytes('<MAP-msg-listing/>')), MapErrorCode.BadEventReport, 0);
  assertMapError(() => decodeEventReport(bytes('<MAP-event-report><event handle="1"/></MAP-event-report>')), MapErrorCode.BadEventReport, 18);
  assertMapError(() => decodeEventReport(bytes('<MAP-event-report><event type="NewMessage" handle="0x1"/></MAP-event-report>')), MapErrorCode.BadEventReport, 18);
  assertMapError(() => decodeEventReport(Uint8Array.of(0xc0, 0x80)), MapErrorCode.BadText, 0);
  assertMapError(() => decodeEventReport(bytes('<MAP-event-report/>'), { maxBytes: 10 }), MapErrorCode.TooLarge, 10);
  const three = encodeEventReport({ version: '1.0', events: [{ type: 'a' }, { type: 'b' }, { type: 'c' }] });
  assertMapError(() => decodeEventReport(three, { maxEntries: 2 }), MapErrorCode.TooLarge);
  assertMapError(() => encodeEventReport({ version: '1.0', events: [{ type: 'a', handle: 'zz' }] }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeEventReport({ version: '1.0', events: [{ type: 'a', other: { type: 'b' } }] }), MapErrorCode.BadValue, false);
});

test('property: event reports round trip; any bytes give a report or a MapError', () => {
  fc.assert(fc.property(eventReportArb, (report) => assert.deepEqual(decodeEventReport(encodeEventReport(report)), report)), { numRuns: 300 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (data) => valueOrMapError(() => decodeEventReport(data))), { numRuns: 500 });
  fc.assert(
    fc.property(eventReportArb, byteEditsArb, (report, edits) => valueOrMapError(() => decodeEventReport(applyByteEdits(encodeEventReport(report), edits)))),
    { numRuns: 300 },
  );
});
