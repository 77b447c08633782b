package io.migaudit.cli.bench;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.cli.agent.AgentSettings;
import io.migaudit.cli.common.UserError;
import io.migaudit.cli.common.VerboseOption;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code migaudit bench}: agent pipeline throughput next to other tools on the same capture. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Times the capture agent's pipeline (read, decode, flow table, payload features, JSON records;",
      "no Kafka) on a capture file with 1 and with N capture workers, the median of several passes in",
      "this JVM each, with the whole process's CPU time per packet, the fastest the N workers",
      "could read the file (their turns at reading it, one at a time), what they would reach if",
      "splitting the work cost nothing (one worker's CPU per packet on every core they can use),",
      "and a fresh JVM's one pass with where its time went (start-up, the pass, JIT compiling;",
      "with this JVM's options, so a JDK 25+ AOT cache from MIGAUDIT_AOT_CACHE too, and the row",
      "says so);",
      "in the same run the installed peers on the same file as whole processes, each the median",
      "of as many runs: tcpdump -r -w /dev/null, nfpcapd, softflowd, tshark. Prints packets/s and",
      "each peer's ratio to migaudit, then heap per flow.",
      "Without FILE it makes the benchmark capture (2,000,000 packets truncated to 128 bytes) with",
      "tools/bench/gen_migration_pcap.py under target/bench/."
    },
    footer = {
      "",
      "Example:",
      "  ./migaudit bench",
      "  ./migaudit bench --runs 5 --no-peers big.pcap"
    })
public final class BenchCommand implements Callable<Integer> {

