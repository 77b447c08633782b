package io.migaudit.agent.dispatch;

import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowKey;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.FrameSelector;
import io.migaudit.agent.source.PacketSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Capture workers for a capture file that each can open: every worker reads the whole file itself,
 * tracks the flows whose symmetric hash is its own and moves its table's packet clock on the
 * others' timestamps, as {@link FlowDispatcher}'s workers do. No frame is handed between threads
 * and no thread only reads. A plain TCP frame's flow hash is read from its bytes in the source's
 * read-ahead buffer ({@link FrameHash}): a worker skips the other workers' frames there, neither
 * copied nor decoded, and decodes its own; any other frame every worker decodes to find its flow.
 * On two free cores this beat a reader thread feeding the workers, so {@code agent --read} uses it
 * (BENCHMARKS.md, issue 18). The first worker runs on the calling thread and counts the frames
 * (every {@link #CHECK_EVERY} frames, and at the end); each frame's decode drop is counted by the
 * worker it belongs to (the first for frames with no flow hash).
 */
public final class FileWorkers {
  /** Frames between two looks at whether another worker failed. */
  private static final int CHECK_EVERY = 4096;

  private static final int IP_PROTOCOL_TCP = 6;

  private final int workers;
  private final PipelineCounters counters;

  /** Opens the capture once per worker. */
  @FunctionalInterface
  public interface Opener {
    PacketSource open() throws IOException;
  }

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
   * Reads the capture to its end once per worker; each ends its flows with {@code endReason}.
   *
   * @param tables makes worker i's flow table
   */
  public Result run(Opener opener, IntFunction<FlowTable> tables, EndReason endReason)
      throws IOException {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Reader> readers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      FlowTable table = tables.apply(i);
      PipelineCounters own = counters.worker();
      own.table(table);
      readers.add(new Reader(i, table, own, opener, endReason, failure));
    }
    for (int i = 1; i < workers; i++) {
      Thread t = new Thread(readers.get(i), "flow-worker-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    readers.get(0).run();
    join(threads);
    Throwable t = failure.get();
    if (t instanceof IOException e) {
      throw e;
    } else if (t instanceof RuntimeException e) {
      throw e;
    } else if (t instanceof Error e) {
      throw e;
    }
    long records = 0;
    long ip = 0;
    for (Reader r : readers) {
      records += r.table.recordsWritten();
      ip += r.ip;
    }
    Reader first = readers.get(0);
    return new Result(first.name, first.packets, ip, records, first.truncation);
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

  /** One worker: its own source, decoder and flow table. */
  private final class Reader implements Runnable, FrameSelector {
    private final int id;
    private final FlowTable table;
    private final PipelineCounters own;
    private final Opener opener;
    private final EndReason endReason;
    private final AtomicReference<Throwable> failure;
    private final PacketDecoder decoder = new PacketDecoder();
    private final CapturedPacket captured = new CapturedPacket();
    private final DecodedPacket decoded = new DecodedPacket();

    /** The frame last selected had a flow hash from its bytes (and is then this worker's). */
    private boolean hashed;

    private String name;
    private long packets;
    private long ip;
    private String truncation;

    Reader(
        int id,
        FlowTable table,
        PipelineCounters own,
        Opener opener,
        EndReason endReason,
        AtomicReference<Throwable> failure) {
      this.id = id;
      this.table = table;
      this.own = own;
      this.opener = opener;
      this.endReason = endReason;
      this.failure = failure;
    }

    @Override
    public void run() {
      try (PacketSource source = opener.open()) {
        name = source.name();
        if (read(source)) {
          table.flush(endReason);
        }
        truncation = source.stats().truncation();
      } catch (IOException | RuntimeException | Error e) {
        failure.compareAndSet(null, e);
      }
    }

    /** Wants this worker's plain TCP frames and every frame without a flow hash. */
    @Override
    public boolean select(int linkType, byte[] frame, int offset, int length) {
      long hash = FrameHash.of(linkType, frame, offset, length);
      hashed = hash != FrameHash.UNKNOWN;
      return !hashed || FlowDispatcher.workerOf((int) hash, workers) == id;
    }

    /**
     * Reads the source to its end; false when another worker failed first. The counts stay in
     * locals until the end: fields of two workers' objects may share a cache line.
     */
    private boolean read(PacketSource source) throws IOException {
      boolean first = id == 0;
      long frames = 0;
      long ipFrames = 0;
      long counted = 0;
      try {
        while (source.next(captured, this)) {
          if ((++frames & (CHECK_EVERY - 1)) == 0) {
            if (first) {
              counters.packets(frames - counted);
              counted = frames;
            }
            if (failure.get() != null) {
              return false;
            }
          }
          if (captured.skipped) {
            table.tick(captured.timestampMicros);
            continue;
          }
          boolean mine = hashed;
          DecodeIssue issue = decoder.decode(captured, decoded);
          if (issue != DecodeIssue.NONE) {
            if (mine || first) {
              own.dropped(issue);
            }
            continue;
          }
          mine = mine || FlowDispatcher.workerOf(FlowKey.symmetricHash(decoded), workers) == id;
          if (mine) {
            ipFrames++;
            if (decoded.ipv4Fragment && decoded.ipProtocol == IP_PROTOCOL_TCP) {
              own.tcpFragment();
            }
            table.offer(decoded);
          } else {
            table.tick(decoded.timestampMicros);
          }
        }
        return true;
      } finally {
        if (first) {
          counters.packets(frames - counted);
        }
        packets = frames;
        ip = ipFrames;
        own.flowPackets(ipFrames);
      }
    }
  }
}
