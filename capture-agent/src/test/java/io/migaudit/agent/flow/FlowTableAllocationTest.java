package io.migaudit.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A packet of a flow the table already tracks allocates nothing: no key, no boxed counter, no map
 * node, also while its payload is sampled. Measured with the JVM's per-thread allocation counter.
 */
class FlowTableAllocationTest {
  private static final int FLOWS = 1000;
  private static final int ROUNDS = 200_000;
  private static final long T0 = 1_700_000_000_000_000L;

  @Test
  void packetsOfKnownFlowsAllocateNothing() {
    ThreadMXBean threads = threadBean();
    List<FlowRecord> records = new ArrayList<>();
    FlowTable table =
        new FlowTable(
            new FlowTableConfig(
                FLOWS * 2, Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(2)),
            PortCatalog.builtIn(),
            "alloc",
            "eth0",
            records::add,
            64 * 1024,
            1500);
    DecodedPacket p = new DecodedPacket();
    byte[] segment = new byte[1448];
    for (int i = 0; i < segment.length; i++) {
      segment[i] = (byte) (i * 7);
    }
    ByteBuffer frame = ByteBuffer.wrap(segment);
    for (int i = 0;
        i < ROUNDS;
        i++) { // opens the flows, fills their samples, lets the JIT compile the path
      packet(p, frame, i);
      table.offer(p);
    }
    // each flow wrote its one early record when its sample filled (verdict known); none after that
    assertThat(records).hasSize(FLOWS);
    records.clear();
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = ROUNDS; i < 2 * ROUNDS; i++) {
      packet(p, frame, i);
      table.offer(p);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(table.size()).isEqualTo(FLOWS);
    assertThat(records).isEmpty();
    assertThat(allocated)
        .as("bytes allocated for %d packets of known flows", ROUNDS)
        .isLessThan(ROUNDS / 10);
  }

  /**
   * Packet {@code i}: flow {@code i % FLOWS}, alternating directions, a full segment of payload.
   */
  private static void packet(DecodedPacket p, ByteBuffer frame, int i) {
    int flow = i % FLOWS;
    boolean out = (i / FLOWS) % 2 == 0;
    p.reset();
    p.timestampMicros = T0 + i;
    p.ipVersion = 4;
    p.ipProtocol = 6;
    p.srcLo = out ? 0x0A000000L | flow : 0x0A0A0A0AL;
    p.dstLo = out ? 0x0A0A0A0AL : 0x0A000000L | flow;
    p.srcPort = out ? 40000 : 8000;
    p.dstPort = out ? 8000 : 40000;
    p.tcpFlags = 0x10;
    p.ipLength = 40 + 1448;
    p.frame = frame;
    p.payloadCapturedLength = p.payloadWireLength = 1448;
    p.tcpSeq = (i / (2 * FLOWS)) * 1448; // each direction's segments follow on in its stream
  }

  private static ThreadMXBean threadBean() {
    var bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof ThreadMXBean, "JVM without per-thread allocation counters");
    ThreadMXBean threads = (ThreadMXBean) bean;
    assumeTrue(
        threads.isThreadAllocatedMemorySupported(), "per-thread allocation counters unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);
    return threads;
  }
}
