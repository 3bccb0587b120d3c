/**
 * Decides when an ANCS session's replay of existing notifications is over.
 *
 * On every Notification Source subscription iOS replays each notification
 * it holds as Added with the PreExisting flag, but never says when it is
 * done. The rule used here:
 *  - the NS part of the replay ends at the first Added event WITHOUT
 *    PreExisting (a live notification), or once the NS stream has been quiet
 *    (no event of any kind) for `settleMs` of clock time; the quiet timer
 *    starts when `arm()` is called (NS subscription confirmed) and restarts on
 *    every NS event;
 *  - the replay is complete when the NS part has ended AND every replayed
 *    UID has settled (its record was reported, its fetch failed or was
 *    dropped, or it was removed).
 * `complete` fires once per session. Only a one-shot timer runs, and only
 * while the NS part is open.
 */
import type { Clock, Timer } from '../../link/clock';
import { EventFlag, EventId } from '../../protocol/ancs/constants';
import type { NotificationSourceEvent } from '../../protocol/ancs/types';

export interface ReplayOutcome {
  /** UIDs replayed with PreExisting during the window, in arrival order (at most MAX_LISTED_REPLAY_UIDS). */
  uids: number[];
  /** What closed the NS part: quiet stream, or a live (non-PreExisting) Added event. */
  endedBy: 'quiet' | 'live-event';
  /** Clock time when the NS part ended. */
  nsEndedAt: number;
}

/** Replayed UIDs listed in an outcome; further ones are still tracked, just not listed. */
export const MAX_LISTED_REPLAY_UIDS = 10_000;

export class ReplayTracker {
  private readonly replayed: number[] = [];
  private readonly replayedSet = new Set<number>();
  private readonly unsettled = new Set<number>();
  private timer: Timer | undefined;
  private armed = false;
  private nsEnded: { endedBy: 'quiet' | 'live-event'; at: number } | undefined;
  private completed = false;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly settleMs: number,
    private readonly onComplete: (outcome: ReplayOutcome) => void,
  ) {}

  /** True until the replay is complete (or the tracker was disposed). */
  get replaying(): boolean {
    return !this.completed && !this.disposed;
  }

  /** True while the NS part of the replay is still open. */
  get windowOpen(): boolean {
    return this.nsEnded === undefined && !this.disposed;
  }

  /** The NS subscription is confirmed: start the quiet timer. */
  arm(): void {
    if (this.armed || this.disposed) return;
    this.armed = true;
    if (this.nsEnded === undefined) this.restartQuietTimer();
  }

  /** Notes an NS event. Returns true when the event belongs to the replay. */
  onEvent(event: NotificationSourceEvent): boolean {
    if (this.disposed || this.nsEnded !== undefined) return false;
    const preExisting = (event.eventFlags & EventFlag.PreExisting) !== 0;
    if (event.eventId === EventId.Added && !preExisting) {
      this.endWindow('live-event');
      return false;
    }
    let belongs = false;
    if (event.eventId === EventId.Added && preExisting) {
      if (!this.replayedSet.has(event.notificationUid) && this.replayed.length < MAX_LISTED_REPLAY_UIDS) {
        this.replayedSet.add(event.notificationUid);
        this.replayed.push(event.notificationUid);
      }
      this.unsettled.add(event.notificationUid);
      belongs = true;
    }
    if (this.armed) this.restartQuietTimer();
    return belongs;
  }

  /** True when `uid` was replayed and has not settled yet. */
  isPending(uid: number): boolean {
    return this.unsettled.has(uid);
  }

  /** The replayed notification `uid` was reported, failed, was dropped or removed. */
  settle(uid: number): void {
    if (!this.unsettled.delete(uid)) return;
    this.checkComplete();
  }

  /** Stops the timer; no `complete` will fire. */
  dispose(): void {
    this.disposed = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private restartQuietTimer(): void {
    this.timer?.cancel();
    this.timer = this.clock.schedule(this.settleMs, () => {
      this.timer = undefined;
      this.endWindow('quiet');
    });
  }

  private endWindow(endedBy: 'quiet' | 'live-event'): void {
    if (this.nsEnded !== undefined) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.nsEnded = { endedBy, at: this.clock.now() };
    this.checkComplete();
  }

  private checkComplete(): void {
    if (this.completed || this.disposed || this.nsEnded === undefined || this.unsettled.size > 0) return;
    this.completed = true;
    this.onComplete({ uids: [...this.replayed], endedBy: this.nsEnded.endedBy, nsEndedAt: this.nsEnded.at });
  }
}
