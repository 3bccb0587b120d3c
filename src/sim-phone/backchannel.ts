/**
 * The Backchannel: how a test, a scenario or a script acts on the simulated
 * phone as its user or the outside world would (a notification arrives, the
 * user flips a toggle, an app gets installed, a call comes in, a text
 * arrives, the network drops). Each method is also a
 * `Stimulus` value, so JSON scripts can drive the phone on the clock.
 */
import { Timer } from '../link/clock';
import type { CallRecord } from './call-history';
import type { ContactChanges, ContactInit } from './contact-data';
import { UnknownNotificationError } from './errors';
import type { Call } from './hfp/call-model';
import { applyCallStimulus, isCallStimulus } from './hfp/call-stimulus';
import { UnknownMessageError } from './map/map-errors';
import { isMessageStimulus, parseMessageSpec, receivedInit, type MessageRef, type MessageSpec } from './map/message-stimulus';
import { NotificationChanges } from './notification-store';
import { PhoneModel } from './phone-model';
import { UnknownContactError } from './phonebook-errors';
import { StimulusError } from './errors';
import {
  CallSpec,
  ContactRef,
  NotificationChangeSpec,
  NotificationRef,
  NotificationSpec,
  ScriptStep,
  Stimulus,
  categoryIdOf,
} from './stimulus';

/** A running script: cancel it, or ask whether steps remain. */
export interface ScriptRun {
  cancel(): void;
  readonly pending: boolean;
  /** Steps applied so far. */
  readonly applied: number;
}

export class Backchannel {
  /** Script names (`ref`) of posted notifications -> store ids. */
  private readonly refs = new Map<string, number>();
  /** Script names (`ref`) of added contacts -> contact ids. */
  private readonly contactRefs = new Map<string, number>();
  /** Script names (`ref`) of received messages -> message ids. */
  private readonly messageRefs = new Map<string, number>();

  constructor(readonly model: PhoneModel) {}

  /** Posts a notification; returns its store id. */
  postNotification(spec: NotificationSpec, ref?: string): number {
    const notification = this.model.notifications.add({
      appId: spec.appId,
      categoryId: categoryIdOf(spec.category),
      title: spec.title,
      subtitle: spec.subtitle ?? '',
      message: spec.message,
      date: toDate(spec.date) ?? this.model.clock.date(),
      silent: spec.silent ?? false,
      important: spec.important ?? false,
      ...(spec.positiveActionLabel !== undefined ? { positiveActionLabel: spec.positiveActionLabel } : {}),
      ...(spec.negativeActionLabel !== undefined ? { negativeActionLabel: spec.negativeActionLabel } : {}),
    });
    if (ref !== undefined) this.refs.set(ref, notification.id);
    return notification.id;
  }

  modifyNotification(notification: NotificationRef, changes: NotificationChangeSpec): void {
    const { category, date, ...rest } = changes;
    const storeChanges: NotificationChanges = { ...rest };
    if (category !== undefined) storeChanges.categoryId = categoryIdOf(category);
    const when = toDate(date);
    if (when !== undefined) storeChanges.date = when;
    this.model.notifications.modify(this.resolve(notification), storeChanges);
  }

  removeNotification(notification: NotificationRef): void {
    this.model.notifications.remove(this.resolve(notification));
  }

  /** The user allows "Share System Notifications" for one PC, or for every PC. */
  allowShareSystemNotifications(pcAddress?: string): void {
    this.model.setPermission(pcAddress, 'shareSystemNotifications', true);
  }

  revokeShareSystemNotifications(pcAddress?: string): void {
    this.model.setPermission(pcAddress, 'shareSystemNotifications', false);
  }

  installApp(appId: string, name: string): void {
    this.model.installApp(appId, name);
  }

  /** The user enables "Sync Contacts" for one PC, or for every PC (gates PBAP on iOS). */
  allowSyncContacts(pcAddress?: string): void {
    this.model.setPermission(pcAddress, 'syncContacts', true);
  }

  revokeSyncContacts(pcAddress?: string): void {
    this.model.setPermission(pcAddress, 'syncContacts', false);
  }

