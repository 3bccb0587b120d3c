/**
 * What a VirtualController needs from the air it belongs to: time, timing,
 * seeded randomness, tracing, and a way to say that its advertising,
 * scanning or initiating state changed.
 */
import { Clock } from '../../clock';
import { Random } from '../../../util/random';
import { VirtualAirTiming } from './air-timing';
import { HciTraceEntry } from './hci-trace';

export interface AirPort {
  readonly clock: Clock;
  readonly timing: VirtualAirTiming;
  readonly random: Random;
  /** True when someone listens to traces (so callers can skip formatting). */
  readonly tracing: boolean;
  trace(entry: HciTraceEntry): void;
  /** Advertising, scanning or initiating changed somewhere; re-plan the radio. */
  radioChanged(): void;
  /** Signal strength between two controllers right now, dBm. */
  rssi(a: string, b: string): number;
}
