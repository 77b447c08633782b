package io.migaudit.cli.bench;

import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.LiveCaptureOptions;
import io.migaudit.agent.source.LiveSource;
import io.migaudit.agent.source.TcpdumpSource;
import io.migaudit.cli.common.CaptureBackendConverter;
import io.migaudit.cli.common.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code migaudit bench-capture}: the capture backends' packets/s on a file, or live on an
 * interface.
 */
@Command(
    name = "bench-capture",
    mixinStandardHelpOptions = true,
    usageHelpWidth = 120,
    description = {
      "Times the capture backends. On a FILE (default: the benchmark capture, made if missing): each",
      "backend reads it through libpcap (pcap_open_offline) or, for tcpdump, from a tcpdump child's pipe;",
      "median of --runs passes after a warm-up, with bytes allocated per packet. With --live IFACE: one",
      "backend captures on IFACE until no frame came for --idle-seconds after the first, then prints the",
      "frames, the rate between the first and the last, the kernel's drops and the capture thread's CPU per frame",
      "(tools/bench/capture-bench.sh replays the benchmark capture with tcpreplay --topspeed on a veth pair)."
    },
    footer = {
      "",
      "Examples:",
      "  ./migaudit bench-capture",
      "  ./migaudit bench-capture --live veth0 --capture-backend tcpdump"
    })
