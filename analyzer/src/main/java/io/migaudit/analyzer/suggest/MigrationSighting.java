package io.migaudit.analyzer.suggest;

import io.migaudit.analyzer.rules.MigrationDetector;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.Signature;
import java.util.Optional;

/**
 * A flow that looks like a live migration, and why: its responder port is in the catalog, or its
 * payload starts with a migration signature (QEMU, multifd, vMotion framing, a Xen save stream) on
 * any port, or it is a bulk ESP/SSH/TLS tunnel or bulk RDMA (RoCEv2; both judged a migration only
 * between trusted hosts, as the analyzer does). RDMA is told by its transport before any signature:
 * its flows have no port a policy could list.
 *
 * @param record the flow's latest record
 * @param protocol the migration protocol ("vmotion", "qemu", "tunnel-ssh", ...)
 * @param reason how it was recognised, for the listing ("port 8000", "signature qemu on port 4444")
 * @param bySignature true when only its signature (not its port) made it a migration
 * @param tunnel true for an ESP/SSH/TLS tunnel or RDMA
 */
public record MigrationSighting(
    FlowRecord record, String protocol, String reason, boolean bySignature, boolean tunnel) {
  /** Bytes a tunnel must carry to count as a memory copy rather than a short call between hosts. */
  public static final long TUNNEL_MIN_BYTES = 1 << 20;

  /** The sighting of {@code r}, or empty when it does not look like a migration. */
  public static Optional<MigrationSighting> of(FlowRecord r, PortCatalog catalog) {
    if (r.protocol() != null) {
      return Optional.of(
          new MigrationSighting(r, r.protocol(), "port " + r.dstPort(), false, false));
    }
    String byPort = catalog.protocolOf(r.transport(), r.dstPort());
    if (byPort != null) {
      return Optional.of(new MigrationSighting(r, byPort, "port " + r.dstPort(), false, false));
    }
    if (MigrationDetector.ROCEV2_TRANSPORT.equals(r.transport())) {
      return bulk(r)
          ? Optional.of(
              new MigrationSighting(
                  r,
                  MigrationDetector.RDMA,
                  "bulk RDMA (RoCEv2), " + r.totalBytes() + " bytes",
                  false,
                  true))
          : Optional.empty();
    }
    Signature s = r.payload() == null ? null : r.payload().signature();
    String bySignature = s == null ? null : s.migrationProtocol();
    if (bySignature != null) {
      return Optional.of(
          new MigrationSighting(
              r, bySignature, "signature " + s.wire() + " on port " + r.dstPort(), true, false));
    }
    String tunnel =
        "esp".equals(r.transport()) || "ip-50".equals(r.transport())
            ? "tunnel-esp"
            : s == Signature.SSH ? "tunnel-ssh" : s == Signature.TLS ? "tunnel-tls" : null;
    if (tunnel != null && bulk(r)) {
      return Optional.of(
          new MigrationSighting(
              r,
              tunnel,
              "bulk "
                  + tunnel.substring("tunnel-".length())
                  + " tunnel, "
                  + r.totalBytes()
                  + " bytes",
              false,
              true));
    }
    return Optional.empty();
  }

  private static boolean bulk(FlowRecord r) {
    return r.srcToDst() != null && r.dstToSrc() != null && r.totalBytes() >= TUNNEL_MIN_BYTES;
  }
}
