import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTROL_FRAME_WIRE_BYTES,
  CREDIT_FRAME_WIRE_BYTES,
  ClassicLinkModel,
  DEFAULT_CLASSIC_MODEL,
  channelOpenMs,
  checkClassicModel,
  dataFrameWireBytes,
  frameAirTimeMs,
  negotiatedFrameSize,
  predictTransfer,
} from '../../../../src/link/classic-model';

const model = (patch: Partial<ClassicLinkModel> = {}): ClassicLinkModel => ({ ...DEFAULT_CLASSIC_MODEL, ...patch });

test('the default model is valid and nonsense is refused with RangeError', () => {
  const defaults = model();
  assert.equal(checkClassicModel(defaults), defaults, 'returns the model it checked');
  const bad: Partial<ClassicLinkModel>[] = [
    { bitrate: 0 },
    { bitrate: Number.NaN },
    { bitrate: 10_000_000 },
    { latencyMs: -1 },
    { latencyMs: Number.POSITIVE_INFINITY },
    { rfcommFrameSize: 22 },
    { rfcommFrameSize: 32768 },
    { rfcommFrameSize: 100.5 },
    { initialCredits: 0 },
    { initialCredits: 256 },
    { creditReturnThreshold: 0 },
    { initialCredits: 3, creditReturnThreshold: 4 },
    { connectSetupMs: -5 },
    { sdpQueryMs: Number.NaN },
    { pairingMs: 1e9 },
    { supervisionTimeoutMs: 0 },
    { supervisionTimeoutMs: 50_000 },
    { txQueueLimitBytes: 0 },
    { txQueueLimitBytes: 1.5 },
  ];
  for (const patch of bad) assert.throws(() => checkClassicModel(model(patch)), RangeError, JSON.stringify(patch));
  // Edges that are fine.
  checkClassicModel(model({ rfcommFrameSize: 23, initialCredits: 1, creditReturnThreshold: 1, latencyMs: 0 }));
  checkClassicModel(model({ rfcommFrameSize: 32767, initialCredits: 255, creditReturnThreshold: 255 }));
});

test('frame sizes on the air: RFCOMM address, control, 1- or 2-byte length, FCS, plus L2CAP 4', () => {
  assert.equal(dataFrameWireBytes(1), 1 + 4 + 4);
  assert.equal(dataFrameWireBytes(127), 127 + 4 + 4);
  assert.equal(dataFrameWireBytes(128), 128 + 5 + 4);
  assert.equal(dataFrameWireBytes(990), 999);
  assert.equal(CREDIT_FRAME_WIRE_BYTES, 9);
  assert.equal(CONTROL_FRAME_WIRE_BYTES, 8);
  // 999 bytes at 1.4 Mbit/s: 7992 bits / 1400 bits per ms.
  assert.equal(frameAirTimeMs(model(), 999), 7992 / 1400);
  assert.equal(negotiatedFrameSize(990, 127), 127);
  assert.equal(negotiatedFrameSize(32767, 990), 990);
  // Open: 8-byte request and answer, each 64 bits / 1400 bits per ms + 5 ms.
  assert.equal(channelOpenMs(model()), 2 * (64 / 1400 + 5));
});

test('with the defaults credits keep up, so 1 MiB takes its frames\' air time plus one latency', () => {
  const m = model();
  // Credits keep up when (credits - threshold) frames outlast a credit round trip: 3 * 5.709 >= 10.05 ms.
  assert.ok((m.initialCredits - m.creditReturnThreshold) * frameAirTimeMs(m, 999) >= 2 * m.latencyMs + frameAirTimeMs(m, 9));
  const bytes = 1 << 20;
  const p = predictTransfer(m, bytes);
  // 1,048,576 = 1059 * 990 + 166.
  assert.equal(p.frames, 1060);
  assert.equal(p.creditStalls, 0);
  assert.equal(p.wireBytes, 1059 * 999 + (166 + 5 + 4));
  assert.equal(p.creditFrames, Math.floor(1060 / 4));
  const closedForm = (1059 * 999 * 8 + 175 * 8) / 1400 + 5;
  assert.ok(Math.abs(p.durationMs - closedForm) < 1e-6, `${p.durationMs} vs ${closedForm}`);
  assert.ok(p.durationMs > 6050 && p.durationMs < 6053, String(p.durationMs));
});

test('with one credit returned per frame the sender waits a full round trip for every frame', () => {
  const m = model({ initialCredits: 1, creditReturnThreshold: 1, latencyMs: 20 });
  const a = frameAirTimeMs(m, 999);
  const c = frameAirTimeMs(m, 9);
  const n = 10;
  const p = predictTransfer(m, 990 * n);
  assert.equal(p.frames, n);
  assert.equal(p.creditStalls, n - 1);
  // Each frame: air + latency; between frames: the credit's air + latency.
  const expected = n * (a + m.latencyMs) + (n - 1) * (c + m.latencyMs);
  assert.ok(Math.abs(p.durationMs - expected) < 1e-9, `${p.durationMs} vs ${expected}`);
});

test('a smaller negotiated frame size means more frames and more header bytes', () => {
  const m = model();
  const big = predictTransfer(m, 100_000);
  const small = predictTransfer(m, 100_000, { frameSize: 127 });
  assert.equal(small.frames, Math.ceil(100_000 / 127));
  assert.equal(small.wireBytes, 100_000 + small.frames * 8);
  assert.ok(small.durationMs > big.durationMs);
  // Start time shifts the whole prediction.
  const later = predictTransfer(m, 100_000, { startMs: 1000 });
  assert.equal(later.startMs, 1000);
  assert.ok(Math.abs(later.endMs - (1000 + big.durationMs)) < 1e-9);
});

test('nothing to send takes no time; bad arguments are refused', () => {
  const p = predictTransfer(model(), 0, { startMs: 5 });
  assert.deepEqual(p, { frames: 0, wireBytes: 0, creditFrames: 0, creditStalls: 0, startMs: 5, endMs: 5, durationMs: 0 });
  assert.throws(() => predictTransfer(model(), -1), RangeError);
  assert.throws(() => predictTransfer(model(), 10, { frameSize: 0 }), RangeError);
});
