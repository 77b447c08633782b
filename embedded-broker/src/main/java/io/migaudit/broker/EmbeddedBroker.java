package io.migaudit.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) inside this JVM,
 * on loopback with a random port, storing its log in a temporary directory removed on close. The
 * only class that touches Kafka's test kit, which has no compatibility promise.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  /**
   * The test kit's name of the plaintext client listener, the one {@link #bootstrapServers()}
   * names.
   */
  public static final String PLAINTEXT_LISTENER = "EXTERNAL";

  /** The test kit's name of the KRaft controller listener. */
  public static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final KafkaClusterTestKit cluster;
  private final Path directory;

  private EmbeddedBroker(KafkaClusterTestKit cluster, Path directory) {
    this.cluster = cluster;
    this.directory = directory;
  }

  /** Formats and starts the broker; returns once it accepts clients. */
  public static EmbeddedBroker start() throws Exception {
    return start(Map.of());
  }

  /**
   * As {@link #start()}, with more broker settings, which win over the defaults: e.g. a further
   * listener (TLS, SASL) next to the plaintext one, reached with {@link #bootstrapServers(String)}.
   */
  public static EmbeddedBroker start(Map<String, String> brokerSettings) throws Exception {
    Path dir = Files.createTempDirectory("migaudit-kafka-");
    long t0 = System.nanoTime();
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .setBaseDirectory(dir)
            .build();
    KafkaClusterTestKit.Builder builder =
        new KafkaClusterTestKit.Builder(nodes)
            // One broker: internal topics must not ask for more replicas than exist, or consumer
            // groups
            // never find a coordinator.
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "false");
    brokerSettings.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.setDeleteOnClose(true).build();
    PrintStream stdout = System.out;
    try {
      // Kafka's storage formatter prints to stdout; stdout is the replay summary's, so divert it.
      System.setOut(new PrintStream(OutputStream.nullOutputStream()));
      cluster.format();
      System.setOut(stdout);
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      System.setOut(stdout);
      cluster.close();
      deleteTree(dir);
      throw e;
    }
    LOG.info(
        "embedded Kafka broker ready at {} in {} ms",
        cluster.bootstrapServers(),
        (System.nanoTime() - t0) / 1_000_000);
    return new EmbeddedBroker(cluster, dir);
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /**
   * {@code localhost:port} of the listener named {@code listenerName} (e.g. one added at start).
   */
  public String bootstrapServers(String listenerName) {
    int port =
        cluster.brokers().values().iterator().next().boundPort(new ListenerName(listenerName));
    return "localhost:" + port;
  }

  /** An admin client on the plaintext listener; the caller closes it. */
  public Admin admin() {
    return cluster.admin();
  }

  /** Creates topics (one replica each) unless they exist. */
  public void createTopics(List<String> names, int partitions) throws Exception {
    try (Admin admin = cluster.admin()) {
      List<NewTopic> topics =
          names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList();
      try {
        admin.createTopics(topics).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      cluster.close();
    } finally {
      deleteTree(directory);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", dir, e.toString());
    }
  }
}
