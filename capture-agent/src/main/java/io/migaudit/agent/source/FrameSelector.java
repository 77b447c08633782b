package io.migaudit.agent.source;

/**
 * Decides from a frame's bytes whether its reader wants it, before the source copies it out: a
 * capture worker that reads a whole file declines the frames of other workers' flows, and the
 * source skips their bytes in its read-ahead buffer.
 */
@FunctionalInterface
public interface FrameSelector {
  /**
   * @param linkType the frame's LINKTYPE_*
   * @param frame holds the captured bytes at {@code offset}; read only, valid during the call
   * @param length captured bytes
   * @return true to have the frame copied into the packet, false to skip it
   */
  boolean select(int linkType, byte[] frame, int offset, int length);
}
