package io.migaudit.agent.source;

import java.io.IOException;

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

  /** The file or interface this source reads, for logs and records. */
  String name();

  /** What this source has read so far. */
  SourceStats stats();

  @Override
  void close() throws IOException;
}
