package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.Eventually;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The dashboards and alert rules against a real Prometheus (Debian's package) scraping the real
 * commands fed by {@code samples/}: an embedded Kafka broker, {@code migaudit analyzer} as a
 * service (its /metrics on a free loopback port), and {@code migaudit replay --bootstrap-servers
 * ... --serve-metrics} as the agent that publishes the samples' flow records (its /metrics, the
 * agent's meters, stay up after the run). Prometheus scrapes both every second and evaluates the
 * rules every second. Then every dashboard expression, with Grafana's variables substituted, must
 * return data over the run as Grafana would ask for it (a range query), every rule must evaluate
 * without error and its signal (the side compared with the threshold) must return data, and the
 * alerts the samples deserve must be active.
 *
 * <p>Skipped without the prometheus binary locally, failed without it when {@code CI=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration PIPELINE = Duration.ofSeconds(120);
  private static final String AGENT_JOB = "migaudit-agent";
  private static final String ANALYZER_JOB = "migaudit-analyzer";

  /**
   * The Prometheus alert each migaudit rule's findings raise
   * (dashboards/prometheus/migaudit-rules.yml).
   */
  private static final Map<String, String> ALERT_OF_RULE =
      Map.ofEntries(
          Map.entry("UNENCRYPTED_MIGRATION", "MigauditUnencryptedMigration"),
          Map.entry("UNENCRYPTED_NFC", "MigauditUnencryptedMigration"),
          Map.entry("UNTRUSTED_SOURCE", "MigauditUntrustedHost"),
          Map.entry("UNTRUSTED_DESTINATION", "MigauditUntrustedHost"),
          Map.entry("CROSS_ZONE_MIGRATION", "MigauditCrossZoneMigration"),
          Map.entry("CREDSSP_MIGRATION", "MigauditCredsspMigration"),
          Map.entry("NON_DEDICATED_SEGMENT", "MigauditMigrationSegment"),
          Map.entry("SHARED_MIGRATION_SEGMENT", "MigauditMigrationSegment"),
          Map.entry("WEAK_MIGRATION_CRYPTO", "MigauditWeakMigrationCrypto"),
          Map.entry("ROUTED_MIGRATION", "MigauditRoutedMigration"));

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Path dir;
  private EmbeddedBroker broker;
  private Process prometheus;
  private String prometheusUrl;
  private Command analyzer;
  private Command replay;
  private Instant runStart;

  /** A migaudit command running in this JVM on a thread of its own. */
  private static final class Command {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final Thread thread;

    Command(String name, String... args) {
      CommandLine cl = MigauditCommand.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      thread = new Thread(() -> cl.execute(args), "prometheus-it-" + name);
      thread.setDaemon(true);
      thread.start();
    }

    /**
     * Interrupts the command (a poll or the replay's linger) and waits for it to close its outputs.
     */
    void stop() throws InterruptedException {
      thread.interrupt();
      thread.join(TimeUnit.SECONDS.toMillis(30));
      if (thread.isAlive()) {
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement e : thread.getStackTrace()) {
          stack.append("\n  at ").append(e);
        }
        fail(
            thread.getName()
                + " did not stop within 30 s of an interrupt:"
                + stack
                + "\nstderr: "
                + err);
      }
    }
  }

  @BeforeAll
  void startPipelineAndPrometheus(@TempDir Path tmp) throws Exception {
    Path binary = PrometheusBinaries.require("prometheus");
    dir = tmp;
    broker = EmbeddedBroker.start();
    broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS), 3);
    int analyzerPort = freePort();
    int agentPort = freePort();
    startPrometheus(binary, analyzerPort, agentPort);

    analyzer =
        new Command(
            "analyzer",
            "analyzer",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--policy",
            SampleExpectation.SAMPLES.resolve("policy.yaml").toString(),
            "--metrics-address",
            "127.0.0.1:" + analyzerPort,
            "--group-id",
            "prometheus-it",
            "--alerts",
            dir.resolve("analyzer-alerts.jsonl").toString());
    // Prometheus sees an increase only of a series it scraped before: wait for the analyzer's zeros
    await(
        "Prometheus to scrape the analyzer's alert counters at zero",
        STARTUP,
        () ->
            series(
                        "migaudit_alerts_total{job=\""
                            + ANALYZER_JOB
                            + "\",rule=\"UNENCRYPTED_MIGRATION\",severity=\"critical\"} == 0")
                    .isEmpty()
                ? Optional.empty()
                : Optional.of(true));

    runStart = Instant.now().minusSeconds(5);
    replay =
        new Command(
            "replay",
            "replay",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--serve-metrics",
            "127.0.0.1:" + agentPort,
            "--linger",
            "600",
            "--timeout",
            "90",
            SampleExpectation.SAMPLES.toString());
    try {
      await(
          "the replay to finish and linger",
          PIPELINE,
          () -> {
            assertThat(replay.thread.isAlive()).as("replay still running").isTrue();
            return replay.err.toString().contains("serving metrics on")
                ? Optional.of(true)
                : Optional.empty();
          });
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "\nreplay stdout:\n" + replay.out + "\nreplay stderr:\n" + replay.err,
          e);
    }
    await(
        "the analyzer service to judge every record the agent sent, as Prometheus sees it",
        PIPELINE,
        () -> {
          double sent = sum("migaudit_agent_records_sent_total{job=\"" + AGENT_JOB + "\"}");
          double judged =
              sum("migaudit_analyzer_records_total{job=\"" + ANALYZER_JOB + "\",outcome=\"ok\"}");
          return sent > 0 && sent == judged ? Optional.of(true) : Optional.empty();
        });
    // rate() needs two samples in its window: let Prometheus scrape the final counters a few times
    long caughtUp = Instant.now().getEpochSecond();
    await(
        "Prometheus to scrape the agent's final counters for 3 s more",
        STARTUP,
        () ->
            series(
                        "timestamp(migaudit_agent_records_sent_total{job=\""
                            + AGENT_JOB
                            + "\"}) > "
                            + (caughtUp + 3))
                    .isEmpty()
                ? Optional.empty()
                : Optional.of(true));
  }

  private void startPrometheus(Path binary, int analyzerPort, int agentPort) throws Exception {
    int port = freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "  evaluation_interval: 1s",
            "rule_files:",
            "  - " + DashboardExpressions.RULES.toAbsolutePath().normalize(),
            "scrape_configs:",
            "  - job_name: " + AGENT_JOB,
            "    static_configs: [{targets: ['127.0.0.1:" + agentPort + "']}]",
            "  - job_name: " + ANALYZER_JOB,
            "    static_configs: [{targets: ['127.0.0.1:" + analyzerPort + "']}]",
            ""));
    prometheus =
        new ProcessBuilder(
                PrometheusBinaries.command(
                    binary,
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    prometheusUrl = "http://127.0.0.1:" + port;
    await(
        "Prometheus to be ready on " + prometheusUrl,
        STARTUP,
        () -> {
          assertThat(prometheus.isAlive())
              .as("prometheus exited; log:\n" + prometheusLog())
              .isTrue();
          try {
            HttpResponse<String> r =
                http.send(
                    HttpRequest.newBuilder(URI.create(prometheusUrl + "/-/ready"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(true) : Optional.empty();
          } catch (IOException e) {
            return Optional.empty();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        });
  }

  @AfterAll
  void stopEverything() throws Exception {
    try {
      if (replay != null) {
        replay.stop();
      }
      if (analyzer != null) {
        analyzer.stop();
      }
    } finally {
      try {
        if (prometheus != null) {
          prometheus.destroy();
          if (!prometheus.waitFor(15, TimeUnit.SECONDS)) {
            prometheus.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
          }
        }
      } finally {
        if (broker != null) {
          broker.close();
        }
      }
    }
  }

  @Test
  void bothTargetsAreUp() throws Exception {
    JsonNode up = query("/api/v1/query", Map.of("query", "up")).path("result");
    Set<String> upJobs = new TreeSet<>();
    for (JsonNode s : up) {
      if (s.path("value").path(1).asText().equals("1")) {
        upJobs.add(s.path("metric").path("job").asText());
      }
    }
    assertThat(upJobs).containsExactlyInAnyOrder(AGENT_JOB, ANALYZER_JOB);
  }

  @TestFactory
  Stream<DynamicTest> everyDashboardExpressionReturnsDataOverTheRun() throws IOException {
    return DashboardExpressions.dashboardExpressions().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.source(),
                    () ->
                        assertThat(rangeQuery(e.promql()))
                            .as("series returned by %s over the run", e.promql())
                            .isNotEmpty()));
  }

  @TestFactory
  Stream<DynamicTest> everyRuleEvaluatesAndItsSignalReturnsData() throws IOException {
    return DashboardExpressions.ruleExpressions().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.source(),
                    () -> {
                      query("/api/v1/query", Map.of("query", e.promql()));
                      String signal = DashboardExpressions.signal(e.promql());
                      assertThat(signal)
                          .as("the threshold of " + e.promql())
                          .isNotEqualTo(e.promql());
                      assertThat(rangeQuery(signal))
                          .as("series returned by %s over the run", signal)
                          .isNotEmpty();
                    }));
  }

  @Test
  void prometheusLoadedEveryRuleAndEvaluatesThemWithoutError() throws Exception {
    List<String> loaded = new ArrayList<>();
    await(
        "every rule to be evaluated",
        STARTUP,
        () -> {
          loaded.clear();
          boolean allEvaluated = true;
          for (JsonNode group : uncheckedQuery("/api/v1/rules", Map.of()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
              loaded.add(rule.path("name").asText());
              assertThat(rule.path("health").asText())
                  .as(rule.path("name").asText() + ": " + rule.path("lastError"))
                  .isNotEqualTo("err");
              allEvaluated &= rule.path("health").asText().equals("ok");
            }
          }
          return allEvaluated && !loaded.isEmpty() ? Optional.of(true) : Optional.empty();
        });
    assertThat(loaded)
        .containsExactlyInAnyOrderElementsOf(
            DashboardExpressions.rules().stream()
                .map(DashboardExpressions.AlertRule::alert)
                .toList());
  }

  /**
   * The rules each sample's expect.yaml lists raise their Prometheus alert; a clean run raises no
   * delivery alert.
   */
  @Test
  void theAlertsTheSamplesDeserveAreActive() throws Exception {
    Set<String> expected = new TreeSet<>();
    for (Path d : SampleExpectation.directories().toList()) {
      for (String ruleAndSeverity : SampleExpectation.read(d).alerts().keySet()) {
        String rule = ruleAndSeverity.split(" ")[0];
        assertThat(ALERT_OF_RULE).as("the Prometheus alert of rule " + rule).containsKey(rule);
        expected.add(ALERT_OF_RULE.get(rule));
      }
    }
    assertThat(expected).as("alerts the samples deserve").contains("MigauditUnencryptedMigration");
    Set<String> active = new TreeSet<>();
    await(
        "alerts " + expected + " to be active",
        STARTUP,
        () -> {
          active.clear();
          for (JsonNode a : uncheckedQuery("/api/v1/alerts", Map.of()).path("alerts")) {
            active.add(a.path("labels").path("alertname").asText());
          }
          return active.containsAll(expected) ? Optional.of(true) : Optional.empty();
        });
    assertThat(active)
        .doesNotContain(
            "MigauditFlowRecordsUndelivered",
            "MigauditKafkaProducerErrors",
            "MigauditMalformedFlowRecords");
  }

  /**
   * A replay with --serve-metrics is scraped at zero before it reads a packet, so what the
   * dashboards compute with increase() (the stat panels) is the run itself, not zero.
   */
  @Test
  void replayCountersRiseFromZeroSoTheDashboardsShowTheRun() {
    for (String counter :
        List.of(
            "migaudit_agent_packets_total",
            "migaudit_agent_records_sent_total",
            "migaudit_agent_flows_continued_total",
            "migaudit_migration_flows_total",
            "migaudit_alerts_total{rule=\"UNENCRYPTED_MIGRATION\"}")) {
      String selector =
          counter.contains("{")
              ? counter.replace("{", "{job=\"" + AGENT_JOB + "\",")
              : counter + "{job=\"" + AGENT_JOB + "\"}";
      assertThat(sum("increase(" + selector + "[10m])")).as("increase of " + selector).isPositive();
    }
  }

  @Test
  void theUnencryptedMigrationAlertCarriesTheAnalyzersSeverity() throws Exception {
    JsonNode result =
        query(
                "/api/v1/query",
                Map.of("query", "ALERTS{alertname=\"MigauditUnencryptedMigration\"}"))
            .path("result");
    assertThat(result).isNotEmpty();
    for (JsonNode s : result) {
      assertThat(s.path("metric").path("severity").asText()).isIn("critical", "warning");
    }
  }

  // ------------------------------------------------------------------------------------------ HTTP

  /** A range query over the run, one step a second; returns the series. */
  private JsonNode rangeQuery(String promql) throws Exception {
    return query(
            "/api/v1/query_range",
            Map.of(
                "query",
                promql,
                "start",
                Long.toString(runStart.getEpochSecond()),
                "end",
                Long.toString(Instant.now().getEpochSecond()),
                "step",
                "1"))
        .path("result");
  }

  private List<JsonNode> series(String promql) {
    List<JsonNode> out = new ArrayList<>();
    uncheckedQuery("/api/v1/query", Map.of("query", promql)).path("result").forEach(out::add);
    return out;
  }

  private double sum(String selector) {
    List<JsonNode> r = series("sum(" + selector + ")");
    return r.isEmpty() ? -1 : Double.parseDouble(r.get(0).path("value").path(1).asText());
  }

  private JsonNode uncheckedQuery(String path, Map<String, String> params) {
    try {
      return query(path, params);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** GETs the API, fails on any status but success, returns {@code data}. */
  private JsonNode query(String path, Map<String, String> params)
      throws IOException, InterruptedException {
    StringBuilder q = new StringBuilder();
    params.forEach(
        (k, v) ->
            q.append(q.isEmpty() ? "?" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(prometheusUrl + path + q))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      fail(path + " " + params + " -> HTTP " + r.statusCode() + ": " + r.body());
    }
    return body.path("data");
  }

  // -----------------------------------------------------------------------------------------
  // helpers

  private String prometheusLog() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Polls {@code probe} until it gives a value, failing after {@code timeout}. */
  private <T> T await(String what, Duration timeout, Supplier<Optional<T>> probe) {
    try {
      return Eventually.get(what, timeout, probe::get);
    } catch (AssertionError failed) {
      throw new AssertionError(
          failed.getMessage() + "; prometheus log tail:\n" + tail(prometheusLog()), failed);
    }
  }

  private static String tail(String log) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }
}
