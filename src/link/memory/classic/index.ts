/**
 * The in-memory classic (BR/EDR) link: both ends of the classic seams (the
 * phone's host with SDP records and channel acceptors, the PC's client with
 * discovery, connections and RFCOMM-like byte channels) over the classic
 * timing model, on a Clock, with fault injection and a tap. Entry point:
 * `new MemoryClassicAir(clock, { seed })`.
 */
export { MemoryClassicAir, MAX_CLASSIC_DEVICES } from './classic-air';
export type { MemoryClassicAirOptions, CreateHostOptions } from './classic-air';
export { MemoryClassicHost, checkClassOfDevice } from './classic-host';
export type { MemoryClassicHostOptions, ChannelAcceptor } from './classic-host';
export { MemoryClassicClient, DEFAULT_PAGE_TIMEOUT_MS, MAX_PENDING_PAGES } from './classic-client';
export type { MemoryClassicClientOptions } from './classic-client';
export { MemoryClassicConnection } from './classic-connection';
export { MemoryClassicPeer } from './classic-peer';
export { MemoryByteChannel, CLOSE_FLUSH_TIMEOUT_MS } from './memory-byte-channel';
export { MAX_CONTROL_FRAMES } from './classic-pipe';
export { ClassicLinkFaults, MAX_PLANNED_CLASSIC_FAULTS } from './classic-faults';
export type { ClassicFaultTarget, ClassicFaultHandle } from './classic-faults';
export { emptyClassicStats } from './classic-air-events';
export type {
  ChannelCloseTapEvent,
  ChannelOpenTapEvent,
  ClassicAirEvents,
  ClassicAirStats,
  ClassicConnectTapEvent,
  ClassicDirection,
  ClassicDirectionStats,
  ClassicDisconnectTapEvent,
  ClassicEncryptedTapEvent,
  ClassicFrameKind,
  ClassicHandlerErrorEvent,
  FrameTapEvent,
} from './classic-air-events';
