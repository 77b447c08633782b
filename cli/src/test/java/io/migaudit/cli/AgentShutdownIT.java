package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.publish.Spool;
import io.migaudit.agent.testbed.VethBed;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import io.migaudit.record.Verdict;
import io.migaudit.testsupport.ChildBroker;
import io.migaudit.testsupport.ChildProcess;
import io.migaudit.testsupport.CommittedTopic;
import io.migaudit.testsupport.Eventually;
import io.migaudit.testsupport.MetricWait;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code migaudit agent --interface} as users run it, in its own JVM: a migration is captured live
 * and, while its connection is still open, the agent gets SIGTERM. It must write a final record
 * ({@code endReason: shutdown}) for that flow to Kafka before it exits.
 */
class AgentShutdownIT {
  private static final Path SAMPLE = Path.of("../samples/vmotion-plaintext/capture.pcap");

  /** The handshake and the first data segments, not the FINs: the connection stays open. */
  private static final int PACKETS = 40;

  /** The sample's first frames are an ARP exchange, which the capture filter does not pass. */
  private static final int ARP_FRAMES = 2;

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /** A JVM that ran its shutdown hooks after SIGTERM exits with 128 + 15. */
  private static final int SIGTERM_EXIT = 143;

  @TempDir Path dir;

  /**
   * One capture, and two in an AF_PACKET fanout group (the migration's frames reach one of them).
   */
  @ParameterizedTest(name = "--workers {0}")
  @ValueSource(ints = {1, 2})
  void sigtermEndsEveryOpenFlowWithAFinalRecord(int workers) throws Exception {
    VethBed.requirePrerequisites();
    try (VethBed bed = VethBed.create("ma-sd" + workers + "-" + ProcessHandle.current().pid());
        EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS), 1);
      int port = ChildBroker.freePort();
      String log;
      try (ChildProcess agent =
          liveAgent(
              bed,
              broker.bootstrapServers(),
              dir.resolve("spool" + workers),
              "sigterm-it",
              workers,
              port)) {
        MetricWait metrics = new MetricWait(port, agent);
        String packets = "migaudit_agent_packets_total{interface=\"" + bed.captureEnd() + "\"}";
        metrics.awaitAtLeast(packets, 0, DEADLINE);
        // the agent reaches Kafka (its first heartbeat is on the topic) before the migration starts
        Eventually.until(
            "the agent's first heartbeat on " + Topics.FLOWS,
            DEADLINE,
            () ->
                CommittedTopic.end(broker.bootstrapServers(), Topics.FLOWS).values().stream()
                        .mapToLong(Long::longValue)
                        .sum()
                    > 0);
        bed.replay(List.of("--limit=" + PACKETS, "--pps=200"), List.of(SAMPLE));
        metrics.awaitAtLeast(packets, PACKETS - ARP_FRAMES, DEADLINE);
        agent.process().destroy(); // SIGTERM
        agent.awaitExit(DEADLINE);
        log = agent.log();
      }
      List<AgentHeartbeat> heartbeats = new ArrayList<>();
      List<FlowRecord> records = flowRecords(broker.bootstrapServers(), heartbeats);
      assertThat(heartbeats)
          .as(
              "the live agent's heartbeats (one at start, one when capture stops); records: %d;"
                  + " agent log:%n%s",
              records.size(), log)
          .hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(
              h -> {
                assertThat(h.agent()).isEqualTo("sigterm-it");
                assertThat(h.interfaces()).containsExactly(bed.captureEnd());
              });
      assertThat(heartbeats.get(heartbeats.size() - 1).packets())
          .isGreaterThanOrEqualTo(PACKETS - ARP_FRAMES);
      List<FlowRecord> migration = records.stream().filter(r -> r.dstPort() == 8000).toList();
      assertThat(migration).as("records of the open migration; agent log:\n" + log).isNotEmpty();
      FlowRecord last = migration.get(migration.size() - 1);
      assertThat(last.last()).isTrue();
      assertThat(last.endReason()).isEqualTo("shutdown");
      assertThat(last.agent()).isEqualTo("sigterm-it");
      assertThat(last.tcpFlags()).doesNotContain("FIN");
      assertThat(last.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    }
  }

  /**
   * SIGTERM before Kafka ever answered: the agent cannot deliver its final record, so it spools it
   * (with the flow's earlier records) and exits; its next start, with a broker, sends them.
   */
  @Test
  void sigtermBeforeKafkaAnswersSpoolsTheFinalRecordForTheNextStart() throws Exception {
    VethBed.requirePrerequisites();
    Path spoolDir = dir.resolve("spool-unreachable");
    try (VethBed bed = VethBed.create("ma-su-" + ProcessHandle.current().pid())) {
      String nobody = "127.0.0.1:" + ChildBroker.freePort(); // nothing listens there
      int port = ChildBroker.freePort();
      try (ChildProcess agent = liveAgent(bed, nobody, spoolDir, "sigterm-unreachable", 1, port)) {
        MetricWait metrics = new MetricWait(port, agent);
        String packets = "migaudit_agent_packets_total{interface=\"" + bed.captureEnd() + "\"}";
        metrics.awaitAtLeast(packets, 0, DEADLINE);
        bed.replay(List.of("--limit=" + PACKETS, "--pps=200"), List.of(SAMPLE));
        metrics.awaitAtLeast(packets, PACKETS - ARP_FRAMES, DEADLINE);
        agent.process().destroy(); // SIGTERM
        assertThat(agent.awaitExit(DEADLINE))
            .as("exit status (143: the JVM's, after SIGTERM); log:%n%s", agent.log())
            .isEqualTo(SIGTERM_EXIT);
        List<FlowRecord> spooled = spooled(spoolDir);
        assertThat(spooled)
            .as("records in the spool; agent log:%n%s", agent.log())
            .filteredOn(r -> r.dstPort() == 8000)
            .last()
            .satisfies(
                r -> {
                  assertThat(r.last()).isTrue();
                  assertThat(r.endReason()).isEqualTo("shutdown");
                  assertThat(r.agent()).isEqualTo("sigterm-unreachable");
                });
      }
      try (EmbeddedBroker broker = EmbeddedBroker.start()) {
        broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS), 1);
        try (ChildProcess agent =
            liveAgent(
                bed,
                broker.bootstrapServers(),
                spoolDir,
                "sigterm-unreachable",
                1,
                ChildBroker.freePort())) {
          Eventually.until(
              "the spooled final record on " + Topics.FLOWS,
              DEADLINE,
              () ->
                  flowRecords(broker.bootstrapServers(), new ArrayList<>()).stream()
                      .anyMatch(r -> r.dstPort() == 8000 && r.last()));
          agent.process().destroy();
          agent.awaitExit(DEADLINE);
          List<FlowRecord> migration =
              flowRecords(broker.bootstrapServers(), new ArrayList<>()).stream()
                  .filter(r -> r.dstPort() == 8000)
                  .toList();
          assertThat(migration).as("agent log:%n%s", agent.log()).isNotEmpty();
          assertThat(migration.get(migration.size() - 1).endReason()).isEqualTo("shutdown");
          assertThat(migration.get(migration.size() - 1).payload().verdict())
              .isEqualTo(Verdict.PLAINTEXT);
        }
      }
      assertThat(spooled(spoolDir)).as("the spool once Kafka took its records").isEmpty();
    }
  }

  /** {@code migaudit agent --interface} on the bed's capture end, in its own JVM. */
  private ChildProcess liveAgent(
      VethBed bed, String bootstrap, Path spoolDir, String id, int workers, int metricsPort)
      throws IOException {
    return ChildProcess.java(
        dir.resolve(id + "-" + metricsPort + ".log"),
        List.of(),
        MigauditCommand.class.getName(),
        "agent",
        "--interface",
        bed.captureEnd(),
        "--bootstrap-servers",
        bootstrap,
        "--agent-id",
        id,
        "--metrics-address",
        "127.0.0.1:" + metricsPort,
        "--spool-dir",
        spoolDir.toString(),
        "--workers",
        String.valueOf(workers));
  }

  /**
   * The flow records left in a spool directory, oldest first, read from a copy of it (reading every
   * segment means acknowledging each one, which deletes it).
   */
  private List<FlowRecord> spooled(Path spoolDir) throws Exception {
    Path copy = Files.createTempDirectory(dir, "spool-copy");
    try (Stream<Path> files = Files.list(spoolDir)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    List<FlowRecord> records = new ArrayList<>();
    try (Spool spool = Spool.open(copy, 1L << 30)) {
      for (Spool.Batch b = spool.read(1000); b.size() > 0; b = spool.read(1000)) {
        for (byte[] entry : b.entries()) {
          records.add(RecordJson.flowRecord(entry));
        }
        spool.acknowledge(b);
      }
    }
    return records;
  }

  /**
   * Every record on {@link Topics#FLOWS} once the agent has exited, read by partition from the
   * start to the end (no consumer group to join), heartbeats into {@code heartbeats}.
   */
  private static List<FlowRecord> flowRecords(String bootstrap, List<AgentHeartbeat> heartbeats)
      throws Exception {
    List<FlowRecord> records = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        CommittedTopic.read(bootstrap, Topics.FLOWS, Map.of())) {
      if (new String(r.key(), StandardCharsets.UTF_8).startsWith("heartbeat/")) {
        heartbeats.add(RecordJson.heartbeat(r.value()));
      } else {
        records.add(RecordJson.flowRecord(r.value()));
      }
    }
    return records;
  }
}
