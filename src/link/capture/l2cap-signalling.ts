/**
 * L2CAP signalling commands on the BR/EDR signalling channel (CID 0x0001)
 * for the dynamic channels a capture shows: Connection Request/Response,
 * Configure Request/Response (with an MTU option) and Disconnection
 * Request/Response. Pure encoders; each returns the signalling payload
 * (code, identifier, length, data) to put in an L2CAP frame on CID 1.
 */
import { ByteBuilder } from './bytes';

export const L2CAP_SIGNALLING_CID = 0x0001;
/** First dynamically allocated channel id. */
export const FIRST_DYNAMIC_CID = 0x0040;

export const L2capSignalCode = {
  CommandReject: 0x01,
  ConnectionReq: 0x02,
  ConnectionRsp: 0x03,
  ConfigureReq: 0x04,
  ConfigureRsp: 0x05,
  DisconnectionReq: 0x06,
  DisconnectionRsp: 0x07,
} as const;

/** Protocol/service multiplexers of the channels we open. */
export const Psm = {
  Sdp: 0x0001,
  Rfcomm: 0x0003,
} as const;

/** L2CAP's default MTU for signalling-free channels (and SDP's usual one). */
export const L2CAP_DEFAULT_MTU = 672;

function command(code: number, identifier: number, data: Uint8Array): Uint8Array {
  return new ByteBuilder(4 + data.length).u8(code).u8(identifier).u16le(data.length).bytes(data).finish();
}

export function connectionReq(identifier: number, psm: number, sourceCid: number): Uint8Array {
  return command(L2capSignalCode.ConnectionReq, identifier, new ByteBuilder(4).u16le(psm).u16le(sourceCid).finish());
}

/** Connection Response: result 0 success. */
export function connectionRsp(identifier: number, destinationCid: number, sourceCid: number, result = 0): Uint8Array {
  const data = new ByteBuilder(8).u16le(destinationCid).u16le(sourceCid).u16le(result).u16le(0).finish();
  return command(L2capSignalCode.ConnectionRsp, identifier, data);
}

/** Configure Request for the peer's channel `destinationCid`, announcing the MTU this side receives. */
export function configureReq(identifier: number, destinationCid: number, mtu: number): Uint8Array {
  const data = new ByteBuilder(8).u16le(destinationCid).u16le(0x0000).u8(0x01).u8(2).u16le(mtu).finish();
  return command(L2capSignalCode.ConfigureReq, identifier, data);
}

/** Configure Response accepting the request on the peer's channel `sourceCid`. */
export function configureRsp(identifier: number, sourceCid: number): Uint8Array {
  const data = new ByteBuilder(6).u16le(sourceCid).u16le(0x0000).u16le(0x0000).finish();
  return command(L2capSignalCode.ConfigureRsp, identifier, data);
}

export function disconnectionReq(identifier: number, destinationCid: number, sourceCid: number): Uint8Array {
  return command(L2capSignalCode.DisconnectionReq, identifier, new ByteBuilder(4).u16le(destinationCid).u16le(sourceCid).finish());
}

export function disconnectionRsp(identifier: number, destinationCid: number, sourceCid: number): Uint8Array {
  return command(L2capSignalCode.DisconnectionRsp, identifier, new ByteBuilder(4).u16le(destinationCid).u16le(sourceCid).finish());
}
