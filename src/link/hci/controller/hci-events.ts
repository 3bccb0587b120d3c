/**
 * HCI events as typed values, and back: every event the virtual controller
 * sends has a shape here (others decode as `unknown` and re-encode unchanged).
 * Arrayed parameters (Number Of Completed Packets, Advertising Report) use the
 * per-entry layout that BlueZ, noble and bleno read.
 */
import { ByteReader, ByteWriter } from './byte-reader';
import { EventCode, H4Type, LeSubevent } from './hci-constants';
import { HciError, HciErrorKind } from './hci-errors';
import { EventPacket } from './h4-packet';

export interface AdvertisingReport {
  eventType: number;
  addressType: number;
  /** 6 wire bytes. */
  address: Uint8Array;
  /** At most 31 bytes. */
  data: Uint8Array;
  /** dBm, -127..20; 127 means not available. */
  rssi: number;
}

export interface LeConnectionCompleteEvent {
  kind: 'le-connection-complete';
  status: number;
  handle: number;
  role: number;
  peerAddressType: number;
  peerAddress: Uint8Array;
  /** Units of 1.25 ms. */
  interval: number;
  latency: number;
  /** Units of 10 ms. */
  supervisionTimeout: number;
  clockAccuracy: number;
}

export type HciEvent =
  | { kind: 'command-complete'; numCommandPackets: number; opcode: number; /** Status first, as a rule. */ returnParams: Uint8Array }
  | { kind: 'command-status'; status: number; numCommandPackets: number; opcode: number }
  | { kind: 'disconnection-complete'; status: number; handle: number; reason: number }
  | { kind: 'encryption-change'; status: number; handle: number; enabled: number }
  | { kind: 'number-of-completed-packets'; entries: { handle: number; count: number }[] }
  | { kind: 'hardware-error'; code: number }
  | LeConnectionCompleteEvent
  | { kind: 'le-advertising-report'; reports: AdvertisingReport[] }
  | { kind: 'le-connection-update-complete'; status: number; handle: number; interval: number; latency: number; supervisionTimeout: number }
  | { kind: 'le-read-remote-features-complete'; status: number; handle: number; features: Uint8Array }
  | { kind: 'le-long-term-key-request'; handle: number; random: Uint8Array; ediv: number }
  | { kind: 'le-data-length-change'; handle: number; maxTxOctets: number; maxTxTime: number; maxRxOctets: number; maxRxTime: number }
  | { kind: 'unknown'; code: number; params: Uint8Array };

export function encodeHciEvent(event: HciEvent): EventPacket {
  const w = new ByteWriter();
  let code: number = EventCode.LeMeta;
  switch (event.kind) {
    case 'command-complete':
      code = EventCode.CommandComplete;
      w.u8(event.numCommandPackets).u16(event.opcode).bytes(event.returnParams);
      break;
    case 'command-status':
      code = EventCode.CommandStatus;
      w.u8(event.status).u8(event.numCommandPackets).u16(event.opcode);
      break;
    case 'disconnection-complete':
      code = EventCode.DisconnectionComplete;
      w.u8(event.status).u16(event.handle, 'handle').u8(event.reason);
      break;
    case 'encryption-change':
      code = EventCode.EncryptionChange;
      w.u8(event.status).u16(event.handle, 'handle').u8(event.enabled);
      break;
    case 'number-of-completed-packets':
      code = EventCode.NumberOfCompletedPackets;
      w.u8(event.entries.length, 'number of handles');
      for (const e of event.entries) w.u16(e.handle, 'handle').u16(e.count, 'count');
      break;
    case 'hardware-error':
      code = EventCode.HardwareError;
      w.u8(event.code);
      break;
    case 'le-connection-complete':
      w.u8(LeSubevent.ConnectionComplete).u8(event.status).u16(event.handle, 'handle').u8(event.role);
      w.u8(event.peerAddressType).bytes(event.peerAddress, 6, 'peer address');
      w.u16(event.interval).u16(event.latency).u16(event.supervisionTimeout).u8(event.clockAccuracy);
      break;
    case 'le-advertising-report':
      w.u8(LeSubevent.AdvertisingReport).u8(event.reports.length, 'number of reports');
      for (const r of event.reports) {
        w.u8(r.eventType).u8(r.addressType).bytes(r.address, 6, 'address');
        w.u8(r.data.length, 'data length').bytes(r.data).i8(r.rssi, 'RSSI');
      }
      break;
    case 'le-connection-update-complete':
      w.u8(LeSubevent.ConnectionUpdateComplete).u8(event.status).u16(event.handle, 'handle');
      w.u16(event.interval).u16(event.latency).u16(event.supervisionTimeout);
      break;
    case 'le-read-remote-features-complete':
      w.u8(LeSubevent.ReadRemoteFeaturesComplete).u8(event.status).u16(event.handle, 'handle').bytes(event.features, 8, 'features');
      break;
    case 'le-long-term-key-request':
      w.u8(LeSubevent.LongTermKeyRequest).u16(event.handle, 'handle').bytes(event.random, 8, 'random').u16(event.ediv);
      break;
    case 'le-data-length-change':
      w.u8(LeSubevent.DataLengthChange).u16(event.handle, 'handle');
      w.u16(event.maxTxOctets).u16(event.maxTxTime).u16(event.maxRxOctets).u16(event.maxRxTime);
      break;
    case 'unknown':
      code = event.code;
      w.bytes(event.params);
      break;
  }
  const params = w.finish();
  if (params.length > 0xff) {
    throw new HciError(HciErrorKind.BadValue, `event parameters of ${params.length} bytes exceed 255`);
  }
  return { type: H4Type.Event, code, params };
}

