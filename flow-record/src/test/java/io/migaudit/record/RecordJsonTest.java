package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordJsonTest {

  static FlowRecord sample() {
    return sample(
        new PayloadFeatures(
            65536,
            5.12,
            41234.5,
            0.25,
            0.41,
            Signature.VMOTION,
            Verdict.PLAINTEXT,
            "byte histogram far from uniform"));
  }

  /** The sample record with other payload features. */
  static FlowRecord sample(PayloadFeatures payload) {
    Instant first = Instant.parse("2026-11-23T10:02:00.123456Z");
    String flowId = FlowId.of("tcp", "192.168.50.11", 40022, "192.168.50.12", 8000, 50, first);
    return new FlowRecord(
        SchemaVersion.CURRENT,
        "esx-01",
        "eth1",
        flowId,
        0,
        false,
        null,
        first,
        Instant.parse("2026-11-23T10:02:01.000001Z"),
        50,
        null,
        List.of("ethernet", "vlan"),
        4,
        "tcp",
        "192.168.50.11",
        40022,
        "192.168.50.12",
        8000,
        "syn",
        new Counters(1200, 1_700_000, 1_650_000),
        new Counters(600, 31_200, 0),
        List.of("SYN", "ACK"),
        "vmotion",
        payload);
  }

  @Test
  void flowRecordMatchesGoldenFile() throws IOException {
    ObjectMapper plain = new ObjectMapper();
    JsonNode golden;
    try (InputStream in = getClass().getResourceAsStream("/flow-record-v1.json")) {
      golden = plain.readTree(in);
    }
    assertThat(plain.readTree(RecordJson.toBytes(sample()))).isEqualTo(golden);
  }

  /** A client's TCP connection to its KDC, with the one TGS request it made. */
  static FlowRecord kerberosSample() {
    Instant first = Instant.parse("2026-11-23T10:01:58.500000Z");
    String flowId = FlowId.of("tcp", "10.10.0.21", 52110, "10.10.0.2", 88, null, first);
    return new FlowRecord(
        SchemaVersion.CURRENT,
        "hv-01",
        "eth0",
        flowId,
        1,
        true,
        "fin",
        first,
        Instant.parse("2026-11-23T10:01:58.503000Z"),
        null,
        null,
        List.of("ethernet"),
        4,
        "tcp",
        "10.10.0.21",
        52110,
        "10.10.0.2",
        88,
        "syn",
        new Counters(6, 1477, 1149),
        new Counters(5, 1406, 1098),
        List.of("SYN", "ACK", "FIN"),
        null,
        new PayloadFeatures(
            2247, 7.1, 1500.2, 0.04, 0.3, Signature.NONE, Verdict.UNKNOWN, "not a migration"),
        new KerberosActivity(
            List.of(
                new KerberosRequest(
                    KerberosRequest.TGS_REQ,
                    "Microsoft Virtual System Migration Service/hv-02.corp.example",
                    "CORP.EXAMPLE"))));
  }

  @Test
  void kerberosRecordMatchesGoldenFileAndRoundTrips() throws Exception {
    ObjectMapper plain = new ObjectMapper();
    JsonNode golden;
    try (InputStream in = getClass().getResourceAsStream("/flow-record-kerberos-v1.json")) {
      golden = plain.readTree(in);
    }
    assertThat(plain.readTree(RecordJson.toBytes(kerberosSample()))).isEqualTo(golden);
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(kerberosSample())))
        .isEqualTo(kerberosSample());
  }

  /** A vMotion flow the agent picked up mid-stream, with a forged segment ignored. */
  static FlowRecord streamSample() {
    return sample().withStream(new StreamEvidence(true, 1, 12, 2896, 3));
  }

  @Test
  void streamEvidenceMatchesGoldenFileAndRoundTrips() throws Exception {
    ObjectMapper plain = new ObjectMapper();
    JsonNode golden;
    try (InputStream in = getClass().getResourceAsStream("/flow-record-stream-v1.json")) {
      golden = plain.readTree(in);
    }
    assertThat(plain.readTree(RecordJson.toBytes(streamSample()))).isEqualTo(golden);
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(streamSample()))).isEqualTo(streamSample());
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(streamSample())).midStream()).isTrue();
  }

  @Test
  void streamEvidenceOfAnAgentThatDidNotCountCutSegmentsReadsAsNoneCut() throws Exception {
    String line = RecordJson.toLine(streamSample()).replace(",\"cutSegments\":3", "");
    assertThat(line).doesNotContain("cutSegments");
    assertThat(RecordJson.flowRecord(line.getBytes(StandardCharsets.UTF_8)).stream())
        .isEqualTo(new StreamEvidence(true, 1, 12, 2896, 0));
    // records with Kerberos or a handshake are read by the mapper, not by hand
    String mapped =
        RecordJson.toLine(kerberosSample().withStream(streamSample().stream()))
            .replace(",\"cutSegments\":3", "");
    assertThat(mapped).contains("\"gapBytes\":2896}").contains("\"kerberos\"");
    assertThat(RecordJson.flowRecord(mapped.getBytes(StandardCharsets.UTF_8)).stream())
        .isEqualTo(new StreamEvidence(true, 1, 12, 2896, 0));
  }

  @Test
  void unremarkableStreamEvidenceIsLeftOut() throws Exception {
    FlowRecord r = sample().withStream(new StreamEvidence(false, 0, 0, 0, 0));
    assertThat(r.stream()).isNull();
    assertThat(RecordJson.toLine(r)).doesNotContain("stream");
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(sample())).midStream()).isFalse();
  }

  @Test
  void aRecordWithoutKerberosOmitsTheFieldAndReadsItAsNull() throws Exception {
    assertThat(RecordJson.toLine(sample())).doesNotContain("kerberos");
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(sample())).kerberos()).isNull();
    assertThat(sample().withKerberos(kerberosSample().kerberos()).withProtocol("hyperv").kerberos())
        .isEqualTo(kerberosSample().kerberos());
  }

  @Test
  void aReaderWithoutTheKerberosFieldStillReadsTheRecord() throws Exception {
    // what a reader built before the field sees: the same JSON less one unknown field
    ObjectMapper plain = new ObjectMapper();
    var json = (ObjectNode) plain.readTree(RecordJson.toBytes(kerberosSample()));
    assertThat(json.has("kerberos")).isTrue();
    json.put("unknownToThisReader", 1);
    assertThat(RecordJson.flowRecord(plain.writeValueAsBytes(json))).isEqualTo(kerberosSample());
    json.remove("kerberos");
    assertThat(RecordJson.flowRecord(plain.writeValueAsBytes(json)))
        .isEqualTo(kerberosSample().withKerberos(null));
  }

  @Test
  void serviceClassAndHostSplitTheServiceName() {
    KerberosRequest r = kerberosSample().kerberos().requests().get(0);
    assertThat(r.serviceClass()).isEqualTo("Microsoft Virtual System Migration Service");
    assertThat(r.serviceHost()).isEqualTo("hv-02.corp.example");
    assertThat(new KerberosRequest("TGS-REQ", "krbtgt", "R").serviceHost()).isNull();
    assertThat(new KerberosRequest("TGS-REQ", "a/b/c", "R").serviceHost()).isEqualTo("b");
  }

  @Test
  void flowRecordRoundTrips() throws Exception {
    FlowRecord r = sample();
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(r))).isEqualTo(r);
  }

  @Test
  void alertRoundTripsWithLowercaseEnums() throws Exception {
    FlowRecord r = sample();
    Alert a =
        new Alert(
            SchemaVersion.CURRENT,
            FlowId.alertId(RuleId.UNENCRYPTED_MIGRATION, r.flowId()),
            RuleId.UNENCRYPTED_MIGRATION,
            Severity.CRITICAL,
            "vmotion",
            r.src(),
            r.srcPort(),
            r.dst(),
            r.dstPort(),
            50,
            "esx-01",
            "eth1",
            r.flowId(),
            r.firstSeen(),
            r.lastSeen(),
            "required",
            Map.of("verdict", "plaintext"),
            "Unencrypted vMotion.");
    String line = RecordJson.toLine(a);
    assertThat(line)
        .contains("\"severity\":\"critical\"")
        .contains("\"rule\":\"UNENCRYPTED_MIGRATION\"");
    assertThat(RecordJson.alert(line.getBytes(StandardCharsets.UTF_8))).isEqualTo(a);
  }

  static Alert sampleAlert() {
    FlowRecord r = sample();
    return new Alert(
        SchemaVersion.CURRENT,
        FlowId.alertId(RuleId.UNENCRYPTED_MIGRATION, r.flowId()),
        RuleId.UNENCRYPTED_MIGRATION,
        Severity.CRITICAL,
        "vmotion",
        r.src(),
        r.srcPort(),
        r.dst(),
        r.dstPort(),
        50,
        "esx-01",
        "eth1",
        r.flowId(),
        r.firstSeen(),
        r.lastSeen(),
        "required",
        Map.of("verdict", "plaintext"),
        "Unencrypted vmotion migration.",
        List.of("NIST SC-8", "VMware SCG vm-9.vmotion-encrypted"),
        FlowId.eventId("vmotion", r.src(), r.dst(), r.firstSeen()));
  }

  static MigrationEvent sampleEvent() {
    FlowRecord r = sample();
    return new MigrationEvent(
        SchemaVersion.CURRENT,
        FlowId.eventId("vmotion", r.src(), r.dst(), r.firstSeen()),
        "vmotion",
        r.src(),
        r.dst(),
        "esx-01",
        r.firstSeen(),
        Instant.parse("2026-11-23T10:02:04.123456Z"),
        4_000_000,
        2,
        1_000_000.0,
        Verdict.PLAINTEXT,
        false,
        List.of(r.flowId(), "0123456789abcdef01234567"));
  }

  @Test
  void migrationEventMatchesGoldenFileAndRoundTrips() throws Exception {
    ObjectMapper plain = new ObjectMapper();
    JsonNode golden;
    try (InputStream in = getClass().getResourceAsStream("/migration-event-v1.json")) {
      golden = plain.readTree(in);
    }
    assertThat(plain.readTree(RecordJson.toBytes(sampleEvent()))).isEqualTo(golden);
    assertThat(RecordJson.migrationEvent(RecordJson.toBytes(sampleEvent())))
        .isEqualTo(sampleEvent());
  }

  @Test
  void eventIdIgnoresWhichEndOpenedTheStream() {
    Instant t = Instant.parse("2026-11-23T10:02:00.123456Z");
    assertThat(FlowId.eventId("vmotion", "10.0.0.1", "10.0.0.2", t))
        .isEqualTo(FlowId.eventId("vmotion", "10.0.0.2", "10.0.0.1", t))
        .isNotEqualTo(FlowId.eventId("hyperv", "10.0.0.1", "10.0.0.2", t))
        .isNotEqualTo(FlowId.eventId("vmotion", "10.0.0.1", "10.0.0.2", t.plusNanos(1000)));
  }

  @Test
  void worstVerdictPrefersReadable() {
    assertThat(Verdict.worst(Verdict.ENCRYPTED, Verdict.PLAINTEXT)).isEqualTo(Verdict.PLAINTEXT);
    assertThat(Verdict.worst(Verdict.COMPRESSED, Verdict.PLAINTEXT)).isEqualTo(Verdict.PLAINTEXT);
    assertThat(Verdict.worst(Verdict.COMPRESSED, Verdict.UNKNOWN)).isEqualTo(Verdict.COMPRESSED);
    assertThat(Verdict.worst(Verdict.ENCRYPTED, Verdict.UNKNOWN)).isEqualTo(Verdict.UNKNOWN);
    assertThat(Verdict.worst(Verdict.ENCRYPTED, Verdict.ENCRYPTED)).isEqualTo(Verdict.ENCRYPTED);
  }

  @Test
  void alertMatchesGoldenFile() throws IOException {
    ObjectMapper plain = new ObjectMapper();
    JsonNode golden;
    try (InputStream in = getClass().getResourceAsStream("/alert-v1.json")) {
      golden = plain.readTree(in);
    }
    assertThat(plain.readTree(RecordJson.toBytes(sampleAlert()))).isEqualTo(golden);
  }

  @Test
  void alertWithControlsRoundTrips() throws Exception {
    Alert a = sampleAlert();
    assertThat(RecordJson.alert(RecordJson.toBytes(a))).isEqualTo(a);
    assertThat(RecordJson.alert(RecordJson.toBytes(a)).controls())
        .containsExactly("NIST SC-8", "VMware SCG vm-9.vmotion-encrypted");
  }

  @Test
  void alertWrittenBeforeControlsReadsAsNamingNone() throws Exception {
    ObjectMapper plain = new ObjectMapper();
    var old = (ObjectNode) plain.readTree(RecordJson.toBytes(sampleAlert()));
    old.remove("controls");
    old.remove("eventId");
    Alert read = RecordJson.alert(plain.writeValueAsBytes(old));
    assertThat(read.controls()).isEmpty();
    assertThat(read.eventId()).isNull();
    assertThat(read.alertId()).isEqualTo(sampleAlert().alertId());
  }

  @Test
  void fieldsAddedWithinTheSchemaVersionAreIgnored() throws Exception {
    String line = RecordJson.toLine(sample());
    byte[] newer =
        ("{\"addedLater\":{\"x\":1}," + line.substring(1)).getBytes(StandardCharsets.UTF_8);
    assertThat(RecordJson.flowRecord(newer)).isEqualTo(sample());
    String alert = RecordJson.toLine(sampleAlert());
    byte[] newerAlert =
        ("{\"addedLater\":[1]," + alert.substring(1)).getBytes(StandardCharsets.UTF_8);
    assertThat(RecordJson.alert(newerAlert)).isEqualTo(sampleAlert());
  }

  @Test
  void evidenceIsWrittenInKeyOrder() {
    FlowRecord r = sample();
    Alert a =
        new Alert(
            SchemaVersion.CURRENT,
            "id",
            RuleId.UNTRUSTED_SOURCE,
            Severity.CRITICAL,
            "vmotion",
            r.src(),
            r.srcPort(),
            r.dst(),
            r.dstPort(),
            null,
            "a",
            "i",
            r.flowId(),
            r.firstSeen(),
            r.lastSeen(),
            "required",
            Map.of("zeta", 1, "alpha", 2, "mid", 3),
            "m");
    assertThat(RecordJson.toLine(a)).contains("\"evidence\":{\"alpha\":2,\"mid\":3,\"zeta\":1}");
  }

  @Test
  void timesAreUtcWithMicroseconds() {
    assertThat(RecordJson.toLine(sample()))
        .contains("\"firstSeen\":\"2026-11-23T10:02:00.123456Z\"");
  }

  @Test
  void otherSchemaVersionIsRejectedByKind() {
    byte[] json =
        RecordJson.toLine(sample())
            .replace("\"schemaVersion\":1", "\"schemaVersion\":2")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> RecordJson.flowRecord(json))
        .isInstanceOf(RecordJson.MalformedRecordException.class)
        .satisfies(
            e ->
                assertThat(((RecordJson.MalformedRecordException) e).kind())
                    .isEqualTo("schema-version"));
  }

  @Test
  void badJsonIsRejectedByKind() {
    assertThatThrownBy(
            () -> RecordJson.flowRecord("{\"schemaVersion\":1,".getBytes(StandardCharsets.UTF_8)))
        .satisfies(
            e -> assertThat(((RecordJson.MalformedRecordException) e).kind()).isEqualTo("json"));
    assertThatThrownBy(() -> RecordJson.flowRecord("[1,2]".getBytes(StandardCharsets.UTF_8)))
        .satisfies(
            e -> assertThat(((RecordJson.MalformedRecordException) e).kind()).isEqualTo("json"));
  }

  @Test
  void unknownVerdictIsRejectedAsFields() {
    byte[] json =
        RecordJson.toLine(sample())
            .replace("\"verdict\":\"plaintext\"", "\"verdict\":\"maybe\"")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> RecordJson.flowRecord(json))
        .satisfies(
            e -> assertThat(((RecordJson.MalformedRecordException) e).kind()).isEqualTo("fields"));
  }
}
