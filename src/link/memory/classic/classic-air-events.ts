/**
 * What the in-memory classic air reports to observers: the tap (every frame
 * delivered, ACL connects and disconnects, channels opening and closing,
 * encryption, handler failures) and the running counters. Loggers and
 * btsnoop writers subscribe to `MemoryClassicAir.events`.
 */

/** 'toHost' runs PC to phone, 'toClient' phone to PC. */
export type ClassicDirection = 'toHost' | 'toClient';

/**
 * What a frame is: RFCOMM data (UIH with payload), a credit-only UIH, the
 * channel open request (PN + SABM) and its answers (UA with the agreed
 * parameters, or DM), and the close handshake (DISC, UA).
 */
export type ClassicFrameKind = 'data' | 'credits' | 'open' | 'accept' | 'refuse' | 'disc' | 'ua';

/** One frame delivered to the other side. */
export interface FrameTapEvent {
  /** Virtual time of arrival. */
  time: number;
  connectionId: number;
  /** RFCOMM server channel. */
  channel: number;
  direction: ClassicDirection;
  kind: ClassicFrameKind;
  /** Payload bytes (the information field; 0 for everything but data). */
  bytes: number;
  /** Bytes on the air including the RFCOMM and L2CAP headers. */
  wireBytes: number;
  /** The payload of a data frame. */
  data?: Uint8Array;
  /** Credits granted ('credits' frames; for 'open' and 'accept', the initial grant). */
  credits?: number;
  /** Frame size offered ('open') or agreed ('accept'). */
  frameSize?: number;
}

export interface ClassicConnectTapEvent {
  time: number;
  connectionId: number;
  client: string;
  host: string;
}

export interface ClassicDisconnectTapEvent {
  time: number;
  connectionId: number;
  client: string;
  host: string;
  /** Reason the PC saw (HCI error code). */
  clientReason: number;
  /** Reason the phone saw; it may have seen it earlier (Bluetooth off). */
  hostReason: number;
}

/** A channel finished opening (its accept reached the PC). */
export interface ChannelOpenTapEvent {
  time: number;
  connectionId: number;
  channel: number;
  frameSize: number;
  initialCredits: number;
}

/** An opened channel is gone on both ends (handshake done or ACL down). */
export interface ChannelCloseTapEvent {
  time: number;
  connectionId: number;
  channel: number;
  clientReason: number;
  hostReason: number;
}

export interface ClassicEncryptedTapEvent {
  time: number;
  connectionId: number;
  /** True for a fresh pairing, false for authentication with an existing bond. */
  paired: boolean;
}

/** A listener, acceptor or policy threw; the link carried on. */
export interface ClassicHandlerErrorEvent {
  time: number;
  connectionId?: number;
  side: 'host' | 'client';
  channel?: number;
  error: unknown;
}

export interface ClassicAirEvents {
  frame: [event: FrameTapEvent];
  connect: [event: ClassicConnectTapEvent];
  disconnect: [event: ClassicDisconnectTapEvent];
  channelOpen: [event: ChannelOpenTapEvent];
  channelClose: [event: ChannelCloseTapEvent];
  encrypted: [event: ClassicEncryptedTapEvent];
  handlerError: [event: ClassicHandlerErrorEvent];
}

export interface ClassicDirectionStats {
  dataFrames: number;
  creditFrames: number;
  /** Open, accept, refuse, DISC and UA frames. */
  controlFrames: number;
  /** Payload bytes delivered. */
  bytes: number;
  /** Bytes on the air for every frame delivered. */
  wireBytes: number;
}

export interface ClassicAirStats {
  toHost: ClassicDirectionStats;
  toClient: ClassicDirectionStats;
  /** Payload bytes thrown away: queued or in flight when a channel or link went down. */
  droppedBytes: number;
  /** Times a channel end had bytes queued but no credits to send them. */
  creditStalls: number;
  connections: number;
  disconnections: number;
  channelsOpened: number;
  channelsClosed: number;
}

export function emptyClassicStats(): ClassicAirStats {
  const direction = (): ClassicDirectionStats => ({ dataFrames: 0, creditFrames: 0, controlFrames: 0, bytes: 0, wireBytes: 0 });
  return {
    toHost: direction(),
    toClient: direction(),
    droppedBytes: 0,
    creditStalls: 0,
    connections: 0,
    disconnections: 0,
    channelsOpened: 0,
    channelsClosed: 0,
  };
}
