package io.migaudit.agent.publish;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SpoolingPublisher}'s background thread: performs the cut-over to the spool after a
 * delivery failure, and while the spool holds records, asks Kafka for the topic's partitions (a
 * fresh producer has no cached metadata, so only a reachable broker answers) and, once it answers,
 * sends the spooled records in order, a batch at a time. A batch is acknowledged in the spool only
 * when every record of it is acknowledged by Kafka; a failed batch is sent again from its start.
 *
 * <p>An entry that cannot be published for a reason of its own (not a flow record, a record Kafka
 * refuses as such, or any error of ours while sending it) is logged, counted in {@link #skipped()}
 * and skipped; it never holds the spool back or ends the thread. Should the thread end anyway,
 * {@link #alive()} turns false and the agent's /healthz answers 503.
 */
final class SpoolDrainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolDrainer.class);

  /** Records sent before waiting for their acknowledgements. */
  static final int BATCH_RECORDS = 5_000;

  /** Pause between attempts while Kafka does not answer; also how often the spool is fsynced. */
  static final Duration RETRY = Duration.ofSeconds(1);

  private final SpoolingPublisher publisher;
  private final Spool spool;
  private final Supplier<? extends Producer<byte[], FlowRecord>> producers;
  private final String topic;
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private boolean woken;
  private volatile boolean closed;
  private volatile Producer<byte[], FlowRecord> producer;
  private boolean failing;
  private final AtomicLong skipped = new AtomicLong();

  SpoolDrainer(
      SpoolingPublisher publisher,
      Spool spool,
      Supplier<? extends Producer<byte[], FlowRecord>> producers,
      String topic) {
    this.publisher = publisher;
    this.spool = spool;
    this.producers = producers;
    this.topic = topic;
    this.thread = new Thread(this::run, "migaudit-spool-drainer");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void wake() {
    lock.lock();
    try {
      woken = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits {@link #RETRY}, or less if woken. */
  private void pause() {
    lock.lock();
    try {
      if (!woken && !closed) {
        wake.awaitNanos(RETRY.toNanos());
      }
      woken = false;
    } catch (InterruptedException e) {
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (!closed) {
      try {
        turn();
      } catch (RuntimeException e) {
        // a bug, never a reason to stop draining: log it, drop the producer, try again after a
        // pause
        LOG.error("spool drainer: {}; retrying", e.toString(), e);
        Producer<byte[], FlowRecord> p = producer;
        producer = null;
        if (p != null) {
          p.close(Duration.ZERO);
        }
        pause();
      }
    }
    Producer<byte[], FlowRecord> p = producer;
    if (p != null) {
      p.close(Duration.ZERO);
    }
  }

  /** One step: cut over, drain a batch, cut over a stalled producer, or wait. */
  private void turn() {
    SpoolingPublisher.State s = publisher.state();
    if (s == SpoolingPublisher.State.CUTOVER) {
      publisher.retire(Duration.ZERO);
    } else if (s == SpoolingPublisher.State.SPOOLING) {
      sync();
      if (!drainBatch()) {
        pause();
      }
    } else if (publisher.stalled(System.nanoTime())) {
      publisher.cutOverStalled(); // retired on the next turn
    } else {
      pause();
    }
  }

  /**
   * False once the thread has ended other than by {@link #close()}: nothing drains the spool any
   * more.
   */
  boolean alive() {
    return closed || thread.isAlive() || thread.getState() == Thread.State.NEW;
  }

  /** Spooled entries skipped because they could not be published for a reason of their own. */
  long skipped() {
    return skipped.get();
  }

  private void sync() {
    try {
      spool.sync();
    } catch (IOException e) {
      LOG.error("spool {}: fsync failed: {}", spool.directory(), e.toString());
    }
  }

  /**
   * One attempt: true if a batch was delivered (or the spool handed back), false to wait and retry.
   */
  private boolean drainBatch() {
    Producer<byte[], FlowRecord> p = producer;
    if (p == null) {
      p = producers.get();
      producer = p;
    }
    try {
      p.partitionsFor(topic); // blocks up to max.block.ms when no broker answers
      Spool.Batch batch = spool.read(BATCH_RECORDS);
      if (batch.entries().isEmpty()) {
        if (publisher.handBack(p)) {
          producer = null;
          LOG.warn(
              "Kafka takes flow records again: spool drained ({} records sent from it in all)",
              publisher.drained());
          failing = false;
        }
        return true;
      }
      long skippedBefore = skipped.get();
      if (!send(p, batch)) {
        return false;
      }
      spool.acknowledge(batch);
      publisher.drained(batch.size() - (int) (skipped.get() - skippedBefore));
      if (failing) {
        LOG.warn(
            "Kafka answers again: sending {} spooled flow records", spool.pending() + batch.size());
        failing = false;
      }
      return true;
    } catch (KafkaException | IOException e) {
      drop(p, e);
      return false;
    }
  }

  /** Sends the batch in order and waits for it; true if Kafka acknowledged every record. */
  private boolean send(Producer<byte[], FlowRecord> p, Spool.Batch batch) {
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<Exception> first = new AtomicReference<>();
    for (byte[] entry : batch.entries()) {
      FlowRecord record;
      try {
        record = RecordJson.flowRecord(entry);
        p.send(
            new ProducerRecord<>(topic, FlowPublisher.key(record), record),
            (meta, error) -> {
              if (error != null && entryFault(error)) {
                skip(error);
              } else if (error != null) {
                errors.incrementAndGet();
                first.compareAndSet(null, error);
              }
            });
      } catch (RecordJson.MalformedRecordException | RuntimeException e) {
        if (!entryFault(e)) {
          throw (KafkaException) e; // Kafka itself failed: the batch is sent again
        }
        skip(e);
      }
    }
    p.flush();
    if (errors.get() > 0) {
      drop(p, first.get());
      return false;
    }
    return true;
  }

  /**
   * True when {@code e} is the entry's own fault, so that sending it again would fail again: it is
   * skipped. Any other Kafka error (a broker away, a timeout, a refused login) retries the batch.
   */
  static boolean entryFault(Throwable e) {
    return !(e instanceof KafkaException)
        || e instanceof RecordTooLargeException
        || e instanceof SerializationException
        || e instanceof InvalidRecordException;
  }

  private void skip(Throwable e) {
    long n = skipped.incrementAndGet();
    LOG.error("spool: an entry could not be published ({}); skipped ({} in all)", e.toString(), n);
  }

  /**
   * Abandons a producer that failed; the next attempt starts with a fresh one (no stale metadata).
   */
  private void drop(Producer<byte[], FlowRecord> p, Exception e) {
    if (!failing) {
      LOG.warn(
          "Kafka does not take spooled flow records yet ({}); {} records ({} bytes) wait in {}",
          e.toString(),
          spool.pending(),
          spool.bytes(),
          spool.directory());
      failing = true;
    }
    producer = null;
    p.close(Duration.ZERO);
  }

  /** Stops the thread; a batch in flight is abandoned (it stays in the spool). */
  @Override
  public void close() {
    closed = true;
    wake();
    Producer<byte[], FlowRecord> p = producer;
    if (p != null) {
      p.close(Duration.ZERO); // wakes a send or flush waiting for an absent broker
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
