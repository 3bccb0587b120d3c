/**
 * HCI command parameters as typed values, and back: every command the
 * virtual controller acts on has a shape here; parameterless commands are
 * `{ op: 'plain' }` and anything else `{ op: 'raw' }`, so every command
 * packet decodes and re-encodes. Decoding a known command whose parameters
 * are short, long or out of range throws `HciError` (the controller answers
 * it with "Invalid HCI Command Parameters").
 */
import { ByteReader, ByteWriter } from './byte-reader';
import { H4Type } from './hci-constants';
import { Opcode } from './hci-command-table';
import { HciError, HciErrorKind } from './hci-errors';
import { CommandPacket } from './h4-packet';

export interface AdvertisingParameters {
  /** Units of 0.625 ms. */
  intervalMin: number;
  intervalMax: number;
  advertisingType: number;
  ownAddressType: number;
  peerAddressType: number;
  /** 6 wire bytes. */
  peerAddress: Uint8Array;
  channelMap: number;
  filterPolicy: number;
}

export interface ScanParameters {
  /** 0 passive, 1 active. */
  scanType: number;
  /** Units of 0.625 ms. */
  interval: number;
  window: number;
  ownAddressType: number;
  filterPolicy: number;
}

export interface ConnectionParameters {
  /** Units of 1.25 ms. */
  intervalMin: number;
  intervalMax: number;
  latency: number;
  /** Units of 10 ms. */
  supervisionTimeout: number;
  /** Units of 0.625 ms. */
  minCeLength: number;
  maxCeLength: number;
}

export interface CreateConnectionParameters extends ConnectionParameters {
  scanInterval: number;
  scanWindow: number;
  initiatorFilterPolicy: number;
  peerAddressType: number;
  peerAddress: Uint8Array;
  ownAddressType: number;
}

export type HciCommand =
  | { op: 'plain'; opcode: number }
  | { op: 'raw'; opcode: number; params: Uint8Array }
  | { op: 'set-event-mask'; mask: Uint8Array }
  | { op: 'le-set-event-mask'; mask: Uint8Array }
  | { op: 'write-le-host-supported'; le: number; simultaneous: number }
  | { op: 'disconnect'; handle: number; reason: number }
  | { op: 'read-rssi'; handle: number }
  | { op: 'le-set-random-address'; address: Uint8Array }
  | ({ op: 'le-set-advertising-parameters' } & AdvertisingParameters)
  | { op: 'le-set-advertising-data'; data: Uint8Array }
  | { op: 'le-set-scan-response-data'; data: Uint8Array }
  | { op: 'le-set-advertise-enable'; enable: number }
  | ({ op: 'le-set-scan-parameters' } & ScanParameters)
  | { op: 'le-set-scan-enable'; enable: number; filterDuplicates: number }
  | ({ op: 'le-create-connection' } & CreateConnectionParameters)
  | { op: 'le-white-list-add'; addressType: number; address: Uint8Array }
  | { op: 'le-white-list-remove'; addressType: number; address: Uint8Array }
  | ({ op: 'le-connection-update'; handle: number } & ConnectionParameters)
  | { op: 'le-read-remote-features'; handle: number }
  | { op: 'le-encrypt'; key: Uint8Array; plaintext: Uint8Array }
  | { op: 'le-start-encryption'; handle: number; random: Uint8Array; ediv: number; ltk: Uint8Array }
  | { op: 'le-ltk-request-reply'; handle: number; ltk: Uint8Array }
  | { op: 'le-ltk-request-negative-reply'; handle: number }
  | { op: 'le-set-data-length'; handle: number; txOctets: number; txTime: number }
  | { op: 'le-write-suggested-default-data-length'; txOctets: number; txTime: number }
  | { op: 'le-set-default-phy'; allPhys: number; txPhys: number; rxPhys: number };

