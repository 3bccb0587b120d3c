/**
 * Messages-Listing and folder listing XML: text fixtures paired with decoded
 * objects (bluez and iPhone styles: declaration, DOCTYPE, whitespace,
 * upper-case names), escaping on output, every rejection as a MapError,
 * size and entry limits, fast-check round trips, and hostile input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeFolderListing,
  decodeMessageListing,
  encodeFolderListing,
  encodeMessageListing,
  MapErrorCode,
  sameFolder,
  type MessageListing,
} from '../../../src/protocol/map';
import { applyByteEdits, byteEditsArb, folderListingArb, messageListingArb } from '../../../src/harness/fuzz/map-arbitraries';
import { assertMapError, bytes, text, valueOrMapError } from './fixtures';

const IPHONE_STYLE =
  '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
  '<!DOCTYPE MAP-msg-listing SYSTEM "MAP-msg-listing.dtd">\r\n' +
  '<MAP-msg-listing version="1.0">\r\n' +
  '  <msg handle="20000100001" subject="Running late" datetime="20260301T081500" sender_name="Ann Lee" sender_addressing="+447700900123"\r\n' +
  '       recipient_addressing="" type="SMS_GSM" size="12" text="yes" reception_status="complete" attachment_size="0" priority="no" read="no" sent="no" protected="no"/>\r\n' +
  '  <msg handle="20000100002" subject="Fish &amp; chips &#x1F41F;" type="SMS_GSM" size = "29" read="yes" conversation_id="0" x-apple-extra="1"/>\r\n' +
  '</MAP-msg-listing>\r\n';

const IPHONE_LISTING: MessageListing = {
  version: '1.0',
  messages: [
    {
      handle: '20000100001',
      subject: 'Running late',
      datetime: '20260301T081500',
      sender_name: 'Ann Lee',
      sender_addressing: '+447700900123',
      recipient_addressing: '',
      type: 'SMS_GSM',
      size: 12,
      text: 'yes',
      reception_status: 'complete',
      attachment_size: 0,
      priority: 'no',
      read: 'no',
      sent: 'no',
      protected: 'no',
    },
    { handle: '20000100002', subject: 'Fish & chips 🐟', type: 'SMS_GSM', size: 29, read: 'yes', conversation_id: '0', other: { 'x-apple-extra': '1' } },
  ],
};

test('decodes a listing with declaration, DOCTYPE, CRLF, indentation, references and an unknown attribute', () => {
  assert.deepEqual(decodeMessageListing(bytes(IPHONE_STYLE)), IPHONE_LISTING);
});

test('encodes with escaping; names with & < > " \' and non-ASCII survive; the result decodes back', () => {
  const listing: MessageListing = {
    version: '1.1',
    messages: [{ handle: 'ABCDEF0123456789', sender_name: `Tom & "Jerry" <co> 'Zoë' 😀`, subject: 'two\r\nlines\ttab', size: 0, read: 'true' }],
  };
  const out = text(encodeMessageListing(listing));
  assert.equal(
    out,
    '<?xml version="1.0" encoding="UTF-8"?>\n<MAP-msg-listing version="1.1">\n' +
      '<msg handle="ABCDEF0123456789" subject="two&#13;&#10;lines&#9;tab" sender_name="Tom &amp; &quot;Jerry&quot; &lt;co&gt; &apos;Zoë&apos; 😀" size="0" read="true"/>\n' +
      '</MAP-msg-listing>\n',
  );
  assert.deepEqual(decodeMessageListing(bytes(out)), listing);
  assert.deepEqual(decodeMessageListing(encodeMessageListing({ version: '1.0', messages: [] })), { version: '1.0', messages: [] });
});

test('upper-case element names, no version, and an empty root are fine', () => {
  assert.deepEqual(decodeMessageListing(bytes('<map-MSG-listing><MSG handle="1"/></map-MSG-listing>')), { version: '1.0', messages: [{ handle: '1' }] });
  assert.deepEqual(decodeMessageListing(bytes('<MAP-msg-listing version="1.0"></MAP-msg-listing>')), { version: '1.0', messages: [] });
  assert.deepEqual(decodeMessageListing(bytes('<MAP-msg-listing/>')), { version: '1.0', messages: [] });
});

test('rejections: garbage, wrong root, msg without handle, non-hex handle, non-numeric size, bad UTF-8', () => {
  const wrap = (msg: string): Uint8Array => bytes(`<MAP-msg-listing version="1.0">\n${msg}\n</MAP-msg-listing>`);
  assertMapError(() => decodeMessageListing(bytes('garbage')), MapErrorCode.BadListing);
  assertMapError(() => decodeMessageListing(bytes('')), MapErrorCode.BadListing);
  assertMapError(() => decodeMessageListing(bytes('<MAP-msg-listing><msg handle="1"></MAP-msg-listing>')), MapErrorCode.BadListing);
  assertMapError(() => decodeMessageListing(bytes('<folder-listing/>')), MapErrorCode.BadListing, 0);
  assertMapError(() => decodeMessageListing(wrap('<msg subject="x"/>')), MapErrorCode.BadListing, 32);
  assertMapError(() => decodeMessageListing(wrap('<msg handle="1"/><msg handle="12G4"/>')), MapErrorCode.BadListing, 49);
  assertMapError(() => decodeMessageListing(wrap('<msg handle="12345678901234567"/>')), MapErrorCode.BadListing);
  assertMapError(() => decodeMessageListing(wrap('<msg handle="1" size="12kB"/>')), MapErrorCode.BadListing);
  assertMapError(() => decodeMessageListing(wrap('<msg handle="1" attachment_size="-1"/>')), MapErrorCode.BadListing);
  assertMapError(() => decodeMessageListing(wrap('<msg handle="1" subject="&#0;"/>')), MapErrorCode.BadListing);
  assertMapError(() => decodeMessageListing(Uint8Array.of(0x3c, 0xff, 0x3e)), MapErrorCode.BadText, 0);
});

test('limits: bytes and entries give map.too-large', () => {
  assertMapError(() => decodeMessageListing(new Uint8Array(1024 * 1024 + 1).fill(0x20)), MapErrorCode.TooLarge, 1024 * 1024);
  const many = { version: '1.0', messages: Array.from({ length: 11 }, (_, i) => ({ handle: i.toString(16) })) };
  assert.equal(decodeMessageListing(encodeMessageListing(many)).messages.length, 11);
  assertMapError(() => decodeMessageListing(encodeMessageListing(many), { maxEntries: 10 }), MapErrorCode.TooLarge);
  assertMapError(() => decodeMessageListing(encodeMessageListing(many), { maxBytes: 100 }), MapErrorCode.TooLarge, 100);
  const big = { version: '1.0', messages: Array.from({ length: 10_001 }, (_, i) => ({ handle: i.toString(16) })) };
  assertMapError(() => decodeMessageListing(encodeMessageListing(big)), MapErrorCode.TooLarge);
});

test('the encoder refuses a bad handle, size or attribute name', () => {
  assertMapError(() => encodeMessageListing({ version: '1.0', messages: [{ handle: 'xyz' }] }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeMessageListing({ version: '1.0', messages: [{ handle: '1', size: -1 }] }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeMessageListing({ version: '1.0', messages: [{ handle: '1', other: { 'bad name': 'x' } }] }), MapErrorCode.BadValue, false);
  assertMapError(() => encodeMessageListing({ version: '1.0', messages: [{ handle: '1', other: { subject: 'x' } }] }), MapErrorCode.BadValue, false);
});

test('folder listings: bluez style with parent-folder and files, upper-case names kept, errors typed', () => {
  const doc =
    '<?xml version="1.0"?>\n<!DOCTYPE folder-listing SYSTEM "obex-folder-listing.dtd">\n<folder-listing version="1.0">\n' +
    '  <parent-folder/>\n  <folder name="INBOX"/>\n  <file name="x.txt" size="3"/>\n  <FOLDER name="sent"/>\n  <folder name="outbox"/>\n</folder-listing>\n';
  // Folders of either case are collected by name; order within each spelling is kept.
  const decoded = decodeFolderListing(bytes(doc));
  assert.equal(decoded.version, '1.0');
  assert.deepEqual([...decoded.folders].sort(), ['INBOX', 'outbox', 'sent']);
  assert.ok(sameFolder('INBOX', 'inbox') && sameFolder('/telecom/msg/inbox/', 'TELECOM/MSG/INBOX') && !sameFolder('inbox', 'sent'));
  const listing = { version: '1.0', folders: ['inbox', 'outbox', 'sent', 'deleted'] };
  assert.equal(
    text(encodeFolderListing(listing)),
    '<?xml version="1.0" encoding="UTF-8"?>\n<folder-listing version="1.0">\n<folder name="inbox"/>\n<folder name="outbox"/>\n<folder name="sent"/>\n<folder name="deleted"/>\n</folder-listing>\n',
  );
  assert.deepEqual(decodeFolderListing(encodeFolderListing(listing)), listing);
  assert.deepEqual(decodeFolderListing(bytes('<folder-listing/>')), { version: '1.0', folders: [] });
  assertMapError(() => decodeFolderListing(bytes('<folder-listing><folder/></folder-listing>')), MapErrorCode.BadListing, 16);
  assertMapError(() => decodeFolderListing(bytes('<MAP-msg-listing/>')), MapErrorCode.BadListing);
  assertMapError(() => decodeFolderListing(bytes('<folder-listing>')), MapErrorCode.BadListing);
  const many = { version: '1.0', folders: Array.from({ length: 5 }, (_, i) => `f${i}`) };
  assertMapError(() => decodeFolderListing(encodeFolderListing(many), { maxEntries: 4 }), MapErrorCode.TooLarge);
});

test('property: listings round trip through XML', () => {
  fc.assert(
    fc.property(messageListingArb, (listing) => {
      const encoded = encodeMessageListing(listing);
      assert.deepEqual(decodeMessageListing(encoded), listing);
    }),
    { numRuns: 300 },
  );
  fc.assert(fc.property(folderListingArb, (listing) => assert.deepEqual(decodeFolderListing(encodeFolderListing(listing)), listing)), { numRuns: 300 });
});

test('property: any bytes, and damaged listings, give a listing or a MapError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
      valueOrMapError(() => decodeMessageListing(data));
      valueOrMapError(() => decodeFolderListing(data));
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(messageListingArb, byteEditsArb, (listing, edits) => valueOrMapError(() => decodeMessageListing(applyByteEdits(encodeMessageListing(listing), edits)))),
    { numRuns: 300 },
  );
  const xmlish = fc.array(fc.constantFrom('<', '>', '/', '"', '=', '&', ';', '#', 'x', 'msg', 'MAP-msg-listing', ' handle', '="1"', '<!DOCTYPE a [<!ENTITY e "x">]>', '<?xml version="1.0"?>', '&e;', '<![CDATA[', ']]>', '<!--', '-->'), { maxLength: 25 });
  fc.assert(fc.property(xmlish, (parts) => valueOrMapError(() => decodeMessageListing(bytes(parts.join(''))))), { numRuns: 500 });
});
