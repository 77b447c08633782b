package io.migaudit.agent.classify;

import io.migaudit.record.Signature;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The request a client sends a relay before the stream the relay passes on (docs/PROTOCOLS.md,
 * "Relays"): an HTTP CONNECT request (RFC 9110 9.3.6: the request line, headers, an empty line), a
 * SOCKS5 request (RFC 1928: the method offer, RFC 1929's user and password when offered, then the
 * CONNECT request with its address and port) or a SOCKS4 or 4a one (user id and host name ended by
 * NUL). {@code socat PROXY:}, {@code nc -X connect|4|5} and {@code ncat --proxy} send these, so a
 * migration pushed through {@code migrate "exec:socat STDIO PROXY:relay:dest:port"} reaches the
 * relay as such a request followed by the migration stream, in clear: the relay carries it, it does
 * not encrypt it. This reads the request as it comes, segment by segment, without keeping it, and
 * keeps the first {@link #OPENING_BYTES} bytes after it, where a migration stream opens ({@link
 * MigrationOpenings}). Anything that is not such a request ends the reading at its first wrong
 * byte.
 */
final class RelayRequest {
  /** An HTTP CONNECT request with its headers is a few hundred bytes; more is not one. */
  static final int MAX_HTTP_BYTES = 4096;

  /** Empty lines before a request line that HTTP servers skip (RFC 9112 2.2): a few at most. */
  static final int MAX_LEADING_LINE_BYTES = 16;

  /** Where {@link #httpText} stands in a line: in it, after its CR, at a line's start, after CR. */
  private static final int IN_LINE = 0;

  private static final int AFTER_CR = 1;
  private static final int LINE_START = 2;
  private static final int LINE_START_CR = 3;

  /** Enough for the longest opening {@link MigrationOpenings} checks (xl's save-file header). */
  static final int OPENING_BYTES = 28;

  private static final byte[] CONNECT = "CONNECT ".getBytes(StandardCharsets.US_ASCII);
  private static final int SOCKS5 = 5;
  private static final int SOCKS4 = 4;
  private static final int SOCKS_CONNECT = 1;
  private static final int SOCKS5_USER_PASSWORD_VERSION = 1;
  private static final int ATYP_IPV4 = 1;
  private static final int ATYP_DOMAIN = 3;
  private static final int ATYP_IPV6 = 4;
  private static final int IPV4_BYTES = 4;
  private static final int IPV6_BYTES = 16;
  private static final int PORT_BYTES = 2;

  /** What kind of request this is, as the reason names it. */
  enum Kind {
    HTTP_CONNECT("an HTTP CONNECT request"),
    SOCKS5("a SOCKS5 request"),
    SOCKS4("a SOCKS4 request");

    private final String text;

    Kind(String text) {
      this.text = text;
    }

    String text() {
      return text;
    }
  }

  /** Where the reading stands: the field the next byte belongs to. */
  private enum Step {
    LEADING_LINES,
    CONNECT_WORD,
    HTTP_TEXT,
    SOCKS5_METHOD_COUNT,
    SOCKS5_METHODS,
    SOCKS5_AFTER_METHODS,
    SOCKS5_USER_LENGTH,
    SOCKS5_USER,
    SOCKS5_PASSWORD_LENGTH,
    SOCKS5_PASSWORD,
    SOCKS5_VERSION,
    SOCKS5_COMMAND,
    SOCKS5_RESERVED,
    SOCKS5_ADDRESS_TYPE,
    SOCKS5_DOMAIN_LENGTH,
    SOCKS5_ADDRESS,
    SOCKS4_COMMAND,
    SOCKS4_PORT_AND_ADDRESS,
    SOCKS4_USER,
    SOCKS4_HOST,
    OPENING,
    FAILED
  }

  private final Kind kind;
  private Step step;

  /** Bytes of the request read so far. */
  private int read;

  /** Bytes the current field still needs (a count, a length), or what it matched (the CRLFs). */
  private int pending;

