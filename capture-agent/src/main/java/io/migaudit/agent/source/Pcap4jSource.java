package io.migaudit.agent.source;

import java.io.EOFException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;

/**
 * Live capture on one interface (or {@code any}, which libpcap gives as Linux cooked capture)
 * through libpcap, by way of pcap4j. The only class that touches pcap4j: frames come out as raw
 * bytes, copied into one reused buffer, and are decoded by the agent's own decoders.
 *
 * <p>{@link #next} blocks until a frame arrives or {@link #stop()} breaks the wait, after which it
 * returns false. Kernel and interface drop counts (pcap_stats: ps_drop, ps_ifdrop) are refreshed by
 * the capture thread about once a second and readable from any thread.
 */
public final class Pcap4jSource implements LiveSource, Refilterable {
  private static final long STATS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MICROS_PER_SECOND = 1_000_000L;
  private static final int NANOS_PER_MICRO = 1_000;

  /** PCAP_NETMASK_UNKNOWN: only "ip broadcast" needs the real netmask. */
  private static final Inet4Address NETMASK_UNKNOWN = netmaskUnknown();

  private final String name;
  private final PcapHandle handle;
  private final int linkType;
  private final ByteBuffer buffer;
  private final String openedFilter;

  /** The frame {@link #next} returned last, as pcap4j gave it, and its length on the wire. */
  private byte[] lastFrame = new byte[0];

  private int lastLength;
  private String checkFilter;
  private BpfProgram checkProgram;
  private volatile boolean stopped;
  private volatile long kernelDrops;
  private volatile long interfaceDrops;
  private long statsReadNanos;
  private long packets;
  private long bytes;

  private Pcap4jSource(String name, PcapHandle handle, int snaplen, String filter) {
    this.name = name;
    this.handle = handle;
    this.openedFilter = filter == null ? "" : filter;
    this.linkType = handle.getDlt().value();
    this.buffer = ByteBuffer.allocate(snaplen);
    this.statsReadNanos = System.nanoTime();
  }

