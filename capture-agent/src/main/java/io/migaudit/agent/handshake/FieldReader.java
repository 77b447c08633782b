package io.migaudit.agent.handshake;

import java.nio.ByteBuffer;

/**
 * Reads length-prefixed fields of a buffer from its start with a bounds check before every read. A
 * read past the end sets {@link #failed()} and returns zero or an empty slice; it never throws, so
 * a decoder reads a whole structure and checks once.
 */
final class FieldReader {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
  private final ByteBuffer b;
  private int at;
  private boolean failed;

  FieldReader(ByteBuffer b) {
    this.b = b;
  }

  boolean failed() {
    return failed;
  }

  int remaining() {
    return failed ? 0 : b.limit() - at;
  }

  int position() {
    return at;
  }

  private boolean has(int n) {
    if (failed || n < 0 || b.limit() - at < n) {
      failed = true;
      return false;
    }
    return true;
  }

  int u8() {
    if (!has(1)) {
      return 0;
    }
    return Byte.toUnsignedInt(b.get(at++));
  }

  int u16() {
    if (!has(2)) {
      return 0;
    }
    int v = Short.toUnsignedInt(b.getShort(at));
    at += 2;
    return v;
  }

  int u24() {
    return (u8() << 16) | u16();
  }

  long u32() {
    if (!has(4)) {
      return 0;
    }
    long v = Integer.toUnsignedLong(b.getInt(at));
    at += 4;
    return v;
  }

  void skip(int n) {
    if (has(n)) {
      at += n;
    }
  }

  /** The next {@code n} bytes as a slice. */
  ByteBuffer slice(int n) {
    if (!has(n)) {
      return EMPTY;
    }
    ByteBuffer s = b.slice(at, n);
    at += n;
    return s;
  }

  ByteBuffer vector8() {
    return slice(u8());
  }

  ByteBuffer vector16() {
    return slice(u16());
  }

  ByteBuffer vector24() {
    return slice(u24());
  }
}
