/**
 * Wireshark as an independent oracle: a notification flow, a PBAP pull and
 * an HFP SLC with calls run on the memory Testbed with capture on; the
 * capture oracle (src/harness/capture-oracle.ts) then has tshark read the
 * file and hold it against the taps' own view of what our stack sent: no
 * malformed packet and no expert item beyond the documented limitations;
 * ATT values with the characteristic each handle resolves to; OBEX packets
 * (codes, lengths, header ids, names, PBAP application parameters); AT
 * lines and their names. Skips when tshark is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { verifyCapture } from '../../../src/harness/capture-oracle';
import { sentLogFromTaps } from '../../../src/harness/capture-oracle-sent-log';
import { recordFlow, removeTempCaptures, tempCaptureFile } from './capture-flows';

after(removeTempCaptures);

const TSHARK = process.env.TSHARK ?? 'tshark';
const available = spawnSync(TSHARK, ['--version'], { encoding: 'utf8' }).status === 0;

test('tshark dissects a recorded notification, PBAP and HFP run as our stack sent it', async (t) => {
  if (!available) {
    t.skip('tshark is not installed');
    return;
  }
  const flow = await recordFlow(tempCaptureFile('tshark-flow'));
  const log = sentLogFromTaps(flow.pdus, flow.frames);
  const report = await verifyCapture(flow.file, { log, tshark: TSHARK });

  await t.test('no malformed packet and no expert item beyond the known dissector limitations', () => {
    assert.deepEqual(report.expert, []);
    assert.equal(report.counts.malformed, 0);
    // The outgoing call's ATD is in the run, so the known ATD warning must show: the check can see expert items.
    assert.ok(report.limitations.some((l) => l.limitation === 'hfp-atd-type'), 'expected the documented ATD warning; tshark reported no expert items at all');
    // tshark's full dissection: nothing it could not reassemble, and PBAP recognised as such.
    const verbose = spawnSync(TSHARK, ['-r', flow.file, '-V'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    assert.equal(verbose.status, 0, verbose.stderr);
    assert.doesNotMatch(verbose.stdout, /Malformed Packet|Dissector bug|Unreassembled/);
    assert.match(verbose.stdout, /Phone Book Access Profile/);
  });

  await t.test('ATT: opcodes, values and the characteristic of each handle', async () => {
    assert.deepEqual(report.mismatches.filter((m) => m.area === 'att'), []);
    assert.ok(report.counts.att >= 10, `the flow moved only ${report.counts.att} ATT values`);
    // tshark names the handles from the discovery in the capture: a wrong characteristic in our log shows.
    const index = log.att.findIndex((p) => p.opcode === 0x1b && p.characteristic !== undefined);
    const att = log.att.map((p, i) => (i === index ? { ...p, characteristic: '00000000-0000-1000-8000-00805f9b34fb' } : p));
    const wrong = await verifyCapture(flow.file, { log: { ...log, att }, tshark: TSHARK });
    assert.deepEqual(wrong.mismatches.map((m) => m.what), ['characteristic of the handle differs']);
  });

  await t.test('OBEX: each PBAP packet both ways, with headers and application parameters', () => {
    assert.deepEqual(report.mismatches.filter((m) => m.area === 'obex'), []);
    const requests = log.obex.filter((p) => p.channel === flow.channels.pbap && p.role === 'request');
    const responses = log.obex.filter((p) => p.channel === flow.channels.pbap && p.role === 'response');
    assert.ok(requests.length >= 4 && responses.length >= 3, 'the PBAP pull was too short to compare');
    assert.ok(requests.some((p) => p.hex.includes('4c00')), 'no PBAP application parameters were sent');
    assert.ok(report.counts.obex >= requests.length + responses.length, `tshark showed ${report.counts.obex} OBEX packets`);
  });

  await t.test('HFP: the AT stream each way and the command names', () => {
    assert.deepEqual(report.mismatches.filter((m) => m.area === 'at'), []);
    assert.ok(log.at.filter((l) => l.channel === flow.channels.hfp).length >= 20, 'the SLC and calls sent too few AT lines');
    assert.ok(report.counts.at >= 20, `tshark showed only ${report.counts.at} AT lines`);
  });

  assert.equal(report.passed, true);
});
