/**
 * The simulated iPhone's Audio Gateway end to end over the in-memory
 * classic link: the PC finds the AG record over SDP, connects, opens the
 * channel and sets up the SLC, then a call rings and is answered, every
 * byte crossing the classic link model in virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COD_AUDIO_VIDEO_HANDS_FREE, type ByteChannel } from '../../../src/link/classic';
import { MemoryClassicAir } from '../../../src/link/memory/classic';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { SimulatedPhone, loadPhoneProfile } from '../../../src/sim-phone';
import { FakeGattHost } from '../fake-gatt-host';
import { wire } from './ag-rig';

const PC = 'AA:BB:CC:DD:EE:01';

async function run<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  await clock.runUntil(() => done, 600_000);
  return watched;
}

/** Sends a line and collects what arrives until the AG's output ends with `until`. */
async function exchange(clock: VirtualClock, channel: ByteChannel, inbox: { text: string }, line: string, until = 'OK\r\n'): Promise<string> {
  inbox.text = '';
  channel.write(new TextEncoder().encode(`${line}\r`));
  await clock.runUntil(() => inbox.text.endsWith(until), 10_000);
  await clock.runFor(50);
  const out = inbox.text;
  inbox.text = '';
  return out;
}

test('memory link: SDP record, SLC, an incoming call answered, and the phone stopping closes the channel', async () => {
  const clock = new VirtualClock({ seed: 4 });
  const profile = loadPhoneProfile('iphone');
  assert.ok(profile.classic);
  const air = new MemoryClassicAir(clock, { seed: 4 });
  const classicHost = air.createHost({ address: profile.address, name: 'placeholder', classOfDevice: 0x200404, model: profile.classic.link });
  const phone = new SimulatedPhone({ host: new FakeGattHost(), classicHost, clock, profile });
  assert.ok(phone.hfp, 'a classic host and an hfp section give the phone an Audio Gateway');
  phone.start();

  const pc = air.createClient({ address: PC, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const info = await run(clock, pc.discover(profile.address));
  const record = info.records.find((r) => r.serviceClasses.includes(0x111f));
  assert.deepEqual(record, {
    serviceClasses: [0x111f, 0x1203],
    profile: { uuid: 0x111e, version: 0x0107 },
    channel: 8,
    name: 'Handsfree Gateway',
    attributes: { 0x0301: 1, 0x0311: 0x2f },
  });
  const connection = await run(clock, pc.connect(profile.address));
  await run(clock, connection.pair());
  const channel = await run(clock, connection.openChannel(8));
  const inbox = { text: '' };
  channel.events.on('data', (chunk) => {
    inbox.text += new TextDecoder().decode(chunk);
  });

  const started = clock.now();
  assert.equal(await exchange(clock, channel, inbox, 'AT+BRSF=20'), wire('+BRSF: 4079', 'OK'));
  assert.ok(clock.now() > started, 'the exchange takes link time');
  await exchange(clock, channel, inbox, 'AT+CIND=?');
  assert.equal(await exchange(clock, channel, inbox, 'AT+CIND?'), wire('+CIND: 1,0,0,5,5,0,0', 'OK'));
  assert.equal(await exchange(clock, channel, inbox, 'AT+CMER=3,0,0,1'), wire('OK'));
  assert.equal(await exchange(clock, channel, inbox, 'AT+CLIP=1'), wire('OK'));
  assert.equal(phone.hfp.session(PC)?.slc, true);

  const audio: number[] = [];
  phone.hfp.events.on('audioRequested', (r) => audio.push(r.codec));
  phone.backchannel.incomingCall('+15551234567', 'Alice');
  await clock.runUntil(() => inbox.text.includes('+CLIP'), 10_000);
  await clock.runFor(50);
  assert.equal(inbox.text, wire('+CIEV: 3,1', 'RING', '+CLIP: "+15551234567",145'));
  assert.deepEqual(audio, [1], 'in-band ring over CVSD: this HF has no codec negotiation');
  assert.equal(await exchange(clock, channel, inbox, 'ATA', '+CIEV: 3,0\r\n'), wire('OK', '+CIEV: 2,1', '+CIEV: 3,0'));
  assert.equal(phone.model.telephony.calls()[0]?.state, 'active');

  let closed = false;
  channel.events.on('close', () => (closed = true));
  phone.stop();
  await clock.runUntil(() => closed, 10_000);
  assert.equal(phone.hfp.sessions().length, 0);
});
