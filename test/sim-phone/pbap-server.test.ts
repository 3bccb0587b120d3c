/**
 * The phone's PBAP server driven by an OBEX client over a fake channel
 * pair: SDP record, the Sync Contacts and Class of Device gates, pulling
 * the phone book in 2.1 and 3.0, size only, paging, PropertySelector,
 * listings (order, search by name and by number), entries, call histories
 * with NewMissedCalls, bad requests, and a 5,000-card book streamed in
 * small pieces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseCode } from '../../src/protocol/obex';
import {
  decodeVcardListing,
  PbapFormat,
  PbapObjectType,
  PbapOrder,
  PbapSearchProperty,
  PropertyBit,
  selectorOf,
  PBAP_TARGET,
} from '../../src/protocol/pbap';
import { parseVcards } from '../../src/protocol/vcard';
import type { PbapProfile, PhoneProfile } from '../../src/sim-phone/profile';
import { connectPc, makeRig, openPc, PC_ADDRESS, pull, refusal, type Rig } from './pbap-rig';

const PB = 'telecom/pb.vcf';
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

function withContacts(rig: Rig): void {
  const book = rig.model.contacts;
  book.setOwner({ name: { family: 'Owner', given: 'Olivia' }, phones: [{ number: '+44 7700 900000', type: 'mobile' }] });
  book.add({
    name: { family: 'Doe', given: 'John' },
    phones: [
      { number: '+1 (555) 010-2030', type: 'mobile' },
      { number: '555 0100', type: 'work' },
    ],
    emails: [{ address: 'john@example.com', type: 'work' }],
    organisation: 'Acme',
    photo: { bytes: JPEG, type: 'JPEG' },
    birthday: '1980-04-01',
    note: 'Line one\nline two; with semicolon',
  });
  book.add({ name: { family: 'Álvarez', given: 'Zoë' }, phones: [{ number: '020 7946 0018', type: 'home' }] });
  book.add({ name: { family: 'brown', given: 'amy' }, phones: [{ number: '07700 900123', type: 'mobile' }] });
}

/** The profile with its pbap section changed. */
function withPbap(profile: PhoneProfile, changes: Partial<PbapProfile>): PhoneProfile {
  const pbap = profile.pbap;
  assert.ok(pbap, 'the profile has a pbap section');
  return { ...profile, pbap: { ...pbap, ...changes } };
}

async function readyRig(profile = 'iphone'): Promise<Rig> {
  const rig = makeRig({ profile });
  withContacts(rig);
  rig.model.setPermission(PC_ADDRESS, 'syncContacts', true);
  return rig;
}

test('the SDP record comes from the profile; iOS leaves out SupportedFeatures', () => {
  const rig = makeRig();
  assert.deepEqual(rig.host.records.get(13), {
    serviceClasses: [0x112f],
    profile: { uuid: 0x1130, version: 0x0102 },
    channel: 13,
    name: 'Phonebook',
    attributes: { 0x0314: 0x01 },
  });
  assert.ok(rig.host.isListening(13));
  const android = makeRig({ profile: 'android' });
  assert.equal(android.host.records.get(19)?.attributes[0x0317], 0x23);
  rig.server.stop();
  assert.equal(rig.host.records.size, 0);
  assert.ok(!rig.host.isListening(13));
});

