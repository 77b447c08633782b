package io.migaudit.cli.replay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Replay's progress on stderr while it reads captures, on a terminal only: bytes and packets read
 * of the total, rate and time left, redrawn in place twice a second. {@link #NONE} draws nothing
 * (not a terminal: logs and pipes get no progress lines).
 */
class ReplayProgress implements AutoCloseable {
  /** Counts nothing and draws nothing. */
  static final ReplayProgress NONE =
      new ReplayProgress(null, 0, System::nanoTime) {
        @Override
        InputStream counting(InputStream in) {
          return in;
        }
      };

  private static final long REDRAW_MILLIS = 500;

  private final PrintWriter err;
  private final long totalBytes;
  private volatile LongSupplier packets;
  private final LongSupplier nanos;

  /** When the first byte was read (the broker's start is not reading); -1 before. */
  private volatile long startNanos = -1;

  private final AtomicLong read = new AtomicLong();

  /**
   * When the last byte was counted: the rate covers reading, not the analyzer's catching up after.
   */
  private volatile long lastReadNanos;

  private Thread drawer;

  ReplayProgress(PrintWriter err, long totalBytes, LongSupplier nanos) {
    this.err = err;
    this.totalBytes = totalBytes;
    this.packets = () -> 0;
    this.nanos = nanos;
  }

  /**
   * Drawing progress when this JVM has a terminal ({@code System.console() != null}), else {@link
   * #NONE}.
   */
  static ReplayProgress onTerminal(PrintWriter err, long totalBytes) {
    if (System.console() == null) {
      return NONE;
    }
    ReplayProgress p = new ReplayProgress(err, totalBytes, System::nanoTime);
    p.start();
    return p;
  }

  /** Where the packet count comes from, once the agent's counters exist. */
  void packets(LongSupplier count) {
    this.packets = count;
  }

  /**
   * {@code in}, adding the bytes read from it (compressed bytes for .gz: the file's size) to the
   * progress.
   */
  InputStream counting(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          counted(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          counted(n);
        }
        return n;
      }
    };
  }

  private void counted(int n) {
    long now = nanos.getAsLong();
    if (startNanos < 0) {
      startNanos = now;
    }
    read.addAndGet(n);
    lastReadNanos = now;
  }

  /**
   * One progress line: "read 12.0 MB of 48.0 MB (25%), 120000 packets, 6.0 MB/s, 6 s left"; once
   * every byte is read, "..., analyzing" with the rate of the reading.
   */
  String line() {
    long done = read.get();
    long until = done >= totalBytes ? lastReadNanos : nanos.getAsLong();
    double seconds = startNanos < 0 ? 0 : Math.max(1e-3, (until - startNanos) / 1e9);
    double rate = seconds == 0 ? 0 : done / seconds;
    String left =
        done >= totalBytes
            ? "analyzing"
            : rate <= 0 ? "- left" : Math.round((totalBytes - done) / rate) + " s left";
    long percent = totalBytes == 0 ? 100 : Math.min(100, done * 100 / totalBytes);
    return "read "
        + EventFindings.bytes(done)
        + " of "
        + EventFindings.bytes(totalBytes)
        + " ("
        + percent
        + "%), "
        + packets.getAsLong()
        + " packets, "
        + EventFindings.bytes(Math.round(rate))
        + "/s, "
        + left;
  }

  private void start() {
    drawer =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  draw("\r");
                  Thread.sleep(
                      REDRAW_MILLIS); // a redraw cadence for a human, not a wait for a condition
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "migaudit-replay-progress");
    drawer.setDaemon(true);
    drawer.start();
  }

  private synchronized void draw(String prefix) {
    err.print(prefix + line() + "    ");
    err.flush();
  }

  /** Stops redrawing and leaves the last line on the terminal. */
  @Override
  public void close() {
    if (drawer == null) {
      return;
    }
    drawer.interrupt();
    try {
      drawer.join(REDRAW_MILLIS * 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    draw("\r");
    err.println();
    err.flush();
    drawer = null;
  }
}
