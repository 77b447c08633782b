package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.extension;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.ipv6;
import static io.migaudit.agent.decode.FrameBytes.packet;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.tag;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.migaudit.agent.source.CapturedPacket;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The hot path allocates nothing per packet: measured with the JVM's per-thread allocation counter.
 */
class DecodeAllocationTest {
  private static final int ROUNDS = 200_000;

  @Test
  void decodingAllocatesNothingPerPacket() {
    ThreadMXBean threads = threadBean();
    CapturedPacket[] packets = {
      packet(
          PacketDecoder.LINKTYPE_ETHERNET,
          ethernet(
              0x0800,
              ipv4(TCP, v4(10, 0, 0, 1), v4(10, 0, 0, 2), tcp(1, 8000, 0x10, payload(100))))),
      packet(
          PacketDecoder.LINKTYPE_ETHERNET,
          ethernet(
              0x88A8,
              concat(
                  tag(10, 0x8100),
                  tag(20, 0x86DD),
                  ipv6(0, concat(extension(UDP, 0), udp(1, 2, payload(10))))))),
      packet(PacketDecoder.LINKTYPE_ETHERNET, ethernet(0x0806, payload(28))),
      packet(PacketDecoder.LINKTYPE_RAW, new byte[] {0x45, 0, 0}),
    };
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket out = new DecodedPacket();
    long checksum = 0;
    for (int i = 0; i < ROUNDS; i++) { // warm up: let the JIT compile the path
      checksum += decoder.decode(packets[i & 3], out).ordinal();
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < ROUNDS; i++) {
      checksum += decoder.decode(packets[i & 3], out).ordinal();
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(checksum).isPositive();
    assertThat(allocated).as("bytes allocated for %d decodes", ROUNDS).isLessThan(ROUNDS / 10);
  }

  static ThreadMXBean threadBean() {
    var bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof ThreadMXBean, "JVM without per-thread allocation counters");
    ThreadMXBean threads = (ThreadMXBean) bean;
    assumeTrue(
        threads.isThreadAllocatedMemorySupported(), "per-thread allocation counters unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);
    return threads;
  }
}
