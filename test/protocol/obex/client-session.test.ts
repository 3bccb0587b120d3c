/**
 * OBEX client session against a scripted peer: negotiation, Connection ID, failures and how they leave the session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/link/virtual-clock';
import {
  decodeRequest,
  encodeResponse,
  HeaderId,
  isObexError,
  ObexClientSession,
  ObexResponseError,
  Opcode,
  ResponseCode,
  TargetUuid,
  type ObexClientOptions,
} from '../../../src/protocol/obex';
import { concat, headerArb, hex, toHex, track, Wire } from './obex-test-kit';

const CONN_RSP = hex('A0 00 0C 10 00 10 00 CB 00 00 00 07');
const OK = hex('A0 00 03');
const CONTINUE = hex('90 00 03');

function setup(options: Partial<ObexClientOptions> = {}) {
  const clock = new VirtualClock();
  const wire = new Wire();
  const client = new ObexClientSession({ send: wire.send, clock, ...options });
  /** Lets pending promise continuations run without moving virtual time. */
  const settle = () => clock.runFor(0);
  return { clock, wire, client, settle };
}

async function connected(options: Partial<ObexClientOptions> = {}) {
  const s = setup(options);
  const done = s.client.connect({ target: TargetUuid.Pbap });
  await s.settle();
  s.client.receive(CONN_RSP);
  await done;
  s.wire.take();
  return s;
}

test('connect announces our maximum and adopts the smaller of the two', async () => {
  const { client, wire, settle } = setup({ maxPacketLength: 8000 });
  assert.equal(client.maxPacketLength, 255);
  const done = client.connect({ target: TargetUuid.MapMas });
  await settle();
  assert.equal(toHex(wire.sent[0] as Uint8Array), '80001a10001f40' + '460013' + toHex(Uint8Array.from(TargetUuid.MapMas)));
  client.receive(hex('A0 00 1F 10 00 03 E8 CB 00 00 00 05 4A 00 13' + toHex(Uint8Array.from(TargetUuid.MapMas))));
  const result = await done;
  assert.deepEqual(
    [result.connectionId, result.maxPacketLength, result.remoteMaxPacketLength, client.maxPacketLength, client.connected],
    [5, 1000, 1000, 1000, true],
  );
  assert.deepEqual(result.who, Uint8Array.from(TargetUuid.MapMas));
});

test('Connection ID is the first header of every request after connect', async () => {
  const { client, wire, settle } = await connected();
  const get = client.get({ name: 'pb.vcf', type: 'x-bt/phonebook' }, { onBody: () => undefined });
  await settle();
  client.receive(hex('90 00 08 48 00 05 61 62'));
  await settle();
  client.receive(hex('A0 00 06 49 00 03'));
  await get;
  const put = client.put({ name: 'x' }, new Uint8Array(10));
  await settle();
  client.receive(CONTINUE);
  await settle();
  client.receive(OK);
  await put;
  const setPath = client.setPath({ name: '' });
  await settle();
  client.receive(OK);
  await setPath;
  const requests = wire.take();
  assert.equal(requests.length, 5);
  for (const bytes of requests) {
    assert.deepEqual(decodeRequest(bytes).headers[0], { id: HeaderId.ConnectionId, kind: 'u32', value: 7 }, toHex(bytes));
  }
  // SetPath to the root: flags 0x02 and an empty Name.
  assert.equal(toHex(requests[4] as Uint8Array), '85000d0200cb00000007010003');
});

test('a second operation is refused while one runs; the first is untouched', async () => {
  const { client, settle } = await connected();
  const first = client.setPath({ name: 'telecom' });
  await assert.rejects(client.setPath({ name: 'pb' }), (e: unknown) => isObexError(e, 'obex.busy'));
  await settle();
  client.receive(OK);
  assert.deepEqual(await first, { code: 0xa0, headers: [] });
  assert.equal(client.state, 'idle');
});

test('no answer within the timeout rejects the operation and closes the session, leaving no timer', async () => {
  const { client, clock } = await connected({ timeoutMs: 2000 });
  const outcome = track(client.setPath({ name: 'x' }));
  await clock.runFor(1999);
  assert.equal(outcome.settled, false);
  await clock.runFor(1);
  assert.ok(isObexError(outcome.error, 'obex.timeout'));
  assert.equal(client.state, 'closed');
  assert.equal(clock.pendingEvents, 0);
  await assert.rejects(client.disconnect(), (e: unknown) => isObexError(e, 'obex.closed'));
});

