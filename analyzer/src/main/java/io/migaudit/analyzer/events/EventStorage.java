package io.migaudit.analyzer.events;

import java.util.function.BiConsumer;

/**
 * Where the open migration events of one family and host pair are kept between records, as bytes (a
 * Kafka Streams store, changelogged, in the analyzer; a map in tests). Not thread-safe.
 */
public interface EventStorage {
  /** The encoded events of {@code key}, or null when none are open. */
  byte[] get(String key);

  void put(String key, byte[] events);

  void delete(String key);

  /** Visits every key and its events; the visitor must not change the storage. */
  void forEach(BiConsumer<String, byte[]> visitor);
}
