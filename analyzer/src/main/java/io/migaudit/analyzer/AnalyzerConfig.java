package io.migaudit.analyzer;

import io.migaudit.analyzer.consume.FlowIntake;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.consume.RecordKeys;
import io.migaudit.analyzer.events.StoredEventGrouper;
import io.migaudit.record.RecordKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What an {@link Analyzer} needs besides its policy.
 *
 * @param kafka the cluster and the user's client settings (TLS, SASL) for every client
 * @param applicationId the Kafka Streams application id, which is also the consumer group of the
 *     instances that share {@code migaudit.flows} ({@code --group-id})
 * @param stateDir where Kafka Streams keeps its local state (locks, checkpoints); private to the
 *     analyzer's user, never a shared /tmp
 * @param standbyReplicas warm copies of each partition's state on other instances, for fast
 *     failover
 * @param alertRetention how long after a flow's latest record its raised alerts are remembered (a
 *     record of the flow later than that may raise them again, with the same ids)
 * @param eventIdle how long an open migration event stays open without a record
 * @param maxStreamsPerEvent streams an event lists (more are counted, not listed)
 * @param judgeGrace how long a Hyper-V migration waits for Kerberos evidence before
 *     CREDSSP_MIGRATION is judged
 * @param expectedPartitions the partition count of {@code migaudit.flows} the deployment was made
 *     with, 0 to take the one its state was built for
 * @param maxCaptureLead how far a record's capture time may lead its Kafka timestamp before it is
 *     clamped to it; null for never (a replay of capture files, which may be dated by any clock)
 * @param recordKey this analyzer's own record key: the alerts and migration events it writes are
 *     signed with it; null: unsigned
 * @param recordKeys the agents' record keys: only values signed with the key of the agent they name
 *     are judged; null: every value is
 * @param streamThreads Kafka Streams threads of this instance ({@code num.stream.threads}), each
 *     with its own rule engine: one thread waits on Kafka (fetches, transaction commits) while
 *     another judges; more threads than the partitions of {@code migaudit.flows} idle
 */
