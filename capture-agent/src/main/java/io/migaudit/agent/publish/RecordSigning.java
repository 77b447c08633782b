package io.migaudit.agent.publish;

import io.migaudit.record.RecordKey;
import java.util.Map;
import org.apache.kafka.common.header.Headers;

/**
 * The agent's side of record signing, for its value serializers: with the agent's {@link RecordKey}
 * in the producer settings ({@link RecordKey#PRODUCER_CONFIG}), each value goes out with its
 * HMAC-SHA256 in the header {@link RecordKey#HEADER}; without one, unsigned, as before.
 */
final class RecordSigning {
  private RecordKey key;

  void configure(Map<String, ?> configs) {
    Object k = configs.get(RecordKey.PRODUCER_CONFIG);
    if (k != null && !(k instanceof RecordKey)) {
      throw new IllegalArgumentException(
          RecordKey.PRODUCER_CONFIG + " must be a RecordKey, not " + k.getClass().getName());
    }
    key = (RecordKey) k;
  }

  /** {@code value}, its signature added to {@code headers} when there is a key. */
  byte[] sign(Headers headers, byte[] value) {
    if (key != null && value != null && headers != null) {
      headers.remove(RecordKey.HEADER);
      headers.add(RecordKey.HEADER, key.sign(value));
    }
    return value;
  }
}
