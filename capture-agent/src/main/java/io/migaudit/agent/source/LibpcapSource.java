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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Live capture (or a capture file, for benchmarks and tests) read through libpcap, bound by JNA
 * direct mapping ({@link Libpcap}). One native call takes a batch: {@code pcap_dispatch} hands up
 * to {@link #BATCH_PACKETS} frames to libpcap's own {@code pcap_dump}, which writes them as pcap
 * records into one reused native buffer (an unbuffered {@code fmemopen} stream); the records are
 * then parsed in Java and each frame copied into one reused buffer that {@link CapturedPacket#data}
 * views. So the cost of crossing into C is paid per batch, not per frame, and reading allocates
 * nothing per packet.
 *
 * <p>Kernel and interface drop counts (pcap_stats) are refreshed by the reading thread about once a
 * second and readable from any thread. {@link #stop()} breaks a waiting read from any thread;
 * {@link #close()} waits for a read in progress before it frees the handle. Between two reads the
 * reading thread may set another filter, and run one over the frame it read last with
 * pcap_offline_filter ({@link Refilterable}).
 */
public final class LibpcapSource implements LiveSource, Refilterable {
  private static final long STATS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MICROS_PER_SECOND = 1_000_000L;

  /**
   * Frames per pcap_dispatch call; fewer when a batch of full-size frames would not fit {@link
   * #BATCH_BYTES}.
   */
  static final int BATCH_PACKETS = 256;

  private static final int BATCH_BYTES = 8 << 20;

  /**
   * pcap_dump's records: ts_sec(4) ts_usec(4) caplen(4) len(4), host byte order
   * (draft-ietf-opsawg-pcap).
   */
  private static final int RECORD_HEADER_BYTES = 16;

  private static final int FILE_HEADER_BYTES = 24;
  private static final int OFFSET_TS_FRACTION = 4;
  private static final int OFFSET_CAPLEN = 8;
  private static final int OFFSET_LEN = 12;
  private static final int MAGIC_NANOS = 0xA1B23C4D;

  /** A filter no frame passes (pcap-filter(7): "less 1" is a length of at most one byte). */
  private static final String MATCH_NOTHING = "less 1";

  private static final long DUMP_FUNCTION =
      Libpcap.problem() == null ? Libpcap.pcapDumpFunction() : 0;

  private final String name;
  private final int linkType;
  private final boolean live;
  private final int batchPackets;
  private final Memory batch;
  private final ByteBuffer batchView;
  private final long file;
  private final long dumper;
  private final boolean nanos;
  private final ByteBuffer frameView;
  private final Memory stats = new Memory(Libpcap.PCAP_STAT_BYTES);
  private final Object handleLock = new Object();
  private final String openedFilter;

  /** The filter {@link #lastFramePasses} ran last, compiled for pcap_offline_filter. */
  private String checkFilter;

  private Memory checkProgram;
  private final Memory frameHeader = new Memory(Libpcap.PKTHDR_BYTES);
  private int frameAt;
  private int frameLength;
  private volatile long handle;
  private volatile boolean stopped;
  private volatile long kernelDrops;
  private volatile long interfaceDrops;
  private int position;
  private int end;
  private long statsReadNanos;
  private long packets;
  private long bytes;

  private LibpcapSource(String name, long handle, boolean live, String filter) throws IOException {
    this.name = name;
    this.handle = handle;
    this.live = live;
    this.openedFilter = filter == null ? "" : filter;
    frameHeader.clear();
    this.linkType = Pcap.pcap_datalink(handle);
    int snapshot = Math.max(1, Pcap.pcap_snapshot(handle));
    this.batchPackets =
        Math.max(1, Math.min(BATCH_PACKETS, BATCH_BYTES / (RECORD_HEADER_BYTES + snapshot)));
    long batchBytes = FILE_HEADER_BYTES + (long) batchPackets * (RECORD_HEADER_BYTES + snapshot);
    this.batch = new Memory(batchBytes);
    this.batchView = batch.getByteBuffer(0, batchBytes).order(ByteOrder.nativeOrder());
    this.frameView = ByteBuffer.allocate(snapshot); // big-endian, as the decoders read
    this.file = C.fmemopen(Pointer.nativeValue(batch), batchBytes, "w");
    if (file == 0) {
      throw new IOException(name + ": fmemopen failed");
    }
    C.setvbuf(file, 0, Libpcap.IONBF, 0);
    this.dumper = Pcap.pcap_dump_fopen(handle, file);
    if (dumper == 0) {
      throw new IOException(
          name + ": pcap_dump_fopen failed: " + Libpcap.string(Pcap.pcap_geterr(handle)));
    }
    Pcap.pcap_dump_flush(dumper);
    this.nanos = batchView.getInt(0) == MAGIC_NANOS;
    this.statsReadNanos = System.nanoTime();
  }

  /** Null when this backend can be used here, else one line saying why not. */
  public static String unavailable() {
    return Libpcap.problem();
  }

  /**
   * Opens {@code iface} with {@code options} and sets the filter.
   *
   * @throws IOException with a one-line reason when libpcap is missing, the interface does not
   *     exist, the process may not capture (needs root or CAP_NET_RAW) or the filter does not
   *     compile
   */
  public static LibpcapSource open(String iface, LiveCaptureOptions options) throws IOException {
    return open(iface, options, null);
  }

  /**
   * Opens {@code workers} captures of {@code iface} joined in one AF_PACKET fanout group (Linux):
   * each frame reaches one of them, both directions of a flow the same one (see {@link
   * FanoutGroup}).
   *
   * @throws IOException as {@link #open(String, LiveCaptureOptions)}, or when fanout is not
   *     available
   */
  public static List<LibpcapSource> openWorkers(
      String iface, LiveCaptureOptions options, int workers) throws IOException {
    String problem = FanoutGroup.unavailable();
    if (problem != null) {
      throw new IOException(iface + ": " + problem);
    }
    FanoutGroup group = new FanoutGroup();
    List<LibpcapSource> sources = new ArrayList<>();
    try {
      for (int i = 0; i < workers; i++) {
        sources.add(open(iface, options, group));
      }
    } catch (IOException | RuntimeException e) {
      sources.forEach(LibpcapSource::close);
      throw e;
    }
    return sources;
  }

  /** The fanout group this live capture's socket is in, as {@code FanoutGroup.groupOf} reads it. */
  int fanoutGroup() throws IOException {
    synchronized (handleLock) {
      return FanoutGroup.groupOf(FanoutGroup.KERNEL, Pcap.pcap_fileno(handle), name);
    }
  }

  /** Null when workers can share an interface here (AF_PACKET fanout), else why not. */
  public static String fanoutUnavailable() {
    return FanoutGroup.unavailable();
  }

  private static LibpcapSource open(String iface, LiveCaptureOptions options, FanoutGroup group)
      throws IOException {
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
        throw new IOException(
            iface
                + ": cannot capture: "
                + Libpcap.string(Pcap.pcap_statustostr(status))
                + (detail.isEmpty() ? "" : " (" + detail + ")"));
      }
      if (group != null) {
        // until it is in the group the socket sees every frame: keep those out, or two members get
        // them
        installFilter(p, iface, MATCH_NOTHING);
        group.join(p, iface);
        installFilter(p, iface, options.filter() == null ? "" : options.filter());
      } else {
        setFilter(p, iface, options.filter());
      }
      return new LibpcapSource(iface, p, true, options.filter());
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
      return new LibpcapSource(file.toString(), p, false, filter);
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
    installFilter(p, what, filter);
  }

  /** Compiles and sets {@code filter}; the empty filter passes every frame. */
  private static void installFilter(long p, String what, String filter) throws IOException {
    Memory program = compile(p, what, filter);
    long address = Pointer.nativeValue(program);
    try {
      if (Pcap.pcap_setfilter(p, address) != 0) {
        throw new IOException(
            what + ": cannot set the capture filter: " + Libpcap.string(Pcap.pcap_geterr(p)));
      }
    } finally {
      Pcap.pcap_freecode(address);
      Reference.reachabilityFence(program); // the native block must outlive the calls above
    }
  }

  /**
   * {@code filter} compiled for handle {@code p} into a struct bpf_program that the caller frees
   * with pcap_freecode (its block itself is freed by the collector).
   */
  private static Memory compile(long p, String what, String filter) throws IOException {
    Memory program = new Memory(Libpcap.BPF_PROGRAM_BYTES);
    program.clear();
    // netmask 0: only "ip broadcast" needs the real one
    if (Pcap.pcap_compile(p, Pointer.nativeValue(program), filter, 1, 0) != 0) {
      throw new IOException(
          what + ": bad capture filter \"" + filter + "\": " + Libpcap.string(Pcap.pcap_geterr(p)));
    }
    return program;
  }

  @Override
  public String openedFilter() {
    return openedFilter;
  }

  /**
   * Runs {@code filter} over the frame last read as the kernel runs the one in force; the program
   * is compiled at the first call with a filter and kept until another one comes.
   */
  @Override
  public synchronized boolean lastFramePasses(String filter) throws IOException {
    if (filter == null || filter.isBlank()) {
      return true;
    }
    if (handle == 0) {
      throw new IOException(name + ": closed");
    }
    if (!filter.equals(checkFilter)) {
      Memory program = compile(handle, name, filter);
      freeCheckProgram();
      checkProgram = program;
      checkFilter = filter;
    }
    frameHeader.setInt(Libpcap.PKTHDR_OFFSET_CAPLEN, frameView.limit());
    frameHeader.setInt(Libpcap.PKTHDR_OFFSET_LEN, frameLength);
    return Pcap.pcap_offline_filter(
            Pointer.nativeValue(checkProgram),
            Pointer.nativeValue(frameHeader),
            Pointer.nativeValue(batch) + frameAt)
        != 0;
  }

  /** Compiles and sets {@code filter} between two batches; the frames already read keep theirs. */
  @Override
  public synchronized void refilter(String filter) throws IOException {
    if (handle == 0) {
      throw new IOException(name + ": closed");
    }
    installFilter(handle, name, filter == null ? "" : filter);
  }

  private void freeCheckProgram() {
    if (checkProgram != null) {
      Pcap.pcap_freecode(Pointer.nativeValue(checkProgram));
      checkProgram = null;
      checkFilter = null;
    }
  }

  @Override
  public synchronized boolean next(CapturedPacket into) throws IOException {
    while (position >= end) {
      if (stopped || handle == 0 || !refill()) {
        return false;
      }
    }
    int at = position;
    int captured = batchView.getInt(at + OFFSET_CAPLEN);
    int next = at + RECORD_HEADER_BYTES + captured;
    if (captured < 0 || captured > frameView.capacity() || next > end) {
      throw new IOException(
          name
              + ": pcap_dump wrote a record of "
              + captured
              + " bytes at "
              + at
              + " past the batch's "
              + end
              + " bytes");
    }
    long seconds = Integer.toUnsignedLong(batchView.getInt(at));
    long fraction = Integer.toUnsignedLong(batchView.getInt(at + OFFSET_TS_FRACTION));
    into.timestampMicros = seconds * MICROS_PER_SECOND + (nanos ? fraction / 1_000 : fraction);
    into.linkType = linkType;
    into.originalLength = Math.max(captured, batchView.getInt(at + OFFSET_LEN));
    frameAt = at + RECORD_HEADER_BYTES;
    frameLength = into.originalLength;
    frameView.clear().limit(captured);
    frameView.put(0, batchView, at + RECORD_HEADER_BYTES, captured);
    into.data = frameView;
    position = next;
    packets++;
    bytes += captured;
    return true;
  }

  /**
   * Reads the next batch into the native buffer: false at a file's end or after pcap_breakloop. A
   * live read that times out refreshes the statistics and waits again.
   */
  private boolean refill() throws IOException {
    while (!stopped) {
      C.fseek(file, 0, Libpcap.SEEK_SET);
      int n = Pcap.pcap_dispatch(handle, batchPackets, DUMP_FUNCTION, dumper);
      refreshStats(false);
      if (n > 0) {
        position = 0;
        end = (int) C.ftell(file);
        return true;
      }
      if (n == 0 && live) {
        continue; // read timeout
      }
      if (n == 0 || n == Libpcap.DISPATCH_BREAK || stopped) {
        return false; // a file's end, or pcap_breakloop
      }
      throw new IOException(name + ": capture failed: " + Libpcap.string(Pcap.pcap_geterr(handle)));
    }
    return false;
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
   * Makes {@link #next} return false; callable from any thread. pcap_breakloop wakes a read waiting
   * for a frame (in immediate mode libpcap ignores the read timeout and would wait indefinitely).
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
          Pcap.pcap_dump_close(dumper); // closes the fmemopen stream too
          freeCheckProgram();
          Pcap.pcap_close(handle);
          handle = 0;
        }
      }
    }
  }
}
