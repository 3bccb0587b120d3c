/**
 * One virtual HCI controller: takes H4 bytes from its host (cut anywhere),
 * answers every command with Command Complete or Command Status, keeps the
 * host's advertising, scanning and initiating state for the air, moves ACL
 * data onto its links with the host's buffer limits enforced, and sends the
 * host the events the air produces (connections, reports, completed packets,
 * encryption, disconnections). Bytes to the host leave through `output`.
 * Created by `VirtualAir.addController`.
 */
import { Emitter } from '../../../util/emitter';
import { AirLink, LinkEndpoint, Side, otherSide } from './air-link';
import { AirPort } from './air-port';
import { llTimeUs } from './air-timing';
import { addressToBytes, bytesToAddress, toHex } from './byte-reader';
import { CommandHandler } from './command-handler';
import { CONTROLLER_PROFILE, ControllerBuffers, DEFAULT_BUFFERS, checkBuffers } from './controller-profile';
import { EventCode, H4Type, HciStatus, LeRole, LeSubevent, eventName } from './hci-constants';
import { commandName } from './hci-command-table';
import { HciError, HciErrorKind, isHciError } from './hci-errors';
import { eventEnabled, leEventEnabled } from './event-mask';
import { HciEvent, encodeHciEvent } from './hci-events';
import { AclPacket, encodeH4 } from './h4-packet';
import { H4Splitter } from './h4-splitter';
import { LtkResponder } from './ltk-responder';
import { AdvertiserView, RadioState } from './radio-state';

export interface VirtualControllerOptions extends Partial<ControllerBuffers> {
  /**
   * Answer LE Long Term Key Requests inside the controller from keys seen in
   * SMP, as the Linux kernel does for raw-socket hosts (bleno needs this: it
   * never sends LE_LTK_Request_Reply itself). Default false.
   */
  answerLtkRequests?: boolean;
  /** Simultaneous connections (default 8). */
  maxConnections?: number;
}

export interface ControllerStats {
  commands: number;
  unknownCommands: number;
  events: number;
  /** Events not sent because the host masked them. */
  maskedEvents: number;
  aclFromHost: number;
  aclToHost: number;
  /** H4 framing errors and undecodable commands. */
  malformed: number;
  /** ACL packets from the host that were refused (unknown handle, too long, buffers exceeded). */
  droppedAcl: number;
  resets: number;
}

/** A connection as this controller sees it. */
export interface ControllerConnection {
  handle: number;
  link: AirLink;
  side: Side;
  peerAddress: Uint8Array;
  peerAddressType: number;
  /** Host packets accepted and not yet reported completed. */
  inFlight: number;
  /** An LE Long Term Key Request waits for the host's reply. */
  ltkRequestPending: boolean;
}

export class VirtualController implements LinkEndpoint {
  readonly address: string;
  readonly addressBytes: Uint8Array;
  readonly output = new Emitter<{ data: [h4: Uint8Array]; error: [error: HciError] }>();
  readonly stats: ControllerStats = {
    commands: 0,
    unknownCommands: 0,
    events: 0,
    maskedEvents: 0,
    aclFromHost: 0,
    aclToHost: 0,
    malformed: 0,
    droppedAcl: 0,
    resets: 0,
  };
  readonly buffers: ControllerBuffers;
  readonly radio: RadioState;
  readonly maxConnections: number;
  readonly ltkResponder: LtkResponder | undefined;
  eventMask: Uint8Array = CONTROLLER_PROFILE.defaultEventMask.slice();
  leEventMask: Uint8Array = CONTROLLER_PROFILE.defaultLeEventMask.slice();
  leHostSupported = 0;
  suggestedTxOctets: number;
  suggestedTxTime: number;
  readonly whiteList = new Set<string>();
  private readonly splitter: H4Splitter;
  private readonly commands: CommandHandler;
  private readonly byHandle = new Map<number, ControllerConnection>();
  private readonly byLink = new Map<AirLink, ControllerConnection>();
  private nextHandle = 0x0040;
  private detached = false;

