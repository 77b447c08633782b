package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The heartbeat's wire format, and what a flow-record reader makes of it. */
class AgentHeartbeatTest {
  private static final AgentHeartbeat SAMPLE =
      AgentHeartbeat.of(
          "esx-01",
          Instant.parse("2026-11-23T10:02:00.123456Z"),
          30,
          List.of("vmk1", "vmk2"),
          123_456,
          789);

  @Test
  void matchesGoldenFileAndRoundTrips() throws Exception {
    ObjectMapper plain = new ObjectMapper();
    JsonNode golden;
    try (InputStream in = getClass().getResourceAsStream("/heartbeat-v1.json")) {
      golden = plain.readTree(in);
    }
    assertThat(plain.readTree(RecordJson.toBytes(SAMPLE))).isEqualTo(golden);
    assertThat(RecordJson.heartbeat(RecordJson.toBytes(SAMPLE))).isEqualTo(SAMPLE);
  }

  @Test
  void aFlowRecordIsNotAHeartbeat() throws Exception {
    byte[] flow;
    try (InputStream in = getClass().getResourceAsStream("/flow-record-v1.json")) {
      flow = in.readAllBytes();
    }
    assertThatThrownBy(() -> RecordJson.heartbeat(flow))
        .isInstanceOf(RecordJson.MalformedRecordException.class)
        .extracting(e -> ((RecordJson.MalformedRecordException) e).kind())
        .isEqualTo("not-heartbeat");
  }

  /**
   * An analyzer that predates heartbeats reads one as a flow record: it must come out without the
   * fields every flow has (so the analyzer's required-field check skips it as malformed), never as
   * a judgeable flow and never as an exception other than a malformed record.
   */
  @Test
  void aFlowRecordReaderSeesAHeartbeatAsAFlowWithoutIdentity() {
    byte[] bytes = RecordJson.toBytes(SAMPLE);
    try {
      FlowRecord r = RecordJson.flowRecord(bytes);
      assertThat(r.flowId()).isNull();
      assertThat(r.src()).isNull();
      assertThat(r.srcToDst()).isNull();
      assertThat(r.agent()).isEqualTo("esx-01");
    } catch (RecordJson.MalformedRecordException e) {
      assertThat(e.kind()).isNotBlank();
    }
  }
}
