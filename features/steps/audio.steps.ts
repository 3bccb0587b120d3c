/**
 * Step definitions for the call audio scenarios (features/calls/audio.feature):
 * which SCO channel the phone opens for the agreed codec, and a tone played
 * each way, measured for frequency, SNR and latency against the link model.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { ToneSource, measureTone } from '../../src/audio/audio-endpoint';
import { MSBC_CODEC_DELAY_SAMPLES, VOICE_SAMPLE_RATES } from '../../src/audio/voice-path';
import { CVSD_CODEC_DELAY_SAMPLES } from '../../src/link/memory/sco';
import type { MemoryScoConnection } from '../../src/link/memory/sco';
import type { PhoneBridgeWorld } from '../../src/harness/world';

/** HFP codec ids by the names the scenarios use. */
const CODECS: Readonly<Record<string, number>> = { CVSD: 1, mSBC: 2 };
/** Silence before each side's tone, so the onset is measurable; the PC starts a little later than the phone. */
const PHONE_LEAD_MS = 50;
const PC_LEAD_MS = 80;
/** The PC starts its tone this long after the phone's, so the two directions meet the slots at different phases. */
const PC_OFFSET_MS = 3;
/** Source chunk length: AudioEndpoint hands samples on every 7.5 ms. */
const CHUNK_MS = 7.5;

function codecId(name: string): number {
  const id = CODECS[name];
  assert.ok(id !== undefined, `unknown codec ${JSON.stringify(name)} (known: ${Object.keys(CODECS).join(', ')})`);
  return id;
}

function setPcCodecs(world: PhoneBridgeWorld, codecs: number[]): void {
  assert.ok(!world.hasTestbed, 'the PC\'s codecs must be set before the testbed is built');
  world.testbedOverrides.handsFree = { codecs };
}

function audioSides(world: PhoneBridgeWorld) {
  const phone = world.tb.phone.audio;
  const pc = world.tb.pc.callAudio;
  assert.ok(phone, 'the phone has no call audio (no SCO radio or no HFP in this profile)');
  assert.ok(pc, 'the PC has no call audio (no SCO radio)');
  return { phone, pc };
}

function describeAudio(world: PhoneBridgeWorld): string {
  const { phone, pc } = audioSides(world);
  return `phone: ${phone.state} ${phone.channel?.airMode ?? '-'} codec ${phone.codec ?? '-'}; PC: ${pc.open ? 'open' : 'idle'} ${pc.channel?.airMode ?? '-'} codec ${pc.codec ?? '-'}`;
}

async function within(world: PhoneBridgeWorld, s: number, check: () => boolean, what: string): Promise<void> {
  try {
    await world.tb.clock.runUntil(check, Math.round(s * 1000));
  } catch {
    assert.fail(`${what} within ${s} s of link time (${describeAudio(world)})`);
  }
}

function liveConnection(world: PhoneBridgeWorld): MemoryScoConnection {
  const live = world.tb.sco.connections().filter((c) => c.alive);
  assert.equal(live.length, 1, `expected one SCO connection, found ${live.length}`);
  const [connection] = live;
  assert.ok(connection);
  return connection;
}

Given("the PC's hands-free unit offers only CVSD", function (this: PhoneBridgeWorld) {
  setPcCodecs(this, [1]);
});

Given("the PC's hands-free unit offers CVSD and mSBC", function (this: PhoneBridgeWorld) {
  setPcCodecs(this, [1, 2]);
});

Then('within {float} s of link time call audio is open on both sides in {word} air mode with {word}', async function (this: PhoneBridgeWorld, s: number, mode: string, name: string) {
  const codec = codecId(name);
  const { phone, pc } = audioSides(this);
  await within(this, s, () => phone.state === 'open' && pc.open, 'call audio opens on both sides');
  assert.equal(phone.channel?.airMode, mode, `the phone's SCO air mode (${describeAudio(this)})`);
  assert.equal(pc.channel?.airMode, mode, `the PC's SCO air mode (${describeAudio(this)})`);
  assert.equal(phone.codec, codec, 'the phone opened audio with another codec');
  assert.equal(pc.codec, codec, 'the PC decodes audio with another codec');
  assert.equal(this.tb.pc.handsFree?.codec, codec, 'the hands-free session agreed another codec');
  assert.equal(liveConnection(this).settings.airMode, mode);
  await this.figure({ name: `SCO channels open (${name})`, value: this.tb.sco.connections().filter((c) => c.alive).length, unit: 'channels', predicted: 1 });
});

Then('within {float} s of link time call audio is closed on both sides', async function (this: PhoneBridgeWorld, s: number) {
  const { phone, pc } = audioSides(this);
  await within(this, s, () => phone.state === 'idle' && !pc.open && this.tb.sco.connections().every((c) => !c.alive), 'call audio closes on both sides');
});

When('the phone and the PC each play a {int} kHz tone for {int} s', async function (this: PhoneBridgeWorld, khz: number, s: number) {
  const { phone, pc } = audioSides(this);
  const fromPhone = phone.playTone({ frequency: khz * 1000, leadSilenceMs: PHONE_LEAD_MS, durationMs: s * 1000 });
  await this.tb.clock.runFor(PC_OFFSET_MS);
  const fromPc = pc.playTone({ frequency: khz * 1000, leadSilenceMs: PC_LEAD_MS, durationMs: s * 1000 });
  this.notes.toneFromPhone = fromPhone;
  this.notes.toneFromPc = fromPc;
  await this.tb.clock.runFor(s * 1000 + 200);
  assert.equal(fromPhone.error, undefined, `the phone's tone stopped: ${String(fromPhone.error)}`);
  assert.equal(fromPc.error, undefined, `the PC's tone stopped: ${String(fromPc.error)}`);
});

