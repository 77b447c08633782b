package io.migaudit.analyzer.events;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A migration event being assembled: the latest state of each of its streams. */
final class OpenEvent {
  private static final double NANOS_PER_SECOND = 1_000_000_000.0;

  /** The latest record's view of one stream. */
  record Stream(long bytes, Verdict verdict, boolean ended) {}

  final String eventId;
  final String family;
  final String src;
  final String dst;
  final String agent;
  Instant start;
  Instant end;
  boolean reportedEnd;

  /** Wall-clock time of the latest record, in milliseconds (for expiry in a store). */
  long touchedMillis;

  /** Streams not kept because the event held its most already (counted, never listed). */
  int omittedStreams;

  final Map<String, Stream> streams = new LinkedHashMap<>();

  OpenEvent(String eventId, String family, FlowRecord first) {
    this(
        eventId,
        family,
        first.src(),
        first.dst(),
        first.agent(),
        first.firstSeen(),
        first.lastSeen());
  }

  OpenEvent(
      String eventId,
      String family,
      String src,
      String dst,
      String agent,
      Instant start,
      Instant end) {
    this.eventId = eventId;
    this.family = family;
    this.src = src;
    this.dst = dst;
    this.agent = agent;
    this.start = start;
    this.end = end;
  }

  /** The grouping key of a family and an unordered host pair. */
  static String key(String family, String a, String b) {
    return a.compareTo(b) <= 0 ? family + '|' + a + '|' + b : family + '|' + b + '|' + a;
  }

  String key() {
    return key(family, src, dst);
  }

  void put(FlowRecord r) {
    put(r, Integer.MAX_VALUE);
  }

  /**
   * Takes the record's view of its stream; a new stream past {@code maxStreams} is not kept, only
   * counted (at its first record); returns false then.
   */
  boolean put(FlowRecord r, int maxStreams) {
    PayloadFeatures p = r.payload();
    Verdict verdict = p == null || p.verdict() == null ? Verdict.UNKNOWN : p.verdict();
    boolean kept = streams.containsKey(r.flowId()) || streams.size() < maxStreams;
    if (kept) {
      streams.put(r.flowId(), new Stream(r.totalBytes(), verdict, r.last()));
    } else if (r.seq() == 0) {
      omittedStreams++;
    }
    if (r.firstSeen().isBefore(start)) {
      start = r.firstSeen();
    }
    if (r.lastSeen().isAfter(end)) {
      end = r.lastSeen();
    }
    return kept;
  }

  boolean allEnded() {
    return streams.values().stream().allMatch(Stream::ended);
  }

  MigrationEvent snapshot() {
    long bytes = 0;
    Verdict worst = Verdict.ENCRYPTED;
    for (Stream s : streams.values()) {
      bytes += s.bytes();
      worst = Verdict.worst(worst, s.verdict());
    }
    Duration span = Duration.between(start, end); // in seconds: nanoseconds overflow past 292 years
    double seconds = span.getSeconds() + span.getNano() / NANOS_PER_SECOND;
    double rate = seconds > 0 ? bytes / seconds : 0;
    return new MigrationEvent(
        SchemaVersion.CURRENT,
        eventId,
        family,
        src,
        dst,
        agent,
        start,
        end,
        bytes,
        streams.size() + omittedStreams,
        rate,
        worst,
        allEnded(),
        List.copyOf(streams.keySet()));
  }
}
