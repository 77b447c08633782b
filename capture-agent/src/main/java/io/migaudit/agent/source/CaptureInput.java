package io.migaudit.agent.source;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.ZipException;

/**
 * The byte stream under a capture file reader: counts the offset, reads fixed headers into a block
 * buffer with the file's byte order, and reads frame bytes into one reused packet buffer. Both
 * buffers grow only as bytes actually arrive, so a length field that lies costs no memory beyond
 * what the file holds.
 */
final class CaptureInput implements Closeable {
  private static final int INITIAL_BLOCK_BYTES = 256;
  private static final int INITIAL_PACKET_BYTES = 2048;

  /** Largest step a buffer grows by before the bytes to fill it have arrived. */
  private static final int GROWTH_STEP_BYTES = 1 << 20;

  private static final int SKIP_BUFFER_BYTES = 8192;

  /**
   * Bytes read from the stream at a time. The reader keeps its own buffer rather than reading each
   * header and frame through {@code BufferedInputStream}, whose every read takes a lock. Every
   * worker reading a file reads all of it: reading a record and declining its frame cost 30.4-30.5
   * ns a frame with 64 KiB, 26.6-27.1 with 128 KiB (half the reads), 27.1-27.4 with 256 KiB and
   * 29.4-30.5 with 1 MiB, no longer in the core's cache ({@code tools/bench/SharedReadCost.java}).
   */
  static final int READ_AHEAD_BYTES = 1 << 17;

  private final InputStream in;
  private long offset;
  private boolean bigEndian;
  private byte[] block = new byte[INITIAL_BLOCK_BYTES];
  private byte[] packet = new byte[INITIAL_PACKET_BYTES];
  private ByteBuffer packetView = ByteBuffer.wrap(packet);
  private byte[] skipBuffer;
  private final byte[] ahead = new byte[READ_AHEAD_BYTES];

  /** A damaged compressed stream that {@link #peek} met, thrown by the next read. */
  private IOException deferred;

  private int aheadPos;
  private int aheadLimit;

  CaptureInput(InputStream in) {
    this.in = in;
  }

  /** Bytes consumed from the (uncompressed) capture so far. */
  long offset() {
    return offset;
  }

  void bigEndian(boolean value) {
    bigEndian = value;
  }

  boolean bigEndian() {
    return bigEndian;
  }

  /**
   * Reads up to {@code length} bytes into the block buffer at {@code at}.
   *
   * @return bytes read; fewer than asked only at the end of the input
   */
  int readBlock(int at, int length) throws IOException {
    int end = at + length;
    int pos = at;
    while (pos < end) {
      block = grow(block, pos, end);
      int chunk = Math.min(end, block.length) - pos;
      int n = fill(block, pos, chunk);
      pos += n;
      if (n < chunk) {
        break;
      }
    }
    return pos - at;
  }

  /**
   * Reads up to {@code length} frame bytes into the packet buffer at 0; fewer only at end of input.
   */
  int readPacket(int length) throws IOException {
    byte[] before = packet;
    int pos = 0;
    while (pos < length) {
      packet = grow(packet, pos, length);
      int chunk = Math.min(length, packet.length) - pos;
      int n = fill(packet, pos, chunk);
      pos += n;
      if (n < chunk) {
        break;
      }
    }
    if (packet != before) {
      packetView = ByteBuffer.wrap(packet);
    }
    return pos;
  }

  /**
   * The packet buffer's first {@code length} bytes: position 0, limit {@code length}, big-endian.
   */
  ByteBuffer packetView(int length) {
    packetView.clear();
    packetView.limit(length);
    return packetView;
  }

  /**
   * Makes the next {@code length} bytes contiguous in the read-ahead buffer ({@link #ahead()}) and
   * returns where they start there, without consuming them; -1 when they do not fit in it or the
   * input ends first (then read them with {@link #readPacket}).
   */
  int peek(int length) throws IOException {
    if (aheadLimit - aheadPos >= length) {
      return aheadPos;
    }
    if (length > ahead.length) {
      return -1;
    }
    System.arraycopy(ahead, aheadPos, ahead, 0, aheadLimit - aheadPos);
    aheadLimit -= aheadPos;
    aheadPos = 0;
    while (aheadLimit < length) {
      int n;
      try {
        n = in.read(ahead, aheadLimit, ahead.length - aheadLimit);
      } catch (EOFException | ZipException e) {
        deferred = e; // reported where a plain read would meet it, with the same offset
        return -1;
      }
      if (n < 0) {
        return -1;
      }
      aheadLimit += n;
    }
    return 0;
  }

