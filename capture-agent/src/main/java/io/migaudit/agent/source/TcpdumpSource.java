package io.migaudit.agent.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live capture by a tcpdump child process (Wireshark's dumpcap model): tcpdump opens the interface,
 * filters in the kernel and streams pcap to its standard output ({@code -w - -U}), which the
 * pure-Java {@link PcapFileSource} reads into one reused buffer. The JVM needs no raw-socket
 * privilege of its own when tcpdump is given it (e.g. {@code setcap
 * cap_net_raw,cap_net_admin+eip}), and the copy into the pipe runs on another core.
 *
 * <p>tcpdump runs in immediate mode whatever {@link LiveCaptureOptions#immediate()} says, since its
 * own read timeout is a fixed second; on Linux that means a TPACKET_V2 ring of snaplen-sized slots,
 * so a smaller snap length (or a larger buffer) is what keeps its kernel drops down.
 *
 * <p>tcpdump prints its counters on standard error when it ends and on SIGUSR1, which this source
 * sends about once a second; the "dropped by kernel" and "dropped by interface" lines feed {@link
 * #kernelDrops()} and {@link #interfaceDrops()}. {@link #stop()} sends SIGTERM: tcpdump flushes,
 * prints its final counters and exits, and {@link #next} returns false at the end of the stream.
 */
public final class TcpdumpSource implements LiveSource {
  private static final long STATS_INTERVAL_MILLIS = 1000;
  private static final long START_TIMEOUT_SECONDS = 10;
  private static final Pattern COUNTER =
      Pattern.compile(
          "(\\d+) packets? (captured|received by filter|dropped by kernel|dropped by interface)");
  private static final int KIB = 1024;

  private final String name;
  private final Process process;
  private final CountDownLatch listening = new CountDownLatch(1);
  private final List<String> errors = new ArrayList<>();
  private PcapFileSource stream;
  private Thread errorReader;
  private volatile boolean stopped;
  private volatile long kernelDrops;
  private volatile long interfaceDrops;
  private volatile long captured;
  private volatile long receivedByFilter;

  private TcpdumpSource(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /** The tcpdump binary on PATH (or in /usr/sbin, /sbin), or null when there is none. */
  public static Path binary() {
    List<String> dirs =
        new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin"));
    for (String dir : dirs) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "tcpdump"))) {
        return Path.of(dir, "tcpdump");
      }
    }
    return null;
  }

  /** Null when this backend can be used here, else one line saying why not. */
  public static String unavailable() {
    return binary() == null ? "tcpdump is not installed (Debian: apt-get install tcpdump)" : null;
  }

  /** The tcpdump command line for {@code iface} and {@code options}. */
  static List<String> command(Path tcpdump, String iface, LiveCaptureOptions options) {
    List<String> command =
        new ArrayList<>(
            List.of(
                tcpdump.toString(),
                "-i",
                iface,
                "-w",
                "-",
                "-U",
                "-n",
                "-s",
                Integer.toString(options.snaplenBytes()),
                "--time-stamp-precision=micro"));
    if (options.bufferBytes() > 0) {
      command.addAll(List.of("-B", Integer.toString(Math.max(1, options.bufferBytes() / KIB))));
    }
    // always: without it tcpdump holds frames for its fixed 1 s read timeout, a second on every
    // alert
    command.add("--immediate-mode");
    if (!options.promiscuous()) {
      command.add("-p");
    }
    if (options.filter() != null && !options.filter().isBlank()) {
      command.add(options.filter());
    }
    return command;
  }

  /**
   * Starts tcpdump on {@code iface} and waits until it is listening.
   *
   * @throws IOException with tcpdump's own one-line reason when it is missing, the interface does
   *     not exist, it may not capture or the filter does not compile
   */
  public static TcpdumpSource open(String iface, LiveCaptureOptions options) throws IOException {
    Path tcpdump = binary();
    if (tcpdump == null) {
      throw new IOException(iface + ": " + unavailable());
    }
    Process process = new ProcessBuilder(command(tcpdump, iface, options)).start();
    TcpdumpSource source = new TcpdumpSource(iface, process);
    Thread errors = new Thread(source::readErrors, "tcpdump-stderr-" + iface);
    errors.setDaemon(true);
    errors.start();
    source.errorReader = errors;
    try {
      if (!source.awaitListening()) {
        process.destroyForcibly();
        throw new IOException(iface + ": tcpdump did not start: " + source.lastError());
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(iface + ": interrupted while tcpdump started", e);
    }
    Thread stats = new Thread(source::requestStats, "tcpdump-stats-" + iface);
    stats.setDaemon(true);
    stats.start();
    return source;
  }

  private boolean awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      if (listening.await(50, TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (!process.isAlive()) {
        // the stderr reader may still be reading the reason: give it a moment
        listening.await(200, TimeUnit.MILLISECONDS);
        return false;
      }
    }
    return false;
  }

  private void readErrors() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        Matcher m = COUNTER.matcher(line);
        boolean counters = false;
        while (m.find()) { // one line per counter at the end, all on one line after SIGUSR1
          counters = true;
          long n = Long.parseLong(m.group(1));
          switch (m.group(2)) {
            case "captured" -> captured = n;
            case "received by filter" -> receivedByFilter = n;
            case "dropped by kernel" -> kernelDrops = n;
            case "dropped by interface" -> interfaceDrops = n;
            default -> {}
          }
        }
        if (!counters && line.contains("listening on")) {
          listening.countDown();
        } else if (!counters && !line.isBlank()) {
          synchronized (errors) {
            errors.add(line);
          }
        }
      }
    } catch (IOException e) {
      // the process ended: nothing more to read
    }
  }

  private String lastError() {
    synchronized (errors) {
      return errors.isEmpty()
          ? "exit " + (process.isAlive() ? "pending" : process.exitValue())
          : errors.get(errors.size() - 1);
    }
  }

  /** Asks tcpdump for its counters (SIGUSR1) about once a second while it runs. */
  private void requestStats() {
    try {
      while (!stopped && process.isAlive()) {
        Thread.sleep(STATS_INTERVAL_MILLIS);
        if (!stopped && process.isAlive()) {
          new ProcessBuilder("kill", "-USR1", Long.toString(process.pid()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start()
              .waitFor();
        }
      }
    } catch (IOException e) {
      // no kill(1): counters come only at the end
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean next(CapturedPacket into) throws IOException {
    if (stream == null) {
      if (stopped) {
        return false;
      }
      try {
        // tcpdump writes the file header with the first packet (-U flushes per packet), so open
        // here
        stream = PcapFileSource.open(process.getInputStream(), name);
      } catch (CaptureFormatException e) {
        if (stopped || !process.isAlive()) {
          return false; // ended before a packet: an empty capture, or a failure the stderr line
          // names
        }
        throw e;
      }
    }
    boolean more = stream.next(into);
    if (!more && !stopped && !endedCleanly()) {
      throw new IOException(name + ": tcpdump ended the capture: " + lastError());
    }
    return more;
  }

  /** True when tcpdump exited with status 0 (e.g. Ctrl-C reached its process group too). */
  private boolean endedCleanly() {
    try {
      return process.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void stop() {
    stopped = true;
    // SIGTERM: tcpdump flushes, prints its counters and exits, and the reader gets what it flushed
    // up to the end of the pipe. Not Process.destroy(): on Linux it also closes the pipes, so the
    // capture thread failed on "Stream closed" and never ended its open flows.
    process.toHandle().destroy();
  }

  @Override
  public long kernelDrops() {
    return kernelDrops;
  }

  @Override
  public long interfaceDrops() {
    return interfaceDrops;
  }

  /** tcpdump's own counters as it last printed them, for logs and benchmarks. */
  public String tcpdumpCounters() {
    return captured
        + " captured, "
        + receivedByFilter
        + " received by filter, "
        + kernelDrops
        + " dropped by kernel";
  }

  @Override
  public CaptureBackend backend() {
    return CaptureBackend.TCPDUMP;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SourceStats stats() {
    return stream == null ? new SourceStats(0, 0, null) : stream.stats();
  }

  @Override
  public void close() throws IOException {
    stop();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      errorReader.join(
          TimeUnit.SECONDS.toMillis(1)); // its final counters are the last lines it prints
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    if (stream != null) {
      stream.close();
    } else {
      process.getInputStream().close();
    }
  }
}