test('Connect is Forbidden until the user enables Sync Contacts for that PC, then succeeds', async () => {
  const rig = makeRig();
  withContacts(rig);
  const pc = openPc(rig);
  assert.ok(pc);
  assert.equal(await refusal(rig, pc.obex.connect({ target: PBAP_TARGET })), ResponseCode.Forbidden);
  // Another PC's permission does not help.
  rig.model.setPermission('AA:BB:CC:DD:EE:99', 'syncContacts', true);
  assert.equal(await refusal(rig, pc.obex.connect({ target: PBAP_TARGET })), ResponseCode.Forbidden);
  rig.model.setPermission(PC_ADDRESS.toLowerCase(), 'syncContacts', true);
  const result = await rig.settle(pc.obex.connect({ target: PBAP_TARGET }));
  assert.equal(result.code, ResponseCode.Success);
  assert.deepEqual(result.who, Uint8Array.from(PBAP_TARGET));
  assert.equal(typeof result.connectionId, 'number');
  const pulled = await pull(rig, pc, PbapObjectType.Phonebook, PB, { maxListCount: 0 });
  assert.equal(pulled.params.phonebookSize, 4);
  // Revoked while connected: later requests are Forbidden again.
  rig.model.setPermission(PC_ADDRESS, 'syncContacts', false);
  assert.equal(await refusal(rig, pull(rig, pc, PbapObjectType.Phonebook, PB)), ResponseCode.Forbidden);
  assert.equal(await refusal(rig, pc.obex.setPath({ name: 'telecom' })), ResponseCode.Forbidden);
  const stats = rig.server.stats;
  assert.equal(stats.connects, 1);
  assert.equal(stats.forbidden, 4);
  assert.equal(stats.refusals['Forbidden (0xC3)'], 4);
});

test('a PC whose Class of Device is not Audio/Video Hands-free has its channel refused (iOS); Android accepts it', async () => {
  const rig = makeRig();
  const refused: string[] = [];
  rig.server.events.on('channelRefused', (_peer, reason) => refused.push(reason));
  assert.equal(openPc(rig, 0x3c010c), undefined);
  assert.deepEqual(refused, ['class-of-device']);
  assert.equal(rig.server.stats.channelsRefused, 1);
  const android = makeRig({ profile: 'android' });
  const pc = openPc(android, 0x3c010c);
  assert.ok(pc);
  // No Sync Contacts gate on the android profile either.
  await android.settle(pc.obex.connect({ target: PBAP_TARGET }));
  assert.equal((await pull(android, pc, PbapObjectType.Phonebook, PB, { maxListCount: 0 })).params.phonebookSize, 1);
});

test('Connect without the PBAP Target is Not Acceptable; requests before Connect are Service Unavailable', async () => {
  const rig = await readyRig();
  const features: (number | undefined)[] = [];
  rig.server.events.on('connected', (_peer, pceFeatures) => features.push(pceFeatures));
  const pc = openPc(rig);
  assert.ok(pc);
  assert.equal(await refusal(rig, pc.obex.connect({})), ResponseCode.NotAcceptable);
  assert.equal(await refusal(rig, pull(rig, pc, PbapObjectType.Phonebook, PB)), ResponseCode.ServiceUnavailable);
  await rig.settle(pc.obex.connect({ target: PBAP_TARGET, appParams: Uint8Array.from([0x10, 0x04, 0, 0, 0x03, 0xff]) }));
  assert.equal((await pull(rig, pc, PbapObjectType.Phonebook, PB, { maxListCount: 0 })).params.phonebookSize, 4);
  await rig.settle(pc.obex.disconnect());
  await rig.settle(pc.obex.connect({ target: PBAP_TARGET }));
  assert.equal(await refusal(rig, pc.obex.connect({ target: PBAP_TARGET, appParams: Uint8Array.from([0x10, 0x02, 0, 0]) })), ResponseCode.BadRequest);
  // The PCE's features in Connect are reported (PBAP/PCE/SSM/BV-09 and BV-10 look at them).
  assert.deepEqual(features, [0x3ff, undefined]);
});

