package io.migaudit.cli;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code migaudit bench-analyzer}: flow records/s of one analyzer next to a bare consumer, on a
 * real broker.
 */
@Command(
    name = "bench-analyzer",
    mixinStandardHelpOptions = true,
    usageHelpWidth = 120,
    description = {
      "Starts an embedded Kafka broker (KRaft, in this JVM), publishes --records flow records made by the",
      "agent pipeline from a capture (default: the benchmark capture, made if missing; its records are",
      "published again, in order, until there are enough), then times on the same topic: a bare",
      "KafkaConsumer reading byte[] records and doing nothing with them, and the analyzer (Kafka Streams,",
      "exactly_once_v2: JSON parsing, rules, migration events in changelogged stores, alerts and events",
      "in transactions), with one instance and then two in one application. The bare consumer's clock",
      "starts at the poll that returned its first records, the analyzer's at its first record judged,",
      "and stops when the application committed the end of the topic."
    },
    footer = {"", "Example:", "  ./migaudit bench-analyzer --records 1000000"})
final class AnalyzerBenchCommand implements Callable<Integer> {

  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "Capture whose flow records are published.")
  Path capture;

  @Option(
      names = "--records",
      defaultValue = "1000000",
      description = "Flow records to publish (default: ${DEFAULT-VALUE}).")
  int records;

  @Option(
      names = "--partitions",
      defaultValue = "3",
      description = "Partitions of the flow topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--policy",
      defaultValue = "samples/policy.yaml",
      description = "Policy the analyzer judges with (default: ${DEFAULT-VALUE}).")
  Path policyFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Kafka Streams or client setting for the analyzer, as the analyzer's client properties"
              + " take it (repeatable; e.g. commit.interval.ms=200, num.stream.threads=1).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path file = capture != null ? capture : BenchCapture.ensure();
    if (!Files.isRegularFile(file)) {
      throw new UserError(file + ": no such file");
    }
    Policy policy;
    try {
      policy = PolicyLoader.load(policyFile);
    } catch (PolicyException e) {
      throw new UserError(e.getMessage(), e);
    }
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), partitions);
      AnalyzerBenchRun run = new AnalyzerBenchRun(broker.bootstrapServers(), policy, settings);
      AnalyzerBenchRun.Published published = run.publish(file, records);
      out.printf(
          Locale.ROOT,
          "Published %,d flow records (%,d bytes, %.0f bytes each, %,d distinct from %s) to %s"
              + " with %d partitions; %d cores, Java %s%n%n",
          published.records(),
          published.bytes(),
          (double) published.bytes() / published.records(),
          published.distinct(),
          file,
          Topics.FLOWS,
          partitions,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      out.flush();
      AnalyzerBenchRun.Timing bare = run.bareConsumer(published.records());
      out.printf(Locale.ROOT, "%-56s %14s %10s%n", "reader (same topic)", "records/s", "vs bare");
      out.printf(
          Locale.ROOT,
          "%-56s %14s %10s%n",
          "bare KafkaConsumer (byte[], no work)",
          krps(bare),
          "1.00");
      for (int n = 1; n <= 2; n++) {
        AnalyzerBenchRun.Timing analyzer = run.analyzer(published.records(), n);
        out.printf(
            Locale.ROOT,
            "%-56s %14s %10.2f   (%,d alerts, %,d migration records)%n",
            "migaudit analyzer, exactly once, " + n + (n == 1 ? " instance" : " instances"),
            krps(analyzer),
            analyzer.perSecond() / bare.perSecond(),
            analyzer.alerts(),
            analyzer.migrationRecords());
        out.printf(Locale.ROOT, "%-56s %s%n", "", analyzer.threads());
        out.flush();
      }
    }
    out.flush();
    return 0;
  }

  private static String krps(AnalyzerBenchRun.Timing t) {
    return String.format(Locale.ROOT, "%.0f k", t.perSecond() / 1e3);
  }
}
