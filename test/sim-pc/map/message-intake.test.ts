/**
 * How a fetched message is filed: sender, name, text, read state and time
 * from the bMessage and the listing; group conversations (several
 * recipients besides us, several senders, a listing naming several
 * recipients) and MMS exposed only in part become open-on-phone; an iPhone
 * group (sender only, our number as the only recipient) cannot be told
 * from a one-to-one message, as documented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { party, simpleBMessage, type BMessage } from '../../../src/protocol/map';
import { intakeMessage, isPartialMms } from '../../../src/sim-pc/map/message-intake';

const OWN = '+447700900000';

function message(from: string, recipients: string[], text = 'hello', type = 'SMS_GSM', name?: string): BMessage {
  return simpleBMessage({ type, folder: 'telecom/msg/inbox', originator: party(from, name), recipients: recipients.map((r) => party(r)), text });
}

test('a one-to-one SMS: sender, name, text, read state and time from the listing', () => {
  const incoming = intakeMessage({
    handle: '40000000001',
    message: message('07700 900123', [OWN], 'Are you in?', 'SMS_GSM', 'Ann Lee'),
    listing: { handle: '40000000001', datetime: '20240102T030405', read: 'yes', type: 'SMS_GSM' },
  });
  assert.deepEqual(incoming, {
    handle: '40000000001',
    from: '07700 900123',
    fromName: 'Ann Lee',
    text: 'Are you in?',
    read: true,
    type: 'SMS_GSM',
    datetime: '20240102T030405',
  });
});

test('without a listing: read from STATUS, time from a 1.1 event, no originator falls back to nothing', () => {
  const incoming = intakeMessage({
    handle: '1',
    message: simpleBMessage({ type: 'SMS_GSM', status: 'READ', folder: 'telecom/msg/inbox', recipients: [party(OWN)], text: 'x' }),
    event: { type: 'NewMessage', handle: '1', datetime: '20240102T030405', sender_name: 'Bank' },
  });
  assert.equal(incoming.read, true);
  assert.equal(incoming.from, '');
  assert.equal(incoming.fromName, 'Bank');
  assert.equal(incoming.datetime, '20240102T030405');
  assert.equal(incoming.openOnPhone, undefined);
});

test('group: our number plus another recipient (android "participants") is open-on-phone, own number known or not', () => {
  const bmsg = message('+447700900123', [OWN, '+447700900555']);
  const unknownOwn = intakeMessage({ handle: '1', message: bmsg });
  assert.equal(unknownOwn.openOnPhone, 'group conversation');
  assert.deepEqual(unknownOwn.participants, [OWN, '+447700900555']);
  const knownOwn = intakeMessage({ handle: '1', message: bmsg, isOwnNumber: (n) => n === OWN });
  assert.equal(knownOwn.openOnPhone, 'group conversation');
  assert.deepEqual(knownOwn.participants, ['+447700900555']);
});

test('group: one recipient who is not us (own number known), several senders, or a listing naming several recipients', () => {
  const notUs = intakeMessage({ handle: '1', message: message('+447700900123', ['+447700900555']), isOwnNumber: (n) => n === OWN });
  assert.equal(notUs.openOnPhone, 'group conversation');
  const twoSenders = message('+447700900123', [OWN]);
  twoSenders.originators.push(party('+447700900777'));
  assert.equal(intakeMessage({ handle: '1', message: twoSenders }).openOnPhone, 'group conversation');
  const listed = intakeMessage({
    handle: '1',
    message: message('+447700900123', [OWN]),
    listing: { handle: '1', recipient_addressing: `${OWN};+447700900555` },
  });
  assert.equal(listed.openOnPhone, 'group conversation');
});

test('an iPhone group (sender only, our number the only recipient) looks one-to-one: the documented limit', () => {
  const incoming = intakeMessage({ handle: '1', message: message('+447700900123', [OWN]), isOwnNumber: (n) => n === OWN });
  assert.equal(incoming.openOnPhone, undefined);
  // National and E.164 forms of our own number are one recipient, not two.
  const forms = intakeMessage({ handle: '1', message: message('+447700900123', [OWN, '07700900000']) });
  assert.equal(forms.openOnPhone, undefined);
});

test('MMS: attachments not delivered, reception not complete, or no listing: picture message; a complete text MMS is filed', () => {
  assert.equal(isPartialMms('MMS', { handle: '1', attachment_size: 2048, reception_status: 'complete' }), true);
  assert.equal(isPartialMms('MMS', { handle: '1', attachment_size: 0, reception_status: 'fractioned' }), true);
  assert.equal(isPartialMms('MMS', undefined), true);
  assert.equal(isPartialMms('MMS', { handle: '1', attachment_size: 0, reception_status: 'complete' }), false);
  assert.equal(isPartialMms('SMS_GSM', { handle: '1', attachment_size: 2048 }), false);
  const picture = intakeMessage({
    handle: '1',
    message: message('+447700900123', [OWN], '', 'MMS'),
    listing: { handle: '1', type: 'MMS', attachment_size: 52_000, reception_status: 'complete' },
  });
  assert.equal(picture.openOnPhone, 'picture message');
  assert.equal(picture.type, 'MMS');
});
