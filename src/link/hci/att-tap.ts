/**
 * Reads ATT out of the ACL traffic a controller relays, for the hci
 * transport's PDU tap: reassembles L2CAP frames per connection and
 * direction, keeps the ATT channel (CID 0x0004), names each PDU the way the
 * in-memory link's tap does, and learns which handle is which
 * characteristic (and which is its CCCD) from the discovery responses it
 * sees, so notifications and writes are reported by characteristic UUID.
 * Pure bookkeeping: bytes in, tap events out; bounded per connection.
 */
import { attPduName } from '../att-codes';
import { normalizeUuid, type Uuid } from '../ble';
import type { Direction, PduTapEvent } from '../memory/air-events';

export { attPduName };

/** L2CAP channel id of ATT on LE. */
export const ATT_CID = 0x0004;
/** The largest L2CAP frame reassembled; longer ones are dropped (an LE ATT PDU is at most 517 + header). */
export const MAX_L2CAP_FRAME = 4096;
/** Handles remembered per connection. */
export const MAX_KNOWN_HANDLES = 4096;

const CHARACTERISTIC = 0x2803;
const CCCD = 0x2902;

interface Partial {
  data: Uint8Array[];
  have: number;
  need: number;
  cid: number;
  packets: number;
}

interface ConnectionState {
  /** Value handle -> characteristic UUID. */
  characteristics: Map<number, Uuid>;
  /** CCCD handle -> the characteristic it configures. */
  cccds: Map<number, Uuid>;
  /** The last Read By Type request's attribute type (what its response lists). */
  lastReadByType: number | undefined;
  partial: Record<Direction, Partial | undefined>;
}

export interface AttTapOptions {
  /** Called for every ATT PDU seen. */
  onPdu: (event: PduTapEvent) => void;
  /** Called when a frame cannot be read (too long, cut, or a continuation without a start). */
  onMalformed?: (connection: number, reason: string) => void;
}

export class AttTap {
  private readonly connections = new Map<number, ConnectionState>();

  constructor(private readonly options: AttTapOptions) {}

  /** A connection ended: forget what was learnt about its handles. */
  disconnected(connection: number): void {
    this.connections.delete(connection);
  }

  /**
   * One ACL data packet as it crossed the air: `pb` is the packet-boundary
   * flag (0b00/0b10 a start, 0b01 a continuation), `payload` the ACL payload.
   */
  acl(time: number, connection: number, direction: Direction, pb: number, payload: Uint8Array): void {
    const state = this.state(connection);
    if (pb === 0b01) {
      const partial = state.partial[direction];
      if (!partial) {
        this.options.onMalformed?.(connection, 'continuation without a start');
        return;
      }
      partial.data.push(payload);
      partial.have += payload.length;
      partial.packets++;
      this.maybeComplete(time, connection, direction, state);
      return;
    }
    if (state.partial[direction]) this.options.onMalformed?.(connection, 'new frame before the last one was complete');
    state.partial[direction] = undefined;
    if (payload.length < 4) {
      this.options.onMalformed?.(connection, 'L2CAP header cut short');
      return;
    }
    const need = payload[0]! | (payload[1]! << 8);
    const cid = payload[2]! | (payload[3]! << 8);
    if (need > MAX_L2CAP_FRAME) {
      this.options.onMalformed?.(connection, `L2CAP frame of ${need} bytes is over ${MAX_L2CAP_FRAME}`);
      return;
    }
    const body = payload.subarray(4);
    state.partial[direction] = { data: [body], have: body.length, need, cid, packets: 1 };
    this.maybeComplete(time, connection, direction, state);
  }

  private state(connection: number): ConnectionState {
    let state = this.connections.get(connection);
    if (!state) {
      state = { characteristics: new Map(), cccds: new Map(), lastReadByType: undefined, partial: { toPeripheral: undefined, toCentral: undefined } };
      this.connections.set(connection, state);
    }
    return state;
  }

  private maybeComplete(time: number, connection: number, direction: Direction, state: ConnectionState): void {
    const partial = state.partial[direction];
    if (!partial || partial.have < partial.need) return;
    state.partial[direction] = undefined;
    if (partial.have > partial.need) {
      this.options.onMalformed?.(connection, `L2CAP frame longer than its length ${partial.need}`);
      return;
    }
    if (partial.cid !== ATT_CID) return;
    const pdu = concat(partial.data, partial.need);
    if (pdu.length === 0) return;
    this.att(time, connection, direction, pdu, partial.packets, state);
  }

