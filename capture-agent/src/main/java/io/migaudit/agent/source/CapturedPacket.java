package io.migaudit.agent.source;

import java.nio.ByteBuffer;

/**
 * One captured frame as a source hands it out. Mutable and reused: a source overwrites it on every
 * {@link PacketSource#next} call, so consumers must copy what they keep.
 */
public final class CapturedPacket {
  /** Capture timestamp, microseconds since the Unix epoch (UTC). */
  public long timestampMicros;

  /** Link-layer header type (LINKTYPE_* of the pcap spec: 1 Ethernet, 113 Linux SLL, ...). */
  public int linkType;

  /** Length of the frame on the wire; may exceed {@code data.remaining()} when snaplen cut it. */
  public int originalLength;

  /** The captured bytes: position 0, limit = captured length. Valid until the next call. */
  public ByteBuffer data = ByteBuffer.allocate(0);

  /**
   * True when {@link PacketSource#next(CapturedPacket, FrameSelector)} skipped the frame because
   * the selector declined it: then only the timestamp, link type and original length are the
   * frame's, and {@code data} is stale.
   */
  public boolean skipped;

  /** Captured bytes of a skipped frame. */
  int skippedLength;

  /** Bytes actually captured. */
  public int capturedLength() {
    return skipped ? skippedLength : data.limit();
  }
}
