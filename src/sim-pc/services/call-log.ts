/**
 * The CallLog service: pulls the phone's call histories (ich, och and mch,
 * or the combined cch) and turns each card into an entry: missed, received
 * or dialled, the number, a name (from the card, else from the contacts),
 * and the time from X-IRMC-CALL-DATETIME. The phone writes that time
 * without a zone: by default it is read as the PC's local time, or as UTC
 * when told (`dateZone`), and a trailing `Z` always means UTC. Entries
 * come newest first; a call listed in both ich and mch is kept once, as
 * missed. NewMissedCalls comes from the missed (or combined) response.
 * Calls made or taken through the PC (the Calls service) are added at once
 * with `record()`, from book `hfp`, and give way to the phone's own entry
 * for the same call at the next refresh.
 */
import { PbapFormat, PropertyBit, selectorOf } from '../../protocol/pbap/constants';
import { CallKind, type Vcard } from '../../protocol/vcard/model';
import { Emitter } from '../../util/emitter';
import type { PhonebookSource, SkippedCard } from '../pbap/pbap-types';
import type { Contact } from './contact-index';

export type CallEntryKind = 'missed' | 'received' | 'dialled';
export type CallDateZone = 'local' | 'utc';

export interface CallEntry {
  kind: CallEntryKind;
  /** As the phone wrote it; '' for a withheld number. */
  number: string;
  /** From the card, else the matching contact; undefined when neither knows one. */
  name: string | undefined;
  nameSource: 'card' | 'contacts' | undefined;
  /** The matching contact's handle, when the name came from the contacts. */
  contactHandle: number | undefined;
  /** Undefined when the phone gave no time or one we cannot read. */
  time: Date | undefined;
  /** X-IRMC-CALL-DATETIME as written. */
  timeText: string;
  /** The history it came from (`ich`, `och`, `mch` or `cch`), or `hfp` for a call the PC itself saw. */
  book: string;
}

export interface CallLogSnapshot {
  entries: CallEntry[];
  /** New missed calls since the user last looked, when the phone says (PBAP 1.2). */
  newMissedCalls: number | undefined;
  skipped: SkippedCard[];
}

export interface CallLogOptions {
  /** A connected session (e.g. a PbapClient after connect()). */
  open: () => Promise<PhonebookSource>;
  /** Names for numbers the phone's cards leave unnamed. */
  contacts?: { lookupCaller(number: string): Contact | undefined };
  /** How to read zone-less times. Default 'local'. */
  dateZone?: CallDateZone;
  /** 'split' pulls ich, och and mch; 'combined' pulls cch. Default 'split'. */
  source?: 'split' | 'combined';
  /** MaxListCount per history. Default 200. */
  maxEntriesPerBook?: number;
  /** Ask the phone to reset its new-missed-calls count while pulling mch/cch. Default false. */
  resetNewMissedCalls?: boolean;
}

export interface CallLogEvents {
  updated: [snapshot: CallLogSnapshot];
}

export const DEFAULT_MAX_CALLS_PER_BOOK = 200;

/** Calls the PC saw itself and the phone has not listed yet, at most. */
export const MAX_LOCAL_CALLS = 200;

/** A phone entry within this of a local one (same kind and number) is the same call. */
const SAME_CALL_WINDOW_MS = 120_000;

/** What the Calls service knows of a finished call. */
export interface LocalCallRecord {
  kind: CallEntryKind;
  number: string | undefined;
  name: string | undefined;
  start: Date;
}

/** The properties a call list needs. */
export const CALL_PROPERTIES = selectorOf([PropertyBit.Version, PropertyBit.Fn, PropertyBit.N, PropertyBit.Tel, PropertyBit.CallDateTime]);

const BOOK_KIND: Record<string, CallEntryKind> = { ich: 'received', och: 'dialled', mch: 'missed' };
const CARD_KIND: Record<string, CallEntryKind> = { [CallKind.Missed]: 'missed', [CallKind.Received]: 'received', [CallKind.Dialed]: 'dialled' };

export class CallLog {
  readonly events = new Emitter<CallLogEvents>();
  private snapshot: CallLogSnapshot = { entries: [], newMissedCalls: undefined, skipped: [] };
  /** Calls seen through the PC that the phone's histories did not show yet. */
  private local: CallEntry[] = [];

  constructor(private readonly options: CallLogOptions) {}

  get entries(): readonly CallEntry[] {
    return this.snapshot.entries;
  }

  get newMissedCalls(): number | undefined {
    return this.snapshot.newMissedCalls;
  }

  /** Adds a call the PC itself took part in (from the Calls service), ahead of the next refresh. */
  record(call: LocalCallRecord): void {
    const entry: CallEntry = {
      kind: call.kind,
      number: call.number ?? '',
      name: call.name,
      nameSource: call.name === undefined ? undefined : 'contacts',
      contactHandle: undefined,
      time: call.start,
      timeText: '',
      book: 'hfp',
    };
    this.local.push(entry);
    if (this.local.length > MAX_LOCAL_CALLS) this.local.splice(0, this.local.length - MAX_LOCAL_CALLS);
    this.snapshot = { ...this.snapshot, entries: newestFirst([...this.snapshot.entries.filter((e) => e.book !== 'hfp'), ...this.local]) };
    this.events.emit('updated', this.snapshot);
  }

