/**
 * A client and a server session wired back to back through pipes that cut
 * the byte stream into random chunks with random small delays, on virtual
 * time: random bodies, sizes, packet limits and SRM settings must transfer
 * byte for byte, and an abort in the middle must leave both sides usable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { isObexError, ObexClientSession, ObexServerSession, TargetUuid, type BodySource } from '../../../src/protocol/obex';
import { ChunkingPipe, chunksOf, concat, toHex, track } from './obex-test-kit';

interface Pair {
  clock: VirtualClock;
  client: ObexClientSession;
  server: ObexServerSession;
  /** Objects the server serves by Name. */
  objects: Map<string, () => BodySource>;
  /** Bodies the server received, by Name (complete PUTs only). */
  received: Map<string, Uint8Array>;
  /** Called with the running byte count as the server receives PUT body bytes. */
  onServerBytes: (total: number) => void;
  serverAborts: number;
}

function makePair(seed: number, clientMax: number, serverMax: number, maxChunk = 700): Pair {
  const clock = new VirtualClock({ seed });
  const random = clock.random.fork();
  const pair = {
    clock,
    objects: new Map<string, () => BodySource>(),
    received: new Map<string, Uint8Array>(),
    onServerBytes: () => undefined,
    serverAborts: 0,
  } as unknown as Pair;
  const toServer = new ChunkingPipe(clock, random.fork(), (chunk) => pair.server.receive(chunk), maxChunk);
  const toClient = new ChunkingPipe(clock, random.fork(), (chunk) => pair.client.receive(chunk), maxChunk);
  pair.client = new ObexClientSession({ send: toServer.send, clock, maxPacketLength: clientMax });
  pair.server = new ObexServerSession({
    send: toClient.send,
    clock,
    maxPacketLength: serverMax,
    handlers: {
      get: (request) => {
        const make = pair.objects.get(request.name ?? '');
        return make ? { body: make() } : 0xc4;
      },
      put: (request) => {
        const parts: Uint8Array[] = [];
        let total = 0;
        return {
          onBody: (chunk) => {
            parts.push(Uint8Array.from(chunk));
            total += chunk.length;
            pair.onServerBytes(total);
          },
          onEnd: () => void pair.received.set(request.name ?? '', concat(parts)),
        };
      },
      abort: () => void pair.serverAborts++,
    },
  });
  return pair;
}

/** Runs the virtual clock until `promise` settles (bounded), then returns its outcome. */
async function settle<T>(pair: Pair, promise: Promise<T>): Promise<ReturnType<typeof track<T>>> {
  const outcome = track(promise);
  await pair.clock.runUntil(() => outcome.settled, 600_000);
  return outcome;
}

function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const transferArb = fc.record({
  kind: fc.constantFrom('get' as const, 'put' as const),
  size: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 24_000 })),
  srm: fc.boolean(),
  iterable: fc.boolean(),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 4 }),
});

const maxArb = fc.oneof(fc.constant(255), fc.integer({ min: 255, max: 65535 }), fc.constant(65535));

