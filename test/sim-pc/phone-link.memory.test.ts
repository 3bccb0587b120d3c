/**
 * PhoneLink over the in-memory link (real ATT timing, MTU, pairing and
 * drops), against a minimal ANCS Notification Provider written here on the
 * GattServerHost seam, so this test depends on neither sim-phone nor fakes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GattPeer, GattServerHost } from '../../src/link/ble';
import { AttError } from '../../src/link/errors';
import { DEFAULT_BLE_MODEL } from '../../src/link/link-model';
import { VirtualClock } from '../../src/link/virtual-clock';
import { MemoryAir } from '../../src/link/memory';
import {
  ANCS_CONTROL_POINT_UUID,
  ANCS_DATA_SOURCE_UUID,
  ANCS_NOTIFICATION_SOURCE_UUID,
  ANCS_SERVICE_UUID,
  CommandId,
  decodeControlPoint,
  encodeDataSourceReply,
  encodeNotificationSource,
  EventFlag,
  EventId,
  fragmentReply,
  NotificationAttributeId,
} from '../../src/protocol/ancs';
import { PhoneLink } from '../../src/sim-pc/phone-link';
import { Random } from '../../src/util/random';

const PHONE = '11:22:33:44:55:66';
const PC = 'AA:BB:CC:DD:EE:01';

interface Item {
  key: number;
  appId: string;
  title: string;
  message: string;
  date: string;
}

/** A tiny Notification Provider: replays on NS subscription, answers CP on DS, removes on the negative action. */
class MiniProvider {
  readonly items: Item[] = [];
  private nextKey = 1;
  private nextUid = 1;
  private readonly uids = new Map<string, Map<number, number>>(); // peer address -> key -> uid

  constructor(private readonly host: GattServerHost) {
    const text = new TextEncoder();
    host.addService({
      uuid: ANCS_SERVICE_UUID,
      characteristics: [
        {
          uuid: ANCS_NOTIFICATION_SOURCE_UUID,
          properties: ['notify'],
          security: 'bonded',
          onSubscribe: (peer, enabled) => {
            if (!enabled) return;
            const session = new Map<number, number>(); // a new session: new UIDs
            this.uids.set(peer.address, session);
            for (const item of this.items) {
              session.set(item.key, this.nextUid++);
              this.event(peer, item, EventId.Added, EventFlag.PreExisting);
            }
          },
        },
        {
          uuid: ANCS_CONTROL_POINT_UUID,
          properties: ['write'],
          security: 'bonded',
          onWrite: (peer, value) => {
            const command = decodeControlPoint(value);
            const session = this.uids.get(peer.address) ?? new Map<number, number>();
            const itemOf = (uid: number) => this.items.find((it) => session.get(it.key) === uid);
            if (command.commandId === CommandId.PerformNotificationAction) {
              const item = itemOf(command.notificationUid);
              if (!item) throw new AttError(0xa2);
              if (command.actionId === 1) this.remove(item.key);
              return;
            }
            let reply: Uint8Array;
            if (command.commandId === CommandId.GetNotificationAttributes) {
              const item = itemOf(command.notificationUid);
              if (!item) throw new AttError(0xa2);
              const values: Record<number, string> = {
                [NotificationAttributeId.AppIdentifier]: item.appId,
                [NotificationAttributeId.Title]: item.title,
                [NotificationAttributeId.Message]: item.message,
                [NotificationAttributeId.Date]: item.date,
                [NotificationAttributeId.NegativeActionLabel]: 'Clear',
              };
              reply = encodeDataSourceReply({
                commandId: 0,
                notificationUid: command.notificationUid,
                attributes: command.attributes.map((a) => ({ id: a.id, value: text.encode(values[a.id] ?? '') })),
              });
            } else {
              const name = command.appIdentifier === 'com.apple.MobileSMS' ? 'Messages' : '';
              reply = encodeDataSourceReply({
                commandId: 1,
                appIdentifier: command.appIdentifier,
                attributes: command.attributes.map((id) => ({ id, value: text.encode(name) })),
              });
            }
            for (const fragment of fragmentReply(reply, peer.mtu - 3)) host.notify(peer, ANCS_DATA_SOURCE_UUID, fragment);
          },
        },
        { uuid: ANCS_DATA_SOURCE_UUID, properties: ['notify'], security: 'bonded' },
      ],
    });
  }

