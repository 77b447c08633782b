package io.migaudit.agent.source;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where frames come from: a capture file or a live interface. A source fills one reused {@link
 * CapturedPacket} per call and is read by a single thread.
 */
public interface PacketSource extends AutoCloseable {

  /**
   * Reads the next frame into {@code into}, overwriting what it held.
   *
   * @return false at the end of the input, including when the input broke off or turned corrupt
   *     (see {@link SourceStats#truncation()})
   * @throws IOException when the underlying input cannot be read (not for damaged captures)
   */
  boolean next(CapturedPacket into) throws IOException;

  /**
   * As {@link #next(CapturedPacket)}, asking {@code selector} first whether the frame is wanted;
   * when not, {@link CapturedPacket#skipped} is set and a source that can (a capture file) skips
   * the frame's bytes without copying them. This default reads every frame and then asks.
   */
  default boolean next(CapturedPacket into, FrameSelector selector) throws IOException {
    if (!next(into)) {
      return false;
    }
    ByteBuffer data = into.data;
    into.skipped =
        data.hasArray()
            && !selector.select(into.linkType, data.array(), data.arrayOffset(), data.limit());
    return true;
  }

  /** The file or interface this source reads, for logs and records. */
  String name();

  /** What this source has read so far. */
  SourceStats stats();

  @Override
  void close() throws IOException;
}
