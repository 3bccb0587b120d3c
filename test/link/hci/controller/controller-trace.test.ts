/**
 * The controller's command/event handling replayed from recorded traces:
 * each fixture is a list of command (or ACL, or junk) hex the libraries send
 * and the exact event hex the controller must answer with. Every fixture is
 * replayed twice, as whole packets and one byte at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { VirtualClock } from '../../../../src/link/virtual-clock';
import { VirtualAir } from '../../../../src/link/hci/controller/virtual-air';
import { fromHex, toHex } from '../../../../src/link/hci/controller/byte-reader';
import { isHciError } from '../../../../src/link/hci/controller/hci-errors';
import { FakeHost } from './fake-host';

interface TraceStep {
  name: string;
  send: string;
  /** More bytes of the same step (sent as a second chunk). */
  sendMore?: string;
  expect: string[];
  /** The expected strings are pieces of one packet. */
  join?: boolean;
}

interface TraceFixture {
  description: string;
  address: string;
  steps: TraceStep[];
}

const dir = path.join(__dirname, 'fixtures');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.trace.json')).sort();

function replay(fixture: TraceFixture, byteByByte: boolean): void {
  const clock = new VirtualClock();
  const air = new VirtualAir({ clock });
  const host = new FakeHost(air.addController(fixture.address));
  for (const step of fixture.steps) {
    host.clear();
    const bytes = [fromHex(step.send), ...(step.sendMore ? [fromHex(step.sendMore)] : [])];
    for (const chunk of bytes) {
      if (byteByByte) for (const b of chunk) host.controller.receive(Uint8Array.of(b));
      else host.controller.receive(chunk);
    }
    const expected = step.join ? [step.expect.join('').replace(/\s/g, '')] : step.expect.map((e) => e.replace(/\s/g, ''));
    assert.deepEqual(host.rawHex(), expected, `${fixture.address}: ${step.name}`);
  }
  // Nothing was left scheduled by a single host with no peer.
  assert.equal(clock.pendingEvents, 0);
}

for (const file of fixtures) {
  const fixture = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as TraceFixture;
  test(`trace ${file}: ${fixture.steps.length} steps answered exactly`, () => {
    replay(fixture, false);
  });
  test(`trace ${file}: the same answers when the host's bytes arrive one at a time`, () => {
    replay(fixture, true);
  });
}

test('refused input is reported as typed errors: unknown handle, then junk bytes', () => {
  const air = new VirtualAir({ clock: new VirtualClock() });
  const host = new FakeHost(air.addController('AA:BB:CC:DD:EE:02'));
  host.controller.receive(fromHex('02400007000300040002 0001'.replace(' ', '')));
  host.controller.receive(fromHex('ff55aa'));
  assert.deepEqual(host.errors.map((e) => e.code), ['hci.unknown-handle', 'hci.bad-packet-type']);
  assert.ok(host.errors.every((e) => isHciError(e)));
  assert.equal(host.controller.stats.droppedAcl, 1);
  assert.equal(host.controller.stats.malformed, 1);
});

test('Read_Local_Supported_Commands sets the bits of implemented commands only', () => {
  const air = new VirtualAir({ clock: new VirtualClock() });
  const host = new FakeHost(air.addController('AA:BB:CC:DD:EE:03'));
  host.send(0x1002);
  const complete = host.last();
  assert.ok(complete?.kind === 'command-complete');
  const bitmap = complete.returnParams.subarray(1);
  assert.equal(bitmap.length, 64);
  const bit = (octet: number, b: number): boolean => (((bitmap[octet] ?? 0) >> b) & 1) === 1;
  assert.ok(bit(0, 5), 'Disconnect');
  assert.ok(bit(5, 7), 'Reset');
  assert.ok(bit(26, 4), 'LE Create Connection');
  assert.ok(bit(28, 0), 'LE Start Encryption');
  assert.equal(bitmap[37], 0, 'no extended advertising or scanning');
});

test('LE_Rand gives 8 bytes from the seeded generator; two airs with the same seed agree', () => {
  const rand = (): string => {
    const air = new VirtualAir({ clock: new VirtualClock() });
    const host = new FakeHost(air.addController('AA:BB:CC:DD:EE:04'));
    host.send(0x2018);
    host.send(0x2018);
    return host.of('command-complete').map((e) => toHex(e.returnParams)).join(',');
  };
  const first = rand();
  assert.match(first, /^00[0-9a-f]{16},00[0-9a-f]{16}$/);
  assert.notEqual(first.split(',')[0], first.split(',')[1]);
  assert.equal(rand(), first);
});
