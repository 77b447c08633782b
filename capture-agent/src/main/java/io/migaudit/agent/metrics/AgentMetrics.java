package io.migaudit.agent.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.publish.FlowPublisher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The capture agent's meters. Names are dotted; the Prometheus registry renders {@code
 * migaudit.agent.packets} as {@code migaudit_agent_packets_total} and so on (docs/DESIGN.md,
 * "Metrics"). Tag values come from bounded sets only: configured interfaces, decode issue names and
 * end reasons.
 */
public final class AgentMetrics {
  public static final String PACKETS = "migaudit.agent.packets";
  public static final String PACKETS_DROPPED = "migaudit.agent.packets.dropped";
  public static final String FLOWS_ACTIVE = "migaudit.agent.flows.active";

  /** Pieces of fragmented IPv4 packets carrying TCP (migaudit_agent_tcp_fragments_total). */
  public static final String TCP_FRAGMENTS = "migaudit.agent.tcp.fragments";

  /**
   * Tunnel packets whose outer IP packet was a first fragment
   * (migaudit_agent_tunnel_fragments_total).
   */
  public static final String TUNNEL_FRAGMENTS = "migaudit.agent.tunnel.fragments";

  /** Fragmented IP packets put back together (migaudit_agent_packets_reassembled_total). */
  public static final String PACKETS_REASSEMBLED = "migaudit.agent.packets.reassembled";

  /**
   * Fragmented IP packets whose pieces disagree, judged piece by piece
   * (migaudit_agent_reassembly_conflicts_total).
   */
  public static final String REASSEMBLY_CONFLICTS = "migaudit.agent.reassembly.conflicts";

  /**
   * Fragmented IP packets whose pieces never all came, judged piece by piece
   * (migaudit_agent_reassembly_incomplete_total).
   */
  public static final String REASSEMBLY_INCOMPLETE = "migaudit.agent.reassembly.incomplete";

  /** IP packets captured shorter than on the wire (migaudit_agent_packets_snapped_total). */
  public static final String PACKETS_SNAPPED = "migaudit.agent.packets.snapped";

  public static final String FLOWS_ENDED = "migaudit.agent.flows.ended";

  /**
   * Flows that went on a connection after a close the hosts did not honour
   * (migaudit_agent_flows_continued_total).
   */
  public static final String FLOWS_CONTINUED = "migaudit.agent.flows.continued";

  /**
   * Connections outside the capture filter followed because they opened a QEMU or Xen migration
   * stream (migaudit_agent_flows_followed_total).
   */
  public static final String FLOWS_FOLLOWED = "migaudit.agent.flows.followed";

  /**
   * Such connections not followed, at the follower's bounds (migaudit_agent_follows_refused_total).
   */
  public static final String FOLLOWS_REFUSED = "migaudit.agent.follows.refused";

  public static final String RECORDS_SENT = "migaudit.agent.records.sent";
  public static final String RECORDS_FAILED = "migaudit.agent.records.failed";

  /** Prometheus: {@code migaudit_agent_spool_bytes}. */
  public static final String SPOOL = "migaudit.agent.spool";

  /** Prometheus: {@code migaudit_agent_spool_limit_bytes}. */
  public static final String SPOOL_LIMIT = "migaudit.agent.spool.limit";

  public static final String SPOOL_APPENDED = "migaudit.agent.spool.appended.records";
  public static final String SPOOL_DRAINED = "migaudit.agent.spool.drained.records";
  public static final String SPOOL_DROPPED = "migaudit.agent.spool.dropped.records";
  public static final String SPOOL_SKIPPED = "migaudit.agent.spool.skipped.records";

  public static final String TAG_INTERFACE = "interface";
  public static final String TAG_REASON = "reason";

  private final MeterRegistry registry;
  private final List<PipelineCounters> pipelines = new CopyOnWriteArrayList<>();

