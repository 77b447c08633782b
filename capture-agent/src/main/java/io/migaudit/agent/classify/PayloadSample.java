package io.migaudit.agent.classify;

import java.nio.ByteBuffer;

/**
 * A bounded sample of one direction of a flow's payload: the first bytes (for signatures) and a byte
 * histogram (for statistics). The bytes themselves never leave this object. Small flows (DNS, short
 * requests) are the many: their first {@link #RAW_BYTES} sampled bytes are kept as they are in a
 * buffer that grows from {@link #RAW_INITIAL_BYTES}, and only a direction that carries more gets the
 * 1 KiB histogram (the kept bytes are then counted into it and dropped). Beyond those, only the first
 * {@link #HEAD_BYTES} are kept. Statistics are computed when asked and kept until the next sampled
 * byte, so the interim records of a flow whose sample is full cost nothing here. A direction whose first byte may start a QEMU
 * multifd channel also gets a {@link MultifdPacketReader}, which reads the compression method from
 * the packet headers that follow (a few dozen bytes of state).
 */
public final class PayloadSample {
  /** How many leading payload bytes are kept for signature matching. */
  public static final int HEAD_BYTES = 64;
  /** Sampled bytes kept as they are before a histogram is worth its 1 KiB. */
  static final int RAW_BYTES = 256;
  static final int RAW_INITIAL_BYTES = 32;
  private static final int BYTE_VALUES = 256;

  private final int maxBytes;
  private final int maxBytesPerPacket;
  private final byte[] head = new byte[HEAD_BYTES];
  private int headLength;
  /** The sampled bytes while there are at most {@link #RAW_BYTES}; null once {@link #histogram} counts them. */
  private byte[] raw;
  private int[] histogram;
  /** Statistics of the current sample, or null when a byte was sampled since they were computed. */
  private ByteStatistics statistics;
  /** {@link ByteStatistics#describe()} of {@link #statistics}, or null until asked. */
  private String statisticsText;
  private long sampledBytes;
  private MultifdPacketReader multifd;
  private long payloadSeen;
  private ResampleWindow resample;

  /**
   * @param maxBytes histogram budget for this direction
   * @param maxBytesPerPacket at most this many bytes of each packet go into the histogram
   */
  public PayloadSample(int maxBytes, int maxBytesPerPacket) {
    this.maxBytes = maxBytes;
    this.maxBytesPerPacket = maxBytesPerPacket;
  }

  /** Adds {@code length} payload bytes of {@code frame} starting at absolute {@code offset}. */
  public void add(ByteBuffer frame, int offset, int length) {
    if (length <= 0) {
      return;
    }
    if (headLength == 0 && frame.get(offset) == (byte) (MultifdPacketReader.MAGIC >>> 24)) {
      multifd = new MultifdPacketReader();
    }
    if (multifd != null) {
      multifd.add(frame, offset, length);
    }
    int toHead = Math.min(length, HEAD_BYTES - headLength);
    for (int i = 0; i < toHead; i++) {
      head[headLength++] = frame.get(offset + i);
    }
    payloadSeen += length;
    long room = maxBytes - sampledBytes;
    if (room <= 0) {
      if (resample == null) {
        resample = new ResampleWindow(payloadSeen - length);
      }
      resample.add(frame, offset, length, maxBytesPerPacket);
      return;
    }
    int take = (int) Math.min(Math.min(length, maxBytesPerPacket), room);
    statistics = null;
    statisticsText = null;
    if (histogram == null && sampledBytes + take <= RAW_BYTES) {
      keepRaw(frame, offset, take);
    } else {
      tally(frame, offset, take);
    }
    sampledBytes += take;
  }

  private void keepRaw(ByteBuffer frame, int offset, int take) {
    int kept = (int) sampledBytes;
    if (raw == null || raw.length < kept + take) {
      int size = raw == null ? RAW_INITIAL_BYTES : raw.length;
      while (size < kept + take) {
        size <<= 1;
      }
      raw = raw == null ? new byte[Math.min(size, RAW_BYTES)] : java.util.Arrays.copyOf(raw, Math.min(size, RAW_BYTES));
    }
    frame.get(offset, raw, kept, take);
  }

  private void tally(ByteBuffer frame, int offset, int take) {
    if (histogram == null) {
      histogram = new int[BYTE_VALUES];
      for (int i = 0; i < sampledBytes; i++) {
        histogram[raw[i] & 0xFF]++;
      }
      raw = null;
    }
    int[] h = histogram;
    if (frame.hasArray()) {
      byte[] a = frame.array();
      int from = frame.arrayOffset() + offset;
      for (int i = from, end = from + take; i < end; i++) {
        h[a[i] & 0xFF]++;
      }
    } else {
      for (int i = 0; i < take; i++) {
        h[Byte.toUnsignedInt(frame.get(offset + i))]++;
      }
    }
  }

  /** {@link #statistics()} as text for verdict reasons, also made once per change of the sample. */
  public String statisticsText() {
    if (statisticsText == null) {
      statisticsText = statistics().describe();
    }
    return statisticsText;
  }

  /** Statistics of the sampled bytes, computed once per change of the sample. */
  public ByteStatistics statistics() {
    if (statistics == null) {
      statistics = ByteStatistics.of(this);
    }
    return statistics;
  }

  public long sampledBytes() {
    return sampledBytes;
  }

  public int headLength() {
    return headLength;
  }

  /** Unsigned value of head byte {@code i} (i &lt; headLength()). */
  public int headByte(int i) {
    return Byte.toUnsignedInt(head[i]);
  }

  /** The compression QEMU multifd packet headers declare, if this direction is a multifd channel. */
  public MultifdCompression multifdCompression() {
    return multifd == null ? MultifdCompression.UNDECIDED : multifd.compression();
  }

  /** Payload offset at which a later window of this direction was readable, or -1. */
  public long readableLaterAt() {
    return resample == null ? -1 : resample.readableAt();
  }

  /** Entropy of that readable window, bits per byte. */
  public double readableLaterEntropy() {
    return resample == null ? 0 : resample.readableEntropy();
  }

  /** Occurrences of byte value {@code b} in the sample. */
  public int count(int b) {
    if (histogram != null) {
      return histogram[b];
    }
    int c = 0;
    for (int i = 0; i < sampledBytes; i++) {
      c += (raw[i] & 0xFF) == b ? 1 : 0;
    }
    return c;
  }

  /** Occurrences of every byte value, indexed by value: a copy the caller may keep. */
  public int[] counts() {
    return histogram != null ? histogram.clone() : rawCounts();
  }

  /**
   * As {@link #counts()} without a copy: the live histogram, or {@code scratch} (all zeros, 256
   * entries) filled from the kept bytes. Read it, never change it; clear a filled scratch with
   * {@link #clearScratch}.
   */
  int[] countsView(int[] scratch) {
    if (histogram != null) {
      return histogram;
    }
    for (int i = 0; i < sampledBytes; i++) {
      scratch[raw[i] & 0xFF]++;
    }
    return scratch;
  }

  /** Zeroes what {@link #countsView} put into {@code scratch}. */
  void clearScratch(int[] scratch) {
    if (histogram == null) {
      for (int i = 0; i < sampledBytes; i++) {
        scratch[raw[i] & 0xFF] = 0;
      }
    }
  }

  private int[] rawCounts() {
    int[] c = new int[BYTE_VALUES];
    for (int i = 0; i < sampledBytes; i++) {
      c[raw[i] & 0xFF]++;
    }
    return c;
  }
}
