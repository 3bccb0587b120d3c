/**
 * Reads the HCI traffic of a btsnoop capture (ours or a real controller
 * log) into the events a profile summary needs: connections (BR/EDR and LE,
 * with the peer's address), encryption and disconnects; ATT PDUs named by
 * handle and UUID (att-reader.ts); SDP records (sdp-reader.ts); and RFCOMM
 * channels opening, carrying bytes and closing (rfcomm-reader.ts). It
 * reassembles ACL into L2CAP frames and follows L2CAP signalling to know
 * which dynamic channel is SDP and which RFCOMM. Every state is bounded;
 * anything it cannot read becomes a 'problem' event, never an exception.
 */
import { ProtocolError } from '../../protocol/errors';
import { AttConnectionReader, AttPduView } from './att-reader';
import { BtsnoopDatalink, BtsnoopFlag, BtsnoopRecord, btsnoopToUnixMs } from './btsnoop';
import { addressText } from './bytes';
import { H4Type, HciEventCode, HciOpcode } from './hci-packets';
import { L2CAP_SIGNALLING_CID, L2capSignalCode, Psm } from './l2cap-signalling';
import { RfcommSessionReader } from './rfcomm-reader';
import { SdpChannelReader, SdpRecordSummary } from './sdp-reader';

export type Transport = 'le' | 'br-edr';

export type TrafficEvent =
  | { type: 'local-address'; time: number; address: string }
  | { type: 'connect'; time: number; handle: number; transport: Transport; address: string }
  | { type: 'encryption'; time: number; handle: number; enabled: boolean }
  | { type: 'disconnect'; time: number; handle: number; reason: number }
  | { type: 'att'; time: number; handle: number; fromLocal: boolean; pdu: AttPduView }
  | { type: 'sdp-record'; time: number; handle: number; serverIsLocal: boolean; record: SdpRecordSummary }
  | { type: 'rfcomm-open'; time: number; handle: number; dlci: number; channel: number; serverIsLocal: boolean }
  | { type: 'rfcomm-data'; time: number; handle: number; dlci: number; channel: number; serverIsLocal: boolean; fromLocal: boolean; data: Uint8Array }
  | { type: 'rfcomm-close'; time: number; handle: number; dlci: number; channel: number; serverIsLocal: boolean }
  | { type: 'problem'; time: number; handle?: number; message: string };

/** Largest L2CAP frame reassembled. */
export const MAX_L2CAP_FRAME = 0xffff + 4;
/** Connections, channels and partial frames tracked at once. */
const MAX_TRACKED = 1024;

interface L2capChannel {
  psm: number;
  sdp?: SdpChannelReader;
  rfcomm?: RfcommSessionReader;
  keys: string[];
}

interface Partial {
  parts: Uint8Array[];
  have: number;
  need: number;
}

const ATT_CID = 0x0004;

const u16 = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);

export class HciTrafficReader {
  private readonly transports = new Map<number, Transport>();
  private readonly att = new Map<number, AttConnectionReader>();
  private readonly partials = new Map<string, Partial>();
  private readonly channels = new Map<string, L2capChannel>();
  private readonly pendingConnects = new Map<string, { psm: number; scid: number }>();

  constructor(
    private readonly emit: (event: TrafficEvent) => void,
    private readonly datalink: number = BtsnoopDatalink.HciUart,
  ) {}

  record(record: BtsnoopRecord): void {
    const time = btsnoopToUnixMs(record.timestampUs);
    const received = (record.flags & BtsnoopFlag.Received) !== 0;
    let type: number;
    let packet: Uint8Array;
    if (this.datalink === BtsnoopDatalink.HciUnencapsulated) {
      const commandOrEvent = (record.flags & BtsnoopFlag.CommandOrEvent) !== 0;
      type = commandOrEvent ? (received ? H4Type.Event : H4Type.Command) : H4Type.Acl;
      packet = record.data;
    } else {
      type = record.data[0] ?? 0;
      packet = record.data.subarray(1);
    }
    try {
      if (type === H4Type.Event) this.event(time, packet);
      else if (type === H4Type.Acl) this.acl(time, packet, !received);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.emit({ type: 'problem', time, message: error.message });
    }
  }

