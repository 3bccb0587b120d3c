/**
 * The `hci` transport's entry point: the PC's central on noble and the
 * phone's GATT server host on bleno, each on the controller its flag names
 * (`hci0`, `/dev/ttyUSB0`, `uart:<port>[@baud]`, `usb:<vid>:<pid>`).
 * Importing this module loads neither library: noble is required when
 * `createHciCentral` runs, bleno only inside the child process that
 * `createHciServerHost` forks.
 */
import { BlenoServerHost, BlenoServerHostOptions } from './host/bleno-server-host';
import { HciBindingsOptions, controllerOptions } from './host/controller-select';
import { NobleCentral, NobleCentralOptions } from './host/noble-central';

export type { BlenoHostEvents, BlenoPeer, BlenoServerHost, BlenoServerHostOptions } from './host/bleno-server-host';
export type { HciConnectOptions, NobleCentral, NobleCentralEvents, NobleCentralOptions, ScanFilter } from './host/noble-central';
export type { NobleConnection } from './host/noble-connection';
export type { NobleGattClient } from './host/noble-gatt-client';
export {
  ControllerSpecError,
  DEFAULT_UART_BAUD_RATE,
  bindingsOptions,
  controllerOptions,
  describeController,
  parseControllerSpec,
} from './host/controller-select';
export type { ControllerSelection, HciBindingsOptions } from './host/controller-select';

/** A controller as a flag string or as ready-made bindings options. */
export type ControllerChoice = string | HciBindingsOptions;

export type HciCentralOptions = Omit<NobleCentralOptions, 'controller'> & { controller: ControllerChoice };
export type HciServerHostOptions = Omit<BlenoServerHostOptions, 'controller'> & { controller: ControllerChoice };

function resolveController(choice: ControllerChoice): HciBindingsOptions {
  return typeof choice === 'string' ? controllerOptions(choice) : choice;
}

/**
 * Starts noble on the chosen controller; resolves once it is powered on.
 * Rejects with ControllerSpecError for a bad flag.
 */
export async function createHciCentral(options: HciCentralOptions): Promise<NobleCentral> {
  return NobleCentral.start({ ...options, controller: resolveController(options.controller) });
}

/** Forks bleno on the chosen controller; resolves once it is powered on. Call `close()` to end the child. */
export async function createHciServerHost(options: HciServerHostOptions): Promise<BlenoServerHost> {
  return BlenoServerHost.start({ ...options, controller: resolveController(options.controller) });
}