  /** Pulls the histories and replaces the log. */
  async refresh(): Promise<CallLogSnapshot> {
    const source = await this.options.open();
    const books = this.options.source === 'combined' ? ['cch'] : ['mch', 'ich', 'och'];
    const entries: CallEntry[] = [];
    const skipped: SkippedCard[] = [];
    let newMissedCalls: number | undefined;
    for (const book of books) {
      const counts = book === 'mch' || book === 'cch';
      const pull = await source.pullPhonebook(`telecom/${book}.vcf`, {
        format: PbapFormat.Vcard30,
        propertySelector: CALL_PROPERTIES,
        maxListCount: this.options.maxEntriesPerBook ?? DEFAULT_MAX_CALLS_PER_BOOK,
        ...(counts && this.options.resetNewMissedCalls === true ? { resetNewMissedCalls: true } : {}),
      });
      if (counts) newMissedCalls = pull.params.newMissedCalls;
      skipped.push(...pull.skipped);
      for (const card of pull.cards) {
        const entry = this.entryOf(card, book);
        if (entry === undefined) {
          skipped.push({ name: pull.name, offset: -1, reason: 'no-call-kind', message: 'a combined-history card says neither missed, received nor dialled' });
        } else {
          entries.push(entry);
        }
      }
    }
    const phone = dedupe(entries);
    // A local call the phone now lists is the phone's to show; the others stay until it does.
    this.local = this.local.filter((l) => !phone.some((e) => sameCall(e, l)));
    this.snapshot = { entries: newestFirst([...phone, ...this.local]), newMissedCalls, skipped };
    this.events.emit('updated', this.snapshot);
    return this.snapshot;
  }

  private entryOf(card: Vcard, book: string): CallEntry | undefined {
    const call = card.call;
    const kind = (call?.kind === undefined ? undefined : CARD_KIND[call.kind]) ?? BOOK_KIND[book];
    if (kind === undefined) return undefined;
    const number = card.tel[0]?.number.trim() ?? '';
    const timeText = call?.time ?? '';
    const entry: CallEntry = {
      kind,
      number,
      name: cardName(card),
      nameSource: undefined,
      contactHandle: undefined,
      time: parseCallDateTime(timeText, this.options.dateZone ?? 'local'),
      timeText,
      book,
    };
    if (entry.name !== undefined) {
      entry.nameSource = 'card';
    } else if (number !== '') {
      const contact = this.options.contacts?.lookupCaller(number);
      if (contact !== undefined) {
        entry.name = contact.name;
        entry.nameSource = 'contacts';
        entry.contactHandle = contact.handle;
      }
    }
    return entry;
  }
}

/** FN, else the name parts of N; undefined when the card names nobody (iOS leaves both empty for unknown numbers). */
function cardName(card: Vcard): string | undefined {
  const fn = card.formattedName?.trim();
  if (fn) return fn;
  const n = card.name;
  const parts = [n?.given, n?.family].map((p) => p?.trim() ?? '').filter((p) => p !== '');
  return parts.length > 0 ? parts.join(' ') : undefined;
}

const DATE_TIME = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(Z)?$/;

/**
 * Reads `yyyyMMddTHHmmss` (separators `-` and `:` tolerated). Zone-less
 * times are read in `zone`; a trailing `Z` means UTC. Undefined for
 * anything else, including impossible dates.
 */
export function parseCallDateTime(text: string, zone: CallDateZone = 'local'): Date | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = zone === 'utc' || match[7] === 'Z';
  const date = utc ? new Date(Date.UTC(year, month - 1, day, hour, minute, second)) : new Date(year, month - 1, day, hour, minute, second);
  const fields = utc
    ? [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()]
    : [date.getFullYear(), date.getMonth(), date.getDate()];
  // 31 April rolls over to 1 May: refuse it.
  if (fields[0] !== year || fields[1] !== month - 1 || fields[2] !== day) return undefined;
  return date;
}

/** One entry per call: a call two histories list (a missed call in ich and mch) is kept once, as missed. */
function dedupe(entries: CallEntry[]): CallEntry[] {
  const seen = new Map<string, CallEntry>();
  const out: CallEntry[] = [];
  for (const entry of entries) {
    if (entry.timeText === '') {
      out.push(entry);
      continue;
    }
    const key = `${entry.timeText}|${entry.number.replace(/\D/g, '')}`;
    const earlier = seen.get(key);
    if (earlier === undefined || earlier.book === entry.book) {
      seen.set(key, entry);
      out.push(entry);
    } else if (earlier.kind !== 'missed' && entry.kind === 'missed') {
      out[out.indexOf(earlier)] = entry;
      seen.set(key, entry);
    }
  }
  return out;
}

/** Newest first; entries without a time go last, each group keeping the phone's order. */
function newestFirst(entries: CallEntry[]): CallEntry[] {
  return entries
    .map((entry, order) => ({ entry, order }))
    .sort((a, b) => {
      const ta = a.entry.time?.getTime();
      const tb = b.entry.time?.getTime();
      if (ta === undefined || tb === undefined) return ta === tb ? a.order - b.order : ta === undefined ? 1 : -1;
      return tb - ta || a.order - b.order;
    })
    .map((x) => x.entry);
}

function sameCall(phone: CallEntry, local: CallEntry): boolean {
  if (phone.kind !== local.kind) return false;
  if (phone.number.replace(/\D/g, '').slice(-9) !== local.number.replace(/\D/g, '').slice(-9)) return false;
  if (!phone.time || !local.time) return true;
  return Math.abs(phone.time.getTime() - local.time.getTime()) <= SAME_CALL_WINDOW_MS;
}
