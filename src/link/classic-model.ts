/**
 * Timing parameters of a BR/EDR link and the arithmetic that turns them into
 * delivery times for RFCOMM-like byte channels. The in-memory classic link
 * paces every frame with `frameAirTimeMs` and `latencyMs`, and
 * `predictTransfer` replays the same recurrence without a clock, so a
 * scenario can say "the phonebook arrives within the model's prediction"
 * instead of quoting a magic number.
 *
 * How the link moves a channel's bytes (and so what the prediction assumes):
 * - Each direction of an ACL connection is one serial pipe. A frame occupies
 *   it for `frameAirTimeMs(model, wireBytes)` = wireBytes * 8000 / bitrate ms,
 *   then arrives `latencyMs` after its last bit left.
 * - A write is cut into frames of at most the channel's negotiated frame
 *   size when the pipe takes it; each data frame's wire size is its
 *   information field plus RFCOMM's address, control, length (1 byte up to
 *   127, else 2) and FCS octets plus the 4-byte L2CAP header.
 * - A data frame needs one credit from the receiver, taken when it starts.
 *   A channel opens with `initialCredits` in each direction. The receiver
 *   consumes a frame when it arrives (unless reading is paused) and, once it
 *   has consumed `creditReturnThreshold` frames since its last return, sends
 *   them back in a credit-only frame (9 wire bytes) on the reverse pipe,
 *   ahead of that pipe's queued data.
 * - Open and close handshakes are one control frame (8 wire bytes) each way.
 */
import { L2CAP_HEADER } from './link-model';
import { CLASSIC_TX_QUEUE_LIMIT_BYTES } from '../limits';

export interface ClassicLinkModel {
  /** ACL payload throughput in bits/s (L2CAP + RFCOMM bytes); 2-EDR manages about 1.4 Mbit/s in practice. */
  bitrate: number;
  /** One-way latency in ms: from a frame's last bit leaving one host to its arrival at the other. */
  latencyMs: number;
  /** Largest RFCOMM information field this side offers (N1, 23..32767); a channel uses the smaller offer. */
  rfcommFrameSize: number;
  /** Credits each receiver grants its sender when a channel opens (1..255). */
  initialCredits: number;
  /** The receiver returns credits after consuming this many frames since its last return (1..initialCredits). */
  creditReturnThreshold: number;
  /** Page plus ACL setup, from the PC's connect to the connection being up. */
  connectSetupMs: number;
  /** One SDP search (service records, name and Class of Device). */
  sdpQueryMs: number;
  /** Secure Simple Pairing without the user's time. */
  pairingMs: number;
  /** How long a silent ACL lives before it is declared lost (0x08). */
  supervisionTimeoutMs: number;
  /** Bytes one channel end may hold queued and unsent. */
  txQueueLimitBytes: number;
}

/** RFCOMM's smallest and largest maximum frame size (N1). */
export const RFCOMM_MIN_FRAME_SIZE = 23;
export const RFCOMM_MAX_FRAME_SIZE = 32767;
/** Server channel numbers RFCOMM allows. */
export const RFCOMM_MIN_CHANNEL = 1;
export const RFCOMM_MAX_CHANNEL = 30;
/** The credit field is one octet. */
export const RFCOMM_MAX_CREDITS = 255;
/** Largest information field with a one-octet length. */
export const RFCOMM_SHORT_LENGTH_MAX = 127;
/** A credit-only UIH frame on the air: L2CAP 4 + address, control, length, credits, FCS. */
export const CREDIT_FRAME_WIRE_BYTES = L2CAP_HEADER + 5;
/** A SABM, UA, DISC or DM frame on the air: L2CAP 4 + address, control, length, FCS. */
export const CONTROL_FRAME_WIRE_BYTES = L2CAP_HEADER + 4;

export const DEFAULT_CLASSIC_MODEL: ClassicLinkModel = {
  bitrate: 1_400_000,
  latencyMs: 5,
  rfcommFrameSize: 990,
  initialCredits: 7,
  creditReturnThreshold: 4,
  connectSetupMs: 80,
  sdpQueryMs: 150,
  pairingMs: 200,
  supervisionTimeoutMs: 20_000,
  txQueueLimitBytes: CLASSIC_TX_QUEUE_LIMIT_BYTES,
};

/** RFCOMM octets around an information field of `infoBytes`: address, control, length (1 or 2), FCS. */
export function rfcommHeaderBytes(infoBytes: number): number {
  return infoBytes > RFCOMM_SHORT_LENGTH_MAX ? 5 : 4;
}

/** Wire bytes of a data frame carrying `infoBytes`: the payload, RFCOMM's octets and L2CAP's header. */
export function dataFrameWireBytes(infoBytes: number): number {
  return infoBytes + rfcommHeaderBytes(infoBytes) + L2CAP_HEADER;
}

/** Time a frame of `wireBytes` occupies its direction's pipe. */
export function frameAirTimeMs(model: ClassicLinkModel, wireBytes: number): number {
  return (wireBytes * 8000) / model.bitrate;
}

/** The frame size a channel uses: the smaller of both sides' offers. */
export function negotiatedFrameSize(clientOffer: number, hostOffer: number): number {
  return Math.min(clientOffer, hostOffer);
}

/** Time from openChannel to its resolution on idle pipes: the request's and the answer's air time and latency. */
export function channelOpenMs(model: ClassicLinkModel): number {
  return 2 * (frameAirTimeMs(model, CONTROL_FRAME_WIRE_BYTES) + model.latencyMs);
}

