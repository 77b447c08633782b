package io.migaudit.agent.source;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.migaudit.agent.source.Libpcap.C;
import io.migaudit.agent.source.Libpcap.Pcap;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Live capture (or a capture file, for benchmarks and tests) read through libpcap with {@code
 * pcap_next_ex}, bound by JNA direct mapping ({@link Libpcap}). Each frame is copied with one {@code
 * memcpy} from libpcap's ring into one reused native buffer that {@link CapturedPacket#data} views, so
 * reading allocates nothing per packet.
 *
 * <p>Kernel and interface drop counts (pcap_stats) are refreshed by the reading thread about once a
 * second and readable from any thread. {@link #stop()} breaks a waiting read from any thread; {@link
 * #close()} waits for a read in progress before it frees the handle.
 */
public final class LibpcapSource implements LiveSource {
  private static final long STATS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MICROS_PER_SECOND = 1_000_000L;
  /** Slots pcap_next_ex writes its two out-pointers to: header at 0, data at 8. */
  private static final int SLOT_HEADER = 0;
  private static final int SLOT_DATA = Long.BYTES;

  private final String name;
  private final int linkType;
  private final Memory slots = new Memory(2L * Long.BYTES);
  private final ByteBuffer slotView;
  private final Memory header = new Memory(Libpcap.PKTHDR_BYTES);
  private final ByteBuffer headerView;
  private final Memory stats = new Memory(Libpcap.PCAP_STAT_BYTES);
  private final Memory frame;
  private final ByteBuffer frameView;
  private final long slotsAddress;
  private final long headerAddress;
  private final long frameAddress;
  private final int frameCapacity;
  private final boolean live;
  private final Object handleLock = new Object();
  private volatile long handle;
  private volatile boolean stopped;
  private volatile long kernelDrops;
  private volatile long interfaceDrops;
  private long statsReadNanos;
  private long packets;
  private long bytes;

  private LibpcapSource(String name, long handle, int bufferBytes, boolean live) {
    this.name = name;
    this.handle = handle;
    this.live = live;
    this.linkType = Pcap.pcap_datalink(handle);
    this.slotView = slots.getByteBuffer(0, slots.size()).order(ByteOrder.nativeOrder());
    this.headerView = header.getByteBuffer(0, header.size()).order(ByteOrder.nativeOrder());
    this.frameCapacity = Math.max(bufferBytes, 1);
    this.frame = new Memory(frameCapacity);
    this.frameView = frame.getByteBuffer(0, frameCapacity); // big-endian, as the decoders read
    this.slotsAddress = Pointer.nativeValue(slots);
    this.headerAddress = Pointer.nativeValue(header);
    this.frameAddress = Pointer.nativeValue(frame);
    this.statsReadNanos = System.nanoTime();
  }

  /** Null when this backend can be used here, else one line saying why not. */
  public static String unavailable() {
    return Libpcap.problem();
  }

  /**
   * Opens {@code iface} with {@code options} and sets the filter.
   *
   * @throws IOException with a one-line reason when libpcap is missing, the interface does not exist,
   *     the process may not capture (needs root or CAP_NET_RAW) or the filter does not compile
   */
  public static LibpcapSource open(String iface, LiveCaptureOptions options) throws IOException {
    requireBinding(iface);
    byte[] errbuf = new byte[Libpcap.ERRBUF_SIZE];
    long p = Pcap.pcap_create(iface, errbuf);
    if (p == 0) {
      throw new IOException(iface + ": cannot capture: " + Libpcap.string(errbuf));
    }
    try {
      Pcap.pcap_set_snaplen(p, options.snaplenBytes());
      Pcap.pcap_set_promisc(p, options.promiscuous() ? 1 : 0);
      Pcap.pcap_set_timeout(p, (int) Math.min(Integer.MAX_VALUE, options.readTimeout().toMillis()));
      if (options.bufferBytes() > 0) {
        Pcap.pcap_set_buffer_size(p, options.bufferBytes());
      }
      Pcap.pcap_set_immediate_mode(p, options.immediate() ? 1 : 0);
      Pcap.pcap_set_tstamp_precision(p, Libpcap.TSTAMP_PRECISION_MICRO);
      int status = Pcap.pcap_activate(p);
      if (status < 0) {
        String detail = Libpcap.string(Pcap.pcap_geterr(p));
        throw new IOException(iface + ": cannot capture: " + Libpcap.string(Pcap.pcap_statustostr(status))
            + (detail.isEmpty() ? "" : " (" + detail + ")"));
      }
      setFilter(p, iface, options.filter());
      return new LibpcapSource(iface, p, Math.max(options.snaplenBytes(), Pcap.pcap_snapshot(p)), true);
    } catch (IOException | RuntimeException e) {
      Pcap.pcap_close(p);
      throw e;
    }
  }

  /** Reads a classic pcap file through libpcap's own reader (pcap_open_offline). */
  public static LibpcapSource openFile(Path file, String filter) throws IOException {
    requireBinding(file.toString());
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file");
    }
    byte[] errbuf = new byte[Libpcap.ERRBUF_SIZE];
    long p = Pcap.pcap_open_offline(file.toString(), errbuf);
    if (p == 0) {
      throw new IOException(file + ": libpcap cannot read it: " + Libpcap.string(errbuf));
    }
    try {
      setFilter(p, file.toString(), filter);
      return new LibpcapSource(file.toString(), p, Math.max(PcapReader.DEFAULT_MAX_CAPTURED, Pcap.pcap_snapshot(p)),
          false);
    } catch (IOException | RuntimeException e) {
      Pcap.pcap_close(p);
      throw e;
    }
  }

  private static void requireBinding(String what) throws IOException {
    String problem = Libpcap.problem();
    if (problem != null) {
      throw new IOException(what + ": " + problem);
    }
  }

  private static void setFilter(long p, String what, String filter) throws IOException {
    if (filter == null || filter.isBlank()) {
      return;
    }
    Memory program = new Memory(Libpcap.BPF_PROGRAM_BYTES); // freed by the collector
    program.clear();
    long address = Pointer.nativeValue(program);
    // netmask 0: only "ip broadcast" needs the real one
    if (Pcap.pcap_compile(p, address, filter, 1, 0) != 0) {
      throw new IOException(what + ": bad capture filter \"" + filter + "\": " + Libpcap.string(Pcap.pcap_geterr(p)));
    }
    try {
      if (Pcap.pcap_setfilter(p, address) != 0) {
        throw new IOException(what + ": cannot set the capture filter: " + Libpcap.string(Pcap.pcap_geterr(p)));
      }
    } finally {
      Pcap.pcap_freecode(address);
      Reference.reachabilityFence(program); // the native block must outlive the calls above
    }
  }

  @Override
  public synchronized boolean next(CapturedPacket into) throws IOException {
    while (!stopped && handle != 0) {
      int status = Pcap.pcap_next_ex(handle, slotsAddress + SLOT_HEADER, slotsAddress + SLOT_DATA);
      if (status == Libpcap.NEXT_PACKET) {
        fill(into);
        refreshStats(false);
        return true;
      }
      if (status == Libpcap.NEXT_TIMEOUT) {
        refreshStats(false);
        continue;
      }
      if (status == Libpcap.NEXT_BREAK || stopped) {
        return false; // pcap_breakloop, or a file's end
      }
      throw new IOException(name + ": capture failed: " + Libpcap.string(Pcap.pcap_geterr(handle)));
    }
    return false;
  }

  private void fill(CapturedPacket into) {
    C.memcpy(headerAddress, slotView.getLong(SLOT_HEADER), Libpcap.PKTHDR_BYTES);
    int captured = headerView.getInt(Libpcap.PKTHDR_OFFSET_CAPLEN);
    int original = headerView.getInt(Libpcap.PKTHDR_OFFSET_LEN);
    int length = Math.min(captured, frameCapacity);
    C.memcpy(frameAddress, slotView.getLong(SLOT_DATA), length);
    long seconds = cLong(0);
    long micros = cLong(Libpcap.PKTHDR_OFFSET_USEC);
    into.timestampMicros = seconds * MICROS_PER_SECOND + micros;
    into.linkType = linkType;
    into.originalLength = Math.max(length, original);
    frameView.clear().limit(length);
    into.data = frameView;
    packets++;
    bytes += length;
  }

  private long cLong(int offset) {
    return com.sun.jna.Native.LONG_SIZE == Long.BYTES ? headerView.getLong(offset) : headerView.getInt(offset);
  }

  /** Reads pcap_stats when a second has passed (or {@code now}); called under the read lock. */
  private void refreshStats(boolean now) {
    if (!live) {
      return; // savefiles have no statistics
    }
    long t = System.nanoTime();
    if (!now && t - statsReadNanos < STATS_INTERVAL_NANOS) {
      return;
    }
    statsReadNanos = t;
    if (Pcap.pcap_stats(handle, Pointer.nativeValue(stats)) == 0) {
      kernelDrops = Integer.toUnsignedLong(stats.getInt(Libpcap.PCAP_STAT_OFFSET_DROP));
      interfaceDrops = Integer.toUnsignedLong(stats.getInt(Libpcap.PCAP_STAT_OFFSET_IFDROP));
    }
  }

  /**
   * Makes {@link #next} return false; callable from any thread. pcap_breakloop wakes a read waiting for
   * a frame (in immediate mode libpcap ignores the read timeout and would wait indefinitely).
   */
  @Override
  public void stop() {
    stopped = true;
    synchronized (handleLock) {
      if (handle != 0) {
        Pcap.pcap_breakloop(handle);
      }
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
    return CaptureBackend.LIBPCAP;
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
    stop(); // wakes a reader still waiting in pcap_next_ex, which holds the lock taken below
    synchronized (this) {
      if (handle != 0) {
        refreshStats(true);
        synchronized (handleLock) {
          Pcap.pcap_close(handle);
          handle = 0;
        }
      }
    }
  }
}
