/**
 * The hostile PC's ANCS side for the `hostile-pc` fuzz campaign: a raw GATT
 * connection to the simulated phone that watches every Notification Source
 * and Data Source value (each must decode), keeps the UIDs the phone
 * announced in the current session, and the pure rule that says which ATT
 * answer a Control Point write must get, worked out from the bytes written
 * and the link's state, independently of the phone's code.
 */
import { AttErrorCode } from '../../link/att-codes';
import { AttError } from '../../link/errors';
import type { MemoryConnection } from '../../link/memory';
import {
  ANCS_CONTROL_POINT_UUID,
  ANCS_DATA_SOURCE_UUID,
  ANCS_NOTIFICATION_SOURCE_UUID,
  ANCS_SERVICE_UUID,
  AncsErrorCode,
  CommandId,
  EventId,
  DataSourceReassembler,
  decodeNotificationSource,
  type ExpectedReply,
} from '../../protocol/ancs';
import type { AncsProfile } from '../../sim-phone/profile';

export { ANCS_CONTROL_POINT_UUID, ANCS_DATA_SOURCE_UUID, ANCS_NOTIFICATION_SOURCE_UUID, ANCS_SERVICE_UUID };

/** The answer a GATT request got: success, or the ATT error code. */
export type AttOutcome = { ok: true } | { ok: false; attCode: number };

/** What the model expects for one Control Point write: success with a Data Source reply of this shape, success without one, or an ATT error. */
export type CpExpectation = { kind: 'reply'; expected: ExpectedReply } | { kind: 'done' } | { kind: 'error'; attCode: number };

/** The link state a Control Point answer depends on. */
export interface CpContext {
  ancs: AncsProfile;
  /** The phone and this PC share a bond (from any connection). */
  bonded: boolean;
  /** This connection is encrypted (paired, or re-encrypted with the bond). */
  encrypted: boolean;
  shared: boolean;
  dsSubscribed: boolean;
  /** UIDs announced in the current session and not removed since. */
  live: ReadonlySet<number>;
  /** App ids the phone knows (it posted notifications from them). */
  apps: ReadonlySet<string>;
}

/** Attribute ids that carry a 2-byte MaxLen (Title, Subtitle, Message). */
const TAKES_MAX_LENGTH = new Set([1, 2, 3]);

const u32 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;

function validUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The ATT answer the ANCS spec (and the profile's documented choices) asks
 * for, for a Control Point write of `bytes` in `ctx`. Order: link security
 * (Insufficient Authentication without a bond, Insufficient Encryption on a
 * bonded link not yet encrypted), the user's sharing switch (the profile's
 * code), then the command: 0xA0 unknown CommandID, 0xA1 malformed, 0xA2
 * a UID or app the phone does not know, 0xA3 an action not offered, and
 * CCCD Improperly Configured when the reply has no Data Source to go to.
 */
export function expectControlPoint(bytes: Uint8Array, ctx: CpContext): CpExpectation {
  const err = (attCode: number): CpExpectation => ({ kind: 'error', attCode });
  const security = securityRefusal(ctx.bonded, ctx.encrypted);
  if (security !== undefined) return err(security);
  if (!ctx.shared) return err(ctx.ancs.whenNotShared.controlPointAttError);
  if (bytes.length === 0) return err(AncsErrorCode.InvalidCommand);
  const command = bytes[0] ?? 0;
  if (command === CommandId.GetNotificationAttributes) {
    if (bytes.length <= 5) return err(AncsErrorCode.InvalidCommand);
    let count = 0;
    for (let at = 5; at < bytes.length; count++) {
      const id = bytes[at] ?? 0;
      if (TAKES_MAX_LENGTH.has(id)) {
        if (at + 3 > bytes.length) return err(AncsErrorCode.InvalidCommand);
        at += 3;
      } else {
        at += 1;
      }
    }
    const uid = u32(bytes, 1);
    if (!ctx.live.has(uid)) return err(AncsErrorCode.InvalidParameter);
    if (!ctx.dsSubscribed) return err(AttErrorCode.CccdImproperlyConfigured);
    return { kind: 'reply', expected: { commandId: CommandId.GetNotificationAttributes, attributeCount: count, notificationUid: uid } };
  }
  if (command === CommandId.GetAppAttributes) {
    const nul = bytes.indexOf(0, 1);
    if (nul < 0) return err(AncsErrorCode.InvalidCommand);
    const appIdentifier = validUtf8(bytes.subarray(1, nul));
    if (appIdentifier === undefined || nul + 1 === bytes.length) return err(AncsErrorCode.InvalidCommand);
    const known = ctx.apps.has(appIdentifier);
    if (!known && ctx.ancs.unknownAppReply === 'invalidParameter') return err(AncsErrorCode.InvalidParameter);
    if (!ctx.dsSubscribed) return err(AttErrorCode.CccdImproperlyConfigured);
    const attributeCount = !known && ctx.ancs.unknownAppReply === 'empty' ? 0 : bytes.length - nul - 1;
    return { kind: 'reply', expected: { commandId: CommandId.GetAppAttributes, attributeCount, appIdentifier } };
  }
  if (command === CommandId.PerformNotificationAction) {
    if (bytes.length !== 6) return err(AncsErrorCode.InvalidCommand);
    if (!ctx.live.has(u32(bytes, 1))) return err(AncsErrorCode.InvalidParameter);
    // Every notification the campaign posts carries both labels: an action is offered when the profile has it.
    const action = bytes[5] === 0 ? 'positive' : bytes[5] === 1 ? 'negative' : undefined;
    if (action === undefined || !ctx.ancs.actions.includes(action)) return err(AncsErrorCode.ActionFailed);
    return { kind: 'done' };
  }
  return err(AncsErrorCode.UnknownCommand);
}

