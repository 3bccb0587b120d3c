/**
 * SBC and mSBC constants: sync words, the meaning of each header field code,
 * the loudness offset tables, and the analysis/synthesis prototype windows
 * (A2DP specification, appendix B). Tables only; no behaviour.
 */

/** First byte of every SBC frame. */
export const SBC_SYNC_WORD = 0x9c;
/** First byte of every mSBC frame (HFP wideband speech). */
export const MSBC_SYNC_WORD = 0xad;

/** Channel mode, the 2-bit header field. All four codes are defined. */
export const ChannelMode = {
  Mono: 0,
  DualChannel: 1,
  Stereo: 2,
  JointStereo: 3,
} as const;

/** Bit allocation method, the 1-bit header field. */
export const Allocation = {
  Loudness: 0,
  Snr: 1,
} as const;

/** Sampling frequency in Hz, indexed by the 2-bit header code. */
export const SAMPLE_RATES: readonly number[] = [16000, 32000, 44100, 48000];
/** Blocks per frame, indexed by the 2-bit header code. */
export const BLOCK_COUNTS: readonly number[] = [4, 8, 12, 16];
/** Subbands per frame, indexed by the 1-bit header code. */
export const SUBBAND_COUNTS: readonly number[] = [4, 8];

/** The fixed mSBC parameters (HFP 1.6+ wideband speech). */
export const MSBC = {
  sampleRate: 16000,
  blocks: 15,
  subbands: 8,
  channelMode: ChannelMode.Mono,
  allocation: Allocation.Loudness,
  bitpool: 26,
  /** Bytes per frame: 4 header + 4 scale factors + ceil(15 * 26 / 8). */
  frameLength: 57,
  /** PCM samples per frame: 15 blocks of 8, i.e. 7.5 ms at 16 kHz. */
  samplesPerFrame: 120,
} as const;

/**
 * Loudness allocation offsets, [sampling frequency code][subband], for 4 and
 * 8 subbands: a subband's bit need is its scale factor minus this offset.
 */
export const LOUDNESS_OFFSET_4: readonly (readonly number[])[] = [
  [-1, 0, 0, 0],
  [-2, 0, 0, 1],
  [-2, 0, 0, 1],
  [-2, 0, 0, 1],
];
export const LOUDNESS_OFFSET_8: readonly (readonly number[])[] = [
  [-2, 0, 0, 0, 0, 0, 0, 1],
  [-3, 0, 0, 0, 0, 0, 1, 2],
  [-4, 0, 0, 0, 0, 0, 1, 2],
  [-4, 0, 0, 0, 0, 0, 1, 2],
];

/**
 * The first half (indexes 0..20) of the specification's 40-tap window C[i]
 * for 4 subbands, as tabulated there (Proto_4_40). The rest follows from
 * symmetry; see `buildWindow`.
 */
const WINDOW_4_FIRST_HALF: readonly number[] = [
  0.0, 5.36548976e-4, 1.49188357e-3, 2.73370904e-3, 3.83720193e-3, 3.89205149e-3, 1.86581691e-3,
  -3.06012286e-3, 1.0913762e-2, 2.04385087e-2, 2.88757392e-2, 3.2193929e-2, 2.58767811e-2,
  6.13245186e-3, -2.88217274e-2, -7.76463494e-2, 1.35593274e-1, 1.94987841e-1, 2.46636662e-1,
  2.81828203e-1, 2.94315332e-1,
];

/**
 * The first half (indexes 0..40) of the specification's 80-tap window C[i]
 * for 8 subbands, as tabulated there (Proto_8_80).
 */
const WINDOW_8_FIRST_HALF: readonly number[] = [
  0.0, 1.56575398e-4, 3.43256425e-4, 5.54620202e-4, 8.23919506e-4, 1.13992507e-3, 1.47640169e-3,
  1.78371725e-3, 2.01182542e-3, 2.10371989e-3, 1.99454554e-3, 1.61656283e-3, 9.02154502e-4,
  -1.78805361e-4, -1.64973098e-3, -3.49717454e-3, 5.65949473e-3, 8.02941163e-3, 1.04584443e-2,
  1.27472335e-2, 1.46525263e-2, 1.59045603e-2, 1.62208471e-2, 1.53184106e-2, 1.29371806e-2,
  8.8575754e-3, 2.92408442e-3, -4.91578024e-3, -1.46404076e-2, -2.61098752e-2, -3.90751381e-2,
  -5.31873032e-2, 6.79989431e-2, 8.29847578e-2, 9.75753918e-2, 1.11196689e-1, 1.23264548e-1,
  1.33264415e-1, 1.40753505e-1, 1.45389847e-1, 1.46955068e-1,
];

/**
 * Rebuilds the full window C[0..10M-1] from its first half. The window is a
 * symmetric lowpass prototype p[n] = p[10M - n] with the sign of every other
 * group of 2M taps flipped (C[n] = p[n] * (-1)^floor(n / 2M)), which is how
 * the specification folds the modulation's alternating sign into the table.
 */
function buildWindow(firstHalf: readonly number[], subbands: number): Float64Array {
  const taps = 10 * subbands;
  const group = 2 * subbands;
  const sign = (n: number): number => (Math.floor(n / group) % 2 === 0 ? 1 : -1);
  const window = new Float64Array(taps);
  for (let n = 0; n < taps; n++) {
    if (n <= taps / 2) {
      window[n] = firstHalf[n] ?? 0;
    } else {
      const mirror = taps - n;
      window[n] = (firstHalf[mirror] ?? 0) * sign(mirror) * sign(n);
    }
  }
  return window;
}

/** The analysis window C[i] for 4 subbands (40 taps). */
export const WINDOW_4: Readonly<Float64Array> = buildWindow(WINDOW_4_FIRST_HALF, 4);
/** The analysis window C[i] for 8 subbands (80 taps). */
export const WINDOW_8: Readonly<Float64Array> = buildWindow(WINDOW_8_FIRST_HALF, 8);

/** The analysis window for the given subband count. */
export function analysisWindow(subbands: number): Readonly<Float64Array> {
  return subbands === 4 ? WINDOW_4 : WINDOW_8;
}
