package io.migaudit.record;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Deterministic identifiers. A flow id depends only on what was on the wire (the canonical 5-tuple,
 * the VLAN and the first packet's timestamp), not on which agent saw it or when it ran, so two
 * agents on both ends of a migration name the flow alike and a replay always yields the same ids.
 */
public final class FlowId {
  private static final int ID_BYTES = 12;
  private static final HexFormat HEX = HexFormat.of();

  /**
   * {@code MessageDigest.getInstance} looks up providers on every call; a digest resets after each
   * use.
   */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(FlowId::sha256);

  private FlowId() {}

  /** Id of a flow; {@code src} is the initiator. */
  public static String of(
      String transport,
      String src,
      int srcPort,
      String dst,
      int dstPort,
      Integer vlan,
      Instant firstSeen) {
    return hash(
        "flow|"
            + transport
            + '|'
            + src
            + '|'
            + srcPort
            + '|'
            + dst
            + '|'
            + dstPort
            + '|'
            + (vlan == null ? "-" : vlan.toString())
            + '|'
            + firstSeen.getEpochSecond()
            + '.'
            + firstSeen.getNano() / 1000);
  }

  /** Id of the one alert a rule may raise about a flow. */
  public static String alertId(RuleId rule, String flowId) {
    return hash("alert|" + rule.name() + '|' + flowId);
  }

  /**
   * Id of a migration event: its protocol family, its host pair (unordered, so streams opened from
   * either end name the same event) and the first packet of the stream that opened it.
   */
  public static String eventId(String protocol, String hostA, String hostB, Instant firstSeen) {
    boolean ordered = hostA.compareTo(hostB) <= 0;
    return hash(
        "event|"
            + protocol
            + '|'
            + (ordered ? hostA : hostB)
            + '|'
            + (ordered ? hostB : hostA)
            + '|'
            + firstSeen.getEpochSecond()
            + '.'
            + firstSeen.getNano() / 1000);
  }

  private static String hash(String text) {
    byte[] digest = SHA_256.get().digest(text.getBytes(StandardCharsets.UTF_8));
    return HEX.formatHex(digest, 0, ID_BYTES);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
