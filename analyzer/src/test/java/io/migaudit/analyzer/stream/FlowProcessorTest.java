package io.migaudit.analyzer.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.auth.KerberosEvidenceTest;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.consume.RecordKeys;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.CredSspMigrationRuleTest;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RecordKey;
import io.migaudit.record.RuleId;
import io.migaudit.record.Signature;
import io.migaudit.record.Topics;
import io.migaudit.record.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor on Kafka Streams' test driver: outputs, stores, grace period and expiry by time.
 */
class FlowProcessorTest {
  private static final Instant NOW = Instant.parse("2025-03-01T10:00:10Z");
  @TempDir Path state;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> flows;
  private TestOutputTopic<byte[], byte[]> alerts;
  private TestOutputTopic<byte[], byte[]> events;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private void start(Policy policy) {
    start(policy, null, null);
  }

  private void start(Policy policy, RecordKeys keys, RecordKey own) {
    AnalyzerConfig config =
        AnalyzerConfig.defaults(new KafkaSettings("localhost:1", Map.of()), "test", state)
            .withJudgeGrace(Duration.ofSeconds(30))
            .withAlertRetention(Duration.ofHours(1))
            .withRecordKeys(keys)
            .withRecordKey(own);
    RuleEngine engine = new RuleEngine(policy);
    AnalyzerMetrics metrics = new AnalyzerMetrics(registry, engine.protocols());
    Properties props = StreamsSettings.of(config);
    driver =
        new TopologyTestDriver(
            AnalyzerTopology.build(
                config, () -> engine, metrics, FlowObserver.NONE, new Progress(), true),
            props,
            NOW);
    flows =
        driver.createInputTopic(
            Topics.FLOWS,
            new ByteArraySerializer(),
            new ByteArraySerializer(),
            NOW,
            Duration.ofMillis(10));
    alerts =
        driver.createOutputTopic(
            Topics.ALERTS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    events =
        driver.createOutputTopic(
            Topics.MIGRATIONS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void eachAlertOnceAcrossInterimRecordsAndEveryRecordUpdatesItsEvent() throws Exception {
    start(Flows.samplePolicy());
    for (int seq = 0; seq < 3; seq++) {
      flows.pipeInput(
          bytes(
              Flows.flow("192.168.50.11", "192.168.50.12", 8000)
                  .protocol("vmotion")
                  .verdict(Verdict.PLAINTEXT, "text")
                  .seq(seq)
                  .json()
                  .toString()));
    }
    List<byte[]> out = alerts.readValuesToList();
    assertThat(out).hasSize(1);
    assertThat(RecordJson.alert(out.get(0)).rule()).isEqualTo(RuleId.UNENCRYPTED_MIGRATION);
    assertThat(RecordJson.alert(out.get(0)).eventId()).isNotNull();
    assertThat(events.readValuesToList()).hasSize(3);
    KeyValueStore<String, byte[]> raised = driver.getKeyValueStore(RaisedAlertStore.NAME);
    assertThat(raised.approximateNumEntries()).isEqualTo(1);
  }

  @Test
  void aStoredEventTurnsToTheHostThatSendsThePulledMemory() throws Exception {
    start(Flows.samplePolicy());
    // the destination .12 opened the connection; the memory comes back from .11 from seq 1 on
    for (int seq = 0; seq < 2; seq++) {
      flows.pipeInput(bytes(fromDestination(40001, 4096, seq == 0 ? 4096 : 1 << 20, seq)));
    }
    // a second, small stream joins the event: the stored first stream keeps its direction
    flows.pipeInput(bytes(fromDestination(40002, 2048, 2048, 0)));
    List<MigrationEvent> out =
        events.readValuesToList().stream().map(FlowProcessorTest::event).toList();
    assertThat(out).hasSize(3);
    assertThat(out.get(0).src()).as("no bulk yet").isEqualTo("192.168.50.12");
    for (MigrationEvent e : out.subList(1, 3)) {
      assertThat(e.src()).isEqualTo("192.168.50.11");
      assertThat(e.dst()).isEqualTo("192.168.50.12");
      assertThat(e.eventId()).isEqualTo(out.get(0).eventId());
    }
    assertThat(out.get(2).streams()).isEqualTo(2);
  }

  /** A QEMU migration to TCP 5000, which no catalog lists, in clear. */
  private static String qemuMainChannel() {
    return Flows.flow("192.168.50.11", "192.168.50.12", 5000)
        .srcPort(41011)
        .signature(Signature.QEMU)
        .verdict(Verdict.PLAINTEXT, "qemu framing in clear")
        .bytes(1 << 20)
        .json()
        .toString();
  }

  /** A connection .11 opened to .12 on {@code port} that carried nothing, ended. */
  private static String emptyConnection(int port, int srcPort) {
    return Flows.flow("192.168.50.11", "192.168.50.12", port)
        .srcPort(srcPort)
        .payload(0, 0)
        .last()
        .json()
        .toString();
  }

  @Test
  void aConnectionToTheListenerOfAQemuMigrationIsAnotherChannelOfItWhicheverComesFirst()
      throws Exception {
    for (boolean mainFirst : new boolean[] {true, false}) {
      close();
      start(Flows.samplePolicy());
      // the postcopy preempt channel, empty (the migration ended in precopy), and a connection
      // between the same hosts to another port of the migration network
      List<String> records =
          new java.util.ArrayList<>(
              List.of(emptyConnection(5000, 41015), emptyConnection(5001, 41017)));
      records.add(mainFirst ? 0 : records.size(), qemuMainChannel());
      records.forEach(r -> flows.pipeInput(bytes(r)));
      driver.advanceWallClockTime(Duration.ofSeconds(31)); // past the grace of empty connections
      List<Alert> out = alerts.readValuesToList().stream().map(FlowProcessorTest::alert).toList();
      assertThat(out)
          .as(mainFirst ? "main channel first" : "main channel last")
          .extracting(Alert::rule, Alert::dstPort)
          .containsExactlyInAnyOrder(
              tuple(RuleId.UNENCRYPTED_MIGRATION, 5000),
              tuple(RuleId.SHARED_MIGRATION_SEGMENT, 5001));
      List<MigrationEvent> migrations =
          events.readValuesToList().stream().map(FlowProcessorTest::event).toList();
      MigrationEvent last = migrations.get(migrations.size() - 1);
      assertThat(last.streams()).isEqualTo(2);
      assertThat(last.protocol()).isEqualTo("qemu");
    }
  }

  private static Alert alert(byte[] json) {
    try {
      return RecordJson.alert(json);
    } catch (RecordJson.MalformedRecordException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A vMotion record of a connection .12 opened to .11, with the payload of each direction. */
  private static String fromDestination(int srcPort, long toDst, long toSrc, int seq) {
    return Flows.flow("192.168.50.12", "192.168.50.11", 8000)
        .srcPort(srcPort)
        .protocol("vmotion")
        .verdict(Verdict.PLAINTEXT, "text")
        .bytes(3 << 20)
        .payload(toDst, toSrc)
        .seq(seq)
        .json()
        .toString();
  }

  private static MigrationEvent event(byte[] json) {
    try {
      return RecordJson.migrationEvent(json);
    } catch (RecordJson.MalformedRecordException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void raisedAlertsAreForgottenATimeAfterTheFlowsLastRecordNotByCount() {
    start(Flows.samplePolicy());
    flows.pipeInput(
        bytes(
            Flows.flow("192.168.50.11", "192.168.50.12", 8000)
                .protocol("vmotion")
                .verdict(Verdict.PLAINTEXT, "text")
                .json()
                .toString()));
    KeyValueStore<String, byte[]> raised = driver.getKeyValueStore(RaisedAlertStore.NAME);
    driver.advanceWallClockTime(Duration.ofMinutes(30));
    assertThat(raised.approximateNumEntries()).as("within the retention").isEqualTo(1);
    driver.advanceWallClockTime(Duration.ofMinutes(32));
    assertThat(raised.approximateNumEntries()).as("an hour after the last record").isZero();
    assertThat(driver.getKeyValueStore(StoreEventStorage.NAME).approximateNumEntries())
        .as("event idle")
        .isZero();
  }

  /** Agents' heartbeats share migaudit.flows: counted as heartbeats, never judged nor malformed. */
  @Test
  void aHeartbeatIsCountedAndNeverJudged() throws Exception {
    start(Flows.samplePolicy());
    flows.pipeInput(
        RecordJson.toBytes(AgentHeartbeat.of("esx-01", NOW, 30, List.of("vmk1"), 10, 2)));
    flows.pipeInput(
        bytes(
            Flows.flow("192.168.50.11", "192.168.50.12", 8000)
                .protocol("vmotion")
                .verdict(Verdict.PLAINTEXT, "text")
                .json()
                .toString()));
    assertThat(alerts.readValuesToList()).hasSize(1);
    assertThat(
            registry
                .find(AnalyzerMetrics.RECORDS)
                .tag(AnalyzerMetrics.TAG_OUTCOME, AnalyzerMetrics.OUTCOME_HEARTBEAT)
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .find(AnalyzerMetrics.RECORDS)
                .tag(AnalyzerMetrics.TAG_OUTCOME, "fields")
                .counter()
                .count())
        .as("not malformed")
        .isZero();
  }

  @Test
  void aPoisonKerberosRecordIsCountedAndTheNextRecordsAreJudged() throws Exception {
    start(Flows.samplePolicy());
    ObjectNode poison = Flows.flow("10.66.0.21", "10.66.0.5", 88).json();
    poison
        .putObject("kerberos")
        .putArray("requests")
        .addObject()
        .put("type", "TGS-REQ")
        .putNull("service")
        .put("realm", "CORP");
    flows.pipeInput(bytes(poison.toString()));
    flows.pipeInput(
        bytes(
            Flows.flow("192.168.50.11", "192.168.50.12", 8000)
                .protocol("vmotion")
                .verdict(Verdict.PLAINTEXT, "text")
                .json()
                .toString()));
    assertThat(alerts.readValuesToList()).hasSize(1);
    assertThat(
            registry
                .find(AnalyzerMetrics.RECORDS)
                .tag(AnalyzerMetrics.TAG_OUTCOME, "fields")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void credSspIsJudgedAfterTheGracePeriodSoLateKerberosEvidenceCounts() throws Exception {
    Policy policy = Flows.samplePolicy().withHyperv(CredSspMigrationRuleTest.hyperv());
    start(policy);
    FlowRecord migration =
        KerberosEvidenceTest.migration(
            "10.66.0.21", "10.66.0.22", 6600, "hyperv", Flows.T0.plusSeconds(3));
    flows.pipeInput(
        RecordJson.toBytes(KerberosEvidenceTest.kdcFlow("10.10.0.21", Flows.T0, "HTTP/intranet")));
    flows.pipeInput(RecordJson.toBytes(migration));
    assertThat(alerts.readValuesToList()).as("within the grace period").isEmpty();
    driver.advanceWallClockTime(Duration.ofSeconds(31));
    List<byte[]> out = alerts.readValuesToList();
    assertThat(out).hasSize(1);
    assertThat(RecordJson.alert(out.get(0)).rule()).isEqualTo(RuleId.CREDSSP_MIGRATION);

    FlowRecord second =
        KerberosEvidenceTest.migration(
            "10.66.0.21", "10.66.0.22", 6600, "hyperv", Flows.T0.plusSeconds(600));
    flows.pipeInput(RecordJson.toBytes(second));
    flows.pipeInput(
        RecordJson.toBytes(
            KerberosEvidenceTest.kdcFlow(
                "10.10.0.21",
                Flows.T0.plusSeconds(590),
                CredSspMigrationRuleTest.VSMS + "/hv-02.corp.example")));
    driver.advanceWallClockTime(Duration.ofSeconds(31));
    assertThat(alerts.readValuesToList())
        .as("evidence that came after the migration's record, in the grace")
        .isEmpty();
  }

  /**
   * Anyone who can write to migaudit.kerberos can put evidence there that never passed the field
   * checks: a request without a service, a record without counters. It is left out, and the
   * migration is judged on the rest: here a host's ticket that is not a delegated one.
   */
  @Test
  void forgedKerberosEvidenceOnItsTopicIsLeftOutAndTheMigrationIsJudged() throws Exception {
    Policy policy = Flows.samplePolicy().withHyperv(CredSspMigrationRuleTest.hyperv());
    start(policy);
    TestInputTopic<byte[], byte[]> kerberos =
        driver.createInputTopic(
            Topics.KERBEROS,
            new ByteArraySerializer(),
            new ByteArraySerializer(),
            NOW,
            Duration.ZERO);
    ObjectNode noService =
        (ObjectNode)
            new ObjectMapper()
                .readTree(
                    RecordJson.toBytes(
                        KerberosEvidenceTest.kdcFlow(
                            "10.10.0.21",
                            Flows.T0,
                            CredSspMigrationRuleTest.VSMS + "/hv-02.corp.example")));
    ((ObjectNode) noService.get("kerberos").get("requests").get(0)).putNull("service");
    kerberos.pipeInput(bytes("10.10.0.21|forged-1"), bytes(noService.toString()));
    ObjectNode noFields = noService.deepCopy();
    noFields.remove(List.of("kerberos", "srcToDst", "dstToSrc", "transport"));
    kerberos.pipeInput(bytes("10.10.0.21|forged-2"), bytes(noFields.toString()));
    flows.pipeInput(
        RecordJson.toBytes(KerberosEvidenceTest.kdcFlow("10.10.0.21", Flows.T0, "HTTP/intranet")));
    flows.pipeInput(
        RecordJson.toBytes(
            KerberosEvidenceTest.migration(
                "10.66.0.21", "10.66.0.22", 6600, "hyperv", Flows.T0.plusSeconds(3))));
    driver.advanceWallClockTime(Duration.ofSeconds(31));
    List<byte[]> out = alerts.readValuesToList();
    assertThat(out).hasSize(1);
    assertThat(RecordJson.alert(out.get(0)).rule()).isEqualTo(RuleId.CREDSSP_MIGRATION);
    assertThat(
            registry
                .find(AnalyzerMetrics.RECORDS)
                .tag(AnalyzerMetrics.TAG_OUTCOME, AnalyzerMetrics.OUTCOME_ERROR)
                .counter())
        .as("judging did not fail")
        .satisfiesAnyOf(c -> assertThat(c).isNull(), c -> assertThat(c.count()).isZero());
  }

  /**
   * With record keys, only values signed with the key of the agent they name are judged: a
   * plaintext migration record forged onto the topic unsigned, signed with another agent's key, or
   * naming an agent without a key, raises nothing and is counted; the agent's own is judged.
   */
  @Test
  void withRecordKeysOnlyValuesSignedByTheirAgentAreJudged() throws Exception {
    RecordKey esx01 = new RecordKey(new byte[32]);
    byte[] other = new byte[32];
    other[0] = 9;
    RecordKey esx02 = new RecordKey(other);
    byte[] ownSecret = new byte[32];
    ownSecret[7] = 3;
    RecordKey own = new RecordKey(ownSecret);
    start(Flows.samplePolicy(), new RecordKeys(Map.of("esx-01", esx01, "esx-02", esx02)), own);
    byte[] plaintext =
        bytes(
            Flows.flow("192.168.50.11", "192.168.50.12", 8000)
                .protocol("vmotion")
                .verdict(Verdict.PLAINTEXT, "text")
                .json()
                .put("agent", "esx-01")
                .toString());
    flows.pipeInput(new TestRecord<>(null, plaintext));
    flows.pipeInput(signed(plaintext, esx02));
    ObjectNode stranger = (ObjectNode) new ObjectMapper().readTree(plaintext);
    stranger.put("agent", "intruder");
    flows.pipeInput(signed(bytes(stranger.toString()), esx01));
    AgentHeartbeat beat = AgentHeartbeat.of("esx-01", Flows.T0, 30, List.of("vmk1"), 10, 2);
    flows.pipeInput(new TestRecord<>(null, RecordJson.toBytes(beat)));
    assertThat(alerts.readValuesToList()).as("nothing judged yet").isEmpty();
    assertThat(outcome(AnalyzerMetrics.OUTCOME_UNSIGNED)).isEqualTo(2);
    assertThat(outcome(AnalyzerMetrics.OUTCOME_BAD_SIGNATURE)).isEqualTo(2);

    flows.pipeInput(signed(plaintext, esx01));
    var out = alerts.readRecordsToList();
    assertThat(out).hasSize(1);
    assertThat(outcome(AnalyzerMetrics.OUTCOME_OK)).isEqualTo(1);
    assertThat(
            own.verifies(
                out.get(0).value(), out.get(0).headers().lastHeader(RecordKey.HEADER).value()))
        .as("the alert carries this analyzer's own signature")
        .isTrue();
    var event = events.readRecordsToList();
    assertThat(event).isNotEmpty();
    assertThat(
            own.verifies(
                event.get(0).value(), event.get(0).headers().lastHeader(RecordKey.HEADER).value()))
        .isTrue();
  }

  private static TestRecord<byte[], byte[]> signed(byte[] value, RecordKey key) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(RecordKey.HEADER, key.sign(value));
    return new TestRecord<>(null, value, headers, NOW);
  }

  private double outcome(String outcome) {
    var c =
        registry.find(AnalyzerMetrics.RECORDS).tag(AnalyzerMetrics.TAG_OUTCOME, outcome).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aSecondAgentTenSecondsApartAndARecordDated2099LeaveTheEventUnchanged() throws Exception {
    start(Flows.samplePolicy());
    ObjectNode first =
        Flows.flow("192.168.50.11", "192.168.50.12", 8000)
            .protocol("vmotion")
            .verdict(Verdict.PLAINTEXT, "text")
            .json();
    flows.pipeInput(bytes(first.toString()));
    ObjectNode otherEnd =
        first
            .deepCopy()
            .put("agent", "esx-b")
            .put("firstSeen", Flows.T0.minusSeconds(10).toString())
            .put("lastSeen", Flows.T0.minusSeconds(9).toString());
    otherEnd.put(
        "flowId",
        FlowId.of(
            "tcp", "192.168.50.11", 51000, "192.168.50.12", 8000, null, Flows.T0.minusSeconds(10)));
    flows.pipeInput(bytes(otherEnd.toString()));
    flows.pipeInput(
        bytes(
            Flows.flow("203.0.113.1", "203.0.113.2", 80)
                .json()
                .put("firstSeen", "2099-01-01T00:00:00Z")
                .put("lastSeen", "2099-01-01T00:00:01Z")
                .toString()));
    assertThat(alerts.readValuesToList())
        .as("one alert: the other end's record is the same flow")
        .hasSize(1);
    List<byte[]> updates = events.readValuesToList();
    assertThat(updates).hasSize(2);
    var before = RecordJson.migrationEvent(updates.get(0));
    var after = RecordJson.migrationEvent(updates.get(1));
    assertThat(after.eventId()).isEqualTo(before.eventId());
    assertThat(after.streams()).isEqualTo(1);
    assertThat(after.start()).isEqualTo(before.start());
    assertThat(after.flowIds()).isEqualTo(before.flowIds());
    driver.advanceWallClockTime(Duration.ofSeconds(61));
    assertThat(driver.getKeyValueStore(StoreEventStorage.NAME).approximateNumEntries())
        .as("the 2099 record expired nothing")
        .isEqualTo(1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
