package io.migaudit.agent.classify;

import java.nio.ByteBuffer;

/**
 * A bounded histogram of the bytes a framing says are encrypted (TLS record bodies, SSH packets
 * after NEWKEYS): at most {@code perChunk} bytes of each chunk handed in, {@code budget} in all, so
 * that a long stream costs a fixed amount. The counters exist only once a body byte was seen.
 */
final class BodySample {
  private final long budget;
  private final int perChunk;
  private int[] counts;
  private long bytes;

  BodySample(long budget, int perChunk) {
    this.budget = budget;
    this.perChunk = perChunk;
  }

  /**
   * Counts up to {@code perChunk} of the {@code n} body bytes of {@code frame} from absolute {@code
   * offset}.
   */
  void add(ByteBuffer frame, int offset, int n) {
    int take = (int) Math.min(Math.min(n, perChunk), budget - bytes);
    if (take <= 0) {
      return;
    }
    if (counts == null) {
      counts = new int[ByteHistogram.BYTE_VALUES];
    }
    for (int k = 0; k < take; k++) {
      counts[Byte.toUnsignedInt(frame.get(offset + k))]++;
    }
    bytes += take;
  }

  /** Whether the body bytes look encrypted, as {@link FramingCheck#ofBody} judges them. */
  FramingCheck check(String what, String held) {
    return FramingCheck.ofBody(
        what, bytes, counts == null ? new int[ByteHistogram.BYTE_VALUES] : counts, held);
  }
}