  /**
   * SOCKS4's address: its first three bytes zero and its last one not (SOCKS4a, a name follows).
   */
  private boolean addressStartsZero = true;

  private int lastAddressByte;

  private byte[] opening;
  private int openingLength;

  private RelayRequest(Kind kind, Step step) {
    this.kind = kind;
    this.step = step;
  }

  /**
   * A reader for a direction whose first byte is {@code first}, when that byte may start such a
   * request ({@code C} of CONNECT or an empty line before it, SOCKS version 5 or 4), else null.
   */
  static RelayRequest startingWith(int first) {
    return switch (first) {
      case 'C' -> new RelayRequest(Kind.HTTP_CONNECT, Step.CONNECT_WORD).connectFrom(1);
      case '\r', '\n' -> new RelayRequest(Kind.HTTP_CONNECT, Step.LEADING_LINES);
      case SOCKS5 -> new RelayRequest(Kind.SOCKS5, Step.SOCKS5_METHOD_COUNT);
      case SOCKS4 -> new RelayRequest(Kind.SOCKS4, Step.SOCKS4_COMMAND);
      default -> null;
    };
  }

  /**
   * Reads the direction's next bytes (the first call starts with the first byte); false once it
   * takes no more: the request was not one, or the opening after it is complete.
   */
  boolean add(ByteBuffer frame, int offset, int length) {
    if (step == Step.FAILED || openingLength == OPENING_BYTES) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      int b = Byte.toUnsignedInt(frame.get(offset + i));
      if (read == 0) {
        read = 1; // the first byte, which chose the kind
        continue;
      }
      if (step == Step.OPENING) {
        if (opening == null) {
          opening = new byte[OPENING_BYTES];
        }
        opening[openingLength++] = (byte) b;
        if (openingLength == OPENING_BYTES) {
          return false;
        }
        continue;
      }
      read++;
      step = next(b);
      if (step == Step.FAILED) {
        return false;
      }
    }
    return true;
  }

  /** True when the bytes read so far cannot be such a request. */
  boolean failed() {
    return step == Step.FAILED;
  }

  /** The kind of request, once it was read whole; null before and when it was not one. */
  Kind relayed() {
    return step == Step.OPENING ? kind : null;
  }

  /**
   * The migration stream that the bytes after a whole request open, else {@link Signature#NONE}.
   */
  Signature opened() {
    return opening == null ? Signature.NONE : MigrationOpenings.match(opening, openingLength);
  }

  private RelayRequest connectFrom(int matched) {
    pending = matched;
    return this;
  }

  private Step next(int b) {
    return switch (step) {
      case LEADING_LINES -> leadingLines(b);
      case CONNECT_WORD -> connectWord(b);
      case HTTP_TEXT -> httpText(b);
      case SOCKS5_METHOD_COUNT -> count(b, Step.SOCKS5_METHODS);
      case SOCKS5_METHODS -> countDown(Step.SOCKS5_AFTER_METHODS);
      case SOCKS5_AFTER_METHODS -> {
        // RFC 1929's user and password come first when the relay chose that method
        if (b == SOCKS5_USER_PASSWORD_VERSION) {
          yield Step.SOCKS5_USER_LENGTH;
        }
        yield b == SOCKS5 ? Step.SOCKS5_COMMAND : Step.FAILED;
      }
      case SOCKS5_USER_LENGTH -> count(b, Step.SOCKS5_USER);
      case SOCKS5_USER -> countDown(Step.SOCKS5_PASSWORD_LENGTH);
      case SOCKS5_PASSWORD_LENGTH -> count(b, Step.SOCKS5_PASSWORD);
      case SOCKS5_PASSWORD -> countDown(Step.SOCKS5_VERSION);
      case SOCKS5_VERSION -> b == SOCKS5 ? Step.SOCKS5_COMMAND : Step.FAILED;
      case SOCKS5_COMMAND -> b == SOCKS_CONNECT ? Step.SOCKS5_RESERVED : Step.FAILED;
      case SOCKS5_RESERVED -> b == 0 ? Step.SOCKS5_ADDRESS_TYPE : Step.FAILED;
      case SOCKS5_ADDRESS_TYPE -> addressType(b);
      case SOCKS5_DOMAIN_LENGTH -> {
        pending = b + PORT_BYTES;
        yield b == 0 ? Step.FAILED : Step.SOCKS5_ADDRESS;
      }
      case SOCKS5_ADDRESS -> countDown(Step.OPENING);
      case SOCKS4_COMMAND -> {
        pending = PORT_BYTES + IPV4_BYTES;
        yield b == SOCKS_CONNECT ? Step.SOCKS4_PORT_AND_ADDRESS : Step.FAILED;
      }
      case SOCKS4_PORT_AND_ADDRESS -> {
        if (pending == 1) {
          lastAddressByte = b;
        } else if (pending <= IPV4_BYTES && b != 0) {
          addressStartsZero = false;
        }
        yield countDown(Step.SOCKS4_USER);
      }
      case SOCKS4_USER -> nulTerminated(b, socks4a() ? Step.SOCKS4_HOST : Step.OPENING);
      case SOCKS4_HOST -> nulTerminated(b, Step.OPENING);
      case OPENING, FAILED -> step;
    };
  }

  /** CR and LF before the request line, which servers skip; then the C of CONNECT. */
  private Step leadingLines(int b) {
    if ((b == '\r' || b == '\n') && read <= MAX_LEADING_LINE_BYTES) {
      return Step.LEADING_LINES;
    }
    pending = 1;
    return b == 'C' ? Step.CONNECT_WORD : Step.FAILED;
  }

  /** The method and its space; {@link #pending} counts the characters matched. */
  private Step connectWord(int b) {
    if (b != CONNECT[pending]) {
      return Step.FAILED;
    }
    pending++;
    if (pending < CONNECT.length) {
      return Step.CONNECT_WORD;
    }
    pending = IN_LINE;
    return Step.HTTP_TEXT;
  }

  /**
   * The request line and headers, up to the empty line that ends them. Lines end with CR LF, or
   * with a lone LF, which servers may take as one (RFC 9112 2.2): a relay that does lets a client
   * end its request so, and such a request must not hide what follows it.
   */
  private Step httpText(int b) {
    if (read > MAX_HTTP_BYTES) {
      return Step.FAILED;
    }
    if (b == '\n') {
      if (pending == LINE_START || pending == LINE_START_CR) {
        return Step.OPENING; // an empty line
      }
      pending = LINE_START;
    } else if (b == '\r') {
      pending = pending == LINE_START ? LINE_START_CR : AFTER_CR;
    } else if (b == '\t' || (b >= ' ' && b <= '~')) {
      pending = IN_LINE;
    } else {
      return Step.FAILED;
    }
    return Step.HTTP_TEXT;
  }

  /** A count byte: at least one of what it counts must follow. */
  private Step count(int b, Step then) {
    pending = b;
    return b == 0 ? Step.FAILED : then;
  }

  /** One more byte of a counted field; {@code then} after its last. */
  private Step countDown(Step then) {
    pending--;
    return pending == 0 ? then : step;
  }

  private Step addressType(int b) {
    switch (b) {
      case ATYP_IPV4 -> pending = IPV4_BYTES + PORT_BYTES;
      case ATYP_IPV6 -> pending = IPV6_BYTES + PORT_BYTES;
      case ATYP_DOMAIN -> {
        return Step.SOCKS5_DOMAIN_LENGTH;
      }
      default -> {
        return Step.FAILED;
      }
    }
    return Step.SOCKS5_ADDRESS;
  }

  /** A field ended by NUL, at most 255 bytes: SOCKS4's user id and SOCKS4a's host name. */
  private Step nulTerminated(int b, Step then) {
    if (b == 0) {
      pending = 0;
      return then;
    }
    return ++pending > 255 ? Step.FAILED : step;
  }

  /** SOCKS4a: an address of 0.0.0.x, x not 0, says a host name follows the user id. */
  private boolean socks4a() {
    return lastAddressByte != 0 && addressStartsZero;
  }
}
