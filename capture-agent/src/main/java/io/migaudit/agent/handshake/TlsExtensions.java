package io.migaudit.agent.handshake;

import java.nio.ByteBuffer;

/**
 * Finds one extension in a TLS extensions block (RFC 8446 §4.2: type(2) opaque data<0..2^16-1>).
 */
final class TlsExtensions {
  /** Returned when the block's lengths do not add up. */
  static final ByteBuffer MALFORMED = ByteBuffer.allocate(0);

  private TlsExtensions() {}

  /**
   * The data of extension {@code type}, null when absent, {@link #MALFORMED} when the block is bad.
   */
  static ByteBuffer find(ByteBuffer block, int type) {
    FieldReader r = new FieldReader(block);
    while (r.remaining() > 0) {
      int t = r.u16();
      ByteBuffer data = r.vector16();
      if (r.failed()) {
        return MALFORMED;
      }
      if (t == type) {
        return data;
      }
    }
    return r.failed() ? MALFORMED : null;
  }
}