  private event(time: number, packet: Uint8Array): void {
    const code = packet[0];
    const params = packet.subarray(2, 2 + (packet[1] ?? 0));
    switch (code) {
      case HciEventCode.ConnectionComplete:
        if (params.length >= 11 && params[0] === 0 && params[9] === 0x01) this.connected(time, u16(params, 1) & 0x0fff, 'br-edr', params.subarray(3, 9));
        return;
      case HciEventCode.LeMeta:
        if ((params[0] === 0x01 || params[0] === 0x0a) && params.length >= 12 && params[1] === 0) {
          this.connected(time, u16(params, 2) & 0x0fff, 'le', params.subarray(6, 12));
        }
        return;
      case HciEventCode.DisconnectionComplete:
        if (params.length >= 4 && params[0] === 0) this.disconnected(time, u16(params, 1) & 0x0fff, params[3] as number);
        return;
      case HciEventCode.EncryptionChange:
      case 0x59:
        if (params.length >= 4 && params[0] === 0) this.emit({ type: 'encryption', time, handle: u16(params, 1) & 0x0fff, enabled: params[3] !== 0 });
        return;
      case HciEventCode.CommandComplete:
        if (u16(params, 1) === HciOpcode.ReadBdAddr && params.length >= 10 && params[3] === 0) {
          this.emit({ type: 'local-address', time, address: addressText(params.subarray(4, 10)) });
        }
        return;
      default:
        return;
    }
  }

  private connected(time: number, handle: number, transport: Transport, address: Uint8Array): void {
    this.forget(handle);
    if (this.transports.size < MAX_TRACKED) this.transports.set(handle, transport);
    this.emit({ type: 'connect', time, handle, transport, address: addressText(address) });
  }

  private disconnected(time: number, handle: number, reason: number): void {
    this.forget(handle);
    this.emit({ type: 'disconnect', time, handle, reason });
  }

  /** Drops everything known about a handle (it may be reused). */
  private forget(handle: number): void {
    this.transports.delete(handle);
    this.att.delete(handle);
    const prefix = `${handle}:`;
    for (const key of [...this.partials.keys()]) if (key.startsWith(prefix)) this.partials.delete(key);
    for (const key of [...this.channels.keys()]) if (key.startsWith(prefix)) this.channels.delete(key);
    for (const key of [...this.pendingConnects.keys()]) if (key.startsWith(prefix)) this.pendingConnects.delete(key);
  }

  private acl(time: number, packet: Uint8Array, fromLocal: boolean): void {
    if (packet.length < 4) {
      this.emit({ type: 'problem', time, message: 'ACL header cut short' });
      return;
    }
    const word = u16(packet, 0);
    const handle = word & 0x0fff;
    const boundary = (word >> 12) & 0x3;
    const length = u16(packet, 2);
    const data = packet.subarray(4, 4 + length);
    if (data.length !== length) {
      this.emit({ type: 'problem', time, handle, message: `ACL length ${length} but ${data.length} bytes` });
      return;
    }
    const key = `${handle}:${fromLocal ? 'out' : 'in'}`;
    if (boundary === 0b01) {
      const partial = this.partials.get(key);
      if (!partial) {
        this.emit({ type: 'problem', time, handle, message: 'ACL continuation without a start' });
        return;
      }
      partial.parts.push(data.slice());
      partial.have += data.length;
      this.maybeFrame(time, handle, fromLocal, key, partial);
      return;
    }
    if (this.partials.delete(key)) this.emit({ type: 'problem', time, handle, message: 'L2CAP frame cut short by a new one' });
    if (data.length < 4) {
      this.emit({ type: 'problem', time, handle, message: 'L2CAP header cut short' });
      return;
    }
    const need = u16(data, 0) + 4;
    if (need > MAX_L2CAP_FRAME || this.partials.size >= MAX_TRACKED) {
      this.emit({ type: 'problem', time, handle, message: `L2CAP frame of ${need} bytes not reassembled` });
      return;
    }
    const partial: Partial = { parts: [data.slice()], have: data.length, need };
    this.partials.set(key, partial);
    this.maybeFrame(time, handle, fromLocal, key, partial);
  }

