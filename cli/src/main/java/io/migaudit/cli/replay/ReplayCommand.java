package io.migaudit.cli.replay;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.analyzer.alert.RecordSink;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.agent.AgentSettings;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.cli.common.KafkaConfigOption;
import io.migaudit.cli.common.MetricsServer;
import io.migaudit.cli.common.UserError;
import io.migaudit.cli.common.Verbosity;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code migaudit replay}: capture files through agent, Kafka and analyzer, then a summary. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole pipeline on capture files: the capture agent turns packets into flow records on",
      "Kafka topic " + Topics.FLOWS + ", the analyzer judges them against the policy and publishes",
      "alerts to " + Topics.ALERTS + ". Without --bootstrap-servers an embedded single-node Kafka",
      "broker (KRaft) is started for the run and removed after it.",
      "",
      "Reads pcap and pcapng, gzip-compressed or not; directories are searched for *.pcap, *.pcapng,",
      "*.cap (and .gz) and for files of other names that start as a capture (tcpdump -C's dump1,",
      "dump2, ...). Prints flows, migration flows and events by protocol and verdict, alerts by",
      "rule, then the findings: one line per migration event (hosts, protocol, streams, bytes, verdict,",
      "the rules it broke with counts); per-flow alerts with --verbose or in --alerts FILE. On a",
      "terminal, progress goes to stderr. Exit 0 when the run completed (alerts or not), 2 on bad",
      "input, 1 on failure."
    },
    footer = {
      "",
      "Example:",
      "  ./migaudit replay samples/",
      "  ./migaudit replay --policy my-policy.yaml --alerts alerts.jsonl capture.pcapng"
    })
public final class ReplayCommand implements Callable<Integer>, Verbosity {

