package io.migaudit.analyzer.events;

import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups migration flow records into {@link MigrationEvent}s as {@link MigrationGrouper} does (same
 * family and host pair, first packet within {@code gap} of the event, ids from the first stream),
 * keeping the open events in an {@link EventStorage}, so that they survive restarts and move with
 * their partition. Bounded by time and size, never by the records' capture times (a record dated
 * 2099 cannot expire anything): an event is dropped {@code idle} of wall-clock time after its
 * latest record; a host pair keeps at most {@link #MAX_EVENTS_PER_PAIR} open events; an event keeps
 * at most {@code maxStreams} streams, and counts the others it does not list (its {@code streams}
 * includes them), so a long-lived stream mix cannot grow one event past Kafka's record size. Not
 * thread-safe.
 */
public final class StoredEventGrouper {
  /** Streams listed per event: vMotion and multifd open a handful, SMB a few dozen at most. */
  public static final int DEFAULT_MAX_STREAMS = 256;

  public static final int MAX_EVENTS_PER_PAIR = 16;

  /** The family whose listeners take other channels ({@link #companionFamily}). */
  static final String COMPANION_FAMILY = "qemu";

  /** Longer than the agent's idle timeout (60 s): a live stream sends an interim record before. */
  public static final Duration DEFAULT_IDLE =
      MigrationGrouper.LIVE_STREAM_SILENCE.plus(MigrationGrouper.DEFAULT_GAP);

  /**
   * The event a record belongs to, whether this record made it end for the first time, and whether
   * the record's stream was left out of a full event (at its first record only).
   */
  public record Update(MigrationEvent event, boolean endedNow, boolean streamOmitted) {}

  private final EventStorage storage;
  private final Duration gap;
  private final int maxStreams;
  private final long idleMillis;

  public StoredEventGrouper(EventStorage storage) {
    this(storage, MigrationGrouper.DEFAULT_GAP, DEFAULT_MAX_STREAMS, DEFAULT_IDLE);
  }

  public StoredEventGrouper(EventStorage storage, Duration gap, int maxStreams, Duration idle) {
    if (gap.isNegative() || maxStreams < 1 || idle.isNegative()) {
      throw new IllegalArgumentException(
          "gap " + gap + ", maxStreams " + maxStreams + ", idle " + idle);
    }
    this.storage = storage;
    this.gap = gap;
    this.maxStreams = maxStreams;
    this.idleMillis = idle.toMillis();
  }

  /** Adds a record of a migration flow ({@code protocol} set) at wall-clock {@code nowMillis}. */
  public Update add(FlowRecord r, long nowMillis) {
    String family = MigrationGrouper.family(r.protocol());
    String key = OpenEvent.key(family, r.src(), r.dst());
    byte[] stored = storage.get(key);
    List<OpenEvent> events = stored == null ? new ArrayList<>() : OpenEventCodec.decode(stored);
    events.removeIf(e -> stale(e, nowMillis));
    OpenEvent event = find(events, r);
    if (event == null) {
      event = new OpenEvent(FlowId.eventId(family, r.src(), r.dst(), r.firstSeen()), family, r);
      events.add(event);
      while (events.size() > MAX_EVENTS_PER_PAIR) {
        events.remove(0);
      }
    }
    boolean kept = event.put(r, maxStreams);
    event.touchedMillis = nowMillis;
    boolean endedNow = event.allEnded() && !event.reportedEnd;
    if (endedNow) {
      event.reportedEnd = true;
    }
    storage.put(key, OpenEventCodec.encode(events));
    return new Update(event.snapshot(), endedNow, !kept && r.seq() == 0);
  }

  /**
   * The family of an open QEMU migration that {@code r} is another channel of, or null: {@code r}
   * went to an endpoint that accepted a stream of that migration, between the same two hosts, and
   * began within {@code gap} of it. QEMU opens channels that carry no magic of their own (the
   * postcopy preempt channel, known to the destination by its order) to the listener of its main
   * channel; on a port no catalog lists nothing else says they belong to the migration.
   */
  public String companionFamily(FlowRecord r, long nowMillis) {
    byte[] stored = storage.get(OpenEvent.key(COMPANION_FAMILY, r.src(), r.dst()));
    if (stored == null) {
      return null;
    }
    for (OpenEvent e : OpenEventCodec.decode(stored)) {
      if (!stale(e, nowMillis) && e.takesChannel(r, gap)) {
        return e.family;
      }
    }
    return null;
  }

  /**
   * Drops the events idle since before {@code nowMillis - idle}; returns the host pairs touched.
   */
  public int expire(long nowMillis) {
    Map<String, List<OpenEvent>> changed = new LinkedHashMap<>();
    storage.forEach(
        (key, bytes) -> {
          List<OpenEvent> events = OpenEventCodec.decode(bytes);
          if (events.removeIf(e -> stale(e, nowMillis))) {
            changed.put(key, events);
          }
        });
    changed.forEach(
        (key, events) -> {
          if (events.isEmpty()) {
            storage.delete(key);
          } else {
            storage.put(key, OpenEventCodec.encode(events));
          }
        });
    return changed.size();
  }

  private boolean stale(OpenEvent e, long nowMillis) {
    return e.touchedMillis < nowMillis - idleMillis;
  }

  private OpenEvent find(List<OpenEvent> events, FlowRecord r) {
    for (OpenEvent e : events) {
      if (e.streams.containsKey(r.flowId())) {
        return e;
      }
    }
    for (OpenEvent e : events) {
      if (e.spans(r, gap)) {
        return e;
      }
    }
    return null;
  }
}
