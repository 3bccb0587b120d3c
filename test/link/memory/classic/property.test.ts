import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteChannel, COD_AUDIO_VIDEO_HANDS_FREE } from '../../../../src/link/classic';
import { DEFAULT_CLASSIC_MODEL } from '../../../../src/link/classic-model';
import { LinkError } from '../../../../src/link/errors';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import { MemoryByteChannel, MemoryClassicAir, MemoryClassicConnection } from '../../../../src/link/memory/classic';

const PHONE = '11:22:33:44:55:66';
const PC = 'AA:BB:CC:DD:EE:01';
const CHANNELS = [2, 19] as const;

type Side = 'pc' | 'phone';
type Action =
  | { at: number; kind: 'write'; side: Side; channel: number; size: number }
  | { at: number; kind: 'open' | 'pause' | 'resume' | 'close'; side: Side; channel: number }
  | { at: number; kind: 'connect' | 'disconnect' | 'pair' | 'discover' | 'powerOff' | 'powerOn' | 'forgetBond'; side: Side; channel: number };

type Fault =
  | { kind: 'dropAt'; at: number; reason: number }
  | { kind: 'afterBytes'; count: number }
  | { kind: 'outOfRange'; at: number; duration: number };

const time = fc.integer({ min: 0, max: 4000 });
const side = fc.constantFrom<Side>('pc', 'phone');
const channel = fc.constantFrom(...CHANNELS);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ at: time, kind: fc.constant('write' as const), side, channel, size: fc.integer({ min: 1, max: 4000 }) }) },
  { weight: 3, arbitrary: fc.record({ at: time, kind: fc.constant('open' as const), side, channel }) },
  { weight: 3, arbitrary: fc.record({ at: time, kind: fc.constantFrom('pause' as const, 'resume' as const, 'close' as const), side, channel }) },
  {
    weight: 3,
    arbitrary: fc.record({
      at: time,
      kind: fc.constantFrom('connect' as const, 'disconnect' as const, 'pair' as const, 'discover' as const, 'powerOff' as const, 'powerOn' as const, 'forgetBond' as const),
      side,
      channel,
    }),
  },
);
const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ kind: fc.constant('dropAt' as const), at: time, reason: fc.constantFrom(0x08, 0x13, 0x16) }),
  fc.record({ kind: fc.constant('afterBytes' as const), count: fc.integer({ min: 1, max: 60_000 }) }),
  fc.record({ kind: fc.constant('outOfRange' as const), at: time, duration: fc.integer({ min: 1, max: 3000 }) }),
);
const plan = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  frameSize: fc.integer({ min: 23, max: 2000 }),
  pcFrameSize: fc.integer({ min: 23, max: 32767 }),
  credits: fc.integer({ min: 1, max: 8 }),
  thresholdPart: fc.double({ min: 0, max: 1, noNaN: true }),
  latencyMs: fc.constantFrom(0, 1, 5, 20, 60),
  bitrate: fc.constantFrom(100_000, 700_000, 1_400_000, 2_100_000),
  txQueueLimitBytes: fc.integer({ min: 2000, max: 40_000 }),
  supervisionTimeoutMs: fc.integer({ min: 200, max: 2500 }),
  actions: fc.array(action, { maxLength: 40 }),
  faults: fc.array(fault, { maxLength: 4 }),
});

/** Byte `pos` of a stream: a hash, so a shifted, repeated or reordered stretch never matches. */
const streamByte = (salt: number, pos: number): number => Math.imul((pos + 1) ^ salt, 0x9e3779b1) >>> 24;

interface Stream {
  sent: number[];
  received: number[];
}

interface Session {
  phoneEnd: MemoryByteChannel;
  pcEnd: MemoryByteChannel | undefined;
  toPhone: Stream;
  toPc: Stream;
}

