/**
 * Turns the in-memory BR/EDR air's tap (ACL connects and disconnects,
 * encryption, RFCOMM-like frames by server channel) into the HCI traffic a
 * PC's controller log would show: Create Connection / Connection Complete,
 * Encryption Change, Disconnect / Disconnection Complete, and over ACL:
 * before each channel, the opener's SDP Service Search Attribute exchange
 * for the record on that channel (its own L2CAP channel on PSM 1); the
 * RFCOMM session on PSM 3 (L2CAP Connection and Configure, SABM/UA on
 * DLCI 0); per channel PN with credit-based flow control, SABM/UA and MSC;
 * UIH frames with the channel's bytes (credits in the header octet when
 * P/F is set) cut at the agreed frame size; DISC/UA; and the session's
 * close when its last channel goes while the link stays up.
 */
import { guardedBy } from './guard';
import type { ServiceRecord } from '../classic';
import { DisconnectReason } from '../att-codes';
import type {
  ChannelCloseTapEvent,
  ClassicConnectTapEvent,
  ClassicDisconnectTapEvent,
  ClassicEncryptedTapEvent,
  FrameTapEvent,
} from '../memory/classic/classic-air-events';
import type { MemoryClassicAir } from '../memory/classic/classic-air';
import {
  AclBoundary,
  BR_EDR_ACL_MTU,
  HciOpcode,
  HciPacket,
  aclPackets,
  commandStatus,
  connectionComplete,
  createConnection,
  disconnect,
  disconnectionComplete,
  encryptionChange,
  l2capFrame,
} from './hci-packets';
import {
  FIRST_DYNAMIC_CID,
  L2CAP_DEFAULT_MTU,
  L2CAP_SIGNALLING_CID,
  Psm,
  configureReq,
  configureRsp,
  connectionReq,
  connectionRsp,
  disconnectionReq,
  disconnectionRsp,
} from './l2cap-signalling';
import {
  CREDIT_FLOW_ACCEPT,
  CREDIT_FLOW_REQUEST,
  RfcommFrameType,
  RfcommMcc,
  encodeMcc,
  encodeRfcommFrame,
  mscValue,
  pnValue,
} from './rfcomm-frames';
import { attributeLists, ssaExchanges } from './sdp-records';
import type { ConnectionHandles, PacketTimeline } from './timeline';

/** Which device: the phone ('host') or the PC ('client'), as the classic tap names them. */
export type ClassicSide = 'host' | 'client';

/** What the synthesiser needs to know about one ACL connection beyond the tap. */
export interface ClassicConnectionInfo {
  /** Largest RFCOMM frame each side offers. */
  frameSize: Record<ClassicSide, number>;
  /** The SDP records each side publishes now. */
  records(side: ClassicSide): ServiceRecord[];
  /** True while the ACL link is up. */
  isOpen(): boolean;
}

export type ClassicInfoSource = (connectionId: number) => ClassicConnectionInfo | undefined;

/** Reads connection details from a MemoryClassicAir's open links. */
export function memoryClassicInfo(air: MemoryClassicAir): ClassicInfoSource {
  return (connectionId) => {
    const link = air.openLinks().find((l) => l.id === connectionId);
    if (!link) return undefined;
    return {
      frameSize: { host: link.model.rfcommFrameSize, client: link.client.maxFrameSize },
      records: (side) => (side === 'host' ? link.host.info().records : link.client.info().records),
      isOpen: () => link.isOpen,
    };
  };
}

/** An L2CAP channel: the channel id on each device. */
interface L2capChannel {
  cid: Record<ClassicSide, number>;
}

interface Dlc {
  channel: number;
  initiator: ClassicSide;
  dlci: number;
  frameSize: number;
  open: boolean;
}

interface Session {
  initiator: ClassicSide;
  l2cap: L2capChannel;
  dlcs: Map<string, Dlc>;
}

interface ClassicConnection {
  handle: number;
  info: ClassicConnectionInfo | undefined;
  session: Session | undefined;
  nextCid: Record<ClassicSide, number>;
  nextSignalId: Record<ClassicSide, number>;
  nextTransaction: number;
  /** Channels whose record the opener already searched for on this connection. */
  searched: Set<string>;
}

