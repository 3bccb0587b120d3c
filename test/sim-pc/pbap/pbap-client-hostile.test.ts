import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { LinkError } from '../../../src/link/errors';
import { PbapClient } from '../../../src/sim-pc/pbap/pbap-client';
import { PbapProtocolError } from '../../../src/sim-pc/pbap/errors';
import { SimPcError } from '../../../src/sim-pc/errors';
import { FakePhone, PHONE } from './fake-pse';

const CONNECT_OK = Uint8Array.from([0xa0, 0x00, 0x0c, 0x10, 0x00, 0x10, 0x00, 0xcb, 0x00, 0x00, 0x00, 0x01]);
const SUCCESS = Uint8Array.from([0xa0, 0x00, 0x03]);

function packet(code: number, headers: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + headers.length);
  out[0] = code;
  out[1] = out.length >> 8;
  out[2] = out.length & 0xff;
  out.set(headers, 3);
  return out;
}

function header(id: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + value.length);
  out[0] = id;
  out[1] = out.length >> 8;
  out[2] = out.length & 0xff;
  out.set(value, 3);
  return out;
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const text = fc.constantFrom(
  'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n',
  'BEGIN:VCARD\r\nVERSION:3.0\r\n',
  'END:VCARD\r\n',
  'BEGIN:VCARD\r\nVERSION:7\r\nEND:VCARD\r\n',
  'junk\r\n',
);
const code = fc.oneof(fc.constantFrom(0x90, 0xa0, 0xc3, 0xc4, 0xd0, 0x10, 0x20), fc.integer({ min: 0, max: 255 }));
const bodyHeader = fc.oneof(
  text.map((t) => header(0x48, Buffer.from(t))),
  text.map((t) => header(0x49, Buffer.from(t))),
  bytes(30).map((b) => header(0x48, b)),
);
const appParams = fc.oneof(
  fc.constantFrom(Uint8Array.from([0x08, 0x02, 0x00, 0x05]), Uint8Array.from([0x08, 0x01, 0x05]), Uint8Array.from([0x09, 0x01, 0x02, 0x08])),
  bytes(12),
).map((b) => header(0x4c, b));
const response = fc.oneof(
  fc.tuple(code, fc.array(fc.oneof(bodyHeader, appParams), { maxLength: 3 })).map(([c, hs]) => packet(c, Buffer.concat(hs))),
  fc.tuple(code, bytes(20)).map(([c, b]) => packet(c, b)),
  bytes(24),
  // A length field that promises more than ever comes, or more than we accept.
  fc.constantFrom(Uint8Array.from([0x90, 0x00, 0x40, 0x48]), Uint8Array.from([0xa0, 0xff, 0xff])),
);

test('hostile OBEX answers leave the client usable or closed, never hung, and fail with typed errors', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(response, { minLength: 0, maxLength: 3 }), { maxLength: 6 }),
      fc.boolean(),
      fc.integer({ min: 1, max: 64 }),
      async (script, answerAbort, frame) => {
        const clock = new VirtualClock();
        const queue = [...script];
        const phone = new FakePhone(clock, {
          frameSize: frame,
          rawResponses: (request) => {
            const opcode = request[0];
            if (opcode === 0x80) return [CONNECT_OK];
            if (opcode === 0xff) return answerAbort ? [SUCCESS] : [];
            if (opcode === 0x81) return [SUCCESS];
            return queue.shift() ?? [];
          },
        });
        const client = new PbapClient({ client: phone, phoneAddress: PHONE, clock, timeoutMs: 5_000 });
        const outcomes: unknown[] = [];
        const connect = client.connect();
        await clock.runUntil(() => client.state !== 'connecting', 60_000);
        await connect;
        for (const op of [() => client.pullPhonebook('pb'), () => client.phonebookSize('pb'), () => client.pullListing('telecom/pb')]) {
          let done = false;
          op().then(
            () => {
              done = true;
            },
            (err: unknown) => {
              outcomes.push(err);
              done = true;
            },
          );
          // Nothing may hang: every operation settles within a few inactivity periods.
          await clock.runUntil(() => done, 60_000);
          assert.ok(client.state === 'connected' || client.state === 'closed', client.state);
        }
        for (const err of outcomes) {
          assert.ok(err instanceof SimPcError || err instanceof LinkError, `untyped failure: ${String(err)}`);
        }
        client.close();
        await clock.runUntilIdle({ until: clock.now() + 600_000 });
      },
    ),
    { numRuns: 300 },
  );
});

test('a Continue with bad application parameters fails the pull as a protocol error and resyncs with Abort', async () => {
  const clock = new VirtualClock();
  const phone = new FakePhone(clock, {
    rawResponses: (request) => {
      if (request[0] === 0x80) return [CONNECT_OK];
      if (request[0] === 0xff) return [SUCCESS];
      return [packet(0x90, header(0x4c, Uint8Array.from([0x08, 0x01, 0x05])))];
    },
  });
  const client = new PbapClient({ client: phone, phoneAddress: PHONE, clock });
  const connect = client.connect();
  await clock.runUntil(() => client.state === 'connected', 10_000);
  await connect;
  let error: unknown;
  client.pullPhonebook('pb').catch((e: unknown) => (error = e));
  await clock.runUntil(() => error !== undefined, 60_000);
  assert.ok(error instanceof PbapProtocolError);
  assert.equal(error.causeCode, 'pbap.bad-size');
  assert.equal(client.state, 'connected');
});

test('an answer with no PhonebookSize is a protocol error', async () => {
  const clock = new VirtualClock();
  const phone = new FakePhone(clock, {
    rawResponses: (request) => (request[0] === 0x80 ? [CONNECT_OK] : [SUCCESS]),
  });
  const client = new PbapClient({ client: phone, phoneAddress: PHONE, clock });
  const connect = client.connect();
  await clock.runUntil(() => client.state === 'connected', 10_000);
  await connect;
  let error: unknown;
  client.phonebookSize('pb').catch((e: unknown) => (error = e));
  await clock.runUntil(() => error !== undefined, 60_000);
  assert.ok(error instanceof PbapProtocolError);
  assert.match(error.message, /PhonebookSize/);
});
