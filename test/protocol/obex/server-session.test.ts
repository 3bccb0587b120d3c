/**
 * OBEX server session fed raw requests: Connection ID checks, refusals, SRM, Abort, timeouts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import {
  decodeResponse,
  encodeRequest,
  HeaderId,
  nameHeader,
  srmHeader,
  bodyHeader,
  ObexServerSession,
  PutRefusal,
  isObexError,
  ObexErrorKind,
  readBytes,
  ResponseCode,
  TargetUuid,
  targetHeader,
  type ObexServerHandlers,
  type ObexServerOptions,
} from '../../../src/protocol/obex';
import { concat, hex, toHex, Wire } from './obex-test-kit';

const PBAP_CONNECT = encodeRequest({
  opcode: 0x80,
  connect: { version: 0x10, flags: 0, maxPacketLength: 0x2000 },
  headers: [targetHeader(TargetUuid.Pbap)],
});

function setup(handlers: ObexServerHandlers, options: Partial<ObexServerOptions> = {}) {
  const clock = new VirtualClock();
  const wire = new Wire();
  const server = new ObexServerSession({ send: wire.send, clock, handlers, ...options });
  /** Feeds a request and returns the answers it produced within `ms` of virtual time. */
  const exchange = async (request: string | Uint8Array, ms = 10): Promise<string[]> => {
    server.receive(typeof request === 'string' ? hex(request) : request);
    await clock.runFor(ms);
    return wire.take().map(toHex);
  };
  return { clock, wire, server, exchange };
}

test('a targeted Connect gets a Connection ID and the Target echoed as Who', async () => {
  const { server, exchange } = setup({});
  const [answer] = await exchange(PBAP_CONNECT);
  assert.ok(answer);
  const response = decodeResponse(hex(answer), { connectResponse: true });
  assert.deepEqual(response.connect, { version: 0x10, flags: 0, maxPacketLength: 4096 });
  assert.deepEqual(response.headers[0], { id: HeaderId.ConnectionId, kind: 'u32', value: 1 });
  assert.deepEqual(readBytes(response.headers, HeaderId.Who), Uint8Array.from(TargetUuid.Pbap));
  assert.equal(server.maxPacketLength, 4096);
  assert.equal(server.connectionId, 1);
});

test('a Connect handler can refuse; requireConnect then keeps other requests out', async () => {
  const { server, exchange } = setup({ connect: () => ResponseCode.Forbidden, get: () => ({ body: hex('61') }) }, { requireConnect: true });
  assert.deepEqual(await exchange(PBAP_CONNECT), ['c3000710001000']);
  assert.equal(server.connected, false);
  assert.deepEqual(await exchange('83 00 03'), ['d30003']);
});

test('after a targeted Connect a request needs the right Connection ID', async () => {
  const { exchange } = setup({ get: () => ({ body: hex('61') }) });
  await exchange(PBAP_CONNECT);
  assert.deepEqual(await exchange('83 00 03'), ['d30003']);
  assert.deepEqual(await exchange('83 00 08 CB 00 00 00 02'), ['d30003']);
  assert.deepEqual(await exchange('83 00 08 CB 00 00 00 01'), ['900007480004' + '61']);
  assert.deepEqual(await exchange('83 00 08 CB 00 00 00 01'), ['a00006490003']);
});

test('malformed requests get Bad Request and the session stays usable', async () => {
  const { server, exchange } = setup({ setPath: () => undefined });
  assert.deepEqual(await exchange('85 00 08 02 00 01 00 04'), ['c00003']);
  assert.deepEqual(await exchange('80 00 07 10 00 00 10'), ['c0000710001000']);
  assert.deepEqual(await exchange('85 00 05 02 00'), ['a00003']);
  assert.equal(server.isClosed, false);
});

test('missing handlers answer Not Implemented; a throwing handler Internal Server Error', async () => {
  const { exchange } = setup({
    get: () => {
      throw new Error('boom');
    },
  });
  assert.deepEqual(await exchange('82 00 03'), ['d10003']);
  assert.deepEqual(await exchange('85 00 05 02 00'), ['d10003']);
  assert.deepEqual(await exchange('87 00 03'), ['d10003']);
  assert.deepEqual(await exchange('83 00 03'), ['d00003']);
  assert.deepEqual(await exchange('FF 00 03'), ['a00003']);
});

