/**
 * The PC's notification server against the fake MSE's MNS client over the
 * in-memory classic link: the published record, who may connect (the
 * paired phone, while a MAS session is up), the MNS Target check, event
 * reports decoded and answered, garbage answered Bad Request and reported
 * once while the session stays, and stop() withdrawing everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkError } from '../../../src/link/errors';
import { MAS_TARGET, type MapEvent } from '../../../src/protocol/map';
import { ResponseCode } from '../../../src/protocol/obex/constants';
import { MapClient } from '../../../src/sim-pc/map/map-client';
import { DEFAULT_MCE_FEATURES } from '../../../src/sim-pc/map/mas-record';
import { MnsServer } from '../../../src/sim-pc/map/mns-server';
import type { MapProtocolError } from '../../../src/sim-pc/map/errors';
import { mapRig, PC, PHONE, settle } from './fake-mse';

async function mnsRig() {
  const rig = mapRig({ connectMns: false });
  const client = new MapClient({ client: rig.pc, phoneAddress: PHONE, clock: rig.clock });
  let masUp = true;
  const server = new MnsServer({ classic: rig.pc, phoneAddress: PHONE.toLowerCase(), clock: rig.clock, masUp: () => masUp && client.state === 'connected' });
  const events: { event: MapEvent; mas: number | undefined }[] = [];
  const faults: MapProtocolError[] = [];
  const refused: string[] = [];
  server.events.on('event', (event, mas) => events.push({ event, mas }));
  server.events.on('fault', (err) => faults.push(err));
  server.events.on('refused', (_peer, why) => refused.push(why));
  server.start();
  assert.ok((await settle(rig.clock, client.connect())).ok);
  return { ...rig, client, server, events, faults, refused, setMasUp: (up: boolean) => (masUp = up) };
}

test('the PC publishes its MNS record: 0x1133, MAP 1.4, channel 17, "MAP MNS", MapSupportedFeatures', async () => {
  const { mse, clock } = await mnsRig();
  const info = await settle(clock, mse.host.discoverPeer(PC));
  assert.ok(info.ok);
  const record = info.value.records.find((r) => r.serviceClasses.includes(0x1133));
  assert.deepEqual(record, {
    serviceClasses: [0x1133],
    profile: { uuid: 0x1134, version: 0x0104 },
    channel: 17,
    name: 'MAP MNS',
    attributes: { 0x0317: DEFAULT_MCE_FEATURES },
  });
});

test('the paired phone connects while MAS is up; a NewMessage report is decoded and answered Success', async () => {
  const { mse, clock, server, events } = await mnsRig();
  const connect = await settle(clock, mse.connectMns());
  assert.ok(connect.ok);
  assert.equal(connect.value, ResponseCode.Success);
  assert.equal(server.state, 'connected');
  const sent = await settle(clock, mse.sendEvents([{ type: 'NewMessage', handle: '20000100001', folder: 'TELECOM/MSG/INBOX', msg_type: 'SMS_GSM' }], 3));
  assert.ok(sent.ok);
  assert.equal(sent.value, ResponseCode.Success);
  assert.deepEqual(events, [{ event: { type: 'NewMessage', handle: '20000100001', folder: 'TELECOM/MSG/INBOX', msg_type: 'SMS_GSM' }, mas: 3 }]);
});

test('no MAS session up: the channel is refused (link.channel-refused)', async () => {
  const { mse, clock, setMasUp, refused, server } = await mnsRig();
  setMasUp(false);
  const connect = await settle(clock, mse.connectMns());
  assert.ok(!connect.ok && connect.error instanceof LinkError);
  assert.equal(connect.error.code, 'link.channel-refused');
  assert.deepEqual(refused, ['no MAS session to the phone is up']);
  assert.equal(server.state, 'listening');
});

test('another device is refused even over a paired ACL', async () => {
  const { air, pc, clock, refused } = await mnsRig();
  const stranger = air.createHost({ address: '22:22:22:22:22:22', name: 'Other', classOfDevice: 0x7a020c });
  const connection = await settle(clock, pc.connect('22:22:22:22:22:22'));
  assert.ok(connection.ok);
  assert.ok((await settle(clock, connection.value.pair())).ok);
  const opened = await settle(clock, stranger.openChannel(PC, 17));
  assert.ok(!opened.ok && opened.error instanceof LinkError && opened.error.code === 'link.channel-refused');
  assert.deepEqual(refused, ['not the paired phone']);
});

test('OBEX Connect without the MNS Target is answered Not Acceptable', async () => {
  const { mse, clock, server } = await mnsRig();
  const connect = await settle(clock, mse.connectMns(MAS_TARGET));
  assert.ok(connect.ok);
  assert.equal(connect.value, ResponseCode.NotAcceptable);
  assert.notEqual(server.state, 'connected');
});

test('a garbage report is answered Bad Request and reported once; the session stays and the next report works', async () => {
  const { mse, clock, faults, events, server } = await mnsRig();
  assert.ok((await settle(clock, mse.connectMns())).ok);
  const bad = await settle(clock, mse.sendEvents(new TextEncoder().encode('<MAP-event-report version="1.0"><event type=')));
  assert.ok(bad.ok);
  assert.equal(bad.value, ResponseCode.BadRequest);
  assert.equal(faults.length, 1);
  assert.equal(faults[0]?.code, 'sim-pc.map-protocol');
  assert.equal(faults[0]?.causeCode, 'map.bad-event-report');
  assert.equal(server.state, 'connected');
  const good = await settle(clock, mse.sendEvents([{ type: 'NewMessage', handle: '1', folder: 'telecom/msg/inbox', msg_type: 'SMS_GSM' }]));
  assert.ok(good.ok);
  assert.equal(good.value, ResponseCode.Success);
  assert.equal(events.length, 1);
  assert.equal(faults.length, 1);
});

test('stop() withdraws the record and ends the session', async () => {
  const { mse, clock, server } = await mnsRig();
  assert.ok((await settle(clock, mse.connectMns())).ok);
  server.stop();
  await clock.runFor(100);
  assert.equal(server.state, 'stopped');
  assert.equal(mse.mnsConnected, false);
  const info = await settle(clock, mse.host.discoverPeer(PC));
  assert.ok(info.ok && !info.value.records.some((r) => r.serviceClasses.includes(0x1133)));
});
