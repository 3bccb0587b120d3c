/**
 * The bleno child process's main, forked by `BlenoServerHost`. bleno keeps
 * its process alive after `stop()`, so the phone's GATT server runs here and
 * talks to its parent only through the messages of bleno-protocol.ts. Reads
 * its start options (argv[2]), loads bleno on that controller, hands every
 * validated message to a BlenoBridge, and exits when told to, when the
 * parent goes away, or when bleno fails. A malformed message is answered
 * with a `problem` message, never a crash.
 */
import { BlenoBridge, BlenoModule } from './bleno-bridge';
import { ChildMessage, ChildOptions, MAX_TEXT, ParentMessage, parseChildOptions, parseParentMessage } from './bleno-protocol';

/** The child's entry point: options from argv[2], messages over IPC. */
export function runBlenoChild(): void {
  const send = (message: ChildMessage): void => {
    // Texts from bleno or a stack trace may be long; the parent refuses messages over the limit.
    if ('message' in message && message.message.length > MAX_TEXT) message = { ...message, message: message.message.slice(0, MAX_TEXT) };
    if (process.connected) process.send?.(message);
  };
  let options: ChildOptions;
  try {
    options = parseChildOptions(process.argv[2] ?? '');
  } catch (error) {
    send({ type: 'problem', code: 'link.bleno-protocol', message: error instanceof Error ? error.message : String(error), fatal: true });
    process.exit(2);
  }
  // bleno reads its GAP name at load time.
  process.env['BLENO_DEVICE_NAME'] = options.deviceName;
  let bridge: BlenoBridge | undefined;
  process.on('uncaughtException', (error) => {
    send({ type: 'problem', code: 'link.bleno-crashed', message: error.stack ?? error.message, fatal: true });
    process.exit(1);
  });
  process.on('disconnect', () => (bridge ? bridge.shutdown(0) : process.exit(0)));
  process.on('message', (raw: unknown) => {
    let message: ParentMessage;
    try {
      message = parseParentMessage(raw);
    } catch (error) {
      send({ type: 'problem', code: 'link.bleno-protocol', message: error instanceof Error ? error.message : String(error), fatal: false });
      return;
    }
    if (!bridge) return;
    try {
      bridge.handle(message);
    } catch (error) {
      send({ type: 'problem', code: 'link.bleno-error', message: error instanceof Error ? error.message : String(error), fatal: false });
    }
  });
  const lib = require('@stoprocent/bleno') as BlenoModule;
  const bleno = lib.withBindings('hci', options.controller);
  bridge = new BlenoBridge(options, lib, bleno, send, (code) => process.exit(code));
  bridge.start();
}

if (require.main === module) runBlenoChild();
