package io.migaudit.cli.bench;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.record.PortCatalog;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Heap held per tracked flow: fills a flow table with one-packet TCP flows and compares live heap
 * after full collections before and after. Without payload it is a SYN scan (the flood case); with
 * payload each flow also holds its payload sample: the kept bytes of a small flow, or past {@code
 * PayloadSample.RAW_BYTES} a 1 KiB histogram.
 */
final class FlowMemoryProbe {
  private FlowMemoryProbe() {}

  /** Bytes of heap per flow with {@code flows} payload-less flows tracked. */
  static double bytesPerFlow(int flows) {
    return bytesPerFlow(flows, 0);
  }

  /**
   * Bytes of heap per flow with {@code flows} flows tracked, each one packet of {@code
   * payloadBytes}.
   */
  static double bytesPerFlow(int flows, int payloadBytes) {
    FlowTableConfig cfg =
        new FlowTableConfig(
            flows + 1, Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(2));
    long before = liveHeap();
    FlowTable table =
        new FlowTable(
            cfg,
            PortCatalog.builtIn(),
            "probe",
            "probe",
            r -> {},
            AgentConfig.DEFAULT_SAMPLE_BYTES,
            AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    ByteBuffer payload = ByteBuffer.wrap(new byte[payloadBytes]);
    DecodedPacket p = new DecodedPacket();
    for (int i = 0; i < flows; i++) {
      p.reset();
      p.timestampMicros = 1_700_000_000_000_000L + i;
      p.ipVersion = 4;
      p.srcLo = 0xC6120000L | (i / 60_000);
      p.dstLo = 0xC6130001L;
      p.ipProtocol = 6;
      p.srcPort = 1024 + i % 60_000;
      p.dstPort = 8000;
      p.tcpFlags = payloadBytes == 0 ? 0x02 : 0x18;
      p.ipLength = 60 + payloadBytes;
      p.frame = payload;
      p.payloadCapturedLength = p.payloadWireLength = payloadBytes;
      table.offer(p);
    }
    long after = liveHeap();
    if (table.size() != flows) {
      throw new IllegalStateException("expected " + flows + " flows, table holds " + table.size());
    }
    return (double) (after - before) / flows;
  }

  private static long liveHeap() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mem.getHeapMemoryUsage().getUsed();
  }
}
