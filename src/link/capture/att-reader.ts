/**
 * Reads ATT PDUs out of a capture, one reader per LE connection: names each
 * PDU, pulls out its handle and value, and learns which handle is which
 * service, characteristic value or descriptor from the discovery it sees
 * (Read By Group Type, Find By Type Value, Read By Type for declarations,
 * Find Information), so later PDUs are reported by UUID. A write of two
 * bytes to an unnamed handle just after a characteristic's value is taken
 * to be its CCCD (a client that cached its discovery leaves no other
 * clue). Bounded; never throws on malformed PDUs (they read as 'malformed').
 */
import { attPduName } from '../att-codes';
import { normalizeUuid, type Uuid } from '../ble';
import { AttOpcode, GattType } from './att-pdus';

export interface AttPduView {
  opcode: number;
  /** e.g. 'ATT_HANDLE_VALUE_NTF' (the in-memory tap's names). */
  name: string;
  handle?: number;
  value?: Uint8Array;
  /** The characteristic the handle belongs to, when discovery told us. */
  characteristic?: Uuid;
  /** Set when the handle is a descriptor of `characteristic` (e.g. '2902'). */
  descriptor?: Uuid;
  /** Error Response: the failed request's opcode and the error code. */
  requestOpcode?: number;
  errorCode?: number;
  /** Exchange MTU request/response. */
  mtu?: number;
  /** True when the PDU is too short for its opcode. */
  malformed?: boolean;
}


/** Handles remembered per connection. */
export const MAX_ATT_HANDLES = 4096;

interface Characteristic {
  uuid: Uuid;
  declaration: number;
  value: number;
}

const u16 = (bytes: Uint8Array, at: number): number => (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);

function uuidFromLe(bytes: Uint8Array): Uuid | undefined {
  if (bytes.length !== 2 && bytes.length !== 16) return undefined;
  return normalizeUuid(Buffer.from(bytes).reverse().toString('hex'));
}

export class AttConnectionReader {
  private readonly services: Array<{ start: number; end: number; uuid: Uuid }> = [];
  /** By value handle. */
  private readonly characteristics = new Map<number, Characteristic>();
  private readonly descriptors = new Map<number, { owner: Uuid; uuid: Uuid }>();
  private lastReadByType: number | undefined;
  /** The last request naming a handle: an Error Response for that handle is about the same attribute. */
  private lastRequest: { handle: number; characteristic?: Uuid; descriptor?: Uuid } | undefined;
  private lastFindByTypeValue: Uuid | undefined;

  /** Reads one complete ATT PDU. */
  read(pdu: Uint8Array): AttPduView {
    const opcode = pdu[0] ?? 0;
    const view: AttPduView = { opcode, name: attPduName(opcode) };
    const result = this.decode(pdu, view);
    if (result.handle !== undefined && (opcode === AttOpcode.ReadReq || opcode === AttOpcode.ReadBlobReq || opcode === AttOpcode.WriteReq)) {
      this.lastRequest = { handle: result.handle, ...(result.characteristic ? { characteristic: result.characteristic } : {}), ...(result.descriptor ? { descriptor: result.descriptor } : {}) };
    }
    return result;
  }

  private decode(pdu: Uint8Array, view: AttPduView): AttPduView {
    const opcode = view.opcode;
    const need = (n: number): boolean => {
      if (pdu.length >= n) return true;
      view.malformed = true;
      return false;
    };
    switch (opcode) {
      case AttOpcode.ErrorRsp:
        if (need(5)) {
          view.requestOpcode = pdu[1] as number;
          view.handle = u16(pdu, 2);
          view.errorCode = pdu[4] as number;
          this.name(view);
          const request = this.lastRequest;
          if (request && request.handle === view.handle && view.characteristic === undefined && request.characteristic !== undefined) {
            view.characteristic = request.characteristic;
            if (request.descriptor !== undefined) view.descriptor = request.descriptor;
          }
        }
        break;
      case AttOpcode.ExchangeMtuReq:
      case AttOpcode.ExchangeMtuRsp:
        if (need(3)) view.mtu = u16(pdu, 1);
        break;
      case AttOpcode.ReadByTypeReq:
        if (need(7)) this.lastReadByType = pdu.length === 7 ? u16(pdu, 5) : -1;
        break;
      case AttOpcode.ReadByTypeRsp:
        if (need(2)) this.learnDeclarations(pdu);
        break;
      case AttOpcode.ReadByGroupTypeRsp:
        if (need(2)) this.learnServices(pdu);
        break;
      case AttOpcode.FindByTypeValueReq:
        if (need(7)) this.lastFindByTypeValue = u16(pdu, 5) === GattType.PrimaryService ? uuidFromLe(pdu.subarray(7)) : undefined;
        break;
      case AttOpcode.FindByTypeValueRsp:
        if (need(1)) this.learnFoundServices(pdu);
        break;
      case AttOpcode.FindInformationRsp:
        if (need(2)) this.learnDescriptors(pdu);
        break;
      case AttOpcode.ReadReq:
      case AttOpcode.ReadBlobReq:
        if (need(3)) {
          view.handle = u16(pdu, 1);
          this.name(view);
        }
        break;
      case AttOpcode.ReadRsp:
      case AttOpcode.ReadBlobRsp:
        view.value = pdu.slice(1);
        break;
      case AttOpcode.WriteReq:
      case AttOpcode.WriteCmd:
      case AttOpcode.HandleValueNtf:
      case AttOpcode.HandleValueInd:
        if (need(3)) {
          view.handle = u16(pdu, 1);
          view.value = pdu.slice(3);
          this.name(view);
        }
        break;
      default:
        break;
    }
    return view;
  }