/**
 * Decodes an event packet. Events with a known code and malformed
 * parameters throw HciError; unknown codes and subevents become `unknown`.
 */
export function decodeHciEvent(packet: Pick<EventPacket, 'code' | 'params'>): HciEvent {
  const { code, params } = packet;
  // Parameters start at byte 3 of the H4 packet (type, code, length).
  const r = new ByteReader(params, 3, `event 0x${code.toString(16).padStart(2, '0')}`);
  const done = <T extends HciEvent>(e: T): T => {
    r.end(`event 0x${code.toString(16).padStart(2, '0')}`);
    return e;
  };
  switch (code) {
    case EventCode.CommandComplete:
      return { kind: 'command-complete', numCommandPackets: r.u8('Num_HCI_Command_Packets'), opcode: r.u16('opcode'), returnParams: r.rest() };
    case EventCode.CommandStatus:
      return done({ kind: 'command-status', status: r.u8('status'), numCommandPackets: r.u8('Num_HCI_Command_Packets'), opcode: r.u16('opcode') });
    case EventCode.DisconnectionComplete:
      return done({ kind: 'disconnection-complete', status: r.u8('status'), handle: r.u16('handle'), reason: r.u8('reason') });
    case EventCode.EncryptionChange:
      return done({ kind: 'encryption-change', status: r.u8('status'), handle: r.u16('handle'), enabled: r.u8('enabled') });
    case EventCode.NumberOfCompletedPackets: {
      const n = r.u8('Num_Handles');
      const entries: { handle: number; count: number }[] = [];
      for (let i = 0; i < n; i++) entries.push({ handle: r.u16('handle'), count: r.u16('count') });
      return done({ kind: 'number-of-completed-packets', entries });
    }
    case EventCode.HardwareError:
      return done({ kind: 'hardware-error', code: r.u8('hardware code') });
    case EventCode.LeMeta:
      return decodeLeMeta(r, params, done);
    default:
      return { kind: 'unknown', code, params: params.slice() };
  }
}

function decodeLeMeta(r: ByteReader, params: Uint8Array, done: <T extends HciEvent>(e: T) => T): HciEvent {
  const subevent = r.u8('subevent');
  switch (subevent) {
    case LeSubevent.ConnectionComplete:
      return done({
        kind: 'le-connection-complete',
        status: r.u8('status'),
        handle: r.u16('handle'),
        role: r.u8('role'),
        peerAddressType: r.u8('peer address type'),
        peerAddress: r.take(6, 'peer address'),
        interval: r.u16('interval'),
        latency: r.u16('latency'),
        supervisionTimeout: r.u16('supervision timeout'),
        clockAccuracy: r.u8('clock accuracy'),
      });
    case LeSubevent.AdvertisingReport: {
      const n = r.u8('Num_Reports');
      const reports: AdvertisingReport[] = [];
      for (let i = 0; i < n; i++) {
        const eventType = r.u8('event type');
        const addressType = r.u8('address type');
        const address = r.take(6, 'address');
        const data = r.take(r.u8('data length'), 'data');
        reports.push({ eventType, addressType, address, data, rssi: r.i8('RSSI') });
      }
      return done({ kind: 'le-advertising-report', reports });
    }
    case LeSubevent.ConnectionUpdateComplete:
      return done({
        kind: 'le-connection-update-complete',
        status: r.u8('status'),
        handle: r.u16('handle'),
        interval: r.u16('interval'),
        latency: r.u16('latency'),
        supervisionTimeout: r.u16('supervision timeout'),
      });
    case LeSubevent.ReadRemoteFeaturesComplete:
      return done({ kind: 'le-read-remote-features-complete', status: r.u8('status'), handle: r.u16('handle'), features: r.take(8, 'features') });
    case LeSubevent.LongTermKeyRequest:
      return done({ kind: 'le-long-term-key-request', handle: r.u16('handle'), random: r.take(8, 'random'), ediv: r.u16('EDIV') });
    case LeSubevent.DataLengthChange:
      return done({
        kind: 'le-data-length-change',
        handle: r.u16('handle'),
        maxTxOctets: r.u16('max TX octets'),
        maxTxTime: r.u16('max TX time'),
        maxRxOctets: r.u16('max RX octets'),
        maxRxTime: r.u16('max RX time'),
      });
    default:
      return { kind: 'unknown', code: EventCode.LeMeta, params: params.slice() };
  }
}

/** The LE subevent code of an LE Meta packet, if it is one. */
export function leSubeventOf(packet: Pick<EventPacket, 'code' | 'params'>): number | undefined {
  return packet.code === EventCode.LeMeta && packet.params.length > 0 ? packet.params[0] : undefined;
}
