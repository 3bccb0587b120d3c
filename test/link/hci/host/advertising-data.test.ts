import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AdvertisingData, normalizeUuid } from '../../../../src/link/ble';
import {
  AdvertisingDataError,
  MAX_AD_PAYLOAD,
  decodeAdvertisement,
  encodeAdvertisement,
} from '../../../../src/link/hci/host/advertising-data';

const ANCS = '7905F431-B5CE-4E99-A40F-4B1E122D00D0';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

const fixtures: { name: string; data: AdvertisingData; advertisingData: string; scanResponse: string }[] = [
  {
    // ANCS solicitation, LSB first on the air, as in PROTOCOLS.md.
    name: 'an ANCS accessory-facing phone: flags, 128-bit solicitation, name',
    data: { localName: 'SimPhone', solicitationUuids: [ANCS] },
    advertisingData: '020106 1115d0002d121e4b0fa4994eceb531f40579 0909 53696d50686f6e65',
    scanResponse: '',
  },
  {
    name: '16-bit services and manufacturer data',
    data: { serviceUuids: ['180D', '180F'], manufacturerData: Uint8Array.of(0x4c, 0x00, 0x01) },
    advertisingData: '020106 0503 0d18 0f18 04ff 4c0001',
    scanResponse: '',
  },
  {
    name: 'a name that no longer fits goes to the scan response',
    data: { localName: 'Phone of Somebody', solicitationUuids: [ANCS] },
    advertisingData: '020106 1115d0002d121e4b0fa4994eceb531f40579',
    scanResponse: '1209 50686f6e65206f6620536f6d65626f6479',
  },
  {
    name: 'a 16-bit solicitation and a 128-bit service',
    data: { solicitationUuids: ['1812'], serviceUuids: [ANCS] },
    advertisingData: '020106 03141218 1107d0002d121e4b0fa4994eceb531f40579',
    scanResponse: '',
  },
];

for (const f of fixtures) {
  test(`advertising layout: ${f.name}`, () => {
    const payload = encodeAdvertisement(f.data);
    assert.equal(hex(payload.advertisingData), f.advertisingData.replace(/\s+/g, ''));
    assert.equal(hex(payload.scanResponse), f.scanResponse.replace(/\s+/g, ''));
    assert.deepEqual(decodeAdvertisement(bytes(f.advertisingData), bytes(f.scanResponse)), f.data);
  });
}

test('a name that fits nowhere whole is shortened (AD type 0x08) into the roomier payload', () => {
  const name = 'A phone with a very long name indeed, longer than 31';
  const payload = encodeAdvertisement({ localName: name, solicitationUuids: [ANCS] });
  assert.equal(payload.scanResponse.length, MAX_AD_PAYLOAD);
  assert.equal(payload.scanResponse[1], 0x08);
  const decoded = decodeAdvertisement(payload.advertisingData, payload.scanResponse);
  assert.equal(decoded.localName, name.slice(0, 29));
});

test('shortening never cuts a UTF-8 character in half', () => {
  const name = 'é'.repeat(40); // 2 bytes each
  const payload = encodeAdvertisement({ localName: name });
  const decoded = decodeAdvertisement(payload.advertisingData, payload.scanResponse);
  assert.ok(decoded.localName !== undefined && /^é+$/.test(decoded.localName));
  assert.ok(payload.advertisingData.length <= MAX_AD_PAYLOAD && payload.scanResponse.length <= MAX_AD_PAYLOAD);
});

test('fields that fit in neither payload are refused with link.advertising-too-long', () => {
  const three128 = [ANCS, '9FBF120D-6301-42D9-8C58-25E699A21DBD', '69D1D8F3-45E1-49A8-9821-9BBDFDAAD9D9'];
  assert.throws(
    () => encodeAdvertisement({ serviceUuids: three128 }),
    (e: unknown) => e instanceof AdvertisingDataError && e.code === 'link.advertising-too-long',
  );
  assert.throws(() => encodeAdvertisement({ manufacturerData: new Uint8Array(30) }), AdvertisingDataError);
});

test('malformed AD bytes are a typed error with the offset', () => {
  assert.throws(
    () => decodeAdvertisement(bytes('020106 0509 4142')),
    (e: unknown) => e instanceof AdvertisingDataError && e.code === 'link.bad-advertising-data' && e.offset === 3,
  );
  assert.throws(
    () => decodeAdvertisement(bytes('0403 0d180f')),
    (e: unknown) => e instanceof AdvertisingDataError && e.offset === 0,
  );
  // Zero length ends the data; unknown types are skipped.
  assert.deepEqual(decodeAdvertisement(bytes('020106 03 0a 0400 00 ffff')), {});
});

test('property: whatever fits comes back as it went in', () => {
  const uuid16 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16).padStart(4, '0').toUpperCase());
  const uuid128 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => normalizeUuid(Buffer.from(b).toString('hex')));
  const data = fc.record(
    {
      localName: fc.stringMatching(/^[A-Za-z0-9 ]{1,8}$/),
      serviceUuids: fc.uniqueArray(uuid16, { minLength: 1, maxLength: 2 }),
      solicitationUuids: fc.uniqueArray(uuid128, { minLength: 1, maxLength: 1 }),
      manufacturerData: fc.uint8Array({ minLength: 1, maxLength: 4 }),
    },
    { requiredKeys: [] },
  ).map((r): AdvertisingData => ({ ...r }));
  fc.assert(
    fc.property(data, (d) => {
      const payload = encodeAdvertisement(d);
      assert.ok(payload.advertisingData.length <= MAX_AD_PAYLOAD);
      assert.ok(payload.scanResponse.length <= MAX_AD_PAYLOAD);
      assert.deepEqual(decodeAdvertisement(payload.advertisingData, payload.scanResponse), d);
    }),
    { numRuns: 500 },
  );
});

test('property: decoding arbitrary bytes returns data or a typed error, nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 31 }), (raw) => {
      try {
        decodeAdvertisement(raw);
      } catch (e) {
        assert.ok(e instanceof AdvertisingDataError, String(e));
      }
    }),
    { numRuns: 1000 },
  );
});
