/**
 * Step definitions for the contacts and call-history scenarios
 * (features/contacts): the phone's address book and calls, the PC's PBAP
 * copies, and checks against the classic link model.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PropertyBit, selectorOf } from '../../src/protocol/pbap';
import type { FrameTapEvent } from '../../src/link/memory/classic';
import { Contacts, ContactsProgress, PbapClient, SyncResult } from '../../src/sim-pc';
import { predictObexPull, ObexExchangeBytes } from '../../src/harness/predict';
import type { PhoneBridgeWorld } from '../../src/harness/world';
import { settle } from './support';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'contacts');
/** A laptop: Computer major class (0x01), Laptop minor class (0x03). */
const COD_LAPTOP = 0x5a010c;

const digits = (n: string): string => n.replace(/\D/g, '');

/** The other written form of a UK number: national <-> international. */
function otherForm(number: string): string {
  const d = digits(number);
  return d.startsWith('44') ? `0${d.slice(2)}` : `+44${d.slice(1)}`;
}

async function sync(world: PhoneBridgeWorld, contacts = world.tb.pc.contacts): Promise<void> {
  assert.ok(contacts, 'the PC has no contacts service (no BR/EDR radio in this profile)');
  try {
    world.notes.syncResult = await settle(world, contacts.sync(), 600_000);
    world.lastRefusal = undefined;
  } catch (err) {
    world.lastRefusal = err as Error;
  }
}

function pcContacts(world: PhoneBridgeWorld): Contacts {
  const contacts = (world.notes.contacts as Contacts | undefined) ?? world.tb.pc.contacts;
  assert.ok(contacts, 'the PC has no contacts service');
  return contacts;
}

Given("the PC's Class of Device is a laptop", function (this: PhoneBridgeWorld) {
  assert.equal(this.hasTestbed, false, 'the Class of Device must be set before anything else');
  this.testbedOverrides.pcClassOfDevice = COD_LAPTOP;
});

Given("the phone's address book holds the {int}-contact fixture", function (this: PhoneBridgeWorld, count: number) {
  const held = this.tb.phone.backchannel.loadContactBook(path.join(FIXTURES, `contacts-${count}.vcf`));
  assert.equal(held, count);
});

Given(
  "the phone's call history holds {int} missed, {int} received and {int} dialled calls",
  function (this: PhoneBridgeWorld, missed: number, received: number, dialled: number) {
    const book = this.tb.phone.model.contacts.all();
    const kinds = [...Array<'missed'>(missed).fill('missed'), ...Array<'received'>(received).fill('received'), ...Array<'dialled'>(dialled).fill('dialled')];
    const start = this.tb.clock.date().getTime() - kinds.length * 3_600_000;
    kinds.forEach((kind, i) => {
      const number = book[i % Math.max(1, book.length)]?.phones[0]?.number ?? `+44 7700 900 ${String(100 + i)}`;
      this.tb.phone.backchannel.addCall({ kind, number, time: new Date(start + i * 3_600_000), durationSec: kind === 'missed' ? 0 : 60 });
    });
  },
);

When(/^the PC syncs the phone's contacts$/, async function (this: PhoneBridgeWorld) {
  await sync(this);
});

When("the PC syncs the phone's contacts with photos", async function (this: PhoneBridgeWorld) {
  const tb = this.tb;
  const contacts = new Contacts({
    clock: tb.clock,
    open: () => tb.pc.pbap(),
    defaultRegion: 'GB',
    propertySelector: selectorOf([PropertyBit.Version, PropertyBit.Fn, PropertyBit.N, PropertyBit.Photo, PropertyBit.Tel, PropertyBit.Email]),
  });
  const progress: ContactsProgress[] = [];
  contacts.events.on('progress', (p) => progress.push(p));
  const frames: FrameTapEvent[] = [];
  tb.classicAir.events.on('frame', (f) => frames.push(f));
  this.notes.contacts = contacts;
  this.notes.progress = progress;
  this.notes.frames = frames;
  const started = tb.clock.now();
  await sync(this, contacts);
  if (this.lastRefusal) throw this.lastRefusal;
  this.notes.syncMs = tb.clock.now() - started;
});

When("the PC starts syncing the phone's contacts", function (this: PhoneBridgeWorld) {
  const contacts = pcContacts(this);
  const progress: ContactsProgress[] = [];
  contacts.events.on('progress', (p) => progress.push(p));
  let interruptions = 0;
  contacts.events.on('interrupted', () => interruptions++);
  let restarts = 0;
  contacts.events.on('restarted', () => restarts++);
  this.notes.progress = progress;
  this.notes.counters = () => ({ interruptions, restarts });
  const pending = contacts.sync();
  pending.then(
    (r) => (this.notes.syncResult = r),
    (err: unknown) => (this.lastRefusal = err as Error),
  );
  this.notes.pendingSync = pending;
});

