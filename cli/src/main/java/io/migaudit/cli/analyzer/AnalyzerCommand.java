package io.migaudit.cli.analyzer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.AnalyzerService;
import io.migaudit.analyzer.DeploymentException;
import io.migaudit.analyzer.alert.AlertFormat;
import io.migaudit.analyzer.alert.RecordSink;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.consume.RecordKeys;
import io.migaudit.analyzer.policy.DigestedPolicy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.cli.common.AlertFormatConverter;
import io.migaudit.cli.common.KafkaClientConfig;
import io.migaudit.cli.common.KafkaConfigOption;
import io.migaudit.cli.common.MetricsServer;
import io.migaudit.cli.common.ShutdownHook;
import io.migaudit.cli.common.UserError;
import io.migaudit.cli.common.VerboseOption;
import io.migaudit.record.Alert;
import io.migaudit.record.RecordKey;
import io.migaudit.record.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code migaudit analyzer}: the long-running consumer that judges flow records and raises alerts.
 */
@Command(
    name = "analyzer",
    mixinStandardHelpOptions = true,
    description = {
      "Judges flow records from "
          + Topics.FLOWS
          + " as a Kafka Streams application (exactly once: input",
      "offsets, alerts, events and state commit together), applies the policy, publishes alerts to",
      Topics.ALERTS + " (and, once committed, JSON lines with --alerts) and migration events to",
      Topics.MIGRATIONS
          + " (when that topic exists), and serves Prometheus metrics on /metrics and a",
      "health check on /healthz. Runs until SIGTERM or Ctrl-C. Start more instances with the same",
      "--group-id to share the topic's partitions. Settings come from --config FILE (YAML), then from",
      "the flags given. SIGHUP (systemctl reload) re-reads the policy, and so does a change of its file",
      "unless --no-policy-reload: a valid policy takes over between two batches, a broken one is",
      "logged and counted and the policy in force stays."
    },
    footer = {
      "",
      "Examples:",
      "  ./migaudit analyzer --bootstrap-servers kafka1:9092 --policy /etc/migaudit/policy.yaml",
      "  ./migaudit analyzer --config /etc/migaudit/analyzer.yaml --group-id migaudit-analyzer-eu"
    })