  public AgentMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder(
            FLOWS_ACTIVE,
            pipelines,
            all -> all.stream().mapToLong(PipelineCounters::activeFlows).sum())
        .description("Flows tracked by the flow tables")
        .register(registry);
  }

  /** Exposes one capture pipeline's counters under its interface tag. */
  public void bind(String iface, PipelineCounters counters) {
    pipelines.add(counters);
    FunctionCounter.builder(TCP_FRAGMENTS, counters, PipelineCounters::tcpFragments)
        .description(
            "Pieces of fragmented IPv4 packets carrying TCP; a migration path should not fragment")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    FunctionCounter.builder(TUNNEL_FRAGMENTS, counters, PipelineCounters::tunnelFragments)
        .description(
            "Tunnel packets whose outer IP packet was a first fragment: the underlay's MTU is too"
                + " small for the tunnel; the agent puts them back together")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    FunctionCounter.builder(PACKETS_REASSEMBLED, counters, PipelineCounters::reassembled)
        .description("Fragmented IP packets put back together and judged whole")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    FunctionCounter.builder(REASSEMBLY_CONFLICTS, counters, PipelineCounters::reassemblyConflicts)
        .description(
            "Fragmented IP packets whose pieces overlap with other bytes, pass 65,535 bytes or are"
                + " too many: receivers differ on what such a packet holds (an evasion); judged"
                + " piece by piece")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    FunctionCounter.builder(REASSEMBLY_INCOMPLETE, counters, PipelineCounters::reassemblyIncomplete)
        .description(
            "Fragmented IP packets whose pieces did not all come within 30 s or before the capture"
                + " ended: judged piece by piece")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    FunctionCounter.builder(PACKETS_SNAPPED, counters, PipelineCounters::snappedPackets)
        .description(
            "IP packets captured shorter than on the wire (the capture's or a mirror's snap"
                + " length): their payload is judged in part, and a cut stream may stay unknown")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    FunctionCounter.builder(PACKETS, counters, PipelineCounters::packets)
        .description("Packets read from the interface or capture file")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    for (String reason : counters.dropReasons()) {
      FunctionCounter.builder(PACKETS_DROPPED, counters, c -> c.dropped(reason))
          .description(
              "Packets not turned into flows, by reason (malformed headers, not IP, kernel or interface capture drops)")
          .tags(TAG_INTERFACE, iface, TAG_REASON, reason)
          .register(registry);
    }
    FunctionCounter.builder(FLOWS_CONTINUED, counters, PipelineCounters::flowsContinued)
        .description(
            "Flows that went on a connection after a RST or FIN the hosts did not honour (forged"
                + " closes, or data in flight when a connection was aborted)")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    FunctionCounter.builder(FLOWS_FOLLOWED, counters, PipelineCounters::connectionsFollowed)
        .description(
            "Connections outside the capture filter followed because they opened a QEMU or Xen"
                + " migration stream (a port no catalog lists, hosts the policy does not name)")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    FunctionCounter.builder(FOLLOWS_REFUSED, counters, PipelineCounters::followsRefused)
        .description(
            "Such connections not followed: 16 followed at once per worker, or opened during the"
                + " pause after a recompile (a flood of forged openings); their first segment is"
                + " still recorded")
        .tag(TAG_INTERFACE, iface)
        .register(registry);
    for (EndReason reason : EndReason.values()) {
      FunctionCounter.builder(FLOWS_ENDED, counters, c -> c.flowsEnded(reason))
          .description("Flows that ended, by reason (evicted = pushed out of the full flow table)")
          .tags(TAG_INTERFACE, iface, TAG_REASON, reason.wire())
          .register(registry);
    }
  }

  /** Exposes the publisher's delivery counters. */
  public void bind(FlowPublisher publisher) {
    FunctionCounter.builder(RECORDS_SENT, publisher, FlowPublisher::sent)
        .description("Flow records acknowledged by Kafka")
        .register(registry);
    FunctionCounter.builder(RECORDS_FAILED, publisher, FlowPublisher::failed)
        .description("Flow records lost: not acknowledged by Kafka and not spooled")
        .register(registry);
    Gauge.builder(SPOOL, publisher, FlowPublisher::spoolBytes)
        .baseUnit(BaseUnits.BYTES)
        .description(
            "Bytes of flow records waiting on disk for Kafka (0 when it takes them directly)")
        .register(registry);
    Gauge.builder(SPOOL_LIMIT, publisher, FlowPublisher::spoolMaxBytes)
        .baseUnit(BaseUnits.BYTES)
        .description(
            "The spool's bound (--spool-max-bytes); at the bound its oldest records are dropped")
        .register(registry);
    FunctionCounter.builder(SPOOL_APPENDED, publisher, FlowPublisher::spooled)
        .description("Flow records written to the spool while Kafka did not take them")
        .register(registry);
    FunctionCounter.builder(SPOOL_DRAINED, publisher, FlowPublisher::drained)
        .description("Spooled flow records Kafka acknowledged")
        .register(registry);
    FunctionCounter.builder(SPOOL_DROPPED, publisher, FlowPublisher::spoolDropped)
        .description("Spooled flow records deleted unsent because the spool reached its bound")
        .register(registry);
    FunctionCounter.builder(SPOOL_SKIPPED, publisher, FlowPublisher::spoolSkipped)
        .description(
            "Spooled entries skipped: not publishable (not a flow record, refused by Kafka as such)")
        .register(registry);
  }
}
