/**
 * The decoders behind `phonebridge decode`: hex input handling, ANCS
 * messages with names, Data Source replies from fragments (with and without
 * the request), OBEX packets and AT exchanges; bad input is a typed error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HexInputError, describeControlPoint, describeDataSource, describeNotificationSource, fragmentsFromWords, guessExpectation, parseHex } from '../../src/harness/decode-ancs';
import { describeObex } from '../../src/harness/decode-obex';
import { describeAt, unescapeAt } from '../../src/harness/decode-at';
import { ProtocolError } from '../../src/protocol/errors';

test('hex input: spaces, colons and 0x prefixes are accepted; odd or non-hex input is a HexInputError', () => {
  assert.deepEqual([...parseHex('0x00 01:02,03')], [0, 1, 2, 3]);
  assert.throws(() => parseHex('0g'), HexInputError);
  assert.throws(() => parseHex('123'), HexInputError);
  assert.throws(() => parseHex(''), HexInputError);
  // Byte-by-byte words are one fragment; longer words are one fragment each.
  assert.equal(fragmentsFromWords(['00', '01', '02'], false).length, 1);
  assert.equal(fragmentsFromWords(['0001', '02'], false).length, 2);
  assert.equal(fragmentsFromWords(['0001', '02'], true).length, 1);
});

test('ANCS Notification Source and Control Point come out with names', () => {
  assert.deepEqual(describeNotificationSource(parseHex('00 01 00 01 43 00 00 00')), {
    event: 'Added',
    eventId: 0,
    flags: ['Silent'],
    eventFlags: 1,
    category: 'Other',
    categoryId: 0,
    categoryCount: 1,
    notificationUid: 0x43,
  });
  const cp = describeControlPoint(parseHex('00 43 00 00 00 00 01 FF FF 03 FF FF'));
  assert.equal(cp.command, 'GetNotificationAttributes');
  assert.deepEqual(cp.attributes, [
    { attribute: 'AppIdentifier', id: 0 },
    { attribute: 'Title', id: 1, maxLength: 0xffff },
    { attribute: 'Message', id: 3, maxLength: 0xffff },
  ]);
  assert.equal(describeControlPoint(parseHex('02 43 00 00 00 01')).action, 'Negative');
  assert.throws(() => describeNotificationSource(parseHex('0001')), ProtocolError);
});

test('a Data Source reply decodes from fragments, its length split between them, with or without the request', () => {
  const fragments = fragmentsFromWords(['00430000000105', '0048656c6c6f'], false);
  const [withRequest] = describeDataSource(fragments, parseHex('004300000001ffff'));
  assert.deepEqual((withRequest?.attributes as { text: string }[])[0]?.text, 'Hello');
  assert.deepEqual(guessExpectation(parseHex('0043000000010500 48656c6c6f')), { commandId: 0, attributeCount: 1 });
  const [guessed] = describeDataSource(fragments);
  assert.deepEqual(guessed, withRequest);
  // The request asks two attributes; the fragments hold one: incomplete.
  assert.throws(() => describeDataSource(fragments, parseHex('00430000000001ffff')), /before the reply is complete/);
  assert.throws(() => describeDataSource([parseHex('05')]), ProtocolError);
});

test('OBEX packets: requests, responses, Connect fields and application parameters', () => {
  const connect = describeObex(parseHex('80 00 07 10 00 10 00'));
  assert.equal(connect.operation, 'Connect');
  assert.deepEqual(connect.connect, { version: 0x10, flags: 0, maxPacketLength: 4096 });
  const rsp = describeObex(parseHex('A0 00 0C 10 00 10 00 CB 00 00 00 01'), 'connect-response');
  assert.equal(rsp.response, 'Success (0xA0)');
  assert.deepEqual(rsp.headers, [{ header: 'ConnectionId', id: 0xcb, value: 1 }]);
  const get = describeObex(parseHex('83 00 0f 4c 00 09 00 04 01 02 03 04 49 00 03'));
  const headers = get.headers as Record<string, unknown>[];
  assert.deepEqual(headers[0]?.appParameters, [{ tag: 0, length: 4, hex: '01020304' }]);
  assert.equal(describeObex(parseHex('ff 00 03')).operation, 'Abort');
  assert.throws(() => describeObex(parseHex('85 00')), ProtocolError);
});

test('AT text: commands and results are told apart, escapes work, garbage is reported not thrown', () => {
  assert.equal(unescapeAt('AT+CHUP\\r'), 'AT+CHUP\r');
  const lines = describeAt('AT+BRSF=1012\r+BRSF: 4079\rOK\r+CIEV: 3,1');
  assert.deepEqual(
    lines.map((l) => [l.direction, l.kind]),
    [
      ['HF->AG', 'brsf'],
      ['AG->HF', 'brsf'],
      ['AG->HF', 'ok'],
      ['AG->HF', 'ciev'],
    ],
  );
  const bad = describeAt('+CIEV: x,y');
  assert.ok(bad[0]?.error, JSON.stringify(bad));
  assert.equal(describeAt('ATD1234', 'hf')[0]?.error !== undefined, true, 'a dial without ";" is refused');
});

test('a vCard file comes out card by card with the usual fields, photos as sizes; a bad VERSION is a typed error', async () => {
  const { describeVcards } = await import('../../src/harness/decode-vcard');
  const text = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nTEL;TYPE=CELL:+44 7700 900 001\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AA=\r\nEND:VCARD\r\n';
  const [card] = describeVcards(new TextEncoder().encode(text));
  assert.equal(card?.formattedName, 'Jane Doe');
  assert.deepEqual(card?.photo, { type: 'JPEG', bytes: 5 });
  assert.equal((card?.tel as { number: string }[])[0]?.number, '+44 7700 900 001');
  assert.throws(() => describeVcards(new TextEncoder().encode('BEGIN:VCARD\r\nVERSION:googol\r\nEND:VCARD\r\n')), ProtocolError);
});
