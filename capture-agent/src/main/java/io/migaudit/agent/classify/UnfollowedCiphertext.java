package io.migaudit.agent.classify;

/**
 * Ciphertext in a framing the agent cannot follow, whose sample as a whole does not look uniform
 * (encrypted vMotion and Hyper-V's per-VM encryption have no public description). Two things a
 * framing adds in clear are looked through:
 *
 * <ul>
 *   <li>record headers every few KiB ({@link CiphertextBehindHeaders});
 *   <li>a clear prologue before the ciphertext (a negotiation, a configuration): the sampled bytes
 *       after the first {@link PayloadSample#PROLOGUE_BYTES} are judged apart, and are ciphertext
 *       when they pass the uniform test, or the headers test, by themselves.
 * </ul>
 *
 * <p>Either way what is looked through is small: 16 KiB of a 256 KiB sample, or header values
 * holding at most 1.5 % of it; the rest must be as uniform as ciphertext, which neither plaintext
 * nor compressed memory is. The later windows still judge the rest of the flow.
 */
final class UnfollowedCiphertext {
  /** Fewest sampled bytes after the prologue judged by themselves: half a migration's sample. */
  static final long MIN_AFTER_PROLOGUE = 128 << 10;

  private UnfollowedCiphertext() {}

  /** The reason of an {@code encrypted} verdict, or null when the sample is not such ciphertext. */
  static String reason(PayloadSample sample) {
    ByteStatistics whole = sample.statistics();
    if (whole.n() < PayloadSample.PROLOGUE_BYTES + MIN_AFTER_PROLOGUE) {
      return null; // too small for either test: no copy of the counts for every short flow's record
    }
    CiphertextBehindHeaders.Finding headers =
        whole.n() < CiphertextBehindHeaders.MIN_BYTES
            ? null
            : CiphertextBehindHeaders.of(whole.n(), sample.counts());
    if (headers != null) {
      return "uniform bytes behind clear record headers ("
          + sample.statisticsText()
          + "; "
          + headers.describe()
          + ")";
    }
    long n = sample.sampledAfterPrologue();
    if (n < MIN_AFTER_PROLOGUE) {
      return null;
    }
    int[] after = sample.countsAfterPrologue();
    ByteStatistics rest = ByteStatistics.ofCounts(n, after);
    String prologue = " after a clear prologue (the first " + (whole.n() - n) + " bytes sampled";
    if (rest.chiSquare() <= ByteStatistics.uniformChiSquareLimit()) {
      return "uniform bytes" + prologue + "; after it: " + rest.describe() + ")";
    }
    headers = CiphertextBehindHeaders.of(n, after);
    return headers == null
        ? null
        : "uniform bytes behind clear record headers"
            + prologue
            + "; after it: "
            + rest.describe()
            + "; "
            + headers.describe()
            + ")";
  }
}
