/**
 * The hostile GATT host: ANCS Notification Source and Data Source values
 * are faulted byte-exactly as armed, out-of-order values are held until
 * the next ANCS value (or the hold time), and everything else passes
 * through untouched. Over a fake GattServerHost that records notifies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../../src/util/emitter';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { LinkError } from '../../../src/link/errors';
import { type GattPeer, type GattServerEvents, type GattServerHost, normalizeUuid } from '../../../src/link/ble';
import { ANCS_DATA_SOURCE_UUID, ANCS_NOTIFICATION_SOURCE_UUID } from '../../../src/protocol/ancs/constants';
import { HostileGattHost } from '../../../src/sim-phone/hostile/hostile-gatt-host';
import { Saboteur } from '../../../src/sim-phone/hostile/saboteur';

const NS = normalizeUuid(ANCS_NOTIFICATION_SOURCE_UUID);
const DS = normalizeUuid(ANCS_DATA_SOURCE_UUID);
const BATTERY = '2A19';
const PEER: GattPeer = { address: 'AA:BB:CC:DD:EE:01', mtu: 23, encrypted: true, bonded: true };

class FakeHost implements GattServerHost {
  readonly address = 'F0:99:B6:00:00:01';
  readonly events = new Emitter<GattServerEvents>();
  readonly sent: { characteristic: string; value: number[] }[] = [];
  refuse = false;
  addService(): void {}
  removeService(): void {}
  peers(): GattPeer[] {
    return [PEER];
  }
  isSubscribed(): boolean {
    return true;
  }
  notify(_peer: GattPeer, characteristic: string, value: Uint8Array): void {
    if (this.refuse) throw new LinkError('link.not-subscribed', 'not subscribed');
    this.sent.push({ characteristic, value: [...value] });
  }
  startAdvertising(): void {}
  stopAdvertising(): void {}
  setPairingPolicy(): void {}
}

function rig(): { inner: FakeHost; host: HostileGattHost; saboteur: Saboteur; clock: VirtualClock } {
  const clock = new VirtualClock({ seed: 1 });
  const inner = new FakeHost();
  const saboteur = new Saboteur({ clock, hostile: { rate: 0, seed: 1, profiles: [], kinds: [], holdMs: 500 } });
  return { inner, host: new HostileGattHost(inner, saboteur, clock), saboteur, clock };
}

const ns = (uid: number): Uint8Array => Uint8Array.from([0, 0x18, 4, 1, uid, 0, 0, 0]);

test('no fault armed: every value goes out as it was', () => {
  const { inner, host } = rig();
  host.notify(PEER, NS, ns(1));
  host.notify(PEER, BATTERY, Uint8Array.from([80]));
  assert.deepEqual(inner.sent, [
    { characteristic: NS, value: [0, 0x18, 4, 1, 1, 0, 0, 0] },
    { characteristic: BATTERY, value: [80] },
  ]);
});

test('truncated Notification Source: a strict prefix of the 8 bytes, recorded once', () => {
  const { inner, host, saboteur } = rig();
  saboteur.arm('ancs', 'truncated', 'notificationSource');
  host.notify(PEER, NS, ns(2));
  const out = inner.sent[0]?.value ?? [];
  assert.ok(out.length < 8);
  assert.deepEqual(out, [0, 0x18, 4, 1, 2, 0, 0, 0].slice(0, out.length));
  assert.deepEqual(
    saboteur.faults().map((f) => [f.profile, f.part, f.kind, f.frame, f.length.before, f.length.after]),
    [['ancs', 'notificationSource', 'truncated', 0, 8, out.length]],
  );
});

test('oversized Data Source fragment: junk up to MTU-3 after the fragment', () => {
  const { inner, host, saboteur } = rig();
  saboteur.arm('ancs', 'oversized', 'dataSource');
  host.notify(PEER, NS, ns(3)); // not the Data Source: untouched
  host.notify(PEER, DS, Uint8Array.from([0, 3, 0, 0, 0, 0, 2, 0, 0x48, 0x69]));
  assert.deepEqual(inner.sent[0]?.value, [0, 0x18, 4, 1, 3, 0, 0, 0]);
  const out = inner.sent[1]?.value ?? [];
  assert.equal(out.length, PEER.mtu - 3);
  assert.deepEqual(out.slice(0, 10), [0, 3, 0, 0, 0, 0, 2, 0, 0x48, 0x69]);
});

test('malformed: same length, other bytes', () => {
  const { inner, host, saboteur } = rig();
  saboteur.arm('ancs', 'malformed');
  host.notify(PEER, NS, ns(4));
  const out = inner.sent[0]?.value ?? [];
  assert.equal(out.length, 8);
  assert.notDeepEqual(out, [0, 0x18, 4, 1, 4, 0, 0, 0]);
});

test('out of order: the value is held and goes out right after the next ANCS value', () => {
  const { inner, host, saboteur } = rig();
  saboteur.arm('ancs', 'outOfOrder');
  host.notify(PEER, NS, ns(5));
  assert.equal(inner.sent.length, 0);
  assert.equal(host.holding, 1);
  host.notify(PEER, NS, ns(6));
  assert.deepEqual(inner.sent.map((s) => s.value[4]), [6, 5]);
  assert.equal(host.holding, 0);
});

test('out of order with no next value: released after the hold time, and no timer left', async () => {
  const { inner, host, saboteur, clock } = rig();
  saboteur.arm('ancs', 'outOfOrder');
  host.notify(PEER, NS, ns(7));
  await clock.runFor(499);
  assert.equal(inner.sent.length, 0);
  await clock.runFor(1);
  assert.deepEqual(inner.sent.map((s) => s.value[4]), [7]);
  assert.equal(clock.pendingEvents, 0);
});

test('a value the link refuses is not recorded as a committed fault', () => {
  const { inner, host, saboteur } = rig();
  saboteur.arm('ancs', 'truncated');
  inner.refuse = true;
  assert.throws(() => host.notify(PEER, NS, ns(8)), LinkError);
  assert.deepEqual(saboteur.faults(), []);
});
