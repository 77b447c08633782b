package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.publish.Spool;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.Captures;
import io.migaudit.testsupport.ChildBroker;
import io.migaudit.testsupport.TopicCheck;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
      Process first = agent(broker, capture, spoolDir, clientProps, port, firstLog);
      try {
        awaitMetric(
            port, "migaudit_agent_spool_appended_records_total", expected.size(), first, firstLog);
      } finally {
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no close
        first.waitFor(60, TimeUnit.SECONDS);
      }
      assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
      try (Spool left = Spool.open(spoolDir, Spool.MIN_MAX_BYTES * 1024)) {
        assertThat(left.pending()).as("records on disk after kill -9").isEqualTo(expected.size());
        System.out.printf(
            "AgentKillIT: %d records, %d spool bytes on disk after kill -9%n",
            left.pending(), left.bytes());
      }

      broker.start();
      Path nothing = Files.write(dir.resolve("empty.pcap"), EMPTY_PCAP);
      Path secondLog = dir.resolve("agent-2.log");
      Process second =
          agent(broker, nothing, spoolDir, clientProps, ChildBroker.freePort(), secondLog);
      boolean exited = second.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      second.destroyForcibly();
      String log = Files.readString(secondLog);
      assertThat(exited).as("second agent finished; log:\n" + log).isTrue();
      assertThat(second.exitValue()).as("second agent's exit; log:\n" + log).isZero();
      assertThat(log).contains("from an earlier run");
      TopicCheck.assertDeliveredExactly(broker.bootstrapServers(), expected, DEADLINE);
    }
  }

  /** What the agent produces from the capture: the same code, in this JVM, into a list. */
  private static List<FlowRecord> recordsOf(Path capture) throws IOException {
    List<FlowRecord> records = new ArrayList<>();
    CaptureAgent agent =
        new CaptureAgent(AgentConfig.defaults(AGENT_ID), records::add, new PipelineCounters());
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      agent.run(source, capture.toString(), EndReason.END_OF_CAPTURE);
    }
    assertThat(records).hasSizeGreaterThan(1000);
    return records;
  }

  private static Process agent(
      ChildBroker broker, Path capture, Path spoolDir, Path clientProps, int port, Path log)
      throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
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
            "127.0.0.1:" + port)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static void awaitMetric(int port, String series, long atLeast, Process agent, Path log)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Pattern value = Pattern.compile("(?m)^" + Pattern.quote(series) + "(\\{[^}]*})? ([0-9.eE+]+)");
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      assertThat(agent.isAlive()).as("agent running; log:\n" + Files.readString(log)).isTrue();
      try {
        String body =
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = value.matcher(body);
        if (m.find()) {
          last = m.group(2);
          if (Double.parseDouble(last) >= atLeast) {
            return;
          }
        }
      } catch (IOException notListeningYet) {
        // the agent is still starting
      }
      Thread.sleep(100); // polling with a deadline
    }
    throw new AssertionError(
        series + " at " + last + ", not " + atLeast + "; log:\n" + Files.readString(log));
  }
}
