package io.migaudit.agent.handshake;

import java.nio.ByteBuffer;

/**
 * The first bytes of one direction's stream, kept only while its handshake is read: nothing until
 * the first bytes arrive, then as many as arrived (at least {@link #MIN_CAPACITY}), doubling to at
 * most {@link #MAX_BYTES}; {@link #release()} drops it. A flood of short TLS flows used to allocate
 * and zero 2 KiB per direction up front, whether or not the direction sent a byte.
 */
final class StreamPrefix {
  static final int MIN_CAPACITY = 256;
  static final int MAX_BYTES = TlsHandshakeMessages.MAX_BYTES;
  private static final byte[] NONE = new byte[0];
  private byte[] bytes = NONE;
  private int length;

  /** Appends what fits; false when the prefix is full (bytes were left out). */
  boolean append(ByteBuffer frame, int offset, int count) {
    int take = Math.min(count, MAX_BYTES - length);
    if (length + take > bytes.length) {
      int size = Math.max(MIN_CAPACITY, Math.max(bytes.length * 2, length + take));
      byte[] grown = new byte[Math.min(MAX_BYTES, size)];
      System.arraycopy(bytes, 0, grown, 0, length);
      bytes = grown;
    }
    frame.get(offset, bytes, length, take);
    length += take;
    return take == count;
  }

  boolean full() {
    return length >= MAX_BYTES;
  }

  /** A read-only view of the bytes so far. */
  ByteBuffer view() {
    return ByteBuffer.wrap(bytes, 0, length).slice().asReadOnlyBuffer();
  }

  void release() {
    bytes = null;
    length = 0;
  }
}
