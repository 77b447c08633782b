package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Signature;
import java.util.List;
import java.util.Set;

/**
 * Decides which flows are live migrations (DESIGN.md, "Rules"): a record the agent labelled, a
 * responder port in the policy's catalog, or a tunnel (ESP, or an SSH/TLS payload on another port)
 * between two trusted hosts. ICMP, ICMPv6 and IGMP are link control and never migrations. A TCP
 * flow to port 902 that the catalog does not claim is vSphere NFC, a kind of its own.
 */
public final class MigrationDetector {
  public static final String TUNNEL_ESP = "tunnel-esp";
  public static final String TUNNEL_SSH = "tunnel-ssh";
  public static final String TUNNEL_TLS = "tunnel-tls";
  /** vSphere NFC server port (PROTOCOLS.md); UDP 902 is the vCenter heartbeat, not NFC. */
  public static final int NFC_TCP_PORT = 902;
  /** Protocol labels this detector gives tunnels. */
  public static final List<String> TUNNEL_PROTOCOLS = List.of(TUNNEL_ESP, TUNNEL_SSH, TUNNEL_TLS);

  /**
   * Transport names of link control: named by the agent, or "ip-N" with the IANA protocol number.
   */
  static final Set<String> LINK_CONTROL_TRANSPORTS =
      Set.of("icmp", "icmpv6", "igmp", "ip-1", "ip-2", "ip-58");
  /** IPsec ESP, IP protocol 50 (RFC 4303). */
  static final Set<String> ESP_TRANSPORTS = Set.of("esp", "ip-50");

  private final Policy policy;

  public MigrationDetector(Policy policy) {
    this.policy = policy;
  }

  public ClassifiedFlow classify(FlowRecord record) {
    if (LINK_CONTROL_TRANSPORTS.contains(record.transport())) {
      return new ClassifiedFlow(unlabelled(record), FlowKind.LINK_CONTROL);
    }
    if (record.hasCatalogProtocol()) {
      return new ClassifiedFlow(record, FlowKind.MIGRATION);
    }
    String fromCatalog = policy.catalog().protocolOf(record.transport(), record.dstPort());
    if (fromCatalog != null) {
      return new ClassifiedFlow(record.withProtocol(fromCatalog), FlowKind.MIGRATION);
    }
    if ("tcp".equals(record.transport()) && record.dstPort() == NFC_TCP_PORT) {
      return new ClassifiedFlow(record, FlowKind.NFC); // not a migration: no protocol label
    }
    String tunnel = tunnelProtocol(record);
    if (tunnel != null && policy.isTrusted(record.src()) && policy.isTrusted(record.dst())) {
      return new ClassifiedFlow(record.withProtocol(tunnel), FlowKind.MIGRATION);
    }
    return new ClassifiedFlow(record, FlowKind.OTHER);
  }

  private static String tunnelProtocol(FlowRecord record) {
    if (ESP_TRANSPORTS.contains(record.transport())) {
      return TUNNEL_ESP;
    }
    PayloadFeatures payload = record.payload();
    Signature signature = payload == null ? null : payload.signature();
    if (signature == Signature.SSH) {
      return TUNNEL_SSH;
    }
    if (signature == Signature.TLS) {
      return TUNNEL_TLS;
    }
    return null;
  }

  private static FlowRecord unlabelled(FlowRecord record) {
    return record.hasCatalogProtocol() ? record.withProtocol(null) : record;
  }
}
