package io.migaudit.cli.bench;

import com.sun.management.OperatingSystemMXBean;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.agent.publish.RecordHandOff;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.RecordJson;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * Times the agent pipeline on a capture file: read, decode, flow table, payload features and record
 * serialization to JSON, with no Kafka (records are serialized and dropped).
 */
final class PipelineBenchmark {

  /**
   * One timed pass.
   *
   * @param nanos wall-clock time of the pass
   * @param cpuNanos CPU time of the thread that ran it (-1 if the JVM cannot tell): on a loaded
   *     machine it shows what the pipeline costs apart from waiting for a core; GC threads are not
   *     in it (nor, with workers, the worker threads)
   * @param processCpuNanos CPU time of the whole JVM during the pass (-1 if it cannot tell)
   * @param busiestWorkerShare the busiest worker's share of the IP packets (0 with one worker)
   * @param readingNanos the workers' turns at reading the file, one at a time (0 with one worker)
   */
  record Pass(
      long packets,
      long records,
      long recordBytes,
      long nanos,
      long cpuNanos,
      long processCpuNanos,
      double busiestWorkerShare,
      long readingNanos) {
    double packetsPerSecond() {
      return packets * 1e9 / nanos;
    }

    double packetsPerCpuSecond() {
      return cpuNanos <= 0 ? Double.NaN : packets * 1e9 / cpuNanos;
    }

    double recordsPerSecond() {
      return records * 1e9 / nanos;
    }

    /**
     * The fastest the workers could read the file, one at a time: packets per second of their turns
     * at reading it (NaN with one worker).
     */
    double readingPacketsPerSecond() {
      return readingNanos <= 0 ? Double.NaN : packets * 1e9 / readingNanos;
    }

    /** CPU time of the whole process (every thread: reader, workers, GC, JIT) per packet. */
    double processCpuNanosPerPacket() {
      return processCpuNanos <= 0 ? Double.NaN : (double) processCpuNanos / packets;
    }
  }

  private PipelineBenchmark() {}

  /** Read and decode only: the floor the later stages add to. */
  static Pass decodeOnly(Path capture) throws IOException {
    PacketDecoder decoder = new PacketDecoder();
    CapturedPacket in = new CapturedPacket();
    DecodedPacket out = new DecodedPacket();
    long packets = 0;
    long ip = 0;
    long p0 = processCpuNanos();
    long c0 = cpuNanos();
    long t0 = System.nanoTime();
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      while (source.next(in)) {
        packets++;
        if (decoder.decode(in, out) == DecodeIssue.NONE) {
          ip++;
        }
      }
    }
    long nanos = System.nanoTime() - t0;
    long cpu = cpuNanos() - c0;
    if (ip == 0 && packets > 0) {
      throw new IllegalStateException("no IP packet decoded: not a fair benchmark");
    }
    return new Pass(packets, 0, 0, nanos, c0 < 0 ? -1 : cpu, processCpuSince(p0), 0, 0);
  }

  /**
   * The agent pipeline with {@code workers} capture workers; records are serialized to JSON on the
   * thread that made them (the reader with one worker, the workers otherwise) and dropped.
   */
  static Pass run(Path capture, AgentConfig config, int workers) throws IOException {
    return run(capture, config, workers, false);
  }

  /**
   * As above; with {@code handOff} the records go through a {@link RecordHandOff} and are
   * serialized on its thread, as the agent does, so that the pass's thread CPU time is the capture
   * thread's alone. Several workers take turns reading the file ({@code FileWorkers}), as the agent
   * and replay run them.
   */
  static Pass run(Path capture, AgentConfig config, int workers, boolean handOff)
      throws IOException {
    LongAdder records = new LongAdder();
    LongAdder recordBytes = new LongAdder();
    FlowRecordSink serialize =
        r -> {
          records.increment();
          recordBytes.add(RecordJson.toBytes(r).length);
        };
    RecordHandOff offThread =
        handOff ? new RecordHandOff(serialize, RecordHandOff.DEFAULT_CAPACITY) : null;
    PipelineCounters counters = new PipelineCounters();
    CaptureWorkers agent =
        new CaptureWorkers(config, offThread != null ? offThread : serialize, counters, workers);
    long p0 = processCpuNanos();
    long c0 = cpuNanos();
    long t0 = System.nanoTime();
    CaptureAgent.SourceReport report =
        agent.run(capture, capture.toString(), EndReason.END_OF_CAPTURE);
    long cpu = cpuNanos() - c0;
    if (offThread != null) {
      offThread.close(); // every record written before the pass ends
    }
    long nanos = System.nanoTime() - t0;
    return new Pass(
        report.packets(),
        records.sum(),
        recordBytes.sum(),
        nanos,
        c0 < 0 ? -1 : cpu,
        processCpuSince(p0),
        counters.busiestWorkerShare(),
        counters.readingNanos());
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  private static long processCpuSince(long before) {
    return before < 0 ? -1 : processCpuNanos() - before;
  }

  private static long cpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
  }
}