test('a GET handler may answer with a code, or with headers only', async () => {
  let calls = 0;
  const { exchange } = setup({
    get: (request) => {
      calls++;
      if (request.name === 'nope') return ResponseCode.NotFound;
      return { headers: [{ id: HeaderId.AppParameters, kind: 'bytes', value: hex('08 02 00 2A') }] };
    },
  });
  assert.deepEqual(await exchange(encodeRequest({ opcode: 0x83, headers: [nameHeader('nope')] })), ['c40003']);
  assert.deepEqual(await exchange('83 00 03'), ['a0000a4c00070802002a']);
  assert.equal(calls, 2);
});

test('a GET whose headers span several packets is answered Continue until its final packet', async () => {
  const seen: unknown[] = [];
  const { exchange } = setup({ get: (r) => (seen.push([r.name, r.type]), { body: new Uint8Array(0) }) });
  assert.deepEqual(await exchange(encodeRequest({ opcode: 0x03, headers: [nameHeader('a')] })), ['900003']);
  assert.deepEqual(await exchange('83 00 06 42 00 03'), ['a00006490003']);
  assert.deepEqual(seen, [['a', '']]);
});

test('Abort mid-GET stops the body source and is answered Success', async () => {
  let returned = false;
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) yield new Uint8Array(300);
    } finally {
      returned = true;
    }
  }
  let aborts = 0;
  const { exchange } = setup({ get: () => ({ body: body() }), abort: () => void aborts++ });
  const [first] = await exchange('83 00 03');
  assert.equal(first?.slice(0, 6), '9000ff');
  assert.deepEqual(await exchange('FF 00 03'), ['a00003']);
  assert.equal(returned, true);
  assert.equal(aborts, 1);
  assert.deepEqual(await exchange('FF 00 03'), ['a00003']);
});

test('a receiver that refuses mid-body with PutRefusal gets its own code; any other throw, or a non-error code, is Internal Server Error', async () => {
  const reasons: string[] = [];
  for (const [thrown, expected] of [
    [new PutRefusal(0xcd, 'too big'), 'cd0003'],
    [new PutRefusal(0x90, 'not a refusal'), 'd00003'],
    [new RangeError('gave up'), 'd00003'],
  ] as const) {
    const { exchange } = setup({
      put: () => ({
        onBody: () => {
          throw thrown;
        },
        onAbort: (reason) => void reasons.push(reason),
      }),
    });
    assert.deepEqual(await exchange('02 00 07 48 00 04 61'), [expected], String(thrown));
  }
  assert.deepEqual(reasons, ['refused', 'refused', 'refused']);
});

test('half a request packet and silence: the session closes with obex.timeout after timeoutMs; each chunk restarts the wait', async () => {
  const closed: (Error | undefined)[] = [];
  const { server, exchange, clock } = setup({ get: () => ({ body: hex('61') }) }, { timeoutMs: 1000, onClose: (reason) => void closed.push(reason) });
  // A whole packet leaves nothing behind: no timer.
  assert.deepEqual(await exchange('81 00 03'), ['a00003']);
  assert.equal(server.partialBytes, 0);
  await exchange('83 00');
  assert.equal(server.partialBytes, 2);
  await clock.runFor(900);
  await exchange('05'); // a dribble: still not a packet, the wait starts again
  await clock.runFor(900);
  assert.equal(server.isClosed, false);
  await clock.runFor(100);
  assert.equal(server.isClosed, true);
  assert.equal(closed.length, 1);
  assert.ok(isObexError(closed[0], ObexErrorKind.Timeout), String(closed[0]));
  assert.equal(clock.pendingEvents, 0);
});

test('a stalled PUT is aborted with reason timeout, an Abort with reason abort', async () => {
  const reasons: string[] = [];
  const { exchange, clock } = setup({ put: () => ({ onAbort: (reason) => void reasons.push(reason) }) }, { timeoutMs: 1000 });
  assert.deepEqual(await exchange('02 00 07 48 00 04 61'), ['900003']);
  await clock.runFor(1000);
  assert.deepEqual(await exchange('02 00 07 48 00 04 61'), ['900003']);
  assert.deepEqual(await exchange('FF 00 03'), ['a00003']);
  assert.deepEqual(reasons, ['timeout', 'abort']);
});

