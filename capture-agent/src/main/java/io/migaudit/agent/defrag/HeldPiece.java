package io.migaudit.agent.defrag;

import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A copy of the frame that carried one {@link Fragment}, as it was captured: enough to put its data
 * in the packet, or to hand the frame on as it came when the packet is never put together.
 */
record HeldPiece(
    Fragment piece,
    byte[] frame,
    long timestampMicros,
    int linkType,
    int originalLength,
    long arrival) {

  static HeldPiece copy(Fragment piece, CapturedPacket captured, ByteBuffer frame, long arrival) {
    byte[] bytes = new byte[frame.limit()];
    frame.get(0, bytes);
    return new HeldPiece(
        piece,
        bytes,
        captured.timestampMicros,
        captured.linkType,
        captured.originalLength,
        arrival);
  }

  int start() {
    return piece.start();
  }

  int end() {
    return piece.end();
  }

  /** The frame as it came. */
  CapturedPacket asCaptured() {
    CapturedPacket p = new CapturedPacket();
    p.timestampMicros = timestampMicros;
    p.linkType = linkType;
    p.originalLength = originalLength;
    p.data = ByteBuffer.wrap(frame);
    return p;
  }

  /** The same data as {@code other}'s, byte for byte. */
  boolean sameData(HeldPiece other) {
    return piece.dataLength() == other.piece.dataLength()
        && Arrays.equals(
            frame,
            piece.dataAt(),
            piece.dataAt() + piece.dataLength(),
            other.frame,
            other.piece.dataAt(),
            other.piece.dataAt() + other.piece.dataLength());
  }
}
