package io.migaudit.agent.handshake;

import java.nio.ByteBuffer;

/**
 * The first bytes of one direction's stream, kept only while its handshake is read: grows from
 * {@link #INITIAL_CAPACITY} to at most {@link #MAX_BYTES}, and {@link #release()} drops it.
 */
final class StreamPrefix {
  static final int INITIAL_CAPACITY = 2048;
  static final int MAX_BYTES = TlsHandshakeMessages.MAX_BYTES;
  private byte[] bytes = new byte[INITIAL_CAPACITY];
  private int length;

  /** Appends what fits; false when the prefix is full (bytes were left out). */
  boolean append(ByteBuffer frame, int offset, int count) {
    int take = Math.min(count, MAX_BYTES - length);
    if (length + take > bytes.length) {
      byte[] grown = new byte[Math.min(MAX_BYTES, Math.max(bytes.length * 2, length + take))];
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