  private att(time: number, connectionId: number, direction: Direction, pdu: Uint8Array, llPackets: number, state: ConnectionState): void {
    const opcode = pdu[0]!;
    const event: PduTapEvent = { time, connectionId, direction, kind: attPduName(opcode), bytes: pdu.length, llPackets };
    const handle = pdu.length >= 3 ? pdu[1]! | (pdu[2]! << 8) : undefined;
    switch (opcode) {
      case 0x01:
        if (pdu.length >= 5) event.attCode = pdu[4]!;
        if (handle !== undefined && pdu.length >= 4) this.name(event, state, pdu[2]! | (pdu[3]! << 8));
        break;
      case 0x08:
        state.lastReadByType = pdu.length === 7 ? pdu[5]! | (pdu[6]! << 8) : pdu.length === 21 ? -1 : undefined;
        break;
      case 0x09:
        this.learnReadByType(pdu, state);
        break;
      case 0x05:
        this.learnFindInformation(pdu, state);
        break;
      case 0x0a:
      case 0x12:
      case 0x52:
      case 0x1b:
      case 0x1d:
        if (handle !== undefined) {
          this.name(event, state, handle);
          if (opcode !== 0x0a) event.value = pdu.slice(3);
        }
        break;
      default:
        break;
    }
    this.options.onPdu(event);
  }

  /** Sets characteristic (and descriptor) on an event from a handle. */
  private name(event: PduTapEvent, state: ConnectionState, handle: number): void {
    const characteristic = state.characteristics.get(handle);
    if (characteristic !== undefined) {
      event.characteristic = characteristic;
      return;
    }
    const owner = state.cccds.get(handle);
    if (owner !== undefined) {
      event.characteristic = owner;
      event.descriptor = '2902';
    }
  }

  private learnReadByType(pdu: Uint8Array, state: ConnectionState): void {
    const type = state.lastReadByType;
    if (pdu.length < 2) return;
    const length = pdu[1]!;
    if (length < 2) return;
    for (let at = 2; at + length <= pdu.length; at += length) {
      const handle = pdu[at]! | (pdu[at + 1]! << 8);
      const value = pdu.subarray(at + 2, at + length);
      if (type === CHARACTERISTIC && (value.length === 5 || value.length === 19)) {
        const valueHandle = value[1]! | (value[2]! << 8);
        this.remember(state.characteristics, valueHandle, uuidFrom(value.subarray(3)));
      } else if (type === CCCD) {
        const owner = ownerOf(state.characteristics, handle);
        if (owner !== undefined) this.remember(state.cccds, handle, owner);
      }
    }
  }

  private learnFindInformation(pdu: Uint8Array, state: ConnectionState): void {
    if (pdu.length < 2) return;
    const step = pdu[1] === 0x01 ? 4 : pdu[1] === 0x02 ? 18 : 0;
    if (step === 0) return;
    for (let at = 2; at + step <= pdu.length; at += step) {
      const handle = pdu[at]! | (pdu[at + 1]! << 8);
      const uuid = pdu.subarray(at + 2, at + step);
      if (step === 4 && (uuid[0]! | (uuid[1]! << 8)) === CCCD) {
        const owner = ownerOf(state.characteristics, handle);
        if (owner !== undefined) this.remember(state.cccds, handle, owner);
      }
    }
  }

  private remember(map: Map<number, Uuid>, handle: number, uuid: Uuid): void {
    if (!map.has(handle) && map.size >= MAX_KNOWN_HANDLES) return;
    map.set(handle, uuid);
  }
}

/** The characteristic whose value handle is the greatest one below `handle` (its descriptors follow it). */
function ownerOf(characteristics: Map<number, Uuid>, handle: number): Uuid | undefined {
  let best = -1;
  let uuid: Uuid | undefined;
  for (const [valueHandle, u] of characteristics) {
    if (valueHandle < handle && valueHandle > best) {
      best = valueHandle;
      uuid = u;
    }
  }
  return uuid;
}

/** A 16- or 128-bit UUID from ATT's little-endian bytes. */
function uuidFrom(bytes: Uint8Array): Uuid {
  const hex = Buffer.from(bytes).reverse().toString('hex');
  return normalizeUuid(hex);
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!.slice(0, length);
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part.subarray(0, length - at), at);
    at += part.length;
    if (at >= length) break;
  }
  return out;
}

