package io.migaudit.analyzer.metrics;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.rules.Flows;
import org.junit.jupiter.api.Test;

class FlowByteDeltasTest {

  @Test
  void finalRecordReleasesTheFlow() {
    FlowByteDeltas deltas = new FlowByteDeltas(10);
    Flows.Builder f = flow("10.0.0.1", "10.0.0.2", 8000);
    assertThat(deltas.add(f.bytes(100).build())).isEqualTo(100);
    assertThat(deltas.size()).isEqualTo(1);
    assertThat(deltas.add(f.bytes(250).last().build())).isEqualTo(150);
    assertThat(deltas.size()).isZero();
  }

  @Test
  void olderRecordArrivingLateAddsNothing() {
    FlowByteDeltas deltas = new FlowByteDeltas(10);
    Flows.Builder f = flow("10.0.0.1", "10.0.0.2", 8000);
    deltas.add(f.seq(2).bytes(500).build());
    assertThat(deltas.add(f.seq(1).bytes(300).build())).isZero();
    assertThat(deltas.add(f.seq(3).bytes(600).build())).isEqualTo(100);
  }

  @Test
  void boundedByCapacity() {
    FlowByteDeltas deltas = new FlowByteDeltas(2);
    for (int i = 1; i <= 5; i++) {
      deltas.add(flow("10.0.0." + i, "10.0.0.100", 8000).bytes(10).build());
    }
    assertThat(deltas.size()).isEqualTo(2);
  }
}
