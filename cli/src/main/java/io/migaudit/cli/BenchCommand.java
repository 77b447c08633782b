package io.migaudit.cli;

import io.migaudit.agent.AgentConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
        "no Kafka) on a capture file, the median of several passes in this JVM, and in the same run the",
        "installed peers on the same file as whole processes: tcpdump -r -w /dev/null, nfpcapd,",
        "softflowd, tshark. Prints packets/s and each peer's ratio to migaudit, then heap per flow.",
        "Without FILE it makes the benchmark capture (2,000,000 packets truncated to 128 bytes) with",
        "tools/bench/gen_migration_pcap.py under target/bench/."},
    footer = {"", "Example:", "  ./migaudit bench", "  ./migaudit bench --runs 5 --no-peers big.pcap"})
final class BenchCommand implements Callable<Integer> {

  /** A small flow's payload kept as bytes (a DNS query), and one large enough for a histogram. */
  private static final int[] PROBE_PAYLOADS = {64, 1024};

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "Capture to read (pcap or pcapng).")
  Path capture;

  @Option(names = "--runs", defaultValue = "5", description = "Timed passes of migaudit (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--peers", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also time the installed peer tools (default: on).")
  boolean peers;

  @Option(names = "--memory-flows", defaultValue = "1000000",
      description = {"Flows to fill the flow table with for the heap-per-flow figures: flows without payload, then",
          "flows of 64 and of 1024 payload bytes (default: ${DEFAULT-VALUE}; 0 skips)."})
  int memoryFlows;

  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path file = capture != null ? capture : BenchCapture.ensure();
    if (!Files.isRegularFile(file)) {
      throw new UserError(file + ": no such file");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "Capture: %s (%.1f MB); %d cores, max heap %d MB, Java %s%n", file,
        Files.size(file) / 1e6, Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
    List<PipelineBenchmark.Pass> passes = new ArrayList<>();
    AgentConfig config = AgentConfig.defaults("bench");
    PipelineBenchmark.Pass cold = PipelineBenchmark.run(file, config); // warm-up pass: class loading and JIT
    for (int i = 0; i < runs; i++) {
      passes.add(PipelineBenchmark.run(file, config));
    }
    passes.sort(Comparator.comparingLong(PipelineBenchmark.Pass::nanos));
    PipelineBenchmark.Pass median = passes.get(passes.size() / 2);
    out.printf(Locale.ROOT, "%n%-48s %14s %10s%n", "reader", "packets/s", "vs migaudit");
    out.printf(Locale.ROOT, "%-48s %14s %10s   (%d packets, %d records, %.0f records/s, median of %d)%n",
        "migaudit agent pipeline (no Kafka)", mpps(median.packetsPerSecond()), "1.00", median.packets(),
        median.records(), median.recordsPerSecond(), passes.size());
    out.printf(Locale.ROOT, "%-48s %14s %10.2f   (CPU time of the pipeline thread, median pass)%n",
        "migaudit agent pipeline, per CPU second", mpps(median.packetsPerCpuSecond()),
        median.packetsPerCpuSecond() / median.packetsPerSecond());
    out.printf(Locale.ROOT, "%-48s %14s %10.2f   (the warm-up pass: class loading, JIT compilation)%n",
        "migaudit agent pipeline, first pass in the JVM", mpps(cold.packetsPerSecond()),
        cold.packetsPerSecond() / median.packetsPerSecond());
    List<PipelineBenchmark.Pass> decodes = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      decodes.add(PipelineBenchmark.decodeOnly(file));
    }
    decodes.sort(Comparator.comparingLong(PipelineBenchmark.Pass::nanos));
    double decodePps = decodes.get(decodes.size() / 2).packetsPerSecond();
    out.printf(Locale.ROOT, "%-48s %14s %10.2f%n", "migaudit read + decode only", mpps(decodePps),
        decodePps / median.packetsPerSecond());
    if (peers) {
      timePeers(out, file, median);
    }
    if (memoryFlows > 0) {
      out.printf(Locale.ROOT, "%nHeap per tracked flow with %,d one-packet flows: %.0f bytes%n", memoryFlows,
          FlowMemoryProbe.bytesPerFlow(memoryFlows));
      out.flush();
      for (int payload : PROBE_PAYLOADS) {
        out.printf(Locale.ROOT, "Heap per tracked flow with %,d one-packet flows of %d payload bytes: %.0f bytes%n",
            memoryFlows, payload, FlowMemoryProbe.bytesPerFlow(memoryFlows, payload));
        out.flush();
      }
    }
    out.flush();
    return 0;
  }

  private void timePeers(PrintWriter out, Path file, PipelineBenchmark.Pass median) throws Exception {
    Path scratch = Files.createTempDirectory("migaudit-bench-");
    try {
      for (PeerTimer.Peer peer : PeerTimer.PEERS) {
        String path = PeerTimer.find(peer.binary());
        if (path == null) {
          out.printf(Locale.ROOT, "%-48s %14s%n", peer.name(), "not installed");
          continue;
        }
        long nanos = PeerTimer.time(peer.command(path, file, scratch), 600);
        if (nanos < 0) {
          out.printf(Locale.ROOT, "%-48s %14s%n", peer.name(), "failed");
          continue;
        }
        double pps = median.packets() * 1e9 / nanos;
        out.printf(Locale.ROOT, "%-48s %14s %10.2f%n", peer.name(), mpps(pps), pps / median.packetsPerSecond());
        out.flush();
      }
    } finally {
      try (var walk = Files.walk(scratch)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String mpps(double pps) {
    return String.format(Locale.ROOT, "%.2f M", pps / 1e6);
  }
}
