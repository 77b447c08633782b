package io.migaudit.testsupport;

import io.migaudit.broker.EmbeddedBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

  private final Path dir;
  private final int port;
  private final Path properties;
  private Process process;
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
    Process format =
        java(
            dir.resolve("format.log"),
            "kafka.tools.StorageTool",
            "format",
            "-t",
            Uuid.randomUuid().toString(),
            "-c",
            props.toString());
    if (!format.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
      format.destroyForcibly();
      throw new IllegalStateException(
          "kafka-storage format failed:\n" + Files.readString(dir.resolve("format.log")));
    }
    ChildBroker broker = new ChildBroker(dir, port, props);
    broker.start();
    return broker;
  }

  private static Process java(Path log, String main, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                main));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** Starts (or restarts) the broker process and waits until it serves admin requests. */
  public void start() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("broker already running");
    }
    starts++;
    process = java(log(), "kafka.Kafka", properties.toString());
    long deadline = System.nanoTime() + STARTUP.toNanos();
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                4000))) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "broker exited with " + process.exitValue() + ":\n" + Files.readString(log()));
        }
        try {
          admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          return;
        } catch (Exception notYet) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "broker not ready in " + STARTUP + ":\n" + Files.readString(log()), notYet);
          }
        }
      }
    }
  }

  /** SIGKILL: the broker is gone at once, as in a crash or a network cut; its data stays. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
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
