package io.migaudit.agent.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng files (draft-ietf-opsawg-pcapng): sections in either byte order, Interface Description
 * Blocks with their link type and timestamp resolution, and the three packet blocks (Enhanced,
 * Simple, obsolete Packet Block). Every other block is skipped by its length. Lengths are checked
 * against the block before any read; a block that lies ends the file as corrupt.
 */
final class PcapngReader implements CaptureReader {
  // Block types, draft section 11.1 ("Block Type Codes").
  static final int BLOCK_SECTION_HEADER = 0x0A0D0D0A;
  private static final int BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
  private static final int BLOCK_PACKET = 0x00000002;
  private static final int BLOCK_SIMPLE_PACKET = 0x00000003;
  private static final int BLOCK_ENHANCED_PACKET = 0x00000006;

  /** Section Header Block byte-order magic, as read big-endian when the section is big-endian. */
  private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

  private static final int BYTE_ORDER_MAGIC_SWAPPED = 0x4D3C2B1A;
  private static final int VERSION_MAJOR = 1;

  // General block structure (section 3.1): type(4) total length(4) body trailing length(4).
  private static final int OFFSET_BLOCK_LENGTH = 4;
  private static final int BLOCK_HEADER_LENGTH = 8;
  private static final int BLOCK_TRAILER_LENGTH = 4;
  private static final int MIN_BLOCK_LENGTH = BLOCK_HEADER_LENGTH + BLOCK_TRAILER_LENGTH;
  private static final int BLOCK_ALIGNMENT = 4;

  /** A block longer than this is taken for a lie rather than allocated. */
  static final long MAX_BLOCK_LENGTH = 256L << 20;

  // Section Header Block (4.1): byte-order magic(4) major(2) minor(2) section length(8) options.
  private static final int OFFSET_BYTE_ORDER_MAGIC = 8;
  private static final int OFFSET_SHB_MAJOR = 12;
  private static final int MIN_SHB_LENGTH = 28;

  // Interface Description Block (4.2): linktype(2) reserved(2) snaplen(4) options.
  private static final int OFFSET_IDB_LINKTYPE = 8;
  private static final int OFFSET_IDB_SNAPLEN = 12;
  private static final int OFFSET_IDB_OPTIONS = 16;
  private static final int MIN_IDB_LENGTH = 20;
  private static final int MAX_INTERFACES = 1 << 16;

  // Enhanced Packet Block (4.3): interface id(4) ts high(4) ts low(4) caplen(4) origlen(4) data.
  // Packet Block (obsolete, appendix A): interface id(2) drops(2), then the same fields.
  private static final int OFFSET_PACKET_INTERFACE = 8;
  private static final int OFFSET_PACKET_TS_HIGH = 12;
  private static final int OFFSET_PACKET_TS_LOW = 16;
  private static final int OFFSET_PACKET_CAPLEN = 20;
  private static final int OFFSET_PACKET_ORIGLEN = 24;
  private static final int PACKET_FIXED_LENGTH = 20;
  private static final int MIN_PACKET_BLOCK_LENGTH = 32;

  // Simple Packet Block (4.4): original length(4) data.
  private static final int OFFSET_SPB_ORIGLEN = 8;
  private static final int SPB_FIXED_LENGTH = 4;
  private static final int MIN_SPB_LENGTH = 16;

  private final CaptureInput input;
  private final List<PcapngInterface> interfaces = new ArrayList<>();
  private long blockNumber;
  private long lastMicros;

  /**
   * Reads the rest of the first Section Header Block; its 4-byte type has been consumed.
   *
   * @throws CaptureFormatException for a bad byte-order magic or an unknown major version
   * @throws CaptureBreak when the file ends inside that block
   */
  PcapngReader(CaptureInput input, String name) throws IOException {
    this.input = input;
    blockNumber = 1;
    int n = input.readBlock(OFFSET_BLOCK_LENGTH, BLOCK_HEADER_LENGTH - OFFSET_BLOCK_LENGTH);
    if (n < BLOCK_HEADER_LENGTH - OFFSET_BLOCK_LENGTH) {
      throw CaptureBreak.truncated(
          describe(1, BLOCK_SECTION_HEADER), 0, input.offset(), MIN_SHB_LENGTH);
    }
    readSectionHeader(0, name);
  }

  @Override
  public boolean next(CapturedPacket into) throws IOException {
    while (true) {
      long start = input.offset();
      int n = input.readBlock(0, BLOCK_HEADER_LENGTH);
      if (n == 0) {
        return false;
      }
      blockNumber++;
      if (n < BLOCK_HEADER_LENGTH) {
        throw CaptureBreak.truncated(
            "the header of block " + blockNumber, start, n, BLOCK_HEADER_LENGTH);
      }
      int type = input.i32(0);
      switch (type) {
        case BLOCK_SECTION_HEADER -> readSectionHeader(start, null);
        case BLOCK_INTERFACE_DESCRIPTION -> readInterface(start);
        case BLOCK_ENHANCED_PACKET, BLOCK_PACKET -> {
          readPacket(start, type, into);
          return true;
        }
        case BLOCK_SIMPLE_PACKET -> {
          readSimplePacket(start, into);
          return true;
        }
        default -> skipBlock(start, type);
      }
    }
  }

