/**
 * The `hostile-pc` campaign: the Control Point rule paired with hex
 * fixtures, a scripted hostile session on both phone profiles with the
 * codes each request must get, the campaign itself at modest runs, and
 * planted phone bugs (a wrong ANCS code, a throwing handler) that the
 * campaign must catch and shrink.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checker, runCampaign, type CampaignProperty } from '../../../src/harness/fuzz/campaign';
import { HOSTILE_PC_CAMPAIGN, hostilePcProperty, runHostilePcCase, type HostilePcCase } from '../../../src/harness/fuzz/hostile-pc';
import { expectControlPoint, type CpContext } from '../../../src/harness/fuzz/hostile-pc-ancs';
import type { HostileBed } from '../../../src/harness/fuzz/hostile-pc-bed';
import { checkRecovery } from '../../../src/harness/fuzz/hostile-pc-recovery';
import {
  HfJunk,
  HfLine,
  MessageArrives,
  MnsBehave,
  ObexClose,
  ObexOpen,
  ObexRequestCommand,
} from '../../../src/harness/fuzz/hostile-pc-classic-commands';
import { ControlPointWrite, GattForbidden, GattSubscribe, PostNotification } from '../../../src/harness/fuzz/hostile-pc-gatt-commands';
import { AttError } from '../../../src/link/errors';
import { ANCS_CONTROL_POINT_UUID, ANCS_NOTIFICATION_SOURCE_UUID, ANCS_SERVICE_UUID } from '../../../src/protocol/ancs';
import { loadPhoneProfile } from '../../../src/sim-phone/profile';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

const iphone = loadPhoneProfile('iphone');
const ctx = (over: Partial<CpContext> = {}): CpContext => ({
  ancs: iphone.ancs,
  bonded: true,
  encrypted: true,
  shared: true,
  dsSubscribed: true,
  live: new Set([0x100]),
  apps: new Set(['com.apple.MobileSMS']),
  ...over,
});

test('the Control Point rule: each malformation gets the ANCS code the spec gives it', () => {
  const cases: [string, Partial<CpContext>, ReturnType<typeof expectControlPoint>][] = [
    // GetNotificationAttributes UID 0x100: AppIdentifier, Title (MaxLen 0xFFFF), an unknown attribute id 0x20.
    ['00 00010000 00 01ffff 20', {}, { kind: 'reply', expected: { commandId: 0, attributeCount: 3, notificationUid: 0x100 } }],
    ['03', {}, { kind: 'error', attCode: 0xa0 }], // CommandID 3 is unknown
    ['ff 0102', {}, { kind: 'error', attCode: 0xa0 }],
    ['', {}, { kind: 'error', attCode: 0xa1 }], // empty write
    ['00 000100', {}, { kind: 'error', attCode: 0xa1 }], // ends inside the UID
    ['00 00010000', {}, { kind: 'error', attCode: 0xa1 }], // no attributes
    ['00 00010000 03 ff', {}, { kind: 'error', attCode: 0xa1 }], // Message without its 2-byte MaxLen
    ['00 01010000 00', {}, { kind: 'error', attCode: 0xa2 }], // UID the session never announced
    ['02 00010000 00', {}, { kind: 'done' }], // positive action
    ['02 00010000 07', {}, { kind: 'error', attCode: 0xa3 }], // no such action
    ['02 00010000', {}, { kind: 'error', attCode: 0xa1 }], // action write too short
    ['01 636f6d2e6170706c652e4d6f62696c65534d53 00 00', {}, { kind: 'reply', expected: { commandId: 1, attributeCount: 1, appIdentifier: 'com.apple.MobileSMS' } }],
    ['01 6e6f2e73756368 00 00', {}, { kind: 'reply', expected: { commandId: 1, attributeCount: 0, appIdentifier: 'no.such' } }], // iphone: unknown app, empty reply
    ['01 63fffe 00 00', {}, { kind: 'error', attCode: 0xa1 }], // AppIdentifier not UTF-8
    ['01 636f6d', {}, { kind: 'error', attCode: 0xa1 }], // no NUL
    ['00 00010000 00', { dsSubscribed: false }, { kind: 'error', attCode: 0xfd }], // nowhere to send the reply
    ['03', { bonded: false }, { kind: 'error', attCode: 0x05 }], // the link first
    ['03', { encrypted: false }, { kind: 'error', attCode: 0x0f }],
    ['03', { shared: false }, { kind: 'error', attCode: iphone.ancs.whenNotShared.controlPointAttError }],
  ];
  for (const [bytes, over, want] of cases) assert.deepEqual(expectControlPoint(hex(bytes), ctx(over)), want, bytes);
});

const everything = { ancs: true, pbap: true, mas: true, register: true, hfp: true };

/** A scripted hostile session: every command checks its own expected answer, then a good PC must recover. */
function scripted() {
  return [
    new GattForbidden('read', 'ns'),
    new GattForbidden('write', 'ds'),
    new GattSubscribe('cp', true),
    new PostNotification(0),
    new ControlPointWrite({ kind: 'raw', bytes: hex('07 00') }),
    new ControlPointWrite({ kind: 'notificationAttributes', uid: { kind: 'live', index: 0 }, attributes: [{ id: 3, maxLength: 0xffff }, { id: 0x33, maxLength: 0 }], cut: 0 }),
    new ControlPointWrite({ kind: 'notificationAttributes', uid: { kind: 'any', value: 0xdeadbeef }, attributes: [{ id: 1, maxLength: 8 }], cut: 0 }),
    new ControlPointWrite({ kind: 'action', uid: { kind: 'live', index: 0 }, action: 9, length: 6 }),
    new ControlPointWrite({ kind: 'action', uid: { kind: 'live', index: 0 }, action: 1, length: 6 }),
    new GattSubscribe('ns', false),
    new GattSubscribe('ns', true),
    new ObexRequestCommand('pbap', { op: 'get', cid: 'right', object: { kind: 'phonebook', name: 'nowhere.vcf', size: true }, badParams: false }),
    new ObexRequestCommand('pbap', { op: 'get', cid: 'right', object: { kind: 'phonebook', name: 'telecom/pb.vcf', size: false }, badParams: false }),
    new ObexRequestCommand('pbap', { op: 'get', cid: 'none', object: { kind: 'phonebook', name: 'telecom/pb.vcf', size: true }, badParams: false }),
    new ObexRequestCommand('pbap', { op: 'setPath', cid: 'right', up: false, name: 'nowhere' }),
    new ObexRequestCommand('pbap', { op: 'unknown', cid: 'right', opcode: 0x84 }),
    new ObexRequestCommand('pbap', { op: 'malformed' }),
    new ObexRequestCommand('pbap', { op: 'badLength' }),
    new ObexOpen('pbap'),
    new ObexRequestCommand('pbap', { op: 'get', cid: 'right', object: { kind: 'phonebook', name: 'telecom/pb.vcf', size: true }, badParams: false }),
    new ObexRequestCommand('mas', { op: 'put', cid: 'right', object: { kind: 'push', body: 'tooBig' } }),
    new ObexRequestCommand('mas', { op: 'put', cid: 'right', object: { kind: 'push', body: 'garbage' } }),
    new ObexRequestCommand('mas', { op: 'get', cid: 'right', object: { kind: 'message', handle: 'zz!' }, badParams: false }),
    new ObexRequestCommand('mas', { op: 'abort' }),
    new MnsBehave({ kind: 'garbage', bytes: hex('0102030405') }),
    new MessageArrives(5_000),
    new MnsBehave({ kind: 'code', code: 0xc3 }),
    new MessageArrives(40_000),
    new ObexClose('mas'),
    new HfLine('unknown', 'FOO'),
    new HfLine('answerNoCall', ''),
    new HfJunk(new Uint8Array(900).fill(0x41)),
    new HfLine('cindRead', ''),
  ];
}

