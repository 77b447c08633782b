package io.migaudit.analyzer.events;

import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups migration flow records into {@link MigrationEvent}s. A flow joins an open event when it
 * has the event's protocol family and host pair (in either direction) and its first packet lies
 * within {@code gap} of the event: no earlier than {@code start - gap}, no later than {@code end +
 * gap}, where {@code end} is the latest packet of any of the event's streams. Otherwise it opens a
 * new event, whose id comes from the family, the host pair and this first stream's first packet.
 *
 * <p>All times are capture times, so replaying a capture gives the same events. Bounded: an event
 * is forgotten once the newest packet seen is more than {@code gap} plus {@link
 * #LIVE_STREAM_SILENCE} past its end (a live stream would have sent an interim record by then), or
 * when more than {@code maxEvents} are open (the least recently updated goes). Re-adding a record
 * is harmless: a stream's counters are replaced, not summed. {@link Update#endedNow()} is true once
 * per event, for the record that made all its streams end (a stream joining later does not make it
 * end again). Not thread-safe.
 */
public final class MigrationGrouper {
  /**
   * The streams of one migration start within milliseconds of each other (vMotion's per-vmknic
   * streams, QEMU's multifd channels), so they overlap; 2 s covers a live event's end being up to
   * one interim record (1 s of capture time) stale, while a migration that starts a few seconds
   * after the previous one between the same hosts ended is a new event.
   */
  public static final Duration DEFAULT_GAP = Duration.ofSeconds(2);

  public static final int DEFAULT_MAX_EVENTS = 100_000;

  /** Longer than the agent's interim cadence (1 s) and idle timeout (60 s). */
  public static final Duration LIVE_STREAM_SILENCE = Duration.ofMinutes(2);

  /** Protocol labels that belong to the same family of migration. */
  private static final Map<String, String> FAMILY =
      Map.of(
          "hyperv-smb", "hyperv",
          "libvirt-tcp", "qemu",
          "libvirt-tls", "qemu");

  /** The event a record belongs to, and whether this record made it end for the first time. */
  public record Update(MigrationEvent event, boolean endedNow) {}

  private final Duration gap;
  private final int maxEvents;

  /** Open events, least recently updated first. */
  private final LinkedHashMap<String, OpenEvent> events = new LinkedHashMap<>();

  private final Map<String, String> eventByFlow = new HashMap<>();

  /** Open event ids by family and host pair, oldest first. */
  private final Map<String, List<String>> eventsByKey = new HashMap<>();

  private Instant newest = Instant.MIN;

  public MigrationGrouper() {
    this(DEFAULT_GAP, DEFAULT_MAX_EVENTS);
  }

  public MigrationGrouper(Duration gap, int maxEvents) {
    if (gap.isNegative() || maxEvents < 1) {
      throw new IllegalArgumentException("gap " + gap + ", maxEvents " + maxEvents);
    }
    this.gap = gap;
    this.maxEvents = maxEvents;
  }

  /** The family of a migration protocol label: "hyperv-smb" is "hyperv", libvirt's are "qemu". */
  public static String family(String protocol) {
    return FAMILY.getOrDefault(protocol, protocol);
  }

  /** Adds a record of a migration flow ({@code protocol} set) and returns its event, updated. */
  public Update add(FlowRecord r) {
    if (r.lastSeen().isAfter(newest)) {
      newest = r.lastSeen();
    }
    expire();
    String eventId = eventByFlow.get(r.flowId());
    OpenEvent event = eventId == null ? null : events.get(eventId);
    if (event == null) {
      event = join(r);
    }
    event.put(r);
    events.remove(event.eventId); // move to the most recently updated end
    events.put(event.eventId, event);
    boolean endedNow = event.allEnded() && !event.reportedEnd;
    if (endedNow) {
      event.reportedEnd = true;
    }
    return new Update(event.snapshot(), endedNow);
  }

  /**
   * The family of an open QEMU migration that {@code r} is another channel of, or null: as {@link
   * StoredEventGrouper#companionFamily}, over the events open here.
   */
  public String companionFamily(FlowRecord r) {
    String key = OpenEvent.key(StoredEventGrouper.COMPANION_FAMILY, r.src(), r.dst());
    for (String id : eventsByKey.getOrDefault(key, List.of())) {
      OpenEvent e = events.get(id);
      if (e.takesChannel(r, gap)) {
        return e.family;
      }
    }
    return null;
  }

  /** Number of open events. */
  public int openEvents() {
    return events.size();
  }

  private OpenEvent join(FlowRecord r) {
    String family = family(r.protocol());
    String key = OpenEvent.key(family, r.src(), r.dst());
    for (String id : eventsByKey.getOrDefault(key, List.of())) {
      OpenEvent e = events.get(id);
      if (!r.firstSeen().isBefore(e.start.minus(gap)) && !r.firstSeen().isAfter(e.end.plus(gap))) {
        eventByFlow.put(r.flowId(), e.eventId);
        return e;
      }
    }
    OpenEvent e = new OpenEvent(FlowId.eventId(family, r.src(), r.dst(), r.firstSeen()), family, r);
    events.put(e.eventId, e);
    eventsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(e.eventId);
    eventByFlow.put(r.flowId(), e.eventId);
    while (events.size() > maxEvents) {
      forget(events.keySet().iterator().next());
    }
    return e;
  }

  /** Forgets stale events from the least recently updated on, stopping at the first live one. */
  private void expire() {
    Instant horizon = newest.minus(gap).minus(LIVE_STREAM_SILENCE);
    List<String> old = new ArrayList<>();
    for (OpenEvent e : events.values()) {
      if (!e.end.isBefore(horizon)) {
        break;
      }
      old.add(e.eventId);
    }
    old.forEach(this::forget);
  }

  private void forget(String eventId) {
    OpenEvent e = events.remove(eventId);
    if (e != null) {
      e.streams.keySet().forEach(eventByFlow::remove);
      List<String> sameKey = eventsByKey.get(e.key());
      sameKey.remove(eventId);
      if (sameKey.isEmpty()) {
        eventsByKey.remove(e.key());
      }
    }
  }
}
