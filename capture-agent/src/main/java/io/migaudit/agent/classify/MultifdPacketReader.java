package io.migaudit.agent.classify;

import java.nio.ByteBuffer;

/**
 * Follows one direction of a QEMU multifd channel from its first byte, packet header to packet
 * header, until a packet that carries pages says how they are compressed (QEMU
 * migration/multifd.h). A channel opens with {@code MultiFDInit_t} (64 bytes: magic 0x11223344,
 * version 1, UUID, channel id); then each RAM packet is a 320-byte header ({@code MultiFDPacket_t}:
 * magic, version, flags, pages_alloc, normal_pages, next_packet_size, ...), {@code pages_alloc}
 * 64-bit page offsets, and {@code next_packet_size} bytes of pages. The first packets are often
 * sync packets without pages, so the reader skips at most {@link #MAX_PACKETS} of them.
 *
 * <p>Payload must arrive in stream order (captures of one TCP connection without loss or
 * reordering); a header without the magic means the reader lost its place, and it stops with {@link
 * MultifdCompression#UNDECIDED}, leaving the verdict to the byte statistics.
 */
final class MultifdPacketReader {
  static final int MAGIC = 0x11223344;
  static final int VERSION = 1;

  /** sizeof(MultiFDInit_t). */
  static final int INIT_BYTES = 64;

  /** sizeof(MultiFDPacket_t) without its offset array (QEMU 2.12 to 10.x). */
  static final int PACKET_FIXED_BYTES = 320;

  /** Each entry of MultiFDPacket_t.offset[] is a uint64_t. */
  static final int OFFSET_BYTES = 8;

  /** magic, version, flags, pages_alloc, normal_pages, next_packet_size: six big-endian uint32. */
  private static final int FIELDS_BYTES = 24;

  private static final int FLAGS_AT = 8;
  private static final int PAGES_ALLOC_AT = 12;
  private static final int NORMAL_PAGES_AT = 16;
  private static final int NEXT_PACKET_SIZE_AT = 20;

  /** MULTIFD_FLAG_DEVICE_STATE: a device-state packet, laid out differently (QEMU 10.0+). */
  static final int FLAG_DEVICE_STATE = 32 << 1;

  /** 512 KiB packets of 4 KiB pages hold 128; a header claiming far more is not a header. */
  private static final long MAX_PAGES_ALLOC = 1 << 16;

  /** Packets without pages (sync packets) skipped before giving up. */
  static final int MAX_PACKETS = 8;

  private final byte[] fields = new byte[FIELDS_BYTES];
  private int filled;

  /**
   * Stream offset of the next header; the init message is a header at 0 with only magic and
   * version.
   */
  private long nextHeaderAt;

  private long position;
  private int packets;
  private boolean initRead;
  private boolean done;
  private MultifdCompression compression = MultifdCompression.UNDECIDED;

  /**
   * Feeds the next {@code length} bytes of the direction, at absolute {@code offset} of {@code
   * frame}.
   */
  void add(ByteBuffer frame, int offset, int length) {
    long start = position;
    position += length;
    int i = 0;
    while (!done && i < length) {
      long at = start + i;
      if (at < nextHeaderAt) {
        i += (int) Math.min(length - i, nextHeaderAt - at);
        continue;
      }
      int take = Math.min(FIELDS_BYTES - filled, length - i);
      for (int k = 0; k < take; k++) {
        fields[filled++] = frame.get(offset + i + k);
      }
      i += take;
      if (filled == FIELDS_BYTES || (!initRead && filled >= FLAGS_AT)) {
        readHeader();
      }
    }
  }

  MultifdCompression compression() {
    return compression;
  }

  private void readHeader() {
    if (u32(0) != MAGIC || u32(4) != VERSION) {
      done = true;
      return;
    }
    filled = 0;
    if (!initRead) {
      initRead = true;
      nextHeaderAt = INIT_BYTES;
      return;
    }
    long flags = u32(FLAGS_AT);
    long pagesAlloc = u32(PAGES_ALLOC_AT);
    MultifdCompression method = MultifdCompression.ofFlags(flags);
    if ((flags & FLAG_DEVICE_STATE) != 0 || pagesAlloc > MAX_PAGES_ALLOC) {
      done = true;
    } else if (method.compresses() || u32(NORMAL_PAGES_AT) > 0) {
      compression = method;
      done = true;
    } else if (++packets >= MAX_PACKETS) {
      done = true;
    } else {
      nextHeaderAt += PACKET_FIXED_BYTES + OFFSET_BYTES * pagesAlloc + u32(NEXT_PACKET_SIZE_AT);
    }
  }

  private long u32(int at) {
    return ((long) Byte.toUnsignedInt(fields[at]) << 24)
        | (Byte.toUnsignedInt(fields[at + 1]) << 16)
        | (Byte.toUnsignedInt(fields[at + 2]) << 8)
        | Byte.toUnsignedInt(fields[at + 3]);
  }
}
