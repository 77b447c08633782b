package io.migaudit.cli.agent;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.live.KafkaHeartbeats;
import io.migaudit.agent.live.LiveAgent;
import io.migaudit.agent.live.LiveAgentConfig;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.MeteredProducers;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.agent.publish.RecordHandOff;
import io.migaudit.agent.publish.Spool;
import io.migaudit.agent.publish.SpoolingPublisher;
import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.cli.common.KafkaClientConfig;
import io.migaudit.cli.common.KafkaConfigOption;
import io.migaudit.cli.common.MetricsServer;
import io.migaudit.cli.common.ShutdownHook;
import io.migaudit.cli.common.UserError;
import io.migaudit.cli.common.VerboseOption;
import io.migaudit.record.RecordKey;
import io.migaudit.record.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code migaudit agent}: capture agent publishing flow records to Kafka. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "Turns packets into flow records (metadata and payload statistics, never payload bytes) and",
      "publishes them to " + Topics.FLOWS + ", keyed by flow id, idempotently with acks=all.",
      "Captures live on interfaces (--interface, until SIGTERM/Ctrl-C, which ends every open flow",
      "as a final record) or reads capture files (--read). Settings come from --config FILE (YAML),",
      "then from the flags given. /healthz answers 503 once a capture thread or the spool's drainer has died."
    },
    footer = {
      "",
      "Examples:",
      "  ./migaudit agent --bootstrap-servers kafka1:9092 --interface ens224 --interface ens256",
      "  ./migaudit agent --bootstrap-servers kafka1:9092 --read esx01-vmk1.pcapng",
      "  ./migaudit agent --config /etc/migaudit/agent.yaml --agent-id collector-2"
    })
