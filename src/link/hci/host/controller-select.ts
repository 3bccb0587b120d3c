/**
 * Parses the flag that picks one side's Bluetooth controller and turns it
 * into the `withBindings('hci', options)` options noble and bleno take.
 *
 * Accepted forms:
 * - HCI device index (Linux, kernel socket): `hci0`, `0`
 * - UART (H4): a device path `/dev/ttyUSB0`, or `uart:<port>` for any port
 *   name (`uart:/dev/pts/3`, `uart:COM3`, `uart:./ttyP_host`); an optional
 *   `@<baud>` suffix sets the baud rate (default 1000000, the driver's own)
 * - USB (libusb, the adapter detached from the kernel): `usb:<vid>:<pid>` in
 *   hex, optionally `:<bus>:<address>` in decimal (`usb:0a12:0001:1:5`)
 *
 * The driver names and bind parameters are those of
 * @stoprocent/bluetooth-hci-socket: `native` binds a kernel HCI socket to
 * `deviceId`; `uart` opens `bindParams.uart.port` at `baudRate`; `usb` opens
 * the device matching `bindParams.usb.vid/pid` (and bus/address).
 */
import { LinkError } from '../../errors';

/** The baud rate the UART driver uses when none is given. */
export const DEFAULT_UART_BAUD_RATE = 1_000_000;
/** Highest HCI device index we accept (the kernel allows far fewer in practice). */
export const MAX_HCI_DEVICE_INDEX = 0xfffe;

export type ControllerSelection =
  | { kind: 'hci-device'; deviceId: number }
  | { kind: 'uart'; port: string; baudRate: number }
  | { kind: 'usb'; vid: number; pid: number; bus?: number; address?: number };

/** The subset of noble's and bleno's `HciBindingsOptions` we produce. */
export type HciBindingsOptions =
  | { hciDriver: 'native'; deviceId: number }
  | { hciDriver: 'uart'; bindParams: { uart: { port: string; baudRate: number } } }
  | { hciDriver: 'usb'; bindParams: { usb: { vid: number; pid: number; bus?: number; address?: number } } };

/** A controller flag we cannot read; `code` is always `link.bad-controller`. */
export class ControllerSpecError extends LinkError {
  constructor(
    readonly spec: string,
    reason: string,
  ) {
    super('link.bad-controller', `controller ${JSON.stringify(spec)}: ${reason}`);
  }
}

const BAUD_RATES = new Set([9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 921600, 1000000, 1500000, 2000000, 3000000, 4000000]);

/** Parses a controller flag; throws ControllerSpecError on anything else. */
export function parseControllerSpec(spec: string): ControllerSelection {
  const text = spec.trim();
  if (text === '') throw new ControllerSpecError(spec, 'empty');
  if (/^(hci)?\d+$/i.test(text)) return { kind: 'hci-device', deviceId: deviceIndex(spec, text.replace(/^hci/i, '')) };
  if (/^usb:/i.test(text)) return parseUsb(spec, text.slice(4));
  if (/^uart:/i.test(text)) return parseUart(spec, text.slice(5));
  if (text.startsWith('/dev/')) return parseUart(spec, text);
  throw new ControllerSpecError(spec, 'expected hciN, N, /dev/<tty>, uart:<port>[@baud] or usb:<vid>:<pid>[:<bus>:<address>]');
}

/** The withBindings options for a parsed selection. */
export function bindingsOptions(selection: ControllerSelection): HciBindingsOptions {
  switch (selection.kind) {
    case 'hci-device':
      return { hciDriver: 'native', deviceId: selection.deviceId };
    case 'uart':
      return { hciDriver: 'uart', bindParams: { uart: { port: selection.port, baudRate: selection.baudRate } } };
    case 'usb': {
      const usb: { vid: number; pid: number; bus?: number; address?: number } = { vid: selection.vid, pid: selection.pid };
      if (selection.bus !== undefined) usb.bus = selection.bus;
      if (selection.address !== undefined) usb.address = selection.address;
      return { hciDriver: 'usb', bindParams: { usb } };
    }
  }
}

/** Shorthand: parse a flag straight into bindings options. */
export function controllerOptions(spec: string): HciBindingsOptions {
  return bindingsOptions(parseControllerSpec(spec));
}

/** A readable name for logs and reports ("hci0", "uart:/dev/pts/3@1000000", "usb:0a12:0001"). */
export function describeController(selection: ControllerSelection): string {
  switch (selection.kind) {
    case 'hci-device':
      return `hci${selection.deviceId}`;
    case 'uart':
      return `uart:${selection.port}@${selection.baudRate}`;
    case 'usb': {
      const ids = `usb:${hex4(selection.vid)}:${hex4(selection.pid)}`;
      return selection.bus !== undefined && selection.address !== undefined ? `${ids}:${selection.bus}:${selection.address}` : ids;
    }
  }
}

function deviceIndex(spec: string, digits: string): number {
  const index = Number(digits);
  if (!Number.isSafeInteger(index) || index > MAX_HCI_DEVICE_INDEX) {
    throw new ControllerSpecError(spec, `device index ${digits} is out of range 0..${MAX_HCI_DEVICE_INDEX}`);
  }
  return index;
}

function parseUart(spec: string, rest: string): ControllerSelection {
  let port = rest;
  let baudRate = DEFAULT_UART_BAUD_RATE;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    port = rest.slice(0, at);
    const baud = rest.slice(at + 1);
    if (!/^\d+$/.test(baud)) throw new ControllerSpecError(spec, `baud rate ${JSON.stringify(baud)} is not a number`);
    baudRate = Number(baud);
    if (!BAUD_RATES.has(baudRate)) {
      throw new ControllerSpecError(spec, `baud rate ${baud} is not one of ${[...BAUD_RATES].join(', ')}`);
    }
  }
  if (port === '') throw new ControllerSpecError(spec, 'no UART port given');
  if (/[\u0000-\u001f]/.test(port)) throw new ControllerSpecError(spec, 'the UART port contains control characters');
  return { kind: 'uart', port, baudRate };
}

function parseUsb(spec: string, rest: string): ControllerSelection {
  const parts = rest.split(':');
  if (parts.length !== 2 && parts.length !== 4) {
    throw new ControllerSpecError(spec, 'expected usb:<vid>:<pid> or usb:<vid>:<pid>:<bus>:<address>');
  }
  const [vidText = '', pidText = '', busText, addressText] = parts;
  const id = (text: string, what: string): number => {
    if (!/^(0x)?[0-9a-f]{1,4}$/i.test(text)) throw new ControllerSpecError(spec, `${what} ${JSON.stringify(text)} is not 1-4 hex digits`);
    return parseInt(text.replace(/^0x/i, ''), 16);
  };
  const selection: ControllerSelection = { kind: 'usb', vid: id(vidText, 'vendor id'), pid: id(pidText, 'product id') };
  if (busText !== undefined && addressText !== undefined) {
    const small = (text: string, what: string, max: number): number => {
      if (!/^\d{1,3}$/.test(text) || Number(text) > max) throw new ControllerSpecError(spec, `${what} ${JSON.stringify(text)} is not 0..${max}`);
      return Number(text);
    };
    selection.bus = small(busText, 'bus', 255);
    selection.address = small(addressText, 'device address', 127);
  }
  return selection;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
