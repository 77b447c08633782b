package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.FlowRecordSerializer;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.policy.PolicyReloader;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.analyzer.stream.AnalyzerTopology;
import io.migaudit.analyzer.stream.Progress;
import io.migaudit.analyzer.stream.StreamsSettings;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RuleId;
import io.migaudit.record.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every metric a dashboard or alert rule reads exists. The metric names come from a real in-process
 * run over {@code samples/} without a broker: the capture agent publishes to a {@link
 * MockProducer}, the analyzer's topology reads those records on Kafka Streams' {@link
 * TopologyTestDriver}, both on the meters the commands use, plus Micrometer's {@link
 * KafkaClientMetrics} bound to a real Kafka consumer and producer that are never connected. {@code
 * PrometheusIT} runs the same expressions on a real Prometheus.
 */
class DashboardQueriesTest {
  private static final Pattern SAMPLE_LINE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s");
  private static final Pattern LABEL_NAME = Pattern.compile("([a-zA-Z_]\\w*)=\"");

  /** Labels Prometheus adds to every scraped series, and histogram buckets' label. */
  private static final Set<String> PROMETHEUS_LABELS = Set.of("instance", "job", "le");

  /** Series Prometheus makes itself for every target. */
  private static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  private static final Set<String> exportedNames = new TreeSet<>();
  private static final Set<String> exportedLabels = new TreeSet<>(PROMETHEUS_LABELS);