public final class AgentCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);
  private static final Duration SPOOL_REPORT_EVERY = Duration.ofSeconds(30);

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Agent settings in YAML (keys: agentId, interfaces, read, bootstrapServers, kafkaConfig, "
              + "metricsAddress, snaplen, promiscuous, bufferSize, bpfExtra, spoolDir, spoolMaxBytes, captureBackend, policy, workers, recordKey); flags given here "
              + "override the file's values.")
  Path config;

  @Mixin LiveOptions live = new LiveOptions();

  @Option(
      names = "--read",
      paramLabel = "PCAP_OR_DIR",
      arity = "1..*",
      description = "Capture files or directories to read (pcap, pcapng, gzip-compressed or not).")
  List<Path> inputs;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description =
          "Kafka cluster to publish flow records to (required here or as bootstrapServers in --config).")
  String bootstrapServers;

  @Mixin KafkaConfigOption kafkaConfig = new KafkaConfigOption();

  @Option(
      names = "--agent-id",
      paramLabel = "ID",
      description = "Agent id in records (default: host name).")
  String agentId;

  @Option(
      names = "--metrics-address",
      paramLabel = "HOST:PORT",
      description =
          "Where /metrics and /healthz listen while the agent runs (default: "
              + AgentSettings.DEFAULT_METRICS_ADDRESS
              + ").")
  String metricsAddress;

  @Option(
      names = "--spool-dir",
      paramLabel = "DIR",
      description =
          "Where flow records wait on disk while Kafka does not take them; they are sent first, in "
              + "order, when it does again, also after a restart (default: migaudit/spool-AGENT_ID under $XDG_STATE_HOME "
              + "or ~/.local/state; the service uses /var/lib/migaudit/spool). One agent per directory; it must be the "
              + "agent user's own and not writable by others (created 0700).")
  Path spoolDir;

  @Option(
      names = "--spool-max-bytes",
      paramLabel = "BYTES",
      description =
          "Bound of the spool's files (default: "
              + AgentSettings.DEFAULT_SPOOL_MAX_BYTES
              + " = 1 GiB, at least "
              + Spool.MIN_MAX_BYTES
              + "). At the bound the oldest sixteenth of the spool is "
              + "dropped, counted in migaudit_agent_spool_dropped_records_total and logged.")
  Long spoolMaxBytes;

  @Option(
      names = "--record-key",
      paramLabel = "FILE",
      description =
          "Sign every flow record and heartbeat with this agent's record key (HMAC-SHA256 in the "
              + "Kafka header "
              + RecordKey.HEADER
              + "), so that an analyzer given the key (analyzer --record-keys) tells them from "
              + "records forged onto the topic. FILE: base64, at least 32 bytes, mode 600 "
              + "(openssl rand -base64 32). Default: unsigned.")
  Path recordKey;

  @Mixin VerboseOption verbose = new VerboseOption();

  /** Command-line flag of each settings key, for complaints about flag values. */
  private static final Map<String, String> FLAGS =
      Map.of(
          "agentId",
          "--agent-id",
          "interfaces",
          "--interface",
          "bootstrapServers",
          "--bootstrap-servers",
          "metricsAddress",
          "--metrics-address",
          "snaplen",
          "--snaplen",
          "bufferSize",
          "--buffer-size",
          "spoolMaxBytes",
          "--spool-max-bytes",
          "workers",
          "--workers");

  private static RecordKey recordKey(Path file) throws UserError {
    try {
      return file == null ? null : RecordKey.read(file);
    } catch (IOException e) {
      throw new UserError("--record-key: " + e.getMessage(), e);
    }
  }

  /** Defaults, then the --config file, then the flags given. */
  AgentSettings settings() throws UserError {
    AgentSettings s = AgentSettings.defaults();
    if (config != null) {
      s = s.with(AgentSettingsLoader.load(config));
    }
    s =
        s.with(
            new AgentSettings.Overrides(
                agentId,
                live.interfaces,
                inputs,
                bootstrapServers,
                kafkaConfig.file(),
                metricsAddress,
                live.snaplenBytes,
                live.promiscuous,
                live.bufferBytes,
                live.bpfExtra,
                spoolDir,
                spoolMaxBytes,
                live.backend,
                live.policy,
                live.workers,
                recordKey));
    var problem = s.problem();
    if (problem.isPresent()) {
      String key = problem.get().key();
      throw new UserError(FLAGS.getOrDefault(key, key) + ": " + problem.get().message());
    }
    if (s.live() == !s.read().isEmpty()) {
      throw new UserError("give either --interface or --read (or interfaces or read in --config)");
    }
    if (s.bootstrapServers() == null) {
      throw new UserError("give --bootstrap-servers (or bootstrapServers in --config)");
    }
    return s;
  }

  /** A full-size Ethernet frame at MTU 1500 with its header: less cuts migration segments. */
  static final int WHOLE_FRAME_BYTES = 1514;

  /**
   * What to tell a user whose live capture keeps less than a full-size frame, or null: the agent
   * then sees only each segment's start (files carry the snap length they were captured with).
   */
  static String snaplenWarning(boolean live, int snaplen) {
    if (!live || snaplen >= WHOLE_FRAME_BYTES) {
      return null;
    }
    return "snaplen "
        + snaplen
        + " keeps only the start of a full-size frame ("
        + WHOLE_FRAME_BYTES
        + " bytes): payload verdicts see each segment's first bytes, framings cannot be followed"
        + " and many flows will be judged unknown; capture whole frames for verdicts on every flow";
  }

  @Override
  public Integer call() throws Exception {
    AgentSettings settings = settings();
    List<Path> files = settings.live() ? List.of() : CaptureFiles.expand(settings.read());
    CaptureFiles.requireReadable(files);
    Map<String, String> clientSettings = KafkaClientConfig.load(settings.kafkaConfig());
    String id =
        settings.agentId() != null ? settings.agentId() : InetAddress.getLocalHost().getHostName();
    AgentConfig agentConfig = AgentConfig.defaults(id);
    LiveAgentConfig liveConfig = settings.live() ? liveConfig(settings, agentConfig) : null;
    Map<String, Object> producerSettings =
        ProducerSettings.of(
            settings.bootstrapServers(),
            "migaudit-agent-" + id,
            clientSettings,
            recordKey(settings.recordKey()));
    String shortSnaplen = snaplenWarning(settings.live(), settings.snaplen());
    if (shortSnaplen != null) {
      LOG.warn(shortSnaplen);
    }
    if (settings.recordKey() != null) {
      LOG.warn(
          "agent {} signs every flow record and heartbeat with the record key in {}",
          id,
          settings.recordKey());
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AgentMetrics metrics = new AgentMetrics(registry);
    // the publisher comes after the metrics server, which answers health from the start
    AtomicReference<FlowPublisher> drained = new AtomicReference<>();
    AtomicReference<BooleanSupplier> captureHealthy = new AtomicReference<>(() -> true);
    // reading files: healthy while the read runs (the process ends with it); and while the spool
    // drains
    BooleanSupplier healthy =
        () ->
            captureHealthy.get().getAsBoolean()
                && (drained.get() == null || drained.get().drainerAlive());
    Spool spool = openSpool(settings.spoolDirFor(id), settings.spoolMaxBytes());
    try (MetricsServer ignored = MetricsServer.start(settings.metricsAddress(), registry, healthy);
        MeteredProducers producers = new MeteredProducers(producerSettings, registry);
        FlowPublisher publisher = new SpoolingPublisher(producers, Topics.FLOWS, spool)) {
      drained.set(publisher);
      metrics.bind(publisher);
      if (liveConfig != null) {
        LiveAgent live =
            new LiveAgent(
                liveConfig, publisher, metrics, new KafkaHeartbeats(id, producerSettings));
        captureHealthy.set(live.health());
        capture(live);
      } else {
        read(agentConfig, settings.workers(), files, publisher, metrics);
      }
      publisher.flush();
      if (liveConfig == null) {
        publisher.awaitSpoolDrained(
            SPOOL_REPORT_EVERY); // a read is done when Kafka has every record
      }
      LOG.warn(
          "agent {} published {} flow records from {} files", id, publisher.sent(), files.size());
    }
    return 0;
  }

  /** The live agent's configuration, once the backend asked for is known to be usable here. */
  private static LiveAgentConfig liveConfig(AgentSettings settings, AgentConfig agentConfig)
      throws UserError {
    CaptureBackend asked = settings.captureBackend();
    String problem = asked == null ? null : asked.unavailable();
    if (problem != null) {
      throw new UserError("--capture-backend " + asked.wire() + ": " + problem);
    }
    return new LiveAgentConfig(
        agentConfig,
        settings.interfaces(),
        PolicyScope.captureOptions(settings, agentConfig),
        asked,
        settings.workers());
  }

  /**
   * Captures until SIGTERM/Ctrl-C (or a capture fails); the agent then flushes every flow. The hook
   * is in place before capture starts: start() captures before it returns (it then makes the
   * heartbeat producer, which on a busy host can take a second the first time), and a SIGTERM in
   * that time ended the JVM with the captured flows' final records neither sent nor spooled (seen
   * once in AgentShutdownIT under CI).
   */
  private static void capture(LiveAgent live) throws Exception {
    try (ShutdownHook hook = ShutdownHook.install("migaudit-agent-shutdown", live::close)) {
      try {
        live.start();
      } catch (IOException e) {
        throw new UserError(e.getMessage(), e);
      }
      live.await();
    }
  }

  /** Publishes the flows of capture files, each read to its end. */
  private static void read(
      AgentConfig config,
      int workers,
      List<Path> files,
      FlowPublisher publisher,
      AgentMetrics metrics)
      throws Exception {
    PipelineCounters counters = new PipelineCounters();
    metrics.bind("pcap", counters);
    try (RecordHandOff records = new RecordHandOff(publisher, RecordHandOff.DEFAULT_CAPACITY)) {
      new FileAgent(config, records, counters, workers).read(files);
    }
  }

  private static Spool openSpool(Path dir, long maxBytes) throws UserError {
    try {
      return Spool.open(dir, maxBytes);
    } catch (IOException e) {
      throw new UserError("--spool-dir " + dir + ": " + e.getMessage(), e);
    }
  }
}
