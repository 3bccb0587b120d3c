/**
 * The virtual HCI controller: a shared air of controllers that speak H4 to
 * host stacks (noble, bleno) over socat pty pairs, with the link model's
 * timing. Start one with `startControllerService`, or build a `VirtualAir`
 * and feed controllers bytes directly in tests.
 */
export { VirtualAir } from './virtual-air';
export type { VirtualAirEvents, VirtualAirOptions } from './virtual-air';
export { VirtualController } from './virtual-controller';
export type { ControllerConnection, ControllerStats, VirtualControllerOptions } from './virtual-controller';
export { DEFAULT_AIR_TIMING, resolveAirTiming } from './air-timing';
export type { VirtualAirTiming } from './air-timing';
export { startControllerService } from './controller-process';
export type { ControllerHost, ControllerService, ControllerServiceOptions } from './controller-process';
export { PtyBridgeError, attachController, openPtyPair } from './pty-bridge';
export type { AttachedController, PtyPair, PtyPairOptions } from './pty-bridge';
export { formatTraceEntry } from './hci-trace';
export type { HciTraceEntry } from './hci-trace';
export { HciError, HciErrorKind, isHciError } from './hci-errors';
export { CONTROLLER_PROFILE } from './controller-profile';
export { COMMANDS, Opcode, commandName } from './hci-command-table';
export { EventCode, HciStatus, LeSubevent, eventName, statusName } from './hci-constants';
