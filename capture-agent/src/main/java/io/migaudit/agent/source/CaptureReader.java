package io.migaudit.agent.source;

import java.io.IOException;
import java.nio.ByteBuffer;

/** One capture file format's record walker, fed by a {@link CaptureInput}. */
interface CaptureReader {

  /**
   * Reads the next frame.
   *
   * @return false at a clean end of the file
   * @throws CaptureBreak when the file ends inside a record or a record is corrupt
   */
  boolean next(CapturedPacket into) throws IOException;

  /**
   * As {@link #next(CapturedPacket)}, skipping a frame {@code selector} (when not null) declines
   * ({@link CapturedPacket#skipped}); this default copies every frame out first.
   */
  default boolean next(CapturedPacket into, FrameSelector selector) throws IOException {
    if (!next(into)) {
      return false;
    }
    if (selector == null) {
      into.skipped = false;
      return true;
    }
    ByteBuffer data = into.data;
    into.skipped = !selector.select(into.linkType, data.array(), data.arrayOffset(), data.limit());
    return true;
  }
}
