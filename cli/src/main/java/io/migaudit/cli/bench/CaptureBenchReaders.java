package io.migaudit.cli.bench;

import com.sun.management.ThreadMXBean;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.LibpcapSource;
import io.migaudit.agent.source.PacketSource;
import io.migaudit.agent.source.Pcap4jSource;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.agent.source.TcpdumpSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * The capture backends as readers of one capture file, timed in this JVM: libpcap through JNA
 * direct mapping, a tcpdump child piping pcap to the Java reader, pcap4j, and the pure-Java file
 * reader.
 */
final class CaptureBenchReaders {

  /** One way of reading the file. */
  interface Reader {
    String name();

    PacketSource open(Path file) throws IOException;
  }

  /** One timed pass. */
  record Pass(long packets, long nanos, double allocatedBytesPerPacket) {
    double packetsPerSecond() {
      return packets * 1e9 / Math.max(1, nanos);
    }
  }

  static final List<Reader> READERS =
      List.of(
          reader(
              "libpcap backend (JNA direct, pcap_dispatch batches)",
              f -> LibpcapSource.openFile(f, null)),
          reader(
              "tcpdump backend (tcpdump -r FILE -w - | PcapReader)", CaptureBenchReaders::tcpdump),
          reader("pcap4j backend (getNextRawPacketEx)", Pcap4jSource::openFile),
          reader("pure-Java file reader (PcapFileSource, no libpcap)", PcapFileSource::open));

  private CaptureBenchReaders() {}

  private interface Opener {
    PacketSource open(Path file) throws IOException;
  }

  private static Reader reader(String name, Opener opener) {
    return new Reader() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public PacketSource open(Path file) throws IOException {
        return opener.open(file);
      }
    };
  }

  /**
   * tcpdump reading the file through libpcap and writing pcap to a pipe, as the live backend
   * streams.
   */
  private static PacketSource tcpdump(Path file) throws IOException {
    Path tcpdump = TcpdumpSource.binary();
    if (tcpdump == null) {
      throw new IOException(TcpdumpSource.unavailable());
    }
    Process p =
        new ProcessBuilder(tcpdump.toString(), "-r", file.toString(), "-w", "-")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    return PcapFileSource.open(p.getInputStream(), "tcpdump -r " + file);
  }

  /**
   * Reads {@code file} once, touching one byte of every frame; counts this thread's allocations.
   */
  static Pass time(Reader reader, Path file) throws IOException {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long checksum = 0;
    long packets = 0;
    CapturedPacket packet = new CapturedPacket();
    long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    try (PacketSource source = reader.open(file)) {
      while (source.next(packet)) {
        packets++;
        checksum += packet.data.get(packet.capturedLength() - 1) + packet.timestampMicros;
      }
    }
    long nanos = System.nanoTime() - t0;
    long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
    if (checksum == 42) {
      System.err.print(""); // keeps the loop's reads alive
    }
    return new Pass(packets, nanos, packets == 0 ? 0 : (double) allocated / packets);
  }
}
