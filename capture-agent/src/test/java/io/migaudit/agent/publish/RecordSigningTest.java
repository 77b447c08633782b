package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RecordKey;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The agent's value serializers sign with the producer settings' record key, and only then. */
class RecordSigningTest {
  private static final RecordKey KEY = new RecordKey(new byte[32]);

  @Test
  void flowRecordsAndHeartbeatsCarryTheirValuesHmac() {
    Map<String, Object> settings = ProducerSettings.of("k:9092", "t", Map.of(), KEY);
    FlowRecordSerializer records = new FlowRecordSerializer();
    records.configure(settings, false);
    FlowRecord r = FlowPublisherTest.record(3);
    RecordHeaders headers = new RecordHeaders();
    byte[] value = records.serialize("migaudit.flows", headers, r);
    assertThat(value).isEqualTo(RecordJson.toBytes(r));
    assertThat(headers.lastHeader(RecordKey.HEADER).value()).isEqualTo(KEY.sign(value));
    assertThat(headers.headers(RecordKey.HEADER)).hasSize(1);

    SignedBytesSerializer beats = new SignedBytesSerializer();
    beats.configure(HeartbeatPublisher.producerSettings(settings), false);
    assertThat(HeartbeatPublisher.producerSettings(settings))
        .containsEntry(
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, SignedBytesSerializer.class.getName());
    RecordHeaders beatHeaders = new RecordHeaders();
    byte[] beat = "{\"kind\":\"heartbeat\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(beats.serialize("migaudit.flows", beatHeaders, beat)).isSameAs(beat);
    assertThat(KEY.verifies(beat, beatHeaders.lastHeader(RecordKey.HEADER).value())).isTrue();
  }

  @Test
  void withoutAKeyValuesGoOutUnsigned() {
    FlowRecordSerializer records = new FlowRecordSerializer();
    records.configure(ProducerSettings.of("k:9092", "t", Map.of()), false);
    RecordHeaders headers = new RecordHeaders();
    records.serialize("migaudit.flows", headers, FlowPublisherTest.record(1));
    assertThat(headers.lastHeader(RecordKey.HEADER)).isNull();
  }

  /** A client properties file cannot slip a key of its own into the agent's producer. */
  @Test
  void onlyTheAgentsOwnKeyIsUsed() {
    Map<String, Object> settings =
        ProducerSettings.of("k:9092", "t", Map.of(RecordKey.PRODUCER_CONFIG, "AAAA"));
    assertThat(settings).doesNotContainKey(RecordKey.PRODUCER_CONFIG);
  }
}