export interface ClassicSynthOptions {
  /** BR/EDR ACL buffer size (default 1021). */
  aclMtu?: number;
}

/** RFCOMM header and FCS around an information field, for the L2CAP MTU each side configures. */
const RFCOMM_OVERHEAD = 6;
/** What one SDP response may carry of the attribute lists within the default MTU. */
const SDP_MAX_CHUNK = L2CAP_DEFAULT_MTU - 5 - 2 - 3;
const DLC_PRIORITY = 7;

const other = (side: ClassicSide): ClassicSide => (side === 'host' ? 'client' : 'host');
const dlcKey = (initiator: ClassicSide, channel: number): string => `${initiator}:${channel}`;

export class ClassicCaptureSynth {
  private readonly connections = new Map<number, ClassicConnection>();
  private readonly aclMtu: number;

  constructor(
    private readonly timeline: PacketTimeline,
    private readonly handles: ConnectionHandles,
    private readonly infoOf: ClassicInfoSource,
    options: ClassicSynthOptions = {},
  ) {
    this.aclMtu = options.aclMtu ?? BR_EDR_ACL_MTU;
  }

  /** Subscribes to an air's tap; returns the unsubscribe. A failure here goes to `onError`, never into the link. */
  attach(air: MemoryClassicAir, onError: (error: unknown) => void): () => void {
    const safe = guardedBy(onError);
    const offs = [
      air.events.on('connect', safe((e) => this.onConnect(e))),
      air.events.on('frame', safe((e) => this.onFrame(e))),
      air.events.on('encrypted', safe((e) => this.onEncrypted(e))),
      air.events.on('channelClose', safe((e) => this.onChannelClose(e))),
      air.events.on('disconnect', safe((e) => this.onDisconnect(e))),
    ];
    return () => offs.forEach((off) => off());
  }

  onConnect(event: ClassicConnectTapEvent): void {
    const handle = this.handles.allocate();
    this.connections.set(event.connectionId, {
      handle,
      info: this.infoOf(event.connectionId),
      session: undefined,
      nextCid: { host: FIRST_DYNAMIC_CID, client: FIRST_DYNAMIC_CID },
      nextSignalId: { host: 1, client: 1 },
      nextTransaction: 1,
      searched: new Set(),
    });
    this.timeline.add(event.time, [createConnection(event.host), commandStatus(HciOpcode.CreateConnection), connectionComplete(handle, event.host)]);
  }

  onEncrypted(event: ClassicEncryptedTapEvent): void {
    const conn = this.connections.get(event.connectionId);
    if (conn) this.timeline.add(event.time, [encryptionChange(conn.handle, true)]);
  }

  onDisconnect(event: ClassicDisconnectTapEvent): void {
    const conn = this.connections.get(event.connectionId);
    if (!conn) return;
    this.connections.delete(event.connectionId);
    const packets: HciPacket[] = [];
    if (event.clientReason === DisconnectReason.LocalHostTerminated) {
      packets.push(disconnect(conn.handle, DisconnectReason.RemoteUserTerminated), commandStatus(HciOpcode.Disconnect));
    }
    packets.push(disconnectionComplete(conn.handle, event.clientReason));
    this.timeline.add(event.time, packets);
    this.handles.release(conn.handle);
  }

  onChannelClose(event: ChannelCloseTapEvent): void {
    const conn = this.connections.get(event.connectionId);
    const session = conn?.session;
    if (!conn || !session) return;
    const dlc = this.findDlc(session, event.channel);
    if (dlc) session.dlcs.delete(dlcKey(dlc.initiator, dlc.channel));
    this.closeSessionIfIdle(conn, event.time);
  }

