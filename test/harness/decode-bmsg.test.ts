/**
 * `phonebridge decode bmsg`: a bMessage file written to a temp dir comes out
 * as a readable description (type, status, folder, parties, body, the
 * LENGTH check); a file the decoder rejects still shows the LENGTH it
 * should have had, with the error; the CLI kind is wired to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkBmsgLength, describeBmsg } from '../../src/harness/decode-bmsg';
import decodeCommand from '../../src/cli/commands/decode';

const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

function bmsg(length: string, text: string): string {
  return crlf(
    'BEGIN:BMSG', 'VERSION:1.0', 'STATUS:UNREAD', 'TYPE:SMS_GSM', 'FOLDER:telecom/msg/inbox',
    'BEGIN:VCARD', 'VERSION:2.1', 'N:Lee;Ann', 'FN:Ann Lee', 'TEL;TYPE=CELL:+447700900123', 'END:VCARD',
    'BEGIN:BENV', 'BEGIN:VCARD', 'VERSION:2.1', 'TEL:+447700900999', 'END:VCARD',
    'BEGIN:BBODY', 'CHARSET:UTF-8', `LENGTH:${length}`, 'BEGIN:MSG', text, 'END:MSG', 'END:BBODY', 'END:BENV', 'END:BMSG',
  );
}

function withTempFile<T>(content: string, fn: (file: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'decode-bmsg-'));
  try {
    const file = path.join(dir, 'message.bmsg');
    writeFileSync(file, content);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a good file: type, status, folder, originator, recipients, body and a matching LENGTH', () => {
  const description = withTempFile(bmsg('35', 'Hi 👋 there'), (file) => describeBmsg(readFileSync(file)));
  assert.deepEqual(description, {
    ok: true,
    bytes: Buffer.byteLength(bmsg('35', 'Hi 👋 there')),
    version: '1.0',
    type: 'SMS_GSM',
    status: 'UNREAD',
    folder: 'telecom/msg/inbox',
    originators: [{ version: '2.1', formattedName: 'Ann Lee', name: 'Lee;Ann', phones: ['+447700900123'], emails: [] }],
    recipients: [{ version: '2.1', phones: ['+447700900999'], emails: [] }],
    envelopeDepth: 1,
    body: { charset: 'UTF-8', length: 13, text: 'Hi 👋 there' },
    lengthCheck: { declared: '35', measured: 35, matches: true },
  });
});

test('LENGTH check: the measured value is what LENGTH should be; a wrong LENGTH is reported with the error', () => {
  assert.deepEqual(checkBmsgLength(Buffer.from(bmsg('35', 'Hi 👋 there'))), { declared: '35', measured: 35, matches: true });
  const rejected = withTempFile(bmsg('200', 'Hello'), (file) => describeBmsg(readFileSync(file)));
  assert.equal(rejected.ok, false);
  assert.equal(rejected.error?.code, 'map.bad-length');
  assert.equal(typeof rejected.error?.offset, 'number');
  assert.deepEqual(rejected.lengthCheck, { declared: '200', measured: 27, matches: false });
  assert.deepEqual(checkBmsgLength(Buffer.from('no body here')), { matches: false });
  assert.equal(describeBmsg(Buffer.from('garbage')).error?.code, 'map.bad-bmessage');
});

test('`decode bmsg <file>` prints the description as JSON', () => {
  const printed = withTempFile(bmsg('27', 'Hello'), (file) => {
    let out = '';
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array): boolean => {
      out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof process.stdout.write;
    try {
      const handler = decodeCommand.handler as (args: Record<string, unknown>) => void;
      handler({ kind: 'bmsg', input: [file], _: [], $0: 'phonebridge' });
    } finally {
      process.stdout.write = original;
    }
    return out;
  });
  const json = JSON.parse(printed) as { ok: boolean; body: { text: string }; lengthCheck: { matches: boolean } };
  assert.equal(json.ok, true);
  assert.equal(json.body.text, 'Hello');
  assert.equal(json.lengthCheck.matches, true);
});