  constructor(
    readonly port: AirPort,
    address: string,
    options: VirtualControllerOptions = {},
  ) {
    this.addressBytes = addressToBytes(address);
    this.address = bytesToAddress(this.addressBytes);
    this.buffers = checkBuffers({
      aclBufferLength: options.aclBufferLength ?? DEFAULT_BUFFERS.aclBufferLength,
      aclBufferCount: options.aclBufferCount ?? DEFAULT_BUFFERS.aclBufferCount,
    });
    this.maxConnections = options.maxConnections ?? 8;
    if (!Number.isInteger(this.maxConnections) || this.maxConnections < 1) throw new RangeError('maxConnections must be a positive integer');
    this.ltkResponder = options.answerLtkRequests ? new LtkResponder() : undefined;
    this.suggestedTxOctets = port.timing.llPayloadOctets;
    this.suggestedTxTime = llTimeUs(this.suggestedTxOctets);
    this.radio = new RadioState(this.addressBytes);
    this.splitter = new H4Splitter({ accept: [H4Type.Command, H4Type.Acl], maxAclLength: 1021 });
    this.commands = new CommandHandler(this);
  }

  /** Bytes from the host, cut anywhere. Never throws on bad input. */
  receive(h4: Uint8Array): void {
    if (this.detached) return;
    for (const item of this.splitter.push(h4)) {
      if (item.kind === 'error') {
        this.stats.malformed++;
        this.reportError(item.error);
        continue;
      }
      const packet = item.packet;
      if (packet.type === H4Type.Command) {
        this.stats.commands++;
        if (this.port.tracing) {
          this.trace({ kind: 'command', opcode: hex4(packet.opcode), name: commandName(packet.opcode), params: toHex(packet.params) });
        }
        this.commands.handle(packet.opcode, packet.params);
      } else if (packet.type === H4Type.Acl) {
        this.aclFromHost(packet);
      }
    }
  }

  /** Open connections, by handle. */
  connections(): ControllerConnection[] {
    return [...this.byHandle.values()];
  }

  connection(handle: number): ControllerConnection | undefined {
    return this.byHandle.get(handle);
  }

  /** True once the air removed this controller; it then ignores its host. */
  get isDetached(): boolean {
    return this.detached;
  }

  // ---- used by CommandHandler ----

  sendEvent(event: HciEvent): void {
    if (this.detached) return;
    if (!eventEnabled(event, this.eventMask, this.leEventMask)) {
      this.stats.maskedEvents++;
      return;
    }
    const packet = encodeHciEvent(event);
    this.stats.events++;
    if (this.port.tracing) {
      const sub = packet.code === EventCode.LeMeta ? packet.params[0] : undefined;
      this.trace({ kind: 'event', code: `0x${packet.code.toString(16).padStart(2, '0')}`, name: eventName(packet.code, sub), params: toHex(packet.params) });
    }
    this.output.emit('data', encodeH4(packet));
  }

  commandComplete(opcode: number, returnParams: Uint8Array): void {
    this.sendEvent({ kind: 'command-complete', numCommandPackets: 1, opcode, returnParams });
  }

  commandStatus(opcode: number, status: number): void {
    this.sendEvent({ kind: 'command-status', status, numCommandPackets: 1, opcode });
  }

  /** Reset: forget all host-set state; this host's links fall silent for their peers. */
  reset(): void {
    this.stats.resets++;
    this.dropLinksSilently();
    this.radio.reset();
    this.eventMask = CONTROLLER_PROFILE.defaultEventMask.slice();
    this.leEventMask = CONTROLLER_PROFILE.defaultLeEventMask.slice();
    this.leHostSupported = 0;
    this.suggestedTxOctets = this.port.timing.llPayloadOctets;
    this.suggestedTxTime = llTimeUs(this.suggestedTxOctets);
    this.whiteList.clear();
    this.nextHandle = 0x0040;
    this.port.radioChanged();
  }

  /** Called by the air when this controller leaves: nothing more reaches its host. */
  detach(): void {
    this.detached = true;
    this.radio.reset();
  }

  /** Every link of this controller goes silent for the peer (which sees 0x08 after the supervision timeout). */
  dropLinksSilently(): void {
    for (const conn of this.releaseLinks()) conn.link.orphan(conn.side);
  }

  /** Forgets every connection without telling the host; returns them. */
  releaseLinks(): ControllerConnection[] {
    const all = [...this.byHandle.values()];
    for (const conn of all) this.forget(conn);
    return all;
  }

