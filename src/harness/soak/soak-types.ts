/**
 * The soak's options, its report and the rates it runs at: one place to
 * read what a soak does per hour of link time and what it hands back.
 */
import type { HeapMargin } from './soak-checks';

export interface SoakOptions {
  /** Hours of link time to simulate (fractions allowed). */
  hours: number;
  seed: number;
  /** Hours of link time before the warm-up heap figure is taken. Default min(1, hours / 2). */
  warmUpHours?: number;
  heapMargin?: HeapMargin;
  /** Progress lines (one per simulated hour and one per failure). */
  onProgress?: (line: string) => void;
  /** Full garbage collection before a heap reading (global.gc under --expose-gc); without it heap figures are taken as they are. */
  gc?: () => void;
  /** Reads the heap in bytes. Default process.memoryUsage().heapUsed. */
  heapUsed?: () => number;
  /** Fail on a PC notification the phone removed while Share System Notifications was off (a known divergence; see soak-runner). */
  strict?: boolean;
  /** The command line that replays a run, printed on failure; `{hours}` and `{seed}` are filled in. */
  replayTemplate?: string;
}

/** Mean gaps between events of each stream, ms of link time (exponentially distributed: a Poisson stream). */
export const SOAK_RATES = {
  notificationPostMs: 40_000,
  notificationRemoveMs: 55_000,
  messageMs: 150_000,
  callMs: 25 * 60_000,
  phonebookMs: 40 * 60_000,
  faultMs: 15 * 60_000,
  /** A checkpoint at least this often, fault or not. */
  checkpointMs: 60 * 60_000,
} as const;

/** Most notifications the phone shows at once; past it the stream removes before it posts. */
export const SOAK_MAX_PHONE_NOTIFICATIONS = 40;
/** Contacts in the phone's address book. */
export const SOAK_CONTACTS = 60;
/** Link time allowed for every profile to come back after a fault, beyond the reconnect bound. */
export const SOAK_SETTLE_MS = 300_000;
/** Quiet time after everything is up before a checkpoint compares the two sides. */
export const SOAK_QUIET_MS = 30_000;

export const FAULT_KINDS = ['drop', 'outOfRangeShort', 'outOfRangeLong', 'reboot', 'bluetoothOff', 'permission'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const DEFAULT_REPLAY = 'node bin/phonebridge.js soak --hours {hours} --seed {seed}';

export interface SoakEventCounts {
  notificationsPosted: number;
  notificationsRemoved: number;
  messages: number;
  calls: number;
  callsAnswered: number;
  phonebookRefreshes: number;
  phonebookRefreshesFailed: number;
}

export interface SoakHeap {
  gcExposed: boolean;
  warmUpBytes: number | undefined;
  endBytes: number | undefined;
  margin: HeapMargin;
}

export interface SoakFailure {
  /** Hour of link time (from the start of the soak) where the invariant broke. */
  hour: number;
  check: string;
  problems: string[];
  replay: string;
}

export interface SoakReport {
  ok: boolean;
  seed: number;
  hoursRequested: number;
  hoursSimulated: number;
  wallMs: number;
  events: SoakEventCounts;
  faults: Record<FaultKind, number>;
  checkpoints: number;
  /** Individual invariant checks run and passed (one per invariant per checkpoint, plus one per reconnect timed). */
  checksPassed: number;
  reconnectsTimed: number;
  longestReconnectMs: number;
  /** Typed errors the PC reported under faults (expected; counted, not failures). */
  typedErrors: number;
  /** Checkpoint sightings of a PC notification the phone removed while sharing was off (left out of the comparison unless strict). */
  silentRemovalsTolerated: number;
  heap: SoakHeap;
  failure: SoakFailure | undefined;
}