test('property: random bodies transfer byte for byte over a re-chunking channel', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(), maxArb, maxArb, fc.array(transferArb, { minLength: 1, maxLength: 3 }), async (seed, clientMax, serverMax, transfers) => {
      const pair = makePair(seed, clientMax, serverMax);
      const connect = await settle(pair, pair.client.connect({ target: TargetUuid.Pbap }));
      assert.equal(connect.value?.maxPacketLength, Math.min(clientMax, serverMax));
      for (const [i, transfer] of transfers.entries()) {
        const body = bytes(transfer.size, seed + i);
        const source = (): BodySource => (transfer.iterable ? chunksOf(body, transfer.chunkSizes) : body);
        const name = `object-${i}`;
        if (transfer.kind === 'get') {
          pair.objects.set(name, source);
          const parts: Uint8Array[] = [];
          const got = await settle(pair, pair.client.get({ name, srm: transfer.srm }, { onBody: (c) => void parts.push(Uint8Array.from(c)) }));
          assert.equal(got.error, undefined);
          assert.equal(got.value?.srm, transfer.srm);
          assert.equal(toHex(concat(parts)), toHex(body));
        } else {
          const put = await settle(pair, pair.client.put({ name, srm: transfer.srm }, source()));
          assert.equal(put.error, undefined);
          assert.equal(put.value?.bodyLength, body.length);
          assert.equal(toHex(pair.received.get(name) ?? new Uint8Array(1)), toHex(body));
        }
      }
      await settle(pair, pair.client.disconnect());
      await pair.clock.runUntilIdle();
      assert.equal(pair.clock.pendingEvents, 0, 'no timer left when idle');
      assert.equal(pair.client.state, 'idle');
      assert.equal(pair.server.isClosed, false);
    }),
    { numRuns: 60 },
  );
});

test('property: abort in the middle of a GET or PUT leaves both sessions usable', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat(),
      maxArb,
      maxArb,
      fc.constantFrom('get' as const, 'put' as const),
      fc.boolean(),
      fc.boolean(),
      fc.double({ min: 0, max: 0.95, noNaN: true }),
      abortScenario,
    ),
    { numRuns: 100 },
  );
});

async function abortScenario(
  seed: number,
  clientMax: number,
  serverMax: number,
  kind: 'get' | 'put',
  srm: boolean,
  slowSource: boolean,
  where: number,
): Promise<void> {
  const pair = makePair(seed, clientMax, serverMax);
  await settle(pair, pair.client.connect());
  const size = 20_000;
  const body = bytes(size, seed);
  const stopAt = Math.floor(where * size);
  let abort: Promise<string> | undefined;
  const startAbort = (): void => {
    abort ??= pair.client.abort();
  };
  // A slow source makes the server (GET) or the client (PUT) produce packets over time.
  const source = (): BodySource => (slowSource ? chunksOf(body, [1000], pair.clock) : body);
  let transfer: Promise<unknown>;
  if (kind === 'get') {
    pair.objects.set('big', source);
    let seen = 0;
    transfer = pair.client.get({ name: 'big', srm }, {
      onBody: (chunk) => {
        seen += chunk.length;
        if (seen >= stopAt) startAbort();
      },
    });
  } else {
    pair.onServerBytes = (total) => {
      if (total >= stopAt) pair.clock.schedule(0, startAbort);
    };
    transfer = pair.client.put({ name: 'big', srm }, source());
  }
  const outcome = await settle(pair, transfer);
  assert.ok(abort, 'abort was started');
  assert.equal(await abort, 'answered');
  assert.ok(isObexError(outcome.error, 'obex.aborted'), String(outcome.error));
  // An abort that races the last packet may find the object complete; never partial.
  const stored = pair.received.get('big');
  if (stored) assert.equal(toHex(stored), toHex(body));
  assert.equal(pair.client.state, 'idle');
  assert.equal(pair.server.isClosed, false);

  // Both sides carry on.
  pair.onServerBytes = () => undefined;
  const small = bytes(3000, seed + 1);
  pair.objects.set('small', () => small);
  const parts: Uint8Array[] = [];
  const got = await settle(pair, pair.client.get({ name: 'small', srm: !srm }, { onBody: (c) => void parts.push(Uint8Array.from(c)) }));
  assert.equal(got.error, undefined);
  assert.equal(toHex(concat(parts)), toHex(small));
  const put = await settle(pair, pair.client.put({ name: 'after', srm }, small));
  assert.equal(put.error, undefined);
  assert.equal(toHex(pair.received.get('after') ?? new Uint8Array(0)), toHex(small));
  await pair.clock.runUntilIdle();
}

test('abort of an SRM PUT racing its whole stream (a case fast-check found)', async () => {
  await abortScenario(0, 255, 255, 'put', true, false, 0.011600000000000001);
});
