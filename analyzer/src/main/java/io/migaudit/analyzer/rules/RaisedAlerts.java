package io.migaudit.analyzer.rules;

import io.migaudit.record.Alert;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of alerts already raised, so each (rule, flow) alerts once. Bounded: past {@code
 * capacity} the least recently seen id is forgotten, which at worst lets that alert be raised again
 * with the same id (consumers de-duplicate by id). Not thread-safe.
 */
final class RaisedAlerts implements AlertMemory {
  private final Map<String, Boolean> ids;
  private final int capacity;

  RaisedAlerts(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.ids =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Records {@code alertId}; true when it was not raised before. */
  boolean firstTime(String alertId) {
    return ids.put(alertId, Boolean.TRUE) == null;
  }

  @Override
  public boolean firstTime(Alert alert) {
    return firstTime(alert.alertId());
  }

  /** Lets {@code alertId} be raised again (its output was never written). */
  void forget(String alertId) {
    ids.remove(alertId);
  }

  /** An empty memory of the same capacity. */
  RaisedAlerts empty() {
    return new RaisedAlerts(capacity);
  }

  int size() {
    return ids.size();
  }
}