  onFrame(event: FrameTapEvent): void {
    const conn = this.connections.get(event.connectionId);
    if (!conn) return;
    const from: ClassicSide = event.direction === 'toHost' ? 'client' : 'host';
    const packets: HciPacket[] = [];
    switch (event.kind) {
      case 'open':
        this.open(conn, from, event, packets);
        break;
      case 'accept':
        this.accept(conn, from, event, packets);
        break;
      case 'refuse':
        this.refuse(conn, from, event, packets);
        break;
      default: {
        const session = conn.session;
        const dlc = session ? this.findDlc(session, event.channel, from, event.kind) : undefined;
        if (!session || !dlc) break;
        this.onDlcFrame(conn, session, dlc, from, event, packets);
        break;
      }
    }
    this.timeline.add(event.time, packets);
    if (event.kind === 'refuse') this.closeSessionIfIdle(conn, event.time);
  }

  private open(conn: ClassicConnection, from: ClassicSide, event: FrameTapEvent, packets: HciPacket[]): void {
    const key = dlcKey(from, event.channel);
    if (!conn.searched.has(key)) {
      conn.searched.add(key);
      packets.push(...this.sdpSearch(conn, from, event.channel));
    }
    const session = conn.session ?? this.openSession(conn, from, packets);
    const responder = other(from);
    const dlci = (event.channel << 1) | (responder === session.initiator ? 1 : 0);
    const frameSize = event.frameSize ?? conn.info?.frameSize[from] ?? 127;
    session.dlcs.set(key, { channel: event.channel, initiator: from, dlci, frameSize, open: false });
    const pn = pnValue({ dlci, convergence: CREDIT_FLOW_REQUEST, priority: DLC_PRIORITY, frameSize, credits: Math.min(7, event.credits ?? 7) });
    packets.push(...this.uih(conn, session, from, 0, encodeMcc(RfcommMcc.PN, true, pn)));
  }

  private accept(conn: ClassicConnection, from: ClassicSide, event: FrameTapEvent, packets: HciPacket[]): void {
    const session = conn.session;
    const initiator = other(from);
    const dlc = session?.dlcs.get(dlcKey(initiator, event.channel));
    if (!session || !dlc) return;
    dlc.frameSize = event.frameSize ?? dlc.frameSize;
    dlc.open = true;
    const pn = pnValue({ dlci: dlc.dlci, convergence: CREDIT_FLOW_ACCEPT, priority: DLC_PRIORITY, frameSize: dlc.frameSize, credits: Math.min(7, event.credits ?? 7) });
    packets.push(
      ...this.uih(conn, session, from, 0, encodeMcc(RfcommMcc.PN, false, pn)),
      ...this.control(conn, session, initiator, dlc.dlci, RfcommFrameType.SABM),
      ...this.control(conn, session, from, dlc.dlci, RfcommFrameType.UA),
      ...this.uih(conn, session, initiator, 0, encodeMcc(RfcommMcc.MSC, true, mscValue(dlc.dlci))),
      ...this.uih(conn, session, from, 0, encodeMcc(RfcommMcc.MSC, false, mscValue(dlc.dlci))),
      ...this.uih(conn, session, from, 0, encodeMcc(RfcommMcc.MSC, true, mscValue(dlc.dlci))),
      ...this.uih(conn, session, initiator, 0, encodeMcc(RfcommMcc.MSC, false, mscValue(dlc.dlci))),
    );
  }

  private refuse(conn: ClassicConnection, from: ClassicSide, event: FrameTapEvent, packets: HciPacket[]): void {
    const session = conn.session;
    const key = dlcKey(other(from), event.channel);
    const dlc = session?.dlcs.get(key);
    if (!session || !dlc) return;
    session.dlcs.delete(key);
    // Nothing listens there: the responder answers the parameter negotiation with DM.
    packets.push(...this.control(conn, session, from, dlc.dlci, RfcommFrameType.DM));
  }

