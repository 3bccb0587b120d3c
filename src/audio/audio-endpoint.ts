/**
 * The audio ends of a call, as a phone or a PC uses them in tests and
 * scenarios: a tone generator that plays into a VoicePath in real time on
 * the Clock, a recorder that keeps what the path delivers with the time
 * each piece arrived, and `measureTone`, which compares the two for
 * frequency, SNR and latency.
 *
 * Time model: the source's sample n is captured at startedAt + n / rate
 * and handed on at the end of its chunk (every chunkMs, default 7.5 ms);
 * the sink plays a delivered piece from the moment it arrives, sample j of
 * the piece at arrival + j / rate. Latency is play time minus capture time
 * of the same sample.
 */
import { Clock, Timer } from '../link/clock';
import { DisconnectedError, QueueFullError } from '../link/errors';
import { estimateFrequency, goertzelAmplitude, snr } from './pcm';
import type { VoicePath } from './voice-path';

/** Default cap on what a source remembers and a sink records: 60 s. */
const DEFAULT_MAX_SECONDS = 60;

export interface ToneSourceOptions {
  /** Hz. */
  frequency: number;
  /** Peak as a fraction of full scale; default 0.25 (-12 dBFS, a speech-like level CVSD carries). */
  amplitude?: number;
  /** Silence before the tone starts, ms; default 0. A lead makes the onset measurable. */
  leadSilenceMs?: number;
  /** Tone length after the lead, ms; default: until stopped. */
  durationMs?: number;
  /** How often samples are handed on, ms; default 7.5. */
  chunkMs?: number;
  /** Samples remembered as the reference; default 60 s worth. Past it the source stops. */
  maxSamples?: number;
}

/** A sine tone (after optional silence) produced in real time on a Clock. */
export class ToneSource {
  private readonly amplitude: number;
  private readonly leadSamples: number;
  private readonly totalSamples: number;
  private readonly chunkMs: number;
  private readonly maxSamples: number;
  private readonly produced: Int16Array[] = [];
  private emitted = 0;
  private chunkIndex = 0;
  private startTime = Number.NaN;
  private timer: Timer | undefined;
  private consumer: ((pcm: Int16Array) => void) | undefined;
  private failure: unknown;

  constructor(
    private readonly clock: Clock,
    readonly sampleRate: number,
    readonly options: ToneSourceOptions,
  ) {
    this.amplitude = Math.min(1, Math.max(0, options.amplitude ?? 0.25)) * 32767;
    this.leadSamples = Math.round(((options.leadSilenceMs ?? 0) * sampleRate) / 1000);
    const duration = options.durationMs;
    this.totalSamples = duration === undefined ? Number.POSITIVE_INFINITY : this.leadSamples + Math.round((duration * sampleRate) / 1000);
    this.chunkMs = options.chunkMs ?? 7.5;
    if (!(this.chunkMs > 0) || !Number.isFinite(this.chunkMs)) throw new RangeError(`chunkMs ${this.chunkMs} must be positive`);
    this.maxSamples = Math.max(1, Math.floor(options.maxSamples ?? DEFAULT_MAX_SECONDS * sampleRate));
  }

  get running(): boolean {
    return this.timer !== undefined;
  }
  /** Virtual time of sample 0 (NaN before start). */
  get startedAt(): number {
    return this.startTime;
  }
  /** Index of the first tone sample (after the lead silence). */
  get toneStartSample(): number {
    return this.leadSamples;
  }
  get emittedSamples(): number {
    return this.emitted;
  }
  /** What stopped the source when its consumer threw, if that happened. */
  get error(): unknown {
    return this.failure;
  }

  /** When sample `n` was captured. */
  captureTimeOf(n: number): number {
    return this.startTime + (n * 1000) / this.sampleRate;
  }

  /** Everything handed on so far. */
  reference(): Int16Array {
    return concat(this.produced, this.emitted);
  }