test('a client that stalls inside a PUT has it dropped after the timeout; the session stays usable', async () => {
  let aborted = false;
  let hookCalls = 0;
  const { exchange, clock, server } = setup(
    { put: () => ({ onAbort: () => void (aborted = true) }), abort: () => void hookCalls++ },
    { timeoutMs: 5000 },
  );
  assert.deepEqual(await exchange('02 00 07 48 00 04 61'), ['900003']);
  await clock.runFor(4989); // exchange() already ran 10 ms
  assert.equal(aborted, false);
  await clock.runFor(1);
  assert.deepEqual([aborted, hookCalls], [true, 1]);
  assert.equal(clock.pendingEvents, 0);
  assert.deepEqual(await exchange('82 00 06 49 00 03'), ['a00003']);
  assert.equal(server.isClosed, false);
});

test('a client that moves on mid-PUT (Disconnect) ends the PUT and gets its Disconnect answered', async () => {
  let aborted = false;
  const { exchange, server } = setup({ put: () => ({ onAbort: () => void (aborted = true) }) });
  await exchange(PBAP_CONNECT);
  assert.deepEqual(await exchange('02 00 0C CB 00 00 00 01 48 00 04 61'), ['900003']);
  assert.deepEqual(await exchange('81 00 08 CB 00 00 00 01'), ['a00003']);
  assert.equal(aborted, true);
  assert.equal(server.connected, false);
});

test('SRM PUT: only the first and the last packet are answered', async () => {
  const got: Uint8Array[] = [];
  const { exchange } = setup({ put: () => ({ onBody: (c) => void got.push(Uint8Array.from(c)) }) });
  assert.deepEqual(await exchange('02 00 09 97 01 48 00 04 61'), ['9000059701']);
  assert.deepEqual(await exchange('02 00 07 48 00 04 62'), []);
  assert.deepEqual(await exchange('82 00 07 49 00 04 63'), ['a00003']);
  assert.deepEqual(concat(got), hex('61 62 63'));
});

test('SRM GET with SRMP wait: one response per request until a request without it, then streaming', async () => {
  // The first request is bluez's get_req_first_srm_wait without Type and Name.
  const body = new Uint8Array(247 + 249 + 249).map((_, i) => i & 0xff);
  const { exchange } = setup({ get: () => ({ body }) });
  const first = await exchange('83 00 07 97 01 98 01');
  assert.equal(first.length, 1);
  assert.equal(first[0]?.slice(0, 10), '9000ff9701');
  const rest = await exchange('83 00 03');
  assert.deepEqual(
    rest.map((r) => r.length / 2),
    [255, 255, 6],
  );
  assert.equal(rest[2], 'a00006490003');
});

test('after an SRM PUT ends early, the packets the client had already streamed are dropped', async () => {
  let calls = 0;
  const { exchange } = setup({
    put: () => {
      calls++;
      return {
        onBody: (chunk) => {
          if (chunk[0] === 0x62) throw new Error('no space');
        },
      };
    },
    setPath: () => undefined,
  });
  const first = encodeRequest({ opcode: 0x02, headers: [nameHeader('a'), srmHeader(1), bodyHeader(hex('61'))] });
  assert.deepEqual(await exchange(first), ['9000059701']);
  assert.deepEqual(await exchange('02 00 07 48 00 04 62'), ['d00003']);
  assert.deepEqual(await exchange('02 00 07 48 00 04 63'), []);
  assert.deepEqual(await exchange('82 00 06 49 00 03'), []);
  assert.deepEqual(await exchange('85 00 05 02 00'), ['a00003']);
  assert.equal(calls, 1);
});

test('a handler header that cannot be encoded turns into Internal Server Error', async () => {
  const { exchange } = setup({ setPath: () => ({ headers: [{ id: HeaderId.Srm, kind: 'u8', value: 999 }] }) });
  assert.deepEqual(await exchange('85 00 05 02 00'), ['d00003']);
});

test('a full request queue closes the session', async () => {
  const closes: unknown[] = [];
  const { server } = setup(
    { put: () => ({ onBody: () => new Promise(() => undefined) }) },
    { maxQueuedRequests: 3, onClose: (r) => closes.push(r) },
  );
  for (let i = 0; i < 6; i++) server.receive(hex('02 00 07 48 00 04 61'));
  assert.equal(server.isClosed, true);
  assert.equal(closes.length, 1);
});