  /** The packet buffer {@link #readPacket} fills. */
  byte[] packetArray() {
    return packet;
  }

  /** The read-ahead buffer {@link #peek} points into. */
  byte[] ahead() {
    return ahead;
  }

  /** Consumes {@code length} bytes that {@link #peek} made available. */
  void consume(int length) {
    aheadPos += length;
    offset += length;
  }

  /**
   * Skips up to {@code length} bytes; returns how many were skipped (fewer only at end of input).
   */
  long skip(long length) throws IOException {
    if (skipBuffer == null) {
      skipBuffer = new byte[SKIP_BUFFER_BYTES];
    }
    long skipped = 0;
    while (skipped < length) {
      int want = (int) Math.min(skipBuffer.length, length - skipped);
      int n = fill(skipBuffer, 0, want);
      skipped += n;
      if (n < want) {
        break;
      }
    }
    return skipped;
  }

  /** Unsigned 16-bit value at {@code at} in the block buffer, in the file's byte order. */
  int u16(int at) {
    int a = Byte.toUnsignedInt(block[at]);
    int b = Byte.toUnsignedInt(block[at + 1]);
    return bigEndian ? (a << 8) | b : (b << 8) | a;
  }

  /** 32-bit value at {@code at} in the block buffer, in the file's byte order. */
  int i32(int at) {
    int hi = u16(bigEndian ? at : at + 2);
    int lo = u16(bigEndian ? at + 2 : at);
    return (hi << 16) | lo;
  }

  /** Unsigned 32-bit value at {@code at} in the block buffer, in the file's byte order. */
  long u32(int at) {
    return Integer.toUnsignedLong(i32(at));
  }

  /** 64-bit value at {@code at} in the block buffer, in the file's byte order. */
  long i64(int at) {
    long first = u32(at);
    long second = u32(at + 4);
    return bigEndian ? (first << 32) | second : (second << 32) | first;
  }

  /** The raw byte at {@code at} in the block buffer. */
  int u8(int at) {
    return Byte.toUnsignedInt(block[at]);
  }

  /** The first four bytes of the block buffer as a big-endian value (for magic numbers). */
  int magic() {
    return (u8(0) << 24) | (u8(1) << 16) | (u8(2) << 8) | u8(3);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private int fill(byte[] into, int at, int length) throws IOException {
    int filled = 0;
    while (filled < length) {
      if (aheadPos == aheadLimit && !readAhead(filled)) {
        break;
      }
      int n = Math.min(length - filled, aheadLimit - aheadPos);
      System.arraycopy(ahead, aheadPos, into, at + filled, n);
      aheadPos += n;
      filled += n;
    }
    offset += filled;
    return filled;
  }

  /**
   * Refills the read-ahead buffer; false at the end of the input. {@code filled}: bytes of the
   * current read already taken, for the offset of a break.
   */
  private boolean readAhead(int filled) throws IOException {
    try {
      if (deferred != null) {
        IOException e = deferred;
        deferred = null;
        throw e;
      }
      int n = 0;
      while (n == 0) {
        n = in.read(ahead, 0, ahead.length);
      }
      if (n < 0) {
        return false;
      }
      aheadPos = 0;
      aheadLimit = n;
      return true;
    } catch (EOFException | ZipException e) {
      // only GZIPInputStream throws these mid-stream: the compressed file is cut or damaged
      offset += filled;
      throw CaptureBreak.compression(offset, String.valueOf(e.getMessage()));
    }
  }

  /**
   * Returns {@code buffer} when it has room past {@code pos}, else a copy grown towards {@code end}
   * (doubling, but never more than {@link #GROWTH_STEP_BYTES} past the bytes already read).
   */
  private static byte[] grow(byte[] buffer, int pos, int end) {
    if (end <= buffer.length || pos < buffer.length) {
      return buffer;
    }
    long doubled = Math.max((long) buffer.length * 2, INITIAL_PACKET_BYTES);
    int size = (int) Math.min(end, Math.min(doubled, (long) pos + GROWTH_STEP_BYTES));
    return Arrays.copyOf(buffer, size);
  }
}
