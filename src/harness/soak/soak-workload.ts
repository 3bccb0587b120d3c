/**
 * The soak's workload: what keeps every profile busy. Notification posts
 * and removals, texts from a few senders, a call now and then (answered on
 * the PC or not, then hung up by the far end) and phonebook refreshes,
 * with what the checkpoints need to judge them afterwards: each text's
 * arrival facts, the last refresh's size, and the notifications removed
 * while Share System Notifications was off.
 */
import { messageHandle } from '../../sim-phone/map/message-view';
import { handleKey } from '../../sim-pc/services/inbox';
import type { Random } from '../../util/random';
import type { Testbed } from '../testbed';
import { isTypedError, type SoakArrival } from './soak-checks';
import { SOAK_CONTACTS, SOAK_MAX_PHONE_NOTIFICATIONS, type SoakEventCounts } from './soak-types';
import { generateAddressBook } from '../fixtures/address-book';

const APPS = ['com.apple.MobileSMS', 'com.apple.mobilemail', 'com.whatsapp.WhatsApp', 'com.apple.reminders'] as const;
const SENDERS = [
  { from: '+447700900123', name: 'Ann' },
  { from: '+447700900456', name: 'Bob' },
  { from: '+15555550123', name: undefined },
  { from: 'cat@example.com', name: 'Cat' },
] as const;
const CALLERS = ['+447700900123', '+447700900456', '+447700900789'] as const;

/** Where the workload reports errors from PC actions it started. */
export interface WorkloadSink {
  /** A typed error: expected under faults, counted. */
  typed(): void;
  /** Anything else: a bug. */
  unexpected(line: string): void;
}

/** The key both sides' notifications are compared by. */
export const keyOf = (n: { appId: string; title: string; subtitle: string; message: string }): string =>
  JSON.stringify([n.appId, n.title, n.subtitle, n.message]);

export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** A phone stimulus the phone may refuse in its state (a typed sim-phone error): returns undefined then. */
export function tryPhone<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    if (isTypedError(err)) return undefined;
    throw err;
  }
}

export class SoakWorkload {
  readonly events: SoakEventCounts = {
    notificationsPosted: 0,
    notificationsRemoved: 0,
    messages: 0,
    calls: 0,
    callsAnswered: 0,
    phonebookRefreshes: 0,
    phonebookRefreshesFailed: 0,
  };
  /** Contacts copied by the last refresh that finished. */
  lastSyncCount: number | undefined;
  syncRunning = false;
  /** Keys of phone notifications removed while Share System Notifications was off, not yet settled by a reconnect. */
  readonly silentRemovals = new Set<string>();
  silentRemovalsTolerated = 0;
  private readonly arrivals: { id: number; key: string; registered: boolean }[] = [];
  private readonly callEnds: { at: number; answerAt: number | undefined; index: number }[] = [];
  private counter = 1;

  constructor(
    private readonly tb: Testbed,
    private readonly random: Random,
    private readonly sink: WorkloadSink,
    private readonly strict: boolean,
  ) {}

  /** The phone's address book and the user allowing all three toggles for the PC. */
  setUpPhone(seed: number): void {
    const tb = this.tb;
    const back = tb.phone.backchannel;
    for (const contact of generateAddressBook({ count: SOAK_CONTACTS, seed, photoShare: 0 })) back.addContact(contact);
    back.allowShareSystemNotifications(tb.pcAddress);
    back.allowSyncContacts(tb.pcAddress);
    back.allowMessageNotifications(tb.pcAddress);
  }

  /** Clock time of the next due call action, or Infinity. */
  nextCallAt(): number {
    return this.callEnds.reduce((m, c) => Math.min(m, c.answerAt ?? c.at), Number.POSITIVE_INFINITY);
  }

  /** The next due call action: the PC answers, or the far end hangs up. */
  callStep(): void {
    const now = this.tb.clock.now();
    const calls = this.tb.pc.calls;
    for (const c of [...this.callEnds]) {
      if (c.answerAt !== undefined && c.answerAt <= now) {
        c.answerAt = undefined;
        const pcCall = calls?.list.find((x) => x.state === 'incoming');
        if (calls !== undefined && pcCall !== undefined) {
          this.events.callsAnswered++;
          this.pcAction(calls.answer(pcCall.id));
        }
      } else if (c.answerAt === undefined && c.at <= now) {
        this.callEnds.splice(this.callEnds.indexOf(c), 1);
        tryPhone(() => this.tb.phone.backchannel.remoteHangsUp(c.index));
      }
    }
  }

