/**
 * OBEX body throughput: MB/s (wall time) of a 4 MB GET body that an
 * ObexServerSession streams in 64 KB source chunks and an ObexClientSession
 * pulls, max packet length 65535, with and without SRM, over the in-memory
 * classic link with the link model's timing as fast as its rules allow
 * (3 Mbit/s, the largest bitrate checkClassicModel accepts; no latency,
 * connect or SDP time; the largest RFCOMM frame and credit window). Virtual
 * link time costs no wall time, so what remains is the link's per-frame
 * machinery. Baseline in the same run: the same sessions wired directly
 * back to back, no link. Every transfer is checked byte for byte.
 * Run directly: `node -r ts-node/register/transpile-only bench/obex-throughput.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { BenchFigure } from './index';
import { COD_AUDIO_VIDEO_HANDS_FREE, type ByteChannel } from '../src/link/classic';
import { type ClassicLinkModel, DEFAULT_CLASSIC_MODEL, RFCOMM_MAX_CREDITS, RFCOMM_MAX_FRAME_SIZE } from '../src/link/classic-model';
import { MemoryClassicAir } from '../src/link/memory/classic';
import { VirtualClock } from '../src/link/virtual-clock';
import { ObexClientSession, ObexServerSession } from '../src/protocol/obex';

const BODY_BYTES = 4 * 1024 * 1024;
const SOURCE_CHUNK = 64 * 1024;
const MAX_PACKET = 65535;
const CHANNEL = 12;
const WARMUP_ROUNDS = 1;
const ROUNDS = 5;
const PHONE = '02:00:00:00:00:0B';
const PC = 'AA:BB:CC:DD:EE:0B';

/** The classic model with its timing switched off as far as checkClassicModel allows. */
const FAST_MODEL: ClassicLinkModel = {
  ...DEFAULT_CLASSIC_MODEL,
  bitrate: 3_000_000,
  latencyMs: 0,
  connectSetupMs: 0,
  sdpQueryMs: 0,
  pairingMs: 0,
  rfcommFrameSize: RFCOMM_MAX_FRAME_SIZE,
  initialCredits: RFCOMM_MAX_CREDITS,
  creditReturnThreshold: Math.floor(RFCOMM_MAX_CREDITS / 2),
  txQueueLimitBytes: 64 * 1024 * 1024,
};

const BODY = (() => {
  const bytes = new Uint8Array(BODY_BYTES);
  let x = 0x1234567;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
})();

async function* bodyChunks(): AsyncIterable<Uint8Array> {
  for (let at = 0; at < BODY.length; at += SOURCE_CHUNK) yield BODY.subarray(at, at + SOURCE_CHUNK);
}

function server(clock: VirtualClock, send: (bytes: Uint8Array) => void): ObexServerSession {
  return new ObexServerSession({
    send,
    clock,
    maxPacketLength: MAX_PACKET,
    handlers: { get: () => ({ body: bodyChunks() }) },
  });
}

/** Runs the GET on `client` while driving `clock`; returns the wall time of the GET alone, after checking the bytes. */
async function timedGet(clock: VirtualClock, client: ObexClientSession, srm: boolean): Promise<number> {
  let settled = false;
  let failure: unknown;
  await drive(clock, client.connect({ maxPacketLength: MAX_PACKET }));
  const received = new Uint8Array(BODY_BYTES);
  let at = 0;
  const started = performance.now();
  const done = client
    .get({ name: 'big', srm }, {
      onBody(chunk) {
        if (at + chunk.length > received.length) throw new RangeError('more body than sent');
        received.set(chunk, at);
        at += chunk.length;
      },
    })
    .then(
      (result) => {
        if (result.srm !== srm) failure = new Error(`SRM ${result.srm}, asked ${srm}`);
      },
      (err: unknown) => (failure = err),
    )
    .finally(() => (settled = true));
  await clock.runUntil(() => settled, 3_600_000);
  const ms = performance.now() - started;
  await done;
  if (failure) throw failure;
  if (at !== BODY_BYTES || Buffer.compare(Buffer.from(received), Buffer.from(BODY)) !== 0) throw new Error(`body mismatch: ${at} bytes`);
  return ms;
}