/** Commands that carry no parameters (and are decoded as `plain`). */
const PLAIN = new Set<number>([
  Opcode.Reset,
  Opcode.ReadLeHostSupported,
  Opcode.ReadLocalVersion,
  Opcode.ReadLocalSupportedCommands,
  Opcode.ReadLocalSupportedFeatures,
  Opcode.ReadBufferSize,
  Opcode.ReadBdAddr,
  Opcode.LeReadBufferSize,
  Opcode.LeReadLocalSupportedFeatures,
  Opcode.LeReadAdvertisingChannelTxPower,
  Opcode.LeCreateConnectionCancel,
  Opcode.LeReadWhiteListSize,
  Opcode.LeClearWhiteList,
  Opcode.LeRand,
  Opcode.LeReadSupportedStates,
  Opcode.LeReadSuggestedDefaultDataLength,
  Opcode.LeReadMaximumDataLength,
]);

/** Largest legacy advertising or scan response payload. */
export const MAX_ADVERTISING_DATA = 31;

export function decodeHciCommand(packet: Pick<CommandPacket, 'opcode' | 'params'>): HciCommand {
  const { opcode, params } = packet;
  // Parameters start at byte 4 of the H4 packet (type, opcode, length).
  const r = new ByteReader(params, 4, `command 0x${opcode.toString(16).padStart(4, '0')}`);
  const done = <T>(value: T): T => {
    r.end(`command 0x${opcode.toString(16).padStart(4, '0')}`);
    return value;
  };
  if (PLAIN.has(opcode)) return done({ op: 'plain', opcode });
  switch (opcode) {
    case Opcode.SetEventMask:
      return done({ op: 'set-event-mask', mask: r.take(8, 'event mask') });
    case Opcode.LeSetEventMask:
      return done({ op: 'le-set-event-mask', mask: r.take(8, 'LE event mask') });
    case Opcode.WriteLeHostSupported:
      return done({ op: 'write-le-host-supported', le: r.u8('LE_Supported_Host'), simultaneous: r.u8('Simultaneous_LE_Host') });
    case Opcode.Disconnect:
      return done({ op: 'disconnect', handle: handle(r), reason: r.u8('reason') });
    case Opcode.ReadRssi:
      return done({ op: 'read-rssi', handle: handle(r) });
    case Opcode.LeSetRandomAddress:
      return done({ op: 'le-set-random-address', address: r.take(6, 'random address') });
    case Opcode.LeSetAdvertisingParameters:
      return done({
        op: 'le-set-advertising-parameters',
        intervalMin: r.u16('interval min'),
        intervalMax: r.u16('interval max'),
        advertisingType: r.u8('advertising type'),
        ownAddressType: r.u8('own address type'),
        peerAddressType: r.u8('peer address type'),
        peerAddress: r.take(6, 'peer address'),
        channelMap: r.u8('channel map'),
        filterPolicy: r.u8('filter policy'),
      });
    case Opcode.LeSetAdvertisingData:
      return { op: 'le-set-advertising-data', data: advertisingPayload(r, params) };
    case Opcode.LeSetScanResponseData:
      return { op: 'le-set-scan-response-data', data: advertisingPayload(r, params) };
    case Opcode.LeSetAdvertiseEnable:
      return done({ op: 'le-set-advertise-enable', enable: r.u8('enable') });
    case Opcode.LeSetScanParameters:
      return done({
        op: 'le-set-scan-parameters',
        scanType: r.u8('scan type'),
        interval: r.u16('scan interval'),
        window: r.u16('scan window'),
        ownAddressType: r.u8('own address type'),
        filterPolicy: r.u8('filter policy'),
      });
    case Opcode.LeSetScanEnable:
      return done({ op: 'le-set-scan-enable', enable: r.u8('enable'), filterDuplicates: r.u8('filter duplicates') });
    case Opcode.LeCreateConnection:
      return done({
        op: 'le-create-connection',
        scanInterval: r.u16('scan interval'),
        scanWindow: r.u16('scan window'),
        initiatorFilterPolicy: r.u8('initiator filter policy'),
        peerAddressType: r.u8('peer address type'),
        peerAddress: r.take(6, 'peer address'),
        ownAddressType: r.u8('own address type'),
        ...connectionParameters(r),
      });
    case Opcode.LeAddDeviceToWhiteList:
      return done({ op: 'le-white-list-add', addressType: r.u8('address type'), address: r.take(6, 'address') });
    case Opcode.LeRemoveDeviceFromWhiteList:
      return done({ op: 'le-white-list-remove', addressType: r.u8('address type'), address: r.take(6, 'address') });
    case Opcode.LeConnectionUpdate:
      return done({ op: 'le-connection-update', handle: handle(r), ...connectionParameters(r) });
    case Opcode.LeReadRemoteFeatures:
      return done({ op: 'le-read-remote-features', handle: handle(r) });
    case Opcode.LeEncrypt:
      return done({ op: 'le-encrypt', key: r.take(16, 'key'), plaintext: r.take(16, 'plaintext') });
    case Opcode.LeStartEncryption:
      return done({ op: 'le-start-encryption', handle: handle(r), random: r.take(8, 'random'), ediv: r.u16('EDIV'), ltk: r.take(16, 'LTK') });
    case Opcode.LeLtkRequestReply:
      return done({ op: 'le-ltk-request-reply', handle: handle(r), ltk: r.take(16, 'LTK') });
    case Opcode.LeLtkRequestNegativeReply:
      return done({ op: 'le-ltk-request-negative-reply', handle: handle(r) });
    case Opcode.LeSetDataLength:
      return done({ op: 'le-set-data-length', handle: handle(r), txOctets: r.u16('TX octets'), txTime: r.u16('TX time') });
    case Opcode.LeWriteSuggestedDefaultDataLength:
      return done({ op: 'le-write-suggested-default-data-length', txOctets: r.u16('TX octets'), txTime: r.u16('TX time') });
    case Opcode.LeSetDefaultPhy:
      return done({ op: 'le-set-default-phy', allPhys: r.u8('all PHYs'), txPhys: r.u8('TX PHYs'), rxPhys: r.u8('RX PHYs') });
    default:
      return { op: 'raw', opcode, params: params.slice() };
  }
}

