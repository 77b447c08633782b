package io.migaudit.agent.kerberos;

import io.migaudit.record.KerberosRequest;
import java.nio.ByteBuffer;

/**
 * Reads one Kerberos message as it streams past and keeps only what a TGS-REQ says in clear about
 * the service asked for (RFC 4120 §5.4.1):
 *
 * <pre>
 * TGS-REQ      ::= [APPLICATION 12] KDC-REQ
 * KDC-REQ      ::= SEQUENCE { pvno [1], msg-type [2] INTEGER, padata [3] OPTIONAL, req-body [4] }
 * KDC-REQ-BODY ::= SEQUENCE { kdc-options [0], cname [1] OPTIONAL, realm [2] Realm,
 *                             sname [3] PrincipalName OPTIONAL, ... }
 * PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
 * </pre>
 *
 * <p>A minimal DER walker: it descends only into the elements on that path, skips every other
 * element by its length without looking at (or keeping) its bytes, so the ticket and authenticator
 * in {@code padata} are never stored, and it stops after {@code sname}. Bounded: a fixed depth, at
 * most {@link #MAX_NAME_COMPONENTS} name components and {@link KerberosRequest#MAX_NAME_CHARS}
 * characters per name. Garbage makes it {@link Outcome#FAILED}, never throw.
 */
final class KdcRequestReader {
  /** What the reader made of the message so far. */
  enum Outcome {
    READING,
    TGS_REQ,
    NOT_TGS_REQ,
    FAILED
  }

  /** DER identifier octets (X.690 §8.1.2): universal, context-specific and application tags. */
  static final int TAG_INTEGER = 0x02;

  static final int TAG_SEQUENCE = 0x30;
  static final int TAG_GENERAL_STRING = 0x1B;
  static final int TAG_AS_REQ = 0x6A; // [APPLICATION 10], constructed
  static final int TAG_TGS_REQ = 0x6C; // [APPLICATION 12], constructed
  static final int TAG_CONTEXT_0 = 0xA0; // [n] constructed is 0xA0 + n
  static final int TAG_LOW_BITS_MULTI_BYTE = 0x1F;
  static final int LENGTH_LONG_FORM = 0x80;

  /** DER lengths beyond 4 octets would describe more than a 32-bit TCP length prefix allows. */
  static final int MAX_LENGTH_OCTETS = 4;

  static final int MSG_TYPE_TGS_REQ = 12;
  static final int MAX_NAME_COMPONENTS = 4;

  /**
   * TGS-REQ, KDC-REQ, req-body [4], body, sname [3], PrincipalName, name-string [1], SEQUENCE OF.
   */
  static final int MAX_DEPTH = 8;

  private enum Mode {
    HEADER_TAG,
    HEADER_LENGTH,
    HEADER_LENGTH_MORE,
    SKIP,
    INTEGER,
    REALM,
    NAME_COMPONENT
  }

  private final long messageLength;
  private final long[] ends = new long[MAX_DEPTH + 1];
  private final int[] tags = new int[MAX_DEPTH + 1];
  private int depth;
  private long offset;
  private Mode mode = Mode.HEADER_TAG;
  private int tag;
  private long length;
  private int lengthOctetsLeft;
  private long valueLeft;
  private long msgType = -1;
  private boolean snameSeen;
  private final StringBuilder realm = new StringBuilder();
  private final StringBuilder service = new StringBuilder();
  private int components;
  private boolean cut;
  private Outcome outcome = Outcome.READING;

  /**
   * @param messageLength bytes the message has (TCP length prefix, or the UDP datagram)
   */
  KdcRequestReader(long messageLength) {
    this.messageLength = messageLength;
  }

  Outcome outcome() {
    return outcome;
  }

  /** The request read, once {@link #outcome()} is {@link Outcome#TGS_REQ}. */
  KerberosRequest request() {
    String s = service.toString();
    if (cut) {
      s = s.substring(0, Math.min(s.length(), KerberosRequest.MAX_NAME_CHARS - 3)) + "...";
    }
    return new KerberosRequest(KerberosRequest.TGS_REQ, s, realm.toString());
  }

  /**
   * Reads {@code length} bytes of {@code frame} from absolute {@code from}; returns bytes consumed.
   */
  int feed(ByteBuffer frame, int from, int length) {
    int i = 0;
    while (i < length && outcome == Outcome.READING) {
      if (mode == Mode.SKIP) {
        int n = (int) Math.min(valueLeft, length - i);
        i += n;
        offset += n;
        valueLeft -= n;
        if (valueLeft == 0) {
          elementDone();
        }
      } else {
        step(Byte.toUnsignedInt(frame.get(from + i)));
        i++;
      }
    }
    return i;
  }

