package io.migaudit.agent.classify;

import java.util.Arrays;

/**
 * Statistics of a byte histogram (the measures of Fourmilab {@code ent}): Shannon entropy,
 * chi-square against the uniform distribution, and the shares of zero and printable bytes.
 */
public record ByteStatistics(
    long n, double entropy, double chiSquare, double zeroFraction, double printableFraction) {

  /** Degrees of freedom of the chi-square test over 256 byte values. */
  public static final int DEGREES_OF_FREEDOM = 255;

  private static final double LN_2 = Math.log(2);

  /** Byte values counted as printable: ASCII graphic characters, space, tab, CR and LF. */
  private static final boolean[] PRINTABLE = new boolean[256];

  static {
    for (int b = 0x20; b <= 0x7e; b++) {
      PRINTABLE[b] = true;
    }
    PRINTABLE['\t'] = true;
    PRINTABLE['\n'] = true;
    PRINTABLE['\r'] = true;
  }

  /**
   * Entropy terms {@code p * log2(p)} of small samples by size and count, filled as met: most flows
   * are small (DNS, short requests) and their samples repeat the same few terms, each a logarithm.
   * The same expression gives the same double, so cached and computed terms are equal.
   */
  private static final double[][] SMALL_TERMS = new double[ByteHistogram.RAW_BYTES + 1][];

  /**
   * Counts of a small sample kept as bytes, per thread, zero between uses: no 1 KiB array per
   * record.
   */
  private static final ThreadLocal<int[]> SCRATCH = ThreadLocal.withInitial(() -> new int[256]);

  public static ByteStatistics of(PayloadSample s) {
    long n = s.sampledBytes();
    if (n == 0) {
      return new ByteStatistics(0, 0, 0, 0, 0);
    }
    int[] scratch = SCRATCH.get();
    int[] counts = s.countsView(scratch);
    try {
      return of(n, counts);
    } finally {
      s.clearScratch(scratch);
    }
  }

  /** Statistics of a histogram held outside a sample (e.g. SMB3's encrypted bodies). */
  static ByteStatistics ofCounts(long n, int[] counts) {
    return n == 0 ? new ByteStatistics(0, 0, 0, 0, 0) : of(n, counts);
  }

  /**
   * Statistics of {@code n} bytes counted per value in {@code counts}. The absent values' equal
   * chi-square terms are added at once after the loop instead of one by one in it: a small sample
   * has few values present, and its statistics cost 560 ns with the 256-long chain of additions,
   * 340 ns without (JMH {@code ClassifierBenchmark.classifyChangedSmallSample}). Summing the
   * squares instead ({@code sum(c^2) / e - n}) took twice as long on large samples in the same
   * benchmark.
   */
  static ByteStatistics of(long n, int[] counts) {
    double expected = n / 256.0;
    double entropy = 0;
    double chi = 0;
    long printable = 0;
    int absent = 0;
    for (int b = 0; b < 256; b++) {
      int c = counts[b];
      if (c > 0) {
        entropy -= term(c, n);
        double d = c - expected;
        chi += d * d / expected;
        if (PRINTABLE[b]) {
          printable += c;
        }
      } else {
        absent++;
      }
    }
    chi += absent * expected; // each absent value adds (0 - e)^2 / e
    return new ByteStatistics(n, entropy, chi, (double) counts[0] / n, (double) printable / n);
  }

  private static double term(int c, long n) {
    if (n > ByteHistogram.RAW_BYTES) {
      return computeTerm(c, n);
    }
    double[] terms = SMALL_TERMS[(int) n];
    if (terms == null) {
      terms = new double[(int) n + 1];
      Arrays.fill(terms, Double.NaN);
      SMALL_TERMS[(int) n] = terms; // benign race: a thread that misses it fills its own copy
    }
    double t = terms[c];
    if (Double.isNaN(t)) {
      t = computeTerm(c, n);
      terms[c] = t;
    }
    return t;
  }

  private static double computeTerm(int c, long n) {
    double p = (double) c / n;
    return p * (Math.log(p) / LN_2);
  }

  /**
   * The statistics as verdict reasons quote them: {@code String.format("entropy %.2f bits/byte,
   * chi-square %.0f over %d bytes, %.0f%% zero, %.0f%% printable", ...)}.
   */
  public String describe() {
    return "entropy "
        + FixedDecimal.format(entropy, 2)
        + " bits/byte, chi-square "
        + FixedDecimal.format(chiSquare, 0)
        + " over "
        + n
        + " bytes, "
        + FixedDecimal.format(100 * zeroFraction, 0)
        + "% zero, "
        + FixedDecimal.format(100 * printableFraction, 0)
        + "% printable";
  }

  /**
   * Expected Shannon entropy of {@code n} uniformly random bytes: below 8 for small samples
   * (Miller-Madow bias, (K - 1) / (2 n ln 2) bits with K = 256).
   */
  public static double expectedUniformEntropy(long n) {
    if (n <= 0) {
      return 0;
    }
    return Math.max(0, 8.0 - (DEGREES_OF_FREEDOM) / (2.0 * n * Math.log(2)));
  }

  /** Chi-square above which a histogram is not uniform: mean 255 plus five standard deviations. */
  public static double uniformChiSquareLimit() {
    return DEGREES_OF_FREEDOM + 5 * Math.sqrt(2.0 * DEGREES_OF_FREEDOM);
  }
}