  /**
   * Reads a Section Header Block whose first 8 bytes are in the block buffer; name is set for the
   * first.
   */
  private void readSectionHeader(long start, String firstName) throws IOException {
    int n = input.readBlock(OFFSET_BYTE_ORDER_MAGIC, 4);
    if (n < 4) {
      throw truncated(start, BLOCK_SECTION_HEADER, MIN_SHB_LENGTH);
    }
    int order = (input.u8(8) << 24) | (input.u8(9) << 16) | (input.u8(10) << 8) | input.u8(11);
    if (order != BYTE_ORDER_MAGIC && order != BYTE_ORDER_MAGIC_SWAPPED) {
      String why =
          String.format("byte-order magic 0x%08x is neither 0x1a2b3c4d nor 0x4d3c2b1a", order);
      if (firstName != null) {
        throw new CaptureFormatException(firstName + ": not a pcapng file (" + why + ")");
      }
      throw CaptureBreak.corrupt(describe(blockNumber, BLOCK_SECTION_HEADER), start, why);
    }
    input.bigEndian(order == BYTE_ORDER_MAGIC);
    long length = checkedLength(start, BLOCK_SECTION_HEADER, MIN_SHB_LENGTH);
    readRest(start, BLOCK_SECTION_HEADER, OFFSET_BYTE_ORDER_MAGIC + 4, length);
    int major = input.u16(OFFSET_SHB_MAJOR);
    if (major != VERSION_MAJOR) {
      String why = "unsupported pcapng version " + major + "." + input.u16(OFFSET_SHB_MAJOR + 2);
      if (firstName != null) {
        throw new CaptureFormatException(firstName + ": " + why);
      }
      throw CaptureBreak.corrupt(describe(blockNumber, BLOCK_SECTION_HEADER), start, why);
    }
    checkTrailer(start, BLOCK_SECTION_HEADER, length, (int) length - BLOCK_TRAILER_LENGTH);
    interfaces.clear();
  }

  private void readInterface(long start) throws IOException {
    long length = checkedLength(start, BLOCK_INTERFACE_DESCRIPTION, MIN_IDB_LENGTH);
    readRest(start, BLOCK_INTERFACE_DESCRIPTION, BLOCK_HEADER_LENGTH, length);
    int optionsEnd = (int) length - BLOCK_TRAILER_LENGTH;
    checkTrailer(start, BLOCK_INTERFACE_DESCRIPTION, length, optionsEnd);
    if (interfaces.size() >= MAX_INTERFACES) {
      throw CaptureBreak.corrupt(
          describe(blockNumber, BLOCK_INTERFACE_DESCRIPTION),
          start,
          "more than " + MAX_INTERFACES + " interfaces in one section");
    }
    interfaces.add(
        PcapngInterface.read(
            input, OFFSET_IDB_LINKTYPE, OFFSET_IDB_SNAPLEN, OFFSET_IDB_OPTIONS, optionsEnd));
  }

  /**
   * Enhanced Packet Block or the obsolete Packet Block: same fields, 32- or 16-bit interface id.
   */
  private void readPacket(long start, int type, CapturedPacket into) throws IOException {
    long length = checkedLength(start, type, MIN_PACKET_BLOCK_LENGTH);
    if (input.readBlock(BLOCK_HEADER_LENGTH, PACKET_FIXED_LENGTH) < PACKET_FIXED_LENGTH) {
      throw truncated(start, type, length);
    }
    long interfaceId =
        type == BLOCK_ENHANCED_PACKET
            ? input.u32(OFFSET_PACKET_INTERFACE)
            : input.u16(OFFSET_PACKET_INTERFACE);
    long ticks = (input.u32(OFFSET_PACKET_TS_HIGH) << 32) | input.u32(OFFSET_PACKET_TS_LOW);
    long captured = input.u32(OFFSET_PACKET_CAPLEN);
    long original = input.u32(OFFSET_PACKET_ORIGLEN);
    long room = length - MIN_PACKET_BLOCK_LENGTH;
    if (captured > room) {
      throw CaptureBreak.corrupt(
          describe(blockNumber, type),
          start,
          "captured length " + captured + " exceeds the block's room of " + room + " bytes");
    }
    if (interfaceId >= interfaces.size()) {
      throw CaptureBreak.corrupt(
          describe(blockNumber, type),
          start,
          "refers to interface " + interfaceId + " but the section describes " + interfaces.size());
    }
    PcapngInterface iface = interfaces.get((int) interfaceId);
    readFrame(start, type, length, (int) captured, room - captured);
    lastMicros = iface.toMicros(ticks);
    fill(into, iface, original, (int) captured);
  }

