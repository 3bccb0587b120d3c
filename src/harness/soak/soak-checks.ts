/**
 * The soak's invariants as pure functions over snapshots: given what the
 * phone and the PC hold at a quiet checkpoint (or a reconnect timing, or two
 * heap figures), each returns the list of violations it finds, empty when
 * the invariant holds. The soak runner gathers the snapshots; keeping the
 * judging here lets a unit test feed a deliberately broken snapshot.
 */
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../sim-pc/backoff';

/** A message the phone received during the soak, with what its MAP server said as it arrived. */
export interface SoakArrival {
  /** "handle text": the key the Inbox view uses too. */
  key: string;
  /** The phone's MAP server held a notification registration for the PC when it arrived. */
  registered: boolean;
  /** The phone shows it to the PC now (read at the checkpoint). */
  visible: boolean;
}

/** Messages: every arrival the phone shows to the PC is in the Inbox exactly once; nothing else is; registered arrivals are visible. */
export function checkMessages(arrivals: readonly SoakArrival[], inbox: readonly string[]): string[] {
  const problems: string[] = [];
  const counts = new Map<string, number>();
  for (const key of inbox) counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const [key, n] of counts) if (n > 1) problems.push(`the Inbox shows "${key}" ${n} times`);
  const known = new Set(arrivals.map((a) => a.key));
  for (const key of counts.keys()) if (!known.has(key)) problems.push(`the Inbox shows "${key}", which the phone never received`);
  for (const a of arrivals) {
    if (a.registered && !a.visible) problems.push(`"${a.key}" arrived while registered but the phone no longer shows it to the PC`);
    const n = counts.get(a.key) ?? 0;
    if (a.visible && n === 0) problems.push(`"${a.key}" is visible to the PC on the phone but missing from the Inbox`);
    if (!a.visible && n > 0) problems.push(`"${a.key}" is not visible to the PC on the phone but is in the Inbox`);
  }
  return problems;
}

/** Two lists must hold the same items the same number of times; a violation names the differences. */
export function checkSameMultiset(what: string, phone: readonly string[], pc: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const item of phone) left.set(item, (left.get(item) ?? 0) + 1);
  const onlyPc: string[] = [];
  for (const item of pc) {
    const n = left.get(item) ?? 0;
    if (n > 0) left.set(item, n - 1);
    else onlyPc.push(item);
  }
  const onlyPhone = [...left].flatMap(([item, n]) => Array.from({ length: n }, () => item));
  if (onlyPhone.length === 0 && onlyPc.length === 0) return [];
  const show = (list: readonly string[]): string => (list.length > 8 ? `${list.slice(0, 8).join(' | ')} | ...` : list.join(' | '));
  return [`${what}: phone has ${phone.length}, PC has ${pc.length}; only on the phone: [${show(onlyPhone)}]; only (or extra) on the PC: [${show(onlyPc)}]`];
}

/**
 * The longest drop-to-up time the PC's reconnect policy allows after an
 * outage of `awayMs`: the outage, the longest (capped, fully jittered) wait
 * any retry made during it can draw, one connect attempt that times out
 * and one that succeeds, and the supervision timeout to notice the drop.
 * The same reasoning as the "within the backoff bounds" scenario step.
 */
export function reconnectBoundMs(awayMs: number, link: { connectSetupMs: number; supervisionTimeoutMs: number }, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  let maxWait = 0;
  for (let delay = policy.initialMs, t = 0; t <= awayMs + policy.initialMs; t += delay, delay = Math.min(policy.maxMs, delay * policy.factor)) {
    maxWait = Math.max(maxWait, Math.min(policy.maxMs, delay * (1 + policy.jitter)));
  }
  return awayMs + maxWait + 5000 + link.connectSetupMs + link.supervisionTimeoutMs;
}

/** Each reconnect timing recorded since a fault must be within the bound for that fault's outage. */
export function checkReconnects(timingsMs: readonly number[], boundMs: number): string[] {
  return timingsMs.filter((t) => t > boundMs).map((t) => `a reconnect took ${t} ms of link time, bound ${Math.round(boundMs)} ms`);
}

/** The margin the end-of-soak heap must stay within, relative to the heap after warm-up. */
export interface HeapMargin {
  factor: number;
  /** Extra bytes allowed on top of the factor (absorbs collector noise on small heaps). */
  slackBytes: number;
}

export const DEFAULT_HEAP_MARGIN: HeapMargin = { factor: 1.5, slackBytes: 16 * 1024 * 1024 };

/** The end heap must be at most factor x warm-up + slack. */
export function checkHeap(warmUpBytes: number, endBytes: number, margin: HeapMargin = DEFAULT_HEAP_MARGIN): string[] {
  const limit = warmUpBytes * margin.factor + margin.slackBytes;
  if (endBytes <= limit) return [];
  const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
  return [`heap grew from ${mb(warmUpBytes)} after warm-up to ${mb(endBytes)} at the end (limit ${mb(limit)})`];
}

/** A bounded log must not outgrow its bound. */
export function checkBounded(what: string, length: number, bound: number): string[] {
  return length <= bound ? [] : [`${what} holds ${length} entries, over its bound ${bound}`];
}

/** Errors that carry a stable string `code` (ProtocolError, LinkError and the services' errors) are expected under faults. */
export function isTypedError(err: unknown): boolean {
  return err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string';
}
