package io.migaudit.record;

/**
 * Statistics over a bounded sample of a flow's payload. Carries numbers only, never payload bytes.
 *
 * @param sampledBytes how many payload bytes the statistics were computed over
 * @param entropy Shannon entropy of the sample, bits per byte (0..8)
 * @param chiSquare chi-square statistic of the byte histogram against uniform (255 degrees of
 *     freedom)
 * @param zeroFraction share of 0x00 bytes
 * @param printableFraction share of printable ASCII bytes (0x20..0x7e, tab, CR, LF)
 * @param signature what the first payload bytes look like
 * @param verdict the classification
 * @param reason one sentence on why the classifier decided so
 */
public record PayloadFeatures(
    long sampledBytes,
    double entropy,
    double chiSquare,
    double zeroFraction,
    double printableFraction,
    Signature signature,
    Verdict verdict,
    String reason) {

  /** Longest {@code reason} a record carries: the analyzer refuses longer text fields. */
  public static final int MAX_REASON_CHARS = 255;

  /** {@code reason} cut to {@link #MAX_REASON_CHARS}, ending in "..." when cut. */
  public static String boundedReason(String reason) {
    if (reason == null || reason.length() <= MAX_REASON_CHARS) {
      return reason;
    }
    return reason.substring(0, MAX_REASON_CHARS - 3) + "...";
  }

  public static PayloadFeatures none(String reason) {
    return new PayloadFeatures(0, 0, 0, 0, 0, Signature.NONE, Verdict.UNKNOWN, reason);
  }
}