public record AnalyzerConfig(
    KafkaSettings kafka,
    String applicationId,
    Path stateDir,
    int standbyReplicas,
    Duration alertRetention,
    Duration eventIdle,
    int maxStreamsPerEvent,
    Duration judgeGrace,
    int expectedPartitions,
    Duration maxCaptureLead,
    int streamThreads,
    RecordKeys recordKeys,
    RecordKey recordKey) {
  public static final Duration DEFAULT_ALERT_RETENTION = Duration.ofHours(24);
  public static final Duration DEFAULT_JUDGE_GRACE = Duration.ofSeconds(30);

  /**
   * The judge grace of a replay ({@code migaudit replay}, and tests that judge the samples as it
   * does): its records are all on the topic when the analyzer starts, so evidence in another
   * partition arrives within this, and every replay ends this much later.
   */
  public static final Duration REPLAY_JUDGE_GRACE = Duration.ofSeconds(2);

  public AnalyzerConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(stateDir, "stateDir");
    if (standbyReplicas < 0
        || streamThreads < 1
        || maxStreamsPerEvent < 1
        || expectedPartitions < 0
        || alertRetention.isNegative()
        || eventIdle.isNegative()
        || judgeGrace.isNegative()) {
      throw new IllegalArgumentException(
          "bad analyzer settings: "
              + standbyReplicas
              + " standbys, "
              + maxStreamsPerEvent
              + " streams per event, "
              + expectedPartitions
              + " partitions, "
              + streamThreads
              + " stream threads");
    }
  }

  /**
   * The defaults for {@code kafka}, in group {@code applicationId}, with state under {@code
   * stateDir}; one stream thread ({@code migaudit analyzer} runs one per core: {@link
   * #withStreamThreads}).
   */
  public static AnalyzerConfig defaults(KafkaSettings kafka, String applicationId, Path stateDir) {
    return new AnalyzerConfig(
        kafka,
        applicationId,
        stateDir,
        0,
        DEFAULT_ALERT_RETENTION,
        StoredEventGrouper.DEFAULT_IDLE,
        StoredEventGrouper.DEFAULT_MAX_STREAMS,
        DEFAULT_JUDGE_GRACE,
        0,
        FlowIntake.MAX_LEAD,
        1,
        null,
        null);
  }

  /**
   * The default state directory: {@code $XDG_STATE_HOME/migaudit} or {@code
   * ~/.local/state/migaudit} (the systemd unit sets {@code StateDirectory=}, i.e. {@code
   * /var/lib/migaudit}, through {@code --state-dir}).
   */
  public static Path defaultStateDir() {
    String xdg = System.getenv("XDG_STATE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("migaudit").resolve("analyzer");
  }

  public AnalyzerConfig withStandbyReplicas(int n) {
    return copy(c -> c.standbyReplicas = n);
  }

  public AnalyzerConfig withJudgeGrace(Duration grace) {
    return copy(c -> c.judgeGrace = grace);
  }

  public AnalyzerConfig withAlertRetention(Duration retention) {
    return copy(c -> c.alertRetention = retention);
  }

  /** Capture times are never clamped (a replay of capture files dated by any clock). */
  public AnalyzerConfig withoutClamping() {
    return copy(c -> c.maxCaptureLead = null);
  }

  /** {@code threads} stream threads ({@link #streamThreads}). */
  public AnalyzerConfig withStreamThreads(int threads) {
    return copy(c -> c.streamThreads = threads);
  }

  public AnalyzerConfig withExpectedPartitions(int partitions) {
    return copy(c -> c.expectedPartitions = partitions);
  }

  /**
   * Only values signed with the key of the agent they name are judged ({@link RecordKeys}); null:
   * every value is, as without keys.
   */
  public AnalyzerConfig withRecordKeys(RecordKeys keys) {
    return copy(c -> c.recordKeys = keys);
  }

  /**
   * Signs every alert and migration event this analyzer writes with {@code key} ({@link
   * RecordKey#HEADER}); null: unsigned, as without a key.
   */
  public AnalyzerConfig withRecordKey(RecordKey key) {
    return copy(c -> c.recordKey = key);
  }

  /** This config with the change {@code edit} makes to its components. */
  private AnalyzerConfig copy(Consumer<Copy> edit) {
    Copy c = new Copy(this);
    edit.accept(c);
    return c.build();
  }

  /** A config's components, to change one and build the copy (the withers above). */
  private static final class Copy {
    private final KafkaSettings kafka;
    private final String applicationId;
    private final Path stateDir;
    private int standbyReplicas;
    private Duration alertRetention;
    private final Duration eventIdle;
    private final int maxStreamsPerEvent;
    private Duration judgeGrace;
    private int expectedPartitions;
    private Duration maxCaptureLead;
    private int streamThreads;
    private RecordKeys recordKeys;
    private RecordKey recordKey;

    Copy(AnalyzerConfig c) {
      kafka = c.kafka;
      applicationId = c.applicationId;
      stateDir = c.stateDir;
      standbyReplicas = c.standbyReplicas;
      alertRetention = c.alertRetention;
      eventIdle = c.eventIdle;
      maxStreamsPerEvent = c.maxStreamsPerEvent;
      judgeGrace = c.judgeGrace;
      expectedPartitions = c.expectedPartitions;
      maxCaptureLead = c.maxCaptureLead;
      streamThreads = c.streamThreads;
      recordKeys = c.recordKeys;
      recordKey = c.recordKey;
    }

    AnalyzerConfig build() {
      return new AnalyzerConfig(
          kafka,
          applicationId,
          stateDir,
          standbyReplicas,
          alertRetention,
          eventIdle,
          maxStreamsPerEvent,
          judgeGrace,
          expectedPartitions,
          maxCaptureLead,
          streamThreads,
          recordKeys,
          recordKey);
    }
  }
}
