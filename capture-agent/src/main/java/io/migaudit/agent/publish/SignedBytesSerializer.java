package io.migaudit.agent.publish;

import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Bytes as they are (heartbeats), signed as flow records are ({@link RecordSigning}) when the
 * producer settings carry the agent's record key.
 */
public final class SignedBytesSerializer implements Serializer<byte[]> {
  private final RecordSigning signing = new RecordSigning();

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    signing.configure(configs);
  }

  @Override
  public byte[] serialize(String topic, byte[] value) {
    return value;
  }

  @Override
  public byte[] serialize(String topic, Headers headers, byte[] value) {
    return signing.sign(headers, value);
  }
}