/**
 * The link model's latency for a sample played at one end and heard at the other:
 *
 *   latency = packetisation + slot wait + link latency + codec delay
 *
 * - packetisation: a source hands its samples on once its 7.5 ms chunk is captured (CHUNK_MS);
 * - slot wait: the chunk goes in the first slot strictly after that, slots being
 *   anchor + k * interval: interval - ((start - anchor) mod interval), a whole interval when in phase;
 * - link latency: the SCO link's one-way latency;
 * - codec delay: CVSD's controller filters (CVSD_CODEC_DELAY_SAMPLES at 8 kHz, 2 ms) or
 *   mSBC's filterbanks (MSBC_CODEC_DELAY_SAMPLES at 16 kHz, 4.5625 ms).
 */
function predictedLatency(connection: MemoryScoConnection, tone: ToneSource, codec: 'cvsd' | 'msbc'): number {
  const { intervalMs, latencyMs } = connection.settings;
  let phase = (((tone.startedAt - connection.anchor) % intervalMs) + intervalMs) % intervalMs;
  if (intervalMs - phase < 1e-9) phase = 0;
  const wait = intervalMs - phase;
  const codecDelay = codec === 'msbc' ? (MSBC_CODEC_DELAY_SAMPLES * 1000) / VOICE_SAMPLE_RATES.msbc : (CVSD_CODEC_DELAY_SAMPLES * 1000) / VOICE_SAMPLE_RATES.cvsd;
  return CHUNK_MS + wait + latencyMs + codecDelay;
}

async function checkDirection(world: PhoneBridgeWorld, direction: 'phone -> PC' | 'PC -> phone', frequency: number, tolerance: number, snrBound: number): Promise<void> {
  const { phone, pc } = audioSides(world);
  const tone = (direction === 'phone -> PC' ? world.notes.toneFromPhone : world.notes.toneFromPc) as ToneSource | undefined;
  const sink = direction === 'phone -> PC' ? pc.recording : phone.recording;
  const path = direction === 'phone -> PC' ? pc.path : phone.path;
  assert.ok(tone, 'no tone was played in this scenario');
  assert.ok(sink && path, `nothing was recorded ${direction}`);
  const m = measureTone(tone, sink);
  const predicted = predictedLatency(liveConnection(world), tone, path.codec);
  const label = `${direction} (${path.codec === 'msbc' ? 'mSBC' : 'CVSD'})`;
  await world.figure({ name: `${label} tone frequency`, value: m.frequencyHz, unit: 'Hz', predicted: frequency, lowerBound: frequency - tolerance, bound: frequency + tolerance });
  await world.figure({ name: `${label} SNR`, value: m.snrDb, unit: 'dB', lowerBound: snrBound });
  await world.figure({
    name: `${label} latency`,
    value: m.latencyMs,
    unit: 'ms',
    predicted,
    note: 'packetisation 7.5 ms + slot wait + link latency + codec delay',
  });
  assert.ok(Math.abs(m.frequencyHz - frequency) <= tolerance, `${label}: heard ${m.frequencyHz.toFixed(2)} Hz`);
  assert.ok(m.snrDb > snrBound, `${label}: SNR ${m.snrDb.toFixed(1)} dB, bound ${snrBound} dB`);
  assert.ok(Math.abs(m.latencyMs - predicted) < 1e-6, `${label}: latency ${m.latencyMs} ms, predicted ${predicted} ms`);
}

Then("the PC hears the phone's tone at {int} Hz within {int} Hz, with an SNR above {int} dB, at the predicted latency", async function (this: PhoneBridgeWorld, hz: number, tolerance: number, snr: number) {
  await checkDirection(this, 'phone -> PC', hz, tolerance, snr);
});

Then("the phone hears the PC's tone at {int} Hz within {int} Hz, with an SNR above {int} dB, at the predicted latency", async function (this: PhoneBridgeWorld, hz: number, tolerance: number, snr: number) {
  await checkDirection(this, 'PC -> phone', hz, tolerance, snr);
});

Then('no voice frame was lost either way', async function (this: PhoneBridgeWorld) {
  const { phone, pc } = audioSides(this);
  const atPc = pc.stats;
  const atPhone = phone.stats;
  assert.ok(atPhone, 'the phone has no call audio figures');
  await this.figure({ name: 'voice frames received by the PC', value: atPc.frames, unit: 'frames' });
  await this.figure({ name: 'voice frames lost to the PC', value: atPc.lost, unit: 'frames', bound: 0 });
  await this.figure({ name: 'voice frames lost to the phone', value: atPhone.lostFrames, unit: 'frames', bound: 0 });
  assert.ok(atPc.frames > 0, 'the PC received no voice frames');
  assert.ok(atPhone.packetsReceived > 0, 'the phone received no voice packets');
  assert.equal(atPc.lost, 0, 'frames lost on the way to the PC');
  assert.equal(atPhone.lostFrames, 0, 'frames lost on the way to the phone');
});
