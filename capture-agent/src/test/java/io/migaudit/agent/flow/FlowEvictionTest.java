package io.migaudit.agent.flow;

import static io.migaudit.agent.flow.Packets.ACK;
import static io.migaudit.agent.flow.Packets.SYN;
import static io.migaudit.agent.flow.Packets.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A full table gives up one-packet half-open flows before migration flows with a handshake. */
class FlowEvictionTest {
  private static final long T0 = 1_700_000_000_000_000L;
  private final List<FlowRecord> records = new ArrayList<>();
  private final FlowTable table =
      new FlowTable(
          new FlowTableConfig(10, Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(2)),
          PortCatalog.builtIn(),
          "t",
          "eth0",
          records::add,
          4096,
          512);

  private void migration(long at, int host) {
    table.offer(tcp(at, host, 40000, 200, 8000, SYN, 0));
    table.offer(tcp(at + 1, 200, 8000, host, 40000, SYN | ACK, 0));
    table.offer(tcp(at + 2, host, 40000, 200, 8000, ACK, 100));
  }

  private List<Integer> evictedSourcePorts() {
    return records.stream()
        .filter(r -> "evicted".equals(r.endReason()))
        .map(FlowRecord::srcPort)
        .toList();
  }

  @Test
  void aSynFloodEvictsHalfOpenFlowsNotPausedMigrations() {
    for (int i = 0; i < 5; i++) {
      migration(T0 + i * 10, 20 + i); // the least recently seen flows: paused migrations
    }
    for (int i = 0; i < 1000; i++) {
      table.offer(tcp(T0 + 1000 + i, 99, 1024 + i, 100, 443, SYN, 0));
    }
    assertThat(table.size()).isEqualTo(10);
    assertThat(evictedSourcePorts()).hasSize(995).doesNotContain(40000);
  }

  @Test
  void anOrdinaryFlowGoesBeforeAMigrationWithAHandshake() {
    for (int i = 0; i < 9; i++) {
      migration(T0 + i * 10, 20 + i);
    }
    table.offer(tcp(T0 + 500, 50, 5555, 51, 80, ACK, 10));
    table.offer(
        tcp(T0 + 501, 51, 80, 50, 5555, ACK, 10)); // two packets: not half-open, not a migration
    table.offer(tcp(T0 + 600, 60, 6666, 61, 8000, SYN, 0));
    assertThat(evictedSourcePorts()).containsExactly(5555);
  }

  @Test
  void withOnlyMigrationsLeftTheLeastRecentlySeenGoes() {
    for (int i = 0; i < 10; i++) {
      migration(T0 + i * 10, 20 + i);
    }
    table.offer(tcp(T0 + 600, 60, 6666, 61, 8000, SYN, 0));
    assertThat(records)
        .filteredOn(r -> "evicted".equals(r.endReason()))
        .singleElement()
        .satisfies(r -> assertThat(r.src()).isEqualTo("10.0.0.20"));
  }
}
