package io.migaudit.agent.publish;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A flow record's JSON, as every reader of {@code migaudit.flows} expects it; signed ({@link
 * RecordSigning}) when the producer settings carry the agent's record key.
 */
public final class FlowRecordSerializer implements Serializer<FlowRecord> {
  private final RecordSigning signing = new RecordSigning();

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    signing.configure(configs);
  }

  @Override
  public byte[] serialize(String topic, FlowRecord record) {
    return record == null ? null : RecordJson.toBytes(record);
  }

  @Override
  public byte[] serialize(String topic, Headers headers, FlowRecord record) {
    return signing.sign(headers, serialize(topic, record));
  }
}
