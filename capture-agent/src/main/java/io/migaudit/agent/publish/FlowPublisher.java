package io.migaudit.agent.publish;

import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends flow records to {@link Topics#FLOWS}, key = flowId, value = the record's JSON, on the
 * partition of the flow's source host ({@link SourceHostPartitioner}).
 *
 * <p>With a {@link Spool}, nothing is lost while Kafka is away. The first record the producer fails
 * to deliver (delivery timeout, full buffer, no metadata) starts a <em>cut-over</em>: the producer
 * is closed at once, which fails every record it still holds; those records, and every record
 * accepted after them, go to the spool in the order they were accepted (new records wait for the
 * few milliseconds this takes). While the spool holds records, new records go to it too, so per
 * source host the order stays the order of capture. A {@link SpoolDrainer} sends the spooled
 * records when Kafka answers again and hands a working producer back once the spool is empty. A
 * record the broker stored but whose acknowledgement was lost is sent again: consumers see it
 * twice, with the same {@code (flowId, seq)}.
 *
 * <p>Without a spool, undelivered records are counted in {@link #failed()} and logged.
 */
public final class FlowPublisher implements FlowRecordSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FlowPublisher.class);

  /** How long {@link #flush()} waits for acknowledgements before spooling what is left. */
  static final Duration FLUSH_GRACE = Duration.ofSeconds(10);

  /**
   * Records in flight with neither an acknowledgement nor a failure for this long start the
   * cut-over without waiting for the Kafka client: an idempotent producer whose broker went away
   * can hold them past its delivery timeout (while it waits to be given a new producer id, it
   * expires nothing), which OutageIT saw once in a few runs.
   */
  static final Duration STALL_AFTER = Duration.ofSeconds(30);

  enum State {
    DIRECT,
    CUTOVER,
    SPOOLING
  }

  private final Supplier<? extends Producer<byte[], FlowRecord>> producers;
  private final String topic;
  private final Spool spool;
  private final SpoolDrainer drainer;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final AtomicReference<State> state = new AtomicReference<>(State.DIRECT);

  /** The producer in use while DIRECT; null until first needed and after a cut-over. */
  private volatile Producer<byte[], FlowRecord> producer;

  /** Records the producer gave up on during a cut-over, by acceptance number. */
  private final ConcurrentSkipListMap<Long, FlowRecord> undelivered = new ConcurrentSkipListMap<>();

  private long accepted;
  private final AtomicLong inFlight = new AtomicLong();

  /**
   * When the producer last acknowledged or failed a record, or was handed one with none in flight.
   */
  private volatile long progressNanos = System.nanoTime();

  private final Duration stallAfter;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong drained = new AtomicLong();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

  /** Publishes through {@code producer}, without a spool. */
  public FlowPublisher(Producer<byte[], FlowRecord> producer) {
    this(producer, Topics.FLOWS);
  }

  /** Publishes through {@code producer} to {@code topic}, without a spool. */
  public FlowPublisher(Producer<byte[], FlowRecord> producer, String topic) {
    this.producers = () -> producer;
    this.producer = producer;
    this.topic = topic;
    this.spool = null;
    this.drainer = null;
    this.stallAfter = STALL_AFTER;
  }

  /**
   * Publishes through producers made by {@code producers} (a new one after each outage), spooling
   * to {@code spool}; records an earlier run left in the spool are sent first.
   */
  public FlowPublisher(
      Supplier<? extends Producer<byte[], FlowRecord>> producers, String topic, Spool spool) {
    this(producers, topic, spool, STALL_AFTER);
  }

  /** As above, starting the cut-over after {@code stallAfter} without word from the producer. */
  FlowPublisher(
      Supplier<? extends Producer<byte[], FlowRecord>> producers,
      String topic,
      Spool spool,
      Duration stallAfter) {
    this.stallAfter = stallAfter;
    this.producers = producers;
    this.topic = topic;
    this.spool = spool;
    if (!spool.isEmpty()) {
      state.set(State.SPOOLING);
    }
    this.drainer = new SpoolDrainer(this, spool, producers, topic);
    drainer.start();
  }

  @Override
  public void accept(FlowRecord record) {
    lock.lock();
    try {
      while (state.get() == State.CUTOVER) {
        changed.awaitUninterruptibly();
      }
      if (state.get() == State.SPOOLING) {
        toSpool(record);
        return;
      }
      long n = accepted++;
      if (inFlight.getAndIncrement() == 0) {
        progressNanos = System.nanoTime();
      }
      try {
        Producer<byte[], FlowRecord> p = producer();
        p.send(
            new ProducerRecord<>(topic, key(record), record),
            (meta, error) -> completed(n, record, error));
      } catch (KafkaException
          | IllegalStateException e) { // the producer was closed during the send
        completed(n, record, e);
      }
    } finally {
      lock.unlock();
    }
  }

  static byte[] key(FlowRecord record) {
    return record.flowId().getBytes(StandardCharsets.UTF_8);
  }

  private Producer<byte[], FlowRecord> producer() {
    Producer<byte[], FlowRecord> p = producer;
    if (p == null) {
      p = producers.get();
      producer = p;
    }
    return p;
  }

  /** A direct send's outcome; runs on the producer's thread, or the sender's for a failed send. */
  private void completed(long n, FlowRecord record, Exception error) {
    try {
      if (error == null) {
        sent.incrementAndGet();
      } else if (spool == null) {
        lost(error);
      } else if (state.get() == State.SPOOLING) {
        toSpoolLate(record);
      } else {
        undelivered.put(n, record);
        if (state.compareAndSet(State.DIRECT, State.CUTOVER)) {
          LOG.error(
              "flow records not delivered to {} ({}): spooling to {} until Kafka answers",
              topic,
              error.toString(),
              spool.directory());
          drainer.wake();
        }
      }
    } finally {
      progressNanos = System.nanoTime();
      inFlight.decrementAndGet();
    }
  }

  /**
   * True while records are in flight and the producer has said nothing for {@link #STALL_AFTER}.
   */
  boolean stalled(long nowNanos) {
    return spool != null
        && state.get() == State.DIRECT
        && inFlight.get() > 0
        && nowNanos - progressNanos > stallAfter.toNanos();
  }

  /** Starts the cut-over the producer did not start itself (see {@link #STALL_AFTER}). */
  void cutOverStalled() {
    if (state.compareAndSet(State.DIRECT, State.CUTOVER)) {
      LOG.error(
          "{} flow records neither acknowledged nor failed by Kafka for {} s: spooling to {} until"
              + " Kafka answers",
          inFlight.get(),
          stallAfter.toSeconds(),
          spool.directory());
    }
  }

  private void lost(Exception error) {
    failed.incrementAndGet();
    if (firstFailure.compareAndSet(null, error)) {
      LOG.error("flow record not delivered to {}: {}", topic, error.toString());
    }
  }

  /** Appends under the lock (records in acceptance order). */
  private void toSpool(FlowRecord record) {
    try {
      spool.append(RecordJson.toBytes(record));
    } catch (IOException e) {
      lost(e);
    }
  }

  private void toSpoolLate(FlowRecord record) {
    lock.lock();
    try {
      toSpool(record);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the producer in use, waiting up to {@code grace} for its acknowledgements; what it could
   * not deliver is spooled in acceptance order, and new records go to the spool until it is
   * drained. Called by the drainer after a failure, and by {@link #flush()}.
   */
  void retire(Duration grace) {
    Producer<byte[], FlowRecord> p = producer;
    if (p != null) {
      p.close(grace); // fails (and calls back for) every record it still holds
    }
    lock.lock();
    try {
      if (inFlight.get() != 0) {
        LOG.error("{} flow records still in flight after the producer closed", inFlight.get());
      }
      for (Map.Entry<Long, FlowRecord> e = undelivered.pollFirstEntry();
          e != null;
          e = undelivered.pollFirstEntry()) {
        toSpool(e.getValue());
      }
      if (producer == p) {
        producer = null;
      }
      state.set(spool.isEmpty() ? State.DIRECT : State.SPOOLING);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The spool is empty: {@code working} (which just delivered its last records) takes new ones
   * again.
   */
  boolean handBack(Producer<byte[], FlowRecord> working) {
    lock.lock();
    try {
      if (!spool.isEmpty() || state.get() != State.SPOOLING) {
        return false;
      }
      producer = working;
      state.set(State.DIRECT);
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  State state() {
    return state.get();
  }

  void drained(int records) {
    drained.addAndGet(records);
    sent.addAndGet(records);
  }

  /**
   * Waits until every record handed over so far is acknowledged, or (with a spool) is in the spool:
   * after {@link #FLUSH_GRACE} what the broker has not acknowledged is spooled.
   *
   * @throws DeliveryException if any record was lost (no spool, or the spool could not be written)
   */
  public void flush() throws DeliveryException {
    if (spool == null) {
      producer.flush();
    } else {
      retire(FLUSH_GRACE);
    }
    Exception e = firstFailure.get();
    if (e != null) {
      throw new DeliveryException(
          failed.get() + " flow records not delivered to " + topic + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the spool is empty, logging every {@code every} how much is left; returns false if
   * interrupted first. Without a spool returns at once.
   */
  public boolean awaitSpoolDrained(Duration every) {
    if (spool == null) {
      return true;
    }
    lock.lock();
    try {
      while (!spool.isEmpty() || state.get() != State.DIRECT) {
        if (!changed.await(every.toNanos(), TimeUnit.NANOSECONDS)) {
          LOG.warn(
              "waiting for Kafka to take {} spooled flow records ({} bytes in {})",
              spool.pending(),
              spool.bytes(),
              spool.directory());
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Records acknowledged by the broker, sent directly or from the spool. */
  public long sent() {
    return sent.get();
  }

  /** Records lost: not delivered and not spooled. */
  public long failed() {
    return failed.get();
  }

  /** Records appended to the spool. */
  public long spooled() {
    return spool == null ? 0 : spool.appended();
  }

  /** Spooled records acknowledged by the broker. */
  public long drained() {
    return drained.get();
  }

  /** Spooled records deleted unsent because the spool reached its bound. */
  public long spoolDropped() {
    return spool == null ? 0 : spool.dropped();
  }

  /** Spooled records skipped because they could not be published for a reason of their own. */
  public long spoolSkipped() {
    return drainer == null ? 0 : drainer.skipped();
  }

  /** False once the spool's drainer thread has died: the spool would only grow. */
  public boolean drainerAlive() {
    return drainer == null || drainer.alive();
  }

  /** Spooled records not yet acknowledged by Kafka (0 without a spool). */
  public long spoolPending() {
    return spool == null ? 0 : spool.pending();
  }

  /** Bytes of the spool's files (0 without a spool). */
  public long spoolBytes() {
    return spool == null ? 0 : spool.bytes();
  }

  /** The spool's bound in bytes (0 without a spool). */
  public long spoolMaxBytes() {
    return spool == null ? 0 : spool.maxBytes();
  }

  /**
   * Without a spool, closes the producer (waiting for its acknowledgements). With one, stops the
   * drainer, spools what the producer has not delivered within {@link #FLUSH_GRACE} and closes the
   * spool: records left in it are sent by the next run.
   */
  @Override
  public void close() {
    if (spool == null) {
      producer.close();
      return;
    }
    drainer.close();
    retire(FLUSH_GRACE);
    long left = spool.pending();
    try {
      spool.close();
    } catch (IOException e) {
      LOG.error("spool {}: {}", spool.directory(), e.toString());
    }
    if (left > 0) {
      LOG.warn(
          "{} flow records left in spool {}: the agent's next start sends them",
          left,
          spool.directory());
    }
  }

  /** Some records could not be delivered. */
  public static final class DeliveryException extends Exception {
    public DeliveryException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
