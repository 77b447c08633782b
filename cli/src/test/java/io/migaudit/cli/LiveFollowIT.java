package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RuleId;
import io.migaudit.record.Signature;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.ChildBroker;
import io.migaudit.testsupport.ChildProcess;
import io.migaudit.testsupport.CiGate;
import io.migaudit.testsupport.CommittedTopic;
import io.migaudit.testsupport.DrainedConnection;
import io.migaudit.testsupport.Eventually;
import io.migaudit.testsupport.LoopbackMigration;
import io.migaudit.testsupport.MetricWait;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code migaudit agent --interface lo --policy FILE} as users run it, in its own JVM, publishing
 * to a real Kafka broker: a hypervisor of the policy (127.0.0.1) sends a QEMU migration stream to a
 * host the policy does not name (127.0.0.9) on a port no catalog lists. The agent's filter passes
 * only the stream's opening; the agent must follow the connection so that the whole migration
 * reaches Kafka and the rules judge it, as a replay of the same capture would.
 *
 * <p>Needs root (or CAP_NET_RAW) and libpcap: without them it skips, except under {@code CI=true},
 * where it fails.
 */
class LiveFollowIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String HYPERVISOR = "127.0.0.1";
  private static final String UNKNOWN = "127.0.0.9";
  private static final int PAGES_BYTES = 4 << 20;

  private static final byte[] QEMU_OPENING = LoopbackMigration.qemuOpening();

  private static final String POLICY =
      """
      encryption: required
      migrationNetworks:
        - name: vmotion
          cidrs: [10.99.0.0/24]
      trustedHosts: [127.0.0.1, 127.0.0.2]
      """;

  @TempDir Path dir;

  @ParameterizedTest(name = "--workers {0}")
  @ValueSource(ints = {1, 2})
  void aMigrationToAnUnknownHostOnAnUnlistedPortIsFollowedAndJudged(int workers) throws Exception {
    CiGate.require(
        "root".equals(System.getProperty("user.name")),
        "live capture on lo needs root (or CAP_NET_RAW)");
    Path policyFile = Files.writeString(dir.resolve("policy.yaml"), POLICY);
    Policy policy = PolicyLoader.load(policyFile);
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        ServerSocket listener = LoopbackMigration.unlistedListener(UNKNOWN)) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS), 1);
      int port = ChildBroker.freePort();
      try (ChildProcess agent =
          ChildProcess.java(
              dir.resolve("agent-" + workers + ".log"),
              List.of(),
              MigauditCommand.class.getName(),
              "agent",
              "--interface",
              "lo",
              "--policy",
              policyFile.toString(),
              "--bootstrap-servers",
              broker.bootstrapServers(),
              "--agent-id",
              "follow-it",
              "--metrics-address",
              "127.0.0.1:" + port,
              "--spool-dir",
              dir.resolve("spool-" + workers).toString(),
              "--workers",
              String.valueOf(workers))) {
        MetricWait metrics = new MetricWait(port, agent);
        String followed = "migaudit_agent_flows_followed_total{interface=\"lo\"}";
        metrics.awaitAtLeast(followed, 0, DEADLINE);
        Eventually.until(
            "the agent's first heartbeat on " + Topics.FLOWS,
            DEADLINE,
            () -> heartbeats(broker.bootstrapServers()) > 0);
        CompletableFuture<Long> received = DrainedConnection.accept(listener, "live-follow-it");
        try (Socket out = LoopbackMigration.unlistedClient(HYPERVISOR)) {
          out.connect(listener.getLocalSocketAddress());
          OutputStream s = out.getOutputStream();
          s.write(QEMU_OPENING);
          s.flush();
          metrics.awaitAtLeast(followed, 1, DEADLINE);
          LoopbackMigration.writePages(s, PAGES_BYTES);
          // a live capture's records come as its packets move the flow table's clock: a byte now
          // and then keeps the connection's own records coming until one holds every page
          int listenerPort = listener.getLocalPort();
          Eventually.until(
              "a record of the migration holding its "
                  + PAGES_BYTES
                  + " bytes of pages; agent log: "
                  + agent.log(),
              DEADLINE,
              () -> {
                s.write('a');
                s.flush();
                return migration(broker.bootstrapServers(), listenerPort).stream()
                    .anyMatch(r -> r.srcToDst().payloadBytes() >= PAGES_BYTES);
              });
        }
        assertThat(received.get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
            .isGreaterThanOrEqualTo(QEMU_OPENING.length + (long) PAGES_BYTES);
        agent.process().destroy(); // SIGTERM
        agent.awaitExit(DEADLINE);
      }
      List<FlowRecord> migration = migration(broker.bootstrapServers(), listener.getLocalPort());
      FlowRecord last = migration.get(migration.size() - 1);
      assertThat(last.src()).isEqualTo(HYPERVISOR);
      assertThat(last.dst()).isEqualTo(UNKNOWN);
      assertThat(last.payload().signature()).isEqualTo(Signature.QEMU);
      List<RuleId> rules =
          new RuleEngine(policy).evaluate(last).alerts().stream().map(Alert::rule).toList();
      assertThat(rules)
          .contains(
              RuleId.UNENCRYPTED_MIGRATION,
              RuleId.UNTRUSTED_DESTINATION,
              RuleId.NON_DEDICATED_SEGMENT);
    }
  }

  /** The migration's records on the topic so far, oldest first. */
  private static List<FlowRecord> migration(String bootstrap, int port) throws Exception {
    List<FlowRecord> records = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        CommittedTopic.read(bootstrap, Topics.FLOWS, Map.of())) {
      if (!isHeartbeat(r)) {
        FlowRecord f = RecordJson.flowRecord(r.value());
        if (f.srcPort() == port || f.dstPort() == port) {
          records.add(f);
        }
      }
    }
    return records;
  }

  /** Heartbeats on the topic so far: the agent reached Kafka. */
  private static long heartbeats(String bootstrap) throws Exception {
    return CommittedTopic.read(bootstrap, Topics.FLOWS, Map.of()).stream()
        .filter(LiveFollowIT::isHeartbeat)
        .count();
  }

  private static boolean isHeartbeat(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8).startsWith("heartbeat/");
  }
}