  /** The user enables "Show Message Notifications" for one PC, or for every PC (gates MAP on iOS). */
  allowMessageNotifications(pcAddress?: string): void {
    this.model.setPermission(pcAddress, 'showMessageNotifications', true);
  }

  /** The user turns "Show Message Notifications" off; a PC's MAP session closes (on iOS). */
  revokeMessageNotifications(pcAddress?: string): void {
    this.model.setPermission(pcAddress, 'showMessageNotifications', false);
  }

  /**
   * A text, iMessage, group message or MMS arrives from someone; returns
   * the message id. Throws StimulusError for a spec that does not validate.
   */
  receiveMessage(spec: MessageSpec, ref?: string): number {
    const checked = parseMessageSpec(spec, 'message', (field, problem) => {
      throw new StimulusError(field, problem);
    });
    const message = this.model.messages.receive(receivedInit(checked, this.model.clock.date()));
    if (ref !== undefined) this.messageRefs.set(ref, message.id);
    return message.id;
  }

  /** The user reads a message on the phone itself. */
  readMessage(message: MessageRef): void {
    this.model.messages.setRead(this.resolveMessage(message), true);
  }

  /** Adds a contact; returns its id. */
  addContact(contact: ContactInit, ref?: string): number {
    const added = this.model.contacts.add(contact);
    if (ref !== undefined) this.contactRefs.set(ref, added.id);
    return added.id;
  }

  /** Edits a contact (0: the owner card). */
  editContact(contact: ContactRef, changes: ContactChanges): void {
    this.model.contacts.edit(this.resolveContact(contact), changes);
  }

  removeContact(contact: ContactRef): void {
    this.model.contacts.remove(this.resolveContact(contact));
  }

  /** A call is missed, received or dialled; returns the call record. */
  addCall(call: CallSpec): CallRecord {
    return this.model.calls.add({
      kind: call.kind,
      number: call.number,
      ...(call.name !== undefined ? { name: call.name } : {}),
      time: toDate(call.time) ?? this.model.clock.date(),
      ...(call.durationSec !== undefined ? { durationSec: call.durationSec } : {}),
    });
  }

  /** Replaces the contacts with a .vcf file or a JSON contact book (path relative to the working directory). */
  loadContactBook(file: string): number {
    const count = this.model.contacts.load(file);
    this.contactRefs.clear();
    return count;
  }

  /** iOS withdraws the ANCS service (connected PCs see Service Changed and lose their session). */
  withdrawAncs(): void {
    this.model.setAncsPublished(false);
  }

  /** iOS publishes ANCS again; PCs must subscribe afresh (and get every notification replayed). */
  publishAncs(): void {
    this.model.setAncsPublished(true);
  }

  /** A call comes in (it waits, with +CCWA, when another call is up). */
  incomingCall(number: string, name?: string): Call {
    return this.model.telephony.incomingCall(number, name);
  }

  /** A second call comes in while a call is up; throws CallRefusedError when no call is up. */
  callWaiting(number: string, name?: string): Call {
    return this.model.telephony.callWaiting(number, name);
  }

  /** The user dials on the phone itself. */
  startOutgoingCall(number: string): Call {
    return this.model.telephony.startOutgoingCall(number);
  }

  /** The far end answers the outgoing call. */
  remoteAnswers(): void {
    this.model.telephony.remoteAnswers();
  }

  /** The far end is busy; the outgoing call ends. */
  remoteBusy(): void {
    this.model.telephony.remoteBusy();
  }

  /** The far end hangs up call `index` (default: the active call). */
  remoteHangsUp(index?: number): void {
    this.model.telephony.remoteHangsUp(index);
  }

  /** The cellular network drops: every call ends (NO CARRIER), then service and signal go. */
  networkLoss(): void {
    this.model.telephony.networkLoss();
  }

  /** Battery level 0-5 (the battchg indicator). */
  setBattery(level: number): void {
    this.model.telephony.setBattery(level);
  }

  /** Signal bars 0-5. */
  setSignal(level: number): void {
    this.model.telephony.setSignal(level);
  }

  setService(available: boolean): void {
    this.model.telephony.setService(available);
  }

  setRoam(roaming: boolean): void {
    this.model.telephony.setRoaming(roaming);
  }

