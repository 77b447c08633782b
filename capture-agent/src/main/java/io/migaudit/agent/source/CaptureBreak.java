package io.migaudit.agent.source;

import java.io.IOException;

/**
 * A capture file ended inside a record or holds a corrupt one. Thrown inside the file readers and
 * caught by {@link PcapFileSource}, which ends the source and reports the message in {@link
 * SourceStats#truncation()}; it never escapes the package.
 */
final class CaptureBreak extends IOException {
  private static final long serialVersionUID = 1L;

  private CaptureBreak(String message) {
    super(message, null);
  }

  /** The input ended after {@code present} of the {@code expected} bytes of {@code what}. */
  static CaptureBreak truncated(String what, long offset, long present, long expected) {
    return new CaptureBreak(
        "file ends inside "
            + what
            + " at byte offset "
            + offset
            + ": "
            + present
            + " of "
            + expected
            + " bytes present");
  }

  /** {@code what} holds a value no valid capture can hold. */
  static CaptureBreak corrupt(String what, long offset, String why) {
    return new CaptureBreak(what + " at byte offset " + offset + " is corrupt: " + why);
  }

  /** The compressed stream around the capture is damaged or cut. */
  static CaptureBreak compression(long offset, String why) {
    return new CaptureBreak(
        "gzip stream breaks off at uncompressed byte offset " + offset + ": " + why);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // control flow for a damaged file, not a bug: no stack trace needed
  }
}