test('a refusal rejects with the response code and leaves the session usable', async () => {
  const { client, settle } = setup();
  const refused = client.connect();
  await settle();
  client.receive(hex('C3 00 07 10 00 10 00'));
  await assert.rejects(refused, (e: unknown) => e instanceof ObexResponseError && e.responseCode === ResponseCode.Forbidden);
  assert.equal(client.connected, false);
  const get = client.get({ name: 'missing' }, { onBody: () => undefined });
  await settle();
  client.receive(hex('C4 00 03'));
  await assert.rejects(get, (e: unknown) => e instanceof ObexResponseError && e.responseCode === ResponseCode.NotFound);
  assert.equal(client.state, 'idle');
});

test('a malformed answer to a one-exchange operation rejects it; the session stays usable', async () => {
  const { client, settle } = await connected();
  const setPath = client.setPath({ name: 'x' });
  await settle();
  client.receive(hex('A0 00 05 48 00'));
  await assert.rejects(setPath, (e: unknown) => isObexError(e, 'obex.truncated'));
  assert.equal(client.state, 'idle');
});

test('a malformed Continue mid-GET rejects the GET and brings the peer back in step with Abort', async () => {
  const { client, wire, settle } = await connected();
  const get = track(client.get({ name: 'x' }, { onBody: () => undefined }));
  await settle();
  client.receive(hex('90 00 07 01 00 04 00'));
  await settle();
  const abort = wire.take()[1] as Uint8Array;
  assert.equal(toHex(abort), 'ff0008cb00000007');
  assert.equal(get.settled, false);
  client.receive(OK);
  await settle();
  assert.ok(isObexError(get.error, 'obex.bad-unicode'));
  assert.equal(client.state, 'idle');
});

test('a sink that throws mid-GET aborts the transfer and the error reaches the caller', async () => {
  const { client, wire, settle } = await connected();
  const boom = new Error('disk full');
  const get = track(
    client.get({ name: 'x' }, {
      onBody: () => {
        throw boom;
      },
    }),
  );
  await settle();
  client.receive(hex('90 00 07 48 00 04 61'));
  await settle();
  assert.equal(decodeRequest(wire.take()[1] as Uint8Array).opcode, Opcode.Abort);
  client.receive(OK);
  await settle();
  assert.equal(get.error, boom);
  assert.equal(client.state, 'idle');
});

test('abort() cancels a GET: Abort sent, answered, operation rejected, session usable', async () => {
  const { client, wire, settle } = await connected();
  const get = track(client.get({ name: 'x' }, { onBody: () => undefined }));
  await settle();
  client.receive(hex('90 00 07 48 00 04 61'));
  await settle();
  const abort = track(client.abort());
  await settle();
  // The outstanding GET request is answered first, then the Abort.
  client.receive(hex('90 00 07 48 00 04 62'));
  await settle();
  assert.equal(abort.settled, false);
  client.receive(OK);
  await settle();
  assert.equal(abort.value, 'answered');
  assert.ok(isObexError(get.error, 'obex.aborted'));
  assert.deepEqual(wire.take().map((p) => p[0]), [0x83, 0x83, 0xff]);
  assert.equal(client.state, 'idle');
  assert.equal(await client.abort(), 'nothing-to-abort');
});

test('a PUT with an empty body is one Put-final with an empty End-of-Body; delete sends no body at all', async () => {
  const { client, wire, settle } = await connected();
  const put = client.put({ name: 'a' }, new Uint8Array(0));
  await settle();
  client.receive(OK);
  assert.equal((await put).bodyLength, 0);
  const del = client.delete({ name: 'a' });
  await settle();
  client.receive(OK);
  await del;
  assert.deepEqual(wire.take().map(toHex), ['820012cb0000000701000700610000490003', '82000fcb0000000701000700610000']);
});

test('PUT from an async iterable fills packets to the negotiated size', async () => {
  const { client, wire, settle } = await connected();
  const body = new Uint8Array(9000).map((_, i) => i % 251);
  async function* pieces(): AsyncIterable<Uint8Array> {
    for (let at = 0; at < body.length; at += 777) yield body.slice(at, at + 777);
  }
  const put = track(client.put({ name: 'big' }, pieces()));
  for (let i = 0; i < 10 && !put.settled; i++) {
    await settle();
    const last = wire.sent[wire.sent.length - 1];
    if (last && last[0] === Opcode.PutFinal) client.receive(OK);
    else client.receive(CONTINUE);
  }
  await settle();
  assert.equal(put.value?.bodyLength, 9000);
  const packets = wire.take();
  // 4074 bytes after CID and Name, then 4085, then the last 841, then an empty End-of-Body.
  assert.deepEqual(
    packets.map((p) => p.length),
    [4096, 4096, 852, 11],
  );
  const bodies = packets.flatMap((p) => decodeRequest(p).headers.filter((h) => h.id === HeaderId.Body || h.id === HeaderId.EndOfBody));
  assert.deepEqual(concat(bodies.map((h) => h.value as Uint8Array)), body);
});

