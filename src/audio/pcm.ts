/**
 * 16-bit PCM measurement helpers for audio tests and scenarios: a tone
 * generator, channel (de)interleaving, SNR against a reference after
 * finding the delay by cross-correlation, and frequency / level estimates
 * (zero crossings and the Goertzel filter).
 */

export interface ToneOptions {
  /** Tone frequency in Hz. */
  frequency: number;
  /** Samples per second. */
  sampleRate: number;
  /** Samples per channel to produce. */
  samples: number;
  /** Peak amplitude as a fraction of full scale (0..1); default 0.5 (about -6 dBFS). */
  amplitude?: number;
  /** Starting phase in radians; default 0. */
  phase?: number;
  /** Channels to interleave (each carries the same tone); default 1. */
  channels?: number;
}

/** A sine tone as interleaved 16-bit PCM, rounded to the nearest sample value. */
export function tone(options: ToneOptions): Int16Array {
  const amplitude = Math.min(1, Math.max(0, options.amplitude ?? 0.5)) * 32767;
  const channels = Math.max(1, Math.floor(options.channels ?? 1));
  const count = Math.max(0, Math.floor(options.samples));
  const step = (2 * Math.PI * options.frequency) / options.sampleRate;
  const phase = options.phase ?? 0;
  const out = new Int16Array(count * channels);
  for (let i = 0; i < count; i++) {
    const v = Math.round(amplitude * Math.sin(phase + step * i));
    for (let ch = 0; ch < channels; ch++) out[i * channels + ch] = v;
  }
  return out;
}

/** One channel of interleaved PCM. */
export function channelOf(pcm: Int16Array, channels: number, channel: number): Int16Array {
  const frames = Math.floor(pcm.length / channels);
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) out[i] = pcm[i * channels + channel] ?? 0;
  return out;
}

/** Interleaves equally long channels (the shortest one sets the length). */
export function interleave(channels: readonly Int16Array[]): Int16Array {
  const n = channels.length;
  const frames = n === 0 ? 0 : Math.min(...channels.map((c) => c.length));
  const out = new Int16Array(frames * n);
  for (let ch = 0; ch < n; ch++) {
    const src = channels[ch] ?? new Int16Array(0);
    for (let i = 0; i < frames; i++) out[i * n + ch] = src[i] ?? 0;
  }
  return out;
}

export interface SnrOptions {
  /** Largest delay (in samples) of `signal` behind `reference` to try; default 1024. */
  maxDelay?: number;
  /** Smallest delay to try; negative when `signal` may lead. Default 0. */
  minDelay?: number;
  /** Reference samples to leave out at the start (e.g. a filter's warm-up); default 0. */
  skip?: number;
}

export interface SnrResult {
  /** 10 log10(reference energy / error energy) over the compared stretch; Infinity when identical. */
  snrDb: number;
  /** Samples by which `signal` lags `reference` (signal[n + delay] ~ reference[n]). */
  delay: number;
  /** Samples compared. */
  compared: number;
}

/**
 * Signal-to-noise ratio of `signal` against `reference` (both one channel).
 * The delay is the one in minDelay..maxDelay with the largest cross-
 * correlation over a stretch of the reference that every candidate delay
 * can see in full, so no candidate wins by overlapping more. For a strictly
 * periodic reference the delay is only known modulo the period (the SNR is
 * the same either way); use a non-periodic signal to measure latency.
 */
export function snr(reference: ArrayLike<number>, signal: ArrayLike<number>, options: SnrOptions = {}): SnrResult {
  const minDelay = Math.floor(options.minDelay ?? 0);
  const maxDelay = Math.max(minDelay, Math.floor(options.maxDelay ?? 1024));
  const start = Math.max(Math.floor(options.skip ?? 0), -minDelay, 0);
  const end = Math.min(reference.length, signal.length - maxDelay);
  if (end - start <= 0) return { snrDb: Number.NaN, delay: 0, compared: 0 };

  let bestDelay = minDelay;
  let bestCorrelation = -Infinity;
  for (let d = minDelay; d <= maxDelay; d++) {
    let sum = 0;
    for (let n = start; n < end; n++) sum += (reference[n] ?? 0) * (signal[n + d] ?? 0);
    if (sum > bestCorrelation) {
      bestCorrelation = sum;
      bestDelay = d;
    }
  }

  let signalEnergy = 0;
  let errorEnergy = 0;
  for (let n = start; n < end; n++) {
    const r = reference[n] ?? 0;
    const e = r - (signal[n + bestDelay] ?? 0);
    signalEnergy += r * r;
    errorEnergy += e * e;
  }
  const snrDb = errorEnergy === 0 ? Infinity : 10 * Math.log10(signalEnergy / errorEnergy);
  return { snrDb, delay: bestDelay, compared: end - start };
}

/**
 * Frequency of a roughly sinusoidal signal from its rising zero crossings
 * (mean removed, crossing instants interpolated between samples). NaN when
 * fewer than two rising crossings are found.
 */
export function estimateFrequency(samples: ArrayLike<number>, sampleRate: number): number {
  const n = samples.length;
  if (n < 2) return Number.NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += samples[i] ?? 0;
  mean /= n;
  let first = -1;
  let last = -1;
  let crossings = 0;
  let prev = (samples[0] ?? 0) - mean;
  for (let i = 1; i < n; i++) {
    const cur = (samples[i] ?? 0) - mean;
    if (prev < 0 && cur >= 0) {
      const t = i - 1 + -prev / (cur - prev);
      if (first < 0) first = t;
      last = t;
      crossings++;
    }
    prev = cur;
  }
  if (crossings < 2 || last <= first) return Number.NaN;
  return ((crossings - 1) * sampleRate) / (last - first);
}

/**
 * Amplitude (peak, in sample units) of the `frequency` component of
 * `samples`, by the Goertzel recurrence over the whole array. A full-scale
 * sine at exactly that frequency gives about its peak amplitude; leakage
 * from other frequencies is small when the array spans many periods.
 */
export function goertzelAmplitude(samples: ArrayLike<number>, sampleRate: number, frequency: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const w = (2 * Math.PI * frequency) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = (samples[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

/** Root-mean-square level of `samples`, in sample units. */
export function rms(samples: ArrayLike<number>): number {
  const n = samples.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / n);
}
