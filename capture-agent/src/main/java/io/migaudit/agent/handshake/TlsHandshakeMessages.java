package io.migaudit.agent.handshake;

import java.nio.ByteBuffer;

/**
 * Reassembles the handshake messages of one TLS direction from its stream bytes: follows the record
 * chain from the first byte (RFC 8446 §5.1, RFC 5246 §6.2.1), joins the bodies of handshake records
 * (a message may span records, a record may hold several) and stops at the first record of another
 * type (ChangeCipherSpec, Alert, application data: what follows is encrypted, or TLS 1.3's
 * encrypted handshake). Copies at most {@link #MAX_BYTES} bytes.
 */
final class TlsHandshakeMessages {
  /** RFC 8446 §5.1: type(1) legacy_record_version(2) length(2). */
  static final int RECORD_HEADER_LENGTH = 5;

  static final int CONTENT_TYPE_HANDSHAKE = 22;

  /** RFC 5246 §6.2.3: TLSCiphertext.length is at most 2^14 + 2048. */
  static final int MAX_RECORD_LENGTH = (1 << 14) + 2048;

  /** Record versions SSL 3.0 (0x0300) to TLS 1.2 (0x0303); TLS 1.3 records say 0x0301-0x0303. */
  static final int MIN_RECORD_VERSION = 0x0300;

  static final int MAX_RECORD_VERSION = 0x0304;

  /** RFC 8446 §4: msg_type(1) length(3). */
  static final int MESSAGE_HEADER_LENGTH = 4;

  /** Handshake bytes kept: a ClientHello, or a server flight with a certificate chain. */
  static final int MAX_BYTES = 24 * 1024;

  private TlsHandshakeMessages() {}

  /**
   * The handshake bytes of {@code stream} (position to limit) as one buffer positioned at its
   * start; {@code ended[0]} says whether a record of another type followed them. An issue other
   * than NEED_MORE is returned as a zero-capacity buffer's absence: see {@link Joined}.
   */
  static Joined join(ByteBuffer stream) {
    int base = stream.position();
    int end = stream.limit();
    ByteBuffer joined = ByteBuffer.allocate(Math.min(MAX_BYTES, Math.max(0, end - base)));
    int at = base;
    while (end - at >= RECORD_HEADER_LENGTH) {
      int type = Byte.toUnsignedInt(stream.get(at));
      int version = Short.toUnsignedInt(stream.getShort(at + 1));
      int length = Short.toUnsignedInt(stream.getShort(at + 3));
      if (version < MIN_RECORD_VERSION || version > MAX_RECORD_VERSION) {
        return new Joined(
            joined.flip(),
            at == base ? HandshakeIssue.NOT_THIS_PROTOCOL : HandshakeIssue.TLS_BAD_RECORD_VERSION,
            true);
      }
      if (length > MAX_RECORD_LENGTH) {
        return new Joined(joined.flip(), HandshakeIssue.TLS_RECORD_TOO_LONG, true);
      }
      if (type != CONTENT_TYPE_HANDSHAKE) {
        return new Joined(
            joined.flip(), at == base ? HandshakeIssue.NOT_THIS_PROTOCOL : null, true);
      }
      if (end - at - RECORD_HEADER_LENGTH < length) {
        break; // the record's body is not all here yet
      }
      int take = Math.min(length, joined.remaining());
      joined.put(stream.slice(at + RECORD_HEADER_LENGTH, take));
      at += RECORD_HEADER_LENGTH + length;
      if (!joined.hasRemaining()) {
        break;
      }
    }
    return new Joined(joined.flip(), null, false);
  }

  /**
   * Handshake bytes joined from the records read.
   *
   * @param bytes the joined bodies, position 0
   * @param issue why the record chain was not followed, null when it was
   * @param ended true when the handshake records ended (another record type, or a bad record)
   */
  record Joined(ByteBuffer bytes, HandshakeIssue issue, boolean ended) {}

  /**
   * Length of the message at {@code at} of {@code msgs}, or -1 when its header is not all there.
   */
  static int messageLength(ByteBuffer msgs, int at) {
    if (msgs.limit() - at < MESSAGE_HEADER_LENGTH) {
      return -1;
    }
    return (Byte.toUnsignedInt(msgs.get(at + 1)) << 16)
        | Short.toUnsignedInt(msgs.getShort(at + 2));
  }
}
