package io.migaudit.bench;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.record.PortCatalog;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One packet into the flow table: round robin over {@code flows} live flows, the table's lookup,
 * counters and payload sampling. Packets carry 74 bytes of payload, as 128-byte snaps of full
 * segments do. Timeouts are an hour so that no record is written: records are measured by {@link
 * ClassifierBenchmark} and {@link RecordJsonBenchmark}, and all of it together by {@code ./migaudit
 * bench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgs = {"-Xmx2g"})
public class FlowTableBenchmark {
  private static final int SNAP = 128;

  /** Packet time advances half a microsecond per packet: 2 M packets per second of capture. */
  private static final long PACKETS_PER_MICROSECOND = 2;

  @Param({"1000", "100000"})
  public int flows;

  private final DecodedPacket[] packets = new DecodedPacket[1024];
  private FlowTable table;
  private long n;

  @Setup
  public void table(Blackhole records) {
    FlowTableConfig config =
        new FlowTableConfig(
            FlowTableConfig.defaults().maxFlows(),
            Duration.ofHours(1),
            Duration.ofHours(1),
            Duration.ofSeconds(2));
    table =
        new FlowTable(
            config,
            PortCatalog.builtIn(),
            "bench",
            "bench",
            records::consume,
            AgentConfig.DEFAULT_SAMPLE_BYTES,
            AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    PacketDecoder decoder = new PacketDecoder();
    byte[] segment = new byte[1448];
    for (int i = 0; i < segment.length; i++) {
      segment[i] = (byte) (i * 31 + (i >>> 3));
    }
    for (int i = 0; i < packets.length; i++) {
      CapturedPacket c =
          Frames.ipv4Tcp(-1, 0xC6120000 + i, 0xC6130001, 40000, 8000, 0x10, segment, SNAP);
      packets[i] = new DecodedPacket();
      decoder.decode(c, packets[i]);
    }
  }

  @Benchmark
  public int offer() {
    long i = n++;
    DecodedPacket p = packets[(int) (i & (packets.length - 1))];
    int flow = (int) (i % flows);
    p.srcPort = 1024 + (flow >>> 10); // 1024 addresses x ports: distinct flows
    p.srcLo = 0xC6120000L + (flow & 1023);
    p.timestampMicros = 1_732_270_000_000_000L + i / PACKETS_PER_MICROSECOND;
    table.offer(p);
    return table.size();
  }
}