  @Parameters(
      arity = "1..*",
      paramLabel = "PCAP_OR_DIR",
      description = "Capture files or directories.")
  List<Path> inputs;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description = "Policy YAML. Default: policy.yaml in the first directory given that has one.")
  Path policyFile;

  @Mixin ReplayOutputs outputFiles = new ReplayOutputs();

  @Option(
      names = "--serve-metrics",
      paramLabel = "HOST:PORT",
      description =
          "Serve /metrics and /healthz here during the run and after it, until Ctrl-C or --linger"
              + " ends, so Prometheus and the dashboards can read the run (e.g. 127.0.0.1:9464). The replay"
              + " waits (up to 60 s) for a first scrape before reading packets, so rates and increases show.")
  String serveMetrics;

  @Option(
      names = "--linger",
      paramLabel = "SECONDS",
      defaultValue = "-1",
      description =
          "With --serve-metrics: stop serving after this many seconds (default: until Ctrl-C).")
  long lingerSeconds;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description =
          "Use this Kafka cluster instead of an embedded broker. Topics "
              + Topics.FLOWS
              + ", "
              + Topics.ALERTS
              + " and "
              + Topics.MIGRATIONS
              + " must exist (or the cluster must create them).")
  String bootstrapServers;

  @Mixin KafkaConfigOption kafkaConfig = new KafkaConfigOption();

  @Option(
      names = "--agent-id",
      paramLabel = "ID",
      defaultValue = "replay",
      description = "Agent id written into flow records (default: ${DEFAULT-VALUE}).")
  String agentId;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description =
          "Longest the analyzer may take to catch up with the agent (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = {
        "Capture workers taking turns reading each file, every flow on one of N flow tables",
        "(default: cores - 1, at least 1); a flow goes to the least loaded worker when it starts,",
        "so a migration's streams spread out; the records are those of one worker."
      })
  Integer workers;

  @Option(
      names = "--verbose",
      description =
          "List every per-flow alert after the findings, and print stack" + " traces of errors.")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public boolean verbose() {
    return verbose;
  }

  private static final Duration BASELINE_SCRAPE_WAIT = Duration.ofSeconds(60);
  private MetricsServer metricsServer;

  private int workers() throws UserError {
    if (workers == null) {
      return CaptureWorkers.defaultWorkers();
    }
    if (workers < 1 || workers > AgentSettings.MAX_WORKERS) {
      throw new UserError("--workers: " + workers + " is not 1 to " + AgentSettings.MAX_WORKERS);
    }
    return workers;
  }

  @Override
  public Integer call() throws Exception {
    List<Path> files = CaptureFiles.expand(inputs);
    CaptureFiles.requireReadable(files);
    Policy policy = loadPolicy();
    Map<String, String> clientSettings = kafkaConfig.load();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ReplaySummary summary = new ReplaySummary();
    List<FlowObserver> observers = new ArrayList<>(List.of(summary));
    List<RecordSink<Alert>> sinks = new ArrayList<>();
    try (Outputs outputs = new Outputs()) {
      if (serveMetrics != null) {
        metricsServer = outputs.add(MetricsServer.start(serveMetrics, registry, () -> true));
      }
      List<RecordSink<MigrationEvent>> eventSinks = new ArrayList<>();
      outputFiles.open(outputs::add, sinks, eventSinks, observers);
      Replay.AgentResult result;
      ReplayProgress progress =
          outputs.add(ReplayProgress.onTerminal(spec.commandLine().getErr(), totalSize(files)));
      Replay.Run run =
          servers ->
              new Replay(servers, clientSettings, policy, registry, agentId)
                  .withProgress(progress)
                  .workers(workers())
                  .run(
                      files,
                      sinks,
                      eventSinks,
                      new FanOutObserver(observers),
                      Duration.ofSeconds(timeoutSeconds),
                      this::awaitBaselineScrape);
      if (bootstrapServers == null) {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
          broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), 3);
          result = run.on(broker.bootstrapServers());
        }
      } else {
        result = run.on(bootstrapServers);
      }
      progress.close();
      summary.print(
          spec.commandLine().getOut(),
          files.size(),
          result.counters(),
          result.truncations(),
          verbose);
      spec.commandLine().getOut().flush();
      outputFiles.writeMetrics(registry::scrape);
      if (serveMetrics != null) {
        lingerServingMetrics();
      }
    }
    return 0;
  }

  /**
   * With --serve-metrics, gives Prometheus one scrape of the run's meters at zero before any packet
   * is read: a replay takes seconds, and a counter first scraped at its final value shows no
   * increase on the dashboards.
   */
  private void awaitBaselineScrape() throws InterruptedException {
    if (metricsServer == null) {
      return;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "migaudit: waiting up to "
            + BASELINE_SCRAPE_WAIT.toSeconds()
            + " s for a scrape of "
            + serveMetrics
            + "/metrics, so the dashboards see the run's counters rise");
    err.flush();
    if (!metricsServer.awaitNextScrape(BASELINE_SCRAPE_WAIT)) {
      err.println("migaudit: no scrape yet; replaying anyway");
      err.flush();
    }
  }

  private void lingerServingMetrics() throws InterruptedException {
    spec.commandLine()
        .getErr()
        .println(
            "migaudit: serving metrics on "
                + serveMetrics
                + (lingerSeconds < 0 ? " until Ctrl-C" : " for " + lingerSeconds + " s"));
    spec.commandLine().getErr().flush();
    if (lingerSeconds < 0) {
      new CountDownLatch(1).await();
    } else {
      TimeUnit.SECONDS.sleep(lingerSeconds);
    }
  }

  private static long totalSize(List<Path> files) throws IOException {
    long n = 0;
    for (Path f : files) {
      n += Files.size(f);
    }
    return n;
  }

  private Policy loadPolicy() throws UserError {
    Path file = policyFile;
    if (file == null) {
      file =
          inputs.stream()
              .filter(Files::isDirectory)
              .map(d -> d.resolve("policy.yaml"))
              .filter(Files::isRegularFile)
              .findFirst()
              .orElseThrow(
                  () ->
                      new UserError(
                          "no policy: pass --policy FILE (no policy.yaml in the directories given)"));
    }
    try {
      return PolicyLoader.load(file);
    } catch (PolicyException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  /** Output files opened for a run, closed together. */
  private static final class Outputs implements AutoCloseable {
    private final List<AutoCloseable> open = new ArrayList<>();

    <T extends AutoCloseable> T add(T c) {
      open.add(c);
      return c;
    }

    @Override
    public void close() throws Exception {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }
}
