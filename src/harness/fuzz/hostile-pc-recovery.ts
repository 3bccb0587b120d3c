/**
 * The end of every `hostile-pc` case: once the hostile PC has gone, the
 * phone holds nothing of it (no PBAP, MAS or HF session, no MNS client, no
 * ANCS session), and the Testbed's well-behaved PhoneLink can use every
 * profile: a notification arrives with its attributes, the phone book
 * pulls with every contact, a text arrives in the inbox, the SLC comes up
 * and a call can be answered. After shutdown no timer is left.
 */
import { describe, type HostileBed } from './hostile-pc-bed';
import { HostilePcFailure } from './hostile-pc-model';

/** Longer than the phone's OBEX timeout, so that a half-finished operation is dropped. */
const QUIET_MS = 40_000;

async function waitFor(r: HostileBed, what: string, predicate: () => boolean, ms: number): Promise<void> {
  await r.clock.runUntil(predicate, ms).catch(() => undefined);
  if (!predicate()) throw new HostilePcFailure(`after the hostile PC left, ${what} within ${ms / 1000} s of link time`);
}

/** The phone keeps nothing of a PC that has gone. */
export function checkNothingKept(r: HostileBed): void {
  const phone = r.tb.phone;
  const held: string[] = [];
  if ((phone.pbap?.stats.sessionsOpen ?? 0) !== 0) held.push(`${phone.pbap?.stats.sessionsOpen} PBAP sessions`);
  if ((phone.map?.stats.sessionsOpen ?? 0) !== 0) held.push(`${phone.map?.stats.sessionsOpen} MAS sessions`);
  if ((phone.hfp?.sessions().length ?? 0) !== 0) held.push(`${phone.hfp?.sessions().length} HF sessions`);
  const mns = phone.map?.mnsState(r.pcAddress);
  if (mns !== undefined && mns !== 'closed') held.push(`an MNS client in state ${mns}`);
  if (phone.ancs.sessionOf(r.pcAddress) !== undefined) held.push('an ANCS session');
  if (held.length > 0) throw new HostilePcFailure(`the phone still holds ${held.join(', ')} of a PC that has gone`);
}

/** A well-behaved PC uses every profile of the phone the hostile PC attacked. */
export async function checkRecovery(r: HostileBed): Promise<void> {
  await r.handOver();
  await r.clock.runFor(QUIET_MS);
  checkNothingKept(r);
  const { tb } = r;
  const back = tb.phone.backchannel;
  back.allowShareSystemNotifications(tb.pcAddress);
  back.allowSyncContacts(tb.pcAddress);
  back.allowMessageNotifications(tb.pcAddress);
  if (!tb.central.bonds.has(tb.profile.address)) await tb.pair();
  tb.startPc();
  await waitFor(r, 'the PC did not connect', () => tb.pc.health().connected, 60_000);

  back.postNotification({ appId: 'com.apple.MobileSMS', title: 'After the storm', message: 'All is well', positiveActionLabel: 'OK', negativeActionLabel: 'No' });
  await waitFor(
    r,
    'a new notification did not reach the PC with its attributes',
    () => tb.pc.notifications.list().some((n) => n.title === 'After the storm' && n.message === 'All is well'),
    30_000,
  );

  const contacts = tb.pc.contacts;
  if (contacts) {
    const synced = await r.settle(contacts.sync(), 120_000);
    if (synced.ok !== true) throw new HostilePcFailure(`after the hostile PC left, the phone book did not sync: ${synced.ok === false ? describe(synced.error) : 'never finished'}`);
    // The phone book object starts with the owner's card (0.vcf), then one card per contact.
    const want = tb.phone.model.contacts.size + 1;
    if (contacts.size !== want) throw new HostilePcFailure(`after the hostile PC left, the PC pulled ${contacts.size} contacts, the phone has ${want}`);
  }

  const inbox = tb.pc.inbox;
  if (inbox) {
    await waitFor(r, 'messages did not come up', () => tb.pc.messagesHealth()?.state === 'up' && tb.pc.messagesHealth()?.notifications === 'connected', 120_000);
    back.receiveMessage({ from: '+447700900456', name: 'Bea', text: 'still there?' });
    await waitFor(r, 'a new text did not reach the inbox', () => inbox.entries().some((e) => e.kind === 'message' && e.text === 'still there?'), 60_000);
  }

  const calls = tb.pc.calls;
  if (calls) {
    await waitFor(r, 'the SLC did not come up', () => tb.pc.callsHealth()?.state === 'up', 120_000);
    back.incomingCall('+447700900789');
    await waitFor(r, 'an incoming call did not reach the PC', () => calls.list.some((c) => c.state === 'incoming'), 30_000);
    const answered = await r.settle(calls.answer(), 30_000);
    if (answered.ok !== true) throw new HostilePcFailure(`after the hostile PC left, answering a call failed: ${answered.ok === false ? describe(answered.error) : 'never finished'}`);
    await waitFor(r, 'the answered call did not become active on the phone', () => tb.phone.model.telephony.calls().some((c) => c.state === 'active'), 30_000);
  }
}

/** Stops both sides and checks that no timer is left. */
export async function checkShutdown(r: HostileBed): Promise<void> {
  await r.tb.shutdown();
  await r.clock.runUntilIdle({ until: r.clock.now() + 600_000 }).catch(() => undefined);
  if (r.clock.pendingEvents > 0) throw new HostilePcFailure(`${r.clock.pendingEvents} timers still pending after shutdown`);
}