export interface TransferOptions {
  /** The channel's negotiated frame size (default: the model's own offer). */
  frameSize?: number;
  /** Virtual time of the write; pass the real one for an exact match with the link's float sums. */
  startMs?: number;
}

export interface TransferPrediction {
  /** Data frames the bytes need. */
  frames: number;
  /** Bytes on the air for the data frames (payload + headers). */
  wireBytes: number;
  /** Credit-only frames the receiver sends back meanwhile. */
  creditFrames: number;
  /** Frames that had to wait for credits. */
  creditStalls: number;
  startMs: number;
  /** Arrival of the last byte. */
  endMs: number;
  durationMs: number;
}

/**
 * Predicts a transfer of `bytes` written at once on an open, idle channel
 * with full credits, the receiver reading at once and nothing else on the
 * pipes. It steps through the frames exactly as the link does:
 *
 *   start_k   = max(end_{k-1}, arrival of the credit that frame k waits for)
 *   end_k     = start_k + frameAirTimeMs(dataFrameWireBytes(size_k))
 *   arrive_k  = end_k + latencyMs
 *   every creditReturnThreshold-th arrival sends a credit frame on the
 *   reverse pipe: it starts at max(arrive_k, reverse pipe free), takes
 *   frameAirTimeMs(CREDIT_FRAME_WIRE_BYTES) and arrives latencyMs later.
 *
 * When credits keep up (they do when (initialCredits - threshold) * air time
 * of a full frame >= 2 * latency + a credit frame's air time), this is just
 * the sum of the frames' air times plus one latency.
 */
export function predictTransfer(model: ClassicLinkModel, bytes: number, options: TransferOptions = {}): TransferPrediction {
  if (!(Number.isInteger(bytes) && bytes >= 0)) throw new RangeError(`byte count ${bytes} is not a non-negative integer`);
  const frameSize = options.frameSize ?? model.rfcommFrameSize;
  if (!(Number.isInteger(frameSize) && frameSize >= 1)) throw new RangeError(`frame size ${frameSize} is not a positive integer`);
  const startMs = options.startMs ?? 0;
  const creditAir = frameAirTimeMs(model, CREDIT_FRAME_WIRE_BYTES);
  const grants: { at: number; credits: number }[] = [];
  let nextGrant = 0;
  let credits = model.initialCredits;
  let pipeFree = startMs;
  let reverseFree = startMs;
  let unreturned = 0;
  let endMs = startMs;
  const result = { frames: 0, wireBytes: 0, creditFrames: 0, creditStalls: 0 };
  for (let sent = 0; sent < bytes; ) {
    const size = Math.min(frameSize, bytes - sent);
    let start = pipeFree;
    while (nextGrant < grants.length && (grants[nextGrant] as { at: number }).at <= start) {
      credits += (grants[nextGrant++] as { credits: number }).credits;
    }
    if (credits === 0) {
      const grant = grants[nextGrant++];
      // The threshold never exceeds the initial credits, so some grant is always in flight here.
      if (!grant) throw new Error('predictTransfer: out of credits with none in flight');
      start = grant.at;
      credits += grant.credits;
      result.creditStalls++;
    }
    credits--;
    const wire = dataFrameWireBytes(size);
    const end = start + frameAirTimeMs(model, wire);
    pipeFree = end;
    endMs = end + model.latencyMs;
    if (++unreturned >= model.creditReturnThreshold) {
      const creditStart = Math.max(endMs, reverseFree);
      reverseFree = creditStart + creditAir;
      grants.push({ at: reverseFree + model.latencyMs, credits: unreturned });
      unreturned = 0;
      result.creditFrames++;
    }
    result.frames++;
    result.wireBytes += wire;
    sent += size;
  }
  return { ...result, startMs, endMs, durationMs: endMs - startMs };
}

/** Validates a model, throwing RangeError on values no BR/EDR link would have. */
export function checkClassicModel(model: ClassicLinkModel): ClassicLinkModel {
  const range = (name: string, value: number, lo: number, hi: number, integer = false): void => {
    if (!(Number.isFinite(value) && value >= lo && value <= hi && (!integer || Number.isInteger(value)))) {
      throw new RangeError(`${name} ${value} is outside ${lo}..${hi}${integer ? ' (integer)' : ''}`);
    }
  };
  range('bitrate', model.bitrate, 1000, 3_000_000);
  range('latency', model.latencyMs, 0, 10_000);
  range('RFCOMM frame size', model.rfcommFrameSize, RFCOMM_MIN_FRAME_SIZE, RFCOMM_MAX_FRAME_SIZE, true);
  range('initial credits', model.initialCredits, 1, RFCOMM_MAX_CREDITS, true);
  range('credit return threshold', model.creditReturnThreshold, 1, model.initialCredits, true);
  range('connect setup', model.connectSetupMs, 0, 60_000);
  range('SDP query', model.sdpQueryMs, 0, 60_000);
  range('pairing', model.pairingMs, 0, 60_000);
  // 0x0001..0xFFFF baseband slots of 0.625 ms.
  range('supervision timeout', model.supervisionTimeoutMs, 1, 40_960);
  range('tx queue limit', model.txQueueLimitBytes, 1, 64 * 1024 * 1024, true);
  return model;
}