  /** Starts now: every chunkMs the samples captured meanwhile go to `consumer`. */
  start(consumer: (pcm: Int16Array) => void): void {
    if (this.running || !Number.isNaN(this.startTime)) throw new RangeError('a ToneSource plays once');
    this.consumer = consumer;
    this.startTime = this.clock.now();
    this.arm();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.consumer = undefined;
  }

  private arm(): void {
    const at = this.startTime + (this.chunkIndex + 1) * this.chunkMs;
    this.timer = this.clock.schedule(at - this.clock.now(), () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    this.chunkIndex++;
    const due = Math.floor((this.chunkIndex * this.chunkMs * this.sampleRate) / 1000 + 1e-9);
    const end = Math.min(due, this.totalSamples, this.maxSamples);
    const chunk = this.samples(this.emitted, end);
    this.produced.push(chunk);
    this.emitted = end;
    try {
      this.consumer?.(chunk);
    } catch (error) {
      this.failure = error;
      this.stop();
      return;
    }
    if (this.consumer && end < this.totalSamples && end < this.maxSamples) this.arm();
    else this.stop();
  }

  private samples(from: number, to: number): Int16Array {
    const out = new Int16Array(Math.max(0, to - from));
    const step = (2 * Math.PI * this.options.frequency) / this.sampleRate;
    for (let n = from; n < to; n++) {
      const t = n - this.leadSamples;
      out[n - from] = t < 0 ? 0 : Math.round(this.amplitude * Math.sin(step * t));
    }
    return out;
  }
}

/** One delivered piece: arrival time and where it starts in the recording. */
export interface RecordedPiece {
  time: number;
  start: number;
  length: number;
}

/** Records delivered PCM with arrival times on the Clock; bounded (QueueFullError past maxSamples). */
export class RecordingSink {
  private readonly pieces: Int16Array[] = [];
  private readonly index: RecordedPiece[] = [];
  private total = 0;
  private readonly maxSamples: number;

  constructor(
    private readonly clock: Clock,
    readonly sampleRate: number,
    options: { maxSamples?: number } = {},
  ) {
    this.maxSamples = Math.max(1, Math.floor(options.maxSamples ?? DEFAULT_MAX_SECONDS * sampleRate));
  }

  get length(): number {
    return this.total;
  }

  write(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    if (this.total + pcm.length > this.maxSamples) throw new QueueFullError('recording (samples)', this.maxSamples);
    this.pieces.push(pcm.slice());
    this.index.push({ time: this.clock.now(), start: this.total, length: pcm.length });
    this.total += pcm.length;
  }

  samples(): Int16Array {
    return concat(this.pieces, this.total);
  }

  recorded(): readonly RecordedPiece[] {
    return this.index;
  }

  /** When sample `j` of the recording was played (NaN if not recorded). */
  playTimeOf(j: number): number {
    let lo = 0;
    let hi = this.index.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const piece = this.index[mid];
      if (!piece) break;
      if (j < piece.start) hi = mid - 1;
      else if (j >= piece.start + piece.length) lo = mid + 1;
      else return piece.time + ((j - piece.start) * 1000) / this.sampleRate;
    }
    return Number.NaN;
  }

  clear(): void {
    this.pieces.length = 0;
    this.index.length = 0;
    this.total = 0;
  }
}

/** A phone's or a PC's audio on one call: plays into a VoicePath and records what it hears. */
export class AudioEndpoint {
  readonly recording: RecordingSink;
  private source: ToneSource | undefined;
  private dropped = 0;
  private readonly offs: (() => void)[];

  constructor(
    private readonly clock: Clock,
    readonly path: VoicePath,
    options: { maxRecordedSamples?: number } = {},
  ) {
    this.recording = new RecordingSink(clock, path.sampleRate, { maxSamples: options.maxRecordedSamples });
    this.offs = [
      path.events.on('audio', (pcm) => {
        try {
          this.recording.write(pcm);
        } catch (error) {
          if (!(error instanceof QueueFullError)) throw error;
          this.dropped += pcm.length;
        }
      }),
      path.events.on('close', () => this.stopTone()),
    ];
  }

