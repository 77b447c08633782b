package io.migaudit.analyzer.stream;

import io.migaudit.analyzer.alert.RecordSink;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the alerts (and event updates) the analyzer committed to local sinks (JSON lines): reads
 * {@code migaudit.alerts} and {@code migaudit.migrations} with {@code read_committed}, so a line is
 * only ever written for an output of a committed transaction, in a consumer group of its own whose
 * offsets are committed after the sinks flushed. A fresh group starts at the topics' current end,
 * fixed before the analyzer starts judging. Runs on a thread of its own.
 */
public final class CommittedOutputs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommittedOutputs.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /** How long {@link #close()} keeps writing what the analyzer committed before it closed. */
  private static final Duration DRAIN = Duration.ofSeconds(20);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<RecordSink<Alert>> alertSinks;
  private final List<RecordSink<MigrationEvent>> eventSinks;
  private final AtomicLong alerts = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private final CountDownLatch assigned = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean running = true;

  public CommittedOutputs(
      KafkaSettings kafka,
      String group,
      List<RecordSink<Alert>> alertSinks,
      List<RecordSink<MigrationEvent>> eventSinks) {
    Map<String, Object> props = kafka.consumerProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    this.consumer = new KafkaConsumer<>(props);
    this.alertSinks = List.copyOf(alertSinks);
    this.eventSinks = List.copyOf(eventSinks);
    this.thread = new Thread(this::run, "migaudit-committed-outputs");
    this.thread.setDaemon(true);
  }

  /**
   * Starts reading; returns once the topics' partitions are assigned and positioned, or after
   * {@code wait}.
   */
  public void start(Duration wait) throws InterruptedException {
    thread.start();
    if (!assigned.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn(
          "no partitions of {} assigned to the JSON-lines writer within {}: lines may miss the first alerts",
          Topics.ALERTS,
          wait);
    }
  }

  public long alertsWritten() {
    return alerts.get();
  }

  public long eventsWritten() {
    return events.get();
  }

  /** The error that stopped the writer, or null. */
  public Throwable failure() {
    return failure.get();
  }

  private void run() {
    List<String> topics =
        eventSinks.isEmpty() ? List.of(Topics.ALERTS) : List.of(Topics.ALERTS, Topics.MIGRATIONS);
    try {
      consumer.subscribe(
          topics,
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              // a fresh group's "latest" is fixed now, and committed: a restart resumes here, not
              // at a later end
              Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
              partitions.forEach(tp -> start.put(tp, new OffsetAndMetadata(consumer.position(tp))));
              consumer.commitSync(start);
              if (!partitions.isEmpty()) {
                assigned.countDown();
              }
            }
          });
      long drainDeadline = Long.MAX_VALUE;
      while (true) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(POLL);
        deliver(batch);
        if (!running) {
          drainDeadline = Math.min(drainDeadline, System.nanoTime() + DRAIN.toNanos());
          if (batch.isEmpty() && atEnd() || System.nanoTime() > drainDeadline) {
            break;
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure.set(e);
      LOG.error("the JSON-lines writer stopped: {}", e.toString());
    } finally {
      consumer.close();
    }
  }

  /** True when every assigned partition is read up to its last committed output. */
  private boolean atEnd() {
    Map<TopicPartition, Long> end =
        consumer.endOffsets(consumer.assignment()); // read_committed: the LSO
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private void deliver(ConsumerRecords<byte[], byte[]> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<Alert> alertBatch = new ArrayList<>();
    List<MigrationEvent> eventBatch = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      try {
        if (Topics.ALERTS.equals(r.topic())) {
          alertBatch.add(RecordJson.alert(r.value()));
        } else {
          eventBatch.add(RecordJson.migrationEvent(r.value()));
        }
      } catch (RecordJson.MalformedRecordException | RuntimeException e) {
        LOG.debug(
            "not an alert or event at {}-{} offset {}: {}",
            r.topic(),
            r.partition(),
            r.offset(),
            e.toString());
      }
    }
    if (!alertBatch.isEmpty()) {
      alertSinks.forEach(s -> s.write(alertBatch));
    }
    if (!eventBatch.isEmpty()) {
      eventSinks.forEach(s -> s.write(eventBatch));
    }
    alertSinks.forEach(RecordSink::flush);
    eventSinks.forEach(RecordSink::flush);
    consumer.commitSync();
    alerts.addAndGet(alertBatch.size());
    events.addAndGet(eventBatch.size());
  }

  /**
   * Stops once everything committed so far is written (close the analyzer first), or after {@link
   * #DRAIN}.
   */
  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(DRAIN.plusSeconds(5).toMillis());
    if (thread.isAlive()) {
      consumer.wakeup();
      thread.join(Duration.ofSeconds(5).toMillis());
    }
  }
}
