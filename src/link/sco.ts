/**
 * The synchronous audio seam (SCO/eSCO) both sides program against: a
 * `ScoChannel` carries fixed-size voice packets at a fixed cadence (one
 * packet each way per interval), and a `ScoEndpoint` sets such channels up
 * to a peer or accepts them. In HFP the phone (AG) sets the channel up once
 * the codec is agreed; the PC (HF) accepts it.
 *
 * Air modes and what the host writes and reads:
 * - 'cvsd': the controller codes CVSD on the air (64 kbit/s, one air byte
 *   per 8 kHz sample), the host carries 16-bit signed little-endian linear
 *   PCM at 8 kHz, mono. One 60-byte air packet per 7.5 ms is 60 samples,
 *   i.e. 120 host bytes.
 * - 'transparent': the host bytes go on the air unchanged (mSBC in H2
 *   framing for HFP wideband speech): 60 host bytes per 60-byte packet.
 *
 * Every packet the peer transmitted is delivered, in order, with an HCI-style
 * packet status (erroneous data reporting): a packet lost on the air
 * arrives as zeros marked `ScoPacketStatus.NoData`. A slot for which the
 * sender had nothing queued carries nothing and delivers nothing.
 */
import { Emitter } from '../util/emitter';

/** How the air carries the voice: the controller codes CVSD, or carries host bytes as they are. */
export type ScoAirMode = 'cvsd' | 'transparent';

/** Packet status flags of HCI synchronous data (open enum: plain numbers on the wire). */
export const ScoPacketStatus = {
  /** Correctly received. */
  Ok: 0,
  /** Received, but possibly with errors. */
  PossiblyInvalid: 1,
  /** Nothing received in the slot; the payload is zeros. */
  NoData: 2,
  /** Partly lost. */
  PartiallyLost: 3,
} as const;

/** Air payload bytes per packet (eSCO 2-EV3 style, with T2/S4 settings). */
export const SCO_DEFAULT_PACKET_BYTES = 60;
/** Packet interval in ms: 60 bytes per 7.5 ms is the 8000 B/s every HFP setting uses. */
export const SCO_DEFAULT_INTERVAL_MS = 7.5;
/** Sample rate of the host PCM in 'cvsd' air mode. */
export const CVSD_HOST_SAMPLE_RATE = 8000;
/** Host bytes per sample in 'cvsd' air mode (16-bit linear). */
export const CVSD_HOST_BYTES_PER_SAMPLE = 2;

/** Host bytes per packet: what `send` takes and 'packet' carries, for an air packet of `packetBytes`. */
export function hostPacketBytes(airMode: ScoAirMode, packetBytes: number): number {
  return airMode === 'cvsd' ? packetBytes * CVSD_HOST_BYTES_PER_SAMPLE : packetBytes;
}

export interface ScoChannelEvents {
  /** One packet of `hostPacketBytes` per transmitted slot, in order; `status` is a ScoPacketStatus value. */
  packet: [data: Uint8Array, status: number];
  /** The channel closed; `reason` is an HCI-style code (0x16 local, 0x13 remote, 0x08 link lost). */
  close: [reason: number];
}

/**
 * One end of an SCO/eSCO channel. `send` queues exactly one host packet for
 * the next slot that starts after it (the queue is bounded: QueueFullError);
 * a packet of the wrong size throws LinkError `link.sco-bad-packet`; sending
 * on a closed channel throws DisconnectedError.
 */
export interface ScoChannel {
  /** Identifies the synchronous connection (an HCI connection handle). */
  readonly handle: number;
  readonly peerAddress: string;
  readonly airMode: ScoAirMode;
  /** Air payload bytes per packet. */
  readonly packetBytes: number;
  /** Host bytes per packet: what `send` takes and 'packet' carries. */
  readonly hostPacketBytes: number;
  /** Time between packets in each direction, ms. */
  readonly intervalMs: number;
  readonly open: boolean;
  /** Packets queued and not yet sent. */
  readonly pendingPackets: number;
  /** The most packets the transmit queue holds. */
  readonly maxPendingPackets: number;
  readonly events: Emitter<ScoChannelEvents>;
  send(packet: Uint8Array): void;
  /** Closes this end now ('close' with 0x16); resolves once the peer has closed too. */
  close(): Promise<void>;
}

export interface ScoConnectOptions {
  airMode: ScoAirMode;
  /** Default SCO_DEFAULT_PACKET_BYTES. */
  packetBytes?: number;
  /** Default SCO_DEFAULT_INTERVAL_MS. */
  intervalMs?: number;
}

/**
 * Decides on an incoming channel: it sees the channel (already open, so it
 * may attach listeners) and the peer's address; false refuses it, and the
 * peer's `connect` rejects with LinkError `link.sco-refused`.
 */
export type ScoAcceptor = (channel: ScoChannel, peerAddress: string) => boolean;

/** A device's synchronous-link radio. */
export interface ScoEndpoint {
  readonly address: string;
  /** Sets up a channel to `peerAddress`; rejects with LinkError (`link.sco-refused`, `link.sco-limit`, ...). */
  connect(peerAddress: string, options: ScoConnectOptions): Promise<ScoChannel>;
  /** Accepts incoming channels through `acceptor` (replacing any earlier one). Without one, requests are refused. */
  listen(acceptor: ScoAcceptor): void;
  unlisten(): void;
}

/** 16-bit little-endian host bytes ('cvsd' mode) as samples; an odd last byte is ignored. */
export function pcm16FromBytes(bytes: Uint8Array): Int16Array {
  const count = bytes.length >> 1;
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    const v = (bytes[2 * i] ?? 0) | ((bytes[2 * i + 1] ?? 0) << 8);
    out[i] = v >= 0x8000 ? v - 0x10000 : v;
  }
  return out;
}

/** Samples as 16-bit little-endian host bytes ('cvsd' mode). */
export function bytesFromPcm16(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i] ?? 0;
    out[2 * i] = v & 0xff;
    out[2 * i + 1] = (v >> 8) & 0xff;
  }
  return out;
}
