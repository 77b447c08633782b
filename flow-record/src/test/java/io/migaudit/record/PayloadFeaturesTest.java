package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PayloadFeaturesTest {

  @Test
  void aReasonIsCutToWhatTheAnalyzerTakes() {
    String longReason = "x".repeat(300);
    assertThat(PayloadFeatures.boundedReason(longReason))
        .hasSize(PayloadFeatures.MAX_REASON_CHARS)
        .endsWith("...");
    assertThat(PayloadFeatures.boundedReason("short")).isEqualTo("short");
    assertThat(PayloadFeatures.boundedReason("y".repeat(255))).isEqualTo("y".repeat(255));
    assertThat(PayloadFeatures.boundedReason(null)).isNull();
  }
}
