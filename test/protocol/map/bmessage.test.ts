/**
 * bMessage: text fixtures paired with decoded objects (the LENGTH rule,
 * bare LF input, END:MSG inside a text, MMS parts, nested envelopes,
 * vCard parameters, quoted-printable and folding, native charsets), every
 * rejection with its code and offset, the helpers, and fast-check round
 * trips plus "any bytes in => a value or a MapError".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bMessageBody,
  bMessageContentLength,
  bMessageRecipients,
  decodeBMessage,
  encodeBMessage,
  MapErrorCode,
  party,
  simpleBMessage,
  type BMessage,
} from '../../../src/protocol/map';
import { applyByteEdits, bMessageArb, byteEditsArb } from '../../../src/harness/fuzz/map-arbitraries';
import { assertMapError, bytes, crlf, text, valueOrMapError } from './fixtures';

const HELLO = crlf(
  'BEGIN:BMSG',
  'VERSION:1.0',
  'STATUS:UNREAD',
  'TYPE:SMS_GSM',
  'FOLDER:telecom/msg/outbox',
  'BEGIN:BENV',
  'BEGIN:VCARD',
  'VERSION:2.1',
  'N:Jo',
  'FN:Jo',
  'TEL:+15551234',
  'END:VCARD',
  'BEGIN:BBODY',
  'CHARSET:UTF-8',
  'LENGTH:38',
  'BEGIN:MSG',
  'Hello from Linux',
  'END:MSG',
  'END:BBODY',
  'END:BENV',
  'END:BMSG',
);

const HELLO_MESSAGE: BMessage = {
  version: '1.0',
  status: 'UNREAD',
  type: 'SMS_GSM',
  folder: 'telecom/msg/outbox',
  originators: [],
  envelope: {
    recipients: [{ version: '2.1', name: 'Jo', formattedName: 'Jo', phones: ['+15551234'], emails: [] }],
    content: { kind: 'body', body: { charset: 'UTF-8', text: 'Hello from Linux' } },
  },
};

/** A one-level message around a body (properties and content lines given raw). */
function withBody(...bodyLines: string[]): string {
  return crlf('BEGIN:BMSG', 'VERSION:1.0', 'STATUS:READ', 'TYPE:SMS_GSM', 'FOLDER:', 'BEGIN:BENV', 'BEGIN:BBODY', ...bodyLines, 'END:BBODY', 'END:BENV', 'END:BMSG');
}

test('"Hello from Linux" encodes with LENGTH 38, CRLF lines and no spaces after colons, and decodes back', () => {
  const encoded = encodeBMessage(simpleBMessage({ type: 'SMS_GSM', folder: 'telecom/msg/outbox', recipients: [party('+15551234', 'Jo')], text: 'Hello from Linux' }));
  assert.equal(text(encoded), HELLO);
  assert.deepEqual(decodeBMessage(bytes(HELLO)), HELLO_MESSAGE);
  assert.equal(bMessageContentLength('Hello from Linux'), 38);
  assert.equal(bMessageContentLength('é'), 24);
  assert.equal(bMessageContentLength('é', 'ISO-8859-1'), 23);
  assert.ok(!/: /.test(text(encoded)));
});

test('bare LF lines, blank lines, a BOM, property case and spaces after colons are tolerated', () => {
  const lf = `\uFEFF${HELLO.replace(/\r\n/g, '\n').replace('LENGTH:38', 'LENGTH:35').replace('VERSION:1.0', 'version: 1.0').replace('BEGIN:BENV', '\nBEGIN:BENV')}\n\0`;
  assert.deepEqual(decodeBMessage(bytes(lf)), HELLO_MESSAGE);
});

test('LENGTH frames the content: a text holding END:MSG lines, an empty text, a text ending in CRLF', () => {
  const inner = 'line one\r\nEND:MSG\r\nEND:BBODY\r\nstill text';
  const length = Buffer.byteLength(inner) + 22;
  const decoded = decodeBMessage(bytes(withBody(`LENGTH:${length}`, 'BEGIN:MSG', inner, 'END:MSG')));
  assert.equal(bMessageBody(decoded).text, inner);
  assert.deepEqual(bMessageBody(decodeBMessage(bytes(withBody('LENGTH:22', 'BEGIN:MSG', '', 'END:MSG')))), { text: '' });
  // Another writer's empty text: no line between the markers.
  assert.equal(bMessageBody(decodeBMessage(bytes(withBody('LENGTH:20', 'BEGIN:MSG', 'END:MSG')))).text, '');
  // A body with no content at all.
  assert.equal(bMessageBody(decodeBMessage(bytes(withBody('LENGTH:0')))).text, '');
  const trailing = simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [], text: 'ends in a break\r\n' });
  const encoded = encodeBMessage(trailing);
  assert.match(text(encoded), /LENGTH:39\r\nBEGIN:MSG\r\nends in a break\r\n\r\nEND:MSG\r\n/);
  assert.deepEqual(decodeBMessage(encoded), trailing);
});

