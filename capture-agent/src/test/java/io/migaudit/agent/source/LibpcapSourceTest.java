package io.migaudit.agent.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.migaudit.testsupport.CiGate;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libpcap backend read through pcap_open_offline: the same frames as the pure-Java reader, the
 * filter applied in libpcap, and nothing allocated per packet. Skips without libpcap, except under
 * {@code CI=true}, where it fails.
 */
class LibpcapSourceTest {
  private static final int PACKETS = 50_000;

  @TempDir Path dir;

  static void requireLibpcap() {
    CiGate.requireNoProblem(LibpcapSource.unavailable());
  }

  /** One frame as both readers hand it out. */
  record Frame(long timestampMicros, int linkType, int originalLength, String bytes) {
    static Frame of(CapturedPacket p) {
      byte[] b = new byte[p.capturedLength()];
      p.data.get(0, b);
      return new Frame(
          p.timestampMicros, p.linkType, p.originalLength, HexFormat.of().formatHex(b));
    }
  }

  private static List<Frame> frames(PacketSource source) throws IOException {
    List<Frame> frames = new ArrayList<>();
    CapturedPacket p = new CapturedPacket();
    while (source.next(p)) {
      frames.add(Frame.of(p));
    }
    return frames;
  }

  @Test
  void readsTheFramesThePureJavaReaderReads() throws Exception {
    requireLibpcap();
    Path sample = Path.of("../samples/vmotion-plaintext/capture.pcap");
    List<Frame> expected;
    try (PcapFileSource java = PcapFileSource.open(sample)) {
      expected = frames(java);
    }
    try (LibpcapSource libpcap = LibpcapSource.openFile(sample, null)) {
      assertThat(frames(libpcap)).hasSize(expected.size()).containsExactlyElementsOf(expected);
      assertThat(libpcap.stats().packetsRead()).isEqualTo(expected.size());
      assertThat(libpcap.backend()).isEqualTo(CaptureBackend.LIBPCAP);
    }
  }

  @Test
  void appliesTheFilterInLibpcap() throws Exception {
    requireLibpcap();
    Path sample = Path.of("../samples/vmotion-plaintext/capture.pcap");
    List<Frame> all;
    try (LibpcapSource libpcap = LibpcapSource.openFile(sample, null)) {
      all = frames(libpcap);
    }
    try (LibpcapSource libpcap =
        LibpcapSource.openFile(sample, "vlan and tcp port 8000 and greater 1000")) {
      List<Frame> big = frames(libpcap);
      assertThat(big)
          .isNotEmpty()
          .hasSizeLessThan(all.size())
          .allMatch(f -> f.originalLength() >= 1000);
    }
  }

  @Test
  void badFilterAndMissingFileSayWhatIsWrong() throws Exception {
    requireLibpcap();
    Path sample = Path.of("../samples/vmotion-plaintext/capture.pcap");
    assertThatThrownBy(() -> LibpcapSource.openFile(sample, "tcp port banana"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad capture filter \"tcp port banana\"");
    assertThatThrownBy(() -> LibpcapSource.openFile(dir.resolve("none.pcap"), null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no such file");
    assertThatThrownBy(
            () -> LibpcapSource.open("ma-no-such-if0", LiveCaptureOptions.defaults(null)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("ma-no-such-if0: cannot capture");
  }

  @Test
  void readingAllocatesNothingPerPacket() throws Exception {
    requireLibpcap();
    var bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof ThreadMXBean, "JVM without per-thread allocation counters");
    ThreadMXBean threads = (ThreadMXBean) bean;
    assumeTrue(
        threads.isThreadAllocatedMemorySupported(), "per-thread allocation counters unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);
    CaptureBytes pcap = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 65535, 1);
    for (int i = 0; i < PACKETS; i++) {
      pcap.record(i, 0, CaptureBytes.frame(60 + (i & 7), i), 60);
    }
    Path file = dir.resolve("alloc.pcap");
    Files.write(file, pcap.bytes());
    readAll(file, threads); // warm up: let the JIT compile the path
    long allocated = readAll(file, threads);
    assertThat(allocated)
        .as("bytes allocated reading %d packets", PACKETS)
        .isLessThan(PACKETS / 10);
  }

  /** Bytes allocated after the first packet (buffers are set up by then). */
  private static long readAll(Path file, ThreadMXBean threads) throws Exception {
    try (LibpcapSource source = LibpcapSource.openFile(file, null)) {
      CapturedPacket packet = new CapturedPacket();
      source.next(packet);
      long before = threads.getCurrentThreadAllocatedBytes();
      long sum = 0;
      long n = 1;
      while (source.next(packet)) {
        sum += packet.capturedLength();
        n++;
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertThat(n).isEqualTo(PACKETS);
      assertThat(sum).isPositive();
      return allocated;
    }
  }
}
