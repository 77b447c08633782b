package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class FlowIdTest {
  private static final Instant T = Instant.parse("2026-11-23T10:00:00.000001Z");

  @Test
  void sameInputSameId() {
    assertThat(FlowId.of("tcp", "10.0.0.1", 1, "10.0.0.2", 8000, null, T))
        .isEqualTo(FlowId.of("tcp", "10.0.0.1", 1, "10.0.0.2", 8000, null, T))
        .hasSize(24);
  }

  @Test
  void idAlgorithmIsStable() { // the id is a contract (docs/DESIGN.md): same wire, same id, across
    // releases
    assertThat(
            FlowId.of(
                "tcp",
                "192.168.50.11",
                40022,
                "192.168.50.12",
                8000,
                50,
                Instant.parse("2026-11-23T10:02:00.123456Z")))
        .isEqualTo("16c3e0b83cbe720a90ffe26a");
  }

  @Test
  void everyPartChangesTheId() {
    String base = FlowId.of("tcp", "10.0.0.1", 1, "10.0.0.2", 8000, null, T);
    assertThat(FlowId.of("udp", "10.0.0.1", 1, "10.0.0.2", 8000, null, T)).isNotEqualTo(base);
    assertThat(FlowId.of("tcp", "10.0.0.3", 1, "10.0.0.2", 8000, null, T)).isNotEqualTo(base);
    assertThat(FlowId.of("tcp", "10.0.0.1", 2, "10.0.0.2", 8000, null, T)).isNotEqualTo(base);
    assertThat(FlowId.of("tcp", "10.0.0.1", 1, "10.0.0.2", 8000, 50, T)).isNotEqualTo(base);
    assertThat(FlowId.of("tcp", "10.0.0.1", 1, "10.0.0.2", 8000, null, T.plusNanos(1000)))
        .isNotEqualTo(base);
  }

  @Test
  void alertIdDependsOnRuleAndFlow() {
    assertThat(FlowId.alertId(RuleId.UNTRUSTED_SOURCE, "f1"))
        .isEqualTo(FlowId.alertId(RuleId.UNTRUSTED_SOURCE, "f1"))
        .isNotEqualTo(FlowId.alertId(RuleId.UNTRUSTED_DESTINATION, "f1"))
        .isNotEqualTo(FlowId.alertId(RuleId.UNTRUSTED_SOURCE, "f2"));
  }
}
