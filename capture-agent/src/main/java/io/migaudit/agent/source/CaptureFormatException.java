package io.migaudit.agent.source;

import java.io.IOException;

/**
 * The input is not a capture this reader understands (bad magic, unsupported version, damaged gzip
 * header). The message is one line fit for a user, starting with the source name.
 */
public final class CaptureFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public CaptureFormatException(String message) {
    super(message);
  }
}
