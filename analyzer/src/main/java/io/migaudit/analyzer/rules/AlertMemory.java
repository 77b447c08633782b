package io.migaudit.analyzer.rules;

import io.migaudit.record.Alert;

/**
 * Which alerts were raised already, so each (rule, flow) alerts once: in memory ({@link
 * RaisedAlerts}) or in the analyzer's changelogged store.
 */
@FunctionalInterface
public interface AlertMemory {
  /** Records {@code alert}; true when it was not raised before. */
  boolean firstTime(Alert alert);
}