test('PullPhoneBook in vCard 2.1 (the default) and 3.0', async () => {
  const rig = await readyRig();
  const pc = await connectPc(rig);
  const v21 = await pull(rig, pc, PbapObjectType.Phonebook, PB);
  const cards21 = parseVcards(v21.text);
  assert.equal(cards21.length, 4);
  assert.ok(cards21.every((c) => c.version === '2.1'));
  assert.equal(cards21[0]?.formattedName, 'Olivia Owner');
  assert.match(v21.text, /\r\nTEL;CELL:\+1 \(555\) 010-2030\r\n/);
  assert.match(v21.text, /\r\nPHOTO;(JPEG;ENCODING=BASE64|ENCODING=BASE64;JPEG):\/9j\/4AAQSkZJRg==\r\n\r\n/);
  assert.match(v21.text, /\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:/);
  const john21 = cards21[1];
  assert.ok(john21);
  assert.deepEqual(john21.tel.map((t) => [t.number, t.types]), [
    ['+1 (555) 010-2030', ['CELL']],
    ['555 0100', ['WORK']],
  ]);
  assert.deepEqual(john21.photo?.bytes, JPEG);
  assert.equal(john21.note, 'Line one\nline two; with semicolon');

  const v30 = await pull(rig, pc, PbapObjectType.Phonebook, PB, { format: PbapFormat.Vcard30 });
  const cards30 = parseVcards(v30.text);
  assert.ok(cards30.every((c) => c.version === '3.0'));
  assert.match(v30.text, /\r\nTEL;TYPE=CELL:\+1 \(555\) 010-2030\r\n/);
  assert.match(v30.text, /\r\nPHOTO;(TYPE=JPEG;ENCODING=b|ENCODING=b;TYPE=JPEG):\/9j\/4AAQSkZJRg==\r\n/);
  assert.match(v30.text, /\r\nNOTE:Line one\\nline two\\; with semicolon\r\n/);
  assert.equal(cards30[2]?.name?.family, 'Álvarez');
  assert.equal(cards30[1]?.org?.name, 'Acme');
  assert.equal(cards30[1]?.bday, '1980-04-01');
  assert.deepEqual(cards30[1]?.email.map((e) => e.address), ['john@example.com']);
  assert.ok(!v30.text.includes('\0'));
});

test('MaxListCount = 0 gives PhonebookSize and no body; ListStartOffset/MaxListCount page the book', async () => {
  const rig = await readyRig();
  const pc = await connectPc(rig);
  const size = await pull(rig, pc, PbapObjectType.Phonebook, PB, { maxListCount: 0 });
  assert.deepEqual(size.params, { phonebookSize: 4 });
  assert.equal(size.text, '');
  const page = await pull(rig, pc, PbapObjectType.Phonebook, PB, { listStartOffset: 1, maxListCount: 2, format: PbapFormat.Vcard30 });
  assert.deepEqual(parseVcards(page.text).map((c) => c.name?.family), ['Doe', 'Álvarez']);
  const tail = await pull(rig, pc, PbapObjectType.Phonebook, PB, { listStartOffset: 3, maxListCount: 10 });
  assert.deepEqual(parseVcards(tail.text).map((c) => c.name?.family), ['brown']);
  const past = await pull(rig, pc, PbapObjectType.Phonebook, PB, { listStartOffset: 40 });
  assert.equal(past.text, '');
});

test('PropertySelector keeps the selected and the mandatory properties; photos follow the profile', async () => {
  const rig = await readyRig();
  const pc = await connectPc(rig);
  const selector = selectorOf([PropertyBit.N, PropertyBit.Tel]);
  const v30 = await pull(rig, pc, PbapObjectType.Phonebook, PB, { format: PbapFormat.Vcard30, propertySelector: selector, listStartOffset: 1, maxListCount: 1 });
  const card = parseVcards(v30.text)[0];
  assert.ok(card);
  assert.deepEqual(card.properties.map((p) => p.name), ['N', 'FN', 'TEL', 'TEL']);
  const v21 = await pull(rig, pc, PbapObjectType.Phonebook, PB, { propertySelector: selectorOf([PropertyBit.Email]), listStartOffset: 1, maxListCount: 1 });
  assert.deepEqual(parseVcards(v21.text)[0]?.properties.map((p) => p.name), ['N', 'TEL', 'TEL', 'EMAIL']);

  const noPhotos = makeRig({ profile: withPbap(rig.profile, { photos: false }) });
  withContacts(noPhotos);
  noPhotos.model.setPermission(undefined, 'syncContacts', true);
  const pc2 = await connectPc(noPhotos);
  const text = (await pull(noPhotos, pc2, PbapObjectType.Phonebook, PB, { format: PbapFormat.Vcard30 })).text;
  assert.ok(!text.includes('PHOTO'));
  assert.ok(text.includes('ORG:Acme'));
});

