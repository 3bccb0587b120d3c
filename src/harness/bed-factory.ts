/**
 * Builds the scenario testbed for a transport: the in-memory Testbed for
 * `memory` (at once), the noble/bleno testbed on the virtual HCI controller
 * for `hci` (asynchronously, loaded lazily so nothing requires the BLE
 * libraries unless asked).
 */
import type { ScenarioBed } from './scenario-bed';
import { TRANSPORTS, Testbed, TestbedError, type TestbedOptions } from './testbed';

/** True when the transport's testbed must be opened asynchronously (openScenarioBed) before a scenario. */
export function needsAsyncOpen(transport: string | undefined): boolean {
  return transport !== undefined && transport !== 'memory';
}

/** The in-memory testbed; throws TestbedError for a transport that must be opened with openScenarioBed. */
export function createScenarioBed(options: TestbedOptions): ScenarioBed {
  return new Testbed(options);
}

/** Opens the testbed for any transport. */
export async function openScenarioBed(options: TestbedOptions): Promise<ScenarioBed> {
  const transport = options.transport ?? 'memory';
  switch (transport) {
    case 'memory':
      return new Testbed(options);
    case 'hci': {
      // Lazy: the hci testbed pulls in noble and the controller.
      const { HciTestbed } = await import('./hci-testbed');
      return HciTestbed.open(options);
    }
    default:
      throw new TestbedError(`unknown transport "${transport}" (available: ${TRANSPORTS.join(', ')})`);
  }
}
