package io.migaudit.agent.classify;

/**
 * What following a protocol's framing through a direction showed: whether the framing held and
 * whether the bytes it says are encrypted look encrypted. A signature that means "encrypted" (TLS,
 * SSH, ESP, SMB3 transform) yields that verdict only when its check {@link #agrees()}; otherwise
 * the verdict follows the content and {@link #disagreement()} says why. A framing validator (TLS
 * records, SSH binary packets, SMB3 transform headers) returns one of these from {@link
 * FramingFollower#check}.
 *
 * @param agrees true when the framing held and its encrypted bytes look encrypted (or were too few
 *     to judge)
 * @param description for an agreeing check, what held (e.g. "212 records, bodies uniform")
 * @param disagreement for a disagreeing check, what disagreed, as a clause of a reason
 */
public record FramingCheck(boolean agrees, String description, String disagreement) {

  public static FramingCheck agreed(String description) {
    return new FramingCheck(true, description, null);
  }

  public static FramingCheck disagreed(String disagreement) {
    return new FramingCheck(false, null, disagreement);
  }

  /**
   * Judges the bytes a framing says are encrypted: too few to judge agrees, uniform agrees,
   * anything else disagrees. {@code what} names the bytes ("tls application-data bodies").
   */
  static FramingCheck ofBody(String what, long n, int[] counts, String held) {
    if (n < PayloadClassifier.MIN_SAMPLED_BYTES) {
      return agreed(held + ", " + n + " bytes of " + what + ": too few to judge");
    }
    ByteStatistics body = ByteStatistics.of(n, counts);
    String measured =
        "(chi-square " + FixedDecimal.format(body.chiSquare(), 0) + " over " + n + " bytes)";
    if (body.chiSquare() <= ByteStatistics.uniformChiSquareLimit()) {
      return agreed(held + ", " + what + " uniform " + measured);
    }
    return disagreed(what + " not uniform " + measured);
  }
}
