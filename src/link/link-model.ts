/**
 * Timing parameters of a BLE link, and the arithmetic that turns them into
 * delivery times. The in-memory link schedules by these numbers and
 * scenarios predict timings from the same functions, so a timing assertion
 * states a formula, not a magic constant.
 */
import { LINK_TX_QUEUE_LIMIT } from '../limits';

export interface BleLinkModel {
  /** Connection interval in ms (a multiple of 1.25 ms; iPhone: 30). */
  connectionIntervalMs: number;
  /** LL data packets each side may send per connection event: [min, max] (iPhone: 4-7). */
  packetsPerEvent: [number, number];
  /** LL payload octets per data packet: 27 without Data Length Extension, up to 251 with it. */
  llPayloadOctets: number;
  /** Largest ATT MTU this side offers in Exchange MTU (iPhone: 185; spec maximum 517). */
  maxMtu: number;
  /** Supervision timeout in ms: how long a silent link lives before it is declared lost. */
  supervisionTimeoutMs: number;
  /** Time to establish a connection after the central asks (advertising interval scale). */
  connectSetupMs: number;
  /** Time for pairing (SMP exchange, user confirmation excluded). */
  pairingMs: number;
  /** Transmit queue bound, in ATT PDUs per direction. */
  txQueueLimit: number;
}

/** ATT's default MTU before any exchange. */
export const ATT_DEFAULT_MTU = 23;
/** The largest ATT MTU the spec allows. */
export const ATT_MAX_MTU = 517;
/** L2CAP basic header in front of each ATT PDU. */
export const L2CAP_HEADER = 4;

export const DEFAULT_BLE_MODEL: BleLinkModel = {
  connectionIntervalMs: 30,
  packetsPerEvent: [4, 7],
  llPayloadOctets: 251,
  maxMtu: 185,
  supervisionTimeoutMs: 720,
  connectSetupMs: 60,
  pairingMs: 150,
  txQueueLimit: LINK_TX_QUEUE_LIMIT,
};

/** The MTU in force after an exchange between two sides' offers. */
export function negotiatedMtu(clientRxMtu: number, serverRxMtu: number): number {
  return Math.max(ATT_DEFAULT_MTU, Math.min(clientRxMtu, serverRxMtu, ATT_MAX_MTU));
}

/** LL data packets needed to carry one ATT PDU of `attPduBytes`. */
export function llPacketsForAttPdu(model: BleLinkModel, attPduBytes: number): number {
  return Math.max(1, Math.ceil((attPduBytes + L2CAP_HEADER) / model.llPayloadOctets));
}

/** Validates a model, throwing RangeError on values no controller would accept. */
export function checkBleModel(model: BleLinkModel): BleLinkModel {
  const { connectionIntervalMs: ci, packetsPerEvent: [lo, hi] } = model;
  if (!(ci >= 7.5 && ci <= 4000)) throw new RangeError(`connection interval ${ci} ms is outside 7.5..4000`);
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi >= lo)) {
    throw new RangeError(`packets per event [${lo}, ${hi}] is not a range of positive integers`);
  }
  if (!(model.llPayloadOctets >= 27 && model.llPayloadOctets <= 251)) {
    throw new RangeError(`LL payload ${model.llPayloadOctets} is outside 27..251`);
  }
  if (!(model.maxMtu >= ATT_DEFAULT_MTU && model.maxMtu <= ATT_MAX_MTU)) {
    throw new RangeError(`max MTU ${model.maxMtu} is outside ${ATT_DEFAULT_MTU}..${ATT_MAX_MTU}`);
  }
  if (!(model.supervisionTimeoutMs >= 100 && model.supervisionTimeoutMs <= 32000)) {
    throw new RangeError(`supervision timeout ${model.supervisionTimeoutMs} ms is outside 100..32000`);
  }
  if (!(model.txQueueLimit >= 1)) throw new RangeError('tx queue limit must be positive');
  return model;
}
