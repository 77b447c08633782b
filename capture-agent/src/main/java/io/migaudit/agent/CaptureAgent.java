package io.migaudit.agent;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.defrag.Reassembly;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.PacketSource;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs packet sources through the decoders into a flow table whose records go to a sink. One agent
 * instance serves one thread; counters are readable from any thread.
 */
public final class CaptureAgent {
  private static final Logger LOG = LoggerFactory.getLogger(CaptureAgent.class);

  private final AgentConfig config;
  private final FlowRecordSink sink;
  private final PipelineCounters counters;
  private final PacketDecoder decoder = new PacketDecoder();
  private final CapturedPacket captured = new CapturedPacket();
  private final DecodedPacket decoded = new DecodedPacket();

  /** Sees each decoded IP packet after the flow table took it (the live agent's follower). */
  @FunctionalInterface
  public interface PacketWatcher {
    void saw(DecodedPacket p, FlowTable table);
  }

  public CaptureAgent(AgentConfig config, FlowRecordSink sink, PipelineCounters counters) {
    this.config = config;
    this.sink = sink;
    this.counters = counters;
  }

  /**
   * Reads a source to its end and ends every flow with {@code endReason}. {@code iface} names the
   * source in the records (the interface, or the capture file for replays).
   */
  public SourceReport run(PacketSource source, String iface, EndReason endReason)
      throws IOException {
    return run(source, iface, endReason, null);
  }

  /**
   * As {@link #run(PacketSource, String, EndReason)}, showing each IP packet to {@code watcher}.
   */
  public SourceReport run(
      PacketSource source, String iface, EndReason endReason, PacketWatcher watcher)
      throws IOException {
    FlowTable table =
        new FlowTable(
            config.flowTable(),
            config.catalog(),
            config.agentId(),
            iface,
            sink,
            config.sampleBytes(),
            config.sampleBytesPerPacket());
    counters.table(table);
    Reassembly reassembly = new Reassembly(counters);
    long packets = 0;
    long ip = 0;
    while (source.next(captured)) {
      packets++;
      counters.packet();
      if (reassembly.expire(captured.timestampMicros)) {
        offerReady(reassembly, table, watcher);
      }
      DecodeIssue issue = decoder.decode(captured, decoded);
      if (issue == DecodeIssue.NONE) {
        ip++;
        counters.fragments(decoded);
        if (reassembly.hold(captured, decoded)) {
          offerReady(reassembly, table, watcher);
        } else {
          offer(captured, table, watcher);
        }
      } else {
        counters.dropped(issue);
      }
    }
    reassembly.drain();
    offerReady(reassembly, table, watcher);
    table.flush(endReason);
    String truncation = source.stats().truncation();
    if (truncation != null) {
      counters.truncatedFile();
      LOG.warn("{}: {}; read the {} packets before it", source.name(), truncation, packets);
    }
    LOG.info(
        "{}: {} packets, {} IP, {} flow records",
        source.name(),
        packets,
        ip,
        table.recordsWritten());
    return new SourceReport(source.name(), packets, ip, table.recordsWritten(), truncation);
  }

  private void offer(CapturedPacket packet, FlowTable table, PacketWatcher watcher) {
    counters.judged(packet, decoded);
    table.offer(decoded);
    if (watcher != null) {
      watcher.saw(decoded, table);
    }
  }

  /**
   * Offers what reassembly made ready: a packet put back together (held again when a packet inside
   * it is a piece too), or a piece handed on as it came.
   */
  private void offerReady(Reassembly reassembly, FlowTable table, PacketWatcher watcher) {
    for (Reassembly.Ready r = reassembly.next(); r != null; r = reassembly.next()) {
      DecodeIssue issue = decoder.decode(r.packet(), decoded);
      if (issue != DecodeIssue.NONE) {
        counters.dropped(issue);
      } else if (!r.whole() || !reassembly.hold(r.packet(), decoded)) {
        offer(r.packet(), table, watcher);
      }
    }
  }

  public PipelineCounters counters() {
    return counters;
  }

  /**
   * What one source gave.
   *
   * @param name source name
   * @param packets frames read
   * @param ipPackets frames that decoded to an IP packet
   * @param records flow records written
   * @param truncation where the capture broke off, or null when it was read whole
   */
  public record SourceReport(
      String name, long packets, long ipPackets, long records, String truncation) {}
}
