/**
 * A recorded run of the memory Testbed for the capture tests: a
 * notification flow (replay, a live notification, a dismissal), a PBAP
 * phonebook pull and an HFP service-level connection with an incoming call
 * answered and hung up and an outgoing call, with the `capture` option on.
 * Keeps the taps' own view of what was sent, to compare a capture with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Testbed } from '../../../src/harness/testbed';
import type { PduTapEvent } from '../../../src/link/memory/air-events';
import type { FrameTapEvent } from '../../../src/link/memory/classic';

export const CONTACTS_FIXTURE = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'contacts', 'contacts-10.vcf');
export const INCOMING_NUMBER = '+447700900555';
export const OUTGOING_NUMBER = '+447700900777';
export const SECRET_TITLE = 'Anna Example';
export const SECRET_MESSAGE = 'See you at 7 by the old mill';

export interface RecordedFlow {
  file: string;
  pdus: PduTapEvent[];
  frames: FrameTapEvent[];
  /** RFCOMM channels the profiles ran on. */
  channels: { hfp: number; pbap: number };
}

const madeDirs: string[] = [];

/** A capture file in a fresh temporary folder (removed by removeTempCaptures). */
export function tempCaptureFile(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pb-capture-'));
  madeDirs.push(dir);
  return path.join(dir, `${name}.btsnoop`);
}

/** Removes every folder tempCaptureFile made in this process. */
export function removeTempCaptures(): void {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

async function settle<T>(tb: Testbed, promise: Promise<T>, timeoutMs = 20_000): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  await tb.clock.runUntil(() => done, timeoutMs);
  return watched;
}

export async function recordFlow(file: string, seed = 5): Promise<RecordedFlow> {
  const tb = new Testbed({ seed, capture: file });
  const pdus: PduTapEvent[] = [];
  const frames: FrameTapEvent[] = [];
  tb.air.events.on('pdu', (e) => pdus.push(e));
  tb.classicAir.events.on('frame', (e) => frames.push(e));
  const back = tb.phone.backchannel;
  back.allowShareSystemNotifications(tb.pcAddress);
  back.postNotification({ appId: 'com.apple.MobileSMS', title: SECRET_TITLE, message: SECRET_MESSAGE, category: 'Social', negativeActionLabel: 'Clear' });
  back.loadContactBook(CONTACTS_FIXTURE);
  back.allowSyncContacts(tb.pcAddress);

  await tb.connectPc();
  await tb.clock.runUntil(() => tb.pc.notifications.size === 1, 10_000);
  back.postNotification({ appId: 'com.apple.mobilemail', title: 'Invoice 42', message: 'Your invoice is ready', category: 'Email', negativeActionLabel: 'Delete' });
  await tb.clock.runUntil(() => tb.pc.notifications.size === 2, 10_000);
  const first = tb.pc.notifications.list().find((e) => e.title === SECRET_TITLE);
  if (!first) throw new Error('the replayed notification did not reach the PC');
  await settle(tb, tb.pc.notifications.dismiss(first.id));
  await tb.clock.runUntil(() => tb.pc.notifications.size === 1, 10_000);

  const contacts = tb.pc.contacts;
  if (!contacts) throw new Error('the testbed has no contacts service');
  await settle(tb, contacts.sync(), 60_000);

  const calls = tb.pc.calls;
  if (!calls) throw new Error('the testbed has no calls service');
  await tb.clock.runUntil(() => tb.pc.callsHealth()?.state === 'up', 15_000);
  back.incomingCall(INCOMING_NUMBER);
  await tb.clock.runFor(2_000);
  await settle(tb, calls.answer());
  await tb.clock.runFor(1_000);
  await settle(tb, calls.hangUp());
  await tb.clock.runFor(1_000);
  await settle(tb, calls.dial(OUTGOING_NUMBER));
  await tb.clock.runFor(1_000);
  back.remoteAnswers();
  await tb.clock.runFor(1_000);
  await settle(tb, calls.hangUp());
  await tb.clock.runFor(1_000);
  await tb.shutdown();
  const errors = tb.capture?.errors ?? [];
  if (errors.length > 0) throw new Error(`the recorder failed: ${String(errors[0])}`);

  const hfp = tb.profile.hfp?.channel ?? 8;
  const pbap = tb.profile.pbap?.channel ?? 13;
  return { file, pdus, frames, channels: { hfp, pbap } };
}

/** The bytes a tap saw on one channel and direction, joined. */
export function channelBytes(frames: readonly FrameTapEvent[], channel: number, direction: FrameTapEvent['direction']): Uint8Array {
  return Buffer.concat(frames.filter((f) => f.channel === channel && f.direction === direction && f.kind === 'data' && f.data).map((f) => f.data as Uint8Array));
}
