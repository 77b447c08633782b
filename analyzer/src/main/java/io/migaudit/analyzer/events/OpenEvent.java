package io.migaudit.analyzer.events;

import io.migaudit.analyzer.rules.CopyEvidence;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A migration event being assembled: the latest state of each of its streams. Its {@code src} and
 * {@code dst} are those of its first stream; the event it reports names the sender of the VM as its
 * source, which is the other host when the streams' memory flows to the host that opened the first
 * one ({@link CopyEvidence#oneWay}, over the payload of all streams).
 */
final class OpenEvent {
  private static final double NANOS_PER_SECOND = 1_000_000_000.0;

  /**
   * The latest record's view of one stream.
   *
   * @param fromSrc payload bytes the stream carried from the event's {@code src}
   * @param fromDst payload bytes it carried from the event's {@code dst}
   */
  record Stream(long bytes, Verdict verdict, boolean ended, long fromSrc, long fromDst) {}

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

  /**
   * The endpoints that accepted its streams ({@link #endpoint}), at most {@link #MAX_LISTENERS}: a
   * connection to one of them between the same hosts is another channel of the migration.
   */
  final Set<String> listeners = new LinkedHashSet<>();

  /** A migration's streams go to a listener or a few (vMotion's per-vmknic streams, QEMU's one). */
  static final int MAX_LISTENERS = 16;

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
    if (listeners.size() < MAX_LISTENERS) {
      listeners.add(endpoint(r));
    }
    PayloadFeatures p = r.payload();
    Verdict verdict = p == null || p.verdict() == null ? Verdict.UNKNOWN : p.verdict();
    boolean kept = streams.containsKey(r.flowId()) || streams.size() < maxStreams;
    if (kept) {
      boolean sameWay = src.equals(r.src());
      long forward = payload(r.srcToDst());
      long back = payload(r.dstToSrc());
      streams.put(
          r.flowId(),
          new Stream(
              r.totalBytes(),
              verdict,
              r.last(),
              sameWay ? forward : back,
              sameWay ? back : forward));
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

  /** The endpoint that accepted {@code r}'s connection: its responder's address and port. */
  static String endpoint(FlowRecord r) {
    return r.dst() + ' ' + r.dstPort();
  }

  /** True when {@code r} began within {@code gap} of this event. */
  boolean spans(FlowRecord r, Duration gap) {
    return !r.firstSeen().isBefore(start.minus(gap)) && !r.firstSeen().isAfter(end.plus(gap));
  }

  /**
   * True when {@code r} is another channel of this migration: it went to an endpoint that accepted
   * one of its streams and began within {@code gap} of it (the host pair is the caller's key).
   */
  boolean takesChannel(FlowRecord r, Duration gap) {
    return listeners.contains(endpoint(r)) && spans(r, gap);
  }

  boolean allEnded() {
    return streams.values().stream().allMatch(Stream::ended);
  }

  private static long payload(Counters c) {
    return c == null ? 0 : c.payloadBytes();
  }

  MigrationEvent snapshot() {
    long bytes = 0;
    long fromSrc = 0;
    long fromDst = 0;
    Verdict worst = Verdict.ENCRYPTED;
    for (Stream s : streams.values()) {
      bytes += s.bytes();
      fromSrc += s.fromSrc();
      fromDst += s.fromDst();
      worst = Verdict.worst(worst, s.verdict());
    }
    boolean pulled = CopyEvidence.oneWay(fromDst, fromSrc);
    Duration span = Duration.between(start, end); // in seconds: nanoseconds overflow past 292 years
    double seconds = span.getSeconds() + span.getNano() / NANOS_PER_SECOND;
    double rate = seconds > 0 ? bytes / seconds : 0;
    return new MigrationEvent(
        SchemaVersion.CURRENT,
        eventId,
        family,
        pulled ? dst : src,
        pulled ? src : dst,
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
