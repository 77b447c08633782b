package io.migaudit.agent.dispatch;

import io.migaudit.agent.flow.FlowTableConfig;

/**
 * Which capture worker takes each frame of a capture file. A flow hash alone deals a migration's
 * few heavy streams out by chance: four multifd channels on four workers share one with odds of 91
 * %, and the busiest of two workers took 52-59 % of the benchmark capture's packets. So, as a NIC's
 * RSS indirection table sits between hash and queue, a table of {@link #BUCKETS} buckets sits
 * between the flow hash and the worker, and a bucket that holds no live flow goes to the worker
 * with the least recent load when its next frame comes: streams that start together are dealt out
 * one per worker, and a new stream avoids the worker that carries a heavy one.
 *
 * <p>A bucket changes worker only once every flow in it has ended in its worker's table, so the
 * records stay those of one table. Every table sees every frame's timestamp ({@code
 * FlowTable.tick}), so each sweeps for idle flows at the same frames; this class keeps the same
 * packet clock and sweep schedule as a table, and frees a bucket once a sweep came at least the
 * idle timeout (and the closed-flow linger) after the bucket's last frame. Until such a sweep a
 * table adds a late frame to the old flow, however long the gap, and so does the old worker here.
 *
 * <p>The load is frames plus {@link #START_COST} for each bucket dealt out, decaying by an eighth
 * every {@link #DECAY_MICROS} of packet time, so that what a worker carried before a quiet spell
 * does not count when the next migration starts; among workers as loaded, the one after the last
 * chosen. It follows the file, not the threads, so the same file is always split the same way. Used
 * by the one thread that reads the file at a time.
 */
final class FlowSteering {
  /** Buckets between hash and worker: 576 KiB of state, within a core's L2 cache. */
  static final int BUCKETS = 1 << 16;

  /**
   * A new bucket's cost in frames of a heavy stream: the benchmark capture's short flows take about
   * six frames and cost about six times more a frame (BENCHMARKS.md, issue 18).
   */
  static final int START_COST = 32;

  /**
   * Packet time between two decays of the load: the load is what a worker carried in the last tens
   * of milliseconds, long enough to see a migration's main stream while its other streams open,
   * short enough that what came before a quiet spell is forgotten.
   */
  static final long DECAY_MICROS = 10_000;

  /** Decays after which a load is as good as gone: (7/8)^64 is under 0.02 %. */
  private static final int FORGOTTEN = 64;

  private final byte[] owner = new byte[BUCKETS];
  private final long[] lastMicros = new long[BUCKETS];
  private final long[] load;
  private final long activeMicros;
  private final long quietMicros;

  private long clockMicros = Long.MIN_VALUE;
  private long nextSweepMicros = Long.MIN_VALUE;
  private long lastSweepMicros = Long.MIN_VALUE;
  private long nextDecayMicros = Long.MIN_VALUE;
  private int next;

  /**
   * @param workers 1 to 127
   * @param config the configuration of every worker's flow table
   */
  FlowSteering(int workers, FlowTableConfig config) {
    if (workers < 1 || workers > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("workers must be 1 to 127, not " + workers);
    }
    this.load = new long[workers];
    this.activeMicros = config.activeTimeout().toNanos() / 1000;
    this.quietMicros =
        Math.max(config.idleTimeout().toNanos(), config.closedLinger().toNanos()) / 1000;
  }

  /**
   * The worker of the next frame in file order, with flow hash {@code hash} ({@code
   * FlowKey.symmetricHash}) and timestamp {@code timestampMicros}.
   */
  int workerOf(int hash, long timestampMicros) {
    int bucket = hash >>> 16; // high bits: the flow tables' slots use the low ones
    int w = owner[bucket] - 1;
    if (w < 0 || freed(lastMicros[bucket])) {
      w = leastLoaded();
      owner[bucket] = (byte) (w + 1);
      load[w] += START_COST;
    }
    load[w]++;
    advance(timestampMicros);
    lastMicros[bucket] = clockMicros;
    return w;
  }

  /**
   * Every flow of a bucket last seen at {@code last} has ended: a sweep came quiet enough after.
   */
  private boolean freed(long last) {
    return lastSweepMicros != Long.MIN_VALUE && lastSweepMicros - last >= quietMicros;
  }

  /** The least loaded worker, the first from the one after the last chosen on a tie. */
  private int leastLoaded() {
    int best = next;
    for (int k = 1, i = next; k < load.length; k++) {
      i = i + 1 == load.length ? 0 : i + 1;
      if (load[i] < load[best]) {
        best = i;
      }
    }
    next = best + 1 == load.length ? 0 : best + 1;
    return best;
  }

  /** Decays the load for the periods the clock passed; called when it passed {@code nextDecay}. */
  private void decay() {
    if (nextDecayMicros == Long.MIN_VALUE) {
      nextDecayMicros = clockMicros + DECAY_MICROS;
      return;
    }
    long periods = (clockMicros - nextDecayMicros) / DECAY_MICROS + 1;
    for (int i = 0; i < load.length; i++) {
      if (periods >= FORGOTTEN) {
        load[i] = 0;
      } else {
        for (int p = 0; p < periods && load[i] != 0; p++) {
          load[i] -= (load[i] + 7) >>> 3;
        }
      }
    }
    nextDecayMicros = clockMicros + DECAY_MICROS;
  }

  /** The packet clock and sweep schedule of {@code FlowTable.offer} and {@code tick}. */
  private void advance(long timestampMicros) {
    if (timestampMicros > clockMicros) {
      clockMicros = timestampMicros;
      if (clockMicros >= nextDecayMicros) {
        decay();
      }
    }
    if (nextSweepMicros == Long.MIN_VALUE) {
      nextSweepMicros = clockMicros + activeMicros;
    } else if (clockMicros >= nextSweepMicros) {
      lastSweepMicros = clockMicros;
      nextSweepMicros = clockMicros + activeMicros;
    }
  }
}