  // ---- used by VirtualAir ----

  /** A new link: allocates a handle and tells the host. Returns undefined when no handle is free. */
  attachLink(link: AirLink, side: Side, peer: { address: Uint8Array; addressType: number }): ControllerConnection | undefined {
    const handle = this.allocateHandle();
    if (handle === undefined) return undefined;
    const conn: ControllerConnection = {
      handle,
      link,
      side,
      peerAddress: peer.address,
      peerAddressType: peer.addressType,
      inFlight: 0,
      ltkRequestPending: false,
    };
    this.byHandle.set(handle, conn);
    this.byLink.set(link, conn);
    if (side === 'peripheral') this.radio.advertisingEnabled = false;
    else this.radio.initiating = undefined;
    this.ltkResponder?.linkOpened(link.id, bytesToAddress(peer.address));
    this.sendEvent({
      kind: 'le-connection-complete',
      status: HciStatus.Success,
      handle,
      role: side === 'central' ? LeRole.Central : LeRole.Peripheral,
      peerAddressType: peer.addressType,
      peerAddress: peer.address,
      interval: Math.round(link.intervalMs / 1.25),
      latency: 0,
      supervisionTimeout: Math.round(link.supervisionTimeoutMs / 10),
      clockAccuracy: 0,
    });
    return conn;
  }

  /** True when a connection can be added. */
  hasRoomForConnection(): boolean {
    return this.byHandle.size < this.maxConnections;
  }

  /** An advertiser's PDU reached this scanner. */
  advertisingSeen(adv: AdvertiserView, rssi: number): void {
    for (const report of this.radio.reportsFor(adv, this.addressBytes)) {
      this.radio.noteReported(adv, report.eventType, report.data);
      this.sendEvent({
        kind: 'le-advertising-report',
        reports: [{ eventType: report.eventType, addressType: adv.addressType, address: adv.address, data: report.data, rssi }],
      });
    }
  }

  // ---- LinkEndpoint ----

  deliverAcl(link: AirLink, pb: number, data: Uint8Array): void {
    const conn = this.byLink.get(link);
    if (!conn || this.detached) return;
    this.ltkResponder?.observe(link.id, false, conn.side === 'central', pb, data);
    this.stats.aclToHost++;
    if (this.port.tracing) this.trace({ kind: 'acl', direction: 'to-host', handle: conn.handle, pb, data: toHex(data) });
    this.output.emit('data', encodeH4({ type: H4Type.Acl, handle: conn.handle, pb, bc: 0, data }));
  }

  packetsCompleted(link: AirLink, count: number): void {
    const conn = this.byLink.get(link);
    if (!conn) return;
    conn.inFlight = Math.max(0, conn.inFlight - count);
    this.sendEvent({ kind: 'number-of-completed-packets', entries: [{ handle: conn.handle, count }] });
  }

  linkClosed(link: AirLink, reason: number): void {
    const conn = this.byLink.get(link);
    if (!conn) return;
    this.forget(conn);
    this.sendEvent({ kind: 'disconnection-complete', status: HciStatus.Success, handle: conn.handle, reason });
  }

  /** The central asked to start encryption: an LTK Request reaches this (peripheral) side. */
  ltkRequested(link: AirLink, random: Uint8Array, ediv: number): void {
    const conn = this.byLink.get(link);
    if (!conn) return;
    conn.ltkRequestPending = true;
    const wanted = leEventEnabled(this.eventMask, this.leEventMask, LeSubevent.LongTermKeyRequest);
    if (wanted) this.sendEvent({ kind: 'le-long-term-key-request', handle: conn.handle, random, ediv });
    if (this.ltkResponder) {
      this.commands.answerLtkRequestInternally(conn, this.ltkResponder.keyFor(link.id, random, ediv));
    } else if (!wanted) {
      this.finishLtkRequest(conn, undefined);
    }
  }

