package io.migaudit.agent.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Reads a whole capture from bytes, copying each frame out of the reused packet. */
final class Frames {
  record Frame(long micros, int linkType, int originalLength, byte[] data) {}

  record Read(List<Frame> frames, SourceStats stats) {}

  private Frames() {}

  /**
   * Reads through {@code selector}: a frame it declines is in the list with null data, and must be
   * flagged skipped.
   */
  static Read readSelecting(byte[] capture, FrameSelector selector) throws IOException {
    try (PcapFileSource source =
        PcapFileSource.open(new ByteArrayInputStream(capture), "test.pcap")) {
      List<Frame> frames = new ArrayList<>();
      CapturedPacket packet = new CapturedPacket();
      while (source.next(packet, selector)) {
        byte[] copy = null;
        if (!packet.skipped) {
          copy = new byte[packet.data.limit()];
          packet.data.get(0, copy);
        }
        frames.add(new Frame(packet.timestampMicros, packet.linkType, packet.originalLength, copy));
      }
      return new Read(frames, source.stats());
    }
  }

  static Read read(byte[] capture) throws IOException {
    try (PcapFileSource source =
        PcapFileSource.open(new ByteArrayInputStream(capture), "test.pcap")) {
      List<Frame> frames = new ArrayList<>();
      CapturedPacket packet = new CapturedPacket();
      while (source.next(packet)) {
        ByteBuffer data = packet.data;
        if (data.position() != 0 || data.limit() != packet.capturedLength()) {
          throw new AssertionError("frame view not at position 0 / limit caplen");
        }
        byte[] copy = new byte[data.limit()];
        data.get(0, copy);
        frames.add(new Frame(packet.timestampMicros, packet.linkType, packet.originalLength, copy));
      }
      if (source.next(packet)) {
        throw new AssertionError("next() returned a packet after the end");
      }
      return new Read(frames, source.stats());
    }
  }
}
