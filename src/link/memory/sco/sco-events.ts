/**
 * What the in-memory SCO link reports to observers: the tap (channels
 * opening and closing, every packet that went on the air, handler
 * failures) and the running counters, per direction.
 */

/** 'toPc' runs phone to PC, 'toPhone' PC to phone. */
export type ScoDirection = 'toPc' | 'toPhone';

/** One packet on the air (sent at `time`; `deliverAt` is when the far host gets it). */
export interface ScoPacketTapEvent {
  time: number;
  handle: number;
  direction: ScoDirection;
  /** The air payload (CVSD bits in 'cvsd' mode, the host bytes in 'transparent' mode). */
  air: Uint8Array;
  /** True when the packet was lost on the air (the far host gets NoData). */
  lost: boolean;
  deliverAt: number;
}

export interface ScoOpenTapEvent {
  time: number;
  handle: number;
  phoneAddress: string;
  pcAddress: string;
  airMode: 'cvsd' | 'transparent';
  packetBytes: number;
  intervalMs: number;
  latencyMs: number;
}

/** Both ends of a channel are closed. */
export interface ScoCloseTapEvent {
  time: number;
  handle: number;
  phoneReason: number;
  pcReason: number;
}

/** A listener or acceptor threw; the link carried on. */
export interface ScoHandlerErrorEvent {
  time: number;
  handle?: number;
  side: 'phone' | 'pc';
  error: unknown;
}

export interface ScoLinkEvents {
  open: [event: ScoOpenTapEvent];
  packet: [event: ScoPacketTapEvent];
  close: [event: ScoCloseTapEvent];
  handlerError: [event: ScoHandlerErrorEvent];
}

export interface ScoDirectionStats {
  /** Packets put on the air. */
  sent: number;
  /** Of those, lost on the air (delivered as NoData). */
  lost: number;
  /** Packets handed to the far host, lost ones included. */
  delivered: number;
  /** Air payload bytes sent. */
  airBytes: number;
  /** Slots in which the sending host had nothing queued. */
  underruns: number;
  /** Packets thrown away unsent or undelivered because the channel closed. */
  discarded: number;
}

export interface ScoStats {
  toPc: ScoDirectionStats;
  toPhone: ScoDirectionStats;
  channelsOpened: number;
  channelsClosed: number;
  /** Setups refused (no acceptor, acceptor said no, limit reached). */
  refused: number;
}

export function emptyScoDirectionStats(): ScoDirectionStats {
  return { sent: 0, lost: 0, delivered: 0, airBytes: 0, underruns: 0, discarded: 0 };
}

export function emptyScoStats(): ScoStats {
  return { toPc: emptyScoDirectionStats(), toPhone: emptyScoDirectionStats(), channelsOpened: 0, channelsClosed: 0, refused: 0 };
}
