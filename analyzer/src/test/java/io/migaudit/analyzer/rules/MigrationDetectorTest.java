package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.record.Signature;
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
    ClassifiedFlow f = detector.classify(flow("10.66.0.21", "10.66.0.22", 6600).protocol("hyperv").build());
    assertThat(f.migration()).isTrue();
    assertThat(f.protocol()).isEqualTo("hyperv");
  }

  @Test
  void sourcePortInCatalogDoesNotMakeAMigration() {
    ClassifiedFlow f = detector.classify(flow("192.168.50.11", "192.168.50.12", 443).build());
    assertThat(f.kind()).isEqualTo(FlowKind.OTHER);
    assertThat(f.protocol()).isNull();
  }

  @Test
  void policyPortsCount() throws Exception {
    MigrationDetector custom = new MigrationDetector(PolicyLoader.parse("p.yaml",
        "ports: [{protocol: lab-migrate, transport: udp, ports: [\"7000-7010\"]}]"));
    ClassifiedFlow f = custom.classify(flow("10.0.0.1", "10.0.0.2", 7005).transport("udp").build());
    assertThat(f.migration()).isTrue();
    assertThat(f.protocol()).isEqualTo("lab-migrate");
    assertThat(custom.classify(flow("10.0.0.1", "10.0.0.2", 7005).build()).migration()).isFalse();
  }

  @Test
  void linkControlIsNeverMigrationEvenWhenLabelled() {
    for (String transport : new String[] {"icmp", "icmpv6", "igmp", "ip-2"}) {
      ClassifiedFlow f = detector.classify(
          flow("192.168.50.11", "192.168.50.12", 0).transport(transport).protocol("vmotion").build());
      assertThat(f.kind()).as(transport).isEqualTo(FlowKind.LINK_CONTROL);
      assertThat(f.protocol()).as(transport).isNull();
    }
  }

  @Test
  void tunnelsBetweenTrustedHostsAreMigrations() {
    assertThat(detector.classify(flow("10.10.0.11", "10.10.0.12", 0).transport("esp").build()).protocol())
        .isEqualTo(MigrationDetector.TUNNEL_ESP);
    assertThat(detector.classify(flow("10.10.0.11", "10.10.0.12", 22).signature(Signature.SSH).build())
        .protocol()).isEqualTo(MigrationDetector.TUNNEL_SSH);
    assertThat(detector.classify(flow("fd00:50::11", "fd00:50::12", 443).signature(Signature.TLS).build())
        .protocol()).isEqualTo(MigrationDetector.TUNNEL_TLS);
  }

  @Test
  void tunnelsNeedBothEndsTrusted() {
    assertThat(detector.classify(flow("10.10.0.11", "10.10.0.99", 0).transport("esp").build()).kind())
        .isEqualTo(FlowKind.OTHER);
    assertThat(detector.classify(flow("10.10.0.99", "10.10.0.12", 22).signature(Signature.SSH).build())
        .kind()).isEqualTo(FlowKind.OTHER);
  }

  @Test
  void plainTrafficBetweenTrustedHostsIsNotMigration() {
    assertThat(detector.classify(flow("10.10.0.11", "10.10.0.12", 80).build()).kind())
        .isEqualTo(FlowKind.OTHER);
    assertThat(detector.classify(flow("10.10.0.11", "10.10.0.12", 80).signature(Signature.ZLIB).build())
        .kind()).isEqualTo(FlowKind.OTHER);
  }
}
