/**
 * The 11 ANCS cases transcribed from Bumble's tests
 * (../shared/corpora/bumble): Notification Source packets, Control Point
 * commands, Data Source replies delivered in Bumble's exact GATT chunks, the
 * three reply-mismatch errors and the Action Failed ATT code. Skips when
 * ../shared is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AncsErrorCode, CategoryId, EventId, ancsErrorName } from '../../../src/protocol/ancs/constants';
import { decodeControlPoint, encodeControlPoint } from '../../../src/protocol/ancs/control-point';
import { attributeText, decodeDataSourceReply } from '../../../src/protocol/ancs/data-source';
import { AncsError } from '../../../src/protocol/ancs/errors';
import { decodeNotificationSource, encodeNotificationSource } from '../../../src/protocol/ancs/notification-source';
import { DataSourceReassembler } from '../../../src/protocol/ancs/reassembler';
import type { ControlPointCommand, DataSourceReply, ExpectedReply, NotificationSourceEvent } from '../../../src/protocol/ancs/types';
import { assertAncsError, hex, toHex } from './fixtures';

const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpora', 'bumble', 'bumble_vectors.json');
const SKIP = `Bumble corpus not found at ${CORPUS}; skipping`;

interface Case {
  name: string;
  characteristic?: string;
  hex?: string;
  delivery_chunks_hex?: string[];
  att_error?: string;
}

function loadCases(): Case[] | undefined {
  if (!existsSync(CORPUS)) return undefined;
  const data = JSON.parse(readFileSync(CORPUS, 'utf8')) as { ancs?: Case[] };
  assert.ok(Array.isArray(data.ancs), 'bumble corpus has an "ancs" array');
  return data.ancs;
}

const cases = loadCases();

function bytesOf(name: string): Uint8Array {
  const c = cases?.find((x) => x.name === name);
  assert.ok(c?.hex !== undefined, `corpus case ${name}`);
  return hex(c.hex);
}

function chunksOf(name: string): Uint8Array[] {
  const c = cases?.find((x) => x.name === name);
  assert.ok(c?.delivery_chunks_hex, `chunks of ${name}`);
  return c.delivery_chunks_hex.map(hex);
}

const NS: Record<string, NotificationSourceEvent> = {
  notification_source_serialization: { eventId: EventId.Added, eventFlags: 0x0a, categoryId: CategoryId.Social, categoryCount: 3, notificationUid: 305419896 },
  notification_source_modified_silent_email: { eventId: EventId.Modified, eventFlags: 0x01, categoryId: CategoryId.Email, categoryCount: 1, notificationUid: 42 },
};

const CP: Record<string, ControlPointCommand> = {
  get_app_attributes_request: { commandId: 1, appIdentifier: 'com.test.mail', attributes: [0] },
  perform_notification_action_positive_uid10: { commandId: 2, notificationUid: 10, actionId: 0 },
  perform_notification_action_negative_uid20: { commandId: 2, notificationUid: 20, actionId: 1 },
};

/**
 * Bumble's request was APP_IDENTIFIER, TITLE, (SUBTITLE, 32), MESSAGE_SIZE,
 * DATE for UID 99: five attributes, hence attributeCount 5.
 */
const UID99: ExpectedReply = { commandId: 0, attributeCount: 5, notificationUid: 99 };
/** Bumble asked for DisplayName only: one attribute. */
const APP: ExpectedReply = { commandId: 1, attributeCount: 1, appIdentifier: 'com.test.mail' };

