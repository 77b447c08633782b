package io.migaudit.agent;

import io.migaudit.agent.dispatch.FileWorkers;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.agent.source.PacketSource;
import io.migaudit.agent.source.PcapFileSource;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a capture file through {@code workers} pipelines, each a thread with a flow table of its
 * own, that take turns reading the file and keep every flow on one worker ({@link FileWorkers}).
 * One worker is a plain {@link CaptureAgent} on the calling thread. The flow table bound is shared
 * out: each of N workers tracks at most {@code maxFlows / N} flows. The records are those of one
 * worker (same content, other order), as long as no table is full; a full one evicts its own least
 * recently seen flow. The sink is called from the worker threads at once: it must be thread-safe.
 */
public final class CaptureWorkers {
  private static final Logger LOG = LoggerFactory.getLogger(CaptureWorkers.class);

  private final AgentConfig config;
  private final FlowRecordSink sink;
  private final PipelineCounters counters;
  private final int workers;
  private final CaptureAgent single;

  public CaptureWorkers(
      AgentConfig config, FlowRecordSink sink, PipelineCounters counters, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, not " + workers);
    }
    this.config = perWorker(config, workers);
    this.sink = sink;
    this.counters = counters;
    this.workers = workers;
    this.single = workers == 1 ? new CaptureAgent(config, sink, counters) : null;
  }

  /** The default worker count: one per core but one (the reader's), at least one. */
  public static int defaultWorkers() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
  }

  /**
   * One worker's settings: its share of the flow table bound, so N workers take no more memory than
   * one.
   */
  public static AgentConfig perWorker(AgentConfig config, int workers) {
    if (workers == 1) {
      return config;
    }
    FlowTableConfig whole = config.flowTable();
    return config.withFlowTable(
        new FlowTableConfig(
            Math.max(1, whole.maxFlows() / workers),
            whole.activeTimeout(),
            whole.idleTimeout(),
            whole.closedLinger()));
  }

  public int workers() {
    return workers;
  }

  /**
   * As {@link CaptureAgent#run}: reads {@code source} (a capture file's) to its end and ends every
   * flow with {@code endReason}; the caller closes the source.
   */
  public CaptureAgent.SourceReport run(PacketSource source, String iface, EndReason endReason)
      throws IOException {
    if (single != null) {
      return single.run(source, iface, endReason);
    }
    FileWorkers.Result r =
        new FileWorkers(workers, counters).run(source, i -> table(iface), endReason);
    return report(r.name(), r.packets(), r.ipPackets(), r.records(), r.truncation());
  }

  /** Opens a capture file and reads it as {@link #run(PacketSource, String, EndReason)}. */
  public CaptureAgent.SourceReport run(Path file, String iface, EndReason endReason)
      throws IOException {
    try (PcapFileSource source = PcapFileSource.open(file)) {
      return run(source, iface, endReason);
    }
  }

  private FlowTable table(String iface) {
    return new FlowTable(
        config.flowTable(),
        config.catalog(),
        config.agentId(),
        iface,
        sink,
        config.sampleBytes(),
        config.sampleBytesPerPacket());
  }

  private CaptureAgent.SourceReport report(
      String name, long packets, long ip, long records, String truncation) {
    if (truncation != null) {
      counters.truncatedFile();
      LOG.warn("{}: {}; read the {} packets before it", name, truncation, packets);
    }
    LOG.info(
        "{}: {} packets, {} IP, {} flow records ({} workers)", name, packets, ip, records, workers);
    return new CaptureAgent.SourceReport(name, packets, ip, records, truncation);
  }
}
