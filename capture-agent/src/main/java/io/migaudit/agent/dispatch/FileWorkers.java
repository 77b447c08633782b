package io.migaudit.agent.dispatch;

import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.defrag.Reassembly;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowKey;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.FrameSelector;
import io.migaudit.agent.source.PacketSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

/**
 * Capture workers for a capture file that take turns reading it: no thread only reads. A worker
 * that runs short of frames takes the file's lock and reads the next {@link PacketBatch}: it finds
 * each frame's flow hash once (from a plain TCP frame's bytes in the source's read-ahead buffer,
 * {@link FrameHash}, or else by decoding it) and copies the frame into the batch. Then it lets the
 * file go, so that the next worker reads while this one gives each frame the worker that owns its
 * flow ({@link FlowSteering}: flows are dealt to the least loaded worker as they start) and hands
 * the batch to every worker; a second lock, taken before the file is let go, keeps the dealing and
 * the hand-out in file order. Each worker decodes and tracks its own frames and moves its table's
 * packet clock on the others' timestamps, so that timeouts and interim records fall due at the same
 * packets as in one table: records are those of one worker, in another order. Each frame is read
 * and hashed once however many workers there are; before, every worker read and hashed the whole
 * file (BENCHMARKS.md, issue 18). Batches come from a fixed pool, so memory is bounded and a worker
 * that falls behind holds the reading back. The first worker runs on the calling thread. A frame
 * that does not decode is counted once: by the worker that read it, or by its owner.
 */
public final class FileWorkers {
  /** Batches in a worker's inbox below which it reads another when the file is free. */
  private static final int READ_AHEAD = 2;

  /** How often a reader waiting for a free batch looks whether a worker failed. */
  private static final long FAILURE_CHECK_MILLIS = 10;

  private final int workers;
  private final PipelineCounters counters;

  /**
   * What the read gave.
   *
   * @param name the source's name
   * @param packets frames read
   * @param ipPackets frames that decoded to an IP packet
   * @param records flow records written by all workers
   * @param truncation where the capture broke off, or null
   */
  public record Result(
      String name, long packets, long ipPackets, long records, String truncation) {}

  /**
   * @param workers worker threads, 2 to 127
   * @param counters the pipeline's counters: frames and decode drops are counted here, each
   *     worker's table under a {@link PipelineCounters#worker()} of it
   */
  public FileWorkers(int workers, PipelineCounters counters) {
    if (workers < 2 || workers > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("workers must be 2 to 127, not " + workers);
    }
    this.workers = workers;
    this.counters = counters;
  }

