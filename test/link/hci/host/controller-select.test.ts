import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ControllerSelection,
  ControllerSpecError,
  HciBindingsOptions,
  bindingsOptions,
  controllerOptions,
  describeController,
  parseControllerSpec,
} from '../../../../src/link/hci/host/controller-select';

const good: [spec: string, selection: ControllerSelection, options: HciBindingsOptions][] = [
  ['hci0', { kind: 'hci-device', deviceId: 0 }, { hciDriver: 'native', deviceId: 0 }],
  ['HCI12', { kind: 'hci-device', deviceId: 12 }, { hciDriver: 'native', deviceId: 12 }],
  ['1', { kind: 'hci-device', deviceId: 1 }, { hciDriver: 'native', deviceId: 1 }],
  [' hci3 ', { kind: 'hci-device', deviceId: 3 }, { hciDriver: 'native', deviceId: 3 }],
  [
    '/dev/ttyUSB0',
    { kind: 'uart', port: '/dev/ttyUSB0', baudRate: 1_000_000 },
    { hciDriver: 'uart', bindParams: { uart: { port: '/dev/ttyUSB0', baudRate: 1_000_000 } } },
  ],
  [
    'uart:/dev/pts/3',
    { kind: 'uart', port: '/dev/pts/3', baudRate: 1_000_000 },
    { hciDriver: 'uart', bindParams: { uart: { port: '/dev/pts/3', baudRate: 1_000_000 } } },
  ],
  [
    '/dev/ttyACM0@115200',
    { kind: 'uart', port: '/dev/ttyACM0', baudRate: 115200 },
    { hciDriver: 'uart', bindParams: { uart: { port: '/dev/ttyACM0', baudRate: 115200 } } },
  ],
  ['uart:COM3@921600', { kind: 'uart', port: 'COM3', baudRate: 921600 }, { hciDriver: 'uart', bindParams: { uart: { port: 'COM3', baudRate: 921600 } } }],
  [
    'uart:./ttyP_host',
    { kind: 'uart', port: './ttyP_host', baudRate: 1_000_000 },
    { hciDriver: 'uart', bindParams: { uart: { port: './ttyP_host', baudRate: 1_000_000 } } },
  ],
  ['usb:0a12:0001', { kind: 'usb', vid: 0x0a12, pid: 0x0001 }, { hciDriver: 'usb', bindParams: { usb: { vid: 0x0a12, pid: 0x0001 } } }],
  ['USB:0x8087:0A2B', { kind: 'usb', vid: 0x8087, pid: 0x0a2b }, { hciDriver: 'usb', bindParams: { usb: { vid: 0x8087, pid: 0x0a2b } } }],
  [
    'usb:0b05:17cb:1:5',
    { kind: 'usb', vid: 0x0b05, pid: 0x17cb, bus: 1, address: 5 },
    { hciDriver: 'usb', bindParams: { usb: { vid: 0x0b05, pid: 0x17cb, bus: 1, address: 5 } } },
  ],
];

for (const [spec, selection, options] of good) {
  test(`controller flag ${JSON.stringify(spec)} parses`, () => {
    assert.deepEqual(parseControllerSpec(spec), selection);
    assert.deepEqual(bindingsOptions(selection), options);
    assert.deepEqual(controllerOptions(spec), options);
    // The readable name parses back to the same selection.
    assert.deepEqual(parseControllerSpec(describeController(selection)), selection);
  });
}

const bad: [spec: string, mentions: RegExp][] = [
  ['', /empty/],
  ['   ', /empty/],
  ['hci', /expected/],
  ['hcix', /expected/],
  ['bluetooth0', /expected/],
  ['hci99999999', /out of range/],
  ['uart:', /no UART port/],
  ['uart:@115200', /no UART port/],
  ['/dev/ttyUSB0@fast', /not a number/],
  ['/dev/ttyUSB0@12345', /baud rate 12345/],
  ['uart:/dev/tty\u0007', /control characters/],
  ['usb:0a12', /expected usb/],
  ['usb:0a12:0001:1', /expected usb/],
  ['usb:zz12:0001', /vendor id/],
  ['usb:0a12:12345', /product id/],
  ['usb:0a12:0001:300:5', /bus/],
  ['usb:0a12:0001:1:200', /device address/],
  ['COM3', /expected/],
];

for (const [spec, mentions] of bad) {
  test(`controller flag ${JSON.stringify(spec)} is refused with a typed error`, () => {
    assert.throws(
      () => parseControllerSpec(spec),
      (e: unknown) => e instanceof ControllerSpecError && e.code === 'link.bad-controller' && e.spec === spec && mentions.test(e.message),
    );
  });
}
