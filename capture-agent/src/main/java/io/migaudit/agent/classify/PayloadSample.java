package io.migaudit.agent.classify;

import java.nio.ByteBuffer;

/**
 * A bounded sample of one direction of a flow's payload: the first bytes (for signatures) and a byte
 * histogram (for statistics). The bytes themselves never leave this object, and only the first
 * {@link #HEAD_BYTES} are kept at all; the histogram is allocated on the first payload byte so that
 * payload-less flows (scans, bare ACKs) stay small. A direction whose first byte may start a QEMU
 * multifd channel also gets a {@link MultifdPacketReader}, which reads the compression method from
 * the packet headers that follow (a few dozen bytes of state).
 */
public final class PayloadSample {
  /** How many leading payload bytes are kept for signature matching. */
  public static final int HEAD_BYTES = 64;

  private final int maxBytes;
  private final int maxBytesPerPacket;
  private final byte[] head = new byte[HEAD_BYTES];
  private int headLength;
  private int[] histogram;
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
    if (histogram == null) {
      histogram = new int[256];
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
    sampledBytes += take;
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
    return histogram == null ? 0 : histogram[b];
  }
}
