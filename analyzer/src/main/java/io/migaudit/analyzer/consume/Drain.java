package io.migaudit.analyzer.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Tracks one {@link FlowConsumer#drainTo} call: which partitions still lag their end offsets, and
 * how long is left before its deadline.
 */
final class Drain {
  private final Consumer<?, ?> consumer;
  private final Map<TopicPartition, Long> endOffsets;
  private final Duration timeout;
  private final long deadlineNanos;

  Drain(Consumer<?, ?> consumer, Map<TopicPartition, Long> endOffsets, Duration timeout) {
    this.consumer = consumer;
    this.endOffsets = Map.copyOf(endOffsets);
    this.timeout = timeout;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
  }

  /** True once every partition reached its end offset; throws once the deadline passed. */
  boolean reached() {
    List<String> behind = new ArrayList<>();
    for (Map.Entry<TopicPartition, Long> e : endOffsets.entrySet()) {
      String lag = lag(e.getKey(), e.getValue());
      if (lag != null) {
        behind.add(lag);
      }
    }
    if (behind.isEmpty()) {
      return true;
    }
    if (remainingNanos() <= 0) {
      throw new DrainTimeoutException("flow records not all consumed within " + timeout + ": "
          + String.join(", ", behind));
    }
    return false;
  }

  /** The poll timeout to use next: {@code max}, or less when the deadline is nearer. */
  Duration nextPollTimeout(Duration max) {
    return Duration.ofNanos(Math.max(0, Math.min(max.toNanos(), remainingNanos())));
  }

  /** Null when {@code tp} reached {@code end}, else a short description of where it stands. */
  private String lag(TopicPartition tp, long end) {
    if (end <= 0) {
      return null;
    }
    if (!consumer.assignment().contains(tp)) {
      return tp + " not assigned yet (end offset " + end + ")";
    }
    long position;
    try {
      position = consumer.position(tp, Duration.ofNanos(Math.max(0, remainingNanos())));
    } catch (TimeoutException e) {
      return tp + " position unknown (end offset " + end + ")";
    }
    return position >= end ? null : tp + " at offset " + position + " of " + end;
  }

  private long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }
}