When('the link drops after {int} contacts have arrived', async function (this: PhoneBridgeWorld, count: number) {
  const progress = this.notes.progress as ContactsProgress[];
  await this.tb.clock.runUntil(() => (progress[progress.length - 1]?.received ?? 0) >= count, 120_000);
  this.notes.receivedAtDrop = progress[progress.length - 1]?.received;
  this.tb.classicAir.faults.dropLink();
});

Then('the PC has {int} contacts, the owner card included', async function (this: PhoneBridgeWorld, count: number) {
  const contacts = pcContacts(this);
  assert.equal(contacts.size, count, this.lastRefusal ? `the sync failed: ${this.lastRefusal.message}` : `the PC has ${contacts.size}`);
  assert.ok(contacts.list().some((c) => c.handle === 0), 'no owner card (0.vcf)');
});

Then('within {float} s of link time the PC has {int} contacts, the owner card included', async function (this: PhoneBridgeWorld, s: number, count: number) {
  const contacts = pcContacts(this);
  await this.tb.clock.runUntil(() => this.notes.syncResult !== undefined || this.lastRefusal !== undefined, s * 1000);
  assert.equal(this.lastRefusal, undefined, `the sync failed: ${this.lastRefusal?.message}`);
  assert.equal(contacts.size, count);
});

Then('the PC has {int} contacts', function (this: PhoneBridgeWorld, count: number) {
  assert.equal(pcContacts(this).size, count);
});

Then('every contact on the PC has the name and numbers it has on the phone', function (this: PhoneBridgeWorld) {
  const phone = this.tb.phone.model.contacts;
  const pc = new Map(pcContacts(this).list().map((c) => [c.handle, c]));
  for (const contact of [phone.owner, ...phone.all()]) {
    const mine = pc.get(contact.id);
    assert.ok(mine, `contact ${contact.id} is missing on the PC`);
    assert.equal(mine.name, contact.formattedName);
    assert.deepEqual(mine.numbers.map((n) => digits(n.number)).sort(), contact.phones.map((p) => digits(p.number)).sort());
  }
});

When("the PC lists the phone's contacts", async function (this: PhoneBridgeWorld) {
  const pbap: PbapClient = await settle(this, this.tb.pc.pbap(), 30_000);
  this.notes.listing = await settle(this, pbap.pullListing('telecom/pb'), 30_000);
});

Then("the listing has {int} entries in the phone's order", function (this: PhoneBridgeWorld, count: number) {
  const listing = this.notes.listing as { entries: { handle: string; name: string }[] };
  assert.equal(listing.entries.length, count);
  const handles = listing.entries.map((e) => Number.parseInt(e.handle, 10));
  assert.deepEqual(handles, [...handles].sort((a, b) => a - b), 'the listing is not in the phone\'s (indexed) order');
  assert.equal(listing.entries[0]?.handle, '0.vcf');
});

Then('the PC reads entry {int} with the name and numbers the phone has for it', async function (this: PhoneBridgeWorld, handle: number) {
  const pbap: PbapClient = await settle(this, this.tb.pc.pbap(), 30_000);
  const entry = await settle(this, pbap.pullEntry('telecom/pb', `${handle}.vcf`), 30_000);
  const contact = this.tb.phone.model.contacts.get(handle);
  assert.ok(contact, `the phone has no contact ${handle}`);
  assert.equal(entry.card.formattedName, contact.formattedName);
  assert.deepEqual(entry.card.tel.map((t) => digits(t.number)).sort(), contact.phones.map((p) => digits(p.number)).sort());
});

Then("a call from contact {int}'s mobile number in the other form is named after contact {int}", function (this: PhoneBridgeWorld, id: number, same: number) {
  const contact = this.tb.phone.model.contacts.get(id);
  assert.ok(contact && id === same);
  const mobile = contact.phones.find((p) => p.type === 'mobile');
  assert.ok(mobile, `contact ${id} has no mobile number`);
  const caller = pcContacts(this).lookupCaller(otherForm(mobile.number));
  assert.equal(caller?.name, contact.formattedName, `looking up ${JSON.stringify(otherForm(mobile.number))}`);
});

Then('a number the phone does not know is not named', function (this: PhoneBridgeWorld) {
  assert.equal(pcContacts(this).lookupCaller('+44 7700 900 123'), undefined);
});

When("the PC reads the phone's call history", async function (this: PhoneBridgeWorld) {
  const log = this.tb.pc.callLog;
  assert.ok(log, 'the PC has no call log service');
  try {
    await settle(this, log.refresh(), 60_000);
  } catch (err) {
    this.lastRefusal = err as Error;
  }
});

