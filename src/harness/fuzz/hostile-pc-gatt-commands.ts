/**
 * The GATT (ANCS) commands of the `hostile-pc` fuzz campaign, as fast-check
 * model-based commands: connect, pair, subscribe and unsubscribe storms,
 * reads and writes of characteristics that allow neither, Control Point
 * writes of every shape, disconnects, and the phone-side stimuli they meet
 * (notifications posted and removed, "Share System Notifications" flipped).
 * Each checks that the phone's answer is exactly the ATT code the model
 * expects and that a Data Source reply has the shape the command asked for.
 */
import type fc from 'fast-check';
import { AttErrorCode } from '../../link/att-codes';
import {
  ANCS_CONTROL_POINT_UUID,
  ANCS_DATA_SOURCE_UUID,
  ANCS_NOTIFICATION_SOURCE_UUID,
  ANCS_SERVICE_UUID,
  AncsLink,
  attOutcome,
  expectControlPoint,
  securityRefusal,
  type AttOutcome,
  type CpExpectation,
} from './hostile-pc-ancs';
import { describe, type HostileBed } from './hostile-pc-bed';
import { HostilePcFailure, type HostileModel } from './hostile-pc-model';

type Cmd = fc.AsyncCommand<HostileModel, HostileBed>;

/** Time given to each GATT request and what it sets off. */
const GATT_SETTLE_MS = 400;

/** A UID as the hostile PC picks it: one the phone announced, one from an old session, or any number. */
export type UidChoice = { kind: 'live'; index: number } | { kind: 'stale'; index: number } | { kind: 'any'; value: number };

export type CpSpec =
  | { kind: 'notificationAttributes'; uid: UidChoice; attributes: { id: number; maxLength: number }[]; cut: number }
  | { kind: 'appAttributes'; app: 'known' | 'unknown' | 'badUtf8' | 'noNul'; attributes: number[] }
  | { kind: 'action'; uid: UidChoice; action: number; length: number }
  | { kind: 'raw'; bytes: Uint8Array };

const KNOWN_APPS = ['com.apple.MobileSMS', 'com.example.chat'] as const;

function pickUid(choice: UidChoice, link: AncsLink): number {
  if (choice.kind === 'any') return choice.value >>> 0;
  const pool = [...(choice.kind === 'live' ? link.live : link.stale)];
  return pool.length === 0 ? 0xfffffffe : (pool[choice.index % pool.length] ?? 0);
}

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** The Control Point bytes for `spec`, using the UIDs the link has seen. */
export function controlPointBytes(spec: CpSpec, link: AncsLink): Uint8Array {
  switch (spec.kind) {
    case 'notificationAttributes': {
      const bytes = [0, ...le32(pickUid(spec.uid, link))];
      for (const a of spec.attributes) bytes.push(a.id, ...(a.id >= 1 && a.id <= 3 ? [a.maxLength & 0xff, a.maxLength >>> 8] : []));
      return Uint8Array.from(bytes.slice(0, Math.max(0, bytes.length - spec.cut)));
    }
    case 'appAttributes': {
      const id = spec.app === 'known' ? KNOWN_APPS[0] : 'org.nobody.nothing';
      const app = spec.app === 'badUtf8' ? [0x63, 0xff, 0xfe] : [...new TextEncoder().encode(id)];
      return Uint8Array.from([1, ...app, ...(spec.app === 'noNul' ? [] : [0]), ...spec.attributes]);
    }
    case 'action': {
      const full = [2, ...le32(pickUid(spec.uid, link)), spec.action, 0x55, 0x55];
      return Uint8Array.from(full.slice(0, spec.length));
    }
    case 'raw':
      return spec.bytes;
  }
}

/** Runs a GATT request with the clock, returning its ATT outcome; anything else is a failure. */
async function gattRequest(r: HostileBed, label: string, run: () => Promise<void>): Promise<AttOutcome> {
  const settled = await r.settle(run(), 10_000);
  await r.clock.runFor(GATT_SETTLE_MS);
  if (settled.ok === 'pending') throw new HostilePcFailure(`${label}: the phone never answered`);
  if (settled.ok) return { ok: true };
  try {
    return attOutcome(settled.error);
  } catch (err) {
    throw new HostilePcFailure(`${label}: failed with something other than an ATT error: ${describe(err)}`);
  }
}

function expectAtt(label: string, got: AttOutcome, want: AttOutcome): void {
  const show = (o: AttOutcome): string => (o.ok ? 'success' : `ATT 0x${o.attCode.toString(16).padStart(2, '0')}`);
  if (got.ok !== want.ok || (!got.ok && !want.ok && got.attCode !== want.attCode)) {
    throw new HostilePcFailure(`${label}: expected ${show(want)}, got ${show(got)}`);
  }
}

