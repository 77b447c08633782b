package io.migaudit.agent.source;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Classic libpcap files: a 24-byte file header, then records of a 16-byte header and the frame
 * (draft-ietf-opsawg-pcap, "File Header" and "Packet Record"). Handles both byte orders,
 * microsecond and nanosecond timestamps, and Alexey Kuznetzov's modified format with 24-byte record
 * headers.
 */
final class PcapReader implements CaptureReader {
  static final int MAGIC_MICROS = 0xA1B2C3D4;
  static final int MAGIC_NANOS = 0xA1B23C4D;

  /** libpcap's LINKTYPE-independent "modified" format (extra ifindex, protocol, pkt_type). */
  static final int MAGIC_MODIFIED = 0xA1B2CD34;

  /** The same magics as read from a file written in the other byte order. */
  static final int MAGIC_MICROS_SWAPPED = 0xD4C3B2A1;

  static final int MAGIC_NANOS_SWAPPED = 0x4D3CB2A1;
  static final int MAGIC_MODIFIED_SWAPPED = 0x34CDB2A1;

  /** File header: magic(4) major(2) minor(2) thiszone(4) sigfigs(4) snaplen(4) linktype(4). */
  static final int FILE_HEADER_LENGTH = 24;

  private static final int MAGIC_LENGTH = 4;
  private static final int OFFSET_VERSION_MAJOR = 4;
  private static final int OFFSET_SNAPLEN = 16;
  private static final int OFFSET_LINKTYPE = 20;

  /** The only major version libpcap writes; older ones are a different layout. */
  private static final int VERSION_MAJOR = 2;

  /** Link type in the low 16 bits; the high bits carry FCS information (draft, "LinkType"). */
  private static final int LINKTYPE_MASK = 0xFFFF;

  /** Record header: ts_sec(4) ts_usec-or-nsec(4) incl_len(4) orig_len(4). */
  private static final int RECORD_HEADER_LENGTH = 16;

  private static final int MODIFIED_RECORD_HEADER_LENGTH = 24;
  private static final int OFFSET_TS_SECONDS = 0;
  private static final int OFFSET_TS_FRACTION = 4;
  private static final int OFFSET_CAPTURED_LENGTH = 8;
  private static final int OFFSET_ORIGINAL_LENGTH = 12;

  /**
   * libpcap's MAXIMUM_SNAPLEN: records up to this size are accepted whatever the header's snaplen.
   */
  static final int DEFAULT_MAX_CAPTURED = 262_144;

  /** Beyond this a record length is a lie, whatever the header's snaplen says. */
  static final int MAX_CAPTURED = 256 << 20;

  private final CaptureInput input;
  private final boolean bigEndian;
  private final boolean nanos;
  private final int recordHeaderLength;
  private int linkType;
  private int maxCaptured;
  private long recordNumber;

  /**
   * Reads the rest of the file header; the magic number has been consumed.
   *
   * @throws CaptureFormatException for a version this reader does not know
   * @throws CaptureBreak when the file ends inside the header
   */
  PcapReader(CaptureInput input, String name, int magic, boolean bigEndian) throws IOException {
    this.input = input;
    this.nanos = magic == MAGIC_NANOS;
    this.recordHeaderLength =
        magic == MAGIC_MODIFIED ? MODIFIED_RECORD_HEADER_LENGTH : RECORD_HEADER_LENGTH;
    input.bigEndian(bigEndian);
    this.bigEndian = bigEndian;
    int rest = FILE_HEADER_LENGTH - MAGIC_LENGTH;
    int n = input.readBlock(MAGIC_LENGTH, rest);
    if (n < rest) {
      throw CaptureBreak.truncated("the pcap file header", 0, MAGIC_LENGTH + n, FILE_HEADER_LENGTH);
    }
    int major = input.u16(OFFSET_VERSION_MAJOR);
    if (major != VERSION_MAJOR) {
      throw new CaptureFormatException(
          name
              + ": unsupported pcap version "
              + major
              + "."
              + input.u16(OFFSET_VERSION_MAJOR + 2)
              + " (only 2.x is defined)");
    }
    long snaplen = input.u32(OFFSET_SNAPLEN);
    maxCaptured = (int) Math.min(MAX_CAPTURED, Math.max(snaplen, DEFAULT_MAX_CAPTURED));
    linkType = input.i32(OFFSET_LINKTYPE) & LINKTYPE_MASK;
  }

  private static final VarHandle INT_BIG =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_LITTLE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * Unsigned 32-bit value at {@code at} of {@code a} in the file's byte order: one load, not four
   * (every worker reading a file parses every record header).
   */
  private long u32(byte[] a, int at) {
    int v = bigEndian ? (int) INT_BIG.get(a, at) : (int) INT_LITTLE.get(a, at);
    return Integer.toUnsignedLong(v);
  }

  @Override
  public boolean next(CapturedPacket into) throws IOException {
    return next(into, null);
  }

  /**
   * Reads the next record; a frame {@code selector} (when not null) declines is skipped in the
   * read-ahead buffer without being copied out.
   */
  @Override
  public boolean next(CapturedPacket into, FrameSelector selector) throws IOException {
    long start = input.offset();
    long number = recordNumber + 1;
    long seconds;
    long fraction;
    long captured;
    long original;
    int header = input.peek(recordHeaderLength);
    if (header >= 0) { // the usual case: read in place, no copy
      byte[] a = input.ahead();
      seconds = u32(a, header + OFFSET_TS_SECONDS);
      fraction = u32(a, header + OFFSET_TS_FRACTION);
      captured = u32(a, header + OFFSET_CAPTURED_LENGTH);
      original = u32(a, header + OFFSET_ORIGINAL_LENGTH);
      input.consume(recordHeaderLength);
    } else {
      int n = input.readBlock(0, recordHeaderLength);
      if (n == 0) {
        return false;
      }
      if (n < recordHeaderLength) {
        throw CaptureBreak.truncated(
            "the header of packet record " + number, start, n, recordHeaderLength);
      }
      seconds = input.u32(OFFSET_TS_SECONDS);
      fraction = input.u32(OFFSET_TS_FRACTION);
      captured = input.u32(OFFSET_CAPTURED_LENGTH);
      original = input.u32(OFFSET_ORIGINAL_LENGTH);
    }
    if (captured > maxCaptured) {
      throw CaptureBreak.corrupt(
          "packet record " + number,
          start,
          "captured length " + captured + " exceeds the limit of " + maxCaptured + " bytes");
    }
    int length = (int) captured;
    into.timestampMicros = seconds * 1_000_000L + (nanos ? fraction / 1_000 : fraction);
    into.linkType = linkType;
    into.originalLength = (int) Math.min(Integer.MAX_VALUE, Math.max(original, captured));
    into.skipped = false;
    int at = selector == null ? -1 : input.peek(length);
    if (at >= 0 && !selector.select(linkType, input.ahead(), at, length)) {
      input.consume(length);
      recordNumber = number;
      into.skipped = true;
      into.skippedLength = length;
      return true;
    }
    int read = input.readPacket(length);
    if (read < length) {
      throw CaptureBreak.truncated("packet record " + number, start, read, length);
    }
    recordNumber = number;
    into.data = input.packetView(length);
    if (at < 0 && selector != null) {
      // too long for the read-ahead buffer, or cut: asked once the frame is copied out
      into.skipped = !selector.select(linkType, input.packetArray(), 0, length);
      into.skippedLength = length;
    }
    return true;
  }
}