  private maybeFrame(time: number, handle: number, fromLocal: boolean, key: string, partial: Partial): void {
    if (partial.have < partial.need) return;
    this.partials.delete(key);
    if (partial.have > partial.need) {
      this.emit({ type: 'problem', time, handle, message: `L2CAP frame longer than its length (${partial.have} > ${partial.need})` });
      return;
    }
    const frame = Buffer.concat(partial.parts);
    this.l2cap(time, handle, fromLocal, u16(frame, 2), frame.subarray(4));
  }

  private l2cap(time: number, handle: number, fromLocal: boolean, cid: number, payload: Uint8Array): void {
    const transport = this.transports.get(handle);
    if (cid === ATT_CID && transport !== 'br-edr') {
      let reader = this.att.get(handle);
      if (!reader && this.att.size < MAX_TRACKED) {
        reader = new AttConnectionReader();
        this.att.set(handle, reader);
      }
      if (reader && payload.length > 0) this.emit({ type: 'att', time, handle, fromLocal, pdu: reader.read(payload) });
      return;
    }
    if (cid === L2CAP_SIGNALLING_CID && transport !== 'le') {
      this.signalling(handle, fromLocal, payload);
      return;
    }
    // Data on a dynamic channel is addressed to the receiver's channel id.
    const channel = this.channels.get(`${handle}:${fromLocal ? 'remote' : 'local'}:${cid}`);
    if (!channel) return;
    if (channel.sdp) {
      // Only responses carry records: their sender is the server.
      for (const record of channel.sdp.push(payload)) this.emit({ type: 'sdp-record', time, handle, serverIsLocal: fromLocal, record });
    } else if (channel.rfcomm) {
      for (const e of channel.rfcomm.push(payload, fromLocal)) {
        if (e.kind === 'data') this.emit({ type: 'rfcomm-data', time, handle, dlci: e.dlci, channel: e.channel, serverIsLocal: e.serverIsLocal, fromLocal: e.fromLocal, data: e.data });
        else this.emit({ type: e.kind === 'open' ? 'rfcomm-open' : 'rfcomm-close', time, handle, dlci: e.dlci, channel: e.channel, serverIsLocal: e.serverIsLocal });
      }
    }
  }

  /** L2CAP signalling commands (several may share one frame). */
  private signalling(handle: number, fromLocal: boolean, payload: Uint8Array): void {
    const sender = fromLocal ? 'local' : 'remote';
    const receiver = fromLocal ? 'remote' : 'local';
    for (let at = 0; at + 4 <= payload.length; ) {
      const code = payload[at] as number;
      const id = payload[at + 1] as number;
      const length = u16(payload, at + 2);
      const data = payload.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      if (data.length < length) return;
      switch (code) {
        case L2capSignalCode.ConnectionReq:
          if (length >= 4 && this.pendingConnects.size < MAX_TRACKED) this.pendingConnects.set(`${handle}:${sender}:${id}`, { psm: u16(data, 0), scid: u16(data, 2) });
          break;
        case L2capSignalCode.ConnectionRsp: {
          const pending = this.pendingConnects.get(`${handle}:${receiver}:${id}`);
          if (!pending || length < 8) break;
          const result = u16(data, 4);
          if (result === 0x0001) break; // pending: the final response follows
          this.pendingConnects.delete(`${handle}:${receiver}:${id}`);
          if (result !== 0 || this.channels.size >= MAX_TRACKED) break;
          const keys = [`${handle}:${receiver}:${pending.scid}`, `${handle}:${sender}:${u16(data, 0)}`];
          const channel: L2capChannel = { psm: pending.psm, keys };
          if (pending.psm === Psm.Sdp) channel.sdp = new SdpChannelReader();
          else if (pending.psm === Psm.Rfcomm) channel.rfcomm = new RfcommSessionReader();
          for (const key of keys) this.channels.set(key, channel);
          break;
        }
        case L2capSignalCode.DisconnectionRsp:
          if (length >= 4) {
            // DCID belongs to the side that answers, SCID to the side that asked.
            const channel = this.channels.get(`${handle}:${sender}:${u16(data, 0)}`);
            if (channel) for (const key of channel.keys) this.channels.delete(key);
          }
          break;
        default:
          break;
      }
    }
  }
}
