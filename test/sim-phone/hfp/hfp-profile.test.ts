import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AgFeature } from '../../../src/protocol/hfp/constants';
import { ProfileError } from '../../../src/sim-phone/errors';
import { agSdpFeatures, cindSpecs } from '../../../src/sim-phone/hfp/hfp-profile';
import { builtInProfilePath, loadPhoneProfile, parsePhoneProfile } from '../../../src/sim-phone/profile';

function iphoneJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(builtInProfilePath('iphone'), 'utf8')) as Record<string, unknown>;
}

/** The iPhone profile JSON with `change` applied to a copy of its hfp section. */
function withHfp(change: (hfp: Record<string, unknown>) => void): Record<string, unknown> {
  const json = iphoneJson();
  const hfp = { ...(json.hfp as Record<string, unknown>) };
  change(hfp);
  return { ...json, hfp };
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProfileError) return err.field;
    throw err;
  }
  return '(no error)';
}

test('the iPhone profile carries the captured AG facts', () => {
  const hfp = loadPhoneProfile('iphone').hfp;
  assert.ok(hfp);
  assert.equal(hfp.agFeatures, 4079);
  assert.equal(hfp.version, 0x0107);
  assert.deepEqual(
    hfp.indicators.map((s) => s.name),
    ['service', 'call', 'callsetup', 'battchg', 'signal', 'roam', 'callheld'],
  );
  assert.deepEqual(cindSpecs(hfp)[2], { name: 'callsetup', ranges: [{ min: 0, max: 3 }] });
  assert.deepEqual(hfp.chld, ['0', '1', '1x', '2', '2x', '3']);
  assert.deepEqual(hfp.codecs, [1, 2]);
  assert.equal(hfp.appleExtensions, true);
  assert.equal(hfp.codecOnlyWhenAudio, true);
  assert.equal(hfp.ringIntervalMs, 3000);
  // SDP layout: 3-way, EC/NR, VR, in-band ring, wide-band speech.
  assert.equal(agSdpFeatures(hfp), 0x2f);
});

test('the Android stand-in lists call first, with (0,1) value lists', () => {
  const hfp = loadPhoneProfile('android').hfp;
  assert.ok(hfp);
  assert.equal(hfp.indicators[0]?.name, 'call');
  assert.deepEqual(hfp.indicators[0]?.ranges, [
    { min: 0, max: 0 },
    { min: 1, max: 1 },
  ]);
  assert.equal(hfp.agFeatures & AgFeature.EnhancedCallControl, 0);
  assert.deepEqual(hfp.chld, ['0', '1', '2', '3']);
  assert.equal(agSdpFeatures(hfp), 0x27, 'no in-band ring bit');
});

test('hfp is validated field by field', () => {
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => delete h.channel))), 'hfp.channel');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.channel = 31)))), 'hfp.channel');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.extra = 1)))), 'hfp.extra');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.version = '0x1FFFF'))))?.startsWith('hfp.version'), true);
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.codecs = [2])))), 'hfp.codecs');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.codecs = [1, 1])))), 'hfp.codecs[1]');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.chld = ['0', '5'])))), 'hfp.chld[1]');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.agFeatures = 4079 & ~AgFeature.EnhancedCallControl)))), 'hfp.chld');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.agFeatures = 4079 & ~AgFeature.InBandRing)))), 'hfp.inBandRing');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.agFeatures = 4079 & ~AgFeature.CodecNegotiation)))), 'hfp.codecs');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.operatorName = 'A "quoted" name')))), 'hfp.operatorName');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.ownNumber = '555-1234')))), 'hfp.ownNumber');
  assert.equal(fieldOf(() => parsePhoneProfile(withHfp((h) => (h.refusals = { unsupported: 4 })))), 'hfp.refusals.notAllowed');
});

test('indicators: known names, no repeats, service/call/callsetup present, ranges covering what the phone reports', () => {
  const indicators = (list: unknown[]) => withHfp((h) => (h.indicators = list));
  const base = (iphoneJson().hfp as { indicators: unknown[] }).indicators;
  assert.equal(fieldOf(() => parsePhoneProfile(indicators([...base, { name: 'call', values: '0-1' }]))), 'hfp.indicators[7].name');
  assert.equal(fieldOf(() => parsePhoneProfile(indicators([{ name: 'wifi', values: '0-1' }]))), 'hfp.indicators[0].name');
  assert.equal(fieldOf(() => parsePhoneProfile(indicators(base.slice(1)))), 'hfp.indicators');
  assert.equal(fieldOf(() => parsePhoneProfile(indicators(base.filter((_, i) => i !== 6)))), 'hfp.indicators', 'callheld is needed with CHLD');
  const narrow = base.map((s) => (s as { name: string }).name === 'battchg' ? { name: 'battchg', values: '0-4' } : s);
  assert.equal(fieldOf(() => parsePhoneProfile(indicators(narrow))), 'hfp.indicators[3].values');
  const backwards = base.map((s) => (s as { name: string }).name === 'signal' ? { name: 'signal', values: '5-0' } : s);
  assert.equal(fieldOf(() => parsePhoneProfile(indicators(backwards))), 'hfp.indicators[4].values');
  const split = base.map((s) => (s as { name: string }).name === 'callsetup' ? { name: 'callsetup', values: '0,1,2-3' } : s);
  const profile = parsePhoneProfile(indicators(split));
  assert.deepEqual(profile.hfp?.indicators[2]?.ranges, [
    { min: 0, max: 0 },
    { min: 1, max: 1 },
    { min: 2, max: 3 },
  ]);
});
