/**
 * A virtual controller service for N hosts: one VirtualAir, one controller
 * per host, each behind its own socat pty pair. This is what
 * `phonebridge controller` and the hci testbed start; hosts then open
 * `ports[name]` as their UART.
 */
import { Clock, RealClock } from '../../clock';
import { Random } from '../../../util/random';
import { VirtualAirTiming } from './air-timing';
import { HciStatus } from './hci-constants';
import { HciTraceEntry } from './hci-trace';
import { AttachedController, PtyPair, PtyPairOptions, attachController, openPtyPair } from './pty-bridge';
import { VirtualAir } from './virtual-air';
import { VirtualControllerOptions } from './virtual-controller';

export interface ControllerHost extends VirtualControllerOptions {
  /** Name used as the key of `ports`. */
  name: string;
  /** The controller's BD_ADDR, "AA:BB:CC:DD:EE:FF". */
  address: string;
}

export interface ControllerServiceOptions {
  hosts: ControllerHost[];
  clock?: Clock;
  model?: Partial<VirtualAirTiming>;
  random?: Random;
  log?: (entry: HciTraceEntry) => void;
  pty?: PtyPairOptions;
}

export interface ControllerService {
  air: VirtualAir;
  /** Host name -> host-side pty path. */
  ports: Record<string, string>;
  close(): Promise<void>;
}

export async function startControllerService(options: ControllerServiceOptions): Promise<ControllerService> {
  const names = new Set<string>();
  for (const host of options.hosts) {
    if (names.has(host.name)) throw new RangeError(`host name "${host.name}" is used twice`);
    names.add(host.name);
  }
  const clock = options.clock ?? new RealClock();
  const air = new VirtualAir({
    clock,
    ...(options.model ? { model: options.model } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const pairs: PtyPair[] = [];
  const attached: AttachedController[] = [];
  const ports: Record<string, string> = {};
  const close = async (): Promise<void> => {
    await Promise.all(attached.splice(0).map((a) => a.detach()));
    await Promise.all(pairs.splice(0).map((p) => p.close()));
    // Power-off reason: links end at once, so no supervision timer outlives the service.
    for (const controller of air.list()) air.removeController(controller, HciStatus.RemotePowerOff);
  };
  try {
    for (const host of options.hosts) {
      const { name, address, ...controllerOptions } = host;
      const controller = air.addController(address, controllerOptions);
      // The pty wait is wall time even when the air runs on another clock.
      const pair = await openPtyPair({ ...options.pty });
      pairs.push(pair);
      attached.push(await attachController(controller, pair.controllerPath));
      ports[name] = pair.hostPath;
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { air, ports, close };
}
