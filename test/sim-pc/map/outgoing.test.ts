/**
 * What the PC sends: the PushMessage bMessage byte for byte (paired with
 * its decoded form), the refusals made before sending, and recipients
 * given as numbers or names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBMessage, encodeBMessage } from '../../../src/protocol/map';
import { SendRefusedError, UnknownRecipientError } from '../../../src/sim-pc/map/errors';
import { checkOutgoing, looksLikeNumber, outgoingBMessage, resolveRecipient } from '../../../src/sim-pc/map/outgoing';

const LIMITS = { mms: false, maxTextBytes: 100 };

test('the PushMessage body: SMS_GSM, READ, telecom/msg/outbox, one recipient vCard, UTF-8, LENGTH = text + 22', () => {
  const message = outgoingBMessage({ number: '+447700900123', name: undefined }, 'Hello from Linux');
  const text = new TextDecoder().decode(encodeBMessage(message));
  assert.equal(
    text,
    'BEGIN:BMSG\r\nVERSION:1.0\r\nSTATUS:READ\r\nTYPE:SMS_GSM\r\nFOLDER:telecom/msg/outbox\r\n' +
      'BEGIN:BENV\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nN:\r\nTEL:+447700900123\r\nEND:VCARD\r\n' +
      'BEGIN:BBODY\r\nCHARSET:UTF-8\r\nLENGTH:38\r\nBEGIN:MSG\r\nHello from Linux\r\nEND:MSG\r\nEND:BBODY\r\nEND:BENV\r\nEND:BMSG\r\n',
  );
  const decoded = decodeBMessage(encodeBMessage(message));
  assert.deepEqual(
    {
      status: decoded.status,
      type: decoded.type,
      folder: decoded.folder,
      originators: decoded.originators.length,
      recipients: decoded.envelope.recipients.map((r) => r.phones),
      body: decoded.envelope.content.kind === 'body' ? [decoded.envelope.content.body.charset, decoded.envelope.content.body.text] : [],
    },
    { status: 'READ', type: 'SMS_GSM', folder: 'telecom/msg/outbox', originators: 0, recipients: [['+447700900123']], body: ['UTF-8', 'Hello from Linux'] },
  );
});

test('property: any text survives the PushMessage body', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 200 }).filter((t) => !t.includes('END:MSG') && !t.includes('BEGIN:MSG')), (body) => {
      const decoded = decodeBMessage(encodeBMessage(outgoingBMessage({ number: '07700900123', name: 'Ann' }, body)));
      assert.equal(decoded.envelope.content.kind === 'body' ? decoded.envelope.content.body.text : undefined, body);
    }),
    { numRuns: 300 },
  );
});

test('refused before sending: pictures, no or several recipients, empty or oversized text', () => {
  const refusal = (fn: () => void): string => {
    try {
      fn();
    } catch (err) {
      if (err instanceof SendRefusedError) return `${err.refusal}: ${err.reason}`;
      throw err;
    }
    return 'sent';
  };
  assert.equal(refusal(() => checkOutgoing(['1'], 'x', { attachments: [{ mimeType: 'image/jpeg' }] }, LIMITS)), 'picture: pictures cannot be sent from the PC to an iPhone');
  assert.equal(refusal(() => checkOutgoing([], 'x', {}, LIMITS)), 'no-recipient: the message has no recipient');
  assert.equal(refusal(() => checkOutgoing(['1', '2'], 'x', {}, LIMITS)), 'group: group messages are not supported');
  assert.equal(refusal(() => checkOutgoing(['1'], ' \r\n', {}, LIMITS)), 'empty: the message has no text');
  assert.match(refusal(() => checkOutgoing(['1'], 'é'.repeat(51), {}, LIMITS)), /^too-long: the text is 102 bytes/);
  assert.equal(refusal(() => checkOutgoing(['1'], 'é'.repeat(50), {}, LIMITS)), 'sent');
  assert.match(refusal(() => checkOutgoing(['1'], 'x\uD800', {}, LIMITS)), /^bad-text: /);
  assert.equal(refusal(() => checkOutgoing(['1'], 'smile \u{1F600}', {}, LIMITS)), 'sent');
});

test('recipients: numbers as written, names only through contacts', () => {
  assert.ok(looksLikeNumber('+44 (0)20 7946-0018'));
  assert.ok(!looksLikeNumber('Ann'));
  assert.ok(!looksLikeNumber('+'));
  assert.deepEqual(resolveRecipient(' 07700 900123 ', undefined), { number: '07700 900123', name: undefined });
  assert.deepEqual(resolveRecipient({ number: '+447700900123' }, undefined), { number: '+447700900123', name: undefined });
  assert.throws(() => resolveRecipient({ number: 'Ann' }, undefined), UnknownRecipientError);
  assert.throws(() => resolveRecipient('Ann', undefined), UnknownRecipientError);
  assert.throws(() => resolveRecipient({ name: '   ' }, { searchByName: () => [] }), UnknownRecipientError);
});
