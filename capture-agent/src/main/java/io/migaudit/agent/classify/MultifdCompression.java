package io.migaudit.agent.classify;

/**
 * The compression method a QEMU multifd channel's packets declare in their flags (QEMU
 * migration/multifd.h, {@code MULTIFD_FLAG_*}: bits 1-5 of the packet flags).
 */
public enum MultifdCompression {
  /** No page-carrying packet read yet (or the stream could not be followed). */
  UNDECIDED("undecided", 0),
  /** {@code MULTIFD_FLAG_NOCOMP}: guest pages travel as they are in memory. */
  NONE("none", 0),
  ZLIB("zlib", 1 << 1),
  ZSTD("zstd", 2 << 1),
  QPL("qpl", 4 << 1),
  UADK("uadk", 8 << 1),
  QATZIP("qatzip", 16 << 1),
  /** A compression bit this list does not know: still compression, not encryption. */
  OTHER("other", 0);

  /**
   * {@code MULTIFD_FLAG_COMPRESSION_MASK}: the bits reserved for the method (QEMU 9.2 and later).
   */
  static final int FLAG_MASK = 0x1F << 1;

  private final String wire;
  private final int flag;

  MultifdCompression(String wire, int flag) {
    this.wire = wire;
    this.flag = flag;
  }

  /** Lowercase name used in verdict reasons. */
  public String wire() {
    return wire;
  }

  /** The method named by a packet's flags, or {@link #NONE} if they name none. */
  static MultifdCompression ofFlags(long flags) {
    int bits = (int) (flags & FLAG_MASK);
    if (bits == 0) {
      return NONE;
    }
    for (MultifdCompression c : values()) {
      if (c.flag == bits) {
        return c;
      }
    }
    return OTHER;
  }

  /** True for a method that compresses the pages. */
  public boolean compresses() {
    return this != UNDECIDED && this != NONE;
  }
}
