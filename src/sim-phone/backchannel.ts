/**
 * The Backchannel: how a test, a scenario or a script acts on the simulated
 * phone as its user or the outside world would (a notification arrives, the
 * user flips a toggle, an app gets installed). Each method is also a
 * `Stimulus` value, so JSON scripts can drive the phone on the clock.
 */
import { Timer } from '../link/clock';
import { UnknownNotificationError } from './errors';
import { NotificationChanges } from './notification-store';
import { PhoneModel } from './phone-model';
import { NotificationChangeSpec, NotificationRef, NotificationSpec, ScriptStep, Stimulus, categoryIdOf } from './stimulus';

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

  /** iOS withdraws the ANCS service (connected PCs see Service Changed and lose their session). */
  withdrawAncs(): void {
    this.model.setAncsPublished(false);
  }

  /** iOS publishes ANCS again; PCs must subscribe afresh (and get every notification replayed). */
  publishAncs(): void {
    this.model.setAncsPublished(true);
  }

  /** Applies one stimulus; returns the new store id for `postNotification`. */
  apply(stimulus: Stimulus): number | undefined {
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
}

function toDate(date: Date | string | undefined): Date | undefined {
  if (date === undefined) return undefined;
  const d = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(date)}`);
  return d;
}
