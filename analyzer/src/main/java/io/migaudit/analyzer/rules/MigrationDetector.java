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
 * between two trusted hosts. ICMP, ICMPv6 and IGMP are link control and never migrations.
 */
public final class MigrationDetector {
  public static final String TUNNEL_ESP = "tunnel-esp";
  public static final String TUNNEL_SSH = "tunnel-ssh";
  public static final String TUNNEL_TLS = "tunnel-tls";
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