test('vCard listing: indexed and alphanumeric order, search by name and by number, paging and size', async () => {
  const rig = await readyRig();
  const pc = await connectPc(rig);
  await rig.settle(pc.obex.setPath({ name: 'telecom' }));
  const indexed = decodeVcardListing((await pull(rig, pc, PbapObjectType.VcardListing, 'pb')).text);
  assert.deepEqual(indexed.cards, [
    { handle: '0.vcf', name: 'Owner;Olivia' },
    { handle: '1.vcf', name: 'Doe;John' },
    { handle: '2.vcf', name: 'Álvarez;Zoë' },
    { handle: '3.vcf', name: 'brown;amy' },
  ]);
  const alpha = decodeVcardListing((await pull(rig, pc, PbapObjectType.VcardListing, 'pb', { order: PbapOrder.Alphanumeric })).text);
  assert.deepEqual(alpha.cards.map((c) => c.handle), ['2.vcf', '3.vcf', '1.vcf', '0.vcf']);

  const byName = await pull(rig, pc, PbapObjectType.VcardListing, 'pb', { searchValue: 'ALVA', searchProperty: PbapSearchProperty.Name });
  assert.deepEqual(decodeVcardListing(byName.text).cards.map((c) => c.handle), ['2.vcf']);
  const byNumber = await pull(rig, pc, PbapObjectType.VcardListing, 'pb', { searchValue: '555-010', searchProperty: PbapSearchProperty.Number });
  assert.deepEqual(decodeVcardListing(byNumber.text).cards.map((c) => c.handle), ['1.vcf']);
  const byNumber2 = await pull(rig, pc, PbapObjectType.VcardListing, 'pb', { searchValue: '7700', searchProperty: PbapSearchProperty.Number });
  assert.deepEqual(decodeVcardListing(byNumber2.text).cards.map((c) => c.handle), ['0.vcf', '3.vcf']);
  const none = await pull(rig, pc, PbapObjectType.VcardListing, 'pb', { searchValue: 'zzz' });
  assert.deepEqual(decodeVcardListing(none.text).cards, []);

  const size = await pull(rig, pc, PbapObjectType.VcardListing, 'pb', { maxListCount: 0, searchValue: 'ow' });
  assert.deepEqual(size.params, { phonebookSize: 2 });
  const page = await pull(rig, pc, PbapObjectType.VcardListing, 'pb', { listStartOffset: 1, maxListCount: 2 });
  assert.deepEqual(decodeVcardListing(page.text).cards.map((c) => c.handle), ['1.vcf', '2.vcf']);

  // From inside pb, an empty name lists the current folder.
  await rig.settle(pc.obex.setPath({ name: 'pb' }));
  assert.equal(decodeVcardListing((await pull(rig, pc, PbapObjectType.VcardListing, '')).text).cards.length, 4);
  assert.equal(decodeVcardListing((await pull(rig, pc, PbapObjectType.VcardListing, undefined)).text).cards.length, 4);
});

test('PullvCardEntry: N.vcf in the current folder, 0.vcf the owner; Not Found otherwise', async () => {
  const rig = await readyRig();
  const pc = await connectPc(rig);
  assert.equal(await refusal(rig, pull(rig, pc, PbapObjectType.Vcard, '1.vcf')), ResponseCode.NotFound);
  await rig.settle(pc.obex.setPath({ name: 'telecom' }));
  await rig.settle(pc.obex.setPath({ name: 'pb' }));
  const owner = parseVcards((await pull(rig, pc, PbapObjectType.Vcard, '0.vcf', { format: PbapFormat.Vcard30 })).text);
  assert.equal(owner.length, 1);
  assert.equal(owner[0]?.formattedName, 'Olivia Owner');
  const amy = parseVcards((await pull(rig, pc, PbapObjectType.Vcard, '3.vcf')).text)[0];
  assert.equal(amy?.name?.given, 'amy');
  for (const name of ['9.vcf', 'x.vcf', '1', '']) {
    assert.equal(await refusal(rig, pull(rig, pc, PbapObjectType.Vcard, name)), ResponseCode.NotFound, name);
  }
  // Removing a contact leaves the others' handles as they were.
  rig.model.contacts.remove(2);
  assert.equal(parseVcards((await pull(rig, pc, PbapObjectType.Vcard, '3.vcf')).text)[0]?.name?.given, 'amy');
  assert.equal(await refusal(rig, pull(rig, pc, PbapObjectType.Vcard, '2.vcf')), ResponseCode.NotFound);
});

