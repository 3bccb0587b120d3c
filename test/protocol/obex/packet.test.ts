/**
 * OBEX packet codec: PROTOCOLS.md examples, framing errors, round trips and fuzzing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  HeaderId,
  isObexError,
  Opcode,
  ResponseCode,
  TargetUuid,
  type ObexRequest,
  type ObexResponse,
} from '../../../src/protocol/obex';
import { headerArb, hex, toHex } from './obex-test-kit';

test('PROTOCOLS.md: Connect request and response', () => {
  const request: ObexRequest = {
    opcode: Opcode.Connect,
    connect: { version: 0x10, flags: 0, maxPacketLength: 0x1000 },
    headers: [],
  };
  assert.deepEqual(decodeRequest(hex('80 00 07 10 00 10 00')), request);
  assert.deepEqual(encodeRequest(request), hex('80 00 07 10 00 10 00'));
  const response: ObexResponse = {
    code: ResponseCode.Success,
    connect: { version: 0x10, flags: 0, maxPacketLength: 0x1000 },
    headers: [{ id: HeaderId.ConnectionId, kind: 'u32', value: 1 }],
  };
  assert.deepEqual(decodeResponse(hex('A0 00 0C 10 00 10 00 CB 00 00 00 01'), { connectResponse: true }), response);
  assert.deepEqual(encodeResponse(response), hex('A0 00 0C 10 00 10 00 CB 00 00 00 01'));
});

test('PROTOCOLS.md: PBAP Connect with its Target', () => {
  const bytes = hex('80 00 1A 10 00 FF FF 46 00 13 79 61 35 F0 F0 C5 11 D8 09 66 08 00 20 0C 9A 66');
  const request = decodeRequest(bytes);
  assert.deepEqual(request, {
    opcode: 0x80,
    connect: { version: 0x10, flags: 0, maxPacketLength: 0xffff },
    headers: [{ id: HeaderId.Target, kind: 'bytes', value: Uint8Array.from(TargetUuid.Pbap) }],
  });
  assert.deepEqual(encodeRequest(request), bytes);
});

test('PROTOCOLS.md: SetPath into "dir", up one level, and to the root', () => {
  assert.deepEqual(decodeRequest(hex('85 00 10 02 00 01 00 0B 00 64 00 69 00 72 00 00')), {
    opcode: 0x85,
    setPath: { flags: 0x02, constants: 0 },
    headers: [{ id: HeaderId.Name, kind: 'unicode', value: 'dir' }],
  });
  assert.deepEqual(decodeRequest(hex('85 00 05 03 00')), { opcode: 0x85, setPath: { flags: 0x03, constants: 0 }, headers: [] });
  const root: ObexRequest = {
    opcode: Opcode.SetPath,
    setPath: { flags: 0x02, constants: 0 },
    headers: [{ id: HeaderId.Name, kind: 'unicode', value: '' }],
  };
  assert.deepEqual(encodeRequest(root), hex('85 00 08 02 00 01 00 03'));
});

test('PROTOCOLS.md: last GET response and an SRM GET request', () => {
  assert.deepEqual(decodeResponse(hex('A0 00 06 49 00 03')), {
    code: 0xa0,
    headers: [{ id: HeaderId.EndOfBody, kind: 'bytes', value: new Uint8Array(0) }],
  });
  const get = decodeRequest(hex('83 00 25 97 01 42 00 0b 666f6f2f62617200 01 00 15 0066 0069 006c 0065 002e 0074 0078 0074 0000'));
  assert.deepEqual(get.headers[0], { id: HeaderId.Srm, kind: 'u8', value: 1 });
  assert.equal(get.opcode, Opcode.GetFinal);
});

test('a refused Connect may be answered with the bare 3 bytes; a success may not', () => {
  assert.deepEqual(decodeResponse(hex('C3 00 03'), { connectResponse: true }), { code: 0xc3, headers: [] });
  assert.throws(() => decodeResponse(hex('A0 00 03'), { connectResponse: true }), (e: unknown) => isObexError(e, 'obex.truncated'));
});

test('framing errors carry code and offset', () => {
  const cases: [string, string, number][] = [
    ['02', 'obex.truncated', 1],
    ['02 00 02', 'obex.bad-length', 1],
    ['02 00 05 48', 'obex.truncated', 4],
    ['02 00 03 48', 'obex.bad-length', 3],
    ['80 00 05 10 00', 'obex.truncated', 5],
    ['85 00 04 02', 'obex.truncated', 4],
    ['02 00 06 48 00 08', 'obex.truncated', 4],
  ];
  for (const [bytes, code, offset] of cases) {
    assert.throws(
      () => decodeRequest(hex(bytes)),
      (err: unknown) => isObexError(err) && err.code === code && err.offset === offset,
      bytes,
    );
  }
});

test('encoders check fixed fields against the opcode', () => {
  assert.throws(() => encodeRequest({ opcode: Opcode.Connect, headers: [] }), (e: unknown) => isObexError(e, 'obex.bad-value'));
  assert.throws(
    () => encodeRequest({ opcode: Opcode.Get, setPath: { flags: 0, constants: 0 }, headers: [] }),
    (e: unknown) => isObexError(e, 'obex.bad-value'),
  );
  assert.throws(
    () => encodeRequest({ opcode: 0x80, connect: { version: 0x10, flags: 0, maxPacketLength: 70000 }, headers: [] }),
    (e: unknown) => isObexError(e, 'obex.bad-value'),
  );
  assert.throws(
    () => encodeResponse({ code: 0xa0, headers: [{ id: 0x48, kind: 'bytes', value: new Uint8Array(0xfff0) }, { id: 0x48, kind: 'bytes', value: new Uint8Array(100) }] }),
    (e: unknown) => isObexError(e, 'obex.too-large'),
  );
});

const connectArb = fc.record({
  version: fc.integer({ min: 0, max: 255 }),
  flags: fc.integer({ min: 0, max: 255 }),
  maxPacketLength: fc.integer({ min: 0, max: 0xffff }),
});

const requestArb: fc.Arbitrary<ObexRequest> = fc
  .tuple(fc.integer({ min: 0, max: 255 }), connectArb, fc.integer({ min: 0, max: 255 }), fc.array(headerArb, { maxLength: 6 }))
  .map(([opcode, connect, flags, headers]) => {
    const request: ObexRequest = { opcode, headers };
    if ((opcode & 0x7f) === 0x00) request.connect = { ...connect };
    if ((opcode & 0x7f) === 0x05) request.setPath = { flags, constants: 0 };
    return request;
  });

test('property: requests round-trip', () => {
  fc.assert(
    fc.property(requestArb, (request) => {
      assert.deepEqual(decodeRequest(encodeRequest(request)), request);
    }),
    { numRuns: 500 },
  );
});

test('property: responses round-trip, Connect responses included', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.option(connectArb, { nil: undefined }), fc.array(headerArb, { maxLength: 6 }), (code, connect, headers) => {
      const response: ObexResponse = { code, headers };
      if (connect) response.connect = { ...connect };
      const bytes = encodeResponse(response);
      assert.deepEqual(decodeResponse(bytes, { connectResponse: connect !== undefined }), response);
    }),
    { numRuns: 500 },
  );
});

function decodeOrObexError(bytes: Uint8Array): void {
  for (const run of [
    () => toHex(encodeRequest(decodeRequest(bytes))),
    () => toHex(encodeResponse(decodeResponse(bytes))),
    () => toHex(encodeResponse(decodeResponse(bytes, { connectResponse: true }))),
  ]) {
    let again: string;
    try {
      again = run();
    } catch (err) {
      assert.ok(isObexError(err), `non-ObexError escaped: ${String(err)}`);
      assert.equal(typeof err.offset, 'number');
      continue;
    }
    assert.equal(again, toHex(bytes));
  }
}

test('property: arbitrary bytes decode to packets that re-encode exactly, or fail with an ObexError', () => {
  const framed = fc.uint8Array({ minLength: 3, maxLength: 60 }).map((b) => {
    const out = Uint8Array.from(b);
    out[1] = 0;
    out[2] = out.length;
    return out;
  });
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 60 }), framed), decodeOrObexError), { numRuns: 1000 });
});

test('property: mutated valid packets decode or fail with an ObexError', () => {
  fc.assert(
    fc.property(requestArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (request, where, value) => {
      const bytes = encodeRequest(request);
      const mutated = Uint8Array.from(bytes);
      mutated[where % bytes.length] = value;
      decodeOrObexError(mutated);
      decodeOrObexError(bytes.subarray(0, where % bytes.length));
    }),
    { numRuns: 1000 },
  );
});
