package io.migaudit.agent.publish;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import org.apache.kafka.common.serialization.Serializer;

/** A flow record's JSON, as every reader of {@code migaudit.flows} expects it. */
public final class FlowRecordSerializer implements Serializer<FlowRecord> {
  @Override
  public byte[] serialize(String topic, FlowRecord record) {
    return record == null ? null : RecordJson.toBytes(record);
  }
}
