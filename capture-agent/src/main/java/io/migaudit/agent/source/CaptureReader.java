package io.migaudit.agent.source;

import java.io.IOException;

/** One capture file format's record walker, fed by a {@link CaptureInput}. */
interface CaptureReader {

  /**
   * Reads the next frame.
   *
   * @return false at a clean end of the file
   * @throws CaptureBreak when the file ends inside a record or a record is corrupt
   */
  boolean next(CapturedPacket into) throws IOException;
}
