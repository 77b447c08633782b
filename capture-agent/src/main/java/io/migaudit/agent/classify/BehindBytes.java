package io.migaudit.agent.classify;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Judges the bytes of one TCP direction that its stream did not take ({@link StreamSink#behind}):
 * retransmissions, overlaps, segments late for a gap, segments outside the window. The stream
 * tracker keeps the first bytes it sees at a sequence number, as a receiver does, and follows a run
 * of segments outside its window as the stream it lost; so a forged copy sent just before each real
 * segment (random bytes, a checksum the receiver refuses) is what the tracker keeps, and the real
 * segment, plaintext, comes behind it as a "retransmission"; and a forged stream far away, with
 * forged acknowledgments, can lead the tracker away so that every real segment lies outside its
 * window. In an honest connection the bytes not taken are copies of the stream, or bytes of it the
 * tracker could not place, and look like it. So they are measured in windows of {@link
 * ResampleWindow#WINDOW_BYTES}, with the thresholds of the later windows: below {@link
 * ResampleWindow#READABLE_ENTROPY} bits per byte they are readable, above {@link
 * ResampleWindow#NOT_UNIFORM_CHI_SQUARE} they are not encrypted (uniform bytes pass that once in
 * 10^15 windows), and either makes the flow's verdict follow them: the bytes were on the wire in
 * clear whichever copy the receiver kept.
 *
 * <p>Only bytes past the first {@link #FROM_STREAM_OFFSET} of the stream count: that is where a
 * connection's clear handshake lies (certificates, SSH key exchange lists, SMB session setup),
 * whose retransmission would otherwise make an encrypted flow look structured. A segment the
 * capture cut gives nothing of its first {@link PayloadSample#CUT_SEGMENT_UNSAMPLED_BYTES}, as in
 * the sample. In a direction whose sample showed clear record headers ({@link
 * CiphertextBehindHeaders}), copies of its records fail the uniform test as its windows do, and are
 * judged as its windows are ({@link ResampleWindow#framedWindowPasses}). A window still filling is
 * judged once it holds {@link #MIN_JUDGED_BYTES}. Made only for a direction that has such bytes:
 * one histogram, and after {@link #WINDOWS_BACK_TO_BACK} windows a {@link ResampleWindow} for the
 * rest.
 */
final class BehindBytes {
  /**
   * Stream offset before which bytes not taken are not judged: past any clear handshake. A segment
   * outside the window counts where the stream, or its sender's bytes on the wire, had got to.
   */
  static final long FROM_STREAM_OFFSET = 64 << 10;

  /** Bytes a window still filling needs to be judged. */
  static final int MIN_JUDGED_BYTES = PayloadClassifier.MIN_UNIFORM_BYTES;

  /**
   * Windows judged back to back; after them, one window in every {@link
   * ResampleWindow#INTERVAL_BYTES} of bytes not taken, placed as the later windows are, so that a
   * mirror delivering every frame twice costs under 1% of the copies' bytes, not all of them.
   */
  static final int WINDOWS_BACK_TO_BACK = 4;

  private final int[] histogram = new int[256];
  private final int maxBytesPerSegment;
  private final int seed;

  /** Whether the direction's sample showed clear record headers, asked when a window is judged. */
  private final BooleanSupplier framedByHeaders;

  private int windowFill;
  private int windowsJudged;
  private long bytesBehind;
  private ByteStatistics finding;
  private ResampleWindow later;

  /**
   * @param seed picks where the windows after the first {@link #WINDOWS_BACK_TO_BACK} fall (see
   *     {@link ResampleWindow})
   */
  BehindBytes(int maxBytesPerSegment, int seed) {
    this(maxBytesPerSegment, seed, () -> false);
  }

  /**
   * @param framedByHeaders whether the direction's sample showed clear record headers (asked when a
   *     window is judged)
   */
  BehindBytes(int maxBytesPerSegment, int seed, BooleanSupplier framedByHeaders) {
    this.maxBytesPerSegment = maxBytesPerSegment;
    this.seed = seed;
    this.framedByHeaders = framedByHeaders;
  }

  /**
   * Takes bytes the stream did not take, at {@code streamOffset} (see {@link StreamSink#behind}).
   */
  void add(long streamOffset, ByteBuffer frame, int offset, int length, boolean cut) {
    int skip = cut ? PayloadSample.CUT_SEGMENT_UNSAMPLED_BYTES : 0;
    skip = (int) Math.max(skip, Math.min(length, FROM_STREAM_OFFSET - streamOffset));
    if (skip >= length) {
      return;
    }
    long before = bytesBehind;
    bytesBehind += length - skip;
    if (finding != null) {
      return;
    }
    if (later != null) {
      later.add(frame, offset + skip, length - skip, maxBytesPerSegment);
      return;
    }
    int take =
        Math.min(
            Math.min(length - skip, maxBytesPerSegment), ResampleWindow.WINDOW_BYTES - windowFill);
    for (int i = 0; i < take; i++) {
      histogram[Byte.toUnsignedInt(frame.get(offset + skip + i))]++;
    }
    windowFill += take;
    if (windowFill == ResampleWindow.WINDOW_BYTES) {
      finding = notEncrypted(windowFill, histogram);
      Arrays.fill(histogram, 0);
      windowFill = 0;
      if (finding == null && ++windowsJudged == WINDOWS_BACK_TO_BACK) {
        later = new ResampleWindow(before + take, seed, framedByHeaders.getAsBoolean());
      }
    }
  }

  /**
   * The statistics of {@code n} bytes counted in {@code counts} when they are readable, or not
   * uniform and not the records of a direction framed by clear headers; else null.
   */
  private ByteStatistics notEncrypted(long n, int[] counts) {
    ByteStatistics window = ByteStatistics.ofCounts(n, counts);
    if (!ResampleWindow.notEncrypted(window)) {
      return null;
    }
    boolean framedRecords =
        window.entropy() >= ResampleWindow.READABLE_ENTROPY
            && framedByHeaders.getAsBoolean()
            && ResampleWindow.framedWindowPasses(n, counts);
    return framedRecords ? null : window;
  }

  /**
   * Statistics of the first window of bytes not taken that was readable or not uniform, judging the
   * one still filling if it holds {@link #MIN_JUDGED_BYTES}; null when none was.
   */
  ByteStatistics finding() {
    if (finding != null) {
      return finding;
    }
    if (later != null) {
      return later.readableStatistics() != null
          ? later.readableStatistics()
          : later.notUniformStatistics();
    }
    return windowFill >= MIN_JUDGED_BYTES ? notEncrypted(windowFill, histogram) : null;
  }

  /** Bytes not taken past {@link #FROM_STREAM_OFFSET} (judged or not). */
  long bytesBehind() {
    return bytesBehind;
  }
}
