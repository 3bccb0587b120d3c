/**
 * The simulated phone's state: its notifications, text messages, contacts
 * and call log, its installed apps and the user's per-PC permission
 * toggles, with change events, and its live calls (`telephony`). Profile
 * servers (ANCS, PBAP, MAP, HFP) read and change this model; the
 * Backchannel is how tests and scripts drive it.
 */
import { Clock } from '../link/clock';
import { Emitter } from '../util/emitter';
import { CallHistory, DEFAULT_CALL_LIMIT } from './call-history';
import { ContactBook, DEFAULT_CONTACT_LIMIT } from './contact-book';
import { CallModel, type CallModelOptions } from './hfp/call-model';
import { DEFAULT_MESSAGE_LIMIT, MessageStore } from './map/message-store';
import { NotificationStore, DEFAULT_NOTIFICATION_LIMIT } from './notification-store';
import { PhoneProfile } from './profile';

/** The user's toggles for one PC, as iOS shows them in the device's Bluetooth settings. */
export interface PcPermissions {
  /** "Share System Notifications" (gates ANCS). */
  shareSystemNotifications: boolean;
  /** "Sync Contacts" (gates PBAP). */
  syncContacts: boolean;
  /** "Show Message Notifications" (gates MAP on iOS). */
  showMessageNotifications: boolean;
}

export type PermissionName = keyof PcPermissions;

const NO_PERMISSIONS: PcPermissions = { shareSystemNotifications: false, syncContacts: false, showMessageNotifications: false };

export interface PhoneModelEvents {
  /** A toggle changed; `pcAddress` undefined means every PC at once. */
  permissionChanged: [pcAddress: string | undefined, permission: PermissionName, granted: boolean];
  appInstalled: [appId: string, name: string];
  appRemoved: [appId: string];
  /** iOS published (true) or withdrew (false) the ANCS service, as it may at any time. */
  ancsPublication: [published: boolean];
}

export interface PhoneModelOptions {
  /** Most notifications the phone holds (default 10,000). */
  notificationLimit?: number;
  /** Most contacts the phone holds, owner card not counted (default 20,000). */
  contactLimit?: number;
  /** Most text messages kept; the oldest is dropped first (default 10,000). */
  messageLimit?: number;
  /** Most call records kept; older ones roll off (default 1,000). */
  callLimit?: number;
  /** Live-call timing and memory-dial entries (the call log is always `calls`). */
  telephony?: Omit<CallModelOptions, 'history'>;
}

export class PhoneModel {
  readonly events = new Emitter<PhoneModelEvents>();
  readonly notifications: NotificationStore;
  /** Text messages received and sent (MAP reads and changes them). */
  readonly messages: MessageStore;
  readonly contacts: ContactBook;
  readonly calls: CallHistory;
  /** Live calls and radio state (service, signal, roaming, battery); ended calls go to `calls`. */
  readonly telephony: CallModel;
  private readonly installed = new Map<string, string>();
  /** Toggles for PCs the user has not set individually. */
  private defaults: PcPermissions = { ...NO_PERMISSIONS };
  private readonly perPc = new Map<string, PcPermissions>();
  private ancsPublished = true;

  constructor(
    readonly profile: PhoneProfile,
    readonly clock: Clock,
    options: PhoneModelOptions = {},
  ) {
    this.notifications = new NotificationStore(options.notificationLimit ?? DEFAULT_NOTIFICATION_LIMIT);
    this.messages = new MessageStore(options.messageLimit ?? DEFAULT_MESSAGE_LIMIT);
    this.contacts = new ContactBook(options.contactLimit ?? DEFAULT_CONTACT_LIMIT);
    this.calls = new CallHistory(options.callLimit ?? DEFAULT_CALL_LIMIT);
    this.telephony = new CallModel(clock, { ...options.telephony, history: this.calls });
    for (const [appId, name] of Object.entries(profile.apps)) this.installed.set(appId, name);
  }

  /** True while iOS offers the ANCS service (the default). */
  get ancsIsPublished(): boolean {
    return this.ancsPublished;
  }

  /** iOS publishes or withdraws ANCS; the phone's GATT server follows (see SimulatedPhone). */
  setAncsPublished(published: boolean): void {
    if (published === this.ancsPublished) return;
    this.ancsPublished = published;
    this.events.emit('ancsPublication', published);
  }

  /** Installed apps: bundle identifier -> display name. */
  apps(): ReadonlyMap<string, string> {
    return this.installed;
  }

  appName(appId: string): string | undefined {
    return this.installed.get(appId);
  }

  installApp(appId: string, name: string): void {
    if (appId.length === 0 || appId.includes('\0')) throw new RangeError(`not a usable bundle identifier: ${JSON.stringify(appId)}`);
    this.installed.set(appId, name);
    this.events.emit('appInstalled', appId, name);
  }

  uninstallApp(appId: string): void {
    if (this.installed.delete(appId)) this.events.emit('appRemoved', appId);
  }

  /** The toggles in force for one PC (a copy). Addresses compare case-insensitively. */
  permissions(pcAddress: string): PcPermissions {
    return { ...(this.perPc.get(normalizeAddress(pcAddress)) ?? this.defaults) };
  }

  hasPermission(pcAddress: string, permission: PermissionName): boolean {
    return this.permissions(pcAddress)[permission];
  }

  /** Sets one toggle for one PC, or (no address) for every PC, including ones not seen yet. */
  setPermission(pcAddress: string | undefined, permission: PermissionName, granted: boolean): void {
    if (pcAddress === undefined) {
      this.defaults = { ...this.defaults, [permission]: granted };
      for (const perms of this.perPc.values()) perms[permission] = granted;
    } else {
      const key = normalizeAddress(pcAddress);
      const perms = this.perPc.get(key) ?? { ...this.defaults };
      perms[permission] = granted;
      this.perPc.set(key, perms);
    }
    this.events.emit('permissionChanged', pcAddress, permission, granted);
  }
}

function normalizeAddress(address: string): string {
  return address.toUpperCase();
}