function link(r: HostileBed, label: string): AncsLink {
  if (!r.ancs) throw new HostilePcFailure(`${label}: the GATT link dropped unasked`);
  return r.ancs;
}

const ok: AttOutcome = { ok: true };
const refused = (attCode: number): AttOutcome => ({ ok: false, attCode });

export class GattConnect implements Cmd {
  check = (m: Readonly<HostileModel>): boolean => !m.gatt;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const stale = r.ancs ? [...r.ancs.live, ...r.ancs.stale] : r.staleUids;
    const fresh = await r.connectGatt();
    if (!fresh) throw new HostilePcFailure('the phone could not be reached over BLE');
    for (const uid of stale) fresh.stale.add(uid);
    m.gatt = true;
    m.secure = false;
    m.ns = false;
    m.ds = false;
  }
  toString = (): string => 'gatt-connect';
}

export class GattDisconnect implements Cmd {
  check = (m: Readonly<HostileModel>): boolean => m.gatt;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const l = link(r, 'gatt-disconnect');
    r.staleUids = [...l.live, ...l.stale];
    await r.settle(l.connection.disconnect(), 5_000);
    await r.clock.runFor(GATT_SETTLE_MS);
    m.gatt = false;
    m.secure = false;
    m.ns = false;
    m.ds = false;
  }
  toString = (): string => 'gatt-disconnect';
}

export class GattPair implements Cmd {
  check = (m: Readonly<HostileModel>): boolean => m.gatt && !m.secure;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const l = link(r, 'pair');
    const paired = await r.settle(l.connection.pair(), 10_000);
    if (paired.ok !== true) throw new HostilePcFailure(`pairing failed: ${paired.ok === false ? describe(paired.error) : 'never finished'}`);
    await r.clock.runFor(GATT_SETTLE_MS);
    m.secure = true;
    m.bonded = true;
  }
  toString = (): string => 'gatt-pair';
}

/** Notifications on or off for NS, DS, or the Control Point (which has no notifications). */
export class GattSubscribe implements Cmd {
  constructor(
    readonly which: 'ns' | 'ds' | 'cp',
    readonly on: boolean,
  ) {}
  check = (m: Readonly<HostileModel>): boolean => m.gatt;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const l = link(r, String(this));
    const uuid = this.which === 'ns' ? ANCS_NOTIFICATION_SOURCE_UUID : this.which === 'ds' ? ANCS_DATA_SOURCE_UUID : ANCS_CONTROL_POINT_UUID;
    const security = securityRefusal(m.bonded, m.secure);
    const want = this.which === 'cp' ? refused(AttErrorCode.AttributeNotFound) : security === undefined ? ok : refused(security);
    if (want.ok && this.which === 'ns' && this.on) l.newSession();
    const got = await gattRequest(r, String(this), () =>
      this.on
        ? this.which === 'ns'
          ? r.subscribeNs(l)
          : this.which === 'ds'
            ? r.subscribeDs(l)
            : l.gatt.subscribe(ANCS_SERVICE_UUID, uuid, () => undefined)
        : l.gatt.unsubscribe(ANCS_SERVICE_UUID, uuid),
    );
    expectAtt(String(this), got, want);
    if (got.ok && this.which === 'ns') m.ns = this.on;
    if (got.ok && this.which === 'ds') m.ds = this.on;
  }
  toString = (): string => `gatt-${this.on ? 'subscribe' : 'unsubscribe'}(${this.which})`;
}

/** A read of NS, DS or the Control Point (none is readable), or a write to NS or DS (neither is writable). */
export class GattForbidden implements Cmd {
  constructor(
    readonly access: 'read' | 'write',
    readonly which: 'ns' | 'ds' | 'cp',
  ) {}
  check = (m: Readonly<HostileModel>): boolean => m.gatt && !(this.access === 'write' && this.which === 'cp');
  async run(_m: HostileModel, r: HostileBed): Promise<void> {
    const l = link(r, String(this));
    const uuid = this.which === 'ns' ? ANCS_NOTIFICATION_SOURCE_UUID : this.which === 'ds' ? ANCS_DATA_SOURCE_UUID : ANCS_CONTROL_POINT_UUID;
    const got = await gattRequest(r, String(this), async () => {
      if (this.access === 'read') await l.gatt.read(ANCS_SERVICE_UUID, uuid);
      else await l.gatt.write(ANCS_SERVICE_UUID, uuid, Uint8Array.of(0, 1, 2));
    });
    expectAtt(String(this), got, refused(this.access === 'read' ? AttErrorCode.ReadNotPermitted : AttErrorCode.WriteNotPermitted));
  }
  toString = (): string => `gatt-${this.access}(${this.which})`;
}

