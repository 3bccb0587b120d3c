/**
 * Control Point codec: hex fixtures paired with decoded commands (the
 * PROTOCOLS.md example included), every decode error with its offset and ATT
 * code, RangeError on bad encoder input, expectedReplyFor, and round trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AncsErrorCode } from '../../../src/protocol/ancs/constants';
import { decodeControlPoint, encodeControlPoint, expectedReplyFor } from '../../../src/protocol/ancs/control-point';
import { AncsError, ancsErrorToAtt } from '../../../src/protocol/ancs/errors';
import type { ControlPointCommand } from '../../../src/protocol/ancs/types';
import { ProtocolError } from '../../../src/protocol/errors';
import { assertAncsError, controlPointCommandArb, hex, toHex } from './fixtures';

const fixtures: Array<{ name: string; hex: string; command: ControlPointCommand }> = [
  {
    name: 'PROTOCOLS.md example: AppIdentifier, Title(max 0xFFFF), Message(max 0xFFFF) of UID 0x43',
    hex: '00 43 00 00 00 00 01 ff ff 03 ff ff',
    command: {
      commandId: 0,
      notificationUid: 0x43,
      attributes: [{ id: 0 }, { id: 1, maxLength: 0xffff }, { id: 3, maxLength: 0xffff }],
    },
  },
  {
    name: 'GetNotificationAttributes: Subtitle(max 32), the rest without MaxLen, an unknown id 0xFF',
    hex: '00 01 02 03 04 02 20 00 04 05 06 07 ff',
    command: {
      commandId: 0,
      notificationUid: 0x04030201,
      attributes: [{ id: 2, maxLength: 32 }, { id: 4 }, { id: 5 }, { id: 6 }, { id: 7 }, { id: 0xff }],
    },
  },
  {
    name: 'GetAppAttributes DisplayName of com.test.mail',
    hex: '01 636f6d2e746573742e6d61696c 00 00',
    command: { commandId: 1, appIdentifier: 'com.test.mail', attributes: [0] },
  },
  {
    name: 'GetAppAttributes with a non-ASCII AppIdentifier and an unknown attribute id',
    hex: '01 636f6d2e6578616d706c652ecebb 00 00 07',
    command: { commandId: 1, appIdentifier: 'com.example.λ', attributes: [0, 7] },
  },
  {
    name: 'GetAppAttributes with an empty AppIdentifier',
    hex: '01 00 00',
    command: { commandId: 1, appIdentifier: '', attributes: [0] },
  },
  {
    name: 'PerformNotificationAction positive on UID 10',
    hex: '02 0a 00 00 00 00',
    command: { commandId: 2, notificationUid: 10, actionId: 0 },
  },
  {
    name: 'PerformNotificationAction with an unknown action id on UID 0xFFFFFFFF',
    hex: '02 ff ff ff ff 09',
    command: { commandId: 2, notificationUid: 0xffffffff, actionId: 9 },
  },
];

for (const f of fixtures) {
  test(`fixture: ${f.name}`, () => {
    assert.deepEqual(decodeControlPoint(hex(f.hex)), f.command);
    assert.equal(toHex(encodeControlPoint(f.command)), f.hex.replace(/ /g, ''));
  });
}

const errorCases: Array<{ name: string; hex: string; code: string; offset: number; att: number }> = [
  { name: 'unknown CommandID 3', hex: '03 00 00 00 00', code: 'ancs.unknown-command', offset: 0, att: 0xa0 },
  { name: 'unknown CommandID 0xFF', hex: 'ff', code: 'ancs.unknown-command', offset: 0, att: 0xa0 },
  { name: 'empty write', hex: '', code: 'ancs.truncated', offset: 0, att: 0xa1 },
  { name: 'GetNotificationAttributes cut in the UID', hex: '00 43 00', code: 'ancs.truncated', offset: 1, att: 0xa1 },
  { name: 'GetNotificationAttributes without attributes', hex: '00 43 00 00 00', code: 'ancs.invalid-command', offset: 5, att: 0xa1 },
  { name: 'Title without MaxLen', hex: '00 43 00 00 00 00 01', code: 'ancs.invalid-command', offset: 6, att: 0xa1 },
  { name: 'Message with half a MaxLen', hex: '00 43 00 00 00 03 ff', code: 'ancs.invalid-command', offset: 5, att: 0xa1 },
  { name: 'GetAppAttributes without NUL', hex: '01 61 62 63', code: 'ancs.missing-nul', offset: 1, att: 0xa1 },
  { name: 'GetAppAttributes that is only the CommandID', hex: '01', code: 'ancs.missing-nul', offset: 1, att: 0xa1 },
  { name: 'GetAppAttributes without attributes', hex: '01 61 62 00', code: 'ancs.invalid-command', offset: 4, att: 0xa1 },
  { name: 'GetAppAttributes with invalid UTF-8', hex: '01 61 ff 00 00', code: 'ancs.bad-utf8', offset: 1, att: 0xa1 },
  { name: 'PerformNotificationAction cut in the UID', hex: '02 0a 00', code: 'ancs.truncated', offset: 1, att: 0xa1 },
  { name: 'PerformNotificationAction without ActionID', hex: '02 0a 00 00 00', code: 'ancs.truncated', offset: 5, att: 0xa1 },
  { name: 'PerformNotificationAction with a trailing byte', hex: '02 0a 00 00 00 00 00', code: 'ancs.too-long', offset: 6, att: 0xa1 },
];

for (const c of errorCases) {
  test(`decode error: ${c.name} -> ${c.code} at ${c.offset}, ATT 0x${c.att.toString(16)}`, () => {
    const err = assertAncsError(() => decodeControlPoint(hex(c.hex)), c.code, c.offset);
    assert.ok(err instanceof ProtocolError);
    assert.equal(err.attErrorCode, c.att);
    assert.equal(ancsErrorToAtt(err), c.att);
  });
}

test('ATT mapping uses the named ANCS error codes', () => {
  assert.equal(new AncsError('ancs.unknown-command', 'x', 0).attErrorCode, AncsErrorCode.UnknownCommand);
  assert.equal(new AncsError('ancs.missing-nul', 'x', 1).attErrorCode, AncsErrorCode.InvalidCommand);
  assert.equal(ancsErrorToAtt(new ProtocolError('other.thing', 'x')), AncsErrorCode.InvalidCommand);
});

test('encode rejects commands our own code should never build', () => {
  const bad: unknown[] = [
    { commandId: 0, notificationUid: 1, attributes: [] },
    { commandId: 0, notificationUid: 1, attributes: [{ id: 1 }] },
    { commandId: 0, notificationUid: 1, attributes: [{ id: 0, maxLength: 10 }] },
    { commandId: 0, notificationUid: 1, attributes: [{ id: 3, maxLength: 0x10000 }] },
    { commandId: 0, notificationUid: 1, attributes: [{ id: 256 }] },
    { commandId: 0, notificationUid: 2 ** 32, attributes: [{ id: 0 }] },
    { commandId: 1, appIdentifier: 'a\0b', attributes: [0] },
    { commandId: 1, appIdentifier: 'lone \ud800 surrogate', attributes: [0] },
    { commandId: 1, appIdentifier: 'com.x', attributes: [] },
    { commandId: 1, appIdentifier: 'com.x', attributes: [-1] },
    { commandId: 2, notificationUid: -1, actionId: 0 },
    { commandId: 2, notificationUid: 1, actionId: 256 },
    { commandId: 3 },
  ];
  for (const cmd of bad) assert.throws(() => encodeControlPoint(cmd as ControlPointCommand), RangeError, JSON.stringify(cmd));
});

test('expectedReplyFor carries the CommandID, the attribute count and the UID or AppIdentifier', () => {
  assert.deepEqual(expectedReplyFor({ commandId: 0, notificationUid: 0x43, attributes: [{ id: 0 }, { id: 1, maxLength: 0xffff }, { id: 3, maxLength: 0xffff }] }), {
    commandId: 0,
    attributeCount: 3,
    notificationUid: 0x43,
  });
  assert.deepEqual(expectedReplyFor({ commandId: 1, appIdentifier: 'com.test.mail', attributes: [0] }), {
    commandId: 1,
    attributeCount: 1,
    appIdentifier: 'com.test.mail',
  });
});

test('property: decode(encode(cmd)) is cmd', () => {
  fc.assert(
    fc.property(controlPointCommandArb, (cmd) => {
      assert.deepEqual(decodeControlPoint(encodeControlPoint(cmd)), cmd);
    }),
    { numRuns: 1000 },
  );
});

test('property: bytes that decode re-encode to themselves (the encoding is canonical)', () => {
  const bytesArb = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 24 })).map(([c, rest]) => Uint8Array.of(c, ...rest));
  fc.assert(
    fc.property(bytesArb, (bytes) => {
      let cmd: ControlPointCommand;
      try {
        cmd = decodeControlPoint(bytes);
      } catch (err) {
        assert.ok(err instanceof AncsError, String(err));
        return;
      }
      assert.deepEqual(encodeControlPoint(cmd), bytes);
    }),
    { numRuns: 1000 },
  );
});