export function encodeHciCommand(command: HciCommand): CommandPacket {
  const w = new ByteWriter();
  let opcode: number;
  switch (command.op) {
    case 'plain':
      opcode = command.opcode;
      break;
    case 'raw':
      return { type: H4Type.Command, opcode: command.opcode, params: command.params.slice() };
    case 'set-event-mask':
      opcode = Opcode.SetEventMask;
      w.bytes(command.mask, 8, 'event mask');
      break;
    case 'le-set-event-mask':
      opcode = Opcode.LeSetEventMask;
      w.bytes(command.mask, 8, 'LE event mask');
      break;
    case 'write-le-host-supported':
      opcode = Opcode.WriteLeHostSupported;
      w.u8(command.le).u8(command.simultaneous);
      break;
    case 'disconnect':
      opcode = Opcode.Disconnect;
      w.u16(command.handle, 'handle').u8(command.reason);
      break;
    case 'read-rssi':
      opcode = Opcode.ReadRssi;
      w.u16(command.handle, 'handle');
      break;
    case 'le-set-random-address':
      opcode = Opcode.LeSetRandomAddress;
      w.bytes(command.address, 6, 'address');
      break;
    case 'le-set-advertising-parameters':
      opcode = Opcode.LeSetAdvertisingParameters;
      w.u16(command.intervalMin).u16(command.intervalMax).u8(command.advertisingType).u8(command.ownAddressType);
      w.u8(command.peerAddressType).bytes(command.peerAddress, 6, 'peer address').u8(command.channelMap).u8(command.filterPolicy);
      break;
    case 'le-set-advertising-data':
    case 'le-set-scan-response-data':
      opcode = command.op === 'le-set-advertising-data' ? Opcode.LeSetAdvertisingData : Opcode.LeSetScanResponseData;
      if (command.data.length > MAX_ADVERTISING_DATA) {
        throw new HciError(HciErrorKind.BadValue, `advertising data of ${command.data.length} bytes exceeds 31`);
      }
      w.u8(command.data.length).bytes(command.data).bytes(new Uint8Array(MAX_ADVERTISING_DATA - command.data.length));
      break;
    case 'le-set-advertise-enable':
      opcode = Opcode.LeSetAdvertiseEnable;
      w.u8(command.enable);
      break;
    case 'le-set-scan-parameters':
      opcode = Opcode.LeSetScanParameters;
      w.u8(command.scanType).u16(command.interval).u16(command.window).u8(command.ownAddressType).u8(command.filterPolicy);
      break;
    case 'le-set-scan-enable':
      opcode = Opcode.LeSetScanEnable;
      w.u8(command.enable).u8(command.filterDuplicates);
      break;
    case 'le-create-connection':
      opcode = Opcode.LeCreateConnection;
      w.u16(command.scanInterval).u16(command.scanWindow).u8(command.initiatorFilterPolicy).u8(command.peerAddressType);
      w.bytes(command.peerAddress, 6, 'peer address').u8(command.ownAddressType);
      writeConnectionParameters(w, command);
      break;
    case 'le-white-list-add':
    case 'le-white-list-remove':
      opcode = command.op === 'le-white-list-add' ? Opcode.LeAddDeviceToWhiteList : Opcode.LeRemoveDeviceFromWhiteList;
      w.u8(command.addressType).bytes(command.address, 6, 'address');
      break;
    case 'le-connection-update':
      opcode = Opcode.LeConnectionUpdate;
      w.u16(command.handle, 'handle');
      writeConnectionParameters(w, command);
      break;
    case 'le-read-remote-features':
      opcode = Opcode.LeReadRemoteFeatures;
      w.u16(command.handle, 'handle');
      break;
    case 'le-encrypt':
      opcode = Opcode.LeEncrypt;
      w.bytes(command.key, 16, 'key').bytes(command.plaintext, 16, 'plaintext');
      break;
    case 'le-start-encryption':
      opcode = Opcode.LeStartEncryption;
      w.u16(command.handle, 'handle').bytes(command.random, 8, 'random').u16(command.ediv).bytes(command.ltk, 16, 'LTK');
      break;
    case 'le-ltk-request-reply':
      opcode = Opcode.LeLtkRequestReply;
      w.u16(command.handle, 'handle').bytes(command.ltk, 16, 'LTK');
      break;
    case 'le-ltk-request-negative-reply':
      opcode = Opcode.LeLtkRequestNegativeReply;
      w.u16(command.handle, 'handle');
      break;
    case 'le-set-data-length':
      opcode = Opcode.LeSetDataLength;
      w.u16(command.handle, 'handle').u16(command.txOctets).u16(command.txTime);
      break;
    case 'le-write-suggested-default-data-length':
      opcode = Opcode.LeWriteSuggestedDefaultDataLength;
      w.u16(command.txOctets).u16(command.txTime);
      break;
    case 'le-set-default-phy':
      opcode = Opcode.LeSetDefaultPhy;
      w.u8(command.allPhys).u8(command.txPhys).u8(command.rxPhys);
      break;
  }
  return { type: H4Type.Command, opcode, params: w.finish() };
}

