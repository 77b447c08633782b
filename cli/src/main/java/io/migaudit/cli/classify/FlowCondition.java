package io.migaudit.cli.classify;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.MigrationDetector;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The conditions a migration flow was judged under, for the classify report: why it is a migration
 * (a catalog port, a signature on a port no catalog lists, a memory copy's evidence, the listener
 * of a migration it went to), the tunnel it was seen through, SMB3's transform framing, and a
 * stream picked up mid-way.
 */
final class FlowCondition {
  static final String CATALOG_PORT = "catalog port";
  static final String UNLISTED_PORT = "signature on unlisted port";
  static final String LISTENER = "listener of a migration";
  static final String COPY_EVIDENCE = "copy evidence";
  static final String SMB3_TRANSFORM = "smb3 transform";
  static final String MID_STREAM = "mid-stream";
  private static final Set<String> TUNNEL_LAYERS =
      Set.of("gre", "erspan", "vxlan", "geneve", "ip-in-ip", "udp-tunnel", "mpls");

  private FlowCondition() {}

  /** The conditions of a migration flow's record, joined with ", ". */
  static String of(FlowRecord r, Policy policy) {
    List<String> conditions = new ArrayList<>();
    Signature signature = r.payload() == null ? null : r.payload().signature();
    if (policy.catalog().protocolOf(r.transport(), r.dstPort()) != null) {
      conditions.add(CATALOG_PORT);
    } else if (MigrationDetector.INFERRED_PROTOCOLS.contains(r.protocol())) {
      conditions.add(COPY_EVIDENCE);
    } else if (signature == null || signature.migrationProtocol() == null) {
      conditions.add(LISTENER); // no migration signature: another channel to a migration's listener
    } else {
      conditions.add(UNLISTED_PORT);
    }
    r.encapsulation().stream()
        .filter(TUNNEL_LAYERS::contains)
        .forEach(layer -> conditions.add("in " + layer));
    if (signature == Signature.SMB3_ENCRYPTED) {
      conditions.add(SMB3_TRANSFORM);
    }
    if (r.midStream()) {
      conditions.add(MID_STREAM);
    }
    return String.join(", ", conditions);
  }
}