Then(
  'the PC shows {int} missed, {int} received and {int} dialled calls, newest first, with their times',
  function (this: PhoneBridgeWorld, missed: number, received: number, dialled: number) {
    const entries = this.tb.pc.callLog?.entries ?? [];
    const count = (kind: string) => entries.filter((e) => e.kind === kind).length;
    assert.deepEqual([count('missed'), count('received'), count('dialled')], [missed, received, dialled], this.lastRefusal?.message);
    const times = entries.map((e) => e.time?.getTime() ?? Number.NaN);
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'not newest first');
    const phoneTimes = this.tb.phone.model.calls.list().map((c) => Math.floor(c.time.getTime() / 1000));
    assert.deepEqual(times.map((t) => Math.floor(t / 1000)), phoneTimes);
  },
);

Then('the PC shows {int} new missed calls', function (this: PhoneBridgeWorld, count: number) {
  assert.equal(this.tb.pc.callLog?.newMissedCalls, count);
});

Then('the PC is told to enable "Sync Contacts" on the phone', async function (this: PhoneBridgeWorld) {
  assert.ok(this.lastRefusal, 'the sync was not refused');
  assert.equal((this.lastRefusal as { code?: string }).code, 'sim-pc.pbap-permission-required', this.lastRefusal.message);
  assert.match(this.lastRefusal.message, /Sync Contacts/);
  await this.verdict('limited', 'the iPhone answers Forbidden until the user enables Sync Contacts for this PC');
});

Then('the PC is told the phone offers contacts only to hands-free devices', async function (this: PhoneBridgeWorld) {
  assert.ok(this.lastRefusal, 'the sync was not refused');
  assert.equal((this.lastRefusal as { code?: string }).code, 'sim-pc.pbap-channel-refused', this.lastRefusal.message);
  assert.match(this.lastRefusal.message, /Hands-free/);
  await this.verdict('limited', 'iOS serves PBAP only to a PC whose Class of Device is Audio/Video Hands-free');
});

Then('the photos arrived with the contacts that have them', function (this: PhoneBridgeWorld) {
  const pc = new Map(pcContacts(this).list().map((c) => [c.handle, c]));
  let photos = 0;
  for (const contact of this.tb.phone.model.contacts.all()) {
    const card = pc.get(contact.id)?.card;
    if (!contact.photo) continue;
    photos++;
    assert.deepEqual(card?.photo?.bytes, contact.photo.bytes, `photo of contact ${contact.id}`);
  }
  assert.ok(photos > 0, 'the fixture has no photos');
});

Then('the PC reported progress as the pages arrived', function (this: PhoneBridgeWorld) {
  const progress = this.notes.progress as ContactsProgress[];
  const result = this.notes.syncResult as SyncResult;
  assert.ok(progress.length >= result.pages, `${progress.length} progress events for ${result.pages} pages`);
  for (let i = 1; i < progress.length; i++) assert.ok((progress[i]?.received ?? 0) >= (progress[i - 1]?.received ?? 0), 'progress went backwards');
  assert.equal(progress[progress.length - 1]?.percent, 100);
});

Then('the copy took the time the classic link model predicts', async function (this: PhoneBridgeWorld) {
  const frames = (this.notes.frames as FrameTapEvent[]).filter((f) => f.kind === 'data');
  // Group the tap into exchanges: each request from the PC, then the response bytes until the next request.
  const exchanges: ObexExchangeBytes[] = [];
  for (const f of frames) {
    if (f.direction === 'toHost') exchanges.push({ requestBytes: f.bytes, responseBytes: 0 });
    else {
      const last = exchanges[exchanges.length - 1];
      if (last) last.responseBytes += f.bytes;
    }
  }
  const model = this.tb.profile.classic?.link;
  assert.ok(model, 'the profile has no classic link model');
  const prediction = predictObexPull(model, exchanges);
  const measured = Number(this.notes.syncMs);
  this.log(prediction.formula);
  const lower = Math.round(prediction.expectedMs * 0.95);
  const upper = Math.round(prediction.expectedMs * 1.1);
  await this.figure({ name: 'phonebook copy time', value: measured, unit: 'ms', predicted: Math.round(prediction.expectedMs), lowerBound: lower, bound: upper, note: prediction.formula });
  assert.ok(measured >= lower && measured <= upper, `took ${measured} ms of link time; the model predicts ${Math.round(prediction.expectedMs)} ms (${prediction.formula})`);
});

Then('no contact appears twice on the PC', function (this: PhoneBridgeWorld) {
  const handles = pcContacts(this).list().map((c) => c.handle);
  assert.equal(new Set(handles).size, handles.length);
});

Then('the copy resumed from the last complete page', function (this: PhoneBridgeWorld) {
  const counters = (this.notes.counters as () => { interruptions: number; restarts: number })();
  const result = this.notes.syncResult as SyncResult;
  assert.ok(counters.interruptions >= 1, 'the drop did not interrupt the copy');
  assert.equal(counters.restarts, 0, 'the copy started over instead of resuming');
  assert.ok(result.resumes >= 1);
});
