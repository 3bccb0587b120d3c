/**
 * Turns the in-memory BLE air's tap (connects, ATT PDUs by characteristic
 * UUID, encryption, disconnects) into the HCI traffic the PC's controller
 * log would show: LE Create Connection and LE Connection Complete,
 * Encryption Change, Disconnect / Disconnection Complete, and every ATT PDU
 * in its real encoding inside L2CAP (CID 4) inside ACL packets cut at the
 * LE ACL buffer size. Handles come from the phone's GATT definitions
 * (gatt-layout.ts); discovery is written out as a real client's request and
 * response sequence. LL control PDUs never reach HCI and are left out.
 */
import { guardedBy } from './guard';
import type { Uuid } from '../ble';
import { AttErrorCode, DisconnectReason } from '../att-codes';
import type { ConnectTapEvent, DisconnectTapEvent, EncryptedTapEvent, PduTapEvent } from '../memory/air-events';
import type { MemoryAir } from '../memory/memory-air';
import {
  ATT_CID,
  AttOpcode,
  GattType,
  bareOpcode,
  errorRsp,
  exchangeMtuReq,
  exchangeMtuRsp,
  handleValuePdu,
  readBlobReq,
  readBlobRsp,
  readByGroupTypeReq,
  readByTypeReq,
  readReq,
  readRsp,
} from './att-pdus';
import {
  GattLayout,
  LayoutService,
  ServiceDefinition,
  buildGattLayout,
  characteristicDiscovery,
  findCharacteristic,
  modelledCharacteristicsBytes,
  serviceDiscovery,
} from './gatt-layout';
import {
  AclBoundary,
  HciPacket,
  LE_ACL_MTU,
  aclPackets,
  commandStatus,
  disconnect,
  disconnectionComplete,
  encryptionChange,
  HciOpcode,
  l2capFrame,
  leConnectionComplete,
  leCreateConnection,
} from './hci-packets';
import type { ConnectionHandles, PacketTimeline, Slot } from './timeline';

/** What the synthesiser needs to know about one connection beyond the tap. */
export interface BleConnectionInfo {
  /** Largest MTU the PC offers. */
  centralMaxMtu: number;
  /** Largest MTU the phone offers (its Exchange MTU Response). */
  peripheralMaxMtu: number;
  connectionIntervalMs: number;
  supervisionTimeoutMs: number;
  /** The phone's services as they are now. */
  services(): ServiceDefinition[];
  /** MTU the phone applies now (set once it saw the PC's Exchange MTU Request). */
  serverMtu(): number;
}

export type BleInfoSource = (connectionId: number) => BleConnectionInfo | undefined;

/** Reads connection details from a MemoryAir's open links. */
export function memoryAirInfo(air: MemoryAir): BleInfoSource {
  return (connectionId) => {
    const link = air.openLinks().find((l) => l.id === connectionId);
    if (!link) return undefined;
    const peripheral = link.peripheral;
    return {
      centralMaxMtu: link.central.maxMtu,
      peripheralMaxMtu: link.model.maxMtu,
      connectionIntervalMs: link.model.connectionIntervalMs,
      supervisionTimeoutMs: link.model.supervisionTimeoutMs,
      services: () =>
        peripheral.serviceUuids().map((uuid) => ({ uuid, characteristics: peripheral.characteristicsOf(uuid) ?? [] })),
      serverMtu: () => link.serverMtu,
    };
  };
}

type Outstanding =
  | { kind: 'mtu'; slot: Slot; guess: () => HciPacket[] }
  | { kind: 'services' }
  | { kind: 'characteristics'; slot: Slot; guess: () => HciPacket[] }
  | { kind: 'attribute'; opcode: number; handle: number };

interface BleConnection {
  handle: number;
  info: BleConnectionInfo | undefined;
  layout: GattLayout;
  mtu: number;
  outstanding: Outstanding | undefined;
  /** Services whose characteristics were discovered on this connection. */
  discovered: Set<Uuid>;
  /** The long read under way: its characteristic and the bytes read so far. */
  reading: { characteristic: Uuid; received: number } | undefined;
  /** Handles given to characteristics the layout does not know. */
  orphans: Map<string, number>;
}

export interface BleSynthOptions {
  /** LE ACL buffer size (default 251). */
  aclMtu?: number;
}

const SERVICE_CHANGED_RANGE = Uint8Array.of(0x01, 0x00, 0xff, 0xff);
const FIRST_ORPHAN_HANDLE = 0xf000;

