package io.migaudit.agent.classify;

/**
 * What following a protocol's framing through a direction showed: whether the framing held and
 * whether the bytes it says are encrypted look encrypted. A signature that means "encrypted" (TLS,
 * SSH, ESP, SMB3 transform) yields that verdict only when its check {@link #agrees()}; otherwise
 * the verdict follows the content and {@link #disagreement()} says why. A framing validator (TLS
 * records, SSH binary packets, SMB3 transform headers) returns one of these from {@link
 * FramingFollower#check}.
 *
 * <p>{@link #judged()} says whether the bytes themselves said it: a framing that held over too few
 * encrypted bytes to judge agrees without having been judged, and a framing that could not be
 * followed across bytes the capture missed disagrees without having been judged. Both are enough
 * for a stream seen whole and too little for one the capture cut at its snap length ({@link
 * PayloadClassifier}).
 *
 * @param agrees true when the framing held and its encrypted bytes look encrypted (or were too few
 *     to judge)
 * @param description for an agreeing check, what held (e.g. "212 records, bodies uniform")
 * @param disagreement for a disagreeing check, what disagreed, as a clause of a reason
 * @param judged true when the bytes decided: the encrypted bytes were enough to judge, or what
 *     broke the framing was seen
 */
public record FramingCheck(
    boolean agrees, String description, String disagreement, boolean judged) {

  public static FramingCheck agreed(String description) {
    return new FramingCheck(true, description, null, true);
  }

  public static FramingCheck disagreed(String disagreement) {
    return new FramingCheck(false, null, disagreement, true);
  }

  /** The framing held, but over too few encrypted bytes to judge them. */
  static FramingCheck tooFewToJudge(String description) {
    return new FramingCheck(true, description, null, false);
  }

  /** The framing could not be followed across bytes the capture did not hold. */
  static FramingCheck notFollowed(String disagreement) {
    return new FramingCheck(false, null, disagreement, false);
  }

  /**
   * Judges the bytes a framing says are encrypted: too few to judge agrees, uniform agrees,
   * anything else disagrees. {@code what} names the bytes ("tls application-data bodies").
   */
  static FramingCheck ofBody(String what, long n, int[] counts, String held) {
    if (n < PayloadClassifier.MIN_SAMPLED_BYTES) {
      return tooFewToJudge(held + ", " + n + " bytes of " + what + ": too few to judge");
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
