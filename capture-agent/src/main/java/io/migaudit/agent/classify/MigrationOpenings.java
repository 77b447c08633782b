package io.migaudit.agent.classify;

import io.migaudit.record.Signature;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntUnaryOperator;

/**
 * The first bytes of the migration streams that make a TCP connection a migration whoever its hosts
 * are and whatever its port (the analyzer's {@code MigrationDetector.SIGNATURES_ANYWHERE}): QEMU's
 * main and multifd channels and Xen's save streams (docs/PROTOCOLS.md). One list for the records'
 * signatures ({@link SignatureMatcher}), the live capture's kernel filter, which passes the
 * segments that open such a stream, and the live agent, which then follows the connection.
 */
public final class MigrationOpenings {
  // QEMU migration/savevm.c: QEMU_VM_FILE_MAGIC, and migration/multifd.c: MULTIFD_MAGIC.
  private static final byte[] QEMU_MAGIC = {'Q', 'E', 'V', 'M'};
  private static final byte[] QEMU_MULTIFD_MAGIC = {0x11, 0x22, 0x33, 0x44};
  // Xen save and migration streams (docs/PROTOCOLS.md, "Xen"), from the xen-project sources:
  // libxl's stream header (ident "LibxlFmt", docs/specs/libxl-migration-stream), libxc's image
  // header (a marker of eight 0xFF bytes, then id "XENF"; libxc-migration-stream), xl's save-file
  // header, which `xl migrate` sends, and its receiver's banner, which the other side sends first;
  // xend's relocation request ("receive\n") followed by its guest record (XendCheckpoint).
  private static final byte[] LIBXL_IDENT = ascii("LibxlFmt");
  private static final byte[] LIBXC_MARKER = {-1, -1, -1, -1, -1, -1, -1, -1};
  private static final byte[] LIBXC_ID = ascii("XENF");
  private static final byte[] XL_SAVE_HEADER = ascii("Xen saved domain, xl format\n");
  private static final byte[] XL_RECEIVER_BANNER = ascii("xl migration receiver ready");
  private static final byte[] XEND_RELOCATION = ascii("receive\n");
  private static final byte[] XEND_GUEST_RECORD = ascii("LinuxGuestRecord");

  /** The first four bytes of every opening above, big-endian. */
  private static final int[] FIRST_WORDS = {
    word(QEMU_MAGIC),
    word(QEMU_MULTIFD_MAGIC),
    word(LIBXL_IDENT),
    word(LIBXC_MARKER),
    word(XL_SAVE_HEADER),
    word(XL_RECEIVER_BANNER),
    word(XEND_RELOCATION),
    word(XEND_GUEST_RECORD)
  };

  private MigrationOpenings() {}

  /** The first four bytes, big-endian, of each opening: what a kernel filter can compare. */
  public static int[] firstWords() {
    return FIRST_WORDS.clone();
  }

  /** True when {@code word} (a payload's first four bytes, big-endian) may open one. */
  public static boolean mayOpen(int word) {
    for (int w : FIRST_WORDS) {
      if (w == word) {
        return true;
      }
    }
    return false;
  }

  /**
   * The stream that {@code length} bytes of {@code frame} at {@code offset} open ({@link
   * Signature#QEMU}, {@link Signature#QEMU_MULTIFD} or {@link Signature#XEN}), else {@link
   * Signature#NONE}.
   */
  public static Signature match(ByteBuffer frame, int offset, int length) {
    return match(length, i -> Byte.toUnsignedInt(frame.get(offset + i)));
  }

  /** As {@link #match(ByteBuffer, int, int)}, for the first {@code length} bytes of {@code b}. */
  static Signature match(byte[] b, int length) {
    return match(length, i -> Byte.toUnsignedInt(b[i]));
  }

  /** As {@link #match(ByteBuffer, int, int)}, for the first bytes a payload sample kept. */
  static Signature match(PayloadSample s) {
    return match(s.headLength(), s::headByte);
  }

  private static Signature match(int length, IntUnaryOperator byteAt) {
    if (startsWith(length, byteAt, 0, QEMU_MAGIC)) {
      return Signature.QEMU;
    }
    if (startsWith(length, byteAt, 0, QEMU_MULTIFD_MAGIC)) {
      return Signature.QEMU_MULTIFD;
    }
    boolean xen =
        startsWith(length, byteAt, 0, LIBXL_IDENT)
            || (startsWith(length, byteAt, 0, LIBXC_MARKER)
                && startsWith(length, byteAt, LIBXC_MARKER.length, LIBXC_ID))
            || startsWith(length, byteAt, 0, XL_SAVE_HEADER)
            || startsWith(length, byteAt, 0, XL_RECEIVER_BANNER)
            || startsWith(length, byteAt, 0, XEND_GUEST_RECORD)
            || (startsWith(length, byteAt, 0, XEND_RELOCATION)
                && startsWith(length, byteAt, XEND_RELOCATION.length, XEND_GUEST_RECORD));
    return xen ? Signature.XEN : Signature.NONE;
  }

  private static boolean startsWith(int length, IntUnaryOperator byteAt, int at, byte[] magic) {
    if (length < at + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (byteAt.applyAsInt(at + i) != Byte.toUnsignedInt(magic[i])) {
        return false;
      }
    }
    return true;
  }

  private static int word(byte[] magic) {
    return ByteBuffer.wrap(magic, 0, Integer.BYTES).getInt();
  }

  private static byte[] ascii(String magic) {
    return magic.getBytes(StandardCharsets.US_ASCII);
  }
}
