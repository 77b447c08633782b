package io.migaudit.record;

/**
 * The IPv4 TTL / IPv6 hop limit values a flow's packets arrived with, per direction. A sender
 * starts at 64, 128 or 255 (RFC 1700's default of 64, Windows' 128, network gear's 255); each
 * router on the path takes one off, so a value below the nearest of those above it says the packet
 * was routed.
 *
 * @param srcToDst packets sent by the initiator; null when it sent none
 * @param dstToSrc packets sent by the responder; null when it sent none
 */
public record HopLimits(Range srcToDst, Range dstToSrc) {

  /** Initial TTL values of common stacks, lowest first. */
  public static final int[] INITIAL_VALUES = {64, 128, 255};

  /**
   * Lowest and highest value seen in one direction.
   *
   * @param min lowest TTL / hop limit
   * @param max highest TTL / hop limit
   */
  public record Range(int min, int max) {}

  /**
   * The initial value a sender most likely used: the nearest common one at or above {@code
   * observed}.
   */
  public static int initialValue(int observed) {
    for (int initial : INITIAL_VALUES) {
      if (observed <= initial) {
        return initial;
      }
    }
    return INITIAL_VALUES[INITIAL_VALUES.length - 1];
  }

  /** Routers crossed by a packet that arrived with {@code observed}: 0 on the sender's segment. */
  public static int hops(int observed) {
    return initialValue(observed) - observed;
  }
}
