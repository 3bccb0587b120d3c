/**
 * The BR/EDR ("classic") seams both sides program against: service records
 * and Class of Device that a PC discovers before connecting, an ACL
 * connection with pairing, and reliable byte channels on it (RFCOMM-like,
 * with frame size and credits) that carry OBEX (PBAP, MAP) and AT commands
 * (HFP). The phone hosts most channels and the PC connects to them; for
 * MAP's notification server the PC publishes a record and listens too, and
 * the phone opens a channel back over the ACL the PC set up. The in-memory
 * link (`memory/classic/`) implements these; a real-radio one may follow.
 */
import { Emitter } from '../util/emitter';
import type { BondStore } from './ble';

/** A 24-bit Class of Device. */
export type ClassOfDevice = number;

/** Audio/Video major class, Hands-free minor class (with the service bits a Linux PC set when iOS accepted it): the CoD iOS offers its PBAP/MAP toggles to. */
export const COD_AUDIO_VIDEO_HANDS_FREE: ClassOfDevice = 0x7c0408;

/** Major device class (bits 8-12) of a CoD. */
export function majorDeviceClass(cod: ClassOfDevice): number {
  return (cod >> 8) & 0x1f;
}

/** Minor device class (bits 2-7) of a CoD. */
export function minorDeviceClass(cod: ClassOfDevice): number {
  return (cod >> 2) & 0x3f;
}

/** True for major class Audio/Video (0x04) with minor class Hands-free (0x02). */
export function isHandsFreeClass(cod: ClassOfDevice): boolean {
  return majorDeviceClass(cod) === 0x04 && minorDeviceClass(cod) === 0x02;
}

/**
 * One SDP service record, as the facts a client needs: the service class
 * UUIDs (16-bit), the profile and version, the RFCOMM channel, and other
 * attributes by id (e.g. 0x0314 SupportedRepositories, 0x0317 features).
 */
export interface ServiceRecord {
  /** Service class UUIDs, most specific first (e.g. [0x112F] for a PBAP PSE, [0x111F, 0x1203] for an HFP AG). */
  serviceClasses: number[];
  /** Bluetooth profile UUID and version (e.g. 0x1130, 0x0102 for PBAP 1.2). */
  profile: { uuid: number; version: number };
  /** RFCOMM server channel, 1..30. */
  channel: number;
  /** ServiceName (0x0100). */
  name: string;
  /** Other attributes by id: numbers (uints) or strings. */
  attributes: Record<number, number | string>;
}

/** What a PC learns about a device before connecting. */
export interface ClassicDeviceInfo {
  address: string;
  name: string;
  classOfDevice: ClassOfDevice;
  records: ServiceRecord[];
}

export interface ByteChannelEvents {
  /** Bytes in order, cut anywhere (never assume a chunk is a message). */
  data: [chunk: Uint8Array];
  /** The channel closed; `reason` is an HCI-style code (0x13 remote, 0x16 local, 0x08 link lost). */
  close: [reason: number];
}

/**
 * A reliable, ordered byte stream (an RFCOMM data link connection). Writes
 * are queued and sent in frames of at most `maxFrameSize` as credits allow;
 * the queue is bounded (QueueFullError). Writing to a closed channel throws
 * DisconnectedError.
 */
export interface ByteChannel {
  /** RFCOMM server channel number this channel runs on. */
  readonly channel: number;
  readonly maxFrameSize: number;
  readonly open: boolean;
  readonly events: Emitter<ByteChannelEvents>;
  /** Bytes queued and not yet sent (for backpressure). */
  readonly pendingBytes: number;
  write(data: Uint8Array): void;
  close(): Promise<void>;
}

/** A connected classic peer, as the phone's host sees it. */
export interface ClassicPeer {
  readonly address: string;
  readonly classOfDevice: ClassOfDevice;
  readonly encrypted: boolean;
  readonly bonded: boolean;
}

export interface ClassicHostEvents {
  connect: [peer: ClassicPeer];
  disconnect: [peer: ClassicPeer, reason: number];
}

/**
 * The phone side: publishes its Class of Device and service records, and
 * accepts channels. A channel acceptor returns false to refuse a channel
 * (the PC's open then rejects with LinkError `link.channel-refused`).
 */
export interface ClassicHost {
  readonly address: string;
  readonly events: Emitter<ClassicHostEvents>;
  setClassOfDevice(cod: ClassOfDevice): void;
  setName(name: string): void;
  /** Publishes (or replaces, by channel) a service record. */
  addServiceRecord(record: ServiceRecord): void;
  removeServiceRecord(channel: number): void;
  /** Accepts channels on `channel`; the acceptor sees the peer and the new channel. */
  listen(channel: number, acceptor: (peer: ClassicPeer, channel: ByteChannel) => boolean): void;
  unlisten(channel: number): void;
  peers(): ClassicPeer[];
  /** Whether the user accepts pairing from this peer; every request by default. */
  setPairingPolicy(policy: (peer: ClassicPeer) => boolean): void;
  /**
   * SDP search on a connected PC (for the record of its MAP notification
   * server). Rejects with LinkError `link.not-connected` when no ACL to it is up.
   */
  discoverPeer(address: string): Promise<ClassicDeviceInfo>;
  /**
   * Opens the PC's RFCOMM server channel over the ACL that is up. Rejects
   * with LinkError `link.not-connected` (no ACL), `link.channel-refused`
   * (nothing listens there, or the PC's acceptor says no),
   * `link.channel-busy`, or DisconnectedError when the link goes down first.
   */
  openChannel(peerAddress: string, channel: number): Promise<ByteChannel>;
}

export interface ClassicConnectionEvents {
  disconnect: [reason: number];
}

/** An ACL connection to the phone, seen from the PC. */
export interface ClassicConnection {
  readonly peerAddress: string;
  readonly connected: boolean;
  readonly encrypted: boolean;
  readonly bonded: boolean;
  readonly events: Emitter<ClassicConnectionEvents>;
  /** Pairs and bonds, or encrypts with an existing bond. Rejects with PairingError. */
  pair(): Promise<void>;
  /** Opens a channel to the phone's RFCOMM server channel. Rejects with LinkError. */
  openChannel(channel: number): Promise<ByteChannel>;
  disconnect(): Promise<void>;
}

/** The PC's BR/EDR radio. */
export interface ClassicClient {
  readonly address: string;
  readonly classOfDevice: ClassOfDevice;
  readonly bonds: BondStore;
  /** Name, Class of Device and SDP records of a device in range (an SDP search costs link time). */
  discover(address: string): Promise<ClassicDeviceInfo>;
  /** Connects the ACL, or returns the one already up: profiles share one connection to a device. */
  connect(address: string): Promise<ClassicConnection>;
  /** Publishes (or replaces, by channel) one of the PC's own service records (MAP's MNS). */
  addServiceRecord(record: ServiceRecord): void;
  removeServiceRecord(channel: number): void;
  /** Accepts channels a phone opens on `channel`; the acceptor sees the phone's address and the new channel. */
  listen(channel: number, acceptor: (peerAddress: string, channel: ByteChannel) => boolean): void;
  unlisten(channel: number): void;
}