/** One Control Point write; the answer must be the model's, and a reply must come on the Data Source in one piece. */
export class ControlPointWrite implements Cmd {
  constructor(readonly spec: CpSpec) {}
  check = (m: Readonly<HostileModel>): boolean => m.gatt;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const l = link(r, String(this));
    const full = controlPointBytes(this.spec, l);
    const bytes = full.slice(0, Math.max(0, l.gatt.mtu - 3));
    const expectation: CpExpectation = expectControlPoint(bytes, {
      ancs: m.profile.ancs,
      bonded: m.bonded,
      encrypted: m.secure,
      shared: m.shared,
      dsSubscribed: m.ds,
      live: l.live,
      apps: new Set(r.tb.phone.model.apps().keys()),
    });
    const label = `${String(this)} [${Buffer.from(bytes).toString('hex')}]`;
    if (expectation.kind === 'reply') l.expectReply(expectation.expected);
    l.takeReplies();
    const got = await gattRequest(r, label, () => l.gatt.write(ANCS_SERVICE_UUID, ANCS_CONTROL_POINT_UUID, bytes));
    expectAtt(label, got, expectation.kind === 'error' ? refused(expectation.attCode) : ok);
    if (expectation.kind === 'reply') {
      const replies = l.takeReplies();
      const first = replies[0];
      if (replies.length !== 1 || first?.commandId !== expectation.expected.commandId || first.attributeCount !== expectation.expected.attributeCount) {
        throw new HostilePcFailure(`${label}: expected one Data Source reply with ${expectation.expected.attributeCount} attributes, got ${JSON.stringify(replies)}`);
      }
    }
    if (expectation.kind === 'done' && !(m.ns && m.shared)) {
      // The action removed the notification while the Notification Source was silent: its UID names nothing now.
      const uid = (bytes[1] ?? 0) | ((bytes[2] ?? 0) << 8) | ((bytes[3] ?? 0) << 16) | ((bytes[4] ?? 0) << 24);
      l.live.delete(uid >>> 0);
      l.stale.add(uid >>> 0);
    }
    if (l.replyPending && expectation.kind !== 'reply') l.resetReassembly();
  }
  toString = (): string => `control-point(${JSON.stringify(this.spec, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))})`;
}

/** The phone gets a notification (always with both action labels). */
export class PostNotification implements Cmd {
  constructor(readonly app: number) {}
  check = (): boolean => true;
  async run(_m: HostileModel, r: HostileBed): Promise<void> {
    r.tb.phone.backchannel.postNotification({
      appId: KNOWN_APPS[this.app % KNOWN_APPS.length] ?? KNOWN_APPS[0],
      title: `Title ${r.clock.now()}`,
      message: 'Hello from the hostile campaign',
      positiveActionLabel: 'Accept',
      negativeActionLabel: 'Dismiss',
    });
    await r.clock.runFor(GATT_SETTLE_MS);
  }
  toString = (): string => `post-notification(${this.app})`;
}

/** The user clears a notification: only while the PC would hear of it (otherwise its UID goes stale unseen). */
export class RemoveNotification implements Cmd {
  constructor(readonly which: number) {}
  check = (m: Readonly<HostileModel>): boolean => !m.gatt || (m.ns && m.shared);
  async run(_m: HostileModel, r: HostileBed): Promise<void> {
    const all = r.tb.phone.model.notifications.all();
    const target = all[this.which % Math.max(1, all.length)];
    if (target) r.tb.phone.backchannel.removeNotification(target.id);
    await r.clock.runFor(GATT_SETTLE_MS);
  }
  toString = (): string => `remove-notification(${this.which})`;
}

/** The user flips "Share System Notifications" for this PC (where the profile asks for it). */
export class ToggleShare implements Cmd {
  constructor(readonly on: boolean) {}
  check = (m: Readonly<HostileModel>): boolean => m.profile.ancs.requiresShareSystemNotifications && m.shared !== this.on;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    if (this.on) r.tb.phone.backchannel.allowShareSystemNotifications(r.pcAddress);
    else r.tb.phone.backchannel.revokeShareSystemNotifications(r.pcAddress);
    m.shared = this.on;
    await r.clock.runFor(GATT_SETTLE_MS);
  }
  toString = (): string => `share(${this.on ? 'on' : 'off'})`;
}
