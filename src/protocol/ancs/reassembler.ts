/**
 * Data Source reassembler: a byte-wise state machine that rebuilds replies
 * from notifications cut at any byte. Replies carry no length and no request
 * id, so the caller announces each reply's shape with `expect()` (from the
 * Control Point request) and the machine counts attribute tuples down:
 * COMMAND_ID -> NOTIF_UID(4) | APP_ID..NUL -> { ATTR_ID -> LEN_LO -> LEN_HI -> VALUE } x N -> done.
 */
import { CommandId } from './constants';
import { checkExpectedReply } from './data-source';
import { AncsError, AncsErrorKind, type AncsErrorKindCode } from './errors';
import type { AttributeValue, DataSourceReply, ExpectedReply } from './types';
import { concatBytes, decodeAppIdentifier } from './wire';
import { ANCS_MAX_REPLY_BYTES, ANCS_MAX_PENDING_REPLIES } from '../../limits';

export const DEFAULT_MAX_REPLY_BYTES = ANCS_MAX_REPLY_BYTES;
export const DEFAULT_MAX_PENDING_REPLIES = ANCS_MAX_PENDING_REPLIES;

export interface DataSourceReassemblerOptions {
  /** Largest reply accepted, header included; default 256 KiB. */
  maxReplyBytes?: number;
  /** Most expectations queued (not yet started) at once; default 64. */
  maxPendingReplies?: number;
}

/**
 * Thrown by `DataSourceReassembler.push`. `offset` counts from the first byte
 * of the reply being parsed (so it matches what a one-shot decode of that
 * reply would report); `completed` holds the replies that the same fragment
 * finished before the failure, which are otherwise lost.
 */
export class ReassemblyError extends AncsError {
  constructor(
    code: AncsErrorKindCode,
    message: string,
    offset: number,
    readonly completed: readonly DataSourceReply[],
  ) {
    super(code, message, offset);
  }
}

/** Shared empty value: attributes of length 0 and the idle state need no allocation. */
const EMPTY = new Uint8Array(0);
/** Below this many bytes a plain loop copies faster than allocating a subarray view for `set`. */
const SMALL_COPY = 32;
/** Shared empty result for fragments that complete nothing. */
const NONE: DataSourceReply[] = [];

type Step = 'command' | 'uid' | 'app-id' | 'attr-id' | 'len-lo' | 'len-hi' | 'value';

export class DataSourceReassembler {
  private readonly maxReplyBytes: number;
  private readonly maxPendingReplies: number;
  private readonly pending: ExpectedReply[] = [];

  /** The reply being parsed; undefined between replies. */
  private current: ExpectedReply | undefined;
  private step: Step = 'command';
  /** Bytes of the current reply consumed so far. */
  private replyBytes = 0;
  private uid = 0;
  private uidBytes = 0;
  private appIdParts: Uint8Array[] = [];
  private appIdentifier = '';
  private attributes: AttributeValue[] = [];
  private attributesLeft = 0;
  private attrId = 0;
  private lengthLow = 0;
  private value: Uint8Array = EMPTY;
  private valueFilled = 0;
  /** Replies finished during the current `push` (NONE until the first), for ReassemblyError. */
  private completed: DataSourceReply[] = NONE;

  constructor(options: DataSourceReassemblerOptions = {}) {
    this.maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    this.maxPendingReplies = options.maxPendingReplies ?? DEFAULT_MAX_PENDING_REPLIES;
    if (!Number.isSafeInteger(this.maxReplyBytes) || this.maxReplyBytes < 1) throw new RangeError(`maxReplyBytes must be a positive integer, got ${this.maxReplyBytes}`);
    if (!Number.isSafeInteger(this.maxPendingReplies) || this.maxPendingReplies < 1) {
      throw new RangeError(`maxPendingReplies must be a positive integer, got ${this.maxPendingReplies}`);
    }
  }

  /** True while a reply is half parsed or at least one is expected. */
  get busy(): boolean {
    return this.current !== undefined || this.pending.length > 0;
  }