test('call histories: kinds and times, caller names from the contacts, NewMissedCalls and its reset', async () => {
  const rig = await readyRig();
  const calls = rig.model.calls;
  const at = (iso: string): Date => new Date(iso);
  calls.add({ kind: 'received', number: '+1 555 010 2030', time: at('2026-01-05T08:00:00Z'), durationSec: 60 });
  calls.add({ kind: 'missed', number: '07700 900123', time: at('2026-01-05T08:30:00Z') });
  calls.add({ kind: 'dialled', number: '+44 20 7946 0018', time: at('2026-01-05T08:45:10Z'), durationSec: 5 });
  calls.add({ kind: 'missed', number: '+33 1 00 00 00 00', name: 'Unknown Caller', time: at('2026-01-05T08:50:00Z') });
  const pc = await connectPc(rig);

  const mch = await pull(rig, pc, PbapObjectType.Phonebook, 'telecom/mch.vcf', { format: PbapFormat.Vcard30 });
  assert.deepEqual(mch.params, { newMissedCalls: 2 });
  const missed = parseVcards(mch.text);
  assert.deepEqual(missed.map((c) => [c.call?.kind, c.call?.time, c.tel[0]?.number, c.formattedName]), [
    ['MISSED', '20260105T085000', '+33 1 00 00 00 00', 'Unknown Caller'],
    ['MISSED', '20260105T083000', '07700 900123', 'amy brown'],
  ]);
  assert.match(mch.text, /\r\nX-IRMC-CALL-DATETIME;MISSED:20260105T085000\r\n/);

  const och = await pull(rig, pc, PbapObjectType.Phonebook, 'telecom/och.vcf');
  assert.deepEqual(och.params, {});
  const dialled = parseVcards(och.text);
  assert.equal(dialled.length, 1);
  assert.deepEqual(dialled[0]?.call, { kind: 'DIALED', time: '20260105T084510' });
  assert.equal(dialled[0]?.name?.family, 'Álvarez');
  assert.match(och.text, /\r\nX-IRMC-CALL-DATETIME;DIALED:20260105T084510\r\n/);

  const ich = parseVcards((await pull(rig, pc, PbapObjectType.Phonebook, 'telecom/ich.vcf')).text);
  assert.deepEqual(ich.map((c) => c.call?.kind), ['RECEIVED']);
  assert.equal(ich[0]?.name?.family, 'Doe');

  const cch = await pull(rig, pc, PbapObjectType.Phonebook, 'telecom/cch.vcf', { maxListCount: 0 });
  assert.deepEqual(cch.params, { phonebookSize: 4, newMissedCalls: 2 });
  const cchCards = parseVcards((await pull(rig, pc, PbapObjectType.Phonebook, 'telecom/cch.vcf')).text);
  assert.deepEqual(cchCards.map((c) => c.call?.kind), ['MISSED', 'DIALED', 'MISSED', 'RECEIVED']);

  // A listing of mch carries the count too; a reset request reports it, then clears it.
  await rig.settle(pc.obex.setPath({ name: 'telecom' }));
  const listing = await pull(rig, pc, PbapObjectType.VcardListing, 'mch', { resetNewMissedCalls: 1 });
  assert.deepEqual(listing.params, { newMissedCalls: 2 });
  assert.deepEqual(decodeVcardListing(listing.text).cards, [
    { handle: '1.vcf', name: 'Unknown Caller' },
    { handle: '2.vcf', name: 'brown;amy' },
  ]);
  assert.equal(calls.newMissedCalls, 0);
  assert.deepEqual((await pull(rig, pc, PbapObjectType.Phonebook, 'telecom/mch.vcf', { maxListCount: 0 })).params, {
    phonebookSize: 2,
    newMissedCalls: 0,
  });
  // PropertySelector without bit 28 leaves the call time out.
  const bare = await pull(rig, pc, PbapObjectType.Phonebook, 'telecom/ich.vcf', { propertySelector: selectorOf([PropertyBit.N]) });
  assert.ok(!bare.text.includes('X-IRMC-CALL-DATETIME'));
});

