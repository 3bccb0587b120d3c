/**
 * Helpers the step definitions share: run the virtual clock while a PC-side
 * promise settles, and find "that notification" on either side.
 */
import type { NotificationEntry } from '../../src/sim-pc';
import type { PhoneBridgeWorld } from '../../src/harness/world';

/** Runs link time until `promise` settles (or `timeoutMs` passes), then returns its outcome. */
export async function settle<T>(world: PhoneBridgeWorld, promise: Promise<T>, timeoutMs = 10_000): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  await world.bed.clock.runUntil(() => done, timeoutMs);
  return watched;
}

/** The PC entry for the notification the scenario last posted on the phone. */
export function pcEntryForCurrent(world: PhoneBridgeWorld): NotificationEntry {
  const id = world.currentPhoneNotification;
  if (id === undefined) throw new Error('no notification was posted in this scenario');
  const posted = world.notes[`posted:${id}`] as { title: string; message: string } | undefined;
  if (!posted) throw new Error(`notification ${id} was not posted by a step`);
  const entry = world.bed.pc.notifications.list().find((e) => e.title === posted.title);
  if (!entry) throw new Error(`the PC does not show a notification titled "${posted.title}"`);
  return entry;
}

export function describeList(entries: readonly NotificationEntry[]): string {
  if (entries.length === 0) return '(none)';
  // Quoted, so the report's redaction masks user text in failure messages.
  return entries.map((e) => `[${e.appName}] ${JSON.stringify(e.title)}: ${JSON.stringify(e.message)}`).join('; ');
}
