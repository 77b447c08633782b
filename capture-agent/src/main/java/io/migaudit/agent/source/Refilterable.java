package io.migaudit.agent.source;

import java.io.IOException;

/**
 * A live capture whose kernel filter can change while it runs, and that can tell whether a frame it
 * read passes another filter (the libpcap backend): the live agent widens the filter to a
 * connection it decided to follow, and narrows it back when the connection ends.
 */
public interface Refilterable {

  /** The filter the capture was opened with (blank: every frame). */
  String openedFilter();

  /**
   * True when the frame {@link PacketSource#next} returned last passes {@code filter} (blank: every
   * frame does).
   *
   * @throws IOException when {@code filter} does not compile
   */
  boolean lastFramePasses(String filter) throws IOException;

  /**
   * Sets {@code filter} in place of the one in force; called by the thread that reads the capture.
   *
   * @throws IOException when it does not compile or the kernel refuses it; the filter in force
   *     stays
   */
  void refilter(String filter) throws IOException;
}