test('SetPath navigation and bad requests get OBEX codes, never a crash', async () => {
  const rig = await readyRig();
  const pc = await connectPc(rig);
  const code = (p: Promise<unknown>): Promise<number> => refusal(rig, p);
  assert.equal(await code(pc.obex.setPath({ up: true })), ResponseCode.NotFound);
  assert.equal(await code(pc.obex.setPath({ name: 'nope' })), ResponseCode.NotFound);
  assert.equal(await code(pc.obex.setPath({ name: 'telecom/pb' })), ResponseCode.BadRequest);
  assert.equal(await code(pc.obex.setPath({ name: 'SIM1' })), ResponseCode.NotFound);
  await rig.settle(pc.obex.setPath({ name: 'telecom' }));
  assert.equal(await code(pc.obex.setPath({ name: 'spd' })), ResponseCode.NotFound);
  await rig.settle(pc.obex.setPath({ name: 'mch' }));
  await rig.settle(pc.obex.setPath({ up: true, name: 'pb' }));
  await rig.settle(pc.obex.setPath({ up: true }));
  await rig.settle(pc.obex.setPath({ up: true }));
  assert.equal(await code(pc.obex.setPath({ up: true })), ResponseCode.NotFound);
  await rig.settle(pc.obex.setPath({ name: 'telecom' }));
  await rig.settle(pc.obex.setPath({ name: '' }));
  assert.equal(await code(pull(rig, pc, PbapObjectType.VcardListing, 'pb')), ResponseCode.NotFound);
  assert.equal(await code(pull(rig, pc, PbapObjectType.VcardListing, '')), ResponseCode.NotFound);
  assert.equal(decodeVcardListing((await pull(rig, pc, PbapObjectType.VcardListing, 'telecom/pb')).text).cards.length, 4);

  assert.equal(await code(pull(rig, pc, PbapObjectType.Phonebook, 'telecom/xyz.vcf')), ResponseCode.NotFound);
  assert.equal(await code(pull(rig, pc, PbapObjectType.Phonebook, 'telecom/spd.vcf')), ResponseCode.NotFound);
  assert.equal(await code(pull(rig, pc, PbapObjectType.Phonebook, 'SIM1/telecom/pb.vcf')), ResponseCode.NotFound);
  assert.equal(await code(pull(rig, pc, PbapObjectType.Phonebook, 'pb.vcf')), ResponseCode.NotFound);
  assert.equal(await code(pull(rig, pc, PbapObjectType.Phonebook, undefined)), ResponseCode.BadRequest);
  assert.equal(await code(pull(rig, pc, 'x-bt/MAP-msg-listing', 'x')), ResponseCode.BadRequest);
  assert.equal(await code(pull(rig, pc, PbapObjectType.Phonebook, PB, { format: 2 })), ResponseCode.NotAcceptable);
  assert.equal(await code(pull(rig, pc, PbapObjectType.VcardListing, 'telecom/pb', { order: 3 })), ResponseCode.NotAcceptable);
  assert.equal(await code(pull(rig, pc, PbapObjectType.VcardListing, 'telecom/pb', { searchProperty: 9 })), ResponseCode.NotAcceptable);
  // Application parameters with a wrong size.
  assert.equal(
    await code(pc.obex.get({ type: PbapObjectType.Phonebook, name: PB, appParams: Uint8Array.from([0x04, 0x01, 0x00]) }, { onBody: () => undefined })),
    ResponseCode.BadRequest,
  );
  // Still serving after all that.
  assert.equal((await pull(rig, pc, PbapObjectType.Phonebook, PB, { maxListCount: 0 })).params.phonebookSize, 4);
  const refusals = rig.server.stats.refusals;
  assert.ok((refusals['NotFound (0xC4)'] ?? 0) >= 8);
  assert.ok((refusals['NotAcceptable (0xC6)'] ?? 0) >= 3);
});