export class BleCaptureSynth {
  private readonly connections = new Map<number, BleConnection>();
  private readonly aclMtu: number;

  constructor(
    private readonly timeline: PacketTimeline,
    private readonly handles: ConnectionHandles,
    private readonly infoOf: BleInfoSource,
    options: BleSynthOptions = {},
  ) {
    this.aclMtu = options.aclMtu ?? LE_ACL_MTU;
  }

  /** Subscribes to an air's tap; returns the unsubscribe. A failure here goes to `onError`, never into the link. */
  attach(air: MemoryAir, onError: (error: unknown) => void): () => void {
    const safe = guardedBy(onError);
    const offs = [
      air.events.on('connect', safe((e) => this.onConnect(e))),
      air.events.on('pdu', safe((e) => this.onPdu(e))),
      air.events.on('encrypted', safe((e) => this.onEncrypted(e))),
      air.events.on('disconnect', safe((e) => this.onDisconnect(e))),
    ];
    return () => offs.forEach((off) => off());
  }

  onConnect(event: ConnectTapEvent): void {
    const info = this.infoOf(event.connectionId);
    const handle = this.handles.allocate();
    const params = {
      intervalMs: info?.connectionIntervalMs ?? 30,
      supervisionTimeoutMs: info?.supervisionTimeoutMs ?? 720,
    };
    this.connections.set(event.connectionId, {
      handle,
      info,
      layout: buildGattLayout(info?.services() ?? []),
      mtu: 23,
      outstanding: undefined,
      discovered: new Set(),
      reading: undefined,
      orphans: new Map(),
    });
    this.timeline.add(event.time, [
      leCreateConnection(event.peripheral, params),
      commandStatus(HciOpcode.LeCreateConnection),
      leConnectionComplete(handle, event.peripheral, params),
    ]);
  }

  onEncrypted(event: EncryptedTapEvent): void {
    const conn = this.connections.get(event.connectionId);
    if (conn) this.timeline.add(event.time, [encryptionChange(conn.handle, true)]);
  }

  onDisconnect(event: DisconnectTapEvent): void {
    const conn = this.connections.get(event.connectionId);
    if (!conn) return;
    this.connections.delete(event.connectionId);
    this.settleOutstanding(conn);
    const packets: HciPacket[] = [];
    if (event.centralReason === DisconnectReason.LocalHostTerminated) {
      packets.push(disconnect(conn.handle, DisconnectReason.RemoteUserTerminated), commandStatus(HciOpcode.Disconnect));
    }
    packets.push(disconnectionComplete(conn.handle, event.centralReason));
    this.timeline.add(event.time, packets);
    this.handles.release(conn.handle);
  }