  /** Expectations queued and not yet started. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Queues the shape of the next reply (replies arrive in request order).
   * Throws RangeError for an invalid expectation and `ancs.too-many-pending`
   * when the queue is full; neither changes the reassembler's state.
   */
  expect(expected: ExpectedReply): void {
    checkExpectedReply(expected);
    if (this.pending.length >= this.maxPendingReplies) {
      throw new AncsError(AncsErrorKind.TooManyPending, `already ${this.pending.length} replies expected (limit ${this.maxPendingReplies})`);
    }
    this.pending.push({ ...expected });
  }

  /**
   * Feeds one Data Source notification and returns every reply it completed,
   * in order. On a ReassemblyError the reassembler is reset (partial reply and
   * all expectations dropped) and the rest of the fragment is discarded.
   */
  push(fragment: Uint8Array): DataSourceReply[] {
    this.completed = NONE;
    try {
      let pos = 0;
      while (pos < fragment.length) pos = this.consume(fragment, pos);
    } catch (err) {
      this.reset();
      throw err;
    }
    const done = this.completed;
    this.completed = NONE;
    return done === NONE ? [] : done;
  }

  /**
   * True when a reply has started and the parser stands between two
   * attribute tuples: the bytes so far form a valid reply with fewer tuples
   * than expected. iOS sends such short replies (no tuples at all for an app
   * that is not installed; real captures miss a last attribute), and the
   * stream cannot tell them from a slow next fragment.
   */
  get atTupleBoundary(): boolean {
    return this.current !== undefined && this.step === 'attr-id';
  }

  /**
   * Ends the current reply with the tuples received so far, when it stands at
   * a tuple boundary (see `atTupleBoundary`); returns undefined otherwise and
   * changes nothing. The caller decides when to give up waiting, typically
   * after the link has been quiet for a few connection events.
   */
  completeAtBoundary(): DataSourceReply | undefined {
    if (!this.atTupleBoundary) return undefined;
    this.completed = NONE;
    this.finishReply();
    const [reply] = this.completed;
    this.completed = NONE;
    return reply;
  }

  /** Drops the partial reply and every expectation (after a disconnect or a timeout). */
  reset(): void {
    this.pending.length = 0;
    this.current = undefined;
    this.step = 'command';
    this.replyBytes = 0;
    this.appIdParts = [];
    this.appIdentifier = '';
    this.attributes = [];
    this.attributesLeft = 0;
    this.value = EMPTY;
    this.valueFilled = 0;
  }

  /** Consumes at least one byte of `fragment` from `pos`; returns the new position. */
  private consume(fragment: Uint8Array, pos: number): number {
    switch (this.step) {
      case 'command':
        this.startReply(fragment[pos], pos);
        return pos + 1;
      case 'uid':
        return this.consumeUid(fragment, pos);
      case 'app-id':
        return this.consumeAppId(fragment, pos);
      case 'attr-id':
        this.count(1);
        this.attrId = fragment[pos];
        this.step = 'len-lo';
        return pos + 1;
      case 'len-lo':
        this.count(1);
        this.lengthLow = fragment[pos];
        this.step = 'len-hi';
        return pos + 1;
      case 'len-hi':
        this.startValue(this.lengthLow | (fragment[pos] << 8));
        return pos + 1;
      case 'value':
        return this.consumeValue(fragment, pos);
    }
  }

  private startReply(commandId: number, fragmentPos: number): void {
    const expected = this.pending.shift();
    if (expected === undefined) {
      this.fail(AncsErrorKind.UnexpectedData, `Data Source byte at fragment position ${fragmentPos} while no reply is expected`, 0);
    }
    this.current = expected;
    this.replyBytes = 0;
    this.count(1);
    if (commandId !== expected.commandId) {
      this.fail(AncsErrorKind.ReplyMismatch, `reply CommandID ${commandId}, expected ${expected.commandId}`, 0);
    }
    this.attributes = [];
    this.attributesLeft = expected.attributeCount;
    if (expected.commandId === CommandId.GetNotificationAttributes) {
      this.uid = 0;
      this.uidBytes = 0;
      this.step = 'uid';
    } else {
      this.appIdParts = [];
      this.step = 'app-id';
    }
  }

