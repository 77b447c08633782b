package io.migaudit.analyzer.metrics;

import io.migaudit.record.FlowRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the cumulative byte counts of successive records of a flow into increments, so a flow's
 * bytes are counted once however many interim records it has. Replayed or reordered records add
 * nothing (counts only grow). Bounded: past {@code capacity} live flows the least recently updated
 * one is forgotten, and its next record counts its bytes from zero again. Not thread-safe.
 */
final class FlowByteDeltas {
  private final Map<String, Long> lastTotals;

  FlowByteDeltas(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.lastTotals =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Bytes of both directions this record adds to what earlier records of its flow reported. */
  synchronized long add(FlowRecord record) { // stream threads of one instance share the metrics
    long total = record.totalBytes();
    Long previous = lastTotals.get(record.flowId());
    long before = previous == null ? 0 : previous;
    if (record.last()) {
      lastTotals.remove(record.flowId());
    } else {
      lastTotals.put(record.flowId(), Math.max(before, total));
    }
    return Math.max(0, total - before);
  }

  synchronized int size() {
    return lastTotals.size();
  }
}
