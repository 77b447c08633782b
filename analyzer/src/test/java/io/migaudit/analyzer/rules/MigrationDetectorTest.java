package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Signature;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationDetectorTest {
  private final MigrationDetector detector = new MigrationDetector(Flows.samplePolicy());

  @Test
  void catalogPortIsMigrationAndGetsLabelled() {
    ClassifiedFlow f = detector.classify(flow("192.168.50.11", "192.168.50.12", 8000).build());
    assertThat(f.kind()).isEqualTo(FlowKind.MIGRATION);
    assertThat(f.protocol()).isEqualTo("vmotion");
    assertThat(f.record().protocol()).isEqualTo("vmotion");
  }

  @Test
  void agentLabelIsKept() {
    ClassifiedFlow f =
        detector.classify(flow("10.66.0.21", "10.66.0.22", 6600).protocol("hyperv").build());
    assertThat(f.migration()).isTrue();
    assertThat(f.protocol()).isEqualTo("hyperv");
  }

  @Test
  void sourcePortInCatalogDoesNotMakeAMigration() {
    ClassifiedFlow f =
        detector.classify(flow("192.168.50.11", "192.168.50.12", 443).last().build());
    assertThat(f.kind()).isEqualTo(FlowKind.OTHER);
    assertThat(f.protocol()).isNull();
  }

  @Test
  void policyPortsCount() throws Exception {
    MigrationDetector custom =
        new MigrationDetector(
            PolicyLoader.parse(
                "p.yaml",
                "ports: [{protocol: lab-migrate, transport: udp, ports: [\"7000-7010\"]}]"));
    ClassifiedFlow f = custom.classify(flow("10.0.0.1", "10.0.0.2", 7005).transport("udp").build());
    assertThat(f.migration()).isTrue();
    assertThat(f.protocol()).isEqualTo("lab-migrate");
    assertThat(custom.classify(flow("10.0.0.1", "10.0.0.2", 7005).build()).migration()).isFalse();
  }

  @Test
  void linkControlIsNeverMigrationEvenWhenLabelled() {
    for (String transport : new String[] {"icmp", "icmpv6", "igmp", "ip-2"}) {
      ClassifiedFlow f =
          detector.classify(
              flow("192.168.50.11", "192.168.50.12", 0)
                  .transport(transport)
                  .protocol("vmotion")
                  .build());
      assertThat(f.kind()).as(transport).isEqualTo(FlowKind.LINK_CONTROL);
      assertThat(f.protocol()).as(transport).isNull();
    }
  }

  @Test
  void tunnelsBetweenTrustedHostsWithACopysEvidenceAreMigrations() {
    assertThat(
            detector
                .classify(
                    flow("10.10.0.11", "10.10.0.12", 0)
                        .transport("esp")
                        .payload(1_000, 5_000_000)
                        .build())
                .protocol())
        .isEqualTo(MigrationDetector.TUNNEL_ESP);
    assertThat(
            detector
                .classify(
                    flow("10.10.0.11", "10.10.0.12", 22)
                        .signature(Signature.SSH)
                        .payload(82_169, 3_381)
                        .build())
                .protocol())
        .isEqualTo(MigrationDetector.TUNNEL_SSH);
    assertThat(
            detector
                .classify(
                    flow("fd00:50::11", "fd00:50::12", 443)
                        .signature(Signature.TLS)
                        .payload(40_000_000, 20_000)
                        .build())
                .protocol())
        .isEqualTo(MigrationDetector.TUNNEL_TLS);
  }

  @Test
  void aMigrationPulledThroughAConnectionItsDestinationOpenedIsOne() {
    // the destination dials the source on a port no catalog lists and the memory comes back
    FlowRecord pulled =
        flow("10.10.0.12", "10.10.0.11", 5000)
            .bytes(300_000_000)
            .payload(200_000, 250_000_000)
            .build();
    assertThat(detector.classify(pulled).kind()).isEqualTo(FlowKind.MIGRATION);
    assertThat(detector.classify(pulled).protocol()).isEqualTo(MigrationDetector.BULK_TCP);
    FlowRecord pulledTls =
        flow("10.10.0.12", "10.10.0.11", 443)
            .signature(Signature.TLS)
            .bytes(300_000_000)
            .payload(200_000, 250_000_000)
            .build();
    assertThat(detector.classify(pulledTls).protocol()).isEqualTo(MigrationDetector.TUNNEL_TLS);
  }

  @Test
  void apiCallsOverHttpsBetweenTrustedHostsAreNotMigrations() {
    // request/response: the bulk comes back to the initiator, or there is no bulk at all
    FlowRecord download =
        flow("10.10.0.11", "10.10.0.12", 443)
            .signature(Signature.TLS)
            .payload(3_000, 900_000)
            .last()
            .build();
    FlowRecord small =
        flow("10.10.0.11", "10.10.0.12", 443)
            .signature(Signature.TLS)
            .payload(2_000, 6_000)
            .last()
            .build();
    assertThat(detector.classify(download).kind()).isEqualTo(FlowKind.OTHER);
    assertThat(detector.classify(small).kind()).isEqualTo(FlowKind.OTHER);
    assertThat(detector.classify(small).protocol()).isNull();
  }

  @Test
  void tunnelShortOfEvidenceWaitsWhileYoungThenIsOther() {
    Flows.Builder early =
        flow("10.10.0.11", "10.10.0.12", 22).signature(Signature.SSH).payload(4_000, 3_000);
    assertThat(detector.classify(early.lasting(2).build()).kind()).isEqualTo(FlowKind.UNDECIDED);
    assertThat(
            detector.classify(early.lasting(CopyEvidence.UNDECIDED_FOR.toSeconds()).build()).kind())
        .isEqualTo(FlowKind.OTHER);
    assertThat(detector.classify(early.lasting(2).last().build()).kind()).isEqualTo(FlowKind.OTHER);
  }

  @Test
  void bulkMustOutweighTheReturnTraffic() {
    Flows.Builder f = flow("10.10.0.11", "10.10.0.12", 22).signature(Signature.SSH).last();
    assertThat(
            detector
                .classify(f.payload(CopyEvidence.MIN_BULK_PAYLOAD_BYTES, 8_192).build())
                .migration())
        .isTrue();
    assertThat(
            detector
                .classify(f.payload(CopyEvidence.MIN_BULK_PAYLOAD_BYTES, 8_193).build())
                .migration())
        .isFalse();
    assertThat(
            detector
                .classify(f.payload(CopyEvidence.MIN_BULK_PAYLOAD_BYTES - 1, 0).build())
                .migration())
        .isFalse();
  }

  @Test
  void tunnelsNeedBothEndsTrusted() {
    assertThat(
            detector
                .classify(
                    flow("10.10.0.11", "10.10.0.99", 0)
                        .transport("esp")
                        .payload(5_000_000, 0)
                        .build())
                .kind())
        .isEqualTo(FlowKind.OTHER);
    assertThat(
            detector
                .classify(
                    flow("10.10.0.99", "10.10.0.12", 22)
                        .signature(Signature.SSH)
                        .payload(5_000_000, 0)
                        .build())
                .kind())
        .isEqualTo(FlowKind.OTHER);
  }

  @Test
  void plainTrafficBetweenTrustedHostsIsNotMigration() {
    assertThat(detector.classify(flow("10.10.0.11", "10.10.0.12", 80).last().build()).kind())
        .isEqualTo(FlowKind.OTHER);
    assertThat(
            detector
                .classify(
                    flow("10.10.0.11", "10.10.0.12", 80).signature(Signature.ZLIB).last().build())
                .kind())
        .isEqualTo(FlowKind.OTHER);
    assertThat(
            detector
                .classify(
                    flow("10.10.0.11", "10.10.0.12", 80)
                        .transport("udp")
                        .payload(9_000_000, 0)
                        .build())
                .kind())
        .isEqualTo(FlowKind.OTHER);
  }

  @Test
  void plainBulkTransferBetweenTrustedHostsOnAnyPortIsMigration() {
    ClassifiedFlow f =
        detector.classify(
            flow("192.168.50.11", "192.168.50.12", 5000).payload(3_000_000, 10_000).build());
    assertThat(f.migration()).isTrue();
    assertThat(f.protocol()).isEqualTo(MigrationDetector.BULK_TCP);
  }

  /** RDMA (RoCEv2) between trusted hosts with a copy's bulk, either way, is a migration. */
  @Test
  void rdmaBetweenTrustedHostsWithABulkEitherWayIsAMigration() {
    Flows.Builder rdma = flow("192.168.50.11", "192.168.50.12", 4791).transport("rocev2");
    ClassifiedFlow written = detector.classify(rdma.payload(3_000_000, 0).build());
    assertThat(written.kind()).isEqualTo(FlowKind.MIGRATION);
    assertThat(written.protocol()).isEqualTo(MigrationDetector.RDMA);
    // RDMA READ responses carry the memory towards the host that sent first: no initiator to go by
    ClassifiedFlow read = detector.classify(rdma.payload(4_000, 3_000_000).build());
    assertThat(read.protocol()).isEqualTo(MigrationDetector.RDMA);
    // the QEVM a WRITE's first bytes may hold names no port: still RDMA
    assertThat(
            detector
                .classify(rdma.signature(Signature.QEMU).payload(3_000_000, 0).build())
                .protocol())
        .isEqualTo(MigrationDetector.RDMA);
  }

  @Test
  void rdmaShortOfABulkWaitsThenIsOtherAndRdmaNeedsBothEndsTrusted() {
    Flows.Builder acks =
        flow("192.168.50.11", "192.168.50.12", 4791).transport("rocev2").payload(0, 0);
    assertThat(detector.classify(acks.lasting(2).build()).kind()).isEqualTo(FlowKind.UNDECIDED);
    assertThat(detector.classify(acks.lasting(2).last().build()).kind()).isEqualTo(FlowKind.OTHER);
    ClassifiedFlow untrusted =
        detector.classify(
            flow("192.168.50.11", "192.168.50.99", 4791)
                .transport("rocev2")
                .payload(3_000_000, 0)
                .build());
    assertThat(untrusted.kind()).isEqualTo(FlowKind.OTHER);
    // plain UDP to the same port between the same hosts is no RDMA
    assertThat(
            detector
                .classify(
                    flow("192.168.50.11", "192.168.50.12", 4791)
                        .transport("udp")
                        .payload(3_000_000, 0)
                        .last()
                        .build())
                .kind())
        .isEqualTo(FlowKind.OTHER);
  }

  /** How the detector classifies a flow to {@code port} whose payload starts with {@code s}. */
  private ClassifiedFlow classified(String src, String dst, int port, Signature s) {
    return detector.classify(flow(src, dst, port).signature(s).build());
  }

  /** The label the detector gives a flow to {@code port} whose payload starts with {@code s}. */
  private String labelOf(String src, String dst, int port, Signature s) {
    return classified(src, dst, port, s).protocol();
  }

  @Test
  void migrationSignatureOnAnUnlistedPortNamesItsProtocol() {
    ClassifiedFlow qemu = classified("192.168.50.11", "192.168.50.12", 5000, Signature.QEMU);
    assertThat(qemu.migration()).isTrue();
    assertThat(qemu.protocol()).isEqualTo("qemu");
    assertThat(labelOf("192.168.50.99", "192.168.50.12", 6000, Signature.QEMU_MULTIFD))
        .isEqualTo("qemu");
    assertThat(labelOf("10.10.0.11", "203.0.113.9", 7000, Signature.VMOTION)).isEqualTo("vmotion");
  }

  @Test
  void aXenStreamOnTheLibvirtPortsIsXenButNoSignatureRelabelsAnotherHypervisorsPort() {
    // libvirt's libxl driver migrates on the range QEMU uses: the content says which one it was
    assertThat(labelOf("192.168.50.11", "192.168.50.12", 49152, Signature.XEN)).isEqualTo("xen");
    assertThat(
            detector
                .classify(
                    flow("192.168.50.11", "192.168.50.12", 49152)
                        .protocol("qemu")
                        .signature(Signature.XEN)
                        .build())
                .protocol())
        .as("labelled by the agent's catalog")
        .isEqualTo("xen");
    assertThat(labelOf("192.168.50.11", "192.168.50.12", 49152, Signature.QEMU)).isEqualTo("qemu");
    // a forged signature must not take a migration out of its own rules (CREDSSP_MIGRATION)
    assertThat(labelOf("10.66.0.21", "10.66.0.22", 6600, Signature.XEN)).isEqualTo("hyperv");
    assertThat(labelOf("192.168.50.11", "192.168.50.12", 8000, Signature.QEMU))
        .isEqualTo("vmotion");
  }

  @Test
  void aXenStreamOnAnUnlistedPortToAnUntrustedHostIsAXenMigration() {
    // Without the signature this flow (a trusted host to one that is not, port 5002) is no
    // migration at all: nothing would judge where the VM went or whether it was encrypted.
    ClassifiedFlow xen = classified("192.168.50.11", "192.168.50.98", 5002, Signature.XEN);
    assertThat(xen.migration()).isTrue();
    assertThat(xen.protocol()).isEqualTo("xen");
    assertThat(labelOf("192.168.50.11", "192.168.50.98", 5002, Signature.NONE)).isNull();
  }

  @Test
  void qemuAndXenStreamsAreMigrationsWhoeverTheirHostsAre() {
    // an unknown hypervisor pair moving a VM in clear on QEMU's documentation port: the
    // untrusted-host rules must get to judge it
    for (Signature s : List.of(Signature.QEMU, Signature.QEMU_MULTIFD, Signature.XEN)) {
      ClassifiedFlow f = classified("203.0.113.8", "203.0.113.9", 4444, s);
      assertThat(f.migration()).as(s.wire()).isTrue();
      assertThat(f.protocol()).as(s.wire()).isEqualTo(s.migrationProtocol());
    }
    assertThat(labelOf("127.0.0.1", "127.0.0.1", 4444, Signature.QEMU)).isEqualTo("qemu");
  }

  @Test
  void aQemuPostcopyChannelCountsOnlyNextToAPolicyHost() {
    // the preempt channel on QEMU's documentation port between two trusted hosts of the migration
    // network: without the signature it was other traffic there (SHARED_MIGRATION_SEGMENT)
    ClassifiedFlow f = classified("192.168.50.11", "192.168.50.12", 4444, Signature.QEMU_POSTCOPY);
    assertThat(f.migration()).isTrue();
    assertThat(f.protocol()).isEqualTo("qemu");
    // no magic: away from every host of the policy it is not enough, as the vMotion hint
    assertThat(
            detector
                .classify(
                    flow("203.0.113.8", "203.0.113.9", 4444)
                        .signature(Signature.QEMU_POSTCOPY)
                        .build())
                .kind())
        .isEqualTo(FlowKind.OTHER);
  }

  @Test
  void theVmotionHintAwayFromEveryPolicyHostIsNotEnough() {
    ClassifiedFlow f =
        detector.classify(
            flow("203.0.113.8", "203.0.113.9", 5000).signature(Signature.VMOTION).build());
    assertThat(f.kind()).isEqualTo(FlowKind.OTHER);
    assertThat(f.protocol()).isNull();
    assertThat(
            detector
                .classify(flow("203.0.113.8", "203.0.113.9", 5000).signature(Signature.TLS).build())
                .kind())
        .as("a wrapper is no migration signature")
        .isEqualTo(FlowKind.OTHER);
  }
}
