/**
 * The hostile classic host: channels are told apart by RFCOMM channel
 * number (PBAP, MAP MAS, HFP) or by who opened them (MNS); each fault kind
 * changes what the phone writes byte-exactly; an OBEX channel goes mute
 * after a cut or inflated packet. Then, on the memory testbed with the
 * `hostile` profile, an armed fault lands on each profile's real channel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../../src/util/emitter';
import { VirtualClock } from '../../../src/link/virtual-clock';
import type {
  ByteChannel,
  ByteChannelEvents,
  ClassicDeviceInfo,
  ClassicHost,
  ClassicHostEvents,
  ClassicPeer,
} from '../../../src/link/classic';
import { HostileByteChannel, HostileClassicHost } from '../../../src/sim-phone/hostile/hostile-classic-host';
import { Saboteur } from '../../../src/sim-phone/hostile/saboteur';
import { Testbed } from '../../../src/harness/testbed';

class FakeChannel implements ByteChannel {
  readonly events = new Emitter<ByteChannelEvents>();
  readonly written: number[][] = [];
  open = true;
  readonly maxFrameSize = 990;
  readonly pendingBytes = 0;
  constructor(readonly channel: number) {}
  write(data: Uint8Array): void {
    this.written.push([...data]);
  }
  async close(): Promise<void> {
    this.open = false;
    this.events.emit('close', 0x16);
  }
}

const PEER: ClassicPeer = { address: 'AA:BB:CC:DD:EE:01', classOfDevice: 0x7c0408, encrypted: true, bonded: true };

class FakeClassicHost implements ClassicHost {
  readonly address = 'F0:99:B6:00:00:01';
  readonly events = new Emitter<ClassicHostEvents>();
  readonly acceptors = new Map<number, (peer: ClassicPeer, channel: ByteChannel) => boolean>();
  setClassOfDevice(): void {}
  setName(): void {}
  addServiceRecord(): void {}
  removeServiceRecord(): void {}
  listen(channel: number, acceptor: (peer: ClassicPeer, channel: ByteChannel) => boolean): void {
    this.acceptors.set(channel, acceptor);
  }
  unlisten(channel: number): void {
    this.acceptors.delete(channel);
  }
  peers(): ClassicPeer[] {
    return [PEER];
  }
  setPairingPolicy(): void {}
  discoverPeer(): Promise<ClassicDeviceInfo> {
    return Promise.resolve({ address: PEER.address, name: 'PC', classOfDevice: PEER.classOfDevice, records: [] });
  }
  openChannel(_address: string, channel: number): Promise<ByteChannel> {
    return Promise.resolve(new FakeChannel(channel));
  }
  /** The PC opens `channel`; the phone's acceptor (see rig) keeps what it was handed in `lastAccepted`. */
  connect(channel: number): { raw: FakeChannel } {
    const raw = new FakeChannel(channel);
    const acceptor = this.acceptors.get(channel);
    if (!acceptor) assert.fail(`nothing listens on ${channel}`);
    acceptor(PEER, raw);
    return { raw };
  }
}

let lastAccepted: ByteChannel | undefined;

function rig(): { inner: FakeClassicHost; host: HostileClassicHost; saboteur: Saboteur; clock: VirtualClock } {
  const clock = new VirtualClock({ seed: 1 });
  const inner = new FakeClassicHost();
  const saboteur = new Saboteur({ clock, hostile: { rate: 0, seed: 1, profiles: [], kinds: [], holdMs: 500 } });
  const host = new HostileClassicHost(inner, saboteur, clock, { pbap: 13, map: 2, hfp: 8 });
  for (const ch of [13, 2, 8, 20]) {
    host.listen(ch, (_peer, channel) => {
      lastAccepted = channel;
      return true;
    });
  }
  return { inner, host, saboteur, clock };
}

const OK_PACKET = [0xa0, 0x00, 0x08, 0xcb, 0x00, 0x00, 0x00, 0x01];
const CONTINUE_PACKET = [0x90, 0x00, 0x03];

test('channels are told apart by RFCOMM channel; others are not wrapped', () => {
  const { inner } = rig();
  const roles = [13, 2, 8].map((ch) => {
    inner.connect(ch);
    return lastAccepted instanceof HostileByteChannel ? `${lastAccepted.role.profile}/${lastAccepted.role.part}` : 'plain';
  });
  assert.deepEqual(roles, ['pbap/pbap', 'map/mas', 'hfp/hfp']);
  inner.connect(20);
  assert.ok(!(lastAccepted instanceof HostileByteChannel));
});

test('the channel the phone opens to the PC is MAP MNS', async () => {
  const { host } = rig();
  const opened = await host.openChannel(PEER.address, 17);
  assert.ok(opened instanceof HostileByteChannel);
  assert.deepEqual(opened.role, { profile: 'map', part: 'mns' });
});

test('truncated OBEX packet: a strict prefix, then the channel stays mute', () => {
  const { inner, saboteur } = rig();
  const { raw } = inner.connect(13);
  saboteur.arm('pbap', 'truncated');
  lastAccepted?.write(Uint8Array.from(OK_PACKET));
  lastAccepted?.write(Uint8Array.from(CONTINUE_PACKET));
  assert.equal(raw.written.length, 1);
  const cut = raw.written[0] ?? [];
  assert.ok(cut.length >= 1 && cut.length < OK_PACKET.length);
  assert.deepEqual(cut, OK_PACKET.slice(0, cut.length));
  assert.equal((lastAccepted as HostileByteChannel).mute, true);
});

