package io.migaudit.agent;

import io.migaudit.agent.dispatch.FileWorkers;
import io.migaudit.agent.dispatch.FlowDispatcher;
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
 * own, fed by a {@link FlowDispatcher} that keeps every flow on one worker. One worker is a plain
 * {@link CaptureAgent} on the calling thread. The flow table bound is shared out: each of N workers
 * tracks at most {@code maxFlows / N} flows. The records are those of one worker (same content,
 * other order), as long as no table is full; a full one evicts its own least recently seen flow.
 * The sink is called from the worker threads at once: it must be thread-safe.
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
   * As {@link CaptureAgent#run}: reads {@code source} to its end and ends every flow with {@code
   * endReason}. With several workers a reader thread hands the frames over ({@link
   * FlowDispatcher}); {@link #run(Path, String, EndReason)} is the alternative for a file (on the
   * 2-core VM the reader thread did as well or better: BENCHMARKS.md, issue 18).
   */
  public CaptureAgent.SourceReport run(PacketSource source, String iface, EndReason endReason)
      throws IOException {
    if (single != null) {
      return single.run(source, iface, endReason);
    }
    long[] counts = new FlowDispatcher(workers, counters).run(source, i -> table(iface), endReason);
    return report(source.name(), counts[0], counts[1], counts[2], source.stats().truncation());
  }

  /**
   * Reads a capture file to its end and ends every flow with {@code endReason}; with several
   * workers each reads the file itself and keeps the flows of its own ({@link FileWorkers}).
   */
  public CaptureAgent.SourceReport run(Path file, String iface, EndReason endReason)
      throws IOException {
    if (single != null) {
      try (PcapFileSource source = PcapFileSource.open(file)) {
        return single.run(source, iface, endReason);
      }
    }
    FileWorkers.Result r =
        new FileWorkers(workers, counters)
            .run(() -> PcapFileSource.open(file), i -> table(iface), endReason);
    return report(r.name(), r.packets(), r.ipPackets(), r.records(), r.truncation());
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
