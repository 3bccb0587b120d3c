/**
 * `decode capture`: a recorded Testbed run summarised by profile with our
 * decoders (connections, ANCS, OBEX with PBAP parameters, HFP lines), with
 * names, numbers and message text masked unless redaction is off; damaged
 * or foreign input never throws anything but a CaptureFormatError.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { formatCaptureSummary, summariseCapture } from '../../src/harness/decode-capture';
import { CaptureFormatError, encodeBtsnoopHeader } from '../../src/link/capture';
import { INCOMING_NUMBER, OUTGOING_NUMBER, SECRET_MESSAGE, SECRET_TITLE, recordFlow, removeTempCaptures, tempCaptureFile, type RecordedFlow } from '../link/capture/capture-flows';

after(removeTempCaptures);

let recorded: Promise<RecordedFlow> | undefined;
const flow = (): Promise<RecordedFlow> => (recorded ??= recordFlow(tempCaptureFile('decode-flow'), 11));

test('a run reads back by profile: connections, ANCS, PBAP operations and the HFP exchange', async () => {
  const { file } = await flow();
  const summary = summariseCapture(readFileSync(file));
  assert.deepEqual(summary.problems, []);
  assert.equal(summary.localAddress, 'AA:BB:CC:DD:EE:01');
  assert.deepEqual(
    summary.connections.map((c) => [c.transport, c.encrypted, c.closedAt !== undefined]),
    [
      ['le', true, true],
      ['br-edr', true, false],
    ],
  );

  const kinds = summary.ancs.map((e) => e.kind);
  assert.ok(kinds.includes('notification') && kinds.includes('request') && kinds.includes('reply'));
  const replayed = summary.ancs.find((e) => e.kind === 'notification');
  assert.deepEqual([replayed?.event, replayed?.flags, replayed?.category], ['Added', ['PreExisting', 'NegativeAction'], 'Social']);
  const dismissal = summary.ancs.find((e) => e.kind === 'request' && e.command === 'PerformNotificationAction');
  assert.equal(dismissal?.action, 'Negative');
  assert.ok(summary.ancs.some((e) => e.kind === 'notification' && e.event === 'Removed'));
  const reply = summary.ancs.find((e) => e.kind === 'reply' && e.command === 'GetNotificationAttributes');
  const attributes = reply?.attributes as Array<{ attribute: string; value: string }>;
  assert.deepEqual(attributes.find((a) => a.attribute === 'AppIdentifier')?.value, 'com.apple.MobileSMS');
  assert.deepEqual(attributes.find((a) => a.attribute === 'Title')?.value, '…');

  const pbap = summary.streams.find((s) => s.service === 'PBAP');
  const ops = pbap?.operations ?? [];
  assert.deepEqual(ops[0] && [ops[0].operation, ops[0].target, ops[0].response], ['Connect', 'PBAP', 'Success (0xA0)']);
  const pull = ops.find((o) => o.operation === 'Get' && o.params?.maxListCount !== 0);
  assert.equal(pull?.name, 'telecom/pb.vcf');
  assert.equal(pull?.type, 'x-bt/phonebook');
  assert.deepEqual([pull?.params?.format, pull?.params?.listStartOffset], [1, 0]);
  assert.ok((pull?.bodyBytes ?? 0) > 1000);
  assert.ok(ops.some((o) => o.responseParams?.phonebookSize === 11), 'the size query answers 11 cards');

  const hfp = summary.streams.find((s) => s.service === 'HFP');
  const lines = hfp?.lines ?? [];
  assert.deepEqual(lines.slice(0, 3).map((l) => [l.from, l.text, l.kind]), [
    ['HF', 'AT+BRSF=1023', 'brsf'],
    ['AG', '+BRSF: 4079', 'brsf'],
    ['AG', 'OK', 'ok'],
  ]);
  assert.ok(lines.some((l) => l.from === 'HF' && l.kind === 'dial'));
  assert.ok(lines.some((l) => l.from === 'AG' && l.kind === 'clip' && l.text.includes('…')));
});

test('redaction masks titles, message text and phone numbers everywhere, and --no-redact keeps them', async () => {
  const { file } = await flow();
  const bytes = readFileSync(file);
  const redacted = summariseCapture(bytes);
  const text = formatCaptureSummary(redacted) + JSON.stringify(redacted);
  for (const secret of [SECRET_TITLE, SECRET_MESSAGE, INCOMING_NUMBER, OUTGOING_NUMBER]) assert.equal(text.includes(secret), false, `${secret} leaked`);
  assert.match(formatCaptureSummary(redacted), /masked \(--no-redact shows them\)/);
  const open = summariseCapture(bytes, { redact: false });
  const plain = formatCaptureSummary(open) + JSON.stringify(open);
  for (const secret of [SECRET_TITLE, SECRET_MESSAGE, INCOMING_NUMBER, OUTGOING_NUMBER]) assert.equal(plain.includes(secret), true, `${secret} missing`);
});

test('foreign and damaged input: format errors for non-captures, problems (never exceptions) inside one', () => {
  assert.throws(() => summariseCapture(Buffer.from('not a capture at all')), CaptureFormatError);
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 80 }), { maxLength: 40 }), (packets) => {
      const parts: Uint8Array[] = [encodeBtsnoopHeader()];
      for (const data of packets) {
        const header = Buffer.alloc(24);
        header.writeUInt32BE(data.length, 0);
        header.writeUInt32BE(data.length, 4);
        header.writeUInt32BE(data[0] === 0x02 ? (data.length & 1) : 3, 8);
        header.writeBigUInt64BE(0x00dcddb30f2f8000n, 16);
        parts.push(header, data);
      }
      const summary = summariseCapture(Buffer.concat(parts));
      assert.equal(summary.records, packets.length);
      formatCaptureSummary(summary);
    }),
    { numRuns: 300 },
  );
});