test('oversized OBEX packet: the length field says 0xFFFF, junk follows, then silence', () => {
  const { inner, saboteur } = rig();
  const { raw } = inner.connect(2);
  saboteur.arm('map', 'oversized', 'mas');
  lastAccepted?.write(Uint8Array.from(OK_PACKET));
  lastAccepted?.write(Uint8Array.from(CONTINUE_PACKET));
  assert.equal(raw.written.length, 1);
  const out = raw.written[0] ?? [];
  assert.deepEqual(out.slice(0, 3), [0xa0, 0xff, 0xff]);
  assert.deepEqual(out.slice(3, 8), OK_PACKET.slice(3));
  assert.equal(out.length, OK_PACKET.length + 64);
});

test('malformed OBEX packet: same length, a length field of 0..2; the channel carries on', () => {
  const { inner, saboteur } = rig();
  const { raw } = inner.connect(13);
  saboteur.arm('pbap', 'malformed');
  lastAccepted?.write(Uint8Array.from(OK_PACKET));
  lastAccepted?.write(Uint8Array.from(CONTINUE_PACKET));
  assert.equal(raw.written.length, 2);
  assert.equal(raw.written[0]?.length, OK_PACKET.length);
  assert.ok((raw.written[0]?.[1] ?? 9) === 0 && (raw.written[0]?.[2] ?? 9) <= 2);
  assert.deepEqual(raw.written[1], CONTINUE_PACKET);
});

test('out of order on the HFP channel: the line goes out after the next one', () => {
  const { inner, saboteur } = rig();
  const { raw } = inner.connect(8);
  saboteur.arm('hfp', 'outOfOrder');
  const ring = [...Buffer.from('\r\nRING\r\n')];
  const clip = [...Buffer.from('\r\n+CLIP: "+447700900555",145\r\n')];
  lastAccepted?.write(Uint8Array.from(ring));
  assert.equal(raw.written.length, 0);
  lastAccepted?.write(Uint8Array.from(clip));
  assert.deepEqual(raw.written, [clip, ring]);
});

test('malformed AT line on the HFP channel: one line with a control byte', () => {
  const { inner, saboteur } = rig();
  const { raw } = inner.connect(8);
  saboteur.arm('hfp', 'malformed');
  lastAccepted?.write(Uint8Array.from(Buffer.from('\r\n+CIEV: 2,1\r\n')));
  const out = raw.written[0] ?? [];
  assert.equal(out.length, 14);
  assert.deepEqual([out[0], out[1], out[12], out[13]], [0x0d, 0x0a, 0x0d, 0x0a]);
  assert.ok(out.slice(2, 12).includes(0x01) && !out.slice(2, 12).includes(0x0d) && !out.slice(2, 12).includes(0x0a));
});

test('a held frame is dropped with its channel: no timer is left', async () => {
  const { inner, saboteur, clock } = rig();
  const { raw } = inner.connect(8);
  saboteur.arm('hfp', 'outOfOrder');
  lastAccepted?.write(Uint8Array.from(Buffer.from('\r\nOK\r\n')));
  await raw.close();
  assert.equal(clock.pendingEvents, 0);
  assert.deepEqual(raw.written, []);
});

test('on the testbed, an armed fault lands on each profile channel of the hostile phone', async () => {
  const tb = new Testbed({ phone: 'hostile', seed: 4, recordPdus: false });
  const saboteur = tb.phone.saboteur;
  assert.ok(saboteur);
  saboteur.setRate(0);
  try {
    const back = tb.phone.backchannel;
    back.allowShareSystemNotifications(tb.pcAddress);
    back.allowSyncContacts(tb.pcAddress);
    back.allowMessageNotifications(tb.pcAddress);
    await tb.pair();
    tb.startPc();
    await tb.clock.runUntil(() => tb.pc.callsHealth()?.state === 'up' && tb.pc.messagesHealth()?.notifications === 'connected' && tb.pc.health().connected, 60_000);
    saboteur.arm('pbap', 'malformed');
    saboteur.arm('map', 'malformed', 'mns');
    saboteur.arm('map', 'malformed', 'mas');
    saboteur.arm('hfp', 'malformed');
    saboteur.arm('ancs', 'malformed', 'dataSource');
    saboteur.arm('ancs', 'malformed', 'notificationSource');
    void tb.pc.contacts?.sync().catch(() => undefined);
    back.receiveMessage({ from: '+447700900555', text: 'hello' });
    back.incomingCall('+447700900555');
    back.postNotification({ appId: 'com.apple.MobileSMS', title: 'a', message: 'b' });
    await tb.clock.runFor(5_000);
    back.postNotification({ appId: 'com.apple.MobileSMS', title: 'c', message: 'd' });
    await tb.clock.runFor(5_000);
    const parts = saboteur.faults().map((f) => `${f.profile}/${f.part}`).sort();
    assert.deepEqual(parts, ['ancs/dataSource', 'ancs/notificationSource', 'hfp/hfp', 'map/mas', 'map/mns', 'pbap/pbap']);
  } finally {
    await tb.shutdown();
  }
  assert.equal(tb.clock.pendingEvents, 0);
});