  /**
   * Applies one stimulus; returns the new id for `postNotification`,
   * `addContact`, `addCall` and `receiveMessage`, and the call index for
   * the call stimuli that start a call.
   */
  apply(stimulus: Stimulus): number | undefined {
    if (isCallStimulus(stimulus)) return applyCallStimulus(this.model.telephony, stimulus);
    if (isMessageStimulus(stimulus)) {
      if (stimulus.kind === 'receiveMessage') return this.receiveMessage(stimulus.message, stimulus.ref);
      this.readMessage(stimulus.message);
      return undefined;
    }
    switch (stimulus.kind) {
      case 'postNotification':
        return this.postNotification(stimulus.notification, stimulus.ref);
      case 'modifyNotification':
        this.modifyNotification(stimulus.notification, stimulus.changes);
        return undefined;
      case 'removeNotification':
        this.removeNotification(stimulus.notification);
        return undefined;
      case 'allowShareSystemNotifications':
        this.allowShareSystemNotifications(stimulus.pcAddress);
        return undefined;
      case 'revokeShareSystemNotifications':
        this.revokeShareSystemNotifications(stimulus.pcAddress);
        return undefined;
      case 'installApp':
        this.installApp(stimulus.appId, stimulus.name);
        return undefined;
      case 'withdrawAncs':
        this.withdrawAncs();
        return undefined;
      case 'publishAncs':
        this.publishAncs();
        return undefined;
      case 'allowSyncContacts':
        this.allowSyncContacts(stimulus.pcAddress);
        return undefined;
      case 'revokeSyncContacts':
        this.revokeSyncContacts(stimulus.pcAddress);
        return undefined;
      case 'allowMessageNotifications':
        this.allowMessageNotifications(stimulus.pcAddress);
        return undefined;
      case 'revokeMessageNotifications':
        this.revokeMessageNotifications(stimulus.pcAddress);
        return undefined;
      case 'addContact':
        return this.addContact(stimulus.contact, stimulus.ref);
      case 'editContact':
        this.editContact(stimulus.contact, stimulus.changes);
        return undefined;
      case 'removeContact':
        this.removeContact(stimulus.contact);
        return undefined;
      case 'addCall':
        return this.addCall(stimulus.call).id;
      case 'loadContactBook':
        this.loadContactBook(stimulus.file);
        return undefined;
    }
  }

  /**
   * Runs a script on the model's clock, each step `atMs` after now. Only the
   * next step has a timer pending. A step that throws (say, a notification
   * the test already removed) stops the script and propagates out of the
   * clock, loudly.
   */
  runScript(steps: readonly ScriptStep[]): ScriptRun {
    const clock = this.model.clock;
    const start = clock.now();
    let index = 0;
    let timer: Timer | undefined;
    const armNext = (): void => {
      const step = steps[index];
      if (!step) {
        timer = undefined;
        return;
      }
      timer = clock.schedule(start + step.atMs - clock.now(), () => {
        this.apply(step.stimulus);
        index++;
        armNext();
      });
    };
    armNext();
    return {
      cancel: () => timer?.cancel(),
      get pending() {
        return timer?.pending ?? false;
      },
      get applied() {
        return index;
      },
    };
  }

  /** The store id behind a reference. */
  resolve(notification: NotificationRef): number {
    if (typeof notification === 'number') return notification;
    const id = this.refs.get(notification);
    if (id === undefined) throw new UnknownNotificationError(notification);
    return id;
  }

  /** The message id behind a reference. */
  resolveMessage(message: MessageRef): number {
    if (typeof message === 'number') return message;
    const id = this.messageRefs.get(message);
    if (id === undefined) throw new UnknownMessageError(message);
    return id;
  }

  /** The contact id behind a reference. */
  resolveContact(contact: ContactRef): number {
    if (typeof contact === 'number') return contact;
    const id = this.contactRefs.get(contact);
    if (id === undefined) throw new UnknownContactError(contact);
    return id;
  }
}

function toDate(date: Date | string | undefined): Date | undefined {
  if (date === undefined) return undefined;
  const d = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(date)}`);
  return d;
}