test('several MSG blocks (MMS parts) are joined with CRLF; PARTID, ENCODING and LANGUAGE are kept', () => {
  const parts = crlf('BEGIN:MSG', 'part one', 'END:MSG', 'BEGIN:MSG', 'part two', 'END:MSG');
  const body = decodeBMessage(bytes(withBody('PARTID:7', 'ENCODING:8BIT', 'CHARSET:UTF-8', 'LANGUAGE:ENGLISH', `LENGTH:${parts.length}`, parts.slice(0, -2))));
  assert.deepEqual(bMessageBody(body), { partId: 7, encoding: '8BIT', charset: 'UTF-8', language: 'ENGLISH', text: 'part one\r\npart two' });
});

test('nested envelopes: recipients at each level, outermost first; the fourth level is refused both ways', () => {
  const card = (tel: string): string[] => ['BEGIN:VCARD', 'VERSION:3.0', `TEL:${tel}`, 'END:VCARD'];
  const nested = crlf(
    'BEGIN:BMSG', 'VERSION:1.0', 'STATUS:UNREAD', 'TYPE:EMAIL', 'FOLDER:telecom/msg/inbox',
    'BEGIN:VCARD', 'VERSION:2.1', 'FN:Sender', 'EMAIL:s@example.com', 'END:VCARD',
    'BEGIN:BENV', ...card('1'), 'BEGIN:BENV', ...card('2'), 'BEGIN:BENV', ...card('3'),
    'BEGIN:BBODY', 'LENGTH:23', 'BEGIN:MSG', 'x', 'END:MSG', 'END:BBODY',
    'END:BENV', 'END:BENV', 'END:BENV', 'END:BMSG',
  );
  const message = decodeBMessage(bytes(nested));
  assert.deepEqual(message.originators, [{ version: '2.1', formattedName: 'Sender', phones: [], emails: ['s@example.com'] }]);
  assert.deepEqual(bMessageRecipients(message).map((p) => p.phones[0]), ['1', '2', '3']);
  assert.equal(bMessageBody(message).text, 'x');
  assert.equal(text(encodeBMessage(message)), nested.replace('BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Sender', 'BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Sender'));
  const deeper = nested.replace('BEGIN:BBODY', 'BEGIN:BENV\r\nBEGIN:BBODY').replace('END:BENV\r\nEND:BMSG', 'END:BENV\r\nEND:BENV\r\nEND:BMSG');
  assertMapError(() => decodeBMessage(bytes(deeper)), MapErrorCode.BadBMessage, nested.indexOf('BEGIN:BBODY'));
  const four: BMessage = { ...message, envelope: { recipients: [], content: { kind: 'envelope', envelope: message.envelope } } };
  assertMapError(() => encodeBMessage(four), MapErrorCode.BadValue, false);
});

test('vCards: parameters kept off values, quoted-printable and CHARSET applied, folded lines joined, other lines in extra', () => {
  const message = decodeBMessage(bytes(crlf(
    'BEGIN:BMSG', 'VERSION:1.0', 'STATUS:READ', 'TYPE:SMS_GSM', 'FOLDER:telecom/msg/inbox',
    'BEGIN:VCARD', 'VERSION:2.1',
    'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=',
    'ens;;;',
    'FN;CHARSET=ISO-8859-1;QUOTED-PRINTABLE:J=FCrgen',
    'TEL;TYPE=CELL:+49 151',
    ' 2345',
    'tel;type=HOME:030',
    'X-IRMC-LUID:0001',
    'END:VCARD',
    'BEGIN:BENV', 'BEGIN:BBODY', 'LENGTH:23', 'BEGIN:MSG', 'x', 'END:MSG', 'END:BBODY', 'END:BENV', 'END:BMSG',
  )));
  assert.deepEqual(message.originators[0], {
    version: '2.1',
    name: 'Müller;Jens;;;',
    formattedName: 'Jürgen',
    phones: ['+49 1512345', '030'],
    emails: [],
    extra: ['X-IRMC-LUID:0001'],
  });
});