test('a phone without 3.0 in its formats refuses Format 3.0 as Not Acceptable', async () => {
  const base = makeRig().profile;
  const rig = makeRig({ profile: withPbap(base, { formats: ['2.1'] }) });
  rig.model.setPermission(undefined, 'syncContacts', true);
  const pc = await connectPc(rig);
  assert.equal(await refusal(rig, pull(rig, pc, PbapObjectType.Phonebook, PB, { format: PbapFormat.Vcard30 })), ResponseCode.NotAcceptable);
  assert.equal(parseVcards((await pull(rig, pc, PbapObjectType.Phonebook, PB)).text).length, 1);
});

test('a 5,000-contact book streams in small pieces, never as one string', async () => {
  const rig = makeRig({ maxChunk: 4096 });
  const book = rig.model.contacts;
  rig.model.setPermission(undefined, 'syncContacts', true);
  rig.model.contacts.replaceAll(
    Array.from({ length: 5000 }, (_, i) => ({
      name: { family: `Family${i}`, given: `Given${i}` },
      phones: [{ number: `+1 555 ${String(i).padStart(7, '0')}`, type: 'mobile' as const }],
      emails: [{ address: `person${i}@example.com`, type: 'home' as const }],
      note: 'x'.repeat(100),
    })),
  );
  assert.equal(book.size, 5000);
  const pc = await connectPc(rig);
  const pulled = await pull(rig, pc, PbapObjectType.Phonebook, PB, { format: PbapFormat.Vcard30 });
  const cards = parseVcards(pulled.text);
  assert.equal(cards.length, 5001);
  assert.equal(cards[5000]?.name?.family, 'Family4999');
  const stats = rig.server.stats;
  assert.equal(stats.cardsSent, 5001);
  assert.ok(stats.bodyBytes > 1_000_000, `body ${stats.bodyBytes} bytes`);
  assert.ok(stats.largestBodyChunk < 16 * 1024, `largest chunk ${stats.largestBodyChunk}`);
  assert.ok(pulled.chunks > 50, `${pulled.chunks} body packets`);
  const listing = decodeVcardListing((await pull(rig, pc, PbapObjectType.VcardListing, 'telecom/pb', { order: PbapOrder.Alphanumeric })).text);
  assert.equal(listing.cards.length, 5001);
  assert.equal(listing.cards[1]?.name, 'Family0;Given0');
});

test('stop() closes open sessions and their channels; a stopped server refuses channels', async () => {
  const rig = await readyRig();
  const pc = await connectPc(rig);
  assert.equal(rig.server.stats.sessionsOpen, 1);
  rig.server.stop();
  await rig.clock.runFor(10);
  assert.equal(pc.channel.open, false);
  assert.equal(rig.server.stats.sessionsOpen, 0);
  assert.equal(openPc(rig), undefined);
  rig.server.start();
  assert.ok(await connectPc(rig));
});

test('at most maxSessions channels at once; a closed channel frees its place', async () => {
  const rig = makeRig({ server: { maxSessions: 2 } });
  const a = openPc(rig, undefined, 'AA:BB:CC:DD:EE:0A');
  const b = openPc(rig, undefined, 'AA:BB:CC:DD:EE:0B');
  assert.ok(a && b);
  assert.equal(openPc(rig, undefined, 'AA:BB:CC:DD:EE:0C'), undefined);
  await a.channel.close();
  await rig.clock.runFor(10);
  assert.ok(openPc(rig, undefined, 'AA:BB:CC:DD:EE:0C'));
});
