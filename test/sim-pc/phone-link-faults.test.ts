/**
 * PhoneLink's fault surface against the hostile phone: each fault the phone
 * commits on the Notification Source is one `fault` event for `ancs`, the
 * `faults()` list is bounded (PHONE_LINK_FAULT_LIMIT, oldest dropped and
 * counted), and a full notification list is an `error` event (the PC's own
 * bound), never a phone fault.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Testbed } from '../../src/harness/testbed';
import { CapacityReachedError } from '../../src/sim-pc/errors';
import type { LinkFault } from '../../src/sim-pc/phone-link';

test('PHONE_LINK_FAULT_LIMIT: faults past maxFaults drop the oldest entries, every fault still reported once as an event', async () => {
  const tb = new Testbed({ phone: 'hostile', seed: 4, pcLimits: { maxFaults: 2, maxNotifications: 3 } });
  const saboteur = tb.phone.saboteur;
  assert.ok(saboteur, 'the hostile profile has a saboteur');
  saboteur.setRate(0);
  const events: LinkFault[] = [];
  const errors: Error[] = [];
  tb.pc.events.on('fault', (f) => events.push(f));
  tb.pc.events.on('error', (e) => errors.push(e));
  const back = tb.phone.backchannel;
  back.allowShareSystemNotifications(tb.pcAddress);
  await tb.connectPc();
  for (let i = 0; i < 4; i++) {
    saboteur.arm('ancs', 'truncated', 'notificationSource');
    back.postNotification({ appId: 'com.apple.MobileSMS', title: `bad ${i}`, message: 'x', category: 'Social' });
    await tb.clock.runFor(2_000);
  }
  const committed = saboteur.faults().filter((f) => f.profile === 'ancs');
  assert.equal(committed.length, 4);
  assert.equal(events.length, 4, events.map((e) => e.error.message).join(' | '));
  assert.ok(events.every((e) => e.profile === 'ancs' && typeof (e.error as Error & { code?: unknown }).code === 'string'));
  assert.equal(tb.pc.faults().length, 2);
  assert.equal(tb.pc.faultsDropped, 2);
  assert.deepEqual(
    tb.pc.faults().map((f) => f.error),
    events.slice(2).map((f) => f.error),
  );
  // Five good notifications overfill a list of three: one CapacityReachedError, as an error and not a fault.
  for (let i = 0; i < 5; i++) back.postNotification({ appId: 'com.apple.MobileSMS', title: `good ${i}`, message: 'x', category: 'Social' });
  await tb.clock.runFor(5_000);
  assert.equal(tb.pc.notifications.size, 3);
  assert.equal(errors.filter((e) => e instanceof CapacityReachedError).length, 1);
  assert.equal(events.length, 4);
  await tb.shutdown();
});

test('a PBAP operation asked for directly (pc.pbap()) that the phone breaks is one pbap fault', async () => {
  const tb = new Testbed({ phone: 'hostile', seed: 5 });
  const saboteur = tb.phone.saboteur;
  assert.ok(saboteur);
  saboteur.setRate(0);
  const faults: LinkFault[] = [];
  tb.pc.events.on('fault', (f) => faults.push(f));
  const back = tb.phone.backchannel;
  back.allowSyncContacts(tb.pcAddress);
  await tb.connectPc();
  // Let the other profiles finish pairing the shared ACL (a second pairing at once is refused, and retried).
  await tb.clock.runFor(10_000);
  let client: Awaited<ReturnType<typeof tb.pc.pbap>> | undefined;
  let openError: unknown;
  tb.pc.pbap().then(
    (c) => (client = c),
    (err: unknown) => (openError = err),
  );
  await tb.clock.runUntil(() => client !== undefined || openError !== undefined, 20_000);
  assert.equal(openError, undefined);
  assert.ok(client);
  saboteur.arm('pbap', 'truncated');
  let outcome: unknown;
  client.phonebookSize('telecom/pb.vcf').then(
    (n) => (outcome = n),
    (err: unknown) => (outcome = err),
  );
  await tb.clock.runUntil(() => outcome !== undefined, 60_000);
  assert.ok(outcome instanceof Error, `the cut answer fails the call: ${String(outcome)}`);
  await tb.clock.runFor(1_000);
  assert.deepEqual(
    faults.map((f) => f.profile),
    ['pbap'],
  );
  assert.equal(faults[0]?.error, outcome);
  await tb.shutdown();
});