  onPdu(event: PduTapEvent): void {
    const conn = this.connections.get(event.connectionId);
    if (!conn || event.kind.startsWith('LL_')) return;
    const toServer = event.direction === 'toPeripheral';
    const send = (pdu: Uint8Array): void => this.timeline.add(event.time, this.acl(conn, toServer, pdu));
    switch (event.kind) {
      case 'ATT_EXCHANGE_MTU_REQ': {
        const offer = conn.info?.centralMaxMtu ?? 23;
        const guess = (): HciPacket[] => this.acl(conn, true, exchangeMtuReq(offer));
        conn.outstanding = { kind: 'mtu', slot: this.timeline.reserve(event.time, guess), guess };
        return;
      }
      case 'ATT_EXCHANGE_MTU_RSP':
        return this.onMtuResponse(conn, event.time);
      case 'ATT_READ_BY_GROUP_TYPE_REQ':
        conn.outstanding = { kind: 'services' };
        send(readByGroupTypeReq(0x0001, 0xffff));
        return;
      case 'ATT_READ_BY_GROUP_TYPE_RSP': {
        conn.outstanding = undefined;
        this.refreshLayout(conn);
        const [, ...rest] = serviceDiscovery(conn.layout, conn.mtu);
        this.timeline.add(event.time, rest.flatMap((p) => this.acl(conn, p.fromClient, p.pdu)));
        return;
      }
      case 'ATT_READ_BY_TYPE_REQ': {
        const guess = (): HciPacket[] => {
          const service = this.nextUndiscovered(conn);
          const pdu = service ? characteristicDiscovery(service, conn.mtu)[0]?.pdu : undefined;
          return this.acl(conn, true, pdu ?? readByTypeReq(conn.layout.lastHandle + 1, 0xffff, GattType.Characteristic));
        };
        conn.outstanding = { kind: 'characteristics', slot: this.timeline.reserve(event.time, guess), guess };
        return;
      }
      case 'ATT_READ_BY_TYPE_RSP':
        return this.onCharacteristicsResponse(conn, event);
      case 'ATT_READ_REQ': {
        const handle = this.valueHandle(conn, event.characteristic);
        conn.outstanding = { kind: 'attribute', opcode: AttOpcode.ReadReq, handle };
        conn.reading = event.characteristic ? { characteristic: event.characteristic, received: 0 } : undefined;
        send(readReq(handle));
        return;
      }
      case 'ATT_READ_BLOB_REQ': {
        const handle = this.valueHandle(conn, event.characteristic);
        const offset = conn.reading && conn.reading.characteristic === event.characteristic ? conn.reading.received : 0;
        conn.outstanding = { kind: 'attribute', opcode: AttOpcode.ReadBlobReq, handle };
        send(readBlobReq(handle, offset));
        return;
      }
      case 'ATT_READ_RSP':
      case 'ATT_READ_BLOB_RSP': {
        const value = event.value ?? new Uint8Array(0);
        if (conn.reading) conn.reading.received += value.length;
        conn.outstanding = undefined;
        send(event.kind === 'ATT_READ_RSP' ? readRsp(value) : readBlobRsp(value));
        return;
      }
      case 'ATT_WRITE_REQ': {
        const handle = event.descriptor !== undefined ? this.cccdHandle(conn, event.characteristic) : this.valueHandle(conn, event.characteristic);
        conn.outstanding = { kind: 'attribute', opcode: AttOpcode.WriteReq, handle };
        send(handleValuePdu(AttOpcode.WriteReq, handle, event.value ?? new Uint8Array(0)));
        return;
      }
      case 'ATT_WRITE_RSP':
        conn.outstanding = undefined;
        send(bareOpcode(AttOpcode.WriteRsp));
        return;
      case 'ATT_WRITE_CMD':
        send(handleValuePdu(AttOpcode.WriteCmd, this.valueHandle(conn, event.characteristic), event.value ?? new Uint8Array(0)));
        return;
      case 'ATT_HANDLE_VALUE_NTF':
        send(handleValuePdu(AttOpcode.HandleValueNtf, this.valueHandle(conn, event.characteristic), event.value ?? new Uint8Array(0)));
        return;
      case 'ATT_HANDLE_VALUE_IND':
        send(handleValuePdu(AttOpcode.HandleValueInd, conn.layout.serviceChangedHandle, SERVICE_CHANGED_RANGE));
        // The phone's database changed: later handles follow the new layout.
        this.refreshLayout(conn);
        return;
      case 'ATT_HANDLE_VALUE_CFM':
        send(bareOpcode(AttOpcode.HandleValueCfm));
        return;
      case 'ATT_ERROR_RSP':
        return this.onError(conn, event);
      default:
        return;
    }
  }

  private onMtuResponse(conn: BleConnection, time: number): void {
    const info = conn.info;
    const serverMax = info?.peripheralMaxMtu ?? 23;
    const applied = info?.serverMtu() ?? 23;
    // The phone applied min(offer, its own max): below its max, that is the offer itself.
    const offer = applied < serverMax ? applied : (info?.centralMaxMtu ?? serverMax);
    const outstanding = conn.outstanding;
    if (outstanding?.kind === 'mtu') outstanding.slot.fill(this.acl(conn, true, exchangeMtuReq(offer)));
    conn.outstanding = undefined;
    conn.mtu = Math.max(23, Math.min(offer, serverMax, 517));
    this.timeline.add(time, this.acl(conn, false, exchangeMtuRsp(serverMax)));
  }

  private onCharacteristicsResponse(conn: BleConnection, event: PduTapEvent): void {
    this.refreshLayout(conn);
    const service = this.serviceForResponse(conn, event.bytes);
    const outstanding = conn.outstanding;
    conn.outstanding = undefined;
    if (!service) {
      if (outstanding?.kind === 'characteristics') outstanding.slot.fill(outstanding.guess());
      return;
    }
    conn.discovered.add(service.uuid);
    const [first, ...rest] = characteristicDiscovery(service, conn.mtu);
    if (outstanding?.kind === 'characteristics') outstanding.slot.fill(first ? this.acl(conn, true, first.pdu) : []);
    else if (first) this.timeline.add(event.time, this.acl(conn, true, first.pdu));
    this.timeline.add(event.time, rest.flatMap((p) => this.acl(conn, p.fromClient, p.pdu)));
  }