test('a CHARSET other than UTF-8 keeps the text as Latin-1 both ways; bad UTF-8 is map.bad-text', () => {
  const doc = withBody('CHARSET:NATIVE', 'LENGTH:26', 'BEGIN:MSG', 'caf\u00e9', 'END:MSG');
  const latin = Uint8Array.from(Buffer.from(doc, 'latin1'));
  const message = decodeBMessage(latin);
  assert.deepEqual(bMessageBody(message), { charset: 'NATIVE', text: 'caf\u00e9' });
  assert.deepEqual(encodeBMessage(message), latin);
  // The same byte under UTF-8 is not text.
  const utf8Doc = doc.replace('CHARSET:NATIVE', 'CHARSET:UTF-8');
  const at = utf8Doc.indexOf('caf');
  assertMapError(() => decodeBMessage(Uint8Array.from(Buffer.from(utf8Doc, 'latin1'))), MapErrorCode.BadText, at);
  assertMapError(() => encodeBMessage(simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [], text: '\u20ac', charset: 'NATIVE' })), MapErrorCode.BadValue, false);
});

test('rejections: LENGTH wrong, empty, negative, not a number or missing', () => {
  const lengthAt = (s: string): number => s.indexOf('LENGTH');
  for (const value of ['', '-1', 'abc', '12x', '1e3', '99999999999']) {
    const doc = withBody(`LENGTH:${value}`, 'BEGIN:MSG', 'x', 'END:MSG');
    assertMapError(() => decodeBMessage(bytes(doc)), MapErrorCode.BadLength, lengthAt(doc), `LENGTH:${value}`);
  }
  for (const value of ['22', '24', '200']) {
    const doc = withBody(`LENGTH:${value}`, 'BEGIN:MSG', 'x', 'END:MSG');
    assertMapError(() => decodeBMessage(bytes(doc)), MapErrorCode.BadLength, lengthAt(doc), `LENGTH:${value}`);
  }
  const none = withBody('CHARSET:UTF-8', 'BEGIN:MSG', 'x', 'END:MSG');
  assertMapError(() => decodeBMessage(bytes(none)), MapErrorCode.BadLength, none.indexOf('BEGIN:MSG'));
  assertMapError(() => decodeBMessage(bytes(withBody('LENGTH:5'))), MapErrorCode.BadLength);
  assertMapError(() => decodeBMessage(bytes(withBody('LENGTH:23', 'LENGTH:23', 'BEGIN:MSG', 'x', 'END:MSG'))), MapErrorCode.BadLength);
});

test('rejections: missing END lines, properties before BEGIN:BMSG, data after END:BMSG, bad STATUS, too large', () => {
  const cut = (marker: string): string => HELLO.replace(`${marker}\r\n`, '');
  assertMapError(() => decodeBMessage(bytes(cut('END:BMSG'))), MapErrorCode.Truncated, HELLO.length - 10);
  assertMapError(() => decodeBMessage(bytes(cut('END:BENV'))), MapErrorCode.BadBMessage, HELLO.indexOf('END:BENV'));
  assertMapError(() => decodeBMessage(bytes(cut('END:BBODY'))), MapErrorCode.BadBMessage, HELLO.indexOf('END:BBODY'));
  assertMapError(() => decodeBMessage(bytes(cut('END:VCARD'))), MapErrorCode.BadBMessage, cut('END:VCARD').indexOf('BEGIN:BBODY'));
  assertMapError(() => decodeBMessage(bytes(HELLO.slice(0, HELLO.indexOf('END:BBODY')))), MapErrorCode.Truncated);
  assertMapError(() => decodeBMessage(bytes(`VERSION:1.0\r\n${HELLO}`)), MapErrorCode.BadBMessage, 0);
  assertMapError(() => decodeBMessage(bytes(`${HELLO}junk\r\n`)), MapErrorCode.BadBMessage, HELLO.length);
  assertMapError(() => decodeBMessage(bytes(HELLO.replace('STATUS:UNREAD', 'STATUS:NEW'))), MapErrorCode.BadBMessage, HELLO.indexOf('STATUS'));
  assertMapError(() => decodeBMessage(bytes(HELLO.replace('TYPE:SMS_GSM\r\n', ''))), MapErrorCode.BadBMessage);
  assertMapError(() => decodeBMessage(bytes(HELLO.replace('TYPE:SMS_GSM', 'TYPE:SMS_GSM\r\nTYPE:MMS'))), MapErrorCode.BadBMessage);
  assertMapError(() => decodeBMessage(bytes(HELLO.replace('VERSION:2.1', 'VERSION:4.0'))), MapErrorCode.BadBMessage);
  assertMapError(() => decodeBMessage(bytes(HELLO), { maxBytes: 100 }), MapErrorCode.TooLarge, 100);
  assertMapError(() => decodeBMessage(new Uint8Array(256 * 1024 + 1).fill(0x41)), MapErrorCode.TooLarge);
  assertMapError(() => decodeBMessage(new Uint8Array(0)), MapErrorCode.BadBMessage, 0);
  assertMapError(() => decodeBMessage(Uint8Array.of(0xff, 0xfe, 0x0a)), MapErrorCode.BadText, 0);
});

