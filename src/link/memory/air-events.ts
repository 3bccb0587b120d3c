/**
 * What the in-memory air reports to observers: the tap events (every PDU
 * delivered, connects, disconnects, handler failures) and the running
 * counters. Loggers and capture writers subscribe to `MemoryAir.events`.
 */
import { Uuid } from '../ble';

export type Direction = 'toPeripheral' | 'toCentral';

/** One PDU delivered to the other side. */
export interface PduTapEvent {
  /** Virtual time of delivery (the connection event its last LL packet went in). */
  time: number;
  connectionId: number;
  direction: Direction;
  /** e.g. 'ATT_WRITE_REQ', 'ATT_HANDLE_VALUE_NTF', 'LL_ENC_REQ'. */
  kind: string;
  /** ATT PDU size (LL control payload size for LL_* kinds). */
  bytes: number;
  /** LL data packets it took. */
  llPackets: number;
  characteristic?: Uuid;
  /** Set when a descriptor rather than the value was addressed ('2902' for CCCD writes). */
  descriptor?: Uuid;
  /** Attribute value carried (notifications, writes, read responses, CCCD value). */
  value?: Uint8Array;
  /** ATT error code of an ATT_ERROR_RSP. */
  attCode?: number;
}

export interface ConnectTapEvent {
  time: number;
  connectionId: number;
  central: string;
  peripheral: string;
}

export interface DisconnectTapEvent {
  time: number;
  connectionId: number;
  central: string;
  peripheral: string;
  /** Reason the central saw (HCI error code). */
  centralReason: number;
  /** Reason the peripheral saw; it may have seen it earlier (phone Bluetooth off). */
  peripheralReason: number;
}

/** A handler or listener threw something other than an AttError; the link carried on. */
export interface HandlerErrorEvent {
  time: number;
  /** Undefined when the failure was not tied to one connection. */
  connectionId?: number;
  side: 'peripheral' | 'central';
  characteristic?: Uuid;
  error: unknown;
}

/** The link became encrypted (after pairing or with a stored bond). */
export interface EncryptedTapEvent {
  time: number;
  connectionId: number;
  /** True for a fresh pairing, false for encryption with an existing bond. */
  paired: boolean;
}

export interface AirEvents {
  pdu: [event: PduTapEvent];
  connect: [event: ConnectTapEvent];
  disconnect: [event: DisconnectTapEvent];
  handlerError: [event: HandlerErrorEvent];
  encrypted: [event: EncryptedTapEvent];
}

export interface DirectionStats {
  /** ATT PDUs delivered. */
  attPdus: number;
  /** LL control PDUs delivered. */
  controlPdus: number;
  /** LL data packets sent (a PDU cut short by a disconnect still counts what went out). */
  llPackets: number;
  /** ATT bytes delivered. */
  bytes: number;
}

export interface AirStats {
  toPeripheral: DirectionStats;
  toCentral: DirectionStats;
  /** PDUs discarded from transmit queues because their link went down. */
  droppedPdus: number;
  /** Notifications that reached a client with no listener for them. */
  unhandledNotifications: number;
  /** Connection events that moved at least one packet. */
  connectionEvents: number;
  connections: number;
  disconnections: number;
}

export function emptyStats(): AirStats {
  const direction = (): DirectionStats => ({ attPdus: 0, controlPdus: 0, llPackets: 0, bytes: 0 });
  return {
    toPeripheral: direction(),
    toCentral: direction(),
    droppedPdus: 0,
    unhandledNotifications: 0,
    connectionEvents: 0,
    connections: 0,
    disconnections: 0,
  };
}
