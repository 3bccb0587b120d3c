/**
 * The simulated iPhone's PBAP server end to end over the in-memory classic
 * link: the PC discovers the PSE record over SDP, connects, opens the
 * channel and pulls the phone book with an OBEX client, every byte crossing
 * the classic link model on virtual time; a PC with the wrong Class of
 * Device has its channel refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COD_AUDIO_VIDEO_HANDS_FREE } from '../../src/link/classic';
import { LinkError } from '../../src/link/errors';
import { MemoryClassicAir } from '../../src/link/memory/classic';
import { VirtualClock } from '../../src/link/virtual-clock';
import { ObexClientSession } from '../../src/protocol/obex';
import { encodePbapParams, PBAP_TARGET, PbapFormat, PbapObjectType, PbapUuid } from '../../src/protocol/pbap';
import { parseVcards } from '../../src/protocol/vcard';
import { loadPhoneProfile, SimulatedPhone } from '../../src/sim-phone';
import { FakeGattHost } from './fake-gatt-host';

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

function setup(cod = COD_AUDIO_VIDEO_HANDS_FREE): { clock: VirtualClock; phone: SimulatedPhone; air: MemoryClassicAir; pcCod: number } {
  const clock = new VirtualClock({ seed: 3 });
  const profile = loadPhoneProfile('iphone');
  const classic = profile.classic;
  assert.ok(classic);
  const air = new MemoryClassicAir(clock, { seed: 3 });
  const classicHost = air.createHost({ address: profile.address, name: 'placeholder', classOfDevice: 0x200404, model: classic.link });
  const phone = new SimulatedPhone({ host: new FakeGattHost(), classicHost, clock, profile });
  phone.start();
  return { clock, phone, air, pcCod: cod };
}

test('the PC finds the PSE over SDP and pulls the phone book across the classic link', async () => {
  const { clock, phone, air } = setup();
  for (let i = 0; i < 200; i++) {
    phone.backchannel.addContact({ name: { family: `Family${i}`, given: 'Pat' }, phones: [{ number: `+44 20 7946 ${String(i).padStart(4, '0')}`, type: 'work' }] });
  }
  phone.backchannel.allowSyncContacts(PC);
  const client = air.createClient({ address: PC, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const info = await run(clock, client.discover(phone.profile.address));
  assert.equal(info.name, 'iPhone');
  assert.equal(info.classOfDevice, 0x7a020c);
  const record = info.records.find((r) => r.serviceClasses.includes(PbapUuid.Pse));
  assert.ok(record);
  assert.equal(record.channel, 13);
  assert.equal(record.profile.version, 0x0102);
  assert.equal(record.attributes[0x0317], undefined);

  const connection = await run(clock, client.connect(phone.profile.address));
  await run(clock, connection.pair());
  const channel = await run(clock, connection.openChannel(record.channel));
  const obex = new ObexClientSession({ send: (bytes) => channel.write(bytes), clock, maxPacketLength: 0xffff });
  channel.events.on('data', (chunk) => obex.receive(chunk));
  await run(clock, obex.connect({ target: PBAP_TARGET }));
  const parts: Buffer[] = [];
  const started = clock.now();
  await run(
    clock,
    obex.get(
      { type: PbapObjectType.Phonebook, name: 'telecom/pb.vcf', appParams: encodePbapParams({ format: PbapFormat.Vcard30 }) },
      { onBody: (chunk) => void parts.push(Buffer.from(chunk)) },
    ),
  );
  const elapsed = clock.now() - started;
  const cards = parseVcards(Buffer.concat(parts).toString('utf8'));
  assert.equal(cards.length, 201);
  assert.equal(cards[200]?.tel[0]?.number, '+44 20 7946 0199');
  // The link model paces the transfer: it takes virtual time, but not much of it.
  assert.ok(elapsed > 10 && elapsed < 5_000, `took ${elapsed} ms of link time`);
  assert.equal(phone.pbap?.stats.cardsSent, 201);
  await run(clock, obex.disconnect());
  await run(clock, channel.close());
  phone.stop();
});

test('a PC whose Class of Device is not Hands-free has the PBAP channel refused', async () => {
  const { clock, phone, air } = setup();
  phone.backchannel.allowSyncContacts();
  const client = air.createClient({ address: PC, classOfDevice: 0x3c010c });
  const connection = await run(clock, client.connect(phone.profile.address));
  await run(clock, connection.pair());
  await assert.rejects(run(clock, connection.openChannel(13)), (err: unknown) => err instanceof LinkError && err.code === 'link.channel-refused');
  assert.equal(phone.pbap?.stats.channelsRefused, 1);
});

test('without a classic host the phone runs no PBAP server', () => {
  const clock = new VirtualClock();
  const phone = new SimulatedPhone({ host: new FakeGattHost(), clock });
  assert.equal(phone.pbap, undefined);
  phone.start();
  phone.stop();
});
