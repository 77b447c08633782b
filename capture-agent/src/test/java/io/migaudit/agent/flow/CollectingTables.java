package io.migaudit.agent.flow;

import io.migaudit.agent.AgentConfig;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import java.time.Duration;
import java.util.List;

/** Flow tables for tests that key flows and read their records: timeouts no test reaches. */
final class CollectingTables {
  private CollectingTables() {}

  /**
   * A table of at most {@code maxFlows}, idle after 60 s, interim records every 120 s, 4 KiB
   * samples, its records added to {@code records}.
   */
  static FlowTable collecting(int maxFlows, List<FlowRecord> records) {
    return new FlowTable(
        new FlowTableConfig(
            maxFlows, Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(2)),
        PortCatalog.builtIn(),
        "a",
        "eth0",
        records::add,
        4096,
        512);
  }

  /**
   * A table as the agent makes one (default timeouts and sample sizes), records to {@code records}.
   */
  static FlowTable agentDefaults(List<FlowRecord> records) {
    return new FlowTable(
        FlowTableConfig.defaults(),
        PortCatalog.builtIn(),
        "test-agent",
        "eth0",
        records::add,
        AgentConfig.DEFAULT_SAMPLE_BYTES,
        AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
  }
}
