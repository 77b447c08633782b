package io.migaudit.record;

/**
 * Statistics over a bounded sample of a flow's payload. Carries numbers only, never payload bytes.
 *
 * @param sampledBytes how many payload bytes the statistics were computed over
 * @param entropy Shannon entropy of the sample, bits per byte (0..8)
 * @param chiSquare chi-square statistic of the byte histogram against uniform (255 degrees of freedom)
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

  public static PayloadFeatures none(String reason) {
    return new PayloadFeatures(0, 0, 0, 0, 0, Signature.NONE, Verdict.UNKNOWN, reason);
  }
}
