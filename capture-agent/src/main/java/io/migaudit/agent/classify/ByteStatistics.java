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

  /**
   * 1 for the byte values counted as printable (ASCII graphic characters, space, tab, CR and LF),
   * else 0: multiplied in, not branched on.
   */
  private static final int[] PRINTABLE = new int[256];

  /**
   * {@code c * log2(c)} for the counts most histograms hold: with {@code entropy = log2(n) - sum(c
   * * log2(c)) / n} a statistic costs one logarithm, not one per byte value present (JMH {@code
   * ClassifierBenchmark.classifyChangedSample} 3587 -> 2110 ns with the rest of issue 18's changes
   * here).
   */
  private static final double[] C_LOG2_C = new double[4096];

  /** Fixed-point scale of {@link #C_LOG2_C_STEPS}: 2^44, so 256 steps sum to under 2^56. */
  private static final double STEP_SCALE = 0x1p44;

  /**
   * {@code C_LOG2_C[c] - C_LOG2_C[c - 1]} in fixed point, for counts of a sample kept as bytes. The
   * steps telescope: a value counted c times adds {@code round(C_LOG2_C[c] * 2^44)}, off by at most
   * 2^-45.
   */
  private static final long[] C_LOG2_C_STEPS = new long[ByteHistogram.RAW_BYTES + 1];

  static {
    for (int b = 0x20; b <= 0x7e; b++) {
      PRINTABLE[b] = 1;
    }
    PRINTABLE['\t'] = 1;
    PRINTABLE['\n'] = 1;
    PRINTABLE['\r'] = 1;
    for (int c = 1; c < C_LOG2_C.length; c++) {
      C_LOG2_C[c] = c * (Math.log(c) / LN_2);
    }
    for (int c = 1; c < C_LOG2_C_STEPS.length; c++) {
      C_LOG2_C_STEPS[c] =
          Math.round(C_LOG2_C[c] * STEP_SCALE) - Math.round(C_LOG2_C[c - 1] * STEP_SCALE);
    }
  }

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
    byte[] raw = s.rawBytes();
    if (raw != null) {
      return ofBytes(raw, (int) n);
    }
    int[] scratch = SCRATCH.get();
    int[] counts = s.countsView(scratch);
    try {
      return of(n, counts);
    } finally {
      s.clearScratch(scratch);
    }
  }

  /**
   * Statistics of a small sample kept as bytes ({@code n <= ByteHistogram.RAW_BYTES}), in one pass
   * over its bytes rather than over the 256 values: a short flow's record is the common one in a
   * flood of them. As each count {@code c} grows, {@code sum(c * log2(c))} grows by a fixed-point
   * step from {@code C_LOG2_C_STEPS} and {@code sum(c^2)} by {@code 2c - 1}, so no floating-point
   * addition chains the bytes; the results equal {@link #of(long, int[])}'s up to rounding ({@code
   * ByteStatisticsTest}).
   */
  static ByteStatistics ofBytes(byte[] raw, int n) {
    int[] counts = SCRATCH.get();
    long sumCLog2C = 0;
    long sumSquares = 0;
    int printable = 0;
    for (int i = 0; i < n; i++) {
      int b = raw[i] & 0xFF;
      int c = ++counts[b];
      sumCLog2C += C_LOG2_C_STEPS[c];
      sumSquares += 2 * c - 1;
      printable += PRINTABLE[b];
    }
    int zeros = counts[0];
    Arrays.fill(counts, 0);
    double entropy = Math.min(8, Math.max(0, Math.log(n) / LN_2 - sumCLog2C / STEP_SCALE / n));
    // sum((c - e)^2 / e) over the 256 values, e = n / 256, is sum(c^2) / e - n
    double chi = Math.max(0, sumSquares * (256.0 / n) - n);
    return new ByteStatistics(n, entropy, chi, (double) zeros / n, (double) printable / n);
  }

  /** Statistics of a histogram held outside a sample (e.g. SMB3's encrypted bodies). */
  static ByteStatistics ofCounts(long n, int[] counts) {
    return n == 0 ? new ByteStatistics(0, 0, 0, 0, 0) : of(n, counts);
  }

  /**
   * Statistics of {@code n} bytes counted per value in {@code counts}, one pass over the 256 values
   * with neither a logarithm nor a division in it ({@code C_LOG2_C}, a reciprocal). The absent
   * values' equal chi-square terms are added at once after the loop: a small sample has few values
   * present. Summing the squares instead ({@code sum(c^2) / e - n}) took twice as long on large
   * samples in JMH {@code ClassifierBenchmark}.
   */
  static ByteStatistics of(long n, int[] counts) {
    double expected = n / 256.0;
    double perExpected = 256.0 / n; // a multiplication in the loop, not a division
    double sumCLog2C = 0;
    double chi = 0;
    long printable = 0;
    int absent = 0;
    for (int b = 0; b < 256; b++) {
      int c = counts[b];
      if (c > 0) {
        sumCLog2C += cLog2C(c);
        double d = c - expected;
        chi += d * d * perExpected;
        printable += (long) c * PRINTABLE[b];
      } else {
        absent++;
      }
    }
    chi += absent * expected; // each absent value adds (0 - e)^2 / e
    // rounding may leave a one-valued sample a hair off 0; entropy stays within its range
    double entropy = Math.min(8, Math.max(0, Math.log(n) / LN_2 - sumCLog2C / n));
    return new ByteStatistics(n, entropy, chi, (double) counts[0] / n, (double) printable / n);
  }

  private static double cLog2C(int c) {
    return c < C_LOG2_C.length ? C_LOG2_C[c] : c * (Math.log(c) / LN_2);
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