  /** Samples the full recording had to leave out. */
  get droppedSamples(): number {
    return this.dropped;
  }

  /** Starts a tone now (stopping any earlier one); it stops by itself when the channel closes. */
  playTone(options: ToneSourceOptions): ToneSource {
    this.stopTone();
    const source = new ToneSource(this.clock, this.path.sampleRate, options);
    this.source = source;
    source.start((pcm) => {
      if (!this.path.channel.open) throw new DisconnectedError(0x16, 'the SCO channel is closed');
      this.path.send(pcm);
    });
    return source;
  }

  stopTone(): void {
    this.source?.stop();
    this.source = undefined;
  }

  /** Stops the tone and stops listening. */
  detach(): void {
    this.stopTone();
    for (const off of this.offs.splice(0)) off();
  }
}

export interface ToneMeasurement {
  /** Frequency heard (zero crossings over the settled tone). */
  frequencyHz: number;
  /** SNR of what was heard against what was played, at the best alignment. */
  snrDb: number;
  /** Samples by which the recording lags the reference. */
  delaySamples: number;
  /** Play time minus capture time of the same sample, ms. */
  latencyMs: number;
  /** Level heard relative to level played at the tone frequency, dB. */
  gainDb: number;
}

export interface MeasureOptions {
  /** Time after the onset left out of SNR and frequency (codec warm-up); default 20 ms. */
  settleMs?: number;
}

/**
 * Measures a tone `source` played against what `sink` recorded. The delay
 * is found coarsely from the onsets (first sample above half the peak) and
 * exactly by cross-correlation within half a period of that, so the
 * period's ambiguity is resolved. NaN figures when nothing was heard.
 */
export function measureTone(source: ToneSource, sink: RecordingSink, options: MeasureOptions = {}): ToneMeasurement {
  if (source.sampleRate !== sink.sampleRate) throw new RangeError('source and sink sample rates differ');
  const rate = source.sampleRate;
  const reference = source.reference();
  const heard = sink.samples();
  const refOnset = onset(reference);
  const heardOnset = onset(heard);
  const none: ToneMeasurement = { frequencyHz: NaN, snrDb: NaN, delaySamples: NaN, latencyMs: NaN, gainDb: NaN };
  if (refOnset < 0 || heardOnset < 0) return none;
  const coarse = heardOnset - refOnset;
  const half = Math.ceil(rate / source.options.frequency / 2);
  const settle = Math.round(((options.settleMs ?? 20) * rate) / 1000);
  const start = source.toneStartSample + settle;
  const result = snr(reference, heard, { minDelay: coarse - half, maxDelay: coarse + half, skip: start });
  if (result.compared <= 0) return none;
  const delay = result.delay;
  const from = Math.max(start, half - coarse, 0);
  const played = reference.subarray(from, from + result.compared);
  const toneHeard = heard.subarray(from + delay, from + delay + result.compared);
  const frequency = source.options.frequency;
  const gainDb = 20 * Math.log10(goertzelAmplitude(toneHeard, rate, frequency) / goertzelAmplitude(played, rate, frequency));
  const onsetSample = source.toneStartSample;
  return {
    frequencyHz: estimateFrequency(toneHeard, rate),
    snrDb: result.snrDb,
    delaySamples: delay,
    latencyMs: sink.playTimeOf(onsetSample + delay) - source.captureTimeOf(onsetSample),
    gainDb,
  };
}

/** First index at or above half the peak magnitude, or -1 for silence. */
function onset(samples: Int16Array): number {
  let peak = 0;
  for (const v of samples) peak = Math.max(peak, Math.abs(v));
  if (peak === 0) return -1;
  for (let i = 0; i < samples.length; i++) if (Math.abs(samples[i] ?? 0) >= peak / 2) return i;
  return -1;
}

function concat(parts: readonly Int16Array[], total: number): Int16Array {
  const out = new Int16Array(total);
  let pos = 0;
  for (const part of parts) {
    out.set(part.subarray(0, Math.max(0, total - pos)), pos);
    pos += part.length;
  }
  return out;
}
