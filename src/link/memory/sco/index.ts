/**
 * The in-memory SCO/eSCO link: synchronous voice channels between a phone
 * and a PC with a real slot cadence, latency, seeded loss, CVSD coding in
 * 'cvsd' air mode, faults and a tap. Entry point:
 * `new MemoryScoLink(clock, { seed })`, then `open(...)` for both ends at
 * once or `endpoint(address, role)` for the ScoEndpoint seam.
 */
export { MemoryScoLink, MAX_SCO_PER_DEVICE, MAX_SCO_ENDPOINTS, MAX_PLANNED_SCO_FAULTS } from './sco-link';
export type { MemoryScoLinkOptions, ScoFaultTarget, ScoFaultHandle } from './sco-link';
export { MemoryScoConnection } from './sco-connection';
export { MemoryScoChannel } from './sco-channel';
export type { ScoSide } from './sco-channel';
export { MemoryScoEndpoint, MAX_PENDING_SCO_SETUPS } from './sco-endpoint';
export { dropScoWithAcl } from './classic-binding';
export { CvsdDecoder, CvsdEncoder, CVSD_CODEC_DELAY_SAMPLES, CVSD_FILTER_TAPS, CVSD_OVERSAMPLING } from './cvsd';
export {
  DEFAULT_SCO_LATENCY_MS,
  DEFAULT_SCO_QUEUE_PACKETS,
  MAX_SCO_INTERVAL_MS,
  MAX_SCO_LATENCY_MS,
  MAX_SCO_PACKET_BYTES,
  MAX_SCO_QUEUE_PACKETS,
  MIN_SCO_INTERVAL_MS,
  resolveScoSettings,
} from './sco-params';
export type { ScoChannelParams, ScoOpenOptions, ScoSettings } from './sco-params';
export { emptyScoStats } from './sco-events';
export type {
  ScoCloseTapEvent,
  ScoDirection,
  ScoDirectionStats,
  ScoHandlerErrorEvent,
  ScoLinkEvents,
  ScoOpenTapEvent,
  ScoPacketTapEvent,
  ScoStats,
} from './sco-events';
