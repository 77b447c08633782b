package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;

/**
 * Hands each new flow the {@link FlowTraits} object of earlier flows with the same traits, so that
 * flows share them. Bounded and never in the way: a two-way set-associative array of {@link #SETS}
 * sets that keeps the traits used last in each set; traits that find no room (crafted tunnel paths
 * by the thousand) replace older ones, which the flows holding them keep. One lookup per new flow,
 * no allocation when the traits are known.
 */
final class FlowTraitsCache {
  /** Sets of two; a capture has a handful of traits, a hypervisor's overlay some thousands. */
  static final int SETS = 2048;

  private final FlowTraits[] ways = new FlowTraits[SETS * 2];
  private final Encapsulations encapsulations = new Encapsulations();

  /** The shared traits of a new flow whose first packet is {@code p}. */
  FlowTraits of(DecodedPacket p, boolean initiatorIsA, int evidence, String protocol) {
    long layers = Encapsulations.code(p);
    int set = (FlowTraits.hash(p, layers, initiatorIsA, evidence, protocol) & (SETS - 1)) << 1;
    FlowTraits first = ways[set];
    if (first != null && first.fits(p, layers, initiatorIsA, evidence, protocol)) {
      return first;
    }
    FlowTraits second = ways[set + 1];
    if (second == null || !second.fits(p, layers, initiatorIsA, evidence, protocol)) {
      second =
          new FlowTraits(p, layers, initiatorIsA, evidence, protocol, encapsulations.of(p, layers));
    }
    ways[set + 1] = first; // the one used last comes first, the other one goes second or out
    ways[set] = second;
    return second;
  }
}
