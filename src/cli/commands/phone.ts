/**
 * `phonebridge phone --transport hci --hci <controller>`: runs the simulated
 * phone on a Bluetooth controller (a real adapter, a UART dongle, or a port
 * of `phonebridge controller`) so other PC software can be tested against
 * it. The phone serves ANCS through bleno, may replay a stimulus script,
 * and runs until interrupted. Only BLE is served over hci.
 */
import type { Argv, CommandModule } from 'yargs';
import { createHciServerHost } from '../../link/hci';
import { loadStimulusScript } from '../../sim-phone/stimulus';
import { SimulatedPhone } from '../../sim-phone/simulated-phone';
import { loadPhoneProfile } from '../../sim-phone/profile';
import { WallClock } from '../../harness/wall-clock';
import { UsageError } from '../main';

interface PhoneArgs {
  transport: string;
  hci?: string;
  profile: string;
  script?: string;
  share: boolean;
  seconds?: number;
}

const command: CommandModule<object, PhoneArgs> = {
  command: 'phone',
  describe: 'Run the simulated phone on a Bluetooth controller, for testing other PC software against it',
  builder: (y: Argv) =>
    y
      .option('transport', { type: 'string', default: 'hci', choices: ['hci'], describe: 'Only hci: a real or virtual controller' })
      .option('hci', {
        type: 'string',
        describe: 'The controller: hci0 or 0 (a Linux adapter), /dev/ttyUSB0 or uart:<port>[@baud] (a UART), usb:<vid>:<pid> (a USB dongle)',
      })
      .option('profile', { type: 'string', default: 'iphone', describe: 'Phone profile id or path' })
      .option('script', { type: 'string', describe: 'A stimulus script (JSON) to play: notifications, messages, user toggles' })
      .option('share', { type: 'boolean', default: true, describe: 'Allow "Share System Notifications" for every PC (--no-share: the PC must wait for it)' })
      .option('seconds', { type: 'number', describe: 'Stop after this many seconds (default: run until interrupted)' })
      .example('$0 phone --hci hci1', 'the simulated iPhone on the second Linux adapter (BlueZ stopped on it)')
      .example('$0 phone --hci uart:/dev/pts/5 --script fixtures/notifications/morning.json', 'on a port of `phonebridge controller`, playing a script') as unknown as Argv<PhoneArgs>,
  handler: async (argv) => {
    if (!argv.hci) throw new UsageError('--hci is required: which controller the phone uses (e.g. hci1, uart:/dev/pts/5)');
    const profile = loadPhoneProfile(argv.profile);
    const script = argv.script ? loadStimulusScript(argv.script) : undefined;
    const clock = new WallClock();
    const host = await createHciServerHost({ controller: argv.hci, clock, maxMtu: profile.ble.maxMtu, deviceName: profile.name });
    const phone = new SimulatedPhone({ host, clock, profile });
    if (argv.share) phone.backchannel.allowShareSystemNotifications();
    host.events.on('connect', (peer) => process.stdout.write(`connected ${peer.address}\n`));
    host.events.on('disconnect', (peer, reason) => process.stdout.write(`disconnected ${peer.address} 0x${reason.toString(16)}\n`));
    // A hostile profile says what it breaks, so the PC's reports can be held against it.
    phone.saboteur?.events.on('fault', (f) =>
      process.stdout.write(`fault ${f.profile}/${f.part} ${f.kind} frame ${f.frame} (${f.length.before} -> ${f.length.after} bytes)${f.armed ? ' armed' : ''}\n`),
    );
    phone.start();
    process.stdout.write(`${profile.name} (${profile.id}) advertising as ${host.address} on ${argv.hci}\n`);
    const run = script ? phone.backchannel.runScript(script) : undefined;
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (argv.seconds !== undefined) setTimeout(stop, argv.seconds * 1000);
    });
    run?.cancel();
    phone.stop();
    await host.close();
    process.stdout.write('stopped\n');
  },
};

export default command;
