/**
 * The SBC synthesis filterbank: turns one block of 4 or 8 subband samples
 * back into as many PCM samples, the inverse of `SbcAnalysis`. Keeps its
 * 20 * subbands history between calls, one instance per channel.
 *
 * Per block (M = subbands): shift 2M new values into V (newest at V[0]),
 * V[k] = sum_i cos((i + 1/2)(k + M/2) pi / M) S[i]; gather U from the
 * first and last M of each 4M-long stretch of V; W = U * D with the window
 * D = -M * C; output sample j = sum_i W[j + M i]. Analysis followed by
 * synthesis reproduces the input delayed by 9M + 1 samples (73 for
 * 8 subbands, 37 for 4) with unity gain, up to the window's tiny aliasing.
 */
import { analysisWindow } from './constants';

export class SbcSynthesis {
  private readonly v: Float64Array;
  /** The synthesis window D = -M * C. */
  private readonly window: Float64Array;
  /** cos((i + 1/2)(k + M/2) pi / M), row k (2M rows), M columns. */
  private readonly matrix: Float64Array;

  constructor(readonly subbands: 4 | 8) {
    const m = subbands;
    this.v = new Float64Array(20 * m);
    const c = analysisWindow(m);
    this.window = new Float64Array(10 * m);
    for (let i = 0; i < 10 * m; i++) this.window[i] = -m * c[i];
    this.matrix = new Float64Array(2 * m * m);
    for (let k = 0; k < 2 * m; k++) {
      for (let i = 0; i < m; i++) this.matrix[k * m + i] = Math.cos(((i + 0.5) * (k + m / 2) * Math.PI) / m);
    }
  }

  /** Forgets the history. */
  reset(): void {
    this.v.fill(0);
  }

  /**
   * Takes `subbands` subband samples from `input[offset ..]` and writes as
   * many PCM values (oldest first, unrounded) to `out[outOffset]`,
   * `out[outOffset + stride]`, ...
   */
  processBlock(input: Float64Array, offset: number, out: Float64Array, outOffset: number, stride: number): void {
    const m = this.subbands;
    const v = this.v;
    const mat = this.matrix;
    const d = this.window;
    v.copyWithin(2 * m, 0, 18 * m);
    for (let k = 0; k < 2 * m; k++) {
      let sum = 0;
      const row = k * m;
      for (let i = 0; i < m; i++) sum += mat[row + i] * input[offset + i];
      v[k] = sum;
    }
    // U[2Mi + j] = V[4Mi + j] and U[2Mi + M + j] = V[4Mi + 3M + j]; sum W = U * D over the
    // ten M-spaced taps of each output sample without building U.
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let i = 0; i < 5; i++) {
        sum += v[4 * m * i + j] * d[2 * m * i + j];
        sum += v[4 * m * i + 3 * m + j] * d[2 * m * i + m + j];
      }
      out[outOffset + j * stride] = sum;
    }
  }
}
