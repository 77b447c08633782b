package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;
import java.security.SecureRandom;

/**
 * Canonical 5-tuple plus VLAN (and, for a tunnelled packet, its tunnel path, kept by {@link
 * FlowTraits}): both directions of a conversation map to the same key. Endpoint {@code a} is the
 * lower of the two (address, port) pairs; the initiator is kept in {@link FlowEntry}. The flow
 * table does not allocate keys per packet: it hashes and compares a packet's fields in place
 * ({@link #sourceIsA}, {@link #hash}) against the key fields each {@link FlowEntry} holds; this
 * record is the same key as a value, for tests and diagnostics.
 */
public record FlowKey(
    int ipVersion,
    int ipProtocol,
    int vlan,
    long aHi,
    long aLo,
    int aPort,
    long bHi,
    long bLo,
    int bPort) {

  /** Golden-ratio multiplier (Fibonacci hashing): folds each field into the running hash. */
  private static final long MIX = 0x9E3779B97F4A7C15L;

  /**
   * Random per process: whoever sends packets cannot work out which 5-tuples share a slot of the
   * table and pile flows onto one probe run (hash flooding). Records do not depend on it.
   */
  private static final long SEED = new SecureRandom().nextLong();

  /** The key of a decoded packet's flow. */
  public static FlowKey of(DecodedPacket p) {
    if (sourceIsA(p)) {
      return new FlowKey(
          p.ipVersion,
          p.ipProtocol,
          p.vlan,
          p.srcHi,
          p.srcLo,
          p.srcPort,
          p.dstHi,
          p.dstLo,
          p.dstPort);
    }
    return new FlowKey(
        p.ipVersion,
        p.ipProtocol,
        p.vlan,
        p.dstHi,
        p.dstLo,
        p.dstPort,
        p.srcHi,
        p.srcLo,
        p.srcPort);
  }

  /** True when the packet's source is endpoint {@code a} of its key. */
  public static boolean sourceIsA(DecodedPacket p) {
    return sourceIsA(p.srcHi, p.srcLo, p.srcPort, p.dstHi, p.dstLo, p.dstPort);
  }

  private static boolean sourceIsA(
      long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort) {
    int c = Long.compareUnsigned(srcHi, dstHi);
    if (c == 0) {
      c = Long.compareUnsigned(srcLo, dstLo);
    }
    if (c == 0) {
      c = Integer.compare(srcPort, dstPort);
    }
    return c <= 0;
  }

  /**
   * Hash of the packet's key, the same for both directions of its flow: what the capture workers'
   * dispatcher spreads flows by (with other bits of it than the flow table's slots use).
   */
  public static int symmetricHash(DecodedPacket p) {
    return hash(p, sourceIsA(p));
  }

  /**
   * {@link #symmetricHash(DecodedPacket)} of an untunnelled packet with these fields, for callers
   * that read them straight from a frame's bytes.
   */
  public static int symmetricHash(
      int ipVersion,
      int ipProtocol,
      int vlan,
      long srcHi,
      long srcLo,
      int srcPort,
      long dstHi,
      long dstLo,
      int dstPort) {
    return sourceIsA(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort)
        ? hash(ipVersion, ipProtocol, vlan, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort)
        : hash(ipVersion, ipProtocol, vlan, dstHi, dstLo, dstPort, srcHi, srcLo, srcPort);
  }

  /**
   * Hash of the packet's key, the same for both directions; {@code fromA} as from {@link
   * #sourceIsA}.
   */
  static int hash(DecodedPacket p, boolean fromA) {
    int h =
        fromA
            ? hash(
                p.ipVersion,
                p.ipProtocol,
                p.vlan,
                p.srcHi,
                p.srcLo,
                p.srcPort,
                p.dstHi,
                p.dstLo,
                p.dstPort)
            : hash(
                p.ipVersion,
                p.ipProtocol,
                p.vlan,
                p.dstHi,
                p.dstLo,
                p.dstPort,
                p.srcHi,
                p.srcLo,
                p.srcPort);
    return p.tunnelPath == 0 ? h : withPath(h, p.tunnelPath);
  }

  /** A flow's hash with its tunnel path ({@link DecodedPacket#tunnelPath}) folded in. */
  static int withPath(int hash, long tunnelPath) {
    return (int) finish((hash ^ tunnelPath) * MIX);
  }

  static int hash(
      int ipVersion,
      int ipProtocol,
      int vlan,
      long aHi,
      long aLo,
      int aPort,
      long bHi,
      long bLo,
      int bPort) {
    return hash(SEED, ipVersion, ipProtocol, vlan, aHi, aLo, aPort, bHi, bLo, bPort);
  }

  /** The hash under a given seed (tests: the process's seed changes which keys collide). */
  static int hash(
      long seed,
      int ipVersion,
      int ipProtocol,
      int vlan,
      long aHi,
      long aLo,
      int aPort,
      long bHi,
      long bLo,
      int bPort) {
    long h =
        ((long) aPort << 48)
            ^ ((long) bPort << 32)
            ^ ((long) (vlan & 0xFFFF) << 16)
            ^ ((long) ipProtocol << 8)
            ^ ipVersion;
    h = (h ^ seed) * MIX;
    h = (h ^ aLo) * MIX;
    h = (h ^ bLo) * MIX;
    if ((aHi | bHi) != 0) {
      h = (h ^ aHi) * MIX;
      h = (h ^ bHi) * MIX;
    }
    return (int) finish(h + seed);
  }

  /**
   * MurmurHash3's 64-bit finalizer: every input bit reaches every output bit, low bits included.
   */
  private static long finish(long h) {
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }
}
