import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { PbapClient } from '../../../src/sim-pc/pbap/pbap-client';
import { CallLog, parseCallDateTime, type CallLogOptions } from '../../../src/sim-pc/services/call-log';
import type { Contact } from '../../../src/sim-pc/services/contact-index';
import { callCard, FakePhone, PHONE, type Book } from '../pbap/fake-pse';

function setup(books: Record<string, Book>, options: Partial<CallLogOptions> = {}) {
  const clock = new VirtualClock();
  const phone = new FakePhone(clock, { books });
  const client = new PbapClient({ client: phone, phoneAddress: PHONE, clock });
  const log = new CallLog({
    open: async () => {
      if (client.state !== 'connected') await client.connect();
      return client;
    },
    dateZone: 'utc',
    ...options,
  });
  return { clock, phone, client, log };
}

async function run<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await clock.runUntil(() => outcome !== undefined, 3_600_000);
  assert.ok(outcome);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

const contacts = {
  lookupCaller(number: string): Contact | undefined {
    if (number.replace(/\D/g, '').endsWith('79460012')) {
      return { handle: 7, name: 'Known Contact', given: 'Known', family: 'Contact', organization: undefined, numbers: [], emails: [], card: undefined as never };
    }
    return undefined;
  },
};

test('ich, och and mch become received, dialled and missed entries, newest first, with times and names', async () => {
  const books: Record<string, Book> = {
    'telecom/mch.vcf': {
      cards: [callCard('MISSED', '20240105T093000', '+44 20 7946 0011', 'Ann Lee'), callCard('MISSED', '20240103T120000', '+442079460012')],
      newMissedCalls: 2,
    },
    'telecom/ich.vcf': {
      // iOS-like: the missed call also shows in ich, and one card has no call type.
      cards: [callCard('MISSED', '20240105T093000', '+44 20 7946 0011', 'Ann Lee'), 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\r\nN:;;;;\r\nTEL:+442079460013\r\nX-IRMC-CALL-DATETIME:20240104T080000\r\nEND:VCARD\r\n'],
    },
    'telecom/och.vcf': { cards: [callCard('DIALED', '20240106T180000', '+44 20 7946 0014', 'Bo Ng'), callCard('DIALED', '', '')] },
  };
  const { clock, log, phone } = setup(books, { contacts });
  const updates: unknown[] = [];
  log.events.on('updated', (s) => updates.push(s));
  const snapshot = await run(clock, log.refresh());
  assert.deepEqual(
    snapshot.entries.map((e) => [e.kind, e.number, e.name, e.nameSource, e.time?.toISOString(), e.book]),
    [
      ['dialled', '+44 20 7946 0014', 'Bo Ng', 'card', '2024-01-06T18:00:00.000Z', 'och'],
      ['missed', '+44 20 7946 0011', 'Ann Lee', 'card', '2024-01-05T09:30:00.000Z', 'mch'],
      ['received', '+442079460013', undefined, undefined, '2024-01-04T08:00:00.000Z', 'ich'],
      ['missed', '+442079460012', 'Known Contact', 'contacts', '2024-01-03T12:00:00.000Z', 'mch'],
      ['dialled', '', undefined, undefined, undefined, 'och'],
    ],
  );
  assert.equal(snapshot.entries[3]?.contactHandle, 7);
  assert.equal(snapshot.newMissedCalls, 2);
  assert.equal(log.newMissedCalls, 2);
  assert.equal(log.entries, snapshot.entries);
  assert.equal(updates.length, 1);
  assert.deepEqual(phone.log.gets.map((g) => g.name), ['telecom/mch.vcf', 'telecom/ich.vcf', 'telecom/och.vcf']);
  assert.equal(phone.log.gets[0]?.params.resetNewMissedCalls, undefined);
});

test('combined history: kinds from the cards; a card without a kind is reported; reset asked for', async () => {
  const books: Record<string, Book> = {
    'telecom/cch.vcf': {
      cards: [
        callCard('RECEIVED', '20240102T100000', '+1 202 555 0143', 'Cy'),
        callCard('MISSED', '20240102T110000', '+1 202 555 0144'),
        'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nobody\r\nTEL:1\r\nEND:VCARD\r\n',
        'BEGIN:VCARD\r\nVERSION:2.1\r\nN:;;;;\r\nTEL:+12025550145\r\nX-IRMC-CALL-DATETIME;DIALED:20240102T120000Z\r\nEND:VCARD\r\n',
        'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:broken\r\n',
      ],
      newMissedCalls: 1,
    },
  };
  const { clock, log, phone } = setup(books, { source: 'combined', resetNewMissedCalls: true, dateZone: 'local' });
  const snapshot = await run(clock, log.refresh());
  assert.deepEqual(snapshot.entries.map((e) => [e.kind, e.name]), [
    ['dialled', undefined],
    ['missed', undefined],
    ['received', 'Cy'],
  ]);
  // Zone-less times are local; a Z suffix is UTC.
  assert.equal(snapshot.entries[2]?.time?.getTime(), new Date(2024, 0, 2, 10, 0, 0).getTime());
  assert.equal(snapshot.entries[0]?.time?.toISOString(), '2024-01-02T12:00:00.000Z');
  assert.deepEqual(snapshot.skipped.map((s) => s.reason), ['truncated', 'no-call-kind']);
  assert.equal(snapshot.newMissedCalls, 1);
  assert.deepEqual(phone.log.gets.map((g) => [g.name, g.params.resetNewMissedCalls, g.params.maxListCount]), [['telecom/cch.vcf', 1, 200]]);
});

test('two calls from one number in the same second of one history are both kept', async () => {
  const same = callCard('MISSED', '20240101T000000', '+447700900123');
  const { clock, log } = setup({ 'telecom/mch.vcf': { cards: [same, same] }, 'telecom/ich.vcf': { cards: [] }, 'telecom/och.vcf': { cards: [] } });
  const snapshot = await run(clock, log.refresh());
  assert.equal(snapshot.entries.length, 2);
  assert.equal(snapshot.newMissedCalls, undefined);
});

test('parseCallDateTime', () => {
  assert.equal(parseCallDateTime('20240229T235959', 'utc')?.toISOString(), '2024-02-29T23:59:59.000Z');
  assert.equal(parseCallDateTime('2024-02-29T23:59:59', 'utc')?.toISOString(), '2024-02-29T23:59:59.000Z');
  assert.equal(parseCallDateTime('20240229T235959Z')?.toISOString(), '2024-02-29T23:59:59.000Z');
  assert.equal(parseCallDateTime('20240229T235959')?.getTime(), new Date(2024, 1, 29, 23, 59, 59).getTime());
  for (const bad of ['', '20230229T000000', '20240431T000000', '20241301T000000', '20240101T240000', '20240101T006000', '20240101', 'yesterday']) {
    assert.equal(parseCallDateTime(bad, 'utc'), undefined, bad);
    assert.equal(parseCallDateTime(bad, 'local'), undefined, bad);
  }
});

test('calls the PC took part in show at once, and give way to the phone\'s own entry at the next refresh', async () => {
  const books: Record<string, Book> = {
    'telecom/mch.vcf': { cards: [callCard('MISSED', '20240105T093000', '+44 20 7946 0011', 'Ann Lee')], newMissedCalls: 1 },
    'telecom/ich.vcf': { cards: [] },
    'telecom/och.vcf': { cards: [] },
  };
  const { clock, log } = setup(books);
  log.record({ kind: 'missed', number: '+442079460011', name: 'Ann Lee', start: new Date('2024-01-05T09:30:20Z') });
  log.record({ kind: 'dialled', number: '+442079460099', name: undefined, start: new Date('2024-01-05T10:00:00Z') });
  assert.deepEqual(
    log.entries.map((e) => [e.kind, e.book]),
    [
      ['dialled', 'hfp'],
      ['missed', 'hfp'],
    ],
  );
  await run(clock, log.refresh());
  // The phone lists the missed call: its entry replaces ours; the dialled one it does not list yet stays.
  assert.deepEqual(
    log.entries.map((e) => [e.kind, e.book]),
    [
      ['dialled', 'hfp'],
      ['missed', 'mch'],
    ],
  );
});
