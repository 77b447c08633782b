package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Signature;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Decides which flows are live migrations (docs/DESIGN.md, "Rules"): a record the agent labelled, a
 * responder port in the policy's catalog; on any port, a flow that carries a migration signature
 * (QEVM, multifd, a Xen save stream, between any hosts; the vMotion page-stream start next to a
 * policy host: labelled with what was recognised, e.g. {@code qemu} on 5000); and between two
 * trusted hosts, a flow with the evidence of a memory copy ({@link CopyEvidence}): a tunnel (ESP,
 * SSH, TLS), a plain TCP bulk transfer, or RDMA (RoCEv2, which the agent records as transport
 * {@code rocev2}). ESP, SSH or TLS without that evidence (an HTTPS API call between hypervisors) is
 * not a migration; while such a flow may still show it, it is {@link FlowKind#UNDECIDED}. ICMP,
 * ICMPv6 and IGMP are link control and never migrations. A TCP flow to port 902 that the catalog
 * does not claim is vSphere NFC, a kind of its own.
 */
public final class MigrationDetector {
  public static final String TUNNEL_ESP = "tunnel-esp";
  public static final String TUNNEL_SSH = "tunnel-ssh";
  public static final String TUNNEL_TLS = "tunnel-tls";

  /** A plain TCP bulk transfer between two trusted hosts on a port no catalog lists. */
  public static final String BULK_TCP = "tcp-bulk";

  /**
   * RDMA between two trusted hosts (RoCEv2: Hyper-V over SMB Direct, QEMU's {@code rdma:}
   * transport), which bypasses the hosts' network stacks and never encrypts by itself.
   */
  public static final String RDMA = "rdma";

  /** The agent's transport name for RoCEv2 datagrams whose InfiniBand transport header it read. */
  public static final String ROCEV2_TRANSPORT = "rocev2";

  /** vSphere NFC server port (docs/PROTOCOLS.md); UDP 902 is the vCenter heartbeat, not NFC. */
  public static final int NFC_TCP_PORT = 902;

  /** Protocol labels this detector gives tunnels. */
  public static final List<String> TUNNEL_PROTOCOLS = List.of(TUNNEL_ESP, TUNNEL_SSH, TUNNEL_TLS);

  /** Every label this detector gives without a catalog port: tunnels and bulk transfers. */
  public static final List<String> INFERRED_PROTOCOLS =
      List.of(TUNNEL_ESP, TUNNEL_SSH, TUNNEL_TLS, BULK_TCP, RDMA);

  /**
   * Transport names of link control: named by the agent, or "ip-N" with the IANA protocol number.
   */
  static final Set<String> LINK_CONTROL_TRANSPORTS =
      Set.of("icmp", "icmpv6", "igmp", "ip-1", "ip-2", "ip-58");

  /** IPsec ESP, IP protocol 50 (RFC 4303). */
  static final Set<String> ESP_TRANSPORTS = Set.of("esp", "ip-50");

  /**
   * Signatures that make a TCP flow a migration whoever its hosts are: a stream that starts with
   * QEMU's QEVM or multifd magic, or with a Xen save stream's header, carries a VM's state. Two
   * hosts the policy does not know that migrate a VM are an unknown hypervisor pair on the audited
   * wire, and the untrusted-host rules say so. The vMotion start is a reverse-engineered hint of
   * eight mostly zero bytes (docs/PROTOCOLS.md), which other binary protocols may send: it counts
   * only next to a host of the policy. So do QEMU's postcopy channels without a stream header
   * ({@code qemu-postcopy}): the preempt channel, known by a RAM page record or a lone
   * end-of-section word, and the main channel resumed by postcopy recovery, known by its request
   * for a block's received-page bitmap, not by a magic; each comes after a QEVM main channel, which
   * is judged wherever it goes.
   */
  static final Set<Signature> SIGNATURES_ANYWHERE =
      EnumSet.of(Signature.QEMU, Signature.QEMU_MULTIFD, Signature.XEN);

  private final Policy policy;

  public MigrationDetector(Policy policy) {
    this.policy = policy;
  }

  public ClassifiedFlow classify(FlowRecord record) {
    if (LINK_CONTROL_TRANSPORTS.contains(record.transport())) {
      return new ClassifiedFlow(unlabelled(record), FlowKind.LINK_CONTROL);
    }
    if (record.hasCatalogProtocol()) {
      String label = byContent(record.protocol(), record);
      return new ClassifiedFlow(
          label.equals(record.protocol()) ? record : record.withProtocol(label),
          FlowKind.MIGRATION);
    }
    String fromCatalog = policy.catalog().protocolOf(record.transport(), record.dstPort());
    if (fromCatalog != null) {
      return new ClassifiedFlow(
          record.withProtocol(byContent(fromCatalog, record)), FlowKind.MIGRATION);
    }
    if ("tcp".equals(record.transport()) && record.dstPort() == NFC_TCP_PORT) {
      return new ClassifiedFlow(record, FlowKind.NFC); // not a migration: no protocol label
    }
    String recognised = signatureProtocol(record);
    if (recognised != null) {
      return new ClassifiedFlow(record.withProtocol(recognised), FlowKind.MIGRATION);
    }
    if (policy.isTrusted(record.src()) && policy.isTrusted(record.dst())) {
      return betweenTrustedHosts(record);
    }
    return new ClassifiedFlow(record, FlowKind.OTHER);
  }

  /**
   * The port's label, unless the content names another hypervisor on a port two of them share:
   * libvirt's libxl driver migrates Xen guests on the same 49152-49215 range as QEMU, so a Xen
   * stream there is {@code xen}, not {@code qemu}. No other label changes: a signature written in
   * front of a stream must not take a Hyper-V or vMotion migration out of the rules that judge
   * those.
   */
  static String byContent(String portLabel, FlowRecord record) {
    PayloadFeatures payload = record.payload();
    boolean xen = payload != null && payload.signature() == Signature.XEN;
    return xen && Signature.QEMU.migrationProtocol().equals(portLabel)
        ? Signature.XEN.migrationProtocol()
        : portLabel;
  }

  /**
   * A tunnel, TCP or RDMA flow between two trusted hosts: a migration only with a copy's evidence.
   * ESP and RDMA have no initiator to go by (the agent keys all RDMA between two hosts as one flow,
   * begun by whichever sent first), so their bulk may flow either way.
   */
  private static ClassifiedFlow betweenTrustedHosts(FlowRecord record) {
    boolean esp = ESP_TRANSPORTS.contains(record.transport());
    boolean rdma = ROCEV2_TRANSPORT.equals(record.transport());
    String label = esp ? TUNNEL_ESP : rdma ? RDMA : tunnelProtocol(record);
    if (label == null && "tcp".equals(record.transport())) {
      label = BULK_TCP;
    }
    if (label == null) {
      return new ClassifiedFlow(record, FlowKind.OTHER);
    }
    if (CopyEvidence.shows(record, esp || rdma)) {
      return new ClassifiedFlow(record.withProtocol(label), FlowKind.MIGRATION);
    }
    return new ClassifiedFlow(
        record, CopyEvidence.mayStillShow(record) ? FlowKind.UNDECIDED : FlowKind.OTHER);
  }

  /**
   * The protocol a migration signature names: QEMU's main (QEVM) and multifd channels and a Xen
   * save stream between any two hosts, the vMotion page-stream start only when the flow touches a
   * host of the policy. Null otherwise.
   */
  private String signatureProtocol(FlowRecord record) {
    PayloadFeatures payload = record.payload();
    Signature signature = payload == null ? null : payload.signature();
    String named = signature == null ? null : signature.migrationProtocol();
    if (named == null || !"tcp".equals(record.transport())) {
      return null;
    }
    if (SIGNATURES_ANYWHERE.contains(signature)) {
      return named;
    }
    return policy.isPolicyHost(record.src()) || policy.isPolicyHost(record.dst()) ? named : null;
  }

  private static String tunnelProtocol(FlowRecord record) {
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
