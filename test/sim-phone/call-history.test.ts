/**
 * The phone's call log: newest first whatever order calls are added in,
 * per-kind lists, the NewMissedCalls counter and its reset, the rolling
 * limit, validation, and a call record as a PBAP call-history vCard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVcard } from '../../src/protocol/vcard';
import { CallHistory } from '../../src/sim-phone/call-history';
import { callToVcard, formatCallTime, renderVcard } from '../../src/sim-phone/contact-vcard';
import { ContactDataError } from '../../src/sim-phone/phonebook-errors';

const at = (iso: string): Date => new Date(iso);

test('records are listed newest first, by kind or all together', () => {
  const log = new CallHistory();
  log.add({ kind: 'received', number: '1', time: at('2026-01-05T08:00:00Z'), durationSec: 30 });
  log.add({ kind: 'missed', number: '2', time: at('2026-01-05T10:00:00Z'), durationSec: 99 });
  log.add({ kind: 'dialled', number: '3', time: at('2026-01-05T09:00:00Z') });
  log.add({ kind: 'missed', number: '4', time: at('2026-01-05T10:00:00Z') });
  assert.deepEqual(log.list().map((r) => r.number), ['4', '2', '3', '1']);
  assert.deepEqual(log.list('missed').map((r) => r.number), ['4', '2']);
  assert.deepEqual(log.list('dialled').map((r) => r.number), ['3']);
  assert.equal(log.list('missed')[1]?.durationSec, 0);
  assert.equal(log.list('received')[0]?.durationSec, 30);
});

test('NewMissedCalls counts missed calls until reset', () => {
  const log = new CallHistory();
  const counts: number[] = [];
  log.events.on('newMissedCallsChanged', (n) => counts.push(n));
  log.add({ kind: 'missed', number: '1', time: at('2026-01-05T08:00:00Z') });
  log.add({ kind: 'received', number: '1', time: at('2026-01-05T08:01:00Z') });
  log.add({ kind: 'missed', number: '1', time: at('2026-01-05T08:02:00Z') });
  assert.equal(log.newMissedCalls, 2);
  log.resetNewMissedCalls();
  log.resetNewMissedCalls();
  assert.equal(log.newMissedCalls, 0);
  assert.deepEqual(counts, [1, 2, 0]);
});

test('past the limit the oldest record rolls off; clear empties the log', () => {
  const log = new CallHistory(3);
  const removed: string[] = [];
  log.events.on('removed', (r) => removed.push(r.number));
  for (let i = 0; i < 5; i++) log.add({ kind: 'dialled', number: String(i), time: at(`2026-01-05T0${i}:00:00Z`) });
  assert.deepEqual(log.list().map((r) => r.number), ['4', '3', '2']);
  assert.deepEqual(removed, ['0', '1']);
  // An old call added to a full log rolls straight off.
  log.add({ kind: 'dialled', number: 'old', time: at('2020-01-01T00:00:00Z') });
  assert.deepEqual(log.list().map((r) => r.number), ['4', '3', '2']);
  log.clear();
  assert.equal(log.size, 0);
  assert.throws(() => new CallHistory(0), RangeError);
});

test('bad records are ContactDataErrors naming the field', () => {
  const log = new CallHistory();
  const field = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof ContactDataError);
      return err.field;
    }
    throw new Error('no error');
  };
  assert.equal(field(() => log.add({ kind: 'forwarded' as 'missed', number: '1', time: new Date() })), 'kind');
  assert.equal(field(() => log.add({ kind: 'missed', number: '1\0', time: new Date() })), 'number');
  assert.equal(field(() => log.add({ kind: 'missed', number: '1', name: 'x'.repeat(2000), time: new Date() })), 'name');
  assert.equal(field(() => log.add({ kind: 'missed', number: '1', time: new Date('nope') })), 'time');
  assert.equal(field(() => log.add({ kind: 'received', number: '1', time: new Date(), durationSec: -1 })), 'durationSec');
  assert.equal(log.size, 0);
});

test('a call record as a PBAP call-history card, in 2.1 and 3.0', () => {
  const log = new CallHistory();
  const record = log.add({ kind: 'dialled', number: '+1 555 0100', name: 'Pizza', time: at('2026-03-04T05:06:07Z') });
  assert.equal(formatCallTime(record.time), '20260304T050607');
  const v30 = renderVcard(callToVcard(record, undefined), '3.0');
  assert.equal(
    v30,
    'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Pizza;;;;\r\nFN:Pizza\r\nTEL:+1 555 0100\r\nX-IRMC-CALL-DATETIME;DIALED:20260304T050607\r\nEND:VCARD\r\n',
  );
  const known = renderVcard(
    callToVcard(record, { name: { family: 'Doe', given: 'Jo', additional: '', prefix: '', suffix: '' }, formattedName: 'Jo Doe' }),
    '2.1',
  );
  assert.equal(known, 'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jo;;;\r\nFN:Jo Doe\r\nTEL:+1 555 0100\r\nX-IRMC-CALL-DATETIME;DIALED:20260304T050607\r\nEND:VCARD\r\n');
  assert.deepEqual(parseVcard(v30).call, { kind: 'DIALED', time: '20260304T050607' });
});
