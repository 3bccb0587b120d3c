/**
 * `phonebridge controller`: runs the virtual HCI controller on its own, for
 * people who attach their own stacks. Each host gets a UART (a socat pty
 * pair); the command prints the host-side paths, paces the shared air by a
 * phone profile's BLE model, optionally writes an HCI trace (JSON lines),
 * and runs until interrupted.
 */
import { createWriteStream } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { startControllerService, type ControllerHost } from '../../link/hci/controller/controller-process';
import { formatTraceEntry, type HciTraceEntry } from '../../link/hci/controller/hci-trace';
import { airTimingFor } from '../../harness/hci-testbed';
import { loadPhoneProfile } from '../../sim-phone/profile';
import { UsageError } from '../main';

interface ControllerArgs {
  host: string[];
  profile: string;
  trace?: string;
  verbose: boolean;
  ltk: string[];
  seconds?: number;
}

const ADDRESS = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

/** "name=AA:BB:CC:DD:EE:FF" to a host; throws UsageError for anything else. */
export function parseHostSpec(spec: string): { name: string; address: string } {
  const match = /^([A-Za-z0-9_-]+)=(.+)$/.exec(spec);
  if (!match || !ADDRESS.test(match[2] ?? '')) throw new UsageError(`--host must be name=AA:BB:CC:DD:EE:FF, got "${spec}"`);
  return { name: match[1] as string, address: (match[2] as string).toUpperCase() };
}

const command: CommandModule<object, ControllerArgs> = {
  command: 'controller',
  describe: 'Run the virtual HCI controller alone: one UART (pty) per host, on one shared air',
  builder: (y: Argv) =>
    y
      .option('host', {
        type: 'string',
        array: true,
        default: ['phone=F0:99:B6:00:00:01', 'pc=AA:BB:CC:DD:EE:01'],
        describe: 'A host as name=address; repeat for each host',
      })
      .option('profile', { type: 'string', default: 'iphone', describe: "Phone profile whose BLE model paces the air (connection interval, packets per event)" })
      .option('ltk', {
        type: 'string',
        array: true,
        default: [],
        describe: 'Hosts whose controller answers LTK requests itself (stacks that leave that to a kernel, such as bleno over a UART)',
      })
      .option('trace', { type: 'string', describe: 'Write every command, event and ACL packet as JSON lines to this file' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Print the trace to stdout as well' })
      .option('seconds', { type: 'number', describe: 'Stop after this many seconds (default: run until interrupted)' })
      .example('$0 controller', 'two hosts, phone and pc; attach with BLUETOOTH_HCI_SOCKET_UART_PORT=<path>')
      .example('$0 controller --host a=11:22:33:44:55:66 --host b=AA:BB:CC:DD:EE:02 --trace hci.jsonl', 'your own hosts, traced') as unknown as Argv<ControllerArgs>,
  handler: async (argv) => {
    const hosts: ControllerHost[] = argv.host.map(parseHostSpec);
    for (const name of argv.ltk) {
      const host = hosts.find((h) => h.name === name);
      if (!host) throw new UsageError(`--ltk names "${name}", which is not a --host`);
      host.answerLtkRequests = true;
    }
    const profile = loadPhoneProfile(argv.profile);
    const trace = argv.trace ? createWriteStream(argv.trace) : undefined;
    const log =
      trace || argv.verbose
        ? (entry: HciTraceEntry) => {
            trace?.write(`${JSON.stringify(entry)}\n`);
            if (argv.verbose) process.stdout.write(`${formatTraceEntry(entry)}\n`);
          }
        : undefined;
    const service = await startControllerService({ hosts, model: airTimingFor(profile.ble), ...(log ? { log } : {}) });
    for (const host of hosts) process.stdout.write(`${host.name} ${host.address} ${service.ports[host.name]}\n`);
    process.stdout.write('ready\n');
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (argv.seconds !== undefined) setTimeout(stop, argv.seconds * 1000);
    });
    await service.close();
    await new Promise<void>((resolve) => (trace ? trace.end(resolve) : resolve()));
    process.stdout.write('stopped\n');
  },
};

export default command;