  @BeforeAll
  static void runSamplesWithoutBroker() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Policy policy = PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml"));
    List<ProducerRecord<byte[], FlowRecord>> published = runAgent(registry, policy);
    runAnalyzer(registry, policy, published);
    for (String line : scrapeWithRealKafkaClients(registry).lines().toList()) {
      Matcher m = SAMPLE_LINE.matcher(line);
      if (m.find()) {
        exportedNames.add(m.group(1));
        if (m.group(3) != null) {
          Matcher l = LABEL_NAME.matcher(m.group(3));
          while (l.find()) {
            exportedLabels.add(l.group(1));
          }
        }
      }
    }
    assertThat(published).as("flow records published by the agent").isNotEmpty();
  }

  private static List<ProducerRecord<byte[], FlowRecord>> runAgent(
      PrometheusMeterRegistry registry, Policy policy) throws Exception {
    PipelineCounters counters = new PipelineCounters();
    AgentMetrics metrics = new AgentMetrics(registry);
    metrics.bind("pcap", counters);
    MockProducer<byte[], FlowRecord> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new FlowRecordSerializer());
    try (FlowPublisher publisher = new FlowPublisher(producer)) {
      metrics.bind(publisher);
      new FileAgent(AgentConfig.defaults("test").withCatalog(policy.catalog()), publisher, counters)
          .read(CaptureFiles.expand(List.of(SampleExpectation.SAMPLES)));
      publisher.flush();
      return new ArrayList<>(producer.history());
    }
  }

  private static void runAnalyzer(
      PrometheusMeterRegistry registry,
      Policy policy,
      List<ProducerRecord<byte[], FlowRecord>> published)
      throws Exception {
    RuleEngine engine = new RuleEngine(policy);
    AnalyzerMetrics metrics = new AnalyzerMetrics(registry, engine.protocols());
    Path policyFile = SampleExpectation.SAMPLES.resolve("policy.yaml");
    Path state = Files.createTempDirectory("dashboard-queries-state");
    AnalyzerConfig config =
        AnalyzerConfig.defaults(new KafkaSettings("127.0.0.1:1", Map.of()), "dashboards", state);
    // as `migaudit analyzer` does: its reloader exports the policy reload series from the start
    try (PolicyReloader reloader =
            new PolicyReloader(
                policyFile,
                PolicyLoader.loadDigested(policyFile),
                p -> {},
                metrics,
                Clock.systemUTC());
        TopologyTestDriver driver =
            new TopologyTestDriver(
                AnalyzerTopology.build(
                    config, () -> engine, metrics, FlowObserver.NONE, new Progress(), true),
                StreamsSettings.of(config))) {
      TestInputTopic<byte[], byte[]> flows =
          driver.createInputTopic(
              Topics.FLOWS, new ByteArraySerializer(), new ByteArraySerializer());
      for (ProducerRecord<byte[], FlowRecord> r : published) {
        flows.pipeInput(r.key(), RecordJson.toBytes(r.value()));
      }
    }
  }

  /**
   * The scrape with the Kafka clients' own metrics bound as the commands bind them; those exist
   * from a client's construction, and nothing connects (port 1 is closed).
   */
  private static String scrapeWithRealKafkaClients(PrometheusMeterRegistry registry) {
    KafkaSettings kafka = new KafkaSettings("127.0.0.1:1", Map.of());
    Map<String, Object> consumerProps = kafka.consumerProperties();
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "dashboard-queries-test");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
        KafkaClientMetrics consumerMeters = bound(new KafkaClientMetrics(consumer), registry);
        KafkaClientMetrics producerMeters = bound(new KafkaClientMetrics(producer), registry)) {
      String scrape = registry.scrape();
      producer.close(Duration.ZERO);
      return scrape;
    }
  }

  private static Stream<DashboardExpressions.Expression> allExpressions() throws Exception {
    return Stream.concat(
        DashboardExpressions.dashboardExpressions().stream(),
        DashboardExpressions.ruleExpressions().stream());
  }

  @TestFactory
  Stream<DynamicTest> everyMetricAnExpressionReadsIsExported() throws Exception {
    return allExpressions()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.source(),
                    () -> {
                      Set<String> names = DashboardExpressions.metricNames(e.promql());
                      assertThat(names).as("metric names in %s", e.promql()).isNotEmpty();
                      Set<String> missing = new TreeSet<>(names);
                      missing.removeAll(exportedNames);
                      missing.removeAll(PROMETHEUS_SERIES);
                      assertThat(missing)
                          .as(
                              "metrics read by %s but not exported (%d names exported)",
                              e.promql(), exportedNames.size())
                          .isEmpty();
                    }));
  }

  @TestFactory
  Stream<DynamicTest> everyLabelAnExpressionGroupsByIsExportedAndBounded() throws Exception {
    return allExpressions()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.source(),
                    () -> {
                      Set<String> labels = DashboardExpressions.groupingLabels(e.promql());
                      assertThat(exportedLabels)
                          .as("labels grouped by in %s", e.promql())
                          .containsAll(labels);
                      assertThat(labels)
                          .doesNotContainAnyElementsOf(DashboardExpressions.UNBOUNDED_LABELS);
                    }));
  }

  @Test
  void exportedLabelsAreBounded() {
    assertThat(exportedLabels).doesNotContainAnyElementsOf(DashboardExpressions.UNBOUNDED_LABELS);
  }

  @Test
  void metricNameExtractionSeesMetricsNotFunctionsOrLabels() {
    assertThat(
            DashboardExpressions.metricNames(
                "histogram_quantile(0.95, sum by (le, rule) (rate(a_bucket{rule=~\"X|Y\", instance=~\".*\"}[1m])))"
                    + " / on (rule) group_left () b_total and up offset 5m > 0.5"))
        .containsExactlyInAnyOrder("a_bucket", "b_total", "up");
    assertThat(
            DashboardExpressions.groupingLabels(
                "sum by (instance, interface) (x) / ignoring (reason) y"))
        .containsExactlyInAnyOrder("instance", "interface", "reason");
  }

  @Test
  void alertSignalIsTheSideComparedWithTheThreshold() {
    assertThat(DashboardExpressions.signal("sum by (a) (increase(x{r=\"b\"}[5m])) > 0"))
        .isEqualTo("sum by (a) (increase(x{r=\"b\"}[5m]))");
    assertThat(DashboardExpressions.signal("up{job=~\"m.*\"} == 0")).isEqualTo("up{job=~\"m.*\"}");
    assertThat(DashboardExpressions.signal("a / b > 0.01")).isEqualTo("a / b");
    assertThat(DashboardExpressions.signal("a > b")).isEqualTo("a > b");
  }

  @Test
  void grafanaVariablesAreSubstituted() {
    assertThat(
            DashboardExpressions.substitute(
                "rate(x{instance=~\"$instance\", p=~\"${protocol}\"}[$__rate_interval]) + increase(y[$__range])"))
        .isEqualTo("rate(x{instance=~\".*\", p=~\".*\"}[1m]) + increase(y[15m])");
    assertThat(
            DashboardExpressions.variableQuery(
                "label_values(m{instance=~\"$instance\"}, protocol)"))
        .isEqualTo("count by (protocol) (m{instance=~\".*\"})");
  }

  @Test
  void dashboardsHaveStableUidsAndADatasourceVariableAndNoExportedInstanceIds() throws Exception {
    Set<String> uids = new HashSet<>();
    for (Path file : DashboardExpressions.dashboardFiles()) {
      JsonNode board = DashboardExpressions.readDashboard(file);
      String name = file.getFileName().toString();
      assertThat(board.path("uid").asText()).as(name + " uid").matches("migaudit-[a-z-]+");
      assertThat(uids.add(board.path("uid").asText())).as(name + " uid is unique").isTrue();
      assertThat(board.has("__inputs") || board.has("__requires"))
          .as(name + " is not a raw export")
          .isFalse();
      assertThat(board.path("id").isNull() || board.path("id").isMissingNode())
          .as(name + " has no instance id")
          .isTrue();
      List<String> variables = new ArrayList<>();
      for (JsonNode v : board.path("templating").path("list")) {
        variables.add(v.path("name").asText());
        if (v.path("type").asText().equals("query")) {
          assertThat(v.path("datasource").path("uid").asText())
              .as(name + " $" + v.path("name").asText())
              .isEqualTo("${datasource}");
          assertThat(v.path("allValue").asText())
              .as("All of $" + v.path("name").asText())
              .isEqualTo(".*");
        }
      }
      assertThat(variables).as(name + " variables").contains("datasource", "instance");
      for (JsonNode panel : DashboardExpressions.panels(board)) {
        if (panel.path("type").asText().equals("row")
            || panel.path("type").asText().equals("text")) {
          continue;
        }
        String where = name + " panel \"" + panel.path("title").asText() + "\"";
        assertThat(panel.path("description").asText()).as(where + " description").isNotBlank();
        assertThat(panel.path("datasource").path("uid").asText())
            .as(where)
            .isEqualTo("${datasource}");
        assertThat(panel.path("targets")).as(where + " targets").isNotEmpty();
        for (JsonNode t : panel.path("targets")) {
          assertThat(t.path("datasource").path("uid").asText())
              .as(where)
              .isEqualTo("${datasource}");
          String expr = t.path("expr").asText();
          assertThat(expr)
              .as(where + ": counters read through rate/increase over Grafana's intervals only")
              .doesNotContainPattern("\\[[0-9]+[smhd]]");
          // a counter over time is read as a rate; only an instant table may show its total since
          // start
          if ((expr.contains("_total") || expr.contains("_bucket"))
              && !t.path("instant").asBoolean()) {
            assertThat(expr).as(where).containsPattern("(rate|increase)\\(");
          }
        }
      }
    }
    assertThat(uids)
        .containsExactlyInAnyOrder("migaudit-migration-security", "migaudit-agent-health");
  }

  /** Every migaudit rule's findings page someone: its name appears in an alert expression. */
  @Test
  void everyMigauditRuleHasAPrometheusAlert() throws Exception {
    String exprs =
        DashboardExpressions.rules().stream()
            .map(DashboardExpressions.AlertRule::expr)
            .reduce("", String::concat);
    for (RuleId rule : RuleId.values()) {
      assertThat(exprs).as("an alert in migaudit-rules.yml for rule " + rule).contains(rule.name());
    }
  }

  @Test
  void everyRuleHasASeverityAndAnAnnotatedSummary() throws Exception {
    JsonNode doc = new YAMLMapper().readTree(DashboardExpressions.RULES.toFile());
    int rules = 0;
    for (JsonNode group : doc.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        rules++;
        String alert = rule.path("alert").asText();
        assertThat(alert).startsWith("Migaudit");
        boolean severityFromSeries = rule.path("expr").asText().contains("severity");
        assertThat(severityFromSeries || rule.path("labels").has("severity"))
            .as(alert + " severity")
            .isTrue();
        assertThat(rule.path("annotations").path("summary").asText())
            .as(alert + " summary")
            .isNotBlank();
        assertThat(rule.path("annotations").path("description").asText())
            .as(alert + " description")
            .isNotBlank();
      }
    }
    assertThat(rules).isEqualTo(DashboardExpressions.rules().size()).isPositive();
  }

  private static KafkaClientMetrics bound(
      KafkaClientMetrics clientMetrics, MeterRegistry registry) {
    clientMetrics.bindTo(registry);
    return clientMetrics;
  }
}
