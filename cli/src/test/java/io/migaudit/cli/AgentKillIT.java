package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.publish.Spool;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.Captures;
import io.migaudit.testsupport.ChildBroker;
import io.migaudit.testsupport.ChildProcess;
import io.migaudit.testsupport.MetricWait;
import io.migaudit.testsupport.TopicCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of {@code migaudit agent} (its own JVM) while the broker is down and its records
 * wait in the spool: the spool survives on disk, and the agent's next start sends every record of
 * it once the broker is back.
 */
class AgentKillIT {
  private static final String AGENT_ID = "kill-it";
  private static final Duration DEADLINE = Duration.ofSeconds(180);

  /** A pcap global header (little-endian, v2.4, snaplen 65535, Ethernet) and no packets. */
  private static final byte[] EMPTY_PCAP = {
    (byte) 0xd4,
    (byte) 0xc3,
    (byte) 0xb2,
    (byte) 0xa1,
    2,
    0,
    4,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    (byte) 0xff,
    (byte) 0xff,
    0,
    0,
    1,
    0,
    0,
    0
  };

  @TempDir Path dir;

  @Test
  void spooledRecordsSurviveKill9AndAreSentByTheNextStart() throws Exception {
    Path capture = Captures.generated(dir, 20_000, 2_000);
    List<FlowRecord> expected = recordsOf(capture);
    Path spoolDir = dir.resolve("spool");
    Path clientProps =
        Files.writeString(
            dir.resolve("kafka-client.properties"),
            """
        delivery.timeout.ms=4000
        request.timeout.ms=2000
        max.block.ms=2000
        """);
    try (ChildBroker broker = ChildBroker.start(Files.createDirectories(dir.resolve("broker")))) {
      broker.createTopics(List.of(Topics.FLOWS), 3);
      broker.kill();

      int port = ChildBroker.freePort();
      Path firstLog = dir.resolve("agent-1.log");
      ChildProcess first = agent(broker, capture, spoolDir, clientProps, port, firstLog);
      try {
        new MetricWait(port, first)
            .awaitAtLeast("migaudit_agent_spool_appended_records_total", expected.size(), DEADLINE);
      } finally {
        first.kill(); // SIGKILL: no shutdown hook, no close
      }
      assertThat(first.process().exitValue()).as("killed by SIGKILL").isEqualTo(137);
      try (Spool left = Spool.open(spoolDir, Spool.MIN_MAX_BYTES * 1024)) {
        assertThat(left.pending()).as("records on disk after kill -9").isEqualTo(expected.size());
        System.out.printf(
            "AgentKillIT: %d records, %d spool bytes on disk after kill -9%n",
            left.pending(), left.bytes());
      }

      broker.start();
      Path nothing = Files.write(dir.resolve("empty.pcap"), EMPTY_PCAP);
      Path secondLog = dir.resolve("agent-2.log");
      try (ChildProcess second =
          agent(broker, nothing, spoolDir, clientProps, ChildBroker.freePort(), secondLog)) {
        second.awaitSuccess(DEADLINE);
        assertThat(second.log()).contains("from an earlier run");
      }
      TopicCheck.assertDeliveredExactly(broker.bootstrapServers(), expected, DEADLINE);
    }
  }

  /** What the agent produces from the capture: the same code, in this JVM, into a list. */
  private static List<FlowRecord> recordsOf(Path capture) throws IOException {
    List<FlowRecord> records = new ArrayList<>();
    new FileAgent(AgentConfig.defaults(AGENT_ID), records::add, new PipelineCounters())
        .read(List.of(capture));
    assertThat(records).hasSizeGreaterThan(1000);
    return records;
  }

  private static ChildProcess agent(
      ChildBroker broker, Path capture, Path spoolDir, Path clientProps, int port, Path log)
      throws IOException {
    return ChildProcess.java(
        log,
        List.of("-Xmx256m"),
        MigauditCommand.class.getName(),
        "agent",
        "--read",
        capture.toString(),
        "--bootstrap-servers",
        broker.bootstrapServers(),
        "--kafka-config",
        clientProps.toString(),
        "--spool-dir",
        spoolDir.toString(),
        "--agent-id",
        AGENT_ID,
        "--metrics-address",
        "127.0.0.1:" + port);
  }
}
