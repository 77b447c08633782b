package io.migaudit.cli.bench;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.analyzer.AnalyzerCommand;
import io.migaudit.cli.common.UserError;
import io.migaudit.record.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
      "in transactions): one instance with one stream thread, one with --stream-threads, and two with",
      "--stream-threads in one application. The bare consumer's clock starts at the poll that returned",
      "its first records, the analyzer's at its first record judged, and stops when the application",
      "committed the end of the topic. Each analyzer row is followed by its stream threads' CPU time",
      "from their first record, transaction commits and polls (Kafka Streams' thread metrics)."
    },
    footer = {"", "Example:", "  ./migaudit bench-analyzer --records 1000000"})
public final class AnalyzerBenchCommand implements Callable<Integer> {

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

  @Option(
      names = "--stream-threads",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Stream threads of each analyzer instance, as the analyzer's option (default: 0, one per"
              + " core); one instance with one thread is timed as well.")
  int streamThreads;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description =
          "Rounds of every reader, one after the other, then the medians (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (rounds < 1) {
      throw new UserError("--rounds must be at least 1");
    }
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
      timeRounds(out, run, published.records());
    }
    out.flush();
    return 0;
  }

  private static final String ROW = "%-56s %14s %10.2f%s%n";

  /** Every round: the bare consumer, then each analyzer row; then the medians. */
  private void timeRounds(PrintWriter out, AnalyzerBenchRun run, long count) throws Exception {
    int threads = AnalyzerCommand.streamThreads(streamThreads);
    List<Row> rows =
        List.of(new Row(1, 1), new Row(1, threads), new Row(2, threads)).stream()
            .distinct()
            .toList();
    List<List<Double>> ratios = new ArrayList<>();
    List<List<Double>> rates = new ArrayList<>();
    for (int i = 0; i <= rows.size(); i++) {
      ratios.add(new ArrayList<>());
      rates.add(new ArrayList<>());
    }
    for (int round = 1; round <= this.rounds; round++) {
      if (this.rounds > 1) {
        out.printf(Locale.ROOT, "round %d of %d%n", round, this.rounds);
      }
      AnalyzerBenchRun.Timing bare = run.bareConsumer(count);
      out.printf(Locale.ROOT, "%-56s %14s %10s%n", "reader (same topic)", "records/s", "vs bare");
      out.printf(Locale.ROOT, ROW, "bare KafkaConsumer (byte[], no work)", krps(bare), 1.0, "");
      rates.get(0).add(bare.perSecond());
      for (int i = 0; i < rows.size(); i++) {
        AnalyzerBenchRun.Timing t = timeRow(out, run, count, rows.get(i), bare);
        rates.get(i + 1).add(t.perSecond());
        ratios.get(i + 1).add(t.perSecond() / bare.perSecond());
      }
      out.println();
    }
    if (this.rounds > 1) {
      printMedians(out, rows, rates, ratios);
    }
  }

  private static AnalyzerBenchRun.Timing timeRow(
      PrintWriter out, AnalyzerBenchRun run, long count, Row r, AnalyzerBenchRun.Timing bare)
      throws Exception {
    AnalyzerBenchRun.Timing t = run.analyzer(count, r.instances(), r.threads());
    out.printf(
        Locale.ROOT,
        ROW,
        r.label(),
        krps(t),
        t.perSecond() / bare.perSecond(),
        String.format(
            Locale.ROOT,
            "   (%,d alerts, %,d migration records)",
            t.alerts(),
            t.migrationRecords()));
    out.printf(Locale.ROOT, "%-56s %s%n", "", t.threads());
    out.flush();
    return t;
  }

  /** One analyzer setup timed: instances in one application, stream threads each. */
  record Row(int instances, int threads) {
    String label() {
      return String.format(
          Locale.ROOT,
          "migaudit analyzer, exactly once, %d instance%s x %d thread%s",
          instances,
          instances == 1 ? "" : "s",
          threads,
          threads == 1 ? "" : "s");
    }
  }

  private void printMedians(
      PrintWriter out, List<Row> rows, List<List<Double>> rates, List<List<Double>> ratios) {
    out.printf(
        Locale.ROOT,
        "median of %d rounds (vs bare: the median of each round's ratio)%n",
        this.rounds);
    out.printf(
        Locale.ROOT,
        ROW,
        "bare KafkaConsumer (byte[], no work)",
        String.format(Locale.ROOT, "%.0f k", median(rates.get(0)) / 1e3),
        1.0,
        "");
    for (int i = 0; i < rows.size(); i++) {
      out.printf(
          Locale.ROOT,
          ROW,
          rows.get(i).label(),
          String.format(Locale.ROOT, "%.0f k", median(rates.get(i + 1)) / 1e3),
          median(ratios.get(i + 1)),
          "");
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String krps(AnalyzerBenchRun.Timing t) {
    return String.format(Locale.ROOT, "%.0f k", t.perSecond() / 1e3);
  }
}
