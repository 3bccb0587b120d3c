import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LinkError } from '../../../src/link/errors';
import { MemoryConnection } from '../../../src/link/memory';
import { BONDED, DATA, NOTIFY, PC, PHONE, SERVICE, makeRig } from './rig';

type Action =
  | { at: number; kind: 'notify'; count: number; size: number }
  | { at: number; kind: 'write' | 'writeCmd' | 'read' | 'readBonded' | 'mtu' | 'pair' | 'encrypt' | 'disconnect' }
  | { at: number; kind: 'reconnect' | 'subscribe' | 'unsubscribe' | 'discover' | 'scan' | 'forgetBond' }
  | { at: number; kind: 'powerOff' | 'powerOn' | 'addService' };

type Fault =
  | { kind: 'dropAt'; at: number; reason: number }
  | { kind: 'afterPackets'; count: number }
  | { kind: 'outOfRange'; at: number; duration: number };

const time = fc.integer({ min: 0, max: 3000 });
const simple = fc.constantFrom(
  'write',
  'writeCmd',
  'read',
  'readBonded',
  'mtu',
  'pair',
  'encrypt',
  'disconnect',
  'reconnect',
  'subscribe',
  'unsubscribe',
  'discover',
  'scan',
  'forgetBond',
  'powerOff',
  'powerOn',
  'addService',
) as fc.Arbitrary<Exclude<Action['kind'], 'notify'>>;

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ at: time, kind: fc.constant('notify' as const), count: fc.integer({ min: 1, max: 8 }), size: fc.integer({ min: 4, max: 40 }) }) },
  { weight: 4, arbitrary: fc.record({ at: time, kind: simple }) as fc.Arbitrary<Action> },
);

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ kind: fc.constant('dropAt' as const), at: time, reason: fc.constantFrom(0x08, 0x13, 0x3e) }),
  fc.record({ kind: fc.constant('afterPackets' as const), count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('outOfRange' as const), at: time, duration: fc.integer({ min: 1, max: 1500 }) }),
);

const plan = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  interval: fc.constantFrom(7.5, 15, 30, 50),
  packets: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 })),
  llPayloadOctets: fc.constantFrom(27, 100, 251),
  txQueueLimit: fc.integer({ min: 3, max: 40 }),
  actions: fc.array(action, { maxLength: 30 }),
  faults: fc.array(fault, { maxLength: 4 }),
});

test('for random traffic and faults, nothing stays pending and notifications arrive in order without duplicates', async () => {
  await fc.assert(
    fc.asyncProperty(plan, async (p) => {
      const rig = makeRig({
        seed: p.seed,
        model: {
          connectionIntervalMs: p.interval,
          packetsPerEvent: [p.packets[0], p.packets[0] + p.packets[1]],
          llPayloadOctets: p.llPayloadOctets,
          txQueueLimit: p.txQueueLimit,
          supervisionTimeoutMs: 720,
        },
      });
      const { clock, air, phone, pc } = rig;
      const pending = new Set<number>();
      let nextId = 0;
      const track = (promise: Promise<unknown>): void => {
        const id = nextId++;
        pending.add(id);
        promise.then(
          () => pending.delete(id),
          (error: unknown) => {
            pending.delete(id);
            // Everything the link rejects with is a LinkError subclass.
            assert.ok(error instanceof LinkError, `unexpected rejection: ${String(error)}`);
          },
        );
      };
      const sent = new Set<number>();
      const received: number[] = [];
      let seq = 0;
      let current: MemoryConnection | undefined;
      const listener = (value: Uint8Array): void => {
        received.push(new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0));
      };
      const open = (): void => {
        const attempt = pc.connect(PHONE, { timeoutMs: 800 });
        track(attempt);
        attempt.then((connection) => {
          current = connection;
          track(connection.gatt.subscribe(SERVICE, NOTIFY, listener));
        }, () => undefined);
      };
      const gatt = () => (current?.connected ? current.gatt : undefined);

      for (const f of p.faults) {
        if (f.kind === 'dropAt') air.faults.dropLinkAt(f.at, f.reason);
        else if (f.kind === 'afterPackets') air.faults.dropLinkAfterPackets(f.count);
        else air.faults.outOfRange(f.duration, f.at);
      }
      for (const a of p.actions) {
        clock.schedule(a.at, () => {
          const g = gatt();
          switch (a.kind) {
            case 'notify': {
              const peer = phone.peers()[0];
              for (let i = 0; i < a.count && peer; i++) {
                const value = new Uint8Array(a.size);
                new DataView(value.buffer).setUint32(0, seq);
                try {
                  phone.notify(peer, NOTIFY, value);
                  sent.add(seq);
                } catch (error) {
                  assert.ok(error instanceof LinkError, String(error));
                }
                seq++;
              }
              return;
            }
            case 'write':
              if (g) track(g.write(SERVICE, DATA, Uint8Array.of(1, 2)));
              return;
            case 'writeCmd':
              if (g) track(g.write(SERVICE, DATA, Uint8Array.of(3), false));
              return;
            case 'read':
              if (g) track(g.read(SERVICE, DATA));
              return;
            case 'readBonded':
              if (g) track(g.read(SERVICE, BONDED));
              return;
            case 'mtu':
              if (g) track(g.exchangeMtu(517));
              return;
            case 'subscribe':
              if (g) track(g.subscribe(SERVICE, NOTIFY, listener));
              return;
            case 'unsubscribe':
              if (g) track(g.unsubscribe(SERVICE, NOTIFY));
              return;
            case 'discover':
              if (g) track(g.discoverServices());
              return;
            case 'pair':
              if (current) track(current.pair());
              return;
            case 'encrypt':
              if (current) track(current.encrypt());
              return;
            case 'disconnect':
              if (current) track(current.disconnect());
              return;
            case 'reconnect':
              if (!current?.connected) open();
              return;
            case 'scan':
              track(pc.scan(200));
              return;
            case 'forgetBond':
              phone.forgetBond(PC);
              return;
            case 'powerOff':
              phone.powerOff();
              return;
            case 'powerOn':
              phone.powerOn();
              return;
            case 'addService':
              phone.addService({ uuid: '180F', characteristics: [{ uuid: '2A19', properties: ['read'], security: 'open' }] });
              return;
          }
        });
      }
      open();
      await clock.runUntilIdle({ until: 200_000 });
      assert.equal(pending.size, 0, `${pending.size} promises still pending at t=${clock.now()}`);
      for (let i = 1; i < received.length; i++) {
        assert.ok((received[i] ?? 0) > (received[i - 1] ?? 0), `out of order or duplicated: ${received.join(',')}`);
      }
      for (const n of received) assert.ok(sent.has(n), `received ${n}, which was never accepted`);
      assert.equal(clock.nextEventTime(), undefined);
    }),
    { numRuns: 150 },
  );
});