  private onDlcFrame(conn: ClassicConnection, session: Session, dlc: Dlc, from: ClassicSide, event: FrameTapEvent, packets: HciPacket[]): void {
    switch (event.kind) {
      case 'data': {
        const data = event.data ?? new Uint8Array(0);
        const size = Math.max(1, dlc.frameSize);
        for (let at = 0; at < data.length; at += size) packets.push(...this.uih(conn, session, from, dlc.dlci, data.subarray(at, at + size)));
        return;
      }
      case 'credits':
        packets.push(...this.uih(conn, session, from, dlc.dlci, new Uint8Array(0), Math.min(255, event.credits ?? 0)));
        return;
      case 'disc':
        packets.push(...this.control(conn, session, from, dlc.dlci, RfcommFrameType.DISC));
        return;
      case 'ua':
        packets.push(...this.control(conn, session, from, dlc.dlci, RfcommFrameType.UA));
        return;
      default:
        return;
    }
  }

  /**
   * The DLC a frame belongs to. Channel numbers are scoped by who opened the
   * channel, but the tap gives only the number: when both directions use
   * the same number, open channels win, then the PC's.
   */
  private findDlc(session: Session, channel: number, from?: ClassicSide, kind?: string): Dlc | undefined {
    const candidates = [session.dlcs.get(dlcKey('client', channel)), session.dlcs.get(dlcKey('host', channel))].filter(
      (d): d is Dlc => d !== undefined,
    );
    if (candidates.length <= 1) return candidates[0];
    // A UA answers a DISC from the other side; with two candidates, prefer the one that side opened last.
    if (kind === 'ua' && from) return candidates.find((d) => d.initiator !== from) ?? candidates[0];
    return candidates.find((d) => d.open) ?? candidates[0];
  }

  /** The opener's SDP search for the record on `channel` of the other device (nothing when it has none). */
  private sdpSearch(conn: ClassicConnection, from: ClassicSide, channel: number): HciPacket[] {
    const target = other(from);
    const records = conn.info?.records(target) ?? [];
    const record = records.find((r) => r.channel === channel);
    const serviceClass = record?.serviceClasses[0];
    if (!record || serviceClass === undefined) return [];
    const packets: HciPacket[] = [];
    const l2cap = this.openL2cap(conn, from, Psm.Sdp, { host: L2CAP_DEFAULT_MTU, client: L2CAP_DEFAULT_MTU }, packets);
    const lists = attributeLists(record, 0x00010000 + channel);
    const exchanges = ssaExchanges(conn.nextTransaction, serviceClass, lists, SDP_MAX_CHUNK);
    conn.nextTransaction = (conn.nextTransaction + exchanges.length) & 0xffff || 1;
    for (const exchange of exchanges) {
      packets.push(...this.l2capData(conn, from, l2cap, exchange.request), ...this.l2capData(conn, target, l2cap, exchange.response));
    }
    packets.push(...this.closeL2cap(conn, from, l2cap));
    return packets;
  }

  /** The RFCOMM multiplexer: an L2CAP channel on PSM 3 and SABM/UA on DLCI 0, opened by `from`. */
  private openSession(conn: ClassicConnection, from: ClassicSide, packets: HciPacket[]): Session {
    const frameSize = conn.info?.frameSize ?? { host: 990, client: 990 };
    const mtu = {
      host: Math.min(0xffff, frameSize.host + RFCOMM_OVERHEAD),
      client: Math.min(0xffff, frameSize.client + RFCOMM_OVERHEAD),
    };
    const l2cap = this.openL2cap(conn, from, Psm.Rfcomm, mtu, packets);
    const session: Session = { initiator: from, l2cap, dlcs: new Map() };
    conn.session = session;
    packets.push(...this.control(conn, session, from, 0, RfcommFrameType.SABM), ...this.control(conn, session, other(from), 0, RfcommFrameType.UA));
    return session;
  }

  /** With no channel left and the link up, the session's opener closes DLCI 0 and its L2CAP channel. */
  private closeSessionIfIdle(conn: ClassicConnection, time: number): void {
    const session = conn.session;
    if (!session || session.dlcs.size > 0 || !(conn.info?.isOpen() ?? false)) return;
    conn.session = undefined;
    const from = session.initiator;
    this.timeline.add(time, [
      ...this.control(conn, session, from, 0, RfcommFrameType.DISC),
      ...this.control(conn, session, other(from), 0, RfcommFrameType.UA),
      ...this.closeL2cap(conn, from, session.l2cap),
    ]);
  }

