package io.migaudit.analyzer.stream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the processors of one analyzer instance handed to Kafka Streams so far, for callers that
 * wait for a run to finish (a replay): alerts and event updates forwarded (not yet committed), and
 * final records waiting for their grace period. Written by the stream thread, read by any.
 */
public final class Progress {
  final AtomicLong alerts = new AtomicLong();
  final AtomicLong events = new AtomicLong();
  final AtomicLong waiting = new AtomicLong();

  public long alertsForwarded() {
    return alerts.get();
  }

  public long eventsForwarded() {
    return events.get();
  }

  public long judgementsWaiting() {
    return waiting.get();
  }
}
