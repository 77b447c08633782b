package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;

/**
 * Canonical 5-tuple plus VLAN: both directions of a conversation map to the same key. Endpoint
 * {@code a} is the lower of the two (address, port) pairs; the initiator is kept in {@link FlowEntry}.
 */
public record FlowKey(
    int ipVersion, int ipProtocol, int vlan,
    long aHi, long aLo, int aPort,
    long bHi, long bLo, int bPort) {

  /** The key of a decoded packet's flow. */
  public static FlowKey of(DecodedPacket p) {
    if (sourceIsA(p)) {
      return new FlowKey(p.ipVersion, p.ipProtocol, p.vlan,
          p.srcHi, p.srcLo, p.srcPort, p.dstHi, p.dstLo, p.dstPort);
    }
    return new FlowKey(p.ipVersion, p.ipProtocol, p.vlan,
        p.dstHi, p.dstLo, p.dstPort, p.srcHi, p.srcLo, p.srcPort);
  }

  /** True when the packet's source is endpoint {@code a} of its key. */
  public static boolean sourceIsA(DecodedPacket p) {
    int c = Long.compareUnsigned(p.srcHi, p.dstHi);
    if (c == 0) {
      c = Long.compareUnsigned(p.srcLo, p.dstLo);
    }
    if (c == 0) {
      c = Integer.compare(p.srcPort, p.dstPort);
    }
    return c <= 0;
  }
}
