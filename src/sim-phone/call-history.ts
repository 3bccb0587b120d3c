/**
 * The phone's call log: missed, received and dialled calls with number,
 * optional name, time and duration, listed newest first, plus the count of
 * missed calls the user has not looked at (PBAP NewMissedCalls) and its
 * reset. Bounded like a phone's log: past the limit the oldest record
 * rolls off (and is reported as removed).
 */
import { Emitter } from '../util/emitter';
import { ContactDataError } from './phonebook-errors';

export const CALL_KINDS = ['missed', 'received', 'dialled'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

export interface CallRecord {
  /** Increasing with each record added. */
  readonly id: number;
  readonly kind: CallKind;
  readonly number: string;
  /** The name the phone showed for the call, if any (otherwise PBAP looks the number up in the contacts). */
  readonly name?: string;
  readonly time: Date;
  /** Seconds; 0 for missed calls. */
  readonly durationSec: number;
}

export interface CallInit {
  kind: CallKind;
  number: string;
  name?: string;
  time: Date;
  durationSec?: number;
}

export interface CallHistoryEvents {
  added: [record: CallRecord];
  /** Rolled off the end of the log, or cleared. */
  removed: [record: CallRecord];
  newMissedCallsChanged: [count: number];
}

export const DEFAULT_CALL_LIMIT = 1000;
const MAX_NUMBER_LENGTH = 64;
const MAX_NAME_LENGTH = 1024;

export class CallHistory {
  readonly events = new Emitter<CallHistoryEvents>();
  /** Newest first. */
  private records: CallRecord[] = [];
  private nextId = 1;
  private unseenMissed = 0;

  constructor(readonly limit: number = DEFAULT_CALL_LIMIT) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`call history limit ${limit} must be a positive integer`);
  }

  get size(): number {
    return this.records.length;
  }

  /** Missed calls since the last reset (PBAP NewMissedCalls; at most 255 on the wire). */
  get newMissedCalls(): number {
    return this.unseenMissed;
  }

  /** Records the call. Throws ContactDataError for an unusable number, name, time or duration. */
  add(init: CallInit): CallRecord {
    const fail = (field: string, problem: string): never => {
      throw new ContactDataError(field, problem);
    };
    if (!(CALL_KINDS as readonly string[]).includes(init.kind)) fail('kind', `must be one of ${CALL_KINDS.join(', ')}`);
    if (typeof init.number !== 'string' || init.number.length > MAX_NUMBER_LENGTH || init.number.includes('\0')) {
      fail('number', `must be a string of at most ${MAX_NUMBER_LENGTH} characters without NULs`);
    }
    if (init.name !== undefined && (init.name.length > MAX_NAME_LENGTH || init.name.includes('\0'))) {
      fail('name', `must be at most ${MAX_NAME_LENGTH} characters without NULs`);
    }
    if (!(init.time instanceof Date) || Number.isNaN(init.time.getTime())) fail('time', 'must be a valid date');
    const duration = init.durationSec ?? 0;
    if (!(Number.isFinite(duration) && duration >= 0)) fail('durationSec', 'must be a non-negative number');
    const record: CallRecord = {
      id: this.nextId++,
      kind: init.kind,
      number: init.number,
      ...(init.name !== undefined ? { name: init.name } : {}),
      time: new Date(init.time.getTime()),
      durationSec: init.kind === 'missed' ? 0 : duration,
    };
    // Newest first by time; among equal times the later record first.
    let at = 0;
    while (at < this.records.length && (this.records[at] as CallRecord).time.getTime() > record.time.getTime()) at++;
    this.records.splice(at, 0, record);
    this.events.emit('added', record);
    if (this.records.length > this.limit) {
      const dropped = this.records.pop();
      if (dropped) this.events.emit('removed', dropped);
    }
    if (record.kind === 'missed') {
      this.unseenMissed++;
      this.events.emit('newMissedCallsChanged', this.unseenMissed);
    }
    return record;
  }

  /** Records newest first: all of them, or one kind. */
  list(kind?: CallKind): CallRecord[] {
    return kind === undefined ? [...this.records] : this.records.filter((r) => r.kind === kind);
  }

  /** The user (or a PCE's ResetNewMissedCalls) has seen the missed calls. */
  resetNewMissedCalls(): void {
    if (this.unseenMissed === 0) return;
    this.unseenMissed = 0;
    this.events.emit('newMissedCallsChanged', 0);
  }

  clear(): void {
    const old = this.records;
    this.records = [];
    for (const record of old) this.events.emit('removed', record);
    this.resetNewMissedCalls();
  }
}
