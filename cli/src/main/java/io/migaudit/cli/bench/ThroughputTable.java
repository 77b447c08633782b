package io.migaudit.cli.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The packets/s table of {@code migaudit bench}: one row per reader, its rate and its ratio to the
 * migaudit pipeline with one worker and with N, and the installed peers' rows on the same capture.
 * Each row is flushed as it is printed, so a long run shows its progress.
 */
final class ThroughputTable {
  private final PrintWriter out;
  private final PipelineBenchmark.Pass one;
  private final PipelineBenchmark.Pass many;

  /** Rows to {@code out}, rated against the median passes with one worker and with N. */
  ThroughputTable(PrintWriter out, PipelineBenchmark.Pass one, PipelineBenchmark.Pass many) {
    this.out = out;
    this.one = one;
    this.many = many;
  }

  /** The column heads; {@code workers} is N. */
  void header(int workers) {
    out.printf(
        Locale.ROOT,
        "%n%-48s %14s %10s %10s%n",
        "reader",
        "packets/s",
        "vs 1 worker",
        "vs " + workers);
  }

  /** One reader's row: {@code pps} packets/s, then {@code note}. */
  void row(String name, double pps, String note) {
    out.printf(
        Locale.ROOT,
        "%-48s %14s %10.2f %10.2f   %s%n",
        name,
        mpps(pps),
        pps / one.packetsPerSecond(),
        pps / many.packetsPerSecond(),
        note);
    out.flush();
  }

  /**
   * A row per peer tool of {@code peers} ({@link PeerTimer#PEERS} in the bench), each timed {@code
   * runs} times as a whole process on {@code file} (at most 600 s a run) and rated by its median
   * run, as migaudit's rows are: one run of a peer swung by 1.7x between bench runs on a quiet
   * machine (BENCHMARKS.md, issue 18). A peer not installed or failing says so, and why it failed.
   * The peers' output files go to a scratch directory, removed after.
   */
  void peers(Path file, int runs, List<PeerTimer.Peer> peers) throws Exception {
    Path scratch = Files.createTempDirectory("migaudit-bench-");
    try {
      for (PeerTimer.Peer peer : peers) {
        String path = PeerTimer.find(peer.binary());
        if (path == null) {
          out.printf(Locale.ROOT, "%-48s %14s%n", peer.name(), "not installed");
          continue;
        }
        long[] nanos = new long[runs];
        PeerTimer.Run run = null;
        for (int i = 0; i < runs && (run == null || !run.failed()); i++) {
          run = PeerTimer.time(peer.command(path, file, scratch), 600);
          nanos[i] = run.nanos();
        }
        if (run.failed()) {
          out.printf(Locale.ROOT, "%-48s %14s   (%s)%n", peer.name(), "failed", run.failure());
        } else {
          peerRow(peer.name(), nanos);
        }
      }
    } finally {
      try (var walk = Files.walk(scratch)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * A peer's row from the wall-clock nanoseconds of its runs over the capture: the median run's
   * rate, and with several runs the slowest and fastest beside it.
   */
  void peerRow(String name, long[] runNanos) {
    long[] nanos = runNanos.clone();
    Arrays.sort(nanos);
    int runs = nanos.length;
    row(
        name,
        one.packets() * 1e9 / nanos[runs / 2],
        runs == 1
            ? ""
            : String.format(
                Locale.ROOT,
                "(median of %d runs; %.2f-%.2f M)",
                runs,
                one.packets() * 1e3 / nanos[runs - 1],
                one.packets() * 1e3 / nanos[0]));
  }

  private static String mpps(double pps) {
    return String.format(Locale.ROOT, "%.2f M", pps / 1e6);
  }
}
