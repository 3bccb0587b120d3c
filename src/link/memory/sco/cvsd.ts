/**
 * CVSD as a controller codes it on the air in 'cvsd' mode, so the in-memory
 * link degrades voice the way a real SCO link does: 8 kHz 16-bit PCM is
 * interpolated to 64 kHz, delta-modulated at one bit per 64 kHz step (one
 * air byte per 8 kHz sample, 64 kbit/s), and on the far side integrated
 * back and decimated to 8 kHz.
 *
 * The delta modulator follows the Bluetooth Core CVSD description: step
 * size grows by delta-min while the last J = 4 of K = 4 bits agree and
 * otherwise decays by beta = 1 - 1/1024 (never below delta-min 10 nor above
 * delta-max 1280); the accumulator saturates at 16 bits and leaks by
 * h = 1 - 1/32 per step. The resampling filters are our own: 129-tap
 * Hamming-windowed low-pass FIRs at 64 kHz (flat to 3 kHz, -57 dB from
 * 5 kHz), each delaying by 64 steps, so the codec delays by exactly
 * CVSD_CODEC_DELAY_SAMPLES (16, i.e. 2 ms) at 8 kHz. Bits go
 * into air bytes least significant first. At -6 dBFS a 1 kHz tone already
 * overloads the slope (delta-max * 64000 / 2 pi 1000 is about 13000); speech
 * levels (-12 dBFS and below) pass; higher tones overload sooner (3 kHz
 * near -18 dBFS), as with real CVSD.
 */

/** 64 kHz modulator steps per 8 kHz sample (bits per air byte). */
export const CVSD_OVERSAMPLING = 8;
/** Taps of the interpolation and decimation filters. */
export const CVSD_FILTER_TAPS = 129;
/** Samples (8 kHz) by which CVSD encode + decode delays the signal: two filters of 32 steps each. */
export const CVSD_CODEC_DELAY_SAMPLES = (2 * ((CVSD_FILTER_TAPS - 1) / 2)) / CVSD_OVERSAMPLING;

const STEP_MIN = 10;
const STEP_MAX = 1280;
const STEP_DECAY = 1 - 1 / 1024;
const LEAK = 1 - 1 / 32;
const Y_MAX = 32767;
const Y_MIN = -32768;
/** K = J = 4: the step grows while the last four bits are all equal. */
const RUN_MASK = 0b1111;
/** Low-pass cutoff of both filters, Hz at 64 kHz. */
const CUTOFF_HZ = 3800;
const STEP_RATE = 8000 * CVSD_OVERSAMPLING;

/** Hamming-windowed sinc low-pass, normalised to unity gain at DC. */
function lowPassTaps(count: number, cutoffHz: number, sampleRate: number): Float64Array {
  const taps = new Float64Array(count);
  const middle = (count - 1) / 2;
  const fc = cutoffHz / sampleRate;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const t = i - middle;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const window = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (count - 1));
    taps[i] = sinc * window;
    sum += sinc * window;
  }
  for (let i = 0; i < count; i++) taps[i] = (taps[i] ?? 0) / sum;
  return taps;
}

const TAPS = lowPassTaps(CVSD_FILTER_TAPS, CUTOFF_HZ, STEP_RATE);

/** The adaptive delta modulator both ends run; `step(bit)` returns the reconstructed value. */
class DeltaModulator {
  private estimate = 0;
  private stepSize = STEP_MIN;
  /** Alternating start, so the first bits do not count as a run. */
  private history = 0b0101;

  /** The value the next input is compared with. */
  get prediction(): number {
    return this.estimate;
  }

  step(bit: number): number {
    this.history = ((this.history << 1) | (bit & 1)) & RUN_MASK;
    const run = this.history === 0 || this.history === RUN_MASK;
    this.stepSize = run ? Math.min(this.stepSize + STEP_MIN, STEP_MAX) : Math.max(this.stepSize * STEP_DECAY, STEP_MIN);
    const raw = this.estimate + (bit & 1 ? this.stepSize : -this.stepSize);
    const y = Math.min(Y_MAX, Math.max(Y_MIN, raw));
    this.estimate = LEAK * y;
    return y;
  }
}

/** The sending controller: 16-bit PCM at 8 kHz in, one CVSD air byte per sample out. */
export class CvsdEncoder {
  private readonly modulator = new DeltaModulator();
  /** The last input samples, newest at index 0 (enough for the polyphase filter). */
  private readonly recent = new Float64Array(Math.ceil(CVSD_FILTER_TAPS / CVSD_OVERSAMPLING));

  encode(pcm: Int16Array): Uint8Array {
    const out = new Uint8Array(pcm.length);
    for (let n = 0; n < pcm.length; n++) {
      this.recent.copyWithin(1, 0, this.recent.length - 1);
      this.recent[0] = pcm[n] ?? 0;
      let byte = 0;
      for (let phase = 0; phase < CVSD_OVERSAMPLING; phase++) {
        const x = this.interpolate(phase);
        const bit = x >= this.modulator.prediction ? 1 : 0;
        this.modulator.step(bit);
        byte |= bit << phase;
      }
      out[n] = byte;
    }
    return out;
  }

  /** The 64 kHz sample at `phase` steps after the newest input: zero-stuffed input through the low-pass, gain 8. */
  private interpolate(phase: number): number {
    let acc = 0;
    for (let i = phase, k = 0; i < CVSD_FILTER_TAPS; i += CVSD_OVERSAMPLING, k++) acc += (TAPS[i] ?? 0) * (this.recent[k] ?? 0);
    return acc * CVSD_OVERSAMPLING;
  }
}

/** The receiving controller: CVSD air bytes in, 16-bit PCM at 8 kHz out. */
export class CvsdDecoder {
  private readonly modulator = new DeltaModulator();
  /** The last 64 kHz reconstructed values, a ring; `head` is where the next goes. */
  private readonly ring = new Float64Array(CVSD_FILTER_TAPS);
  private head = 0;

  decode(air: Uint8Array): Int16Array {
    const out = new Int16Array(air.length);
    for (let n = 0; n < air.length; n++) {
      const byte = air[n] ?? 0;
      out[n] = this.sample(byte);
    }
    return out;
  }

  /**
   * A packet that never arrived: the modulator idles on alternating bits
   * (so its state decays as for silence) and the host gets `samples` zeros.
   */
  skip(samples: number): Int16Array {
    for (let n = 0; n < samples; n++) this.sample(0b01010101);
    return new Int16Array(samples);
  }

  /** Runs one air byte and returns the decimated sample aligned with its first bit. */
  private sample(byte: number): number {
    let result = 0;
    for (let phase = 0; phase < CVSD_OVERSAMPLING; phase++) {
      this.ring[this.head] = this.modulator.step((byte >> phase) & 1);
      if (phase === 0) result = this.decimate();
      this.head = (this.head + 1) % CVSD_FILTER_TAPS;
    }
    return Math.max(-32768, Math.min(32767, Math.round(result)));
  }

  /** The low-pass output at the newest value in the ring. */
  private decimate(): number {
    let acc = 0;
    let index = this.head;
    for (let i = 0; i < CVSD_FILTER_TAPS; i++) {
      acc += (TAPS[i] ?? 0) * (this.ring[index] ?? 0);
      index = index === 0 ? CVSD_FILTER_TAPS - 1 : index - 1;
    }
    return acc;
  }
}
