package io.migaudit.agent.publish;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.io.IOException;
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
 * A {@link FlowPublisher} that loses nothing while Kafka is away, with a {@link Spool}. The first
 * record the producer fails to deliver (delivery timeout, full buffer, no metadata) starts a
 * <em>cut-over</em>: the producer is closed at once, which fails every record it still holds; those
 * records, and every record accepted after them, go to the spool in the order they were accepted
 * (new records wait for the few milliseconds this takes). While the spool holds records, new
 * records go to it too, so per source host the order stays the order of capture. A {@link
 * SpoolDrainer} sends the spooled records when Kafka answers again and hands a working producer
 * back once the spool is empty. A record the broker stored but whose acknowledgement was lost is
 * sent again: consumers see it twice, with the same {@code (flowId, seq)}.
 */
public final class SpoolingPublisher extends FlowPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolingPublisher.class);

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
  private final AtomicLong drained = new AtomicLong();

  /**
   * Publishes through producers made by {@code producers} (a new one after each outage), spooling
   * to {@code spool}; records an earlier run left in the spool are sent first.
   */
  public SpoolingPublisher(
      Supplier<? extends Producer<byte[], FlowRecord>> producers, String topic, Spool spool) {
    this(producers, topic, spool, STALL_AFTER);
  }

  /** As above, starting the cut-over after {@code stallAfter} without word from the producer. */
  SpoolingPublisher(
      Supplier<? extends Producer<byte[], FlowRecord>> producers,
      String topic,
      Spool spool,
      Duration stallAfter) {
    super(topic);
    this.stallAfter = stallAfter;
    this.producers = producers;
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
        producer()
            .send(
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
        acknowledged(1);
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
    return state.get() == State.DIRECT
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
    acknowledged(records);
  }

  /**
   * Waits until every record handed over so far is acknowledged or in the spool: after {@link
   * #FLUSH_GRACE} what the broker has not acknowledged is spooled.
   *
   * @throws DeliveryException if any record was lost (the spool could not be written)
   */
  @Override
  public void flush() throws DeliveryException {
    retire(FLUSH_GRACE);
    throwIfLost();
  }

  @Override
  public boolean awaitSpoolDrained(Duration every) {
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

  @Override
  public long spooled() {
    return spool.appended();
  }

  @Override
  public long drained() {
    return drained.get();
  }

  @Override
  public long spoolDropped() {
    return spool.dropped();
  }

  @Override
  public long spoolSkipped() {
    return drainer.skipped();
  }

  @Override
  public boolean drainerAlive() {
    return drainer.alive();
  }

  @Override
  public long spoolPending() {
    return spool.pending();
  }

  @Override
  public long spoolBytes() {
    return spool.bytes();
  }

  @Override
  public long spoolMaxBytes() {
    return spool.maxBytes();
  }

  /**
   * Stops the drainer, spools what the producer has not delivered within {@link #FLUSH_GRACE} and
   * closes the spool: records left in it are sent by the next run.
   */
  @Override
  public void close() {
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
}