  /** The characteristic (or descriptor) a handle is, when known. */
  private name(view: AttPduView): void {
    const handle = view.handle;
    if (handle === undefined) return;
    const characteristic = this.characteristics.get(handle);
    if (characteristic) {
      view.characteristic = characteristic.uuid;
      return;
    }
    const descriptor = this.descriptors.get(handle);
    if (descriptor) {
      view.characteristic = descriptor.owner;
      view.descriptor = descriptor.uuid;
      return;
    }
    const owner = this.ownerOf(handle);
    if (owner && (view.opcode === AttOpcode.WriteReq || view.opcode === AttOpcode.WriteCmd) && view.value?.length === 2) {
      view.characteristic = owner.uuid;
      view.descriptor = '2902';
    }
  }

  /** The characteristic whose value handle is the last one below `handle` within the same service. */
  private ownerOf(handle: number): Characteristic | undefined {
    let best: Characteristic | undefined;
    for (const c of this.characteristics.values()) if (c.value < handle && (!best || c.value > best.value)) best = c;
    if (!best) return undefined;
    for (const c of this.characteristics.values()) if (c.declaration > best.value && c.declaration <= handle) return undefined;
    const service = this.services.find((s) => s.start <= best.value && best.value <= s.end);
    if (service && handle > service.end) return undefined;
    return best;
  }

  private learnServices(pdu: Uint8Array): void {
    const size = pdu[1] as number;
    if (size !== 6 && size !== 20) return;
    for (let at = 2; at + size <= pdu.length; at += size) {
      const uuid = uuidFromLe(pdu.subarray(at + 4, at + size));
      if (uuid && this.services.length < MAX_ATT_HANDLES) this.services.push({ start: u16(pdu, at), end: u16(pdu, at + 2), uuid });
    }
  }

  private learnFoundServices(pdu: Uint8Array): void {
    const uuid = this.lastFindByTypeValue;
    if (!uuid) return;
    for (let at = 1; at + 4 <= pdu.length; at += 4) {
      if (this.services.length < MAX_ATT_HANDLES) this.services.push({ start: u16(pdu, at), end: u16(pdu, at + 2), uuid });
    }
  }

  private learnDeclarations(pdu: Uint8Array): void {
    const size = pdu[1] as number;
    if (this.lastReadByType !== GattType.Characteristic || (size !== 7 && size !== 21)) return;
    for (let at = 2; at + size <= pdu.length; at += size) {
      const uuid = uuidFromLe(pdu.subarray(at + 5, at + size));
      const value = u16(pdu, at + 3);
      if (uuid && this.characteristics.size < MAX_ATT_HANDLES) this.characteristics.set(value, { uuid, declaration: u16(pdu, at), value });
    }
  }

  private learnDescriptors(pdu: Uint8Array): void {
    const step = pdu[1] === 0x01 ? 4 : pdu[1] === 0x02 ? 18 : 0;
    if (step === 0) return;
    for (let at = 2; at + step <= pdu.length; at += step) {
      const handle = u16(pdu, at);
      const uuid = uuidFromLe(pdu.subarray(at + 2, at + step));
      if (!uuid || this.characteristics.has(handle) || uuid === '2803' || uuid === '2800' || uuid === '2801') continue;
      const owner = this.ownerOf(handle);
      if (owner && this.descriptors.size < MAX_ATT_HANDLES) this.descriptors.set(handle, { owner: owner.uuid, uuid });
    }
  }
}
