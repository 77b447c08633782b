package io.migaudit.record;

/** What the first payload bytes of a flow look like (docs/PROTOCOLS.md, "Wrappers"). */
public enum Signature {
  TLS("tls"),
  SSH("ssh"),
  QEMU("qemu"),
  QEMU_MULTIFD("qemu-multifd"),
  /**
   * QEMU's postcopy channels without a stream header (docs/PROTOCOLS.md, "KVM / QEMU"): the preempt
   * channel (RAM page records, or one end-of-section word alone), and the main channel resumed by
   * postcopy recovery (a request for a RAM block's received-page bitmap).
   */
  QEMU_POSTCOPY("qemu-postcopy"),
  SMB2("smb2"),
  SMB3_ENCRYPTED("smb3-encrypted"),
  SMB3_COMPRESSED("smb3-compressed"),
  ESP("esp"),
  ZLIB("zlib"),
  GZIP("gzip"),
  ZSTD("zstd"),
  LZ4("lz4"),
  VMOTION("vmotion"),
  /** A Xen save/migration stream: libxl, libxc, xl or xend (docs/PROTOCOLS.md, "Xen"). */
  XEN("xen"),
  NONE("none");

  private final String wire;

  Signature(String wire) {
    this.wire = wire;
  }

  /**
   * The catalog protocol a migration stream with this signature belongs to ({@code qemu}, {@code
   * vmotion}, {@code xen}), or null when the signature names a wrapper or a container, not a
   * migration.
   */
  public String migrationProtocol() {
    return switch (this) {
      case QEMU, QEMU_MULTIFD, QEMU_POSTCOPY -> "qemu";
      case VMOTION -> "vmotion";
      case XEN -> "xen";
      default -> null;
    };
  }

  /** The lowercase name used in JSON. */
  public String wire() {
    return wire;
  }

  public static Signature fromWire(String s) {
    for (Signature v : values()) {
      if (v.wire.equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown signature: " + s);
  }
}