public final class CaptureBenchCommand implements Callable<Integer> {

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "Classic pcap capture to read.")
  Path capture;

  @Option(
      names = "--runs",
      defaultValue = "5",
      description = "Timed passes per backend on a file (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--live",
      paramLabel = "IFACE",
      description = "Capture live on this interface instead of reading a file.")
  String live;

  @Option(
      names = "--capture-backend",
      paramLabel = "libpcap|tcpdump|pcap4j",
      converter = CaptureBackendConverter.class,
      description = "Backend for --live (default: the agent's default).")
  CaptureBackend backend;

  @Option(
      names = "--idle-seconds",
      defaultValue = "3",
      description =
          "With --live: stop when no frame came for this long after the first (default: ${DEFAULT-VALUE}).")
  int idleSeconds;

  @Option(
      names = "--immediate",
      description =
          "With --live: libpcap's immediate mode (TPACKET_V2 on Linux), as the agent did before.")
  boolean immediate;

  @Option(
      names = "--filter",
      paramLabel = "EXPR",
      description = "With --live: pcap-filter expression (default: none).")
  String filter;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (live != null) {
      return live(out);
    }
    Path file = capture != null ? capture : BenchCapture.ensure();
    if (!Files.isRegularFile(file)) {
      throw new UserError(file + ": no such file");
    }
    out.printf(
        Locale.ROOT,
        "Capture: %s (%.1f MB); %d cores, Java %s; median of %d passes after a warm-up%n%n",
        file,
        Files.size(file) / 1e6,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        runs);
    out.printf(
        Locale.ROOT,
        "%-56s %12s %14s%n",
        "capture path (reading the file)",
        "packets/s",
        "alloc B/packet");
    for (CaptureBenchReaders.Reader reader : CaptureBenchReaders.READERS) {
      try {
        CaptureBenchReaders.time(reader, file); // warm-up: class loading and JIT
        List<CaptureBenchReaders.Pass> passes = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
          passes.add(CaptureBenchReaders.time(reader, file));
        }
        passes.sort(Comparator.comparingLong(CaptureBenchReaders.Pass::nanos));
        CaptureBenchReaders.Pass median = passes.get(passes.size() / 2);
        out.printf(
            Locale.ROOT,
            "%-56s %10.2f M %14.1f   (%d packets)%n",
            reader.name(),
            median.packetsPerSecond() / 1e6,
            median.allocatedBytesPerPacket(),
            median.packets());
      } catch (IOException e) {
        out.printf(Locale.ROOT, "%-56s %12s   (%s)%n", reader.name(), "failed", e.getMessage());
      }
      out.flush();
    }
    return 0;
  }

  private int live(PrintWriter out) throws Exception {
    CaptureBackend chosen = backend != null ? backend : CaptureBackend.best();
    String problem = chosen.unavailable();
    if (problem != null) {
      throw new UserError("--capture-backend " + chosen.wire() + ": " + problem);
    }
    LiveCaptureOptions options =
        new LiveCaptureOptions(
            LiveCaptureOptions.DEFAULT_SNAPLEN_BYTES,
            true,
            LiveCaptureOptions.DEFAULT_BUFFER_BYTES,
            immediate,
            LiveCaptureOptions.DEFAULT_READ_TIMEOUT,
            filter);
    AtomicLong packets = new AtomicLong();
    long[] firstLast = new long[5];
    try (LiveSource source = open(chosen, options)) {
      Thread reader =
          new Thread(() -> read(source, packets, firstLast), "bench-capture-" + chosen.wire());
      reader.start();
      out.printf(Locale.ROOT, "capturing on %s with the %s backend%n", live, chosen.wire());
      out.flush();
      waitForIdle(packets);
      source.stop();
      reader.join();
      long drops = source.kernelDrops();
      long ifDrops = source.interfaceDrops();
      source.close(); // tcpdump prints its final counters as it ends
      drops = Math.max(drops, source.kernelDrops());
      double seconds = (firstLast[1] - firstLast[0]) / 1e9;
      long timed = packets.get() - firstLast[4] - 1; // frames after the one that started the clock
      double cpuNanosPerPacket = timed > 0 ? (double) (firstLast[3] - firstLast[2]) / timed : 0;
      out.printf(
          Locale.ROOT,
          "%s: %d frames; from frame %d to the last %.3f s = %.2f M packets/s; kernel drops %d,"
              + " interface drops %d; capture thread CPU %.0f ns/frame (%.1f M frames per CPU-second)%n",
          chosen.wire(),
          packets.get(),
          firstLast[4] + 1,
          seconds,
          seconds > 0 ? timed / seconds / 1e6 : 0,
          drops,
          Math.max(ifDrops, source.interfaceDrops()),
          cpuNanosPerPacket,
          cpuNanosPerPacket > 0 ? 1e3 / cpuNanosPerPacket : 0);
      if (source instanceof TcpdumpSource t) {
        out.printf(
            Locale.ROOT, "%s: tcpdump's own counters: %s%n", chosen.wire(), t.tcpdumpCounters());
      }
    }
    out.flush();
    return 0;
  }

  private LiveSource open(CaptureBackend chosen, LiveCaptureOptions options) throws UserError {
    try {
      return chosen.open(live, options);
    } catch (IOException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * Reads until stopped; {@code firstLast}: wall nanoseconds at the first and the last frame,
   * thread CPU nanoseconds at the first and at the end.
   */
  private static void read(LiveSource source, AtomicLong packets, long[] firstLast) {
    CapturedPacket p = new CapturedPacket();
    long n = 0;
    try {
      while (source.next(p)) {
        long now = System.nanoTime();
        if (n == 0
            || n == MIN_FRAMES_BEFORE_IDLE) { // from the 1000th frame: strays come long before a
          // replay
          firstLast[0] = now;
          firstLast[2] = THREADS.getCurrentThreadCpuTime();
          firstLast[4] = n;
        }
        firstLast[1] = now;
        packets.lazySet(++n);
      }
    } catch (IOException e) {
      System.err.println("migaudit: " + e.getMessage());
    }
    firstLast[3] =
        THREADS
            .getCurrentThreadCpuTime(); // waiting for frames after the last costs next to nothing
  }

  /**
   * Stray frames (IPv6 neighbour discovery) come before a replay starts; idleness counts after
   * these many.
   */
  private static final long MIN_FRAMES_BEFORE_IDLE = 1000;

  private void waitForIdle(AtomicLong packets) throws InterruptedException {
    long seen = 0;
    long idleSince = System.nanoTime();
    while (true) {
      Thread.sleep(100); // sampling the frame counter to see when the replay has gone quiet
      long n = packets.get();
      if (n != seen || n < MIN_FRAMES_BEFORE_IDLE) {
        seen = n;
        idleSince = System.nanoTime();
      } else if (System.nanoTime() - idleSince > idleSeconds * 1_000_000_000L) {
        return;
      }
    }
  }
}