public final class AnalyzerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyzerCommand.class);

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = {
        "Analyzer settings in YAML (keys: policy, bootstrapServers, kafkaConfig, groupId, alerts,",
        "metricsAddress, policyReload, recordKeys, recordKey); flags given here override the file's values."
      })
  Path config;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description = "Policy YAML (required here or as policy in --config).")
  Path policyFile;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description = {
        "Kafka cluster to read flow records from and write alerts to (required here, as",
        "bootstrapServers in --config, or as bootstrap.servers in --kafka-config)."
      })
  String bootstrapServers;

  @Mixin KafkaConfigOption kafkaConfig = new KafkaConfigOption();

  @Option(
      names = "--group-id",
      paramLabel = "ID",
      description = "Consumer group (default: " + KafkaSettings.DEFAULT_GROUP_ID + ").")
  String groupId;

  @Option(
      names = "--alerts",
      paramLabel = "FILE",
      description = "Also append alerts as JSON lines to FILE.")
  Path alertsFile;

  @Option(
      names = "--alerts-format",
      paramLabel = "migaudit|ocsf",
      defaultValue = "migaudit",
      converter = AlertFormatConverter.class,
      description = AlertFormatConverter.DESCRIPTION)
  AlertFormat alertsFormat = AlertFormat.MIGAUDIT;

  @Option(
      names = "--metrics-address",
      paramLabel = "HOST:PORT",
      description =
          "Where /metrics and /healthz listen (default: "
              + AnalyzerSettings.DEFAULT_METRICS_ADDRESS
              + "; loopback only).")
  String metricsAddress;

  @Option(
      names = "--policy-reload",
      negatable = true,
      description = {
        "Re-read the policy when its file changes (default: on; --no-policy-reload). SIGHUP",
        "re-reads it either way."
      })
  Boolean policyReload;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = {
        "Local state of Kafka Streams (locks, checkpoints), made private to this user (default:",
        "$XDG_STATE_HOME or ~/.local/state, then migaudit/analyzer/GROUP). The state itself lives in Kafka."
      })
  Path stateDir;

  @Option(
      names = "--standby-replicas",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Warm copies of each partition's state on other instances, for fast failover (default: 0).")
  int standbyReplicas;

  @Option(
      names = "--stream-threads",
      paramLabel = "N",
      defaultValue = "0",
      description = {
        "Kafka Streams threads of this instance, each with its own rule engine: one waits on Kafka",
        "(fetches, transaction commits) while another judges (default: 0, one per core)."
      })
  int streamThreads;

  @Option(
      names = "--flows-partitions",
      paramLabel = "N",
      defaultValue = "0",
      description = {
        "Partition count of " + Topics.FLOWS + " the deployment was made with; the analyzer",
        "refuses to start when the topic has another (default: 0, the count its state was built for)."
      })
  int flowsPartitions;

  @Option(
      names = "--judge-grace",
      paramLabel = "SECONDS",
      description = {
        "How long a Hyper-V migration waits for Kerberos evidence before CREDSSP_MIGRATION is",
        "judged, and a TCP connection that carried nothing waits for a QEMU migration to the same",
        "listener before SHARED_MIGRATION_SEGMENT is (default: 30)."
      })
  Long judgeGraceSeconds;

  @Option(
      names = "--record-keys",
      paramLabel = "DIR",
      description = {
        "Judge only values on " + Topics.FLOWS + " signed with their agent's record key: DIR holds",
        "one AGENT_ID.key file per agent (base64, at least 32 bytes, mode 600; agent --record-key).",
        "Others are counted as unsigned or bad-signature and skipped (recordKeys in --config).",
        "Default: every value is judged."
      })
  Path recordKeys;

  @Option(
      names = "--record-key",
      paramLabel = "FILE",
      description = {
        "Sign every alert and migration event this analyzer writes with its own record key",
        "(HMAC-SHA256 in the header "
            + RecordKey.HEADER
            + "), so that report --analyzer-key tells them",
        "from ones forged onto their topics (recordKey in --config). Default: unsigned."
      })
  Path recordKey;

  @Mixin VerboseOption verbose = new VerboseOption();

  /** Command-line flag of each settings key, for complaints about flag values. */
  private static final Map<String, String> FLAGS =
      Map.of(
          "policy",
          "--policy",
          "bootstrapServers",
          "--bootstrap-servers",
          "groupId",
          "--group-id",
          "metricsAddress",
          "--metrics-address");

  /** Defaults, then the --config file, then the flags given. */
  AnalyzerSettings settings() throws UserError {
    AnalyzerSettings s = AnalyzerSettings.defaults();
    if (config != null) {
      s = s.with(AnalyzerSettingsLoader.load(config));
    }
    s =
        s.with(
            new AnalyzerSettings.Overrides(
                policyFile,
                bootstrapServers,
                kafkaConfig.file(),
                groupId,
                alertsFile,
                metricsAddress,
                policyReload,
                recordKeys,
                recordKey));
    var problem = s.problem();
    if (problem.isPresent()) {
      String key = problem.get().key();
      throw new UserError(FLAGS.getOrDefault(key, key) + ": " + problem.get().message());
    }
    if (s.policy() == null) {
      throw new UserError("give --policy (or policy in --config)");
    }
    return s;
  }

  @Override
  public Integer call() throws Exception {
    AnalyzerSettings settings = settings();
    DigestedPolicy loaded;
    try {
      loaded = PolicyLoader.loadDigested(settings.policy());
    } catch (PolicyException e) {
      throw new UserError(e.getMessage(), e);
    }
    Map<String, String> clientSettings = KafkaClientConfig.load(settings.kafkaConfig());
    if (settings.bootstrapServers() == null
        && !clientSettings.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new UserError(
          "give --bootstrap-servers (or bootstrapServers in --config, or "
              + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG
              + " in --kafka-config)");
    }
    KafkaSettings kafka;
    try {
      kafka = new KafkaSettings(settings.bootstrapServers(), clientSettings);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), e);
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<RecordSink<Alert>> sinks = new ArrayList<>();
    if (settings.alerts() != null) {
      sinks.add(alertsFormat.append(settings.alerts()));
    }
    AnalyzerConfig config = withKeys(analyzerConfig(kafka, settings.groupId()), settings);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    ShutdownHook.install(
        "migaudit-shutdown",
        () -> {
          stop.countDown();
          awaitQuietly(stopped);
        });
    try (AnalyzerService analyzer =
            new AnalyzerService(config, settings.policy(), loaded, sinks, registry);
        MetricsServer ignored =
            MetricsServer.start(settings.metricsAddress(), registry, analyzer::alive)) {
      ReloadSignal.install(analyzer.reloader());
      try {
        analyzer.start(settings.policyReload());
      } catch (DeploymentException e) {
        throw new UserError(e.getMessage(), e);
      }
      LOG.warn(
          "analyzer judging {} as group {} (Kafka Streams, exactly once, state in {}) with policy {} ({},"
              + " encryption {}; reload on SIGHUP{})",
          Topics.FLOWS,
          settings.groupId(),
          config.stateDir(),
          settings.policy(),
          loaded.shortDigest(),
          loaded.policy().encryption(),
          settings.policyReload() ? " and file change" : " only");
      if (config.recordKeys() != null) {
        LOG.warn(
            "judging only values signed with the record keys of {} agent(s): {}",
            config.recordKeys().agents().size(),
            String.join(", ", config.recordKeys().agents()));
      }
      while (!stop.await(1, TimeUnit.SECONDS)) {
        if (!analyzer.alive()) {
          throw new UserError("the analyzer stopped (" + analyzer.state() + "); see the log above");
        }
      }
    } finally {
      // even when a sink fails to close: the shutdown hook waits for this, and so does JVM exit
      stopped.countDown();
    }
    return 0;
  }

  /**
   * The analyzer's settings: the group, its state directory, standbys, stream threads and the
   * expected partitions.
   */
  AnalyzerConfig analyzerConfig(KafkaSettings kafka, String group) throws UserError {
    AnalyzerConfig c =
        AnalyzerConfig.defaults(
            kafka,
            group,
            stateDir != null ? stateDir : AnalyzerConfig.defaultStateDir().resolve(group));
    c =
        c.withStandbyReplicas(standbyReplicas)
            .withExpectedPartitions(flowsPartitions)
            .withStreamThreads(streamThreads(streamThreads));
    return judgeGraceSeconds == null ? c : c.withJudgeGrace(Duration.ofSeconds(judgeGraceSeconds));
  }

  /**
   * {@code c} with the agents' record keys and this analyzer's own key, where settings give them.
   */
  private static AnalyzerConfig withKeys(AnalyzerConfig c, AnalyzerSettings settings)
      throws UserError {
    try {
      if (settings.recordKeys() != null) {
        c = c.withRecordKeys(RecordKeys.load(settings.recordKeys()));
      }
    } catch (IOException e) {
      throw new UserError("record keys: " + e.getMessage(), e);
    }
    try {
      return settings.recordKey() == null
          ? c
          : c.withRecordKey(RecordKey.read(settings.recordKey()));
    } catch (IOException e) {
      throw new UserError("record key: " + e.getMessage(), e);
    }
  }

  /** {@code option}, or one thread per core when it is 0. */
  public static int streamThreads(int option) throws UserError {
    if (option < 0) {
      throw new UserError("--stream-threads must be 0 (one per core) or more");
    }
    return option > 0 ? option : Runtime.getRuntime().availableProcessors();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
