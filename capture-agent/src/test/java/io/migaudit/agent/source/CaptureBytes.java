package io.migaudit.agent.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;

/**
 * Writes pcap and pcapng files byte by byte, in either byte order, for reader tests (and, classic
 * pcap of Ethernet frames, for the pipeline's tests in other packages).
 */
public final class CaptureBytes {
  public static final int LINKTYPE_ETHERNET = 1;
  static final int LINKTYPE_LINUX_SLL = 113;

  static final int BLOCK_SHB = 0x0A0D0D0A;
  static final int BLOCK_IDB = 1;
  static final int BLOCK_PB = 2;
  static final int BLOCK_SPB = 3;
  static final int BLOCK_EPB = 6;
  static final int BLOCK_NRB = 4;
  static final int BLOCK_ISB = 5;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private ByteOrder order;

  private CaptureBytes(ByteOrder order) {
    this.order = order;
  }

  /** A classic pcap file header. */
  public static CaptureBytes pcap(ByteOrder order, int magic, int snaplen, int linkType) {
    CaptureBytes c = new CaptureBytes(order);
    c.i32(magic).i16(2).i16(4).i32(0).i32(0).i32(snaplen).i32(linkType);
    return c;
  }

  /** A pcapng file starting with a Section Header Block. */
  static CaptureBytes pcapng(ByteOrder order) {
    return new CaptureBytes(order).shb(order, 1);
  }

  /** A classic pcap record. */
  public CaptureBytes record(long seconds, long fraction, byte[] data, int originalLength) {
    return i32((int) seconds).i32((int) fraction).i32(data.length).i32(originalLength).raw(data);
  }

  /** Starts a new section, possibly in another byte order. */
  CaptureBytes shb(ByteOrder sectionOrder, int major) {
    this.order = sectionOrder;
    ByteBuffer body = body(16);
    body.putInt(0x1A2B3C4D).putShort((short) major).putShort((short) 0).putLong(-1);
    return block(BLOCK_SHB, body);
  }

  /** An Interface Description Block; options are pre-encoded (see {@link #option}). */
  CaptureBytes idb(int linkType, int snaplen, byte[]... options) {
    int optionBytes = 0;
    for (byte[] o : options) {
      optionBytes += o.length;
    }
    ByteBuffer body = body(8 + optionBytes + (options.length > 0 ? 4 : 0));
    body.putShort((short) linkType).putShort((short) 0).putInt(snaplen);
    for (byte[] o : options) {
      body.put(o);
    }
    if (options.length > 0) {
      body.putInt(0); // opt_endofopt
    }
    return block(BLOCK_IDB, body);
  }

  /** One option, value padded to 32 bits, in the current section's byte order. */
  byte[] option(int code, byte[] value) {
    ByteBuffer b = ByteBuffer.allocate(4 + pad(value.length)).order(order);
    b.putShort((short) code).putShort((short) value.length).put(value);
    return b.array();
  }

  byte[] longValue(long value) {
    return ByteBuffer.allocate(8).order(order).putLong(value).array();
  }

  CaptureBytes epb(int interfaceId, long ticks, byte[] data, int originalLength) {
    ByteBuffer body = body(20 + pad(data.length));
    body.putInt(interfaceId)
        .putInt((int) (ticks >>> 32))
        .putInt((int) ticks)
        .putInt(data.length)
        .putInt(originalLength)
        .put(data);
    return block(BLOCK_EPB, body);
  }

  /** Obsolete Packet Block. */
  CaptureBytes pb(int interfaceId, long ticks, byte[] data, int originalLength) {
    ByteBuffer body = body(20 + pad(data.length));
    body.putShort((short) interfaceId)
        .putShort((short) 0)
        .putInt((int) (ticks >>> 32))
        .putInt((int) ticks)
        .putInt(data.length)
        .putInt(originalLength)
        .put(data);
    return block(BLOCK_PB, body);
  }

  CaptureBytes spb(byte[] data, int originalLength) {
    ByteBuffer body = body(4 + pad(data.length));
    body.putInt(originalLength).put(data);
    return block(BLOCK_SPB, body);
  }

  /** Any block: type, total length, body, trailing length. */
  CaptureBytes block(int type, ByteBuffer body) {
    int length = 12 + body.capacity();
    return i32(type).i32(length).raw(body.array()).i32(length);
  }

  ByteBuffer body(int length) {
    return ByteBuffer.allocate(length).order(order);
  }

  CaptureBytes i32(int v) {
    return raw(ByteBuffer.allocate(4).order(order).putInt(v).array());
  }

  CaptureBytes i16(int v) {
    return raw(ByteBuffer.allocate(2).order(order).putShort((short) v).array());
  }

  CaptureBytes raw(byte[] bytes) {
    out.write(bytes, 0, bytes.length);
    return this;
  }

  public byte[] bytes() {
    return out.toByteArray();
  }

  int size() {
    return out.size();
  }

  static int pad(int length) {
    return (length + 3) & ~3;
  }

  /** {@code n} bytes counting up from {@code first}. */
  static byte[] frame(int n, int first) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(buffer)) {
      gz.write(bytes);
    }
    return buffer.toByteArray();
  }
}
