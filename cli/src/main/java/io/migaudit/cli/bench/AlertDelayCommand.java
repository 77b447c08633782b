package io.migaudit.cli.bench;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.common.UserError;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code migaudit bench-alert-delay}: from a migration's first payload packet to its alert on
 * Kafka.
 */
@Command(
    name = "bench-alert-delay",
    mixinStandardHelpOptions = true,
    usageHelpWidth = 120,
    description = {
      "Measures the time to alert: starts an embedded Kafka broker and an analyzer reading migaudit.flows,",
      "then feeds the agent each sample migration at its own pace, stamped with the wall clock as a live",
      "capture is, and kept going for --seconds (its payload packets again at --rate packets/s; FIN/RST left",
      "out) as a real migration lasts. Prints the delay from handing the agent the first migration payload",
      "packet to a read_committed consumer of migaudit.alerts receiving the flow's first alert, per sample",
      "(median and largest over --repeat rounds), then p50 and p99 over every migration (after one",
      "unreported warm-up migration)."
    },
    footer = {
      "",
      "Example:",
      "  ./migaudit bench-alert-delay samples/vmotion-plaintext samples/qemu-plaintext"
    })
public final class AlertDelayCommand implements Callable<Integer> {
  static final List<String> DEFAULT_SAMPLES =
      List.of(
          "vmotion-plaintext",
          "vmotion-zlib",
          "qemu-plaintext",
          "qemu-multifd-zlib",
          "hyperv-plaintext",
          "hyperv-compressed");

  @Parameters(
      arity = "0..*",
      paramLabel = "SAMPLE_DIR",
      description =
          "Sample directories (capture.pcap[.gz], a migration the policy alerts on); default: a few of samples/.")
  List<Path> samples;

  @Option(
      names = "--seconds",
      defaultValue = "3",
      description = "How long each migration runs (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--rate",
      defaultValue = "20000",
      description =
          "Packets/s of the migration after the sample's own packets (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--policy",
      defaultValue = "samples/policy.yaml",
      description = "Analyzer policy (default: ${DEFAULT-VALUE}).")
  Path policyFile;

  @Option(
      names = "--repeat",
      defaultValue = "5",
      description =
          "Rounds over the samples; p50 and p99 are over every migration of every round"
              + " (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Spec CommandSpec spec;

  /** The nearest-rank percentile {@code p} (0-100] of {@code values}. */
  static long percentile(List<Long> values, int p) {
    List<Long> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  private static Path captureIn(Path dir) throws UserError {
    for (String name : List.of("capture.pcap", "capture.pcap.gz", "capture.pcapng")) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return dir.resolve(name);
      }
    }
    throw new UserError(dir + ": no capture.pcap, capture.pcap.gz or capture.pcapng");
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (repeat < 1) {
      throw new UserError("--repeat must be at least 1");
    }
    List<Path> dirs = new ArrayList<>();
    if (samples == null || samples.isEmpty()) {
      DEFAULT_SAMPLES.forEach(s -> dirs.add(Path.of("samples", s)));
    } else {
      dirs.addAll(samples);
    }
    List<Path> captures = new ArrayList<>();
    for (Path d : dirs) {
      captures.add(captureIn(d));
    }
    Policy policy;
    try {
      policy = PolicyLoader.load(policyFile);
    } catch (PolicyException e) {
      throw new UserError(e.getMessage(), e);
    }
    out.printf(
        Locale.ROOT,
        "%-24s %10s %10s %14s  %s%n",
        "sample",
        "p50 ms",
        "max ms",
        "flow records",
        "first alert of the flow");
    List<List<AlertDelayRig.Result>> bySample = measureRounds(captures, policy);
    List<Long> all = new ArrayList<>();
    int missed = 0;
    for (int i = 0; i < captures.size(); i++) {
      String name = captures.get(i).getParent().getFileName().toString();
      missed += printSample(out, name, bySample.get(i), all);
    }
    printSummary(out, all, missed);
    out.flush();
    return 0;
  }

  /** Every sample's migration, --repeat rounds over the samples, after one warm-up migration. */
  private List<List<AlertDelayRig.Result>> measureRounds(List<Path> captures, Policy policy)
      throws Exception {
    List<List<AlertDelayRig.Result>> bySample = new ArrayList<>();
    captures.forEach(c -> bySample.add(new ArrayList<>()));
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        AlertDelayRig rig = AlertDelayRig.start(broker, policy)) {
      rig.measure(
          captures.get(0), rate, Duration.ofSeconds(seconds)); // warm-up: consumer groups, JIT
      for (int round = 0; round < repeat; round++) { // rounds, so a passing load hits all alike
        for (int i = 0; i < captures.size(); i++) {
          bySample.get(i).add(rig.measure(captures.get(i), rate, Duration.ofSeconds(seconds)));
        }
      }
    }
    return bySample;
  }

  /** One sample's line; adds its delays to {@code all}; returns its migrations without alert. */
  private static int printSample(
      PrintWriter out, String name, List<AlertDelayRig.Result> results, List<Long> all) {
    List<Long> delays =
        results.stream().map(AlertDelayRig.Result::delayNanos).filter(d -> d >= 0).toList();
    all.addAll(delays);
    AlertDelayRig.Result last = results.get(results.size() - 1);
    int missed = results.size() - delays.size();
    if (delays.isEmpty()) {
      out.printf(Locale.ROOT, "%-24s %10s %10s %14d%n", name, "no alert", "", last.records());
    } else {
      String rule =
          results.stream().map(AlertDelayRig.Result::rule).filter(r -> r != null).findFirst().get();
      out.printf(
          Locale.ROOT,
          "%-24s %10.1f %10.1f %14d  %s%s%n",
          name,
          percentile(delays, 50) / 1e6,
          percentile(delays, 100) / 1e6,
          last.records(),
          rule,
          missed > 0 ? " (" + missed + " without alert)" : "");
    }
    out.flush();
    return missed;
  }

  private void printSummary(PrintWriter out, List<Long> all, int missed) {
    if (all.isEmpty()) {
      out.printf(Locale.ROOT, "%nno alert came%n");
      return;
    }
    out.printf(
        Locale.ROOT,
        "%nover %d migrations (%d rounds): p50 %.1f ms, p99 %.1f ms, largest %.1f ms%s"
            + " (agent active timeout 1 s, producer linger 5 ms)%n",
        all.size(),
        repeat,
        percentile(all, 50) / 1e6,
        percentile(all, 99) / 1e6,
        percentile(all, 100) / 1e6,
        missed > 0 ? "; " + missed + " without alert" : "");
  }
}