  post(title: string, message: string, date: string): number {
    const item: Item = { key: this.nextKey++, appId: 'com.apple.MobileSMS', title, message, date };
    this.items.push(item);
    for (const peer of this.host.peers()) {
      const session = this.uids.get(peer.address);
      if (!session) continue;
      session.set(item.key, this.nextUid++);
      this.event(peer, item, EventId.Added, 0);
    }
    return item.key;
  }

  remove(key: number): void {
    const index = this.items.findIndex((it) => it.key === key);
    const [item] = index < 0 ? [] : this.items.splice(index, 1);
    if (!item) return;
    for (const peer of this.host.peers()) this.event(peer, item, EventId.Removed, 0);
  }

  private event(peer: GattPeer, item: Item, eventId: number, flags: number): void {
    const uid = this.uids.get(peer.address)?.get(item.key);
    if (uid === undefined || !this.host.isSubscribed(peer, ANCS_NOTIFICATION_SOURCE_UUID)) return;
    const value = encodeNotificationSource({ eventId, eventFlags: flags | EventFlag.NegativeAction, categoryId: 4, categoryCount: 1, notificationUid: uid });
    this.host.notify(peer, ANCS_NOTIFICATION_SOURCE_UUID, value);
  }
}

function rig() {
  const clock = new VirtualClock();
  const air = new MemoryAir(clock, { seed: 3 });
  const phone = air.createPeripheral({ address: PHONE, model: DEFAULT_BLE_MODEL });
  const provider = new MiniProvider(phone);
  phone.startAdvertising({ localName: 'iPhone', solicitationUuids: [ANCS_SERVICE_UUID] });
  const central = air.createCentral({ address: PC, maxMtu: 517 });
  const link = new PhoneLink({ central, phoneAddress: PHONE, clock, random: new Random(11) });
  return { clock, air, phone, provider, central, link };
}

test('over the memory link: pair, replay, live, reconnect with stable ids, dismiss, stop', async () => {
  const { clock, air, provider, central, link } = rig();
  provider.post('Anna', 'hi', '20240131T100000');
  const gone = provider.post('Ben', 'x'.repeat(400), '20240131T110000'); // several DS fragments at MTU 185
  const errors: Error[] = [];
  link.events.on('error', (e) => errors.push(e));

  link.start();
  await clock.runUntil(() => link.notifications.size === 2, 10_000);
  const health = link.health();
  assert.equal(health.ancs.state, 'up');
  assert.equal(health.mtu, 185);
  assert.equal(central.bonds.has(PHONE), true, 'paired on the first Insufficient Authentication');
  const ben = link.notifications.list().find((e) => e.title === 'Ben');
  assert.equal(ben?.message.length, 400);
  assert.equal(ben?.appName, 'Messages');

  provider.post('Carol', 'live', '20240131T120000');
  await clock.runUntil(() => link.notifications.size === 3, 5_000);
  const ids = new Map(link.notifications.list().map((e) => [e.title, e.id]));

  // The link drops; Ben is cleared on the phone while away.
  air.faults.dropLink();
  assert.equal(link.health().ancs.state, 'down');
  provider.remove(gone);
  await clock.runUntil(() => link.health().ancs.state === 'up' && link.notifications.list().every((e) => !e.stale), 30_000);
  await clock.runFor(3000); // past the replay settle window
  assert.deepEqual(
    link.notifications.list().map((e) => [e.title, e.id]),
    [
      ['Carol', ids.get('Carol')],
      ['Anna', ids.get('Anna')],
    ],
  );
  const after = link.health();
  assert.equal(after.ancs.reconnects, 1);
  assert.equal(after.reconnectTimingsMs.length, 1);
  assert.ok((after.reconnectTimingsMs[0] ?? 0) >= 800);

  const carol = ids.get('Carol') ?? '';
  const dismissed = link.notifications.dismiss(carol);
  await clock.runUntil(() => link.notifications.get(carol) === undefined, 5_000);
  await dismissed;
  assert.deepEqual(errors, []);

  const stopped = link.stop();
  await clock.runUntilIdle();
  await stopped;
  assert.equal(clock.nextEventTime(), undefined);
  assert.equal(link.health().connected, false);
});
