import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AgFeature,
  AgSdpFeature,
  AudioCodec,
  HfFeature,
  HfSdpFeature,
  agFeatureNames,
  audioCodecName,
  bothSupport,
  clccStatusName,
  cmeErrorName,
  hfFeatureNames,
  numberTypeName,
  xaplFeatureNames,
} from '../../../src/protocol/hfp/constants';

test('BRSF and SDP bit layouts differ: 3-way calling and EC/NR swap places', () => {
  assert.equal(HfFeature.EcNr, 1);
  assert.equal(HfFeature.ThreeWayCalling, 2);
  assert.equal(AgFeature.ThreeWayCalling, 1);
  assert.equal(AgFeature.EcNr, 2);
  assert.equal(HfSdpFeature.EcNr, 1);
  assert.equal(AgSdpFeature.ThreeWayCalling, 1);
  assert.equal(HfFeature.CodecNegotiation, 0x80);
  assert.equal(AgFeature.CodecNegotiation, 0x200);
  assert.equal(AgSdpFeature.WideBandSpeech, 0x20);
});

test('feature names list known bits and show unknown ones as BitN', () => {
  assert.deepEqual(hfFeatureNames(HfFeature.CallerId | HfFeature.CodecNegotiation | (1 << 20)), ['CallerId', 'CodecNegotiation', 'Bit20']);
  assert.deepEqual(agFeatureNames(0), []);
  assert.deepEqual(xaplFeatureNames(6), ['BatteryReporting', 'DockedOrPowered']);
});

test('value names, with unknown values kept visible', () => {
  assert.equal(audioCodecName(AudioCodec.Msbc), 'Msbc');
  assert.equal(audioCodecName(9), 'Unknown(9)');
  assert.equal(cmeErrorName(3), 'OperationNotAllowed');
  assert.equal(clccStatusName(4), 'Incoming');
  assert.equal(numberTypeName(145), 'International');
});

test('codec negotiation is used only when both sides set their own bit', () => {
  assert.equal(bothSupport(HfFeature.CodecNegotiation, HfFeature.CodecNegotiation, 4079, AgFeature.CodecNegotiation), true);
  assert.equal(bothSupport(0, HfFeature.CodecNegotiation, 4079, AgFeature.CodecNegotiation), false);
  assert.equal(bothSupport(0xff, HfFeature.CodecNegotiation, 0x1ff, AgFeature.CodecNegotiation), false);
});
