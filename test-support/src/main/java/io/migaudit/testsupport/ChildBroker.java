package io.migaudit.testsupport;

import io.migaudit.broker.EmbeddedBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in a child JVM ({@code
 * kafka.Kafka}), on fixed loopback ports with its log in a directory that outlives the process:
 * {@link #kill()} takes it away at once (SIGKILL, like a crashed or unplugged broker) and {@link
 * #start()} brings it back on the same address with the same data. {@link EmbeddedBroker} cannot do
 * that: its test kit picks new ports on every start.
 */
public final class ChildBroker implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final String HEAP = "-Xmx384m";

  private final Path dir;
  private final int port;
  private final Path properties;
  private ChildProcess process;
  private int starts;

  private ChildBroker(Path dir, int port, Path properties) {
    this.dir = dir;
    this.port = port;
    this.properties = properties;
  }

  /** Formats the log directory and starts the broker; returns once it serves admin requests. */
  public static ChildBroker start(Path dir) throws Exception {
    int port = freePort();
    int controllerPort = freePort();
    Path props = dir.resolve("server.properties");
    Files.writeString(
        props,
        String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:"
                    + port
                    + ",CONTROLLER://127.0.0.1:"
                    + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "")
            + "\n");
    ChildProcess format =
        ChildProcess.java(
            dir.resolve("format.log"),
            List.of(HEAP),
            "kafka.tools.StorageTool",
            "format",
            "-t",
            Uuid.randomUuid().toString(),
            "-c",
            props.toString());
    format.awaitSuccess(STARTUP);
    ChildBroker broker = new ChildBroker(dir, port, props);
    broker.start();
    return broker;
  }

  /** Starts (or restarts) the broker process and waits until it serves admin requests. */
  public void start() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("broker already running");
    }
    starts++;
    process = ChildProcess.java(log(), List.of(HEAP), "kafka.Kafka", properties.toString());
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                4000))) {
      Eventually.untilAsserted(
          "the broker to serve admin requests",
          STARTUP,
          () -> {
            process.assertAlive();
            admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          });
    }
  }

  /** SIGKILL: the broker is gone at once, as in a crash or a network cut; its data stays. */
  public void kill() throws InterruptedException {
    process.kill();
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public Path log() {
    return dir.resolve("broker.log");
  }

  public int starts() {
    return starts;
  }

  /** Creates topics with one replica each. */
  public void createTopics(List<String> names, int partitions) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      admin
          .createTopics(names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList())
          .all()
          .get(60, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
