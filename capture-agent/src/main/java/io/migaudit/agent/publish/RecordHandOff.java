package io.migaudit.agent.publish;

import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.record.FlowRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Takes flow records off the capture threads: {@link #accept} only queues the record, and one
 * thread of its own hands the records, in the order they were queued, to the next sink (the {@link
 * FlowPublisher}, whose send serializes the record to JSON and batches it for Kafka). A flood of
 * short flows then costs the capture threads the records' making, not their writing. The queue is
 * bounded: when the publisher falls behind by {@link #DEFAULT_CAPACITY} records the capture waits,
 * as it waited on a direct send before. {@link #close()} hands over what is queued, then stops.
 */
public final class RecordHandOff implements FlowRecordSink, AutoCloseable {
  /** Records queued at most: about a second of a flood of short flows, a few MB of records. */
  public static final int DEFAULT_CAPACITY = 16_384;
  private static final int DRAIN_BATCH = 256;

  private final FlowRecordSink next;
  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private volatile boolean closed;

  public RecordHandOff(FlowRecordSink next, int capacity) {
    this.next = next;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::drain, "flow-record-publisher");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void accept(FlowRecord record) {
    RuntimeException e = failure.get();
    if (e != null) {
      throw new IllegalStateException("the flow record publisher thread failed: " + e, e);
    }
    if (closed) {
      throw new IllegalStateException("record hand-off closed");
    }
    try {
      queue.put(record);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the flow record queue was full", ie);
    }
  }

  /** Records queued and not yet handed to the next sink. */
  public int queued() {
    return queue.size();
  }

  private void drain() {
    List<Object> batch = new ArrayList<>(DRAIN_BATCH);
    try {
      while (true) {
        batch.add(queue.take());
        queue.drainTo(batch, DRAIN_BATCH - 1);
        for (Object o : batch) {
          if (o == Stop.STOP) {
            return;
          }
          if (failure.get() == null) {
            pass((FlowRecord) o);
          } // after a failure the queue is still emptied, so that no capture thread waits on it
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pass(FlowRecord record) {
    try {
      next.accept(record);
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Hands every queued record to the next sink and stops the thread; rethrows the next sink's failure. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        queue.put(Stop.STOP);
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    RuntimeException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  /** The end mark in the queue (the queue holds records and this). */
  private enum Stop { STOP }
}
