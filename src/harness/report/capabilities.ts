/**
 * The capability catalogue: the rows of the compatibility matrix. A scenario
 * names its row with one `@cap:<id>` tag; this file gives each id its area and
 * a title in the user's language. Ids missing here still get a row, titled
 * with the id, so a new scenario never disappears from the report.
 */

/** Areas in the order the report lists them. */
export const AREAS = ['ancs', 'map', 'pbap', 'hfp', 'link'] as const;

export interface CapabilityInfo {
  area: string;
  title: string;
  /** True when the row exists to show a documented iOS limitation. */
  limitation?: boolean;
}

/** Catalogue order is report order. */
export const CAPABILITIES: Readonly<Record<string, CapabilityInfo>> = {
  'notifications.new': {
    area: 'ancs',
    title: 'New notifications appear with app, title, message and date',
  },
  'notifications.modified': {
    area: 'ancs',
    title: 'Notifications changed on the phone update on the PC',
  },
  'notifications.removed-on-phone': {
    area: 'ancs',
    title: 'Notifications cleared on the phone disappear from the PC',
  },
  'notifications.dismiss-from-pc': {
    area: 'ancs',
    title: 'Dismissing a notification on the PC clears it on the phone',
  },
  'notifications.not-dismissible': {
    area: 'ancs',
    title: 'Notifications the phone offers no dismiss for are shown as view-only, with the reason',
  },
  'notifications.existing-on-connect': {
    area: 'ancs',
    title: 'Notifications already on the phone appear when the PC connects',
  },
  'notifications.reconnect': {
    area: 'ancs',
    title: 'After the phone comes back in range, each notification shows once and none is stale',
  },
  'notifications.service-changed': {
    area: 'ancs',
    title: 'When iOS withdraws and re-publishes the notification service, the PC follows without duplicates',
  },
  'notifications.pairing-required': {
    area: 'ancs',
    title: 'A PC that is not paired reads no notifications',
  },
  'notifications.permission': {
    area: 'ancs',
    title: 'Notifications arrive once the user allows sharing them, and not before',
  },
  'notifications.burst-timing': {
    area: 'ancs',
    title: 'A burst of notifications arrives within the time the link allows',
  },
  'notifications.reply': {
    area: 'ancs',
    title: 'Replying to a notification from the PC (the iPhone allows view and dismiss only)',
    limitation: true,
  },
  'messages.receive': { area: 'map', title: 'New texts and iMessages appear in threads named after the contact' },
  'messages.reply': { area: 'map', title: 'The user replies to a message from the PC' },
  'messages.compose': { area: 'map', title: 'The user writes a new message to a contact by name' },
  'messages.mark-read': { area: 'map', title: 'Reading a message on the PC marks it read on the phone' },
  'messages.history': { area: 'map', title: 'Messages that arrived while the PC was away appear after it reconnects', limitation: true },
  'messages.group': { area: 'map', title: 'Group messages are never shown as a conversation they are not', limitation: true },
  'messages.mms': { area: 'map', title: 'Picture messages (MMS)', limitation: true },
  'messages.send-limits': { area: 'map', title: 'Pictures and messages to several people are refused with a reason', limitation: true },
  'messages.single-session': { area: 'map', title: "A second PC may open the phone's messages while the first is connected", limitation: true },
  'messages.burst': { area: 'map', title: 'A burst of 500 messages arrives once each, in order' },
  'messages.permission': { area: 'map', title: 'Message access waits for "Show Message Notifications"', limitation: true },
  'contacts.pull': { area: 'pbap', title: "The PC copies the phone's whole address book" },
  'contacts.listing': { area: 'pbap', title: 'The PC lists the address book and reads single entries' },
  'contacts.caller-id': { area: 'pbap', title: 'Callers are named from numbers written in national or international form' },
  'contacts.call-history': { area: 'pbap', title: 'Missed, received and dialled calls arrive with their times and the new-missed count' },
  'contacts.permission': { area: 'pbap', title: 'Contacts are copied only once the user enables "Sync Contacts" for the PC', limitation: true },
  'contacts.class-of-device': { area: 'pbap', title: 'Contacts are offered only to a PC whose Class of Device is hands-free', limitation: true },
  'contacts.large-book': { area: 'pbap', title: 'A 5,000-contact book with photos arrives within the time the link allows, with progress' },
  'contacts.resume': { area: 'pbap', title: 'A copy cut by a link drop resumes from the last page, with no duplicates' },
  'calls.slc': { area: 'hfp', title: 'The hands-free connection follows the spec and negotiates codecs' },
  'calls.incoming': { area: 'hfp', title: 'Incoming calls show the caller by name and are answered or rejected on the PC' },
  'calls.hang-up': { area: 'hfp', title: 'A call ends when either side hangs up' },
  'calls.outgoing': { area: 'hfp', title: 'Calls by number, by contact name and redial from the PC; a busy line ends them' },
  'calls.multiparty': { area: 'hfp', title: 'Waiting calls are held, swapped and joined' },
  'calls.network-loss': { area: 'hfp', title: 'A call the network drops ends on the PC too' },
  'calls.reconnect': { area: 'hfp', title: 'After going out of range the PC reconnects and shows the call in progress' },
  'calls.audio': { area: 'hfp', title: 'Call audio flows both ways over SCO: mSBC when both sides have it, CVSD otherwise, on time and clean' },
};

/** Row id for scenarios that carry no `@cap:` tag. */
export const UNTAGGED_CAPABILITY = 'untagged';

export interface CapabilityDescription {
  id: string;
  area: string;
  title: string;
  limitation: boolean;
  /** False for ids missing from the catalogue. */
  known: boolean;
}

/**
 * Area, title and limitation flag for a capability id. For ids outside the
 * catalogue the area comes from `fallbackArea` (the scenario's area tag) and
 * the title is the id.
 */
export function describeCapability(id: string, fallbackArea?: string): CapabilityDescription {
  const info = Object.prototype.hasOwnProperty.call(CAPABILITIES, id) ? CAPABILITIES[id] : undefined;
  if (info) return { id, area: info.area, title: info.title, limitation: info.limitation === true, known: true };
  if (id === UNTAGGED_CAPABILITY) {
    return { id, area: fallbackArea ?? 'other', title: 'Scenarios without a @cap tag', limitation: false, known: false };
  }
  return { id, area: fallbackArea ?? 'other', title: id, limitation: false, known: false };
}

/** The area named by a scenario's tags (`@ancs`, `@map`, ...), if any. */
export function areaFromTags(tags: readonly string[]): string | undefined {
  for (const tag of tags) {
    const name = tag.startsWith('@') ? tag.slice(1) : tag;
    if ((AREAS as readonly string[]).includes(name)) return name;
  }
  return undefined;
}

/**
 * Sort key for report rows: catalogue entries in catalogue order, then other
 * ids by area (in AREAS order, unknown areas last) and id.
 */
export function compareCapabilities(a: { id: string; area: string }, b: { id: string; area: string }): number {
  const ids = Object.keys(CAPABILITIES);
  const ia = ids.indexOf(a.id);
  const ib = ids.indexOf(b.id);
  if (ia >= 0 || ib >= 0) {
    if (ia < 0) return 1;
    if (ib < 0) return -1;
    return ia - ib;
  }
  const rank = (area: string): number => {
    const i = (AREAS as readonly string[]).indexOf(area);
    return i < 0 ? AREAS.length : i;
  };
  return rank(a.area) - rank(b.area) || (a.area < b.area ? -1 : a.area > b.area ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