test('headers that cannot fit a packet are refused before anything is sent', async () => {
  const { client, wire } = await connected();
  await assert.rejects(client.put({ name: 'n'.repeat(3000) }, new Uint8Array(1)), (e: unknown) => isObexError(e, 'obex.too-large'));
  assert.equal(wire.sent.length, 0);
  assert.equal(client.state, 'idle');
});

test('a response while nothing runs, or bytes that cannot be framed, close the session', async () => {
  const a = await connected();
  a.client.receive(OK);
  assert.equal(a.client.state, 'closed');

  const b = await connected();
  const get = b.client.get({ name: 'x' }, { onBody: () => undefined });
  await b.settle();
  b.client.receive(hex('90 00 01'));
  await assert.rejects(get, (e: unknown) => isObexError(e, 'obex.bad-length'));
  assert.equal(b.client.state, 'closed');
});

test('close() rejects the running operation and every later one', async () => {
  const closes: unknown[] = [];
  const { client } = await connected({ onClose: (r) => closes.push(r) });
  const get = client.get({ name: 'x' }, { onBody: () => undefined });
  client.close();
  await assert.rejects(get, (e: unknown) => isObexError(e, 'obex.closed'));
  await assert.rejects(client.connect(), (e: unknown) => isObexError(e, 'obex.closed'));
  assert.deepEqual(closes, [undefined]);
});

test('an SRM backlog over maxQueuedResponses closes the session', async () => {
  const { client, settle, clock } = await connected({ maxQueuedResponses: 4 });
  const get = track(client.get({ name: 'x', srm: true }, { onBody: () => clock.sleep(1000) }));
  await settle();
  client.receive(hex('90 00 09 97 01 48 00 04 61'));
  await settle();
  for (let i = 0; i < 6; i++) client.receive(hex('90 00 07 48 00 04 61'));
  assert.equal(client.state, 'closed');
  await clock.runFor(2000);
  assert.ok(isObexError(get.error, 'obex.closed'), String(get.error));
});

const OPS = ['connect', 'get', 'get-srm', 'put', 'put-srm', 'setPath', 'disconnect'] as const;

test('property: whatever a peer answers, an operation settles and leaves the session usable or closed', async () => {
  const replyArb = fc.oneof(
    fc.uint8Array({ maxLength: 12 }),
    fc
      .tuple(fc.constantFrom(0x90, 0xa0, 0xc3, 0xd3, 0x10, 0x20, 0xff), fc.array(headerArb, { maxLength: 3 }), fc.boolean())
      .map(([code, headers, connect]) =>
        encodeResponse({ code, headers, connect: connect ? { version: 0x10, flags: 0, maxPacketLength: 300 } : undefined }),
      ),
    fc.constant(hex('90 00 03')),
    fc.constant(hex('A0 00 03')),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...OPS),
      fc.array(fc.array(replyArb, { maxLength: 3 }), { maxLength: 6 }),
      fc.integer({ min: 0, max: 2000 }),
      async (op, script, bodySize) => {
        const clock = new VirtualClock();
        let sentCount = 0;
        const client: ObexClientSession = new ObexClientSession({
          clock,
          timeoutMs: 1000,
          send: () => {
            const replies = script[sentCount++] ?? [];
            for (const reply of replies) clock.schedule(1, () => client.receive(reply));
          },
        });
        const sink = { onBody: () => undefined };
        const body = new Uint8Array(bodySize);
        const run = {
          connect: () => client.connect(),
          get: () => client.get({ name: 'a' }, sink),
          'get-srm': () => client.get({ name: 'a', srm: true }, sink),
          put: () => client.put({ name: 'a' }, body),
          'put-srm': () => client.put({ name: 'a', srm: true }, body),
          setPath: () => client.setPath({ name: 'a' }),
          disconnect: () => client.disconnect(),
        }[op];
        const outcome = track(run());
        await clock.runUntilIdle();
        assert.ok(outcome.settled, 'operation settled');
        if (outcome.error !== undefined) assert.ok(isObexError(outcome.error), String(outcome.error));
        assert.ok(client.state === 'idle' || client.state === 'closed', client.state);
        if (client.state === 'idle') {
          const next = track(client.setPath({ name: 'b' }));
          assert.equal(client.state, 'busy');
          await clock.runUntilIdle();
          assert.ok(next.settled);
        }
      },
    ),
    { numRuns: 500 },
  );
});
