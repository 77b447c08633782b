package io.migaudit.agent.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Reading packets allocates nothing per packet once the buffers have grown: one frame view, reused.
 */
class PcapFileSourceAllocationTest {
  private static final int PACKETS = 50_000;

  @Test
  void readingAllocatesNothingPerPacket() throws Exception {
    var bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof ThreadMXBean, "JVM without per-thread allocation counters");
    ThreadMXBean threads = (ThreadMXBean) bean;
    assumeTrue(
        threads.isThreadAllocatedMemorySupported(), "per-thread allocation counters unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);

    CaptureBytes pcap = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 65535, 1);
    CaptureBytes pcapng = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN).idb(1, 0);
    for (int i = 0; i < PACKETS; i++) {
      pcap.record(i, 0, CaptureBytes.frame(60 + (i & 7), i), 60);
      pcapng.epb(0, i, CaptureBytes.frame(60 + (i & 7), i), 60);
    }
    for (byte[] file : new byte[][] {pcap.bytes(), pcapng.bytes()}) {
      // warm up: let the JIT compile the path (after other tests it may recompile it, and what the
      // interpreter and a deoptimization allocate meanwhile is no per-packet cost); on a loaded
      // machine compiling takes longer, so the least of several passes counts: an allocation per
      // packet would show in every one
      readAll(file, threads);
      long allocated = Long.MAX_VALUE;
      for (int pass = 0; pass < 6 && allocated >= PACKETS / 10; pass++) {
        allocated = Math.min(allocated, readAll(file, threads));
      }
      assertThat(allocated)
          .as("bytes allocated reading %d packets", PACKETS)
          .isLessThan(PACKETS / 10);
    }
  }

  /** Bytes allocated after the first packet (buffers and streams are set up by then). */
  private static long readAll(byte[] file, ThreadMXBean threads) throws Exception {
    try (PcapFileSource source = PcapFileSource.open(new ByteArrayInputStream(file), "alloc")) {
      CapturedPacket packet = new CapturedPacket();
      source.next(packet);
      long before = threads.getCurrentThreadAllocatedBytes();
      long sum = 0;
      while (source.next(packet)) {
        sum += packet.capturedLength();
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertThat(sum).isPositive();
      return allocated;
    }
  }
}
