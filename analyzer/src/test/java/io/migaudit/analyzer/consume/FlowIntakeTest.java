package io.migaudit.analyzer.consume;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.RecordJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Hostile and broken values: each one a counted outcome, never an exception. */
class FlowIntakeTest {
  private static final long SENT = Flows.T0.plusSeconds(5).toEpochMilli();

  private final FlowIntake intake = new FlowIntake();

  @Test
  void aGoodRecordIsReadUnchanged() {
    FlowIntake.Read read = intake.read(bytes(good()), SENT, "t-0 offset 0");
    assertThat(read.outcome()).isEqualTo(AnalyzerMetrics.OUTCOME_OK);
    assertThat(read.clamped()).isFalse();
    assertThat(read.record().firstSeen()).isEqualTo(Flows.T0);
  }

  /** Agents' heartbeats share migaudit.flows: read as heartbeats, neither judged nor malformed. */
  @Test
  void aHeartbeatIsReadAsOne() {
    AgentHeartbeat h = AgentHeartbeat.of("esx-01", Flows.T0, 30, List.of("vmk1"), 10, 2);
    FlowIntake.Read read = intake.read(RecordJson.toBytes(h), SENT, "t-0 offset 0");
    assertThat(read.outcome()).isEqualTo(AnalyzerMetrics.OUTCOME_HEARTBEAT);
    assertThat(read.record()).isNull();
    assertThat(read.heartbeat()).isEqualTo(h);
    assertThat(
            intake
                .read(
                    "{\"schemaVersion\":1,\"kind\":\"heartbeat\"}".getBytes(StandardCharsets.UTF_8),
                    SENT,
                    "t-0 offset 1")
                .outcome())
        .as("a heartbeat without agent and time is malformed")
        .isNotEqualTo(AnalyzerMetrics.OUTCOME_HEARTBEAT);
  }

