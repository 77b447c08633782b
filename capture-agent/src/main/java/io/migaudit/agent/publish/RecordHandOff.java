package io.migaudit.agent.publish;

import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.record.FlowRecord;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes flow records off the capture threads: {@link #accept} only queues the record, and one
 * thread of its own hands the records, in the order they were queued, to the next sink (the {@link
 * FlowPublisher}, whose send serializes the record to JSON and batches it for Kafka). A flood of
 * short flows then costs the capture threads the records' making, not their writing. The queue is
 * bounded: when the publisher falls behind by the capacity ({@link #DEFAULT_CAPACITY}) the capture
 * waits, as it waited on a direct send before. {@link #close()} hands over what is queued, then
 * stops.
 */
public final class RecordHandOff implements FlowRecordSink, AutoCloseable {
  /** Records queued at most: about a second of a flood of short flows, a few MB of records. */
  public static final int DEFAULT_CAPACITY = 16_384;

  /**
   * How long either side naps when it must wait (the queue empty, or full). Neither side wakes the
   * other: a wake-up per record (a futex call) cost the capture thread more than the JSON it saved.
   * A record therefore waits at most this long for the publishing thread.
   */
  private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final FlowRecordSink next;
  private final int capacity;
  private final Queue<FlowRecord> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final Thread thread;
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private volatile boolean closed;

  public RecordHandOff(FlowRecordSink next, int capacity) {
    this.next = next;
    this.capacity = capacity;
    this.thread = new Thread(this::drain, "flow-record-publisher");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void accept(FlowRecord record) {
    while (true) {
      RuntimeException e = failure.get();
      if (e != null) {
        throw new IllegalStateException("the flow record publisher thread failed: " + e, e);
      }
      if (closed) {
        throw new IllegalStateException("record hand-off closed");
      }
      if (size.get() < capacity) {
        break;
      }
      LockSupport.parkNanos(NAP_NANOS); // the publisher is behind: wait, as a direct send would
    }
    queue.add(record);
    size.incrementAndGet();
  }

  /** Records queued and not yet handed to the next sink. */
  public int queued() {
    return size.get();
  }

  private void drain() {
    while (true) {
      FlowRecord r = queue.poll();
      if (r == null) {
        if (closed && queue.isEmpty()) {
          return;
        }
        LockSupport.parkNanos(NAP_NANOS);
        continue;
      }
      size.decrementAndGet();
      if (failure.get() == null) {
        pass(r);
      } // after a failure the queue is still emptied, so that no capture thread waits on it
    }
  }

  private void pass(FlowRecord record) {
    try {
      next.accept(record);
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  /**
   * Hands every queued record to the next sink and stops the thread; rethrows the next sink's
   * failure. Call it once the capture threads are done.
   */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      LockSupport.unpark(thread);
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true; // the queue is finite: wait for it, then say so
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    RuntimeException e = failure.get();
    if (e != null) {
      throw e;
    }
  }
}
