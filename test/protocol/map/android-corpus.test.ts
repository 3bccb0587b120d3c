/**
 * The Android Bluetooth module's MAP client test data
 * (../shared/corpora/android-bt-modules): the bMessage strings of
 * BmessageTest.java, accepted or rejected as expected.json says (plus its
 * synthetic 68 KB garbage case), and the ObexTimeTest date-time vectors.
 * Skips cleanly when ../shared is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bMessageBody, bMessageRecipients, decodeBMessage, encodeBMessage, isMapError, mapDateTimeToEpochMs, MapErrorCode, parseMapDateTime } from '../../../src/protocol/map';

const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpora', 'android-bt-modules');
const BMSG_DIR = path.join(CORPUS, 'mapclient_bmessage');
const TIME_VECTORS = path.join(CORPUS, 'mapclient_obextime_vectors.json');

interface BmsgCase {
  file?: string;
  synthetic?: string;
  expected: string;
}

test('Android BmessageTest cases: the MMS parses, the four broken ones and the garbage are rejected with MapErrors', (t) => {
  const expectedPath = path.join(BMSG_DIR, 'expected.json');
  if (!existsSync(expectedPath)) {
    t.skip(`Android corpus not found at ${BMSG_DIR}; skipping`);
    return;
  }
  const { cases } = JSON.parse(readFileSync(expectedPath, 'utf8')) as { cases: BmsgCase[] };
  assert.ok(cases.length >= 6, 'expected.json lists the cases');
  /** Our codes for the rejections, as we classify them. */
  const codes: Record<string, string> = {
    'no_end_message.bmsg': MapErrorCode.Truncated,
    'wrong_length_message.bmsg': MapErrorCode.BadLength,
    'no_body_message.bmsg': MapErrorCode.BadLength,
    'negative_length_message.bmsg': MapErrorCode.BadLength,
  };
  let parsed = 0;
  let rejected = 0;
  for (const c of cases) {
    const data = c.file !== undefined ? new Uint8Array(readFileSync(path.join(BMSG_DIR, c.file))) : new Uint8Array(68048).fill(0x41);
    const label = c.file ?? c.synthetic ?? '?';
    if (c.expected.startsWith('parses')) {
      const message = decodeBMessage(data);
      assert.equal(message.type, 'MMS', label);
      assert.equal(message.status, 'READ', label);
      assert.equal(message.folder, 'null', label);
      assert.deepEqual(bMessageRecipients(message), [{ version: '2.1', name: 'null;;;;', phones: ['555-5555'], emails: [] }], label);
      assert.deepEqual(bMessageBody(message), { text: 'This is a new msg' }, label);
      // The file is CRLF throughout and LENGTH 39 is text + 22: our encoder writes the same bytes.
      assert.deepEqual(Buffer.from(encodeBMessage(message)).toString('latin1'), Buffer.from(data).toString('latin1'), label);
      parsed++;
    } else {
      assert.match(c.expected, /^rejected/, label);
      assert.throws(
        () => decodeBMessage(data),
        (err: unknown) => isMapError(err) && typeof err.offset === 'number' && (c.file === undefined ? err.code === MapErrorCode.BadBMessage : err.code === codes[c.file]),
        label,
      );
      rejected++;
    }
  }
  assert.equal(parsed, 1);
  assert.equal(rejected, 5);
});

test('Android ObexTimeTest vectors: offsets applied, local time resolved by the caller, malformed ones rejected', (t) => {
  if (!existsSync(TIME_VECTORS)) {
    t.skip(`Android corpus not found at ${TIME_VECTORS}; skipping`);
    return;
  }
  const data = JSON.parse(readFileSync(TIME_VECTORS, 'utf8')) as {
    valid: Array<{ input: string; expected_epoch_ms?: number }>;
    invalid: Array<{ input: string }>;
  };
  assert.ok(data.valid.length >= 3 && data.invalid.length >= 2);
  for (const v of data.valid) {
    const dt = parseMapDateTime(v.input);
    if (v.expected_epoch_ms !== undefined) {
      assert.equal(mapDateTimeToEpochMs(dt), v.expected_epoch_ms, v.input);
      // The text's own offset wins over the local one.
      assert.equal(mapDateTimeToEpochMs(dt, 600), v.expected_epoch_ms, v.input);
    } else {
      assert.equal(dt.offsetMinutes, undefined, v.input);
      assert.equal(mapDateTimeToEpochMs(dt), Date.UTC(2019, 0, 1, 12, 13, 14), v.input);
      assert.equal(mapDateTimeToEpochMs(dt, 60), Date.UTC(2019, 0, 1, 11, 13, 14), v.input);
    }
  }
  for (const v of data.invalid) {
    assert.throws(() => parseMapDateTime(v.input), (err: unknown) => isMapError(err, MapErrorCode.BadDateTime), v.input);
  }
});
