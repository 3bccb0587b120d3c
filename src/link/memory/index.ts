/**
 * The in-memory BLE link: both ends of the link seams (phone GATT server
 * host, PC central and GATT client) over the timing model, on a Clock, with
 * fault injection and a tap. Entry point: `new MemoryAir(clock, { seed })`.
 */
export { MemoryAir, MAX_DEVICES } from './memory-air';
export type { MemoryAirOptions } from './memory-air';
export { MemoryPeripheral } from './memory-peripheral';
export type { MemoryPeripheralOptions } from './memory-peripheral';
export { MemoryCentral } from './memory-central';
export type { MemoryCentralOptions, ConnectOptions } from './memory-central';
export { MemoryConnection } from './memory-connection';
export { MemoryGattClient } from './memory-gatt-client';
export { MemoryGattPeer, MAX_ATTRIBUTE_LENGTH } from './gatt-server-session';
export { LinkFaults, MAX_PLANNED_FAULTS } from './link-faults';
export type { FaultTarget, FaultHandle } from './link-faults';
export type {
  AirEvents,
  AirStats,
  ConnectTapEvent,
  Direction,
  DirectionStats,
  DisconnectTapEvent,
  EncryptedTapEvent,
  HandlerErrorEvent,
  PduTapEvent,
} from './air-events';