  private consumeUid(fragment: Uint8Array, pos: number): number {
    const n = Math.min(4 - this.uidBytes, fragment.length - pos);
    for (let i = 0; i < n; i++) this.uid += fragment[pos + i] * 2 ** (8 * (this.uidBytes + i));
    this.uidBytes += n;
    this.count(n);
    if (this.uidBytes === 4) {
      const want = this.current?.notificationUid;
      if (want !== undefined && this.uid !== want) {
        this.fail(AncsErrorKind.ReplyMismatch, `reply for NotificationUID ${this.uid}, expected ${want}`, 1);
      }
      this.headerDone();
    }
    return pos + n;
  }

  private consumeAppId(fragment: Uint8Array, pos: number): number {
    const nul = fragment.indexOf(0, pos);
    const end = nul < 0 ? fragment.length : nul;
    this.count(end - pos + (nul < 0 ? 0 : 1));
    if (end > pos) this.appIdParts.push(fragment.slice(pos, end));
    if (nul < 0) return end;
    let appIdentifier: string;
    try {
      appIdentifier = decodeAppIdentifier(concatBytes(this.appIdParts), 1);
    } catch {
      this.fail(AncsErrorKind.BadUtf8, 'reply AppIdentifier is not well-formed UTF-8', 1);
    }
    this.appIdParts = [];
    const want = this.current?.appIdentifier;
    if (want !== undefined && appIdentifier !== want) {
      this.fail(AncsErrorKind.ReplyMismatch, `reply for app ${JSON.stringify(appIdentifier)}, expected ${JSON.stringify(want)}`, 1);
    }
    this.appIdentifier = appIdentifier;
    this.headerDone();
    return nul + 1;
  }

  private headerDone(): void {
    this.step = 'attr-id';
    if (this.attributesLeft === 0) this.finishReply();
  }

  private startValue(length: number): void {
    this.count(1);
    if (this.replyBytes + length > this.maxReplyBytes) {
      this.fail(AncsErrorKind.ReplyTooLarge, `attribute ${this.attrId} of ${length} bytes would take the reply past ${this.maxReplyBytes} bytes`, this.maxReplyBytes);
    }
    this.value = length === 0 ? EMPTY : new Uint8Array(length);
    this.valueFilled = 0;
    this.step = 'value';
    if (length === 0) this.attributeDone();
  }

  private consumeValue(fragment: Uint8Array, pos: number): number {
    const n = Math.min(this.value.length - this.valueFilled, fragment.length - pos);
    if (n < SMALL_COPY) {
      const value = this.value;
      for (let i = 0; i < n; i++) value[this.valueFilled + i] = fragment[pos + i] as number;
    } else {
      this.value.set(fragment.subarray(pos, pos + n), this.valueFilled);
    }
    this.valueFilled += n;
    this.count(n);
    if (this.valueFilled === this.value.length) this.attributeDone();
    return pos + n;
  }

  private attributeDone(): void {
    this.attributes.push({ id: this.attrId, value: this.value });
    this.value = EMPTY;
    this.attributesLeft -= 1;
    this.step = 'attr-id';
    if (this.attributesLeft === 0) this.finishReply();
  }

  private finishReply(): void {
    const reply: DataSourceReply =
      this.current?.commandId === CommandId.GetAppAttributes
        ? { commandId: CommandId.GetAppAttributes, appIdentifier: this.appIdentifier, attributes: this.attributes }
        : { commandId: CommandId.GetNotificationAttributes, notificationUid: this.uid, attributes: this.attributes };
    if (this.completed === NONE) this.completed = [];
    this.completed.push(reply);
    this.current = undefined;
    this.appIdentifier = '';
    this.attributes = [];
    this.step = 'command';
  }

  /** Counts consumed reply bytes and enforces the size limit. */
  private count(n: number): void {
    this.replyBytes += n;
    if (this.replyBytes > this.maxReplyBytes) {
      this.fail(AncsErrorKind.ReplyTooLarge, `reply passed ${this.maxReplyBytes} bytes`, this.maxReplyBytes);
    }
  }

  private fail(code: AncsErrorKindCode, message: string, offset: number): never {
    throw new ReassemblyError(code, message, offset, this.completed.slice());
  }
}
