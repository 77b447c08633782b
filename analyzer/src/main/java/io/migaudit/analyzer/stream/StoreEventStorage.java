package io.migaudit.analyzer.stream;

import io.migaudit.analyzer.events.EventStorage;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** Open migration events in a changelogged Kafka Streams store. */
final class StoreEventStorage implements EventStorage {
  static final String NAME = "open-events";

  private final KeyValueStore<String, byte[]> store;

  StoreEventStorage(KeyValueStore<String, byte[]> store) {
    this.store = store;
  }

  @Override
  public byte[] get(String key) {
    return store.get(key);
  }

  @Override
  public void put(String key, byte[] events) {
    store.put(key, events);
  }

  @Override
  public void delete(String key) {
    store.delete(key);
  }

  @Override
  public void forEach(BiConsumer<String, byte[]> visitor) {
    try (KeyValueIterator<String, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> e = all.next();
        visitor.accept(e.key, e.value);
      }
    }
  }
}