function handle(r: ByteReader): number {
  const at = r.offset;
  const value = r.u16('connection handle');
  if (value > 0x0eff) throw new HciError(HciErrorKind.BadValue, `connection handle 0x${value.toString(16)} is above 0x0EFF`, 4 + at);
  return value;
}

function connectionParameters(r: ByteReader): ConnectionParameters {
  return {
    intervalMin: r.u16('connection interval min'),
    intervalMax: r.u16('connection interval max'),
    latency: r.u16('latency'),
    supervisionTimeout: r.u16('supervision timeout'),
    minCeLength: r.u16('min CE length'),
    maxCeLength: r.u16('max CE length'),
  };
}

function writeConnectionParameters(w: ByteWriter, p: ConnectionParameters): void {
  w.u16(p.intervalMin).u16(p.intervalMax).u16(p.latency).u16(p.supervisionTimeout).u16(p.minCeLength).u16(p.maxCeLength);
}

/**
 * Length byte plus up to 31 significant bytes. The spec sends all 32 bytes
 * (zero padding); shorter parameters that still hold the announced data are
 * accepted, as some hosts send only the significant part.
 */
function advertisingPayload(r: ByteReader, params: Uint8Array): Uint8Array {
  const length = r.u8('advertising data length');
  if (length > MAX_ADVERTISING_DATA) {
    throw new HciError(HciErrorKind.BadValue, `advertising data length ${length} exceeds 31`, 4);
  }
  const data = r.take(length, 'advertising data');
  if (params.length > 1 + MAX_ADVERTISING_DATA) {
    throw new HciError(HciErrorKind.BadLength, `advertising data parameters of ${params.length} bytes exceed 32`, 4 + 1 + MAX_ADVERTISING_DATA);
  }
  return data;
}
