package io.migaudit.agent.dispatch;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One capture worker: a thread with a flow table of its own, fed every {@link PacketBatch}. It
 * decodes and tracks the frames it owns and moves its table's clock on the others' timestamps.
 * After a failure it keeps releasing batches (doing no work) so that the reader never waits on it.
 */
final class FlowWorker implements Runnable {
  private final int id;
  private final FlowTable table;
  private final BlockingQueue<PacketBatch> inbox;
  private final BlockingQueue<PacketBatch> free;
  private final EndReason endReason;
  private final AtomicReference<Throwable> failure;
  private final PacketDecoder decoder = new PacketDecoder();
  private final CapturedPacket captured = new CapturedPacket();
  private final DecodedPacket decoded = new DecodedPacket();
  private ByteBuffer frame = ByteBuffer.allocate(2048);

  FlowWorker(
      int id,
      FlowTable table,
      int capacity,
      BlockingQueue<PacketBatch> free,
      EndReason endReason,
      AtomicReference<Throwable> failure) {
    this.id = id;
    this.table = table;
    this.inbox = new ArrayBlockingQueue<>(capacity);
    this.free = free;
    this.endReason = endReason;
    this.failure = failure;
  }

  /** Hands a batch over; never blocks, the inbox holds every batch in circulation. */
  void deliver(PacketBatch batch) {
    if (!inbox.offer(batch)) {
      throw new IllegalStateException("worker " + id + ": inbox full");
    }
  }

  FlowTable table() {
    return table;
  }

  @Override
  public void run() {
    boolean last = false;
    while (!last) {
      PacketBatch batch;
      try {
        batch = inbox.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure.compareAndSet(null, e);
        return;
      }
      last = batch.last;
      try {
        if (failure.get() == null) {
          process(batch);
        }
      } catch (RuntimeException | Error e) {
        failure.compareAndSet(null, e);
      } finally {
        if (batch.release()) {
          free.add(batch);
        }
      }
    }
  }

  private void process(PacketBatch batch) {
    byte me = (byte) id;
    for (int i = 0; i < batch.count; i++) {
      if (batch.owner[i] != me) {
        table.tick(batch.timestampMicros[i]);
        continue;
      }
      frame = batch.frame(i, captured, frame);
      DecodeIssue issue = decoder.decode(captured, decoded);
      if (issue != DecodeIssue.NONE) {
        throw new IllegalStateException(
            "worker " + id + ": a frame the reader decoded failed here: " + issue);
      }
      table.offer(decoded);
    }
    if (batch.last) {
      table.flush(endReason);
    }
  }
}