  /**
   * Reads {@code source} to its end (the caller closes it); each worker ends its flows with {@code
   * endReason}.
   *
   * @param tables makes worker i's flow table
   */
  public Result run(PacketSource source, IntFunction<FlowTable> tables, EndReason endReason)
      throws IOException {
    List<FlowTable> made = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      made.add(tables.apply(i));
      if (!made.get(i).config().equals(made.get(0).config())) {
        throw new IllegalArgumentException("capture workers' flow tables must share one config");
      }
    }
    Shared shared = new Shared(source, new FlowSteering(workers, made.get(0).config()));
    List<Worker> crew = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      FlowTable table = made.get(i);
      PipelineCounters own = counters.worker();
      own.table(table);
      crew.add(new Worker(i, table, own, shared, endReason));
    }
    shared.crew = crew;
    List<Thread> threads = new ArrayList<>();
    for (int i = 1; i < workers; i++) {
      Thread t = new Thread(crew.get(i), "flow-worker-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    crew.get(0).run();
    join(threads);
    rethrow(shared.failure.get());
    long records = 0;
    long ip = 0;
    for (Worker w : crew) {
      records += w.table.recordsWritten();
      ip += w.ip;
    }
    return new Result(source.name(), shared.packets, ip, records, source.stats().truncation());
  }

  private static void rethrow(Throwable t) throws IOException {
    if (t instanceof IOException e) {
      throw e;
    } else if (t instanceof RuntimeException e) {
      throw e;
    } else if (t instanceof Error e) {
      throw e;
    } else if (t != null) {
      throw new IllegalStateException("capture worker failed: " + t, t);
    }
  }

  private static void join(List<Thread> threads) {
    boolean interrupted = false;
    for (Thread t : threads) {
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true; // the workers end with the file; wait for them, then say so
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The file and what goes with reading it: the fields below the lock are touched only by the
   * worker that holds it.
   */
  private final class Shared implements FrameSelector {
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final ReentrantLock lock = new ReentrantLock();

    /**
     * Held while a batch is dealt and handed out; taken by its reader before it lets the file go.
     */
    private final ReentrantLock handing = new ReentrantLock();

    /** Under {@link #handing}. */
    private final FlowSteering steering;

    final BlockingQueue<PacketBatch> free;
    List<Worker> crew;

    /** The end of the file (or a failure) was reached: nobody reads any more. */
    volatile boolean ended;

    // under the lock
    private final PacketSource source;
    private final CapturedPacket captured = new CapturedPacket();
    private final DecodedPacket decoded = new DecodedPacket();
    private final PacketDecoder decoder = new PacketDecoder();
    private final Reassembly reassembly = new Reassembly(counters);
    private boolean sourceEnded;

    /** Reassembly may have frames ready ({@link #addReady}). */
    private boolean ready;

    private PacketBatch filling;
    private long turnStart;
    private long packets;

    Shared(PacketSource source, FlowSteering steering) {
      this.source = source;
      this.steering = steering;
      int pool = 2 * workers + 2;
      free = new ArrayBlockingQueue<>(pool);
      for (int i = 0; i < pool; i++) {
        free.add(new PacketBatch());
      }
    }

    /**
     * Reads one batch and hands it to every worker, if the file is free and a batch is; when the
     * caller's inbox is empty (it has nothing else to do) waits for a free batch. The batch is
     * dealt and goes out after the file is free again, so that the next worker reads while this one
     * deals and wakes the others; the hand-out lock, taken before the file is let go, keeps the
     * batches in file order. Whether to wait for a free batch is decided under the file's lock,
     * where at most the batch handed out just before can still arrive: a worker that waited with
     * batches in its inbox could wait for itself, as every batch goes to every worker, but one
     * whose inbox was empty is done with every batch but that one, and the others free theirs.
     * Workers block on their inboxes, never poll: a worker that finds the file taken gets the batch
     * its reader hands out; one that finds no free batch has workers behind it, and the first of
     * them to empty its inbox reads, waiting for the batches still in use if it must.
     */
    void readIfFree(BlockingQueue<PacketBatch> inbox) throws InterruptedException {
      if (ended || !lock.tryLock()) {
        return;
      }
      PacketBatch out;
      try {
        out = next(inbox);
        if (out == null) {
          return;
        }
        handing.lock(); // before the file is free: batches go out in the order they were read
        counters.readingTurn(System.nanoTime() - turnStart);
      } finally {
        lock.unlock();
      }
      try {
        out.steer(steering); // in file order, as the batches go out
        out.readers(crew.size());
        for (Worker w : crew) {
          w.inbox.add(out); // never full: it holds every batch in circulation
        }
      } finally {
        handing.unlock();
      }
    }

    /**
     * Under the file's lock: the next batch read, the last one marked as such; or null when there
     * is none to read now.
     */
    private PacketBatch next(BlockingQueue<PacketBatch> inbox) throws InterruptedException {
      if (ended) {
        return null;
      }
      PacketBatch batch =
          failure.get() != null ? null : inbox.isEmpty() ? awaitFree() : free.poll();
      turnStart = System.nanoTime(); // waiting for a free batch is not reading
      if (batch == null) {
        // a failed worker may hold batches it will never release
        return failure.get() != null ? last(new PacketBatch()) : null;
      }
      batch.clear();
      boolean more = fill(batch);
      return more ? batch : last(batch);
    }

    /** A free batch, or null once a worker failed. */
    private PacketBatch awaitFree() throws InterruptedException {
      while (failure.get() == null) {
        PacketBatch b = free.poll(FAILURE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        if (b != null) {
          return b;
        }
      }
      return null;
    }

    /** Fills the batch; false at the end of the file or when reading it failed. */
    private boolean fill(PacketBatch batch) {
      filling = batch;
      long read = 0;
      try {
        while (!batch.full()) {
          if (ready && addReady(batch)) {
            continue;
          }
          if (sourceEnded || !source.next(captured, this)) {
            if (!sourceEnded) {
              sourceEnded = true;
              reassembly.drain();
              ready = true;
              continue;
            }
            return false;
          }
          read++;
          ready |= reassembly.expire(captured.timestampMicros);
          if (captured.skipped) {
            continue; // copied into the batch by select
          }
          DecodeIssue issue = decoder.decode(captured, decoded);
          if (issue != DecodeIssue.NONE) {
            counters.dropped(issue);
            continue;
          }
          counters.fragments(decoded); // the workers count what they judge, not the pieces
          if (reassembly.hold(captured, decoded)) {
            ready = true;
          } else {
            batch.add(captured, FlowKey.symmetricHash(decoded));
          }
        }
        return true;
      } catch (IOException | RuntimeException | Error e) {
        failure.compareAndSet(null, e);
        return false;
      } finally {
        counters.packets(read);
        packets += read;
        filling = null;
      }
    }

    /**
     * A plain TCP frame goes into the batch straight from the read-ahead buffer with its hash; any
     * other frame is copied out to be decoded.
     */
    @Override
    public boolean select(int linkType, byte[] frame, int offset, int length) {
      long hash = FrameHash.of(linkType, frame, offset, length);
      if (hash == FrameHash.UNKNOWN) {
        return true;
      }
      filling.add(captured, frame, offset, length, (int) hash);
      return false;
    }

    /**
     * Adds the next frame reassembly made ready, with its flow's hash: a packet put back together
     * (held again when a packet inside it is a piece too), or a piece handed on as it came. False
     * when none is ready.
     */
    private boolean addReady(PacketBatch batch) {
      Reassembly.Ready r = reassembly.next();
      if (r == null) {
        ready = false;
        return false;
      }
      DecodeIssue issue = decoder.decode(r.packet(), decoded);
      if (issue != DecodeIssue.NONE) {
        counters.dropped(issue);
      } else if (!r.whole() || !reassembly.hold(r.packet(), decoded)) {
        batch.add(r.packet(), FlowKey.symmetricHash(decoded));
      }
      return true;
    }

    private PacketBatch last(PacketBatch batch) {
      batch.last = true;
      ended = true;
      return batch;
    }
  }

  /** One worker: its own decoder and flow table, fed every batch. */
  private final class Worker implements Runnable {
    private final int id;
    private final FlowTable table;
    private final PipelineCounters own;
    private final Shared shared;
    private final EndReason endReason;
    private final BlockingQueue<PacketBatch> inbox;
    private final PacketDecoder decoder = new PacketDecoder();
    private final CapturedPacket captured = new CapturedPacket();
    private final DecodedPacket decoded = new DecodedPacket();
    private ByteBuffer frame = ByteBuffer.allocate(2048);
    private long ip;

    Worker(int id, FlowTable table, PipelineCounters own, Shared shared, EndReason endReason) {
      this.id = id;
      this.table = table;
      this.own = own;
      this.shared = shared;
      this.endReason = endReason;
      this.inbox =
          new ArrayBlockingQueue<>(shared.free.remainingCapacity() + shared.free.size() + 1);
    }

    @Override
    public void run() {
      try {
        boolean last = false;
        while (!last) {
          if (inbox.size() < READ_AHEAD) {
            shared.readIfFree(inbox);
          }
          PacketBatch batch = inbox.take();
          last = batch.last;
          try {
            if (shared.failure.get() == null) {
              process(batch);
            }
          } catch (RuntimeException | Error e) {
            shared.failure.compareAndSet(null, e);
          } finally {
            if (batch.release() && !batch.last) {
              shared.free.add(batch);
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        shared.failure.compareAndSet(null, e);
      } finally {
        own.flowPackets(ip);
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
          own.dropped(issue);
          continue;
        }
        ip++;
        own.judged(captured, decoded);
        table.offer(decoded);
      }
      if (batch.last && shared.failure.get() == null) {
        table.flush(endReason);
      }
    }
  }
}