  @Test
  void aKerberosRequestWithoutServiceIsSkippedAsFields() {
    assertThat(outcome(kdcFlow(q -> q.putNull("service"))))
        .isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(kdcFlow(q -> q.remove("realm")))).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(kdcFlow(q -> q.put("service", "x".repeat(5000)))))
        .isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
  }

  @Test
  void tooManyKerberosRequestsAreSkipped() {
    ObjectNode o = kdcFlow(q -> {});
    ArrayNode requests = (ArrayNode) o.get("kerberos").get("requests");
    for (int i = 0; i < 20; i++) {
      requests.addObject().put("type", "TGS-REQ").put("service", "cifs/h" + i).put("realm", "R");
    }
    assertThat(outcome(o)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
  }

  @Test
  void outOfRangeNumbersAndHugeFieldsAreSkipped() {
    assertThat(outcome(good().put("dstPort", 70000))).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("srcPort", -1))).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("vlan", 5000))).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("vni", 1 << 24))).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("vni", -1))).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("vni", (1 << 24) - 1)))
        .isNotEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("ipVersion", 5))).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("agent", "a".repeat(10_000))))
        .isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode flags = good();
    ArrayNode list = flags.putArray("tcpFlags");
    for (int i = 0; i < 1000; i++) {
      list.add("SYN");
    }
    assertThat(outcome(flags)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode negative = good();
    ((ObjectNode) negative.get("srcToDst")).put("bytes", -5);
    assertThat(outcome(negative)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode entropy = good();
    ((ObjectNode) entropy.get("payload")).put("entropy", 9.5);
    assertThat(outcome(entropy)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("lastSeen", "2020-01-01T00:00:00Z")))
        .as("ends before it starts")
        .isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
  }

  /**
   * Capture times no capture clock gives (found by FlowRecordFuzzTest: a migration record dated
   * 1013 made the event's duration overflow, and the record went unjudged).
   */
  @Test
  void captureTimesBeforeTheEpochOrAfterTheYear9999AreSkipped() {
    assertThat(outcome(good().put("firstSeen", "1013-11-23T11:14:41.030254Z")))
        .isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("firstSeen", "1969-12-31T23:59:59.999999Z")))
        .isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(outcome(good().put("firstSeen", "1970-01-01T00:00:00Z")))
        .as("the epoch itself")
        .isEqualTo(AnalyzerMetrics.OUTCOME_OK);
    FlowIntake noClamp = new FlowIntake(null);
    assertThat(
            noClamp
                .read(bytes(good().put("lastSeen", "+10000-01-01T00:00:00Z")), -1, "t-0 offset 0")
                .outcome())
        .isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    assertThat(
            noClamp
                .read(bytes(good().put("lastSeen", "9999-12-31T23:59:59Z")), -1, "t-0 offset 1")
                .outcome())
        .isEqualTo(AnalyzerMetrics.OUTCOME_OK);
  }

  /** Stream, TTL and handshake evidence, forged or broken, as the rest of a record. */
  @Test
  void forgedEvidenceIsSkippedAsFields() {
    ObjectNode ok = withEvidence();
    assertThat(outcome(ok)).as("sane evidence").isEqualTo(AnalyzerMetrics.OUTCOME_OK);

    ObjectNode negative = withEvidence();
    ((ObjectNode) negative.get("stream")).put("gapBytes", -1);
    assertThat(outcome(negative)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode ttl = withEvidence();
    ((ObjectNode) ttl.get("ttl").get("srcToDst")).put("max", 300);
    assertThat(outcome(ttl)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode inverted = withEvidence();
    ((ObjectNode) inverted.get("ttl").get("dstToSrc")).put("min", 65).put("max", 60);
    assertThat(outcome(inverted)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode cipher = withEvidence();
    ((ObjectNode) cipher.get("handshake").get("tls")).put("cipherSuite", "A".repeat(100_000));
    assertThat(outcome(cipher)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode versions = withEvidence();
    ArrayNode offered =
        ((ObjectNode) versions.get("handshake").get("tls")).putArray("offeredVersions");
    for (int i = 0; i < 5000; i++) {
      offered.add("TLSv1.3");
    }
    assertThat(outcome(versions)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode ike = withEvidence();
    ArrayNode transforms = ((ObjectNode) ike.get("handshake")).putObject("ike").putArray("offered");
    for (int i = 0; i < 1000; i++) {
      transforms.add("ENCR_AES_GCM_16-256");
    }
    assertThat(outcome(ike)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode esp = withEvidence();
    ((ObjectNode) esp.get("handshake"))
        .putObject("esp")
        .put("encryption", "null")
        .put("packets", -3);
    assertThat(outcome(esp)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode keyBits = withEvidence();
    ((ObjectNode) keyBits.get("handshake").get("tls"))
        .putObject("certificate")
        .put("keyBits", -2048);
    assertThat(outcome(keyBits)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
  }

  /** A routed tunnel names its kind and two bounded endpoints, or the record is skipped. */
  @Test
  void forgedTunnelsAreSkippedAsFields() {
    ObjectNode ok = good();
    ok.putObject("tunnel").put("kind", "ip-in-ip").putArray("endpoints").add("10.0.0.1").add("::1");
    assertThat(outcome(ok)).as("a sane tunnel").isEqualTo(AnalyzerMetrics.OUTCOME_OK);

    ObjectNode three = good();
    three
        .putObject("tunnel")
        .put("kind", "gre")
        .putArray("endpoints")
        .add("10.0.0.1")
        .add("10.0.0.2")
        .add("10.0.0.3");
    assertThat(outcome(three)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode kindless = good();
    kindless.putObject("tunnel").putArray("endpoints").add("10.0.0.1").add("10.0.0.2");
    assertThat(outcome(kindless)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode longEndpoint = good();
    longEndpoint
        .putObject("tunnel")
        .put("kind", "gre")
        .putArray("endpoints")
        .add("10.0.0.1")
        .add("9".repeat(100_000));
    assertThat(outcome(longEndpoint)).isEqualTo(AnalyzerMetrics.OUTCOME_FIELDS);
    ObjectNode wrongShape = good().put("tunnel", "10.0.0.1-10.0.0.2");
    assertThat(outcome(wrongShape)).isNotEqualTo(AnalyzerMetrics.OUTCOME_OK);
  }

  private static ObjectNode withEvidence() {
    ObjectNode o = good();
    o.putObject("stream")
        .put("midStream", false)
        .put("outOfWindowSegments", 0)
        .put("retransmittedSegments", 2)
        .put("gapBytes", 0);
    ObjectNode ttl = o.putObject("ttl");
    ttl.putObject("srcToDst").put("min", 63).put("max", 64);
    ttl.putObject("dstToSrc").put("min", 64).put("max", 64);
    o.putObject("handshake")
        .putObject("tls")
        .put("version", "TLSv1.3")
        .put("cipherSuite", "TLS_AES_256_GCM_SHA384")
        .putArray("offeredVersions")
        .add("TLSv1.3");
    return o;
  }

  @Test
  void aRecordDatedFarAheadOfItsKafkaTimestampIsClampedAndJudged() {
    FlowIntake.Read read =
        intake.read(
            bytes(
                good()
                    .put("firstSeen", "2099-01-01T00:00:00Z")
                    .put("lastSeen", "2099-01-01T00:00:01Z")),
            SENT,
            "t-0 offset 7");
    assertThat(read.outcome()).isEqualTo(AnalyzerMetrics.OUTCOME_OK);
    assertThat(read.clamped()).isTrue();
    assertThat(read.record().lastSeen()).isEqualTo(Instant.ofEpochMilli(SENT));
    assertThat(read.record().firstSeen()).isEqualTo(Instant.ofEpochMilli(SENT));
  }

  @Test
  void aSmallLeadIsAClockDifferenceAndStays() {
    long sentEarlier = Flows.T0.minusSeconds(10).toEpochMilli();
    FlowIntake.Read read = intake.read(bytes(good()), sentEarlier, "t-0 offset 8");
    assertThat(read.clamped()).isFalse();
    assertThat(read.record().firstSeen()).isEqualTo(Flows.T0);
  }

  @Test
  void tombstonesHugeValuesAndBadJsonHaveTheirKinds() {
    assertThat(intake.read(null, SENT, "w").outcome()).isEqualTo(AnalyzerMetrics.OUTCOME_EMPTY);
    assertThat(intake.read(new byte[FlowIntake.MAX_RECORD_BYTES + 1], SENT, "w").outcome())
        .isEqualTo(AnalyzerMetrics.OUTCOME_TOO_LARGE);
    assertThat(intake.read("{".getBytes(StandardCharsets.UTF_8), SENT, "w").outcome())
        .isEqualTo("json");
  }

  private String outcome(ObjectNode o) {
    FlowIntake.Read read = intake.read(bytes(o), SENT, "t-0 offset 1");
    assertThat(read.record() == null)
        .as("skipped records carry no record")
        .isEqualTo(!AnalyzerMetrics.OUTCOME_OK.equals(read.outcome()));
    return read.outcome();
  }

  private static ObjectNode good() {
    return Flows.flow("192.168.50.11", "192.168.50.12", 8000).protocol("vmotion").json();
  }

  /** A flow to a KDC with one well-formed request, then {@code edit} applied to that request. */
  static ObjectNode kdcFlow(Consumer<ObjectNode> edit) {
    ObjectNode o = Flows.flow("10.66.0.21", "10.66.0.5", 88).json();
    ObjectNode q =
        o.putObject("kerberos")
            .putArray("requests")
            .addObject()
            .put("type", "TGS-REQ")
            .put("service", "Microsoft Virtual System Migration Service/hv-02")
            .put("realm", "CORP");
    edit.accept(q);
    return o;
  }

  private static byte[] bytes(ObjectNode o) {
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }
}