  private void readSimplePacket(long start, CapturedPacket into) throws IOException {
    long length = checkedLength(start, BLOCK_SIMPLE_PACKET, MIN_SPB_LENGTH);
    if (input.readBlock(BLOCK_HEADER_LENGTH, SPB_FIXED_LENGTH) < SPB_FIXED_LENGTH) {
      throw truncated(start, BLOCK_SIMPLE_PACKET, length);
    }
    if (interfaces.isEmpty()) {
      throw CaptureBreak.corrupt(
          describe(blockNumber, BLOCK_SIMPLE_PACKET),
          start,
          "no Interface Description Block precedes it");
    }
    PcapngInterface iface = interfaces.get(0);
    long original = input.u32(OFFSET_SPB_ORIGLEN);
    long room = length - MIN_SPB_LENGTH;
    long captured = Math.min(original, room);
    if (iface.snapLength() > 0) {
      captured = Math.min(captured, iface.snapLength());
    }
    readFrame(start, BLOCK_SIMPLE_PACKET, length, (int) captured, room - captured);
    // a Simple Packet Block has no timestamp: keep time flowing from the previous packet
    fill(into, iface, original, (int) captured);
  }

  private void readFrame(long start, int type, long length, int captured, long padding)
      throws IOException {
    if (input.readPacket(captured) < captured || input.skip(padding) < padding) {
      throw truncated(start, type, length);
    }
    checkTrailer(start, type, length, -1);
  }

  private void fill(CapturedPacket into, PcapngInterface iface, long original, int captured) {
    into.timestampMicros = lastMicros;
    into.linkType = iface.linkType();
    into.originalLength = (int) Math.min(Integer.MAX_VALUE, Math.max(original, captured));
    into.data = input.packetView(captured);
  }

  private void skipBlock(long start, int type) throws IOException {
    long length = checkedLength(start, type, MIN_BLOCK_LENGTH);
    long body = length - MIN_BLOCK_LENGTH;
    if (input.skip(body) < body) {
      throw truncated(start, type, length);
    }
    checkTrailer(start, type, length, -1);
  }

  /**
   * The block's total length, checked against the minimum for its type, the maximum and alignment.
   */
  private long checkedLength(long start, int type, int minimum) throws CaptureBreak {
    long length = input.u32(OFFSET_BLOCK_LENGTH);
    String why = null;
    if (length < minimum) {
      why = "block length " + length + " is below the minimum of " + minimum;
    } else if (length > MAX_BLOCK_LENGTH) {
      why = "block length " + length + " exceeds the limit of " + MAX_BLOCK_LENGTH;
    } else if (length % BLOCK_ALIGNMENT != 0) {
      why = "block length " + length + " is not a multiple of " + BLOCK_ALIGNMENT;
    }
    if (why != null) {
      throw CaptureBreak.corrupt(describe(blockNumber, type), start, why);
    }
    return length;
  }

  /** Reads the block from {@code from} to its end (trailer included) into the block buffer. */
  private void readRest(long start, int type, int from, long length) throws IOException {
    int rest = (int) length - from;
    if (input.readBlock(from, rest) < rest) {
      throw truncated(start, type, length);
    }
  }

  /**
   * Checks the trailing length at {@code at} in the block buffer, or reads it first when {@code at
   * < 0}.
   */
  private void checkTrailer(long start, int type, long length, int at) throws IOException {
    int pos = at;
    if (pos < 0) {
      pos = 0;
      if (input.readBlock(0, BLOCK_TRAILER_LENGTH) < BLOCK_TRAILER_LENGTH) {
        throw truncated(start, type, length);
      }
    }
    long trailer = input.u32(pos);
    if (trailer != length) {
      throw CaptureBreak.corrupt(
          describe(blockNumber, type),
          start,
          "trailing block length " + trailer + " differs from the leading " + length);
    }
  }

  private CaptureBreak truncated(long start, int type, long expected) {
    return CaptureBreak.truncated(
        describe(blockNumber, type), start, input.offset() - start, expected);
  }

  static String describe(long number, int type) {
    String kind =
        switch (type) {
          case BLOCK_SECTION_HEADER -> "Section Header Block";
          case BLOCK_INTERFACE_DESCRIPTION -> "Interface Description Block";
          case BLOCK_PACKET -> "Packet Block";
          case BLOCK_SIMPLE_PACKET -> "Simple Packet Block";
          case BLOCK_ENHANCED_PACKET -> "Enhanced Packet Block";
          default -> String.format("block type 0x%08x", type);
        };
    return "block " + number + " (" + kind + ")";
  }
}
