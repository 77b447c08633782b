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
      "packet to a consumer of migaudit.alerts receiving the alert, per sample, and the largest (after one",
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

  @Spec CommandSpec spec;

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
        "%-24s %10s %14s  %s%n",
        "sample",
        "delay ms",
        "flow records",
        "first alert of the flow");
    long worst = 0;
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        AlertDelayRig rig = AlertDelayRig.start(broker, policy)) {
      rig.measure(
          captures.get(0), rate, Duration.ofSeconds(seconds)); // warm-up: consumer groups, JIT
      for (Path c : captures) {
        Path d = c.getParent();
        AlertDelayRig.Result r = rig.measure(c, rate, Duration.ofSeconds(seconds));
        if (r.delayNanos() < 0) {
          out.printf(Locale.ROOT, "%-24s %10s %14d%n", d.getFileName(), "no alert", r.records());
        } else {
          worst = Math.max(worst, r.delayNanos());
          out.printf(
              Locale.ROOT,
              "%-24s %10.1f %14d  %s%n",
              d.getFileName(),
              r.delayNanos() / 1e6,
              r.records(),
              r.rule());
        }
        out.flush();
      }
    }
    out.printf(
        Locale.ROOT,
        "%nlargest delay: %.1f ms (agent active timeout 1 s, producer linger 5 ms)%n",
        worst / 1e6);
    out.flush();
    return 0;
  }
}
