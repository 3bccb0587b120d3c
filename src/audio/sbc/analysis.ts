/**
 * The SBC analysis filterbank: a cosine-modulated polyphase filterbank that
 * splits PCM into 4 or 8 subbands, one block (one sample per subband) per
 * `subbands` input samples. Keeps its 10 * subbands sample history between
 * calls, one instance per channel.
 *
 * Per block (M = subbands): shift M new samples into the history X (newest at
 * X[0]); Z = X * C (the 10M-tap window); fold Z into 2M partial sums
 * Y[i] = sum_j Z[i + 2Mj]; then S[k] = sum_i cos((k + 1/2)(i - M/2) pi / M) Y[i].
 */
import { analysisWindow } from './constants';

export class SbcAnalysis {
  /** Input history, newest sample first. */
  private readonly history: Float64Array;
  private readonly window: Readonly<Float64Array>;
  /** cos((k + 1/2)(i - M/2) pi / M), row k, 2M columns. */
  private readonly matrix: Float64Array;
  private readonly partial: Float64Array;

  constructor(readonly subbands: 4 | 8) {
    const m = subbands;
    this.history = new Float64Array(10 * m);
    this.window = analysisWindow(m);
    this.partial = new Float64Array(2 * m);
    this.matrix = new Float64Array(m * 2 * m);
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < 2 * m; i++) this.matrix[k * 2 * m + i] = Math.cos(((k + 0.5) * (i - m / 2) * Math.PI) / m);
    }
  }

  /** Forgets the history (silence before the next block). */
  reset(): void {
    this.history.fill(0);
  }

  /**
   * Takes `subbands` samples, `input[offset]`, `input[offset + stride]`, ...
   * (oldest first) and writes one subband sample per subband to
   * `out[outOffset .. outOffset + subbands)`, lowest band first.
   */
  processBlock(input: ArrayLike<number>, offset: number, stride: number, out: Float64Array, outOffset: number): void {
    const m = this.subbands;
    const x = this.history;
    const c = this.window;
    const y = this.partial;
    x.copyWithin(m, 0, 9 * m);
    for (let j = 0; j < m; j++) x[m - 1 - j] = input[offset + j * stride] ?? 0;
    const span = 2 * m;
    for (let i = 0; i < span; i++) {
      let sum = 0;
      for (let p = i; p < 10 * m; p += span) sum += x[p] * c[p];
      y[i] = sum;
    }
    const mat = this.matrix;
    for (let k = 0; k < m; k++) {
      let sum = 0;
      const row = k * span;
      for (let i = 0; i < span; i++) sum += mat[row + i] * y[i];
      out[outOffset + k] = sum;
    }
  }
}
