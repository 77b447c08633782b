package io.migaudit.analyzer.policy;

/**
 * A policy file that cannot be used. The message is one line naming the file, the line and the
 * field, fit to print as it is: {@code policy.yaml:1: encryption: "sometimes" is not one of ...}.
 * Control characters and line separators in it (a YAML key may hold line breaks, and the message
 * quotes keys) are written as escapes such as {@code \n}.
 */
public final class PolicyException extends Exception {

  public PolicyException(String message) {
    super(oneLine(message));
  }

  public PolicyException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  /** {@code text} with every control character and line or paragraph separator escaped. */
  static String oneLine(String text) {
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean breaks = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
      if (breaks && b == null) {
        b = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (b == null) {
        continue;
      }
      if (!breaks) {
        b.append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b == null ? text : b.toString();
  }
}