function checkUid99(reply: DataSourceReply): void {
  assert.equal(reply.commandId === 0 && reply.notificationUid, 99);
  const text = reply.attributes.map((a) => [a.id, attributeText(a.value)]);
  assert.deepEqual(text, [
    [0, 'com.test.mail'],
    [1, 'Hello'],
    [2, 'World'],
    [4, '128'],
    [5, '20260924T123805'],
  ]);
  // Bumble reads MessageSize as the number 128 and Date as 2026-09-24T12:38:05.
  assert.equal(Number(text[3][1]), 128);
  assert.equal(String(text[4][1]).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:$6'), '2026-09-24T12:38:05');
}

function checkApp(reply: DataSourceReply): void {
  assert.equal(reply.commandId === 1 && reply.appIdentifier, 'com.test.mail');
  assert.deepEqual(reply.attributes.map((a) => [a.id, attributeText(a.value)]), [[0, 'Test Mail']]);
}

test('bumble corpus: Notification Source packets decode and re-encode', (t) => {
  if (!cases) return t.skip(SKIP);
  for (const [name, ev] of Object.entries(NS)) {
    const bytes = bytesOf(name);
    assert.deepEqual(decodeNotificationSource(bytes), ev, name);
    assert.equal(toHex(encodeNotificationSource(ev)), toHex(bytes), name);
  }
});

test('bumble corpus: Control Point commands decode and re-encode', (t) => {
  if (!cases) return t.skip(SKIP);
  for (const [name, cmd] of Object.entries(CP)) {
    const bytes = bytesOf(name);
    assert.deepEqual(decodeControlPoint(bytes), cmd, name);
    assert.equal(toHex(encodeControlPoint(cmd)), toHex(bytes), name);
  }
});

test('bumble corpus: the UID 99 reply decodes one-shot and from Bumble\'s chunks (split inside the UID and a length)', (t) => {
  if (!cases) return t.skip(SKIP);
  const name = 'get_notification_attributes_response_uid99';
  checkUid99(decodeDataSourceReply(bytesOf(name), UID99));
  const r = new DataSourceReassembler();
  r.expect(UID99);
  const chunks = chunksOf(name);
  assert.equal(toHex(Buffer.concat(chunks)), toHex(bytesOf(name)));
  const done = chunks.map((c) => r.push(c));
  assert.deepEqual(done.slice(0, -1).flat(), [], 'nothing completes before the last chunk');
  assert.equal(done.at(-1)?.length, 1);
  const last = done.at(-1)?.[0];
  assert.ok(last);
  checkUid99(last);
  assert.equal(r.busy, false);
});

test('bumble corpus: the app attributes reply decodes one-shot and from Bumble\'s chunks (split inside the AppIdentifier)', (t) => {
  if (!cases) return t.skip(SKIP);
  const name = 'get_app_attributes_response';
  checkApp(decodeDataSourceReply(bytesOf(name), APP));
  const r = new DataSourceReassembler();
  r.expect(APP);
  const replies = chunksOf(name).flatMap((c) => r.push(c));
  assert.equal(replies.length, 1);
  checkApp(replies[0]);
});

test('bumble corpus: replies that do not match the request are ancs.reply-mismatch', (t) => {
  if (!cases) return t.skip(SKIP);
  // The attribute counts here do not matter: each mismatch shows before any tuple.
  const mismatches: Array<[string, ExpectedReply, number]> = [
    ['error_wrong_command_id_in_response', { commandId: 0, attributeCount: 1, notificationUid: 1 }, 0],
    ['error_wrong_uid_in_response', { commandId: 0, attributeCount: 1, notificationUid: 1 }, 1],
    ['error_wrong_app_identifier', { commandId: 1, attributeCount: 1, appIdentifier: 'expected.app' }, 1],
  ];
  for (const [name, expected, offset] of mismatches) {
    const bytes = bytesOf(name);
    assertAncsError(() => decodeDataSourceReply(bytes, expected), 'ancs.reply-mismatch', offset);
    const r = new DataSourceReassembler();
    r.expect(expected);
    assertAncsError(() => r.push(bytes), 'ancs.reply-mismatch', offset);
    assert.equal(r.busy, false);
  }
});

test('bumble corpus: ATT 0xA3 is Action Failed', (t) => {
  if (!cases) return t.skip(SKIP);
  const c = cases.find((x) => x.name === 'control_point_error_action_failed');
  assert.ok(c?.att_error);
  const code = Number.parseInt(c.att_error, 16);
  assert.equal(code, AncsErrorCode.ActionFailed);
  assert.equal(ancsErrorName(code), 'ActionFailed');
});

test('bumble corpus: every ANCS case with bytes gives a value or an AncsError in its characteristic\'s decoder', (t) => {
  if (!cases) return t.skip(SKIP);
  const withBytes = cases.filter((c) => c.hex !== undefined);
  assert.ok(withBytes.length >= 10, `${withBytes.length} cases with bytes`);
  for (const c of withBytes) {
    const bytes = hex(c.hex ?? '');
    const decode: Array<() => unknown> =
      c.characteristic === 'Notification Source'
        ? [() => decodeNotificationSource(bytes)]
        : c.characteristic === 'Control Point'
          ? [() => decodeControlPoint(bytes)]
          : [0, 1, 2, 5].flatMap((n) => [() => decodeDataSourceReply(bytes, { commandId: 0, attributeCount: n }), () => decodeDataSourceReply(bytes, { commandId: 1, attributeCount: n })]);
    for (const fn of decode) {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof AncsError, `${c.name}: ${String(err)}`);
      }
    }
  }
});
