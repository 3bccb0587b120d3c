/**
 * Timing of the virtual air: connection interval, packets per connection
 * event, latency, supervision timeout, advertising interval and the LL
 * payload size each controller suggests. Defaults follow the iPhone link
 * model (30 ms interval, several packets per event, 251-octet LL payloads).
 */
export interface VirtualAirTiming {
  /** Connection interval of new links, ms (7.5..4000). A host's LE_Connection_Update changes it per link. */
  connectionIntervalMs: number;
  /** LL data PDUs each side may send per connection event (>= 1). */
  packetsPerEvent: number;
  /** Extra delay between a packet leaving one controller and reaching the peer's host, ms. */
  latencyMs: number;
  /** How long a silent link (out of range, peer gone) lives before Disconnection Complete 0x08, ms. */
  supervisionTimeoutMs: number;
  /** Advertising interval used for every advertiser, ms (the host's own interval is recorded, not used). */
  advertisingIntervalMs: number;
  /** LL payload octets each controller suggests for new links (27..251); 27 means no Data Length Extension in use. */
  llPayloadOctets: number;
}

export const DEFAULT_AIR_TIMING: VirtualAirTiming = {
  connectionIntervalMs: 30,
  packetsPerEvent: 6,
  latencyMs: 0,
  supervisionTimeoutMs: 2000,
  advertisingIntervalMs: 100,
  llPayloadOctets: 251,
};

/** Fills defaults and validates; throws RangeError on values no controller would use. */
export function resolveAirTiming(partial: Partial<VirtualAirTiming> = {}): VirtualAirTiming {
  const t: VirtualAirTiming = { ...DEFAULT_AIR_TIMING, ...definedOnly(partial) };
  check(t.connectionIntervalMs >= 7.5 && t.connectionIntervalMs <= 4000, `connection interval ${t.connectionIntervalMs} ms is outside 7.5..4000`);
  check(Number.isInteger(t.packetsPerEvent) && t.packetsPerEvent >= 1, `packets per event ${t.packetsPerEvent} is not a positive integer`);
  check(t.latencyMs >= 0 && Number.isFinite(t.latencyMs), `latency ${t.latencyMs} ms is negative or not finite`);
  check(t.supervisionTimeoutMs >= 100 && t.supervisionTimeoutMs <= 32000, `supervision timeout ${t.supervisionTimeoutMs} ms is outside 100..32000`);
  check(t.advertisingIntervalMs >= 20 && t.advertisingIntervalMs <= 10240, `advertising interval ${t.advertisingIntervalMs} ms is outside 20..10240`);
  check(Number.isInteger(t.llPayloadOctets) && t.llPayloadOctets >= 27 && t.llPayloadOctets <= 251, `LL payload ${t.llPayloadOctets} is outside 27..251`);
  return t;
}

/** LL PDU air time in microseconds on the LE 1M PHY for `octets` of payload (as Data Length events report it). */
export function llTimeUs(octets: number): number {
  return (octets + 14) * 8;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

function definedOnly<T extends object>(partial: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(partial) as (keyof T)[]) {
    if (partial[key] !== undefined) out[key] = partial[key];
  }
  return out;
}
