/**
 * mSBC speed: how many times faster than real time our encoder and decoder
 * run on one core, each beside a baseline measured in the same run (the
 * 4-subband SBC codec at the same 16 kHz mono, which does half the
 * filterbank work per sample), plus the whole call path through H2.
 * Run directly: `node -r ts-node/register/transpile-only bench/msbc.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { BenchFigure } from './index';
import {
  Allocation,
  ChannelMode,
  H2Unwrapper,
  H2Wrapper,
  MsbcDecoder,
  MsbcEncoder,
  SbcDecoder,
  SbcEncoder,
} from '../src/audio/sbc';
import { tone } from '../src/audio/pcm';

const SAMPLE_RATE = 16000;
const SECONDS = 20;
const ROUNDS = 3;

/** A 4-subband SBC encoder with mSBC's rate, channel and bit budget per sample. */
function baselineEncoder(): SbcEncoder {
  return new SbcEncoder({
    sampleRate: SAMPLE_RATE,
    channelMode: ChannelMode.Mono,
    blocks: 16,
    subbands: 4,
    allocation: Allocation.Loudness,
    bitpool: 13,
  });
}

/** Best (shortest) wall time of `rounds` runs of `work`, after one warm-up run, in seconds. */
function bestTime(work: () => void, rounds = ROUNDS): number {
  work();
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    work();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

function speech(): Int16Array {
  // A 1 kHz tone with a slow second partial: enough to give every band some bits.
  const a = tone({ frequency: 1000, sampleRate: SAMPLE_RATE, samples: SAMPLE_RATE * SECONDS, amplitude: 0.4 });
  const b = tone({ frequency: 2900, sampleRate: SAMPLE_RATE, samples: SAMPLE_RATE * SECONDS, amplitude: 0.1 });
  return a.map((v, i) => v + (b[i] ?? 0));
}

export async function run(): Promise<BenchFigure[]> {
  const pcm = speech();
  const realTime = (seconds: number): number => SECONDS / seconds;

  let msbcFrames: Uint8Array[] = [];
  const msbcEncode = bestTime(() => {
    msbcFrames = new MsbcEncoder().encode(pcm);
  });
  let sbc4Frames: Uint8Array[] = [];
  const sbc4Encode = bestTime(() => {
    sbc4Frames = baselineEncoder().encode(pcm);
  });

  const msbcDecode = bestTime(() => {
    const dec = new MsbcDecoder();
    for (const f of msbcFrames) dec.decode(f);
  });
  const sbc4Decode = bestTime(() => {
    const dec = new SbcDecoder();
    for (const f of sbc4Frames) dec.decode(f);
  });

  // The call path: encode, wrap in H2, recover from 48-byte chunks (a USB-like split), decode.
  const callPath = bestTime(() => {
    const wrapper = new H2Wrapper();
    const stream = Buffer.concat(new MsbcEncoder().encode(pcm).map((f) => wrapper.wrap(f)));
    const unwrapper = new H2Unwrapper();
    const dec = new MsbcDecoder();
    for (let pos = 0; pos < stream.length; pos += 48) {
      for (const got of unwrapper.push(stream.subarray(pos, pos + 48))) dec.decode(got.frame);
    }
  });

  const baselineOf = (name: string, seconds: number): BenchFigure['baseline'] => ({ name, value: realTime(seconds), unit: 'x real time' });
  return [
    {
      name: 'mSBC encode',
      value: realTime(msbcEncode),
      unit: 'x real time',
      better: 'higher',
      baseline: baselineOf('SBC 4-subband encode, 16 kHz mono', sbc4Encode),
      note: `${SECONDS} s of 16 kHz audio, one core`,
    },
    {
      name: 'mSBC decode',
      value: realTime(msbcDecode),
      unit: 'x real time',
      better: 'higher',
      baseline: baselineOf('SBC 4-subband decode, 16 kHz mono', sbc4Decode),
    },
    {
      name: 'mSBC encode + H2 wrap + unwrap + decode',
      value: realTime(callPath),
      unit: 'x real time',
      better: 'higher',
      baseline: baselineOf('mSBC encode alone', msbcEncode),
    },
  ];
}

if (require.main === module) {
  void run().then((figures) => {
    for (const f of figures) {
      const base = f.baseline ? `  (baseline ${f.baseline.name}: ${f.baseline.value.toFixed(0)} ${f.baseline.unit})` : '';
      console.log(`${f.name}: ${f.value.toFixed(0)} ${f.unit}${base}`);
    }
  });
}
