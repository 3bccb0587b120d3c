/**
 * Step definitions for the calls scenarios (features/calls): the phone's
 * calls through its Backchannel, the user's actions through the PC's Calls
 * service, and checks that both sides agree, in link time.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import type { Call as PcCall } from '../../src/sim-pc';
import type { PhoneBridgeWorld } from '../../src/harness/world';
import { settle } from './support';

const seconds = (s: number): number => Math.round(s * 1000);
const digits = (n: string | undefined): string => (n ?? '').replace(/\D/g, '');

function pcCalls(world: PhoneBridgeWorld): readonly PcCall[] {
  const calls = world.tb.pc.calls;
  assert.ok(calls, 'the PC has no calls service (no BR/EDR radio in this profile)');
  return calls.list;
}

function phoneCalls(world: PhoneBridgeWorld) {
  return world.tb.phone.model.telephony.calls();
}

function describeCalls(world: PhoneBridgeWorld): string {
  const pc = pcCalls(world).map((c) => `${c.state} ${JSON.stringify(c.number ?? '')}`).join(', ') || 'none';
  const phone = phoneCalls(world).map((c) => `${c.state} ${JSON.stringify(c.number)}`).join(', ') || 'none';
  return `PC: ${pc}; phone: ${phone}`;
}

async function within(world: PhoneBridgeWorld, s: number, check: () => boolean, what: string): Promise<void> {
  try {
    await world.tb.clock.runUntil(check, seconds(s));
  } catch {
    assert.fail(`${what} within ${s} s of link time (${describeCalls(world)})`);
  }
}

function contactNumber(world: PhoneBridgeWorld, id: number): { name: string; number: string } {
  const contact = world.tb.phone.model.contacts.get(id);
  const number = contact?.phones[0]?.number;
  assert.ok(contact && number, `the phone has no contact ${id} with a number`);
  return { name: contact.formattedName, number };
}

async function act(world: PhoneBridgeWorld, action: Promise<unknown>): Promise<void> {
  await settle(world, action, 10_000);
}

Given('the PC is connected to the phone for calls', async function (this: PhoneBridgeWorld) {
  this.tb.startPc();
  await within(this, 15, () => this.tb.pc.callsHealth()?.state === 'up', 'the hands-free connection is up');
});

Given("the PC has synced the phone's contacts", async function (this: PhoneBridgeWorld) {
  const contacts = this.tb.pc.contacts;
  assert.ok(contacts);
  await settle(this, contacts.sync(), 60_000);
});

Then(/^the phone received the PC's commands in the order (.+)$/, function (this: PhoneBridgeWorld, list: string) {
  const expected = list.split(',').map((s) => s.trim());
  const session = this.tb.phone.hfp?.session(this.tb.pcAddress);
  assert.ok(session, 'the phone has no hands-free session with the PC');
  const sent = session.received;
  const positions = expected.map((prefix) => sent.findIndex((line) => line === prefix || line.startsWith(prefix.endsWith('?') ? prefix : `${prefix}=`) || line.startsWith(prefix)));
  positions.forEach((p, i) => assert.ok(p >= 0, `the PC never sent ${expected[i]}; it sent ${sent.join(' | ')}`));
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, `out of order: ${sent.join(' | ')}`);
});

Then("the PC knows the phone's features and reads indicators by name", function (this: PhoneBridgeWorld) {
  const hf = this.tb.pc.handsFree;
  const profile = this.tb.profile.hfp;
  assert.ok(hf?.agInfo, 'no service-level connection');
  assert.ok(profile, 'the profile has no hfp section');
  assert.equal(hf.agInfo.features, profile.agFeatures);
  // Each phone orders its indicators its own way (the iPhone: service, call, ...; Android: call first);
  // the PC must find them by name wherever they are.
  assert.equal(hf.agInfo.indicators.indexOf('call'), profile.indicators.findIndex((i) => i.name === 'call') + 1);
  assert.equal(hf.indicator('service'), 1);
  assert.equal(hf.indicator('call'), 0);
});

When('contact {int} calls the phone', function (this: PhoneBridgeWorld, id: number) {
  const { number } = contactNumber(this, id);
  this.tb.phone.backchannel.incomingCall(number);
});

When('{string} calls the phone', function (this: PhoneBridgeWorld, number: string) {
  this.tb.phone.backchannel.incomingCall(number);
});

When('{string} calls while the first call is active', function (this: PhoneBridgeWorld, number: string) {
  this.tb.phone.backchannel.callWaiting(number);
});

Then('within {float} s of link time the PC shows an incoming call from contact {int} by name', async function (this: PhoneBridgeWorld, s: number, id: number) {
  const { name, number } = contactNumber(this, id);
  await within(this, s, () => pcCalls(this).some((c) => c.state === 'incoming' && digits(c.number) === digits(number) && c.name === name), `the PC shows a call from ${JSON.stringify(name)}`);
});

Then(/^within ([\d.]+) s of link time the PC shows an incoming call from "([^"]*)"$/, async function (this: PhoneBridgeWorld, s: string, number: string) {
  await within(this, Number(s), () => pcCalls(this).some((c) => c.state === 'incoming' && digits(c.number) === digits(number)), `the PC shows a call from ${JSON.stringify(number)}`);
});

Then('within {float} s of link time the PC shows a waiting call from {string}', async function (this: PhoneBridgeWorld, s: number, number: string) {
  await within(this, s, () => pcCalls(this).some((c) => c.state === 'waiting' && digits(c.number) === digits(number)), `the PC shows a waiting call from ${JSON.stringify(number)}`);
});

When('the user answers on the PC', async function (this: PhoneBridgeWorld) {
  await act(this, this.tb.pc.calls?.answer() ?? Promise.reject(new Error('no calls service')));
});

When('the user rejects the call on the PC', async function (this: PhoneBridgeWorld) {
  await act(this, this.tb.pc.calls?.reject() ?? Promise.reject(new Error('no calls service')));
});

When('the user hangs up on the PC', async function (this: PhoneBridgeWorld) {
  await act(this, this.tb.pc.calls?.hangUp() ?? Promise.reject(new Error('no calls service')));
});

When('the user calls {string} from the PC', async function (this: PhoneBridgeWorld, number: string) {
  await act(this, this.tb.pc.calls?.dial(number) ?? Promise.reject(new Error('no calls service')));
});

When('the user calls contact {int} by name from the PC', async function (this: PhoneBridgeWorld, id: number) {
  const { name } = contactNumber(this, id);
  await act(this, this.tb.pc.calls?.dial(name) ?? Promise.reject(new Error('no calls service')));
});

When('the user redials from the PC', async function (this: PhoneBridgeWorld) {
  await act(this, this.tb.pc.calls?.redial() ?? Promise.reject(new Error('no calls service')));
});

When('the user holds the active call and answers the waiting one on the PC', async function (this: PhoneBridgeWorld) {
  await act(this, this.tb.pc.calls?.hold() ?? Promise.reject(new Error('no calls service')));
});

When('the user swaps the calls on the PC', async function (this: PhoneBridgeWorld) {
  await act(this, this.tb.pc.calls?.swap() ?? Promise.reject(new Error('no calls service')));
});

When('the user joins the calls on the PC', async function (this: PhoneBridgeWorld) {
  await act(this, this.tb.pc.calls?.join() ?? Promise.reject(new Error('no calls service')));
});

When('the other party answers', function (this: PhoneBridgeWorld) {
  this.tb.phone.backchannel.remoteAnswers();
});

When('the other party is busy', function (this: PhoneBridgeWorld) {
  this.tb.phone.backchannel.remoteBusy();
});

When('the other party hangs up', function (this: PhoneBridgeWorld) {
  this.tb.phone.backchannel.remoteHangsUp();
});

When('the phone loses the network', function (this: PhoneBridgeWorld) {
  this.tb.phone.backchannel.networkLoss();
});

Then(/^within ([\d.]+) s of link time the phone is dialling "([^"]*)"$/, async function (this: PhoneBridgeWorld, s: string, number: string) {
  await within(this, Number(s), () => phoneCalls(this).some((c) => c.direction === 'mo' && ['dialing', 'alerting'].includes(c.state) && digits(c.number) === digits(number)), `the phone dials ${JSON.stringify(number)}`);
});

Then("within {float} s of link time the phone is dialling contact {int}'s first number", async function (this: PhoneBridgeWorld, s: number, id: number) {
  const { number } = contactNumber(this, id);
  await within(this, s, () => phoneCalls(this).some((c) => c.direction === 'mo' && digits(c.number) === digits(number)), `the phone dials contact ${id}`);
});

Then('within {float} s of link time the call is active on the phone and on the PC', async function (this: PhoneBridgeWorld, s: number) {
  await within(this, s, () => phoneCalls(this).some((c) => c.state === 'active') && pcCalls(this).some((c) => c.state === 'active'), 'the call is active on both sides');
});

Then('within {float} s of link time no call is in progress on the phone or on the PC', async function (this: PhoneBridgeWorld, s: number) {
  await within(this, s, () => phoneCalls(this).length === 0 && pcCalls(this).length === 0, 'no call is left');
});

Then(
  'within {float} s of link time the PC shows {string} active and {string} held',
  async function (this: PhoneBridgeWorld, s: number, active: string, held: string) {
    const state = (n: string) => pcCalls(this).find((c) => digits(c.number) === digits(n))?.state;
    const phoneState = (n: string) => phoneCalls(this).find((c) => digits(c.number) === digits(n))?.state;
    await within(this, s, () => state(active) === 'active' && state(held) === 'held' && phoneState(active) === 'active' && phoneState(held) === 'held', `${active} active and ${held} held`);
  },
);

Then('within {float} s of link time both calls are active in one conference on the phone and on the PC', async function (this: PhoneBridgeWorld, s: number) {
  await within(
    this,
    s,
    () => pcCalls(this).length === 2 && pcCalls(this).every((c) => c.state === 'active' && c.multiparty) && phoneCalls(this).every((c) => c.state === 'active' && c.multiparty),
    'both calls are in one active conference',
  );
});

Then("the PC's call history records a missed call from {string}", function (this: PhoneBridgeWorld, number: string) {
  const history = this.tb.pc.calls?.history ?? [];
  assert.ok(history.some((r) => r.kind === 'missed' && digits(r.number) === digits(number)), `history: ${JSON.stringify(history.map((r) => r.kind))}`);
});

Then('the codec for the call audio is mSBC', async function (this: PhoneBridgeWorld) {
  await this.tb.clock.runFor(1000);
  const session = this.tb.phone.hfp?.session(this.tb.pcAddress);
  assert.equal(session?.confirmedCodec, 2, 'the phone did not settle on mSBC');
  assert.equal(this.tb.pc.handsFree?.codec, 2, 'the PC did not settle on mSBC');
});

Then('within {float} s of link time the PC is connected to the phone for calls again', async function (this: PhoneBridgeWorld, s: number) {
  await within(this, s, () => this.tb.pc.callsHealth()?.state === 'up' && (this.tb.pc.callsHealth()?.reconnects ?? 0) >= 1, 'the hands-free connection is back');
});

Then("the PC's call log shows that missed call at once", function (this: PhoneBridgeWorld) {
  const entries = this.tb.pc.callLog?.entries ?? [];
  assert.ok(entries.some((e) => e.kind === 'missed' && e.book === 'hfp'), `call log: ${JSON.stringify(entries.map((e) => [e.kind, e.book]))}`);
});