async function drive<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => (settled = true));
  await clock.runUntil(() => settled, 600_000);
  return tracked;
}

/** One GET through the in-memory classic link; wall ms. */
async function overLink(srm: boolean): Promise<number> {
  const clock = new VirtualClock({ seed: 1 });
  const air = new MemoryClassicAir(clock, { seed: 1 });
  const host = air.createHost({ address: PHONE, name: 'bench', classOfDevice: 0x7a020c, model: FAST_MODEL });
  host.listen(CHANNEL, (_peer, channel) => {
    const s = server(clock, (bytes) => channel.write(bytes));
    channel.events.on('data', (chunk) => s.receive(chunk));
    return true;
  });
  const pc = air.createClient({ address: PC, classOfDevice: COD_AUDIO_VIDEO_HANDS_FREE });
  const connection = await drive(clock, pc.connect(PHONE));
  await drive(clock, connection.pair());
  const channel: ByteChannel = await drive(clock, connection.openChannel(CHANNEL));
  const client = new ObexClientSession({ send: (bytes) => channel.write(bytes), clock, maxPacketLength: MAX_PACKET });
  channel.events.on('data', (chunk) => client.receive(chunk));
  const ms = await timedGet(clock, client, srm);
  client.close();
  await drive(clock, channel.close());
  await clock.runUntilIdle({ until: clock.now() + 600_000 });
  return ms;
}

/** One GET with the sessions wired back to back (each side's bytes handed over on the next clock turn); wall ms. */
async function backToBack(srm: boolean): Promise<number> {
  const clock = new VirtualClock({ seed: 1 });
  let s: ObexServerSession | undefined;
  const client = new ObexClientSession({
    send: (bytes) => {
      const copy = bytes.slice();
      clock.schedule(0, () => s?.receive(copy));
    },
    clock,
    maxPacketLength: MAX_PACKET,
  });
  s = server(clock, (bytes) => {
    const copy = bytes.slice();
    clock.schedule(0, () => client.receive(copy));
  });
  const ms = await timedGet(clock, client, srm);
  client.close();
  s.close();
  await clock.runUntilIdle({ until: clock.now() + 600_000 });
  return ms;
}

async function medianMs(run: () => Promise<number>): Promise<number> {
  for (let i = 0; i < WARMUP_ROUNDS; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) times.push(await run());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

const mbPerS = (ms: number): number => BODY_BYTES / (1024 * 1024) / (ms / 1000);

export async function run(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const srm of [false, true]) {
    const direct = mbPerS(await medianMs(() => backToBack(srm)));
    const link = mbPerS(await medianMs(() => overLink(srm)));
    figures.push({
      name: `OBEX GET 4 MB, ${srm ? 'SRM' : 'no SRM'}, in-memory classic link`,
      value: link,
      unit: 'MB/s',
      baseline: { name: 'sessions back to back', value: direct, unit: 'MB/s' },
      better: 'higher',
      note: `64 KB chunks, max packet ${MAX_PACKET}, RFCOMM frame ${FAST_MODEL.rfcommFrameSize}, median of ${ROUNDS}`,
    });
  }
  return figures;
}

if (require.main === module) {
  void run().then((figures) => {
    for (const f of figures) {
      const ratio = f.baseline ? ` | baseline ${f.baseline.name}: ${f.baseline.value.toFixed(1)} MB/s | ratio ${(f.value / f.baseline.value).toFixed(2)}x` : '';
      console.log(`${f.name}: ${f.value.toFixed(1)} ${f.unit}${ratio} (${f.note ?? ''})`);
    }
  }, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
