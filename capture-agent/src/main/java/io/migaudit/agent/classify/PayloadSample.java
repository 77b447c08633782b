package io.migaudit.agent.classify;

import java.nio.ByteBuffer;

/**
 * A bounded sample of one direction of a flow's payload: the first bytes (for signatures) and a byte
 * histogram (for statistics, a {@link ByteHistogram}: small samples are kept as bytes, larger ones
 * counted in 512 bytes, then 1 KiB). The bytes themselves never leave this object, and past the
 * histogram's first bytes only the first {@link #HEAD_BYTES} are kept. Statistics are computed when
 * asked and kept until the next sampled byte, so the interim records of a flow whose sample is full
 * cost nothing here. A direction whose first byte may start a QEMU multifd channel also gets a
 * {@link MultifdPacketReader}, which reads the compression method from the packet headers that
 * follow (a few dozen bytes of state); one whose first bytes start an SMB2 message gets a
 * {@link SmbFramingReader}, which follows the messages and samples SMB3's encrypted bodies apart.
 */
public final class PayloadSample {
  /** How many leading payload bytes are kept for signature matching. */
  public static final int HEAD_BYTES = 64;

  private final int maxBytes;
  private final int maxBytesPerPacket;
  private final byte[] head = new byte[HEAD_BYTES];
  private int headLength;
  private final ByteHistogram histogram = new ByteHistogram();
  /** Statistics of the current sample, or null when a byte was sampled since they were computed. */
  private ByteStatistics statistics;
  /** {@link ByteStatistics#describe()} of {@link #statistics}, or null until asked. */
  private String statisticsText;
  private long sampledBytes;
  private MultifdPacketReader multifd;
  private SmbFramingReader smb;
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
    if (headLength == 0 && SmbFramingReader.startsSmb(frame, offset, length)) {
      smb = new SmbFramingReader(maxBytes);
    }
    if (multifd != null) {
      multifd.add(frame, offset, length);
    } else if (smb != null) {
      smb.add(frame, offset, length);
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
    histogram.add(frame, offset, take);
    sampledBytes += take;
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

  /** True when the histogram holds its whole budget: later bytes go only to the re-sample window. */
  public boolean full() {
    return sampledBytes >= maxBytes;
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

  /** The SMB message framing of this direction, or null when it did not start with an SMB2 message. */
  SmbFramingReader smbFraming() {
    return smb;
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
    return histogram.count(b);
  }

  /** Occurrences of every byte value, indexed by value: a copy the caller may keep. */
  public int[] counts() {
    return histogram.counts();
  }

  /** The counts without a copy where possible; see {@link ByteHistogram#countsView}. */
  int[] countsView(int[] scratch) {
    return histogram.countsView(scratch);
  }

  /** Zeroes what {@link #countsView} put into {@code scratch}. */
  void clearScratch(int[] scratch) {
    histogram.clearScratch(scratch);
  }
}
