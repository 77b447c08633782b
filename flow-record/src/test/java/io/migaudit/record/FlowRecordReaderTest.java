package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The streaming reader gives exactly the record data binding gives for what the agent writes, and
 * declines (null) every other shape, which RecordJson then reads the general way.
 */
class FlowRecordReaderTest {
  private static final ObjectMapper PLAIN = new ObjectMapper();
  private final FlowRecordReader reader =
      new FlowRecordReader(JsonMapper.builder().build().getFactory());

  private static FlowRecord sparse() {
    FlowRecord s = RecordJsonTest.sample();
    return new FlowRecord(
        s.schemaVersion(),
        s.agent(),
        s.iface(),
        s.flowId(),
        7,
        true,
        "fin",
        s.firstSeen(),
        s.lastSeen(),
        null,
        null,
        List.of(),
        6,
        "udp",
        "fe80::1",
        1,
        "fe80::2",
        2,
        "port",
        Counters.ZERO,
        new Counters(Long.MAX_VALUE, 0, 0),
        List.of(),
        null,
        null);
  }

  @Test
  void readsWhatTheAgentWrites() throws Exception {
    for (FlowRecord r :
        List.of(RecordJsonTest.sample(), sparse(), RecordJsonTest.sample().withVni(5000))) {
      byte[] json = RecordJson.toBytes(r);
      assertThat(reader.read(json)).isEqualTo(r).isEqualTo(RecordJson.flowRecord(json));
    }
  }

  @Test
  void skipsUnknownFieldsAndDefaultsMissingOnesAsDataBindingDoes() throws Exception {
    ObjectNode tree = (ObjectNode) PLAIN.readTree(RecordJson.toBytes(RecordJsonTest.sample()));
    tree.putObject("later").put("x", 1).putArray("y").add(2);
    tree.remove(List.of("outerVlan", "protocol", "seq"));
    ((ObjectNode) tree.get("payload")).remove("reason");
    byte[] json = PLAIN.writeValueAsBytes(tree);
    FlowRecord r = reader.read(json);
    assertThat(r).isNotNull();
    assertThat(r.seq()).isZero();
    assertThat(r.protocol()).isNull();
    assertThat(r.payload().reason()).isNull();
    assertThat(r)
        .usingRecursiveComparison()
        .ignoringFields("protocol", "payload.reason")
        .isEqualTo(RecordJsonTest.sample());
    assertThat(r).isEqualTo(RecordJson.flowRecord(json));
  }

  @Test
  void quickInstantPathAgreesWithInstantParse() {
    for (String t :
        List.of(
            "2026-11-23T10:02:00.123456Z",
            "1970-01-01T00:00:00.000000Z",
            "2024-02-29T23:59:59.999999Z",
            "1969-12-31T23:59:59.000001Z",
            "2026-11-23T10:02:00Z",
            "2026-11-23T10:02:00.123456789Z")) {
      assertThat(FlowRecordReader.instant(t)).as(t).isEqualTo(Instant.parse(t));
    }
    for (String bad :
        List.of(
            "2026-02-30T10:02:00.123456Z",
            "2026-11-23T24:02:00.123456Z",
            "2026-11-23T10:02:00.12345xZ")) {
      assertThatThrownBy(() -> FlowRecordReader.instant(bad))
          .as(bad)
          .isInstanceOf(DateTimeException.class);
    }
  }

  @Test
  void declinesOtherShapes() throws Exception {
    String good = new String(RecordJson.toBytes(RecordJsonTest.sample()), StandardCharsets.UTF_8);
    List<String> others =
        List.of(
            good.replace("\"seq\":0", "\"seq\":\"0\""),
            good.replace(
                "\"firstSeen\":\"2026-11-23T10:02:00.123456Z\"", "\"firstSeen\":1795428120.123456"),
            good.replace("\"verdict\":\"plaintext\"", "\"verdict\":\"maybe\""),
            good.replace("[\"ethernet\",\"vlan\"]", "[\"ethernet\",null]"),
            good.replace("\"last\":false", "\"last\":null"),
            "[]",
            "{\"schemaVersion\":",
            "not json");
    for (String other : others) {
      assertThat(other).as("test input changed").isNotEqualTo(good);
      assertThat(reader.read(other.getBytes(StandardCharsets.UTF_8))).as(other).isNull();
    }
  }

  @Test
  void recordJsonStillReadsWhatDataBindingAcceptsAndNamesWhatIsWrong() throws Exception {
    String good = new String(RecordJson.toBytes(RecordJsonTest.sample()), StandardCharsets.UTF_8);
    FlowRecord coerced =
        RecordJson.flowRecord(
            good.replace("\"seq\":0", "\"seq\":\"0\"").getBytes(StandardCharsets.UTF_8));
    assertThat(coerced).isEqualTo(RecordJsonTest.sample());
    assertThatThrownBy(
            () ->
                RecordJson.flowRecord(
                    good.replace("\"verdict\":\"plaintext\"", "\"verdict\":\"maybe\"")
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            RecordJson.MalformedRecordException.class,
            e -> assertThat(e.kind()).isEqualTo("fields"));
  }
}