  post(): void {
    const back = this.tb.phone.backchannel;
    if (this.tb.phone.model.notifications.all().length >= SOAK_MAX_PHONE_NOTIFICATIONS) this.remove();
    const n = this.counter++;
    back.postNotification({
      appId: this.random.pick(APPS),
      title: `Title ${n}`,
      message: `Body ${n}`,
      ...(this.random.chance(0.5) ? { negativeActionLabel: 'Clear' } : {}),
    });
    this.events.notificationsPosted++;
  }

  remove(): void {
    const tb = this.tb;
    const list = tb.phone.model.notifications.all();
    if (list.length === 0) return;
    const target = this.random.pick(list);
    if (!tb.phone.model.hasPermission(tb.pcAddress, 'shareSystemNotifications')) this.silentRemovals.add(keyOf(target));
    tb.phone.backchannel.removeNotification(target.id);
    this.events.notificationsRemoved++;
  }

  receive(): void {
    const tb = this.tb;
    const sender = this.random.pick(SENDERS);
    const imessage = this.random.chance(0.5);
    const text = `text ${this.counter++}${imessage ? ' (iMessage)' : ''}`;
    const registered = tb.phone.map?.mnsState(tb.pcAddress) !== undefined;
    const id = tb.phone.backchannel.receiveMessage({ from: sender.from, text, service: imessage ? 'imessage' : 'sms', ...(sender.name !== undefined ? { name: sender.name } : {}) });
    this.arrivals.push({ id, key: `${handleKey(messageHandle(id))} ${text}`, registered });
    this.events.messages++;
  }

  ring(): void {
    const tb = this.tb;
    if (tb.phone.model.telephony.calls().length > 0) return;
    const call = tryPhone(() => tb.phone.backchannel.incomingCall(this.random.pick(CALLERS)));
    if (call === undefined) return;
    this.events.calls++;
    const now = tb.clock.now();
    const answered = this.random.chance(0.6);
    const answerAt = answered ? now + this.random.int(2_000, 15_000) : undefined;
    this.callEnds.push({ at: (answerAt ?? now) + this.random.int(5_000, 180_000), answerAt, index: call.index });
  }

  refresh(): void {
    const contacts = this.tb.pc.contacts;
    if (contacts === undefined || this.syncRunning) return;
    this.syncRunning = true;
    this.events.phonebookRefreshes++;
    contacts.sync().then(
      (result) => {
        this.syncRunning = false;
        this.lastSyncCount = result.count;
      },
      (err: unknown) => {
        this.syncRunning = false;
        this.events.phonebookRefreshesFailed++;
        if (isTypedError(err)) this.sink.typed();
        else this.sink.unexpected(`phonebook refresh failed without a code: ${describe(err)}`);
      },
    );
  }

  pcAction(promise: Promise<unknown>): void {
    promise.catch((err: unknown) => {
      if (isTypedError(err)) this.sink.typed();
      else this.sink.unexpected(`PC action failed without a code: ${describe(err)}`);
    });
  }

  endCalls(): void {
    for (const call of this.tb.phone.model.telephony.calls()) tryPhone(() => this.tb.phone.backchannel.remoteHangsUp(call.index));
    this.callEnds.length = 0;
  }

  messageSnapshot(): SoakArrival[] {
    const tb = this.tb;
    const map = tb.phone.map;
    return this.arrivals.map((a) => {
      const message = tb.phone.model.messages.get(a.id);
      const visible = message !== undefined && map !== undefined && map.view.visibleTo(message, tb.pcAddress);
      return { key: a.key, registered: a.registered, visible };
    });
  }

  /**
   * The PC's notification keys. iOS sends nothing while Share System
   * Notifications is off, and on re-allowing it replays what exists in the
   * same session, so the PC keeps a notification removed meanwhile until the
   * next reconnect (see the report): unless `strict`, those are left out and counted.
   */
  pcNotifications(): string[] {
    const keys = this.tb.pc.notifications.list().map(keyOf);
    if (this.strict || this.silentRemovals.size === 0) return keys;
    const kept = keys.filter((k) => !this.silentRemovals.has(k));
    this.silentRemovalsTolerated += keys.length - kept.length;
    return kept;
  }
}