  /** The host (or the internal responder) answered an LTK Request; encryption settles at the next event. */
  finishLtkRequest(conn: ControllerConnection, ltk: Uint8Array | undefined): void {
    conn.ltkRequestPending = false;
    const link = conn.link;
    link.atNextEvent(() => {
      const request = link.encryptionRequest;
      link.encryptionRequest = undefined;
      const ok = ltk !== undefined && request !== undefined && sameKey(ltk, request.ltk);
      const status = ok ? HciStatus.Success : HciStatus.PinOrKeyMissing;
      if (ok) link.encrypted = true;
      link.end('central')?.encryptionChanged(link, status, ok ? 1 : 0);
      link.end('peripheral')?.encryptionChanged(link, status, ok ? 1 : 0);
    });
  }

  encryptionChanged(link: AirLink, status: number, enabled: number): void {
    const conn = this.byLink.get(link);
    if (conn) this.sendEvent({ kind: 'encryption-change', status, handle: conn.handle, enabled });
  }

  connectionUpdated(link: AirLink, latency: number): void {
    const conn = this.byLink.get(link);
    if (!conn) return;
    this.sendEvent({
      kind: 'le-connection-update-complete',
      status: HciStatus.Success,
      handle: conn.handle,
      interval: Math.round(link.intervalMs / 1.25),
      latency,
      supervisionTimeout: Math.round(link.supervisionTimeoutMs / 10),
    });
  }

  dataLengthChanged(link: AirLink): void {
    const conn = this.byLink.get(link);
    if (!conn) return;
    const tx = link.octets(conn.side);
    const rx = link.octets(otherSide(conn.side));
    this.sendEvent({ kind: 'le-data-length-change', handle: conn.handle, maxTxOctets: tx, maxTxTime: llTimeUs(tx), maxRxOctets: rx, maxRxTime: llTimeUs(rx) });
  }

  trace(entry: DistributiveOmit<Parameters<AirPort['trace']>[0], 't' | 'controller'>): void {
    this.port.trace({ ...entry, t: this.port.clock.now(), controller: this.address } as Parameters<AirPort['trace']>[0]);
  }

  reportError(error: HciError): void {
    if (this.port.tracing) this.trace({ kind: 'error', code: error.code, message: error.message });
    this.output.emit('error', error);
  }

  private aclFromHost(packet: AclPacket): void {
    this.stats.aclFromHost++;
    if (this.port.tracing) this.trace({ kind: 'acl', direction: 'from-host', handle: packet.handle, pb: packet.pb, data: toHex(packet.data) });
    const conn = this.byHandle.get(packet.handle);
    let problem: HciError | undefined;
    if (!conn) {
      problem = new HciError(HciErrorKind.UnknownHandle, `ACL data for unknown handle 0x${packet.handle.toString(16).padStart(4, '0')}`);
    } else if (packet.data.length > this.buffers.aclBufferLength) {
      problem = new HciError(HciErrorKind.Overflow, `ACL packet of ${packet.data.length} bytes exceeds the ${this.buffers.aclBufferLength}-byte buffer`);
    } else if (this.totalInFlight() >= this.buffers.aclBufferCount) {
      problem = new HciError(HciErrorKind.Overflow, `host sent more than ${this.buffers.aclBufferCount} ACL packets without waiting for completions`);
    }
    if (problem || !conn) {
      this.stats.droppedAcl++;
      if (problem) this.reportError(problem);
      return;
    }
    try {
      conn.link.send(conn.side, packet.pb, packet.data);
    } catch (err) {
      if (!isHciError(err)) throw err;
      this.stats.droppedAcl++;
      this.reportError(err);
      return;
    }
    conn.inFlight++;
    this.ltkResponder?.observe(conn.link.id, true, conn.side === 'central', packet.pb, packet.data);
  }

  private totalInFlight(): number {
    let total = 0;
    for (const conn of this.byHandle.values()) total += conn.inFlight;
    return total;
  }

  private forget(conn: ControllerConnection): void {
    this.byHandle.delete(conn.handle);
    this.byLink.delete(conn.link);
    this.ltkResponder?.linkClosed(conn.link.id);
  }

  private allocateHandle(): number | undefined {
    if (!this.hasRoomForConnection()) return undefined;
    for (let tries = 0; tries <= 0x0eff; tries++) {
      const handle = this.nextHandle;
      this.nextHandle = this.nextHandle >= 0x0eff ? 0x0001 : this.nextHandle + 1;
      if (!this.byHandle.has(handle)) return handle;
    }
    return undefined;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

