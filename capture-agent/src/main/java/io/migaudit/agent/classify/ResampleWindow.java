package io.migaudit.agent.classify;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Keeps looking at a long flow after its first sample is full: every {@link #INTERVAL_BYTES} of
 * payload it takes a window of {@link #WINDOW_BYTES} and measures its entropy. A window below
 * {@link #READABLE_ENTROPY} bits per byte is readable whatever came before (encrypted and
 * compressed data never fall that low over 64 KiB), so a migration that turns plaintext mid-way,
 * such as an opportunistic one falling back, is caught. Costs one histogram and reads under 1% of
 * the bytes.
 */
final class ResampleWindow {
  static final long INTERVAL_BYTES = 8L << 20;
  static final int WINDOW_BYTES = 64 << 10;
  static final double READABLE_ENTROPY = 6.0;

  private final int[] histogram = new int[256];
  private long payloadSeen;
  private long nextWindowAt;
  private int windowFill;
  private long readableAt = -1;
  private double readableEntropy;

  /**
   * @param startAt payload offset of the direction at which the first window starts
   */
  ResampleWindow(long startAt) {
    this.nextWindowAt = startAt + INTERVAL_BYTES;
    this.payloadSeen = startAt;
  }

  void add(ByteBuffer frame, int offset, int length, int maxPerPacket) {
    long before = payloadSeen;
    payloadSeen += length;
    if (readableAt >= 0 || payloadSeen <= nextWindowAt) {
      return;
    }
    int skip = (int) Math.max(0, nextWindowAt - before);
    int take = Math.min(Math.min(length - skip, maxPerPacket), WINDOW_BYTES - windowFill);
    for (int i = 0; i < take; i++) {
      histogram[Byte.toUnsignedInt(frame.get(offset + skip + i))]++;
    }
    windowFill += take;
    if (windowFill == WINDOW_BYTES) {
      closeWindow();
    }
  }

  private void closeWindow() {
    double entropy = 0;
    for (int c : histogram) {
      if (c > 0) {
        double p = (double) c / windowFill;
        entropy -= p * (Math.log(p) / Math.log(2));
      }
    }
    if (entropy < READABLE_ENTROPY) {
      readableAt = payloadSeen - windowFill;
      readableEntropy = entropy;
    }
    Arrays.fill(histogram, 0);
    windowFill = 0;
    nextWindowAt = payloadSeen + INTERVAL_BYTES;
  }

  /** Payload offset of the first readable window, or -1. */
  long readableAt() {
    return readableAt;
  }

  double readableEntropy() {
    return readableEntropy;
  }
}
