package io.migaudit.record;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * Writes JSON string values the way Jackson's generator does, faster for the common case: text of
 * printable ASCII without quotes or backslashes (addresses, ids, timestamps, names, reasons) needs
 * no escaping, so its bytes go out as they are; anything else goes through {@link
 * JsonGenerator#writeString(String)}. The generator's own per-character escaping was half of the
 * time of writing a flow record. One per thread.
 */
final class JsonText {
  /** Longer text is rare (long reasons); it takes the generator's path. */
  private static final int MAX_BYTES = 512;

  private static final char FIRST_PRINTABLE = 0x20;
  private static final char DELETE = 0x7F;

  private final char[] chars = new char[MAX_BYTES];
  private final byte[] bytes = new byte[MAX_BYTES];

  void write(JsonGenerator g, String value) throws IOException {
    int n = value.length();
    if (n <= MAX_BYTES) {
      boolean plain = true;
      char[] a = chars;
      byte[] b = bytes;
      value.getChars(
          0, n, a, 0); // one bulk copy: charAt per character cost more than the escaping saved
      for (int i = 0; i < n; i++) {
        char c = a[i];
        b[i] = (byte) c;
        plain &= c >= FIRST_PRINTABLE && c < DELETE && c != '"' && c != '\\';
      }
      if (plain) {
        g.writeRawUTF8String(b, 0, n);
        return;
      }
    }
    g.writeString(value);
  }
}