/** The ATT error a characteristic that needs a bonded, encrypted link answers with, or undefined when the link is good enough. */
export function securityRefusal(bonded: boolean, encrypted: boolean): number | undefined {
  if (!bonded) return AttErrorCode.InsufficientAuthentication;
  if (!encrypted) return AttErrorCode.InsufficientEncryption;
  return undefined;
}

/** The raw ANCS link: one GATT connection, its subscriptions and what came back on them. */
export class AncsLink {
  /** UIDs announced in the current Notification Source session and not removed since. */
  readonly live = new Set<number>();
  /** UIDs from earlier sessions (or removed): none of them may name anything now. */
  readonly stale = new Set<number>();
  /** Data Source replies decoded since the last `takeReplies`. */
  private replies: { commandId: number; attributeCount: number }[] = [];
  private reassembler = new DataSourceReassembler();
  /** Values that did not decode, or arrived unasked. */
  readonly bad: string[] = [];
  dsFragments = 0;
  nsEvents = 0;

  constructor(readonly connection: MemoryConnection) {}

  get gatt(): MemoryConnection['gatt'] {
    return this.connection.gatt;
  }

  /** A new NS session starts: every UID known so far goes stale. */
  newSession(): void {
    for (const uid of this.live) this.stale.add(uid);
    this.live.clear();
  }

  onNotificationSource(value: Uint8Array): void {
    this.nsEvents++;
    try {
      const event = decodeNotificationSource(value);
      if (event.eventId === EventId.Removed) {
        this.live.delete(event.notificationUid);
        this.stale.add(event.notificationUid);
      } else if (event.eventId === EventId.Added) {
        this.live.add(event.notificationUid);
        this.stale.delete(event.notificationUid);
      } else if (event.eventId === EventId.Modified && !this.live.has(event.notificationUid)) {
        this.bad.push(`Modified for UID ${event.notificationUid}, which this session never announced`);
      }
    } catch (err) {
      this.bad.push(`Notification Source value ${Buffer.from(value).toString('hex')} does not decode: ${String(err)}`);
    }
  }

  onDataSource(value: Uint8Array): void {
    this.dsFragments++;
    try {
      for (const reply of this.reassembler.push(value)) this.replies.push({ commandId: reply.commandId, attributeCount: reply.attributes.length });
    } catch (err) {
      this.bad.push(`Data Source fragment ${Buffer.from(value).toString('hex')} does not reassemble: ${String(err)}`);
      this.reassembler = new DataSourceReassembler();
    }
  }

  /** Tells the reassembler a reply is due (before the write that asks for it goes out). */
  expectReply(expected: ExpectedReply): void {
    this.reassembler.expect(expected);
  }

  /** A reply that never came (the write failed after all): start afresh so later replies still parse. */
  resetReassembly(): void {
    this.reassembler = new DataSourceReassembler();
  }

  get replyPending(): boolean {
    return this.reassembler.busy;
  }

  takeReplies(): { commandId: number; attributeCount: number }[] {
    const out = this.replies;
    this.replies = [];
    return out;
  }
}

/** Maps a settled GATT promise's failure to its ATT code; anything that is no AttError is rethrown for the caller to report. */
export function attOutcome(error: unknown): AttOutcome {
  if (error instanceof AttError) return { ok: false, attCode: error.attCode };
  throw error;
}
