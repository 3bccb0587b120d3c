/**
 * The hci transport's capture: trace entries become the H4 packets the host
 * exchanged (command, event, ACL both ways) with btsnoop direction flags;
 * other controllers' entries and air/error entries are skipped; the file
 * reads back, and Wireshark's dissectors find nothing malformed in it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeBtsnoop } from '../../../src/link/capture/btsnoop';
import type { HciTraceEntry } from '../../../src/link/hci/controller/hci-trace';
import { HciCaptureFile, h4FromTrace } from '../../../src/link/hci/hci-capture';

const PC = 'AA:BB:CC:DD:EE:01';
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

const TRACE: HciTraceEntry[] = [
  { t: 0, controller: PC, kind: 'command', opcode: '0x0c03', name: 'Reset', params: '' },
  { t: 1, controller: PC, kind: 'event', code: '0x0e', name: 'Command_Complete', params: '01030c00' },
  // LE Connection Complete: handle 0x0040, central, public peer F0:99:B6:00:00:01.
  { t: 2, controller: PC, kind: 'event', code: '0x3e', name: 'LE_Connection_Complete', params: '0100400000000100 00b699f01800000048000100'.replace(/ /g, '') },
  // ATT Handle Value Notification on handle 0x000c, 3 bytes, in one L2CAP frame.
  { t: 3, controller: PC, kind: 'acl', direction: 'to-host', handle: 0x40, pb: 2, data: '060004001b0c00010203' },
  // ATT Write Request from the PC.
  { t: 4, controller: PC, kind: 'acl', direction: 'from-host', handle: 0x40, pb: 0, data: '0500040012 0d000100'.replace(/ /g, '') },
  { t: 5, controller: 'F0:99:B6:00:00:01', kind: 'command', opcode: '0x0c03', name: 'Reset', params: '' },
  { t: 6, controller: PC, kind: 'air', what: 'connect', detail: {} },
];

test('each entry becomes the H4 packet with the host-side direction', () => {
  assert.deepEqual(h4FromTrace(TRACE[0] as HciTraceEntry), { flags: 0x02, data: Uint8Array.from([0x01, 0x03, 0x0c, 0x00]) });
  assert.equal(hex(h4FromTrace(TRACE[1] as HciTraceEntry)?.data), '040e0401030c00');
  assert.equal(h4FromTrace(TRACE[1] as HciTraceEntry)?.flags, 0x03);
  assert.equal(hex(h4FromTrace(TRACE[3] as HciTraceEntry)?.data), '0240200a00060004001b0c00010203');
  assert.equal(h4FromTrace(TRACE[3] as HciTraceEntry)?.flags, 0x01);
  assert.equal(hex(h4FromTrace(TRACE[4] as HciTraceEntry)?.data), '02400009000500040012 0d000100'.replace(/ /g, ''));
  assert.equal(h4FromTrace(TRACE[4] as HciTraceEntry)?.flags, 0x00);
  assert.equal(h4FromTrace(TRACE[6] as HciTraceEntry), undefined);
});

test('the file holds the PC controller\'s packets in order, and tshark finds nothing malformed', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-hcicap-'));
  try {
    const file = path.join(dir, 'x.btsnoop');
    let now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const capture = new HciCaptureFile(file, PC, () => (now += 1));
    for (const entry of TRACE) capture.record(entry);
    capture.close();
    capture.record(TRACE[0] as HciTraceEntry);
    const read = decodeBtsnoop(readFileSync(file));
    assert.equal(read.records.length, 5);
    assert.deepEqual(read.records.map((r) => r.flags), [0x02, 0x03, 0x03, 0x01, 0x00]);
    assert.equal(capture.dropped, 0);
    if (spawnSync('tshark', ['-v'], { stdio: 'ignore' }).error !== undefined) {
      t.skip('tshark is not installed');
      return;
    }
    const out = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', '_ws.malformed', '-e', '_ws.expert.severity', '-e', 'btatt.opcode'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const rows = out.stdout.trim().split('\n');
    assert.equal(rows.length, 5);
    assert.ok(rows.every((r) => !r.split('\t')[1] && !r.split('\t')[2]), `malformed or expert rows: ${out.stdout}`);
    assert.deepEqual(rows.map((r) => r.split('\t')[3]).filter((o) => o), ['0x1b', '0x12']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ACL the host sent just before it read Disconnection Complete is written before the event, as the host logged it', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-hcicap-'));
  try {
    const file = path.join(dir, 'race.btsnoop');
    let now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const capture = new HciCaptureFile(file, PC, () => (now += 1));
    const raced: HciTraceEntry[] = [
      TRACE[0] as HciTraceEntry,
      TRACE[1] as HciTraceEntry,
      TRACE[2] as HciTraceEntry,
      // An indication from the phone; the link then drops (Disconnection Complete, handle 0x0040, reason 0x08).
      { t: 3, controller: PC, kind: 'acl', direction: 'to-host', handle: 0x40, pb: 2, data: '060004001d0c00010203' },
      { t: 4, controller: PC, kind: 'event', code: '0x05', name: 'Disconnection_Complete', params: '00400008' },
      // The host's confirmation, sent before it read the event, reaches the controller after it.
      { t: 5, controller: PC, kind: 'acl', direction: 'from-host', handle: 0x40, pb: 0, data: '010004001e' },
      // A later command is not moved.
      { t: 6, controller: PC, kind: 'command', opcode: '0x0c03', name: 'Reset', params: '' },
      { t: 7, controller: PC, kind: 'event', code: '0x05', name: 'Disconnection_Complete', params: '00410013' },
    ];
    for (const entry of raced) capture.record(entry);
    capture.close();
    const read = decodeBtsnoop(readFileSync(file));
    assert.deepEqual(
      read.records.map((r) => hex(r.data).slice(0, 4)),
      ['0103', '040e', '043e', '0240', '0240', '0405', '0103', '0405'],
      'the confirmation (0240 from the host) precedes the first Disconnection Complete; the held second one is written on close',
    );
    const times = read.records.map((r) => r.timestampUs);
    assert.ok(times.every((v, i) => i === 0 || v >= (times[i - 1] ?? 0n)), 'timestamps never go backwards');
    if (spawnSync('tshark', ['-v'], { stdio: 'ignore' }).error !== undefined) {
      t.skip('tshark is not installed');
      return;
    }
    const out = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.severity', '-e', '_ws.expert.message'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.ok(!out.stdout.includes('out of any'), `tshark still sees a frame outside its connection: ${out.stdout}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
