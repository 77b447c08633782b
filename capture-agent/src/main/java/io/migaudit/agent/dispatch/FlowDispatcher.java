package io.migaudit.agent.dispatch;

import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowKey;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.PacketSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Reads a capture on the calling thread and spreads its flows over worker threads, each with a flow
 * table of its own. A frame is decoded here to find its flow; the flow's symmetric hash (both
 * directions, the whole inner 5-tuple and VLAN, so a tunnelled flow stays with its key) picks the
 * worker. Frames travel in {@link PacketBatch}es from a fixed pool, so memory is bounded and a slow
 * worker holds the reader back. Every worker sees every batch's timestamps, so each table's
 * timeouts and interim records fall due at the same packets as in one table: records are those of
 * one worker, in another order.
 */
public final class FlowDispatcher {
  private static final long POLL_MILLIS = 100;

  private final int workers;
  private final PipelineCounters counters;
  private final PacketDecoder decoder = new PacketDecoder();
  private final CapturedPacket captured = new CapturedPacket();
  private final DecodedPacket decoded = new DecodedPacket();

  /**
   * @param workers worker threads, 2 to 127
   * @param counters the pipeline's counters: frames and decode drops are counted here, each
   *     worker's table under a {@link PipelineCounters#worker()} of it
   */
  public FlowDispatcher(int workers, PipelineCounters counters) {
    if (workers < 2 || workers > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("workers must be 2 to 127, not " + workers);
    }
    this.workers = workers;
    this.counters = counters;
  }

  /**
   * The worker of a flow's symmetric hash: its high bits, as the flow table's slots use the low
   * ones.
   */
  static int workerOf(int hash, int workers) {
    return (int) ((Integer.toUnsignedLong(hash) * workers) >>> 32);
  }

  /**
   * Reads {@code source} to its end through the workers; each ends its flows with {@code
   * endReason}.
   *
   * @param tables makes worker i's flow table
   * @return frames read, IP packets, records written
   */
  public long[] run(PacketSource source, IntFunction<FlowTable> tables, EndReason endReason)
      throws IOException {
    int pool = 2 * workers + 2;
    BlockingQueue<PacketBatch> free = new ArrayBlockingQueue<>(pool);
    for (int i = 0; i < pool; i++) {
      free.add(new PacketBatch());
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    List<FlowWorker> crew = start(tables, pool, free, endReason, failure, threads);
    long packets = 0;
    long ip = 0;
    PacketBatch batch = take(free, failure);
    try {
      while (batch != null && source.next(captured)) {
        packets++;
        counters.packet();
        DecodeIssue issue = decoder.decode(captured, decoded);
        if (issue != DecodeIssue.NONE) {
          counters.dropped(issue);
          continue;
        }
        ip++;
        batch.add(captured, workerOf(FlowKey.symmetricHash(decoded), workers));
        if (batch.full()) {
          hand(batch, crew);
          batch = null; // handed over: never touched again here, even if the take below fails
          batch = take(free, failure);
        }
      }
    } finally {
      if (batch == null) {
        batch = takeAnyway(free);
      }
      batch.last = true;
      hand(batch, crew);
      join(threads);
    }
    rethrow(failure.get());
    long records = 0;
    for (FlowWorker w : crew) {
      records += w.table().recordsWritten();
    }
    return new long[] {packets, ip, records};
  }

  /** Starts the worker threads (added to {@code threads}), each with its table. */
  private List<FlowWorker> start(
      IntFunction<FlowTable> tables,
      int pool,
      BlockingQueue<PacketBatch> free,
      EndReason endReason,
      AtomicReference<Throwable> failure,
      List<Thread> threads) {
    List<FlowWorker> crew = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      FlowTable table = tables.apply(i);
      counters.worker().table(table);
      FlowWorker w = new FlowWorker(i, table, pool, free, endReason, failure);
      crew.add(w);
      Thread t = new Thread(w, "flow-worker-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return crew;
  }

  private void hand(PacketBatch batch, List<FlowWorker> crew) {
    batch.readers(crew.size());
    for (FlowWorker w : crew) {
      w.deliver(batch);
    }
  }

  /** A free batch, or null once a worker failed (the read then stops). */
  private static PacketBatch take(
      BlockingQueue<PacketBatch> free, AtomicReference<Throwable> failure) throws IOException {
    try {
      while (failure.get() == null) {
        PacketBatch b = free.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (b != null) {
          b.clear();
          return b;
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the capture workers were busy", e);
    }
  }

  /** A free batch for the end mark: failed workers still release theirs. */
  private static PacketBatch takeAnyway(BlockingQueue<PacketBatch> free) {
    try {
      PacketBatch b = free.take();
      b.clear();
      return b;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while ending the capture workers", e);
    }
  }

  private static void join(List<Thread> threads) {
    boolean interrupted = false;
    for (Thread t : threads) {
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true; // the workers end at the end mark; wait for them, then say so
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void rethrow(Throwable t) {
    if (t == null) {
      return;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("capture worker failed: " + t, t);
  }
}