for (const profile of ['iphone', 'android'] as const) {
  test(`${profile}: a scripted hostile PC gets the expected code for each request, and a good PC recovers every profile`, async () => {
    const c: HostilePcCase = { profile, seed: 5, mtu: 185, cuts: [3, 1, 7], prelude: everything };
    let seen: unknown;
    await runHostilePcCase(c, scripted(), {
      end: async (bed) => {
        const phone = bed.tb.phone;
        // Every scripted refusal really happened (none was skipped by a precondition).
        seen = {
          ancs: phone.ancs.stats.errorsByCode,
          pbap: phone.pbap?.stats.refusals,
          map: phone.map?.stats.refusals,
          mnsReports: bed.mnsEnds.reduce((n, e) => n + e.eventReports, 0) > 0,
        };
        await checkRecovery(bed);
      },
    });
    assert.deepEqual(seen, {
      // Control Point refusals (the GATT layer's own refusals and OBEX-level ones are not the servers' to count).
      ancs: { 0xa0: 1, 0xa2: 1, 0xa3: 1 },
      pbap: { 'NotFound (0xC4)': 2 },
      map: { 'BadRequest (0xC0)': 2, 'RequestEntityTooLarge (0xCD)': 1 },
      mnsReports: true,
    });
  });
}

test('the campaign passes on the real phone', async () => {
  const result = await runCampaign('hostile-pc', HOSTILE_PC_CAMPAIGN, { runs: 200, seed: 7 });
  assert.equal(result.ok, true, JSON.stringify(result.outcomes[0]?.error));
});