test('the encoder refuses what it could not write back: line breaks, part boundaries, stray white space, bad parties', () => {
  const base = simpleBMessage({ type: 'SMS_GSM', folder: 'telecom/msg/outbox', recipients: [party('+1')], text: 'hi' });
  assertMapError(() => encodeBMessage({ ...base, folder: 'a\r\nb' }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeBMessage({ ...base, type: ' SMS_GSM' }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeBMessage({ ...base, status: 'NEW' as 'READ' }), MapErrorCode.BadValue, false);
  const text = (t: string): BMessage => simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [], text: t });
  assertMapError(() => encodeBMessage(text('a\r\nEND:MSG\r\nBEGIN:MSG\r\nb')), MapErrorCode.BadValue, false);
  assertMapError(() => encodeBMessage(text('\uD800')), MapErrorCode.BadValue, false);
  const withParty = (p: object): BMessage => ({ ...base, originators: [{ ...party('+1'), ...p }] });
  assertMapError(() => encodeBMessage(withParty({ phones: ['1\n2'] })), MapErrorCode.BadValue, false);
  assertMapError(() => encodeBMessage(withParty({ extra: ['TEL:2'] })), MapErrorCode.BadValue, false);
  assertMapError(() => encodeBMessage(withParty({ extra: [' folded'] })), MapErrorCode.BadValue, false);
  assertMapError(() => encodeBMessage(withParty({ extra: ['END:VCARD'] })), MapErrorCode.BadValue, false);
  assertMapError(() => encodeBMessage(withParty({ extra: ['NOTE;QUOTED-PRINTABLE:a='] })), MapErrorCode.BadValue, false);
  assertMapError(() => encodeBMessage(withParty({ version: '4.0' })), MapErrorCode.BadValue, false);
  // But END:MSG alone in a text is fine: LENGTH frames it.
  const fine = text('END:MSG\r\nEND:MSG');
  assert.deepEqual(decodeBMessage(encodeBMessage(fine)), fine);
});

test('helpers: party, simpleBMessage, bMessageBody, bMessageRecipients', () => {
  assert.deepEqual(party('+15551234'), { version: '2.1', name: '', phones: ['+15551234'], emails: [] });
  assert.deepEqual(party('+15551234', 'Ann Lee'), { version: '2.1', name: 'Ann Lee', formattedName: 'Ann Lee', phones: ['+15551234'], emails: [] });
  const m = simpleBMessage({ type: 'MMS', status: 'READ', folder: 'telecom/msg/inbox', originator: party('1'), recipients: [party('2'), party('3')], text: 't', charset: 'NATIVE' });
  assert.equal(m.status, 'READ');
  assert.deepEqual(m.originators, [party('1')]);
  assert.deepEqual(bMessageBody(m), { charset: 'NATIVE', text: 't' });
  assert.deepEqual(bMessageRecipients(m), [party('2'), party('3')]);
  assert.equal(simpleBMessage({ type: 'SMS_GSM', folder: '', recipients: [], text: '' }).status, 'UNREAD');
});

test('property: decode(encode(m)) is m, and encode(decode(x)) is x for every bMessage we write', () => {
  fc.assert(
    fc.property(bMessageArb, (message) => {
      const encoded = encodeBMessage(message);
      const decoded = decodeBMessage(encoded);
      assert.deepEqual(decoded, message);
      assert.deepEqual(encodeBMessage(decoded), encoded);
    }),
    { numRuns: 400 },
  );
});

test('property: any bytes, and damaged bMessages, give a value or a MapError, nothing else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => valueOrMapError(() => decodeBMessage(data))), { numRuns: 500 });
  fc.assert(
    fc.property(bMessageArb, byteEditsArb, (message, edits) => valueOrMapError(() => decodeBMessage(applyByteEdits(encodeBMessage(message), edits)))),
    { numRuns: 500 },
  );
  const lines = fc.array(fc.constantFrom('BEGIN:BMSG', 'END:BMSG', 'BEGIN:BENV', 'END:BENV', 'BEGIN:BBODY', 'END:BBODY', 'BEGIN:MSG', 'END:MSG', 'BEGIN:VCARD', 'END:VCARD', 'LENGTH:22', 'LENGTH:0', 'VERSION:1.0', 'STATUS:READ', 'TYPE:X', 'x', ''), { maxLength: 30 });
  fc.assert(fc.property(lines, (ls) => valueOrMapError(() => decodeBMessage(bytes(crlf(...ls))))), { numRuns: 500 });
});