test('for random writes both ways and random faults, each stream arrives as an exact prefix and everything settles', async () => {
  await fc.assert(
    fc.asyncProperty(plan, async (p) => {
      const clock = new VirtualClock();
      const air = new MemoryClassicAir(clock, { seed: p.seed });
      const model = {
        ...DEFAULT_CLASSIC_MODEL,
        rfcommFrameSize: p.frameSize,
        initialCredits: p.credits,
        creditReturnThreshold: Math.max(1, Math.min(p.credits, Math.ceil(p.thresholdPart * p.credits))),
        latencyMs: p.latencyMs,
        bitrate: p.bitrate,
        txQueueLimitBytes: p.txQueueLimitBytes,
        supervisionTimeoutMs: p.supervisionTimeoutMs,
      };
      const phone = air.createHost({ address: PHONE, name: 'iPhone', classOfDevice: 0x7a020c, model });
      const pc = air.createClient({ address: PC, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE, maxFrameSize: p.pcFrameSize, pageTimeoutMs: 1500 });
      const handlerErrors: unknown[] = [];
      air.events.on('handlerError', (e) => handlerErrors.push(e.error));

      const pending = new Set<number>();
      let nextId = 0;
      const track = <T>(promise: Promise<T>): Promise<T> => {
        const id = nextId++;
        pending.add(id);
        promise.then(
          () => pending.delete(id),
          (error: unknown) => {
            pending.delete(id);
            assert.ok(error instanceof LinkError, `unexpected rejection: ${String(error)}`);
          },
        );
        return promise;
      };
      const sessions: Session[] = [];
      const live = new Map<string, Session>();
      let salt = 1;
      const record = (end: MemoryByteChannel, stream: Stream): void => {
        end.events.on('data', (chunk) => stream.received.push(...chunk));
      };
      for (const n of CHANNELS) {
        phone.listen(n, (peer, end: ByteChannel) => {
          if (!(end instanceof MemoryByteChannel)) return false;
          const session: Session = { phoneEnd: end, pcEnd: undefined, toPhone: { sent: [], received: [] }, toPc: { sent: [], received: [] } };
          sessions.push(session);
          live.set(`${(peer as { connectionId?: number }).connectionId}:${n}`, session);
          record(end, session.toPhone);
          return true;
        });
      }
      let current: MemoryClassicConnection | undefined;
      const sessionOf = (n: number): Session | undefined => (current ? live.get(`${current.connectionId}:${n}`) : undefined);
      const endOf = (a: { side: Side; channel: number }): MemoryByteChannel | undefined => {
        const s = sessionOf(a.channel);
        return a.side === 'pc' ? s?.pcEnd : s?.phoneEnd;
      };

      const open = (connection: MemoryClassicConnection, n: number): void => {
        track(connection.openChannel(n)).then(
          (end) => {
            const s = live.get(`${connection.connectionId}:${n}`);
            assert.ok(s && s.pcEnd === undefined, 'an accepted channel has a phone end waiting');
            s.pcEnd = end;
            record(end, s.toPc);
          },
          () => undefined,
        );
      };
      /** Connects and opens both channels, as a PC would after discovery. */
      const connectAndOpen = (): void => {
        track(pc.connect(PHONE)).then(
          (c) => {
            current = c;
            for (const n of CHANNELS) open(c, n);
          },
          () => undefined,
        );
      };

      for (const f of p.faults) {
        if (f.kind === 'dropAt') air.faults.dropLinkAt(f.at, f.reason);
        else if (f.kind === 'afterBytes') air.faults.dropLinkAfterBytes(f.count);
        else air.faults.outOfRange(f.duration, f.at);
      }
      for (const a of p.actions) {
        clock.schedule(a.at, () => {
          switch (a.kind) {
            case 'connect':
              if (!current?.connected) connectAndOpen();
              return;
            case 'open':
              if (current?.connected) open(current, a.channel);
              return;
            case 'write': {
              const end = endOf(a);
              const s = sessionOf(a.channel);
              if (!end || !s) return;
              const stream = a.side === 'pc' ? s.toPhone : s.toPc;
              const streamSalt = (salt++ * 0x1f123bb5) >>> 0;
              const data = new Uint8Array(a.size);
              for (let i = 0; i < a.size; i++) data[i] = streamByte(streamSalt, stream.sent.length + i);
              try {
                end.write(data);
                stream.sent.push(...data);
              } catch (error) {
                assert.ok(error instanceof LinkError, String(error));
              }
              return;
            }
            case 'pause':
              endOf(a)?.pauseReading();
              return;
            case 'resume':
              endOf(a)?.resumeReading();
              return;
            case 'close': {
              const end = endOf(a);
              if (end) track(end.close());
              return;
            }
            case 'disconnect':
              if (current) track(current.disconnect());
              return;
            case 'pair':
              if (current) track(current.pair());
              return;
            case 'discover':
              track(pc.discover(PHONE));
              return;
            case 'powerOff':
              phone.powerOff();
              return;
            case 'powerOn':
              phone.powerOn();
              return;
            case 'forgetBond':
              phone.forgetBond(PC);
              return;
          }
        });
      }
      connectAndOpen();
      await clock.runUntilIdle({ until: 500_000 });
      assert.equal(pending.size, 0, `${pending.size} promises still pending at t=${clock.now()}`);
      assert.equal(clock.nextEventTime(), undefined);
      assert.deepEqual(handlerErrors, []);
      for (const s of sessions) {
        for (const [name, stream, receiver, sender] of [
          ['to phone', s.toPhone, s.phoneEnd, s.pcEnd],
          ['to pc', s.toPc, s.pcEnd, s.phoneEnd],
        ] as const) {
          const { sent, received } = stream;
          assert.ok(received.length <= sent.length, `${name}: more arrived than was sent`);
          for (let i = 0; i < received.length; i++) {
            if (received[i] !== sent[i]) assert.fail(`${name}: byte ${i} is ${received[i]}, sent ${sent[i]}`);
          }
          // A channel still open at both ends with a reading receiver has delivered everything.
          if (receiver?.open && sender?.open && !receiver.readingPaused) {
            assert.equal(received.length, sent.length, `${name}: stuck with ${sender.pendingBytes} bytes pending`);
          }
        }
      }
    }),
    { numRuns: 300 },
  );
});
