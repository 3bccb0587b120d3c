/**
 * The settings of one in-memory SCO/eSCO channel (air mode, packet size,
 * interval, latency, loss, queue limit): the options callers pass, their
 * defaults and bounds, and the check that turns options into settings or
 * throws LinkError `link.sco-bad-params`.
 */
import { normalizeAddress } from '../../ble';
import { LinkError } from '../../errors';
import { SCO_DEFAULT_INTERVAL_MS, SCO_DEFAULT_PACKET_BYTES, ScoAirMode, hostPacketBytes } from '../../sco';

/** Largest eSCO payload (3-EV5). */
export const MAX_SCO_PACKET_BYTES = 540;
/** Interval bounds: one slot pair (2 x 625 us) to 256 slots. */
export const MIN_SCO_INTERVAL_MS = 1.25;
export const MAX_SCO_INTERVAL_MS = 160;
/** Largest one-way latency the model accepts. */
export const MAX_SCO_LATENCY_MS = 1000;
/** Default one-way latency (air, controller buffering, host transport). */
export const DEFAULT_SCO_LATENCY_MS = 10;
/** Default and largest transmit queue, in packets. */
export const DEFAULT_SCO_QUEUE_PACKETS = 8;
export const MAX_SCO_QUEUE_PACKETS = 256;

/** What may vary per channel. */
export interface ScoChannelParams {
  airMode: ScoAirMode;
  /** Air payload bytes per packet; default 60. */
  packetBytes?: number;
  /** Default 7.5 ms. */
  intervalMs?: number;
  /** One-way delay from a slot to delivery at the far host; default the link's (10 ms). */
  latencyMs?: number;
  /** Chance (0..1) that a packet is lost on the air, drawn from the link's seeded generator; default the link's (0). */
  lossRate?: number;
  /** Transmit queue limit per end, in packets; default 8. */
  maxPendingPackets?: number;
}

/** `MemoryScoLink.open`: a channel between two devices, both ends returned at once. */
export interface ScoOpenOptions extends ScoChannelParams {
  phoneAddress: string;
  pcAddress: string;
}

/** Checked settings of one channel. */
export interface ScoSettings {
  airMode: ScoAirMode;
  packetBytes: number;
  hostPacketBytes: number;
  intervalMs: number;
  latencyMs: number;
  lossRate: number;
  maxPendingPackets: number;
}

/** Link-wide defaults for what a channel does not set. */
export interface ScoLinkDefaults {
  latencyMs: number;
  lossRate: number;
}

/** Checks `params` against the bounds, filling in defaults. */
export function resolveScoSettings(params: ScoChannelParams, defaults: ScoLinkDefaults): ScoSettings {
  const problems: string[] = [];
  const airMode = params.airMode;
  if (airMode !== 'cvsd' && airMode !== 'transparent') problems.push(`airMode ${String(airMode)} ('cvsd' or 'transparent')`);
  const packetBytes = params.packetBytes ?? SCO_DEFAULT_PACKET_BYTES;
  if (!Number.isInteger(packetBytes) || packetBytes < 1 || packetBytes > MAX_SCO_PACKET_BYTES) {
    problems.push(`packetBytes ${packetBytes} (1..${MAX_SCO_PACKET_BYTES})`);
  }
  const intervalMs = params.intervalMs ?? SCO_DEFAULT_INTERVAL_MS;
  if (!inRange(intervalMs, MIN_SCO_INTERVAL_MS, MAX_SCO_INTERVAL_MS)) {
    problems.push(`intervalMs ${intervalMs} (${MIN_SCO_INTERVAL_MS}..${MAX_SCO_INTERVAL_MS})`);
  }
  const latencyMs = params.latencyMs ?? defaults.latencyMs;
  if (!inRange(latencyMs, 0, MAX_SCO_LATENCY_MS)) problems.push(`latencyMs ${latencyMs} (0..${MAX_SCO_LATENCY_MS})`);
  const lossRate = params.lossRate ?? defaults.lossRate;
  if (!inRange(lossRate, 0, 1)) problems.push(`lossRate ${lossRate} (0..1)`);
  const maxPendingPackets = params.maxPendingPackets ?? DEFAULT_SCO_QUEUE_PACKETS;
  if (!Number.isInteger(maxPendingPackets) || maxPendingPackets < 1 || maxPendingPackets > MAX_SCO_QUEUE_PACKETS) {
    problems.push(`maxPendingPackets ${maxPendingPackets} (1..${MAX_SCO_QUEUE_PACKETS})`);
  }
  if (problems.length > 0) throw new LinkError('link.sco-bad-params', `bad SCO settings: ${problems.join(', ')}`);
  return {
    airMode,
    packetBytes,
    hostPacketBytes: hostPacketBytes(airMode, packetBytes),
    intervalMs,
    latencyMs,
    lossRate,
    maxPendingPackets,
  };
}

/** Checks the link-wide defaults the same way. */
export function checkScoDefaults(latencyMs: number, lossRate: number): ScoLinkDefaults {
  const problems: string[] = [];
  if (!inRange(latencyMs, 0, MAX_SCO_LATENCY_MS)) problems.push(`latencyMs ${latencyMs} (0..${MAX_SCO_LATENCY_MS})`);
  if (!inRange(lossRate, 0, 1)) problems.push(`lossRate ${lossRate} (0..1)`);
  if (problems.length > 0) throw new LinkError('link.sco-bad-params', `bad SCO link defaults: ${problems.join(', ')}`);
  return { latencyMs, lossRate };
}

/** A device address in canonical form, or LinkError `link.sco-bad-params`. */
export function checkAddress(address: string, what: string): string {
  try {
    return normalizeAddress(address);
  } catch {
    throw new LinkError('link.sco-bad-params', `${what} is not a device address: ${address}`);
  }
}

function inRange(value: number, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}