  private onError(conn: BleConnection, event: PduTapEvent): void {
    const code = event.attCode ?? AttErrorCode.UnlikelyError;
    const outstanding = conn.outstanding;
    conn.outstanding = undefined;
    let request = 0x00;
    let handle = 0x0000;
    switch (outstanding?.kind) {
      case 'mtu':
        outstanding.slot.fill(this.acl(conn, true, exchangeMtuReq(conn.info?.centralMaxMtu ?? 23)));
        request = AttOpcode.ExchangeMtuReq;
        break;
      case 'services':
        request = AttOpcode.ReadByGroupTypeReq;
        handle = 0x0001;
        break;
      case 'characteristics':
        // A service the phone does not have: the client's request finds nothing past the database.
        handle = Math.min(0xffff, conn.layout.lastHandle + 1);
        outstanding.slot.fill(this.acl(conn, true, readByTypeReq(handle, 0xffff, GattType.Characteristic)));
        request = AttOpcode.ReadByTypeReq;
        break;
      case 'attribute':
        request = outstanding.opcode;
        handle = outstanding.handle;
        break;
      default:
        break;
    }
    this.timeline.add(event.time, this.acl(conn, false, errorRsp(request, handle, code)));
  }

  /** The service a characteristics response of `bytes` (as the memory link counts them) answers. */
  private serviceForResponse(conn: BleConnection, bytes: number): LayoutService | undefined {
    const definitions = conn.info?.services() ?? [];
    const matches = conn.layout.services.filter((s) => {
      const def = definitions.find((d) => d.uuid === s.uuid);
      return def !== undefined && modelledCharacteristicsBytes(def, conn.mtu) === bytes;
    });
    return matches.find((s) => !conn.discovered.has(s.uuid)) ?? matches[0] ?? this.nextUndiscovered(conn);
  }

  private nextUndiscovered(conn: BleConnection): LayoutService | undefined {
    return conn.layout.services.find((s) => !conn.discovered.has(s.uuid)) ?? conn.layout.services[0];
  }

  private refreshLayout(conn: BleConnection): void {
    if (conn.info) conn.layout = buildGattLayout(conn.info.services());
  }

  private valueHandle(conn: BleConnection, characteristic: Uuid | undefined): number {
    return this.locate(conn, characteristic)?.valueHandle ?? this.orphan(conn, characteristic ?? '?', 'value');
  }

  private cccdHandle(conn: BleConnection, characteristic: Uuid | undefined): number {
    return this.locate(conn, characteristic)?.cccdHandle ?? this.orphan(conn, characteristic ?? '?', 'cccd');
  }

  private locate(conn: BleConnection, characteristic: Uuid | undefined): ReturnType<typeof findCharacteristic> {
    if (characteristic === undefined) return undefined;
    const found = findCharacteristic(conn.layout, characteristic);
    if (found) return found;
    this.refreshLayout(conn);
    return findCharacteristic(conn.layout, characteristic);
  }

  /** A stable made-up handle for an attribute the layout lacks (a service removed meanwhile). */
  private orphan(conn: BleConnection, characteristic: string, role: string): number {
    const key = `${characteristic}|${role}`;
    let handle = conn.orphans.get(key);
    if (handle === undefined) {
      handle = Math.min(0xffff, FIRST_ORPHAN_HANDLE + conn.orphans.size);
      if (conn.orphans.size < 0x0fff) conn.orphans.set(key, handle);
    }
    return handle;
  }

  /** A request still unanswered when the connection ends went out all the same: its best guess fills its place. */
  private settleOutstanding(conn: BleConnection): void {
    const outstanding = conn.outstanding;
    conn.outstanding = undefined;
    if (outstanding?.kind === 'mtu' || outstanding?.kind === 'characteristics') {
      if (!outstanding.slot.filled) outstanding.slot.fill(outstanding.guess());
    }
  }

  /** One ATT PDU as the ACL packets that carry it, sent by the PC (`fromClient`) or received. */
  private acl(conn: BleConnection, fromClient: boolean, pdu: Uint8Array): HciPacket[] {
    return aclPackets(conn.handle, l2capFrame(ATT_CID, pdu), {
      sent: fromClient,
      aclMtu: this.aclMtu,
      first: fromClient ? AclBoundary.FirstNonFlushable : AclBoundary.FirstFlushable,
    });
  }
}