  /**
   * Opens {@code iface} and sets the filter.
   *
   * @throws IOException with a one-line reason when libpcap is missing, the interface does not
   *     exist, the process may not capture (needs root or CAP_NET_RAW) or the filter does not
   *     compile
   */
  public static Pcap4jSource open(String iface, LiveCaptureOptions options) throws IOException {
    PcapHandle handle;
    try {
      handle =
          new PcapHandle.Builder(iface)
              .snaplen(options.snaplenBytes())
              .promiscuousMode(
                  options.promiscuous()
                      ? PromiscuousMode.PROMISCUOUS
                      : PromiscuousMode.NONPROMISCUOUS)
              .bufferSize(options.bufferBytes())
              .immediateMode(options.immediate())
              .timeoutMillis((int) Math.min(Integer.MAX_VALUE, options.readTimeout().toMillis()))
              .timestampPrecision(PcapHandle.TimestampPrecision.MICRO)
              .build();
    } catch (PcapNativeException e) {
      throw new IOException(iface + ": cannot capture: " + e.getMessage(), e);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new IOException(
          iface
              + ": libpcap is not installed (Debian: apt-get install libpcap0.8): "
              + e.getMessage(),
          e);
    }
    try {
      if (options.filter() != null && !options.filter().isBlank()) {
        handle.setFilter(options.filter(), BpfCompileMode.OPTIMIZE);
      }
      return new Pcap4jSource(iface, handle, options.snaplenBytes(), options.filter());
    } catch (PcapNativeException | NotOpenException | RuntimeException e) {
      handle.close();
      throw new IOException(
          iface + ": bad capture filter \"" + options.filter() + "\": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a capture file through pcap4j (pcap_open_offline), for the capture benchmark's comparison
   * of backends on one file.
   */
  public static Pcap4jSource openFile(Path file) throws IOException {
    try {
      PcapHandle handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.MICRO);
      return new Pcap4jSource(
          file.toString(),
          handle,
          Math.max(PcapReader.DEFAULT_MAX_CAPTURED, handle.getSnapshot()),
          null);
    } catch (PcapNativeException | NotOpenException e) {
      throw new IOException(file + ": pcap4j cannot read it: " + e.getMessage(), e);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new IOException(
          file
              + ": libpcap is not installed (Debian: apt-get install libpcap0.8): "
              + e.getMessage(),
          e);
    }
  }

  private static Inet4Address netmaskUnknown() {
    try {
      return (Inet4Address) InetAddress.getByAddress(new byte[] {-1, -1, -1, -1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean next(CapturedPacket into) throws IOException {
    while (!stopped) {
      byte[] frame;
      try {
        frame = handle.getNextRawPacketEx();
      } catch (TimeoutException e) {
        refreshStats(false);
        continue;
      } catch (EOFException e) {
        return false; // pcap_breakloop, or a savefile's end
      } catch (NotOpenException e) {
        return false; // closed under us by stop()
      } catch (PcapNativeException e) {
        if (stopped) {
          return false;
        }
        throw new IOException(name + ": capture failed: " + e.getMessage(), e);
      }
      fill(into, frame);
      refreshStats(false);
      return true;
    }
    return false;
  }

  private void fill(CapturedPacket into, byte[] frame) {
    int length = Math.min(frame.length, buffer.capacity());
    buffer.clear();
    buffer.put(frame, 0, length).flip();
    Timestamp ts = handle.getTimestamp();
    into.timestampMicros =
        ts.getTime() / 1000 * MICROS_PER_SECOND + ts.getNanos() / NANOS_PER_MICRO;
    into.linkType = linkType;
    Integer original = handle.getOriginalLength();
    into.originalLength = original == null ? length : Math.max(length, original);
    lastFrame = frame;
    lastLength = into.originalLength;
    into.data = buffer;
    packets++;
    bytes += length;
  }

  @Override
  public String openedFilter() {
    return openedFilter;
  }

  /** Runs {@code filter}, compiled once and kept until another comes, over the frame last read. */
  @Override
  public boolean lastFramePasses(String filter) throws IOException {
    if (filter == null || filter.isBlank()) {
      return true;
    }
    try {
      if (!filter.equals(checkFilter)) {
        BpfProgram program = handle.compileFilter(filter, BpfCompileMode.OPTIMIZE, NETMASK_UNKNOWN);
        freeCheckProgram();
        checkProgram = program;
        checkFilter = filter;
      }
    } catch (PcapNativeException | NotOpenException e) {
      throw new IOException(name + ": bad capture filter \"" + filter + "\": " + e.getMessage(), e);
    }
    return checkProgram.applyFilter(lastFrame, lastLength, lastFrame.length);
  }

  /** Sets {@code filter} between two reads; called by the capture thread. */
  @Override
  public void refilter(String filter) throws IOException {
    try {
      handle.setFilter(filter == null ? "" : filter, BpfCompileMode.OPTIMIZE);
    } catch (PcapNativeException | NotOpenException e) {
      throw new IOException(name + ": cannot set the capture filter: " + e.getMessage(), e);
    }
  }

  private void freeCheckProgram() {
    if (checkProgram != null) {
      checkProgram.free();
      checkProgram = null;
      checkFilter = null;
    }
  }

  /**
   * Reads pcap_stats when a second has passed (or {@code now}); called by the capture thread only.
   */
  private void refreshStats(boolean now) {
    long t = System.nanoTime();
    if (!now && t - statsReadNanos < STATS_INTERVAL_NANOS) {
      return;
    }
    statsReadNanos = t;
    try {
      PcapStat stat = handle.getStats();
      kernelDrops = stat.getNumPacketsDropped();
      interfaceDrops = stat.getNumPacketsDroppedByIf();
    } catch (PcapNativeException | NotOpenException e) {
      // stats are best effort: some link types have none, and a closing handle has none left
    }
  }

  /**
   * Makes {@link #next} return false; callable from any thread. pcap_breakloop wakes a read that is
   * waiting for a frame (in immediate mode libpcap ignores the read timeout and waits
   * indefinitely).
   */
  @Override
  public void stop() {
    stopped = true;
    try {
      handle.breakLoop();
    } catch (NotOpenException e) {
      // already closed: nothing reads any more
    }
  }

  @Override
  public long kernelDrops() {
    return kernelDrops;
  }

  @Override
  public long interfaceDrops() {
    return interfaceDrops;
  }

  @Override
  public CaptureBackend backend() {
    return CaptureBackend.PCAP4J;
  }

  /** LINKTYPE_* of the frames (1 Ethernet; 113 or 276 for {@code any}). */
  public int linkType() {
    return linkType;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SourceStats stats() {
    return new SourceStats(packets, bytes, null);
  }

  @Override
  public void close() {
    if (handle.isOpen()) {
      stop(); // a reader still waiting in pcap_next_ex holds the handle's lock that close needs
      refreshStats(true);
      freeCheckProgram();
      handle.close();
    }
  }
}
