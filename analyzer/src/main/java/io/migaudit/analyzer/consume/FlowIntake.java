package io.migaudit.analyzer.consume;

import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RecordJson.MalformedRecordException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one Kafka record's value into a flow record the rules may judge, or into the outcome that
 * makes it skipped: a tombstone, a record over {@link #MAX_RECORD_BYTES}, bad JSON, another schema
 * version, a missing, too long or out-of-range field ({@link FieldCheck}). Each kind is logged
 * once, at its first record, then only counted by the caller.
 *
 * <p>Capture times more than {@link #MAX_LEAD} ahead of the record's Kafka timestamp (the time the
 * agent sent it, or the broker's append time) come from a broken clock or a forger: both are
 * clamped to that timestamp, so a record dated 2099 cannot expire open migration events or the
 * memory of raised alerts; the record is judged and {@link AnalyzerMetrics#CLAMPED} counts it. Not
 * thread-safe.
 */
public final class FlowIntake {
  /**
   * The largest flow record judged: Kafka's default {@code max.message.bytes} (1 MiB), hundreds of
   * times a real record (about 1 KB); a topic configured for larger messages cannot make the
   * analyzer parse them.
   */
  public static final int MAX_RECORD_BYTES = 1024 * 1024;

  /**
   * How far a record's capture time may lead its Kafka timestamp (agents' clocks differ a little).
   */
  public static final Duration MAX_LEAD = Duration.ofMinutes(1);

  private static final Logger LOG = LoggerFactory.getLogger(FlowIntake.class);
  private static final String CLAMPED_KIND = "clamped";

  /** A record read: the flow record (null when skipped), its outcome and whether it was clamped. */
  public record Read(FlowRecord record, String outcome, boolean clamped, AgentHeartbeat heartbeat) {
    Read(FlowRecord record, String outcome, boolean clamped) {
      this(record, outcome, clamped, null);
    }

    static Read skipped(String outcome) {
      return new Read(null, outcome, false);
    }
  }

  private final Set<String> warnedKinds = new HashSet<>();
  private final Duration maxLead;
  private final RecordKeys keys;

  /** Clamps capture times more than {@link #MAX_LEAD} ahead of the Kafka timestamp. */
  public FlowIntake() {
    this(MAX_LEAD);
  }

  /** Clamps capture times more than {@code maxLead} ahead of the Kafka timestamp; null: never. */
  public FlowIntake(Duration maxLead) {
    this(maxLead, null);
  }

  /**
   * As {@link #FlowIntake(Duration)}; with {@code keys}, {@link #authenticated} lets through only
   * values signed with the key of the agent they name.
   */
  public FlowIntake(Duration maxLead, RecordKeys keys) {
    this.maxLead = maxLead;
    this.keys = keys;
  }

  /**
   * {@code read}, or, when this intake checks record keys and {@code value} does not carry ({@code
   * mac}, its {@code RecordKey.HEADER}) the HMAC of the key of the agent its record or heartbeat
   * names, the read skipped as {@link AnalyzerMetrics#OUTCOME_UNSIGNED} or {@link
   * AnalyzerMetrics#OUTCOME_BAD_SIGNATURE}. Reads skipped already stay as they are.
   */
  public Read authenticated(Read read, byte[] value, byte[] mac, Supplier<String> where) {
    if (keys == null) {
      return read;
    }
    String agent =
        read.record() != null
            ? read.record().agent()
            : read.heartbeat() != null ? read.heartbeat().agent() : null;
    if (agent == null) {
      return read;
    }
    RecordKeys.Refusal refusal = keys.refusal(agent, value, mac);
    if (refusal == null) {
      return read;
    }
    if (!warnedKinds.contains(refusal.outcome())) {
      warnOnce(
          refusal.outcome(),
          "Skipping flow record at "
              + where.get()
              + " ("
              + refusal.outcome()
              + "): "
              + refusal.why()
              + "; further '"
              + refusal.outcome()
              + "' records are only counted");
    }
    return Read.skipped(refusal.outcome());
  }

  /**
   * Reads a Kafka record's value.
   *
   * @param kafkaTimestampMillis the record's Kafka timestamp, negative when it has none
   * @param where where the record sits (topic-partition and offset), for the log
   */
  public Read read(byte[] value, long kafkaTimestampMillis, String where) {
    return read(value, kafkaTimestampMillis, () -> where);
  }

  /**
   * As {@link #read(byte[], long, String)}, {@code where} made only when a line is logged (a string
   * per record cost more than reading most of its fields).
   */
  public Read read(byte[] value, long kafkaTimestampMillis, Supplier<String> where) {
    if (value == null) {
      return skipped(AnalyzerMetrics.OUTCOME_EMPTY, where, "a record without a value");
    }
    if (value.length > MAX_RECORD_BYTES) {
      return skipped(
          AnalyzerMetrics.OUTCOME_TOO_LARGE,
          where,
          "a record of "
              + value.length
              + " bytes, more than the "
              + MAX_RECORD_BYTES
              + " a flow record may have");
    }
    FlowRecord record;
    try {
      record = RecordJson.flowRecord(value);
    } catch (MalformedRecordException e) {
      return heartbeatOr(value, () -> skipped(e.kind(), where, e.getMessage()));
    } catch (RuntimeException e) { // a parser bug must not stop the analyzer either
      return skipped(AnalyzerMetrics.OUTCOME_ERROR, where, "unreadable record: " + e);
    }
    String problem = FieldCheck.problem(record);
    if (problem != null) {
      return heartbeatOr(value, () -> skipped(AnalyzerMetrics.OUTCOME_FIELDS, where, problem));
    }
    if (kafkaTimestampMillis >= 0 && maxLead != null) {
      Instant limit = Instant.ofEpochMilli(kafkaTimestampMillis).plus(maxLead);
      if (record.lastSeen().isAfter(limit)) {
        Instant sent = Instant.ofEpochMilli(kafkaTimestampMillis);
        warnOnce(
            CLAMPED_KIND,
            "Clamping flow record at "
                + where.get()
                + " dated "
                + record.lastSeen()
                + ", more than "
                + maxLead
                + " after its Kafka timestamp "
                + sent
                + "; further such records are only counted");
        return new Read(clamp(record, sent), AnalyzerMetrics.OUTCOME_OK, true);
      }
    }
    return new Read(record, AnalyzerMetrics.OUTCOME_OK, false);
  }

  /**
   * An agent's heartbeat (outcome {@link AnalyzerMetrics#OUTCOME_HEARTBEAT}, counted and never
   * judged), or {@code otherwise}. Tried only on values that are not flow records: heartbeats are
   * rare.
   */
  private static Read heartbeatOr(byte[] value, Supplier<Read> otherwise) {
    try {
      return new Read(null, AnalyzerMetrics.OUTCOME_HEARTBEAT, false, RecordJson.heartbeat(value));
    } catch (MalformedRecordException | RuntimeException notHeartbeat) {
      return otherwise.get();
    }
  }

  /**
   * The flow record in {@code value} when it reads and passes every field check, else null: for
   * records that come from a topic the analyzer writes itself ({@code migaudit.kerberos}), which a
   * foreign writer may still have written to.
   */
  public static FlowRecord checked(byte[] value) {
    if (value == null || value.length > MAX_RECORD_BYTES) {
      return null;
    }
    try {
      FlowRecord record = RecordJson.flowRecord(value);
      return FieldCheck.problem(record) == null ? record : null;
    } catch (MalformedRecordException | RuntimeException e) {
      return null;
    }
  }

  /** Logs a judging failure once (further ones are only counted by the caller). */
  public void failed(String where, RuntimeException e) {
    warnOnce(
        AnalyzerMetrics.OUTCOME_ERROR,
        "Skipping flow record at "
            + where
            + ": judging it failed ("
            + e
            + "); further such records are only counted");
  }

  private Read skipped(String kind, Supplier<String> where, String why) {
    if (warnedKinds.contains(kind)) {
      return Read.skipped(kind);
    }
    warnOnce(
        kind,
        "Skipping malformed flow record at "
            + where.get()
            + " ("
            + kind
            + "): "
            + why
            + "; further '"
            + kind
            + "' records are only counted");
    return Read.skipped(kind);
  }

  private void warnOnce(String kind, String message) {
    if (warnedKinds.add(kind)) {
      LOG.warn(message);
    }
  }

  /** {@code r} with both capture times no later than {@code at}. */
  static FlowRecord clamp(FlowRecord r, Instant at) {
    Instant last = r.lastSeen().isAfter(at) ? at : r.lastSeen();
    Instant first = r.firstSeen().isAfter(last) ? last : r.firstSeen();
    return r.withIdentity(r.flowId(), first, last);
  }
}