  private void step(int b) {
    offset++;
    switch (mode) {
      case HEADER_TAG -> {
        if ((b & TAG_LOW_BITS_MULTI_BYTE) == TAG_LOW_BITS_MULTI_BYTE) {
          fail(); // Kerberos uses no tag numbers above 30
          return;
        }
        tag = b;
        mode = Mode.HEADER_LENGTH;
      }
      case HEADER_LENGTH -> {
        if (b < LENGTH_LONG_FORM) {
          length = b;
          headerDone();
        } else if (b == LENGTH_LONG_FORM || b - LENGTH_LONG_FORM > MAX_LENGTH_OCTETS) {
          fail(); // indefinite length is BER, not DER
        } else {
          lengthOctetsLeft = b - LENGTH_LONG_FORM;
          length = 0;
          mode = Mode.HEADER_LENGTH_MORE;
        }
      }
      case HEADER_LENGTH_MORE -> {
        length = (length << 8) | b;
        if (--lengthOctetsLeft == 0) {
          headerDone();
        }
      }
      case INTEGER -> {
        msgType = (msgType << 8) | b;
        valueDone();
      }
      case REALM -> {
        append(realm, b);
        valueDone();
      }
      case NAME_COMPONENT -> {
        append(service, b);
        valueDone();
      }
      default -> fail();
    }
  }

  private void valueDone() {
    if (--valueLeft == 0) {
      elementDone();
    }
  }

  private void append(StringBuilder to, int b) {
    if (to.length() >= KerberosRequest.MAX_NAME_CHARS) {
      cut |= to == service;
      return;
    }
    to.append(b >= 0x20 && b <= 0x7E ? (char) b : '?');
  }

  private void headerDone() {
    long end = offset + length;
    long parentEnd = depth == 0 ? messageLength : ends[depth - 1];
    if (end > parentEnd) {
      fail(); // an element longer than what holds it
      return;
    }
    Mode value = decide();
    if (outcome != Outcome.READING) {
      return;
    }
    if (value == null) { // constructed element on the path: descend
      if (depth == MAX_DEPTH) {
        fail();
        return;
      }
      ends[depth] = end;
      tags[depth] = tag;
      depth++;
      mode = Mode.HEADER_TAG;
      closeFinished();
      return;
    }
    if (value == Mode.INTEGER) {
      if (length < 1 || length > 4) {
        fail();
        return;
      }
      msgType = 0;
    } else if (value == Mode.NAME_COMPONENT) {
      if (components == MAX_NAME_COMPONENTS) {
        cut = true;
        value = Mode.SKIP;
      } else if (components++ > 0) {
        append(service, '/');
      }
    }
    mode = value;
    valueLeft = length;
    if (length == 0) {
      elementDone();
    }
  }

  /** The mode for the element whose header was just read at the current depth; null descends. */
  private Mode decide() {
    int parent = depth == 0 ? -1 : tags[depth - 1];
    switch (depth) {
      case 0 -> {
        if (tag == TAG_TGS_REQ) {
          return null;
        }
        outcome = tag == TAG_AS_REQ ? Outcome.NOT_TGS_REQ : Outcome.FAILED;
        return Mode.SKIP;
      }
      case 1, 3, 5, 7 -> {
        if (depth == 3 && parent == context(2)) {
          return expect(TAG_INTEGER, Mode.INTEGER);
        }
        if (depth == 5 && parent == context(2)) {
          return expect(TAG_GENERAL_STRING, Mode.REALM);
        }
        return expect(TAG_SEQUENCE, null);
      }
      case 2 -> {
        return tag == context(2) || tag == context(4) ? null : Mode.SKIP;
      }
      case 4 -> {
        if (tag == context(2)) {
          return null;
        }
        if (tag == context(3)) {
          snameSeen = true;
          return null;
        }
        if (tag > context(3)) {
          finish(); // past sname: this request names no service
        }
        return Mode.SKIP;
      }
      case 6 -> {
        return tag == context(1) ? null : Mode.SKIP;
      }
      default -> {
        return expect(TAG_GENERAL_STRING, Mode.NAME_COMPONENT);
      }
    }
  }

  private Mode expect(int wanted, Mode then) {
    if (tag != wanted) {
      fail();
    }
    return then;
  }

  private static int context(int n) {
    return TAG_CONTEXT_0 + n;
  }

  private void elementDone() {
    mode = Mode.HEADER_TAG;
    if (depth == 0) { // the whole message was one element we did not descend into
      return;
    }
    if (depth == 3 && tags[2] == context(2) && msgType != MSG_TYPE_TGS_REQ) {
      outcome = Outcome.FAILED; // [APPLICATION 12] must say msg-type 12
      return;
    }
    closeFinished();
  }

  /** Leaves every element that ends here; the end of sname ends the reading. */
  private void closeFinished() {
    while (depth > 0 && ends[depth - 1] == offset) {
      depth--;
      if (depth == 4 && tags[4] == context(3)) {
        finish();
        return;
      }
    }
    if (depth == 0 && offset > 0) {
      finish(); // the message ended without sname
    }
  }

  private void finish() {
    if (outcome != Outcome.READING) {
      return;
    }
    outcome =
        snameSeen && components > 0 && msgType == MSG_TYPE_TGS_REQ
            ? Outcome.TGS_REQ
            : Outcome.NOT_TGS_REQ;
  }

  private void fail() {
    outcome = Outcome.FAILED;
  }
}