/** Planted bug: the phone answers an unknown CommandID with 0xA1 (Invalid command) instead of 0xA0. */
function unknownCommandAsInvalid(bed: HostileBed): void {
  const def = bed.tb.peripheral.findCharacteristic(ANCS_SERVICE_UUID, ANCS_CONTROL_POINT_UUID);
  const original = def?.onWrite;
  if (!def || !original) throw new Error('no Control Point to plant the bug in');
  def.onWrite = (peer, value, withResponse) => {
    try {
      original.call(def, peer, value, withResponse);
    } catch (err) {
      if (err instanceof AttError && err.attCode === 0xa0) throw new AttError(0xa1, 'planted: unknown command answered as invalid');
      throw err;
    }
  };
}

/** Planted bug: the Notification Source's subscribe handler throws on unsubscribe (an untyped crash in the phone). */
function throwsOnUnsubscribe(bed: HostileBed): void {
  const def = bed.tb.peripheral.findCharacteristic(ANCS_SERVICE_UUID, ANCS_NOTIFICATION_SOURCE_UUID);
  const original = def?.onSubscribe;
  if (!def || !original) throw new Error('no Notification Source to plant the bug in');
  def.onSubscribe = (peer, enabled) => {
    if (!enabled) throw new TypeError('planted: cannot read properties of undefined');
    original.call(def, peer, enabled);
  };
}

test('a planted wrong ANCS code is caught and shrunk to a short case that names it', async () => {
  const details = await fc.check(hostilePcProperty(40, { plant: unknownCommandAsInvalid })(() => undefined), { seed: 42, numRuns: 300 });
  assert.equal(details.failed, true, 'the campaign missed the planted fault');
  assert.match(String(details.errorInstance), /expected ATT 0xa0, got ATT 0xa1/);
  const shown = fc.stringify(details.counterexample);
  assert.ok((shown.match(/control-point/g) ?? []).length === 1, shown);
});

test('a campaign run with the planted fault prints a replay line that reproduces the same shrunk case', async () => {
  const base = HOSTILE_PC_CAMPAIGN[0];
  assert.ok(base);
  const planted: CampaignProperty[] = [{ ...base, check: checker(hostilePcProperty(40, { plant: unknownCommandAsInvalid })) }];
  const result = await runCampaign('hostile-pc', planted, { runs: 300, seed: 42 });
  const outcome = result.outcomes[0];
  assert.ok(outcome?.failed && outcome.path);
  assert.match(result.replay ?? '', /^phonebridge fuzz hostile-pc --only hostile-pc --seed 42 --path \S+ --runs 1$/);
  const replay = await runCampaign('hostile-pc', planted, { runs: 1, seed: outcome.seed, path: outcome.path });
  assert.equal(replay.ok, false);
  assert.equal(fc.stringify(replay.outcomes[0]?.counterexample), fc.stringify(outcome.counterexample));
});

test('a planted crash in a phone handler is caught as a problem, not as an answer', async () => {
  const details = await fc.check(hostilePcProperty(40, { plant: throwsOnUnsubscribe })(() => undefined), { seed: 43, numRuns: 300 });
  assert.equal(details.failed, true, 'the campaign missed the planted crash');
  assert.match(String(details.errorInstance), /handler threw: TypeError: planted/);
});
