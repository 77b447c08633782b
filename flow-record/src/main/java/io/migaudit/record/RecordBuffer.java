package io.migaudit.record;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * The bytes of one JSON record: a growable array, emptied for the next (no locks, no block list).
 */
final class RecordBuffer extends OutputStream {
  /** A typical flow record is 700-900 bytes. */
  private static final int INITIAL_BYTES = 1024;

  private byte[] bytes = new byte[INITIAL_BYTES];
  private int length;

  @Override
  public void write(int b) {
    ensure(1);
    bytes[length++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, bytes, length, len);
    length += len;
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, length);
  }

  void reset() {
    length = 0;
  }
}
