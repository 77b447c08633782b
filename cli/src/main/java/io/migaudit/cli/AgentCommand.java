package io.migaudit.cli;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.Topics;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
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
        "as a final record) or reads capture files (--read)."},
    footer = {"", "Examples:", "  ./migaudit agent --bootstrap-servers kafka1:9092 --interface ens224 --interface ens256",
        "  ./migaudit agent --bootstrap-servers kafka1:9092 --read esx01-vmk1.pcapng"})
final class AgentCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);

  @Mixin
  LiveCapture.Options live = new LiveCapture.Options();

  @Option(names = "--read", paramLabel = "PCAP_OR_DIR", arity = "1..*",
      description = "Capture files or directories to read (pcap, pcapng, gzip-compressed or not).")
  List<Path> inputs;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", required = true,
      description = "Kafka cluster to publish flow records to.")
  String bootstrapServers;

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Kafka client properties (security.protocol, ssl.*, sasl.*, ...) passed through unchanged.")
  Path kafkaConfig;

  @Option(names = "--agent-id", paramLabel = "ID", description = "Agent id in records (default: host name).")
  String agentId;

  @Option(names = "--metrics-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9464",
      description = "Where /metrics and /healthz listen while the agent runs (default: ${DEFAULT-VALUE}).")
  String metricsAddress;

  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (live.live() == (inputs != null)) {
      throw new UserError("give either --interface or --read");
    }
    List<Path> files = live.live() ? List.of() : CaptureFiles.expand(inputs);
    Replay.requireReadable(files);
    Map<String, String> clientSettings = KafkaClientConfig.load(kafkaConfig);
    String id = agentId != null ? agentId : InetAddress.getLocalHost().getHostName();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AgentMetrics metrics = new AgentMetrics(registry);
    PipelineCounters counters = new PipelineCounters();
    metrics.bind("pcap", counters);
    try (MetricsServer ignored = MetricsServer.start(metricsAddress, registry, () -> true);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
            ProducerSettings.of(bootstrapServers, "migaudit-agent-" + id, clientSettings));
        FlowPublisher publisher = new FlowPublisher(producer);
        KafkaClientMetrics producerMeters = Replay.bound(new KafkaClientMetrics(producer), registry)) {
      metrics.bind(publisher);
      CaptureAgent agent = new CaptureAgent(AgentConfig.defaults(id), publisher, counters);
      if (live.live()) {
        new LiveCapture(live).run(AgentConfig.defaults(id), publisher, metrics);
      }
      for (Path file : files) {
        try (PcapFileSource source = PcapFileSource.open(file)) {
          agent.run(source, file.toString(), EndReason.END_OF_CAPTURE);
        }
      }
      publisher.flush();
      LOG.warn("agent {} published {} flow records from {} files", id, publisher.sent(), files.size());
    }
    return 0;
  }
}