  /** A small flow's payload kept as bytes (a DNS query), and one large enough for a histogram. */
  private static final int[] PROBE_PAYLOADS = {64, 1024};

  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "Capture to read (pcap or pcapng).")
  Path capture;

  @Option(
      names = "--runs",
      defaultValue = "5",
      description =
          "Timed passes of migaudit, and runs of each peer, both rated by their median (default:"
              + " ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--peers",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Also time the installed peer tools (default: on).")
  boolean peers;

  @Option(
      names = "--memory-flows",
      defaultValue = "1000000",
      description = {
        "Flows to fill the flow table with for the heap-per-flow figures: flows without payload, then",
        "flows of 64 and of 1024 payload bytes (default: ${DEFAULT-VALUE}; 0 skips)."
      })
  int memoryFlows;

  @Option(
      names = "--compression",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Also measure the producer codecs (lz4, zstd) on the capture's flow records (default: on).")
  boolean compression;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Capture workers timed next to one worker (default: cores - 1, at least 2).")
  Integer workersOption;

  int workers;

  @Option(
      names = "--single-pass",
      hidden = true,
      description = "One pass with the workers, nothing printed (the whole-process row's child).")
  boolean singlePass;

  @Mixin VerboseOption verbose = new VerboseOption();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (runs < 1) {
      throw new UserError("--runs must be at least 1");
    }
    Path file = capture != null ? capture : BenchCapture.ensure();
    if (!Files.isRegularFile(file)) {
      throw new UserError(file + ": no such file");
    }
    workers = workersOption != null ? workersOption : Math.max(2, CaptureWorkers.defaultWorkers());
    if (workers < 2 || workers > AgentSettings.MAX_WORKERS) {
      throw new UserError("--workers: " + workers + " is not 2 to " + AgentSettings.MAX_WORKERS);
    }
    if (singlePass) {
      long startedMillis = ManagementFactory.getRuntimeMXBean().getUptime();
      long t0 = System.nanoTime();
      PipelineBenchmark.run(file, AgentConfig.defaults("bench"), workers);
      PrintWriter out = spec.commandLine().getOut();
      out.println(WholeProcessRun.Breakdown.of(startedMillis, System.nanoTime() - t0).line());
      out.flush();
      return 0;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        Locale.ROOT,
        "Capture: %s (%.1f MB); %d cores, max heap %d MB, Java %s%n",
        file,
        Files.size(file) / 1e6,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.version"));
    Passes passes = measure(file);
    ThroughputTable table = new ThroughputTable(out, passes.one(), passes.many());
    table.header(workers);
    inJvmRows(table, passes);
    otherRows(table, file, passes.one());
    if (compression) {
      compressionFigures(out, file);
    }
    if (memoryFlows > 0) {
      heapFigures(out);
    }
    out.flush();
    return 0;
  }

  /** The median passes in this JVM, and the first one. */
  private record Passes(
      PipelineBenchmark.Pass cold,
      PipelineBenchmark.Pass one,
      PipelineBenchmark.Pass many,
      PipelineBenchmark.Pass handedOff) {}

  private Passes measure(Path file) throws Exception {
    AgentConfig config = AgentConfig.defaults("bench");
    // the first pass in the JVM, with N workers: class loading and JIT included, the figure closest
    // to a peer's whole-process run
    PipelineBenchmark.Pass cold = PipelineBenchmark.run(file, config, workers);
    // then an untimed pass of each other way of running, whose code paths differ (one worker, the
    // hand-off): the timed ones below are all warm
    PipelineBenchmark.run(file, config, 1);
    PipelineBenchmark.run(file, config, 1, true);
    List<PipelineBenchmark.Pass> ones = new ArrayList<>();
    List<PipelineBenchmark.Pass> manys = new ArrayList<>();
    List<PipelineBenchmark.Pass> handedOff = new ArrayList<>();
    for (int i = 0; i < runs; i++) { // interleaved: a load that comes and goes hits all alike
      ones.add(PipelineBenchmark.run(file, config, 1));
      manys.add(PipelineBenchmark.run(file, config, workers));
      handedOff.add(PipelineBenchmark.run(file, config, 1, true));
    }
    return new Passes(cold, median(ones), median(manys), median(handedOff));
  }

  /** The rows of the passes in this JVM. */
  private void inJvmRows(ThroughputTable table, Passes p) {
    PipelineBenchmark.Pass one = p.one();
    PipelineBenchmark.Pass many = p.many();
    table.row(
        "migaudit pipeline (no Kafka), 1 worker",
        one.packetsPerSecond(),
        String.format(
            Locale.ROOT,
            "(%d packets, %d records, %.0f ns CPU/packet, median of %d)",
            one.packets(),
            one.records(),
            one.processCpuNanosPerPacket(),
            runs));
    table.row(
        "migaudit pipeline (no Kafka), " + workers + " workers",
        many.packetsPerSecond(),
        String.format(
            Locale.ROOT,
            "(%d records, %.0f ns CPU/packet: workers taking turns reading the file, GC, JIT;"
                + " busiest worker %.0f %% of the IP packets)",
            many.records(),
            many.processCpuNanosPerPacket(),
            100 * many.busiestWorkerShare()));
    table.row(
        "  its file read one worker at a time, at most",
        many.readingPacketsPerSecond(),
        String.format(
            Locale.ROOT,
            "(the %d workers' turns at reading the file, %.0f ns a packet: with a core for each"
                + " worker, no number of workers reads a file faster)",
            workers,
            many.readingNanos() / (double) many.packets()));
    int cores = Runtime.getRuntime().availableProcessors();
    double oneCpu = one.processCpuNanosPerPacket();
    table.row(
        "  if splitting the work cost nothing",
        splitFree(one, workers, cores),
        Double.isNaN(oneCpu)
            ? "(one worker's CPU per packet not measured: its pass was shorter than a step of the"
                + " process's CPU clock)"
            : String.format(
                Locale.ROOT,
                "(one worker's %.0f ns CPU/packet on %d busy cores; splitting costs the %d workers"
                    + " %.0f ns a packet more)",
                oneCpu,
                Math.min(workers, cores),
                workers,
                many.processCpuNanosPerPacket() - oneCpu));
    table.row(
        "migaudit pipeline, 1 worker, per CPU second",
        one.packetsPerCpuSecond(),
        "(CPU time of the pipeline thread, median pass)");
    table.row(
        "  records serialized off it, per CPU second",
        p.handedOff().packetsPerCpuSecond(),
        String.format(
            Locale.ROOT,
            "(the capture thread alone, records to JSON on a publishing thread: %.0f vs %.0f"
                + " ns/packet)",
            1e9 / p.handedOff().packetsPerCpuSecond(),
            1e9 / one.packetsPerCpuSecond()));
    table.row(
        "migaudit pipeline, first pass in the JVM",
        p.cold().packetsPerSecond(),
        String.format(
            Locale.ROOT,
            "(%d workers; class loading, JIT compilation; %.0f ns CPU/packet)",
            workers,
            p.cold().processCpuNanosPerPacket()));
  }

  /**
   * Packets/s of {@code workers} workers on {@code cores} cores if splitting the work among them
   * cost no CPU: one worker's CPU a packet (its whole process: GC, JIT and all), with every core
   * the workers can use busy. What N workers can reach at best on this machine, whatever the
   * dealing: one worker that already keeps more than one core busy leaves less than N times its
   * speed.
   */
  static double splitFree(PipelineBenchmark.Pass one, int workers, int cores) {
    return Math.min(workers, cores) * 1e9 / one.processCpuNanosPerPacket();
  }

  /** The whole-process pass, read + decode alone, and the peers when asked for. */
  private void otherRows(ThroughputTable table, Path file, PipelineBenchmark.Pass one)
      throws Exception {
    PeerTimer.Run whole = WholeProcessRun.time(file, workers);
    table.row(
        "migaudit whole process (new JVM, one pass)",
        whole.failed() ? Double.NaN : one.packets() * 1e9 / whole.nanos(),
        whole.failed()
            ? String.format(
                Locale.ROOT,
                "(%d workers: the new JVM failed, %s; `migaudit bench --single-pass --workers %d"
                    + " FILE` runs it alone)",
                workers,
                whole.failure(),
                workers)
            : String.format(
                Locale.ROOT,
                "(%d workers; %s%s; as the peers are timed)",
                workers,
                WholeProcessRun.Breakdown.parse(whole.lastLine())
                    .map(WholeProcessRun.Breakdown::describe)
                    .orElse("start-up, class loading, JIT"),
                WholeProcessRun.cacheNote()));
    List<PipelineBenchmark.Pass> decodes = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      decodes.add(PipelineBenchmark.decodeOnly(file));
    }
    table.row("migaudit read + decode only", median(decodes).packetsPerSecond(), "");
    if (peers) {
      table.peers(file, runs, PeerTimer.PEERS);
    }
  }

  private static void compressionFigures(PrintWriter out, Path file) throws Exception {
    List<byte[]> records = RecordCompressionProbe.records(file);
    out.printf(
        Locale.ROOT,
        "%nFlow records in producer batches of %d bytes (%d records of this capture):%n",
        RecordCompressionProbe.BATCH_BYTES,
        records.size());
    for (RecordCompressionProbe.Result r : RecordCompressionProbe.all(records)) {
      out.printf(
          Locale.ROOT,
          "  %-5s %7.1f bytes/record %8.0f ns CPU/record%n",
          r.codec(),
          r.bytesPerRecord(),
          r.cpuNanosPerRecord());
    }
    out.flush();
  }

  private void heapFigures(PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "%nHeap per tracked flow with %,d one-packet flows: %.0f bytes%n",
        memoryFlows,
        FlowMemoryProbe.bytesPerFlow(memoryFlows));
    out.flush();
    for (int payload : PROBE_PAYLOADS) {
      out.printf(
          Locale.ROOT,
          "Heap per tracked flow with %,d one-packet flows of %d payload bytes: %.0f bytes%n",
          memoryFlows,
          payload,
          FlowMemoryProbe.bytesPerFlow(memoryFlows, payload));
      out.flush();
    }
  }

  /** The pass of median wall-clock time. */
  private static PipelineBenchmark.Pass median(List<PipelineBenchmark.Pass> passes) {
    List<PipelineBenchmark.Pass> sorted = new ArrayList<>(passes);
    sorted.sort(Comparator.comparingLong(PipelineBenchmark.Pass::nanos));
    return sorted.get(sorted.size() / 2);
  }
}
