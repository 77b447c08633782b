package io.migaudit.analyzer.suggest;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.PortCatalog;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import org.junit.jupiter.api.Test;

class MigrationSightingTest {
  @Test
  void aXenStreamOnAnUnlistedPortIsSightedAsXenByItsSignature() {
    MigrationSighting s =
        MigrationSighting.of(
                flow("192.168.50.11", "192.168.50.12", 5002)
                    .signature(Signature.XEN)
                    .verdict(Verdict.PLAINTEXT, "raw pages")
                    .last()
                    .build(),
                PortCatalog.builtIn())
            .orElseThrow();
    assertThat(s.protocol()).isEqualTo("xen");
    assertThat(s.bySignature()).isTrue();
    assertThat(s.reason()).isEqualTo("signature xen on port 5002");
  }

  @Test
  void noSignatureOnAnUnlistedPortIsNoSighting() {
    assertThat(
            MigrationSighting.of(
                flow("192.168.50.11", "192.168.50.12", 5002).signature(Signature.NONE).build(),
                PortCatalog.builtIn()))
        .isEmpty();
  }

  /**
   * Bulk RDMA is sighted as RDMA, a tunnel only between trusted hosts, never by the QEVM its WRITEs
   * may start with: a policy could not list its port (transport rocev2 is no policy transport).
   */
  @Test
  void bulkRdmaIsSightedAsRdmaNotByItsSignature() {
    MigrationSighting s =
        MigrationSighting.of(
                flow("192.168.50.11", "192.168.50.12", 4791)
                    .transport("rocev2")
                    .signature(Signature.QEMU)
                    .bytes(3_000_000)
                    .payload(2_900_000, 0)
                    .last()
                    .build(),
                PortCatalog.builtIn())
            .orElseThrow();
    assertThat(s.protocol()).isEqualTo("rdma");
    assertThat(s.bySignature()).isFalse();
    assertThat(s.tunnel()).isTrue();
    assertThat(s.reason()).startsWith("bulk RDMA (RoCEv2), ");
    assertThat(
            MigrationSighting.of(
                flow("192.168.50.11", "192.168.50.12", 4791)
                    .transport("rocev2")
                    .signature(Signature.QEMU)
                    .bytes(2_000)
                    .build(),
                PortCatalog.builtIn()))
        .isEmpty();
  }
}
