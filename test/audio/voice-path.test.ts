import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisconnectedError, LinkError, QueueFullError } from '../../src/link/errors';
import { ScoAirMode, ScoChannel, ScoChannelEvents, ScoPacketStatus, hostPacketBytes } from '../../src/link/sco';
import { Emitter } from '../../src/util/emitter';
import { MsbcDecoder, MsbcEncoder } from '../../src/audio/sbc';
import { tone } from '../../src/audio/pcm';
import { VoiceDecoder, VoiceEncoder, VoicePath, VoicePathError } from '../../src/audio/voice-path';

/** A ScoChannel that records what is sent and delivers what a test hands it. */
class FakeChannel implements ScoChannel {
  readonly events = new Emitter<ScoChannelEvents>();
  readonly sent: Uint8Array[] = [];
  readonly handle = 7;
  readonly peerAddress = 'AA:BB:CC:DD:EE:01';
  readonly packetBytes = 60;
  readonly intervalMs = 7.5;
  readonly maxPendingPackets = 4;
  open = true;
  constructor(readonly airMode: ScoAirMode) {}
  get hostPacketBytes(): number {
    return hostPacketBytes(this.airMode, this.packetBytes);
  }
  get pendingPackets(): number {
    return this.sent.length;
  }
  send(packet: Uint8Array): void {
    if (this.sent.length >= this.maxPendingPackets) throw new QueueFullError('fake', this.maxPendingPackets);
    this.sent.push(packet);
  }
  close(): Promise<void> {
    this.open = false;
    this.events.emit('close', 0x16);
    return Promise.resolve();
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const pcm = (...values: number[]): Int16Array => Int16Array.from(values);

test('a codec must fit the channel: mSBC on transparent 60-byte packets, CVSD on a cvsd channel', () => {
  const mismatch = (e: unknown): boolean => e instanceof VoicePathError && e.code === 'voice.codec-mismatch';
  assert.throws(() => new VoicePath(new FakeChannel('cvsd'), { codec: 'msbc' }), mismatch);
  assert.throws(() => new VoicePath(new FakeChannel('transparent'), { codec: 'cvsd' }), mismatch);
  assert.throws(() => new VoiceEncoder('msbc', 'transparent', 48), mismatch);
  assert.throws(
    () => new VoiceEncoder('opus' as 'msbc', 'transparent', 60),
    (e: unknown) => e instanceof VoicePathError && e.code === 'voice.bad-codec',
  );
  assert.throws(
    () => new VoiceDecoder('cvsd', 'cvsd', 120, 'loud' as 'silence'),
    (e: unknown) => e instanceof VoicePathError && e.code === 'voice.bad-concealment',
  );
  assert.equal(new VoicePath(new FakeChannel('cvsd'), { codec: 'cvsd' }).samplesPerPacket, 60);
  assert.equal(new VoicePath(new FakeChannel('transparent'), { codec: 'msbc' }).sampleRate, 16000);
});

test('CVSD: 60 samples per 120-byte packet, 16-bit little-endian; the rest waits', () => {
  const encoder = new VoiceEncoder('cvsd', 'cvsd', 120);
  const input = new Int16Array(150);
  input.set(pcm(0x1234, -2, 32767, -32768), 0);
  input.set(pcm(0x0102), 60);
  const packets = encoder.encode(input);
  assert.equal(packets.length, 2);
  assert.equal(hex(packets[0]?.subarray(0, 8) ?? new Uint8Array()), '3412feffff7f0080');
  assert.equal(hex(packets[1]?.subarray(0, 2) ?? new Uint8Array()), '0201');
  assert.equal(encoder.bufferedSamples, 30);
  assert.equal(encoder.packetsFor(29), 0);
  assert.equal(encoder.packetsFor(30), 1);
  assert.equal(encoder.encode(new Int16Array(30)).length, 1);
  const decoder = new VoiceDecoder('cvsd', 'cvsd', 120);
  assert.deepEqual([...decoder.decode(packets[0] ?? new Uint8Array(), 0).subarray(0, 4)], [0x1234, -2, 32767, -32768]);
});

test('mSBC: 120 samples -> one 60-byte H2 packet (01 08 AD ..., 01 38 AD ..., zero pad), the frames MsbcEncoder makes', () => {
  const input = tone({ frequency: 1000, sampleRate: 16000, samples: 240, amplitude: 0.3 });
  const packets = new VoiceEncoder('msbc', 'transparent', 60).encode(input);
  const frames = new MsbcEncoder().encode(input);
  assert.equal(packets.length, 2);
  assert.deepEqual(
    packets.map((p) => [p.length, hex(p.subarray(0, 3)), p[59]]),
    [
      [60, '0108ad', 0],
      [60, '0138ad', 0],
    ],
  );
  assert.equal(hex(packets[1]?.subarray(2, 59) ?? new Uint8Array()), hex(frames[1] ?? new Uint8Array()));
});

/** mSBC packets of a 1 kHz tone and what a fresh decoder makes of each frame. */
function msbcStream(count: number): { packets: Uint8Array[]; decoded: Int16Array[] } {
  const input = tone({ frequency: 1000, sampleRate: 16000, samples: 120 * count, amplitude: 0.3 });
  const packets = new VoiceEncoder('msbc', 'transparent', 60).encode(input);
  const reference = new MsbcDecoder();
  return { packets, decoded: packets.map((p) => reference.decode(p.subarray(2, 59))) };
}

test('mSBC: a packet lost on the air (NoData zeros) is concealed at once and counted; later frames decode as before', () => {
  const { packets, decoded } = msbcStream(8);
  const decoder = new VoiceDecoder('msbc', 'transparent', 60);
  const out: Int16Array[] = [];
  packets.forEach((p, i) => {
    out.push(i === 3 ? decoder.decode(new Uint8Array(60), ScoPacketStatus.NoData) : decoder.decode(p, ScoPacketStatus.Ok));
  });
  assert.deepEqual(
    out.map((o) => o.length),
    Array(8).fill(120),
  );
  assert.ok(out[3]?.every((v) => v === 0));
  assert.deepEqual([...(out[2] ?? [])], [...(decoded[2] ?? [])]);
  assert.deepEqual(decoder.stats, { packetsReceived: 8, flaggedPackets: 1, framesDecoded: 7, lostFrames: 1, outOfSequence: 1, undecodable: 0 });
});

test('mSBC: a packet that never arrives is found from the H2 sequence gap; a burst of 5 zero packets counts 5', () => {
  const { packets } = msbcStream(16);
  const decoder = new VoiceDecoder('msbc', 'transparent', 60);
  let samples = 0;
  packets.forEach((p, i) => {
    if (i === 2) return; // vanished without a trace
    const zero = i >= 6 && i <= 10;
    samples += decoder.decode(zero ? new Uint8Array(60) : p, zero ? ScoPacketStatus.NoData : ScoPacketStatus.Ok).length;
  });
  assert.equal(samples, 16 * 120); // every frame's worth of time is there, concealed or not
  const stats = decoder.stats;
  assert.equal(stats.lostFrames, 6);
  assert.equal(stats.framesDecoded, 10);
  assert.equal(stats.flaggedPackets, 5);
});

test('mSBC: before the first frame the output is silence; only packets flagged lost count as lost', () => {
  const { packets } = msbcStream(3);
  const decoder = new VoiceDecoder('msbc', 'transparent', 60);
  assert.ok(decoder.decode(new Uint8Array(60), ScoPacketStatus.Ok).every((v) => v === 0)); // peer not sending mSBC yet
  assert.ok(decoder.decode(new Uint8Array(60), ScoPacketStatus.NoData).every((v) => v === 0)); // a first frame lost
  for (const p of packets) decoder.decode(p, 0);
  assert.equal(decoder.stats.lostFrames, 1);
  assert.equal(decoder.stats.framesDecoded, 3);
});

test("concealment 'repeat' replays the last frame, halving it for each further loss; 'silence' gives zeros", () => {
  const good = new Int16Array(60).fill(1000);
  const bytes = new VoiceEncoder('cvsd', 'cvsd', 120).encode(good)[0] ?? new Uint8Array();
  const lost = new Uint8Array(120);
  const repeat = new VoiceDecoder('cvsd', 'cvsd', 120, 'repeat');
  repeat.decode(bytes, ScoPacketStatus.Ok);
  const levels = [1, 2, 3].map(() => repeat.decode(lost, ScoPacketStatus.NoData)[0]);
  assert.deepEqual(levels, [1000, 500, 250]);
  assert.equal(repeat.decode(bytes, 0)[0], 1000);
  assert.equal(repeat.decode(lost, ScoPacketStatus.PartiallyLost)[0], 1000);
  assert.equal(repeat.stats.lostFrames, 4);
  const silence = new VoiceDecoder('cvsd', 'cvsd', 120);
  silence.decode(bytes, 0);
  assert.ok(silence.decode(lost, ScoPacketStatus.NoData).every((v) => v === 0));
});

test('VoicePath: sends whole packets, hears each one as audio, refuses when closed or when the queue cannot take it all', async () => {
  const channel = new FakeChannel('cvsd');
  const path = new VoicePath(channel, { codec: 'cvsd' });
  const heard: number[] = [];
  const closes: number[] = [];
  path.events.on('audio', (samples) => heard.push(samples.length));
  path.events.on('close', (reason) => closes.push(reason));
  path.send(new Int16Array(100));
  assert.equal(channel.sent.length, 1);
  // 40 samples wait; the queue has room for 3 more packets. 200 more would make 4: nothing is taken.
  assert.throws(() => path.send(new Int16Array(200)), (e: unknown) => e instanceof QueueFullError);
  assert.equal(channel.sent.length, 1);
  path.send(new Int16Array(199)); // 239 samples: 3 packets, 59 wait
  assert.equal(channel.sent.length, 4);
  assert.equal(path.stats.packetsSent, 4);
  channel.events.emit('packet', new Uint8Array(120), ScoPacketStatus.Ok);
  channel.events.emit('packet', new Uint8Array(120), ScoPacketStatus.NoData);
  assert.deepEqual(heard, [60, 60]);
  assert.equal(path.stats.lostFrames, 1);
  await channel.close();
  assert.deepEqual(closes, [0x16]);
  assert.throws(() => path.send(new Int16Array(60)), (e: unknown) => e instanceof DisconnectedError && e instanceof LinkError);
  channel.events.emit('packet', new Uint8Array(120), 0); // detached: no longer heard
  assert.deepEqual(heard, [60, 60]);
});
