package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.FlowRecordSerializer;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.analyzer.stream.AnalyzerTopology;
import io.migaudit.analyzer.stream.Progress;
import io.migaudit.analyzer.stream.StreamsSettings;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every sample as a named fast test, without a broker: the capture agent's {@link CaptureWorkers}
 * publish each sample's captures through the real {@link FlowPublisher} into a {@link
 * MockProducer}, and the analyzer's real topology ({@link AnalyzerTopology}, the one {@code
 * migaudit analyzer} runs on Kafka Streams, with its alert de-duplication and Kerberos table)
 * judges those records on Kafka Streams' {@link TopologyTestDriver}. Each sample must give its
 * {@code expect.yaml}: the migration flows by protocol and verdict of their final record, exactly
 * the alerts by rule and severity, and the malformed packets and cut files its decoders count.
 * {@code ReplayIT} runs the same samples through a real broker.
 */
class SamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Two workers, so that the shared reading and the per-worker flow tables run as in the replay.
   */
  private static final int WORKERS = 2;

  private static final Map<String, PipelineCounters> countersBySample = new HashMap<>();
  private static final List<byte[]> judged = new ArrayList<>();
  private static final List<JsonNode> flows = new ArrayList<>();
  private static final List<JsonNode> alerts = new ArrayList<>();

  /**
   * The records as the analyzer judged them, labelled with their migration protocol (as
   * flows.jsonl).
   */
  private static final FlowObserver JUDGED =
      new FlowObserver() {
        @Override
        public void onRecord(FlowRecord record, boolean migration, String protocol) {
          judged.add(RecordJson.toBytes(record));
        }

        @Override
        public void onLateMigration(FlowRecord record, String protocol) {
          judged.add(RecordJson.toBytes(record)); // a channel of a migration: its protocol set
        }
      };

  @BeforeAll
  static void runSamplesWithoutBroker() throws Exception {
    Policy policy = PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml"));
    runAnalyzer(policy, runAgent(policy));
  }

  /** The agent over each sample's captures, with counters of its own per sample. */
  private static List<ProducerRecord<byte[], FlowRecord>> runAgent(Policy policy) throws Exception {
    MockProducer<byte[], FlowRecord> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new FlowRecordSerializer());
    AgentConfig config = AgentConfig.defaults("samples-test").withCatalog(policy.catalog());
    try (FlowPublisher publisher = new FlowPublisher(producer)) {
      for (Path dir : SampleExpectation.directories().toList()) {
        PipelineCounters counters = new PipelineCounters();
        countersBySample.put(dir.getFileName().toString(), counters);
        new FileAgent(config, publisher, counters, WORKERS).read(CaptureFiles.expand(List.of(dir)));
      }
      publisher.flush();
      return new ArrayList<>(producer.history());
    }
  }

  /**
   * The analyzer's topology over the records, then past the grace a Hyper-V flow waits for
   * Kerberos.
   */
  private static void runAnalyzer(Policy policy, List<ProducerRecord<byte[], FlowRecord>> published)
      throws Exception {
    RuleEngine engine = new RuleEngine(policy);
    AnalyzerMetrics metrics = new AnalyzerMetrics(new SimpleMeterRegistry(), engine.protocols());
    Path state = Files.createTempDirectory("samples-test-state");
    AnalyzerConfig config =
        AnalyzerConfig.defaults(new KafkaSettings("127.0.0.1:1", Map.of()), "samples-test", state)
            .withJudgeGrace(AnalyzerConfig.REPLAY_JUDGE_GRACE);
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            AnalyzerTopology.build(config, () -> engine, metrics, JUDGED, new Progress(), false),
            StreamsSettings.of(config))) {
      TestInputTopic<byte[], byte[]> in =
          driver.createInputTopic(
              Topics.FLOWS, new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<byte[], byte[]> out =
          driver.createOutputTopic(
              Topics.ALERTS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      for (ProducerRecord<byte[], FlowRecord> r : published) {
        in.pipeInput(r.key(), RecordJson.toBytes(r.value()));
      }
      driver.advanceWallClockTime(
          AnalyzerConfig.REPLAY_JUDGE_GRACE.multipliedBy(2).plus(Duration.ofSeconds(1)));
      for (byte[] flow : judged) {
        flows.add(JSON.readTree(flow));
      }
      for (byte[] alert : out.readValuesToList()) {
        alerts.add(JSON.readTree(alert));
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everySampleGivesItsExpectation() throws Exception {
    assertThat(flows).as("flow records of the samples").isNotEmpty();
    assertThat(alerts).as("alerts of the samples").isNotEmpty();
    return SampleExpectation.directories()
        .map(
            dir ->
                DynamicTest.dynamicTest(
                    dir.getFileName().toString(),
                    () -> {
                      SampleExpectation expected = SampleExpectation.read(dir);
                      Map<String, Integer> migrationFlows =
                          SampleTally.migrationFlows(flows, expected.name());
                      Map<String, Integer> raised = SampleTally.alerts(alerts, expected.name());
                      PipelineCounters counters = countersBySample.get(expected.name());
                      assertThat(migrationFlows)
                          .as("migration flows of " + expected.name())
                          .isEqualTo(expected.migrationFlows());
                      assertThat(raised)
                          .as("alerts of " + expected.name())
                          .isEqualTo(expected.alerts());
                      assertThat(counters.malformed())
                          .as("malformed packets of " + expected.name())
                          .isEqualTo(expected.malformedPackets());
                      assertThat(counters.truncatedFiles())
                          .as("cut files of " + expected.name())
                          .isEqualTo(expected.truncatedFiles());
                      assertThat(counters.macsecEncrypted())
                          .as("MACsec-encrypted frames of " + expected.name())
                          .isEqualTo(expected.macsecEncryptedFrames());
                      assertThat(counters.tunnelFragments())
                          .as("tunnel packets in first IP fragments of " + expected.name())
                          .isEqualTo(expected.tunnelFragments());
                      assertThat(counters.reassembled())
                          .as("fragmented packets put back together in " + expected.name())
                          .isEqualTo(expected.reassembledPackets());
                      assertThat(counters.reassemblyConflicts())
                          .as("fragmented packets whose pieces disagree in " + expected.name())
                          .isEqualTo(expected.reassemblyConflicts());
                      assertThat(counters.reassemblyIncomplete())
                          .as("fragmented packets never put together in " + expected.name())
                          .isZero();
                    }));
  }

  /**
   * VM memory stays on the host, field by field: no string field of any record the agent published
   * holds a run of {@value #WINDOW} printable payload bytes of the samples' captures. Left out are
   * the fields whose strings come from payload by design, {@code handshake} (TLS and SSH names) and
   * {@code kerberos} (service and realm names), which the records exist to show, and the packet
   * headers' addresses {@code src} and {@code dst}, which protocols also write into their payload.
   * {@code ReplayIT} checks the whole outputs of the real pipeline for longer runs.
   */
  @Test
  void recordStringFieldsHoldNoPayloadBytes() throws Exception {
    Set<String> payload = new HashSet<>();
    for (Path file : CaptureFiles.expand(List.of(SampleExpectation.SAMPLES))) {
      printableWindows(file, payload);
    }
    assertThat(payload).as("printable payload windows of the samples").hasSizeGreaterThan(1000);
    List<String> strings = new ArrayList<>();
    flows.forEach(f -> stringsOf(f, strings));
    assertThat(strings).as("string fields of the records").hasSizeGreaterThan(flows.size());
    for (String text : strings) {
      for (int i = 0; i + WINDOW <= text.length(); i++) {
        assertThat(payload.contains(text.substring(i, i + WINDOW)))
            .as(
                "payload bytes \""
                    + text.substring(i, i + WINDOW)
                    + "\" in record field \""
                    + text
                    + "\"")
            .isFalse();
      }
    }
  }

  /**
   * Shorter runs match the English of the records' own reasons in the samples' readable payload
   * (e.g. "ed by th"); 16 bytes of a capture are specific to it.
   */
  private static final int WINDOW = 16;

  private static final Set<String> METADATA_FROM_PAYLOAD =
      Set.of("handshake", "kerberos", "src", "dst");

  /** Every string of a record's JSON but those of {@link #METADATA_FROM_PAYLOAD}. */
  private static void stringsOf(JsonNode node, List<String> into) {
    if (node.isTextual()) {
      into.add(node.asText());
    }
    node.fields()
        .forEachRemaining(
            e -> {
              if (!METADATA_FROM_PAYLOAD.contains(e.getKey())) {
                stringsOf(e.getValue(), into);
              }
            });
    if (node.isArray()) {
      node.forEach(n -> stringsOf(n, into));
    }
  }

  private static void printableWindows(Path capture, Set<String> into) throws Exception {
    PacketDecoder decoder = new PacketDecoder();
    CapturedPacket in = new CapturedPacket();
    DecodedPacket p = new DecodedPacket();
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      while (source.next(in)) {
        if (decoder.decode(in, p) != DecodeIssue.NONE || p.payloadCapturedLength < WINDOW) {
          continue;
        }
        byte[] bytes = new byte[p.payloadCapturedLength];
        p.frame.get(p.payloadOffset, bytes);
        int printable = 0;
        for (int i = 0; i < bytes.length; i++) {
          printable = bytes[i] >= 0x20 && bytes[i] <= 0x7e ? printable + 1 : 0;
          if (printable >= WINDOW) {
            into.add(window(bytes, i - WINDOW + 1));
          }
        }
      }
    }
  }

  private static String window(byte[] bytes, int from) {
    return new String(bytes, from, WINDOW, StandardCharsets.ISO_8859_1);
  }
}
