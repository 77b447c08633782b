package io.migaudit.cli.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conditions the classify report names for a migration flow. */
class FlowConditionTest {
  private static FlowRecord record(
      int dstPort, String protocol, List<String> encapsulation, Signature signature) {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    return new FlowRecord(
        SchemaVersion.CURRENT,
        "a",
        "eth0",
        "f",
        0,
        true,
        "fin",
        t,
        t,
        50,
        null,
        encapsulation,
        4,
        "tcp",
        "192.168.50.11",
        41011,
        "192.168.50.12",
        dstPort,
        "syn",
        new Counters(1, 100, 60),
        new Counters(1, 40, 0),
        List.of("SYN"),
        protocol,
        new PayloadFeatures(4096, 3.1, 9e4, 0.5, 0.2, signature, Verdict.PLAINTEXT, "x"));
  }

  @Test
  void namesWhyItIsAMigrationAndThePathItTook() throws Exception {
    Policy policy = PolicyLoader.load(Path.of("../samples/policy.yaml"));
    assertThat(
            FlowCondition.of(
                record(5000, "qemu", List.of("ethernet", "vlan"), Signature.QEMU), policy))
        .isEqualTo(FlowCondition.UNLISTED_PORT);
    assertThat(
            FlowCondition.of(
                record(
                    8000,
                    "vmotion",
                    List.of("ethernet", "ipv4", "gre", "erspan", "ethernet", "vlan"),
                    Signature.VMOTION),
                policy))
        .isEqualTo("catalog port, in gre, in erspan");
    // MPLS carried across an IP core in a UDP tunnel (RFC 7510): both layers name the path
    assertThat(
            FlowCondition.of(
                record(
                    49152,
                    "qemu",
                    List.of("ethernet", "ipv4", "udp-tunnel", "mpls", "ipv4"),
                    Signature.QEMU),
                policy))
        .isEqualTo("catalog port, in udp-tunnel, in mpls");
    assertThat(
            FlowCondition.of(
                record(445, "hyperv-smb", List.of("ethernet"), Signature.SMB3_ENCRYPTED), policy))
        .isEqualTo("catalog port, smb3 transform");
    assertThat(
            FlowCondition.of(record(22, "tunnel-ssh", List.of("ethernet"), Signature.SSH), policy))
        .isEqualTo(FlowCondition.COPY_EVIDENCE);
    // QEMU's postcopy preempt channel, empty: no signature, a migration by the listener it went to
    assertThat(
            FlowCondition.of(
                record(5000, "qemu", List.of("ethernet", "vlan"), Signature.NONE), policy))
        .isEqualTo(FlowCondition.LISTENER);
  }
}
