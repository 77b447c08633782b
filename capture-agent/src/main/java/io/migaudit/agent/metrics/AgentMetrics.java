package io.migaudit.agent.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.publish.FlowPublisher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The capture agent's meters. Names are dotted; the Prometheus registry renders
 * {@code migaudit.agent.packets} as {@code migaudit_agent_packets_total} and so on (DESIGN.md,
 * "Metrics"). Tag values come from bounded sets only: configured interfaces, decode issue names and
 * end reasons.
 */
public final class AgentMetrics {
  public static final String PACKETS = "migaudit.agent.packets";
  public static final String PACKETS_DROPPED = "migaudit.agent.packets.dropped";
  public static final String FLOWS_ACTIVE = "migaudit.agent.flows.active";
  public static final String FLOWS_ENDED = "migaudit.agent.flows.ended";
  public static final String RECORDS_SENT = "migaudit.agent.records.sent";
  public static final String RECORDS_FAILED = "migaudit.agent.records.failed";

  public static final String TAG_INTERFACE = "interface";
  public static final String TAG_REASON = "reason";

  private final MeterRegistry registry;
  private final List<PipelineCounters> pipelines = new CopyOnWriteArrayList<>();

  public AgentMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder(FLOWS_ACTIVE, pipelines, all -> all.stream().mapToLong(PipelineCounters::activeFlows).sum())
        .description("Flows tracked by the flow tables").register(registry);
  }

  /** Exposes one capture pipeline's counters under its interface tag. */
  public void bind(String iface, PipelineCounters counters) {
    pipelines.add(counters);
    FunctionCounter.builder(PACKETS, counters, PipelineCounters::packets)
        .description("Packets read from the interface or capture file")
        .tag(TAG_INTERFACE, iface).register(registry);
    for (String reason : counters.dropReasons()) {
      FunctionCounter.builder(PACKETS_DROPPED, counters, c -> c.dropped(reason))
          .description("Packets not turned into flows, by reason (malformed headers, not IP, kernel or interface capture drops)")
          .tags(TAG_INTERFACE, iface, TAG_REASON, reason).register(registry);
    }
    for (EndReason reason : EndReason.values()) {
      FunctionCounter.builder(FLOWS_ENDED, counters, c -> c.flowsEnded(reason))
          .description("Flows that ended, by reason (evicted = pushed out of the full flow table)")
          .tags(TAG_INTERFACE, iface, TAG_REASON, reason.wire()).register(registry);
    }
  }

  /** Exposes the publisher's delivery counters. */
  public void bind(FlowPublisher publisher) {
    FunctionCounter.builder(RECORDS_SENT, publisher, FlowPublisher::sent)
        .description("Flow records acknowledged by Kafka").register(registry);
    FunctionCounter.builder(RECORDS_FAILED, publisher, FlowPublisher::failed)
        .description("Flow records Kafka did not acknowledge").register(registry);
  }

}