  /** SABM, UA, DM or DISC on `dlci` from `from` (P/F set, C/R by its role in the session). */
  private control(conn: ClassicConnection, session: Session, from: ClassicSide, dlci: number, type: number): HciPacket[] {
    const command = type === RfcommFrameType.SABM || type === RfcommFrameType.DISC;
    const fromInitiator = from === session.initiator;
    const frame = encodeRfcommFrame({ dlci, cr: command ? fromInitiator : !fromInitiator, type, pf: true });
    return this.l2capData(conn, from, session.l2cap, frame);
  }

  /** A UIH frame from `from`; with `credits`, P/F is set and the credit octet leads the information field. */
  private uih(conn: ClassicConnection, session: Session, from: ClassicSide, dlci: number, payload: Uint8Array, credits?: number): HciPacket[] {
    const frame = encodeRfcommFrame({
      dlci,
      cr: from === session.initiator,
      type: RfcommFrameType.UIH,
      pf: credits !== undefined,
      payload,
      ...(credits !== undefined ? { credits } : {}),
    });
    return this.l2capData(conn, from, session.l2cap, frame);
  }

  /** Connection and configuration of a new L2CAP channel opened by `from`; `mtu` is what each side receives. */
  private openL2cap(conn: ClassicConnection, from: ClassicSide, psm: number, mtu: Record<ClassicSide, number>, packets: HciPacket[]): L2capChannel {
    const to = other(from);
    const channel: L2capChannel = { cid: { host: this.takeCid(conn, 'host'), client: this.takeCid(conn, 'client') } };
    const request = this.signalId(conn, from);
    const theirConfig = this.signalId(conn, to);
    const ourConfig = this.signalId(conn, from);
    packets.push(
      ...this.signal(conn, from, connectionReq(request, psm, channel.cid[from])),
      ...this.signal(conn, to, connectionRsp(request, channel.cid[to], channel.cid[from])),
      ...this.signal(conn, from, configureReq(ourConfig, channel.cid[to], mtu[from])),
      ...this.signal(conn, to, configureRsp(ourConfig, channel.cid[from])),
      ...this.signal(conn, to, configureReq(theirConfig, channel.cid[from], mtu[to])),
      ...this.signal(conn, from, configureRsp(theirConfig, channel.cid[to])),
    );
    return channel;
  }

  private closeL2cap(conn: ClassicConnection, from: ClassicSide, channel: L2capChannel): HciPacket[] {
    const to = other(from);
    const id = this.signalId(conn, from);
    return [
      ...this.signal(conn, from, disconnectionReq(id, channel.cid[to], channel.cid[from])),
      ...this.signal(conn, to, disconnectionRsp(id, channel.cid[to], channel.cid[from])),
    ];
  }

  private l2capData(conn: ClassicConnection, from: ClassicSide, channel: L2capChannel, payload: Uint8Array): HciPacket[] {
    return this.acl(conn, from, l2capFrame(channel.cid[other(from)], payload));
  }

  private signal(conn: ClassicConnection, from: ClassicSide, command: Uint8Array): HciPacket[] {
    return this.acl(conn, from, l2capFrame(L2CAP_SIGNALLING_CID, command));
  }

  private acl(conn: ClassicConnection, from: ClassicSide, frame: Uint8Array): HciPacket[] {
    return aclPackets(conn.handle, frame, { sent: from === 'client', aclMtu: this.aclMtu, first: AclBoundary.FirstFlushable });
  }

  private takeCid(conn: ClassicConnection, side: ClassicSide): number {
    const cid = conn.nextCid[side];
    conn.nextCid[side] = cid >= 0xffff ? FIRST_DYNAMIC_CID : cid + 1;
    return cid;
  }

  private signalId(conn: ClassicConnection, side: ClassicSide): number {
    const id = conn.nextSignalId[side];
    conn.nextSignalId[side] = id >= 0xff ? 1 : id + 1;
    return id;
  }
}
