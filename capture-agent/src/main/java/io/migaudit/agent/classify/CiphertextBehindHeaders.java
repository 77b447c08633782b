package io.migaudit.agent.classify;

import java.util.Arrays;
import java.util.Locale;

/**
 * Ciphertext framed by clear record headers of a framing migaudit cannot follow (encrypted vMotion
 * and Hyper-V's per-VM encryption have no public description): a length, a nonce salt and counter
 * every few KiB put a few byte values above their share, so the histogram of a whole sample fails
 * the uniform test although nearly all of it is ciphertext. AES-GCM records of 4 KiB with a 16-byte
 * clear header give chi-square about 550-650 over 256 KiB against the limit of 368, and a flow that
 * is encrypted would read {@code compressed} (BENCHMARKS.md, "Ciphertext behind clear record
 * headers").
 *
 * <p>The test: leave out the {@link #HEADER_VALUES} byte values that deviate most; the rest must be
 * as uniform as uniform bytes ({@link #REST_LIMIT}), and the left-out values may hold little above
 * their share ({@link #MAX_HEADER_SHARE}; 4 KiB records behind 16-byte headers: 0.4 %). Compressed
 * output deviates in most values, not a few: gzip, zstd (levels 1 to 19) and lz4 of
 * guest-memory-like data and of binaries stay at 364 and above without their 8 most deviating
 * values over 256 KiB ({@code tools/bench/headers-vs-compressed.py}; xz, like zstd at its highest
 * levels on some data, looks uniform to any byte histogram and passes the whole-sample test
 * already). What it gives up: random bytes with 1-2 % of zero bytes or pointers among them cannot
 * be told from ciphertext behind headers, and are taken for it; guest memory is far from that. Only
 * whole samples ({@link #MIN_BYTES}) are judged so: over fewer bytes the compressors' excess
 * shrinks towards uniform's.
 */
final class CiphertextBehindHeaders {
  /**
   * Byte values left out: a header's length, salt and counter bytes (a length, a 4-byte salt and a
   * 64-bit counter take about 8 values: zeros, the salt's, the length's).
   */
  static final int HEADER_VALUES = 8;

  /**
   * Chi-square of the other 248 values above which they are not uniform: 247 degrees of freedom
   * plus four standard deviations (about 336), as when the values left out are all header values.
   * When some are uniform's own most deviating ones instead, the rest is lower. Four, not five:
   * this test only ever turns a verdict to encrypted, so it stays below the compressors' lowest
   * (364).
   */
  static final double REST_LIMIT =
      (ByteStatistics.DEGREES_OF_FREEDOM - HEADER_VALUES)
          + 4 * Math.sqrt(2.0 * (ByteStatistics.DEGREES_OF_FREEDOM - HEADER_VALUES));

  /**
   * Largest share of the sample the left-out values may hold above their expected count: headers of
   * 2 KiB records take 0.8 %, of 1 KiB records 1.4 %; random bytes with 2 % of zero bytes hold 2 %
   * there while the rest stays uniform.
   */
  static final double MAX_HEADER_SHARE = 0.015;

  /** Fewest sampled bytes judged: three quarters of the 256 KiB a migration's sample holds. */
  static final long MIN_BYTES = 192 << 10;

  /**
   * The rest's limit where the test is made again and again, on every later window of a long flow
   * ({@link ResampleWindow}): ten standard deviations, about 469, so that uniform bytes behind
   * headers exceed it about once in 10^15 tests, as {@link ResampleWindow#NOT_UNIFORM_CHI_SQUARE}
   * does for a window.
   */
  static final double REPEATED_REST_LIMIT =
      (ByteStatistics.DEGREES_OF_FREEDOM - HEADER_VALUES)
          + 10 * Math.sqrt(2.0 * (ByteStatistics.DEGREES_OF_FREEDOM - HEADER_VALUES));

  /** What was measured: the rest's chi-square, and the share the left-out values hold above it. */
  record Finding(double restChiSquare, double headerShare) {
    /**
     * True when it passes where the test is made again and again ({@link #REPEATED_REST_LIMIT}).
     */
    boolean passesRepeated() {
      return restChiSquare <= REPEATED_REST_LIMIT && headerShare <= MAX_HEADER_SHARE;
    }

    String describe() {
      return String.format(
          Locale.ROOT,
          "without its %d most deviating byte values chi-square %.0f, those values %.2f%% of the"
              + " bytes above their share",
          HEADER_VALUES,
          restChiSquare,
          100 * headerShare);
    }
  }

  private CiphertextBehindHeaders() {}

  /** The finding when {@code n} bytes counted in {@code counts} are ciphertext behind headers. */
  static Finding of(long n, int[] counts) {
    if (n < MIN_BYTES) {
      return null;
    }
    Finding f = measure(n, counts);
    return f.restChiSquare() <= REST_LIMIT && f.headerShare() <= MAX_HEADER_SHARE ? f : null;
  }

  /**
   * The rest's chi-square and the left-out values' share of {@code n} bytes counted in {@code
   * counts}, whatever they are and however few.
   */
  static Finding measure(long n, int[] counts) {
    double expected = n / 256.0;
    double[] terms = new double[256];
    for (int b = 0; b < 256; b++) {
      double d = counts[b] - expected;
      terms[b] = d * d / expected;
    }
    double[] sorted = terms.clone();
    Arrays.sort(sorted);
    double threshold = sorted[256 - HEADER_VALUES];
    double rest = 0;
    double above = 0;
    int left = 0;
    for (int b = 0; b < 256; b++) {
      if (terms[b] >= threshold && left < HEADER_VALUES) {
        left++;
        above += Math.max(0, counts[b] - expected);
      } else {
        rest += terms[b];
      }
    }
    return new Finding(rest, above / n);
  }
}
