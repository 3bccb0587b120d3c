/**
 * The filters of GetMessagesListing (FilterMessageType, FilterPeriodBegin
 * and End, FilterReadStatus, FilterRecipient, FilterOriginator,
 * FilterPriority) applied to the messages a PC may see. A filter value the
 * phone cannot make sense of (a bad date-time, a reserved value) is a Bad
 * Request, never an exception.
 */
import {
  MessageTypeFilterBit,
  MessageTypeName,
  PriorityFilter,
  ReadStatusFilter,
  mapDateTimeToEpochMs,
  parseMapDateTime,
  type MapParams,
} from '../../protocol/map';
import type { MapProfile } from './map-profile';
import type { PhoneMessage } from './message-store';
import type { MessageView } from './message-view';

export type FilterOutcome = { ok: true; messages: PhoneMessage[] } | { ok: false; problem: string };

/** The FilterMessageType bit of each bMessage TYPE. */
const TYPE_BITS: Record<string, number> = {
  [MessageTypeName.SmsGsm]: MessageTypeFilterBit.SmsGsm,
  [MessageTypeName.SmsCdma]: MessageTypeFilterBit.SmsCdma,
  [MessageTypeName.Email]: MessageTypeFilterBit.Email,
  [MessageTypeName.Mms]: MessageTypeFilterBit.Mms,
  [MessageTypeName.Im]: MessageTypeFilterBit.Im,
};

/** Applies every filter in `params`; the order of `messages` is kept. */
export function filterMessages(messages: readonly PhoneMessage[], params: MapParams, view: MessageView, map: MapProfile): FilterOutcome {
  const tests: Array<(m: PhoneMessage) => boolean> = [];

  const typeMask = params.filterMessageType ?? 0;
  // A set bit filters that type out (the MAP spec's reading).
  if (typeMask !== 0) tests.push((m) => ((TYPE_BITS[view.typeOf(m)] ?? 0) & typeMask) === 0);

  for (const [text, which] of [
    [params.filterPeriodBegin, 'begin'],
    [params.filterPeriodEnd, 'end'],
  ] as const) {
    if (text === undefined || text === '') continue;
    let bound: number;
    try {
      bound = mapDateTimeToEpochMs(parseMapDateTime(text), map.utcOffsetMinutes);
    } catch {
      return { ok: false, problem: `FilterPeriod${which === 'begin' ? 'Begin' : 'End'} ${JSON.stringify(text.slice(0, 40))} is not a MAP date-time` };
    }
    // Listings show whole seconds, so compare whole seconds.
    if (which === 'begin') tests.push((m) => wholeSeconds(m.date) >= bound);
    else tests.push((m) => wholeSeconds(m.date) < bound);
  }

  const readStatus = params.filterReadStatus ?? ReadStatusFilter.All;
  if (readStatus === ReadStatusFilter.UnreadOnly) tests.push((m) => !m.read);
  else if (readStatus === ReadStatusFilter.ReadOnly) tests.push((m) => m.read);
  else if (readStatus !== ReadStatusFilter.All) return { ok: false, problem: `FilterReadStatus ${readStatus} is reserved` };

  const priority = params.filterPriority ?? PriorityFilter.All;
  // No message on this phone has high priority.
  if (priority === PriorityFilter.HighOnly) tests.push(() => false);
  else if (priority !== PriorityFilter.All && priority !== PriorityFilter.NonHighOnly) return { ok: false, problem: `FilterPriority ${priority} is reserved` };

  if (params.filterOriginator !== undefined && params.filterOriginator !== '') {
    const match = addressMatcher(params.filterOriginator);
    tests.push((m) => (m.direction === 'received' ? [m.from, m.name ?? ''] : [map.ownNumber]).some(match));
  }
  if (params.filterRecipient !== undefined && params.filterRecipient !== '') {
    const match = addressMatcher(params.filterRecipient);
    tests.push((m) => {
      if (m.direction === 'sent') return m.recipients.some(match);
      const others = map.groups === 'participants' ? m.group : [];
      return [map.ownNumber, ...others].some(match);
    });
  }

  return { ok: true, messages: messages.filter((m) => tests.every((t) => t(m))) };
}

function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}

/**
 * A case-insensitive matcher for FilterOriginator / FilterRecipient: the
 * pattern matches anywhere in the value, and '*' matches any run of
 * characters. Each piece between stars is found leftmost in turn, which is
 * exact for star-only patterns and linear, however hostile the pattern.
 */
export function addressMatcher(pattern: string): (value: string) => boolean {
  const pieces = pattern.toLowerCase().split('*').filter((p) => p !== '');
  return (value) => {
    if (value === '') return false;
    const text = value.toLowerCase();
    let at = 0;
    for (const piece of pieces) {
      const found = text.indexOf(piece, at);
      if (found < 0) return false;
      at = found + piece.length;
    }
    return true;
  };
}
