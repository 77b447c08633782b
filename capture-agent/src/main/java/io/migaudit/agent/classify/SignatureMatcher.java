package io.migaudit.agent.classify;

import io.migaudit.record.Signature;

/**
 * Recognises a protocol or container from the first payload bytes of one direction
 * (docs/PROTOCOLS.md). A direction picked up mid-stream has no first bytes to match: only a TLS
 * record chain found in it names a protocol.
 */
public final class SignatureMatcher {
  // RFC 8446 5.1: ContentType change_cipher_spec(20)..application_data(23), legacy version 0x03
  // 0x0N.
  private static final int TLS_FIRST_CONTENT_TYPE = 0x14;
  private static final int TLS_LAST_CONTENT_TYPE = 0x17;
  private static final int TLS_MAJOR_VERSION = 0x03;
  private static final int TLS_MAX_MINOR_VERSION = 0x04;
  // RFC 8446 5.2: a record carries at most 2^14 + 256 bytes of ciphertext.
  private static final int TLS_MAX_RECORD_LENGTH = (1 << 14) + 256;
  private static final byte[] SSH_BANNER = {'S', 'S', 'H', '-'};
  // MS-SMB2 2.2.1 / 2.2.41 / 2.2.42: protocol ids after the 4-byte NetBIOS session header.
  private static final int NETBIOS_HEADER = 4;
  private static final int SMB2_PROTOCOL_ID = 0xFE;
  private static final int SMB3_TRANSFORM_ID = 0xFD;
  private static final int SMB3_COMPRESSION_ID = 0xFC;
  private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD};
  private static final byte[] LZ4_FRAME_MAGIC = {0x04, 0x22, 0x4D, 0x18};
  private static final byte[] GZIP_MAGIC = {0x1F, (byte) 0x8B, 0x08};
  // Reverse-engineered ESXi 6.0 plaintext vMotion stream start (docs/PROTOCOLS.md: a hint, not
  // proof).
  private static final byte[] VMOTION_START = {0, 0, 0, 0, 3, 0, 5, 0};

  private SignatureMatcher() {}

  public static Signature match(PayloadSample s) {
    if (s.midStream()) {
      return s.tlsFramingFound() ? Signature.TLS : Signature.NONE;
    }
    int n = s.headLength();
    if (n < 4) {
      return Signature.NONE;
    }
    if (isTlsRecord(s)) {
      return Signature.TLS;
    }
    if (startsWith(s, 0, SSH_BANNER)) {
      return Signature.SSH;
    }
    Signature migration = MigrationOpenings.match(s);
    if (migration != Signature.NONE) {
      return migration;
    }
    Signature relayed = s.relayedOpening();
    if (relayed != Signature.NONE) {
      return relayed;
    }
    Signature smb = smb(s);
    if (smb != Signature.NONE) {
      return smb;
    }
    if (startsWith(s, 0, VMOTION_START)) {
      return Signature.VMOTION;
    }
    if (PostcopyChannel.opensWithPage(s) || PostcopyChannel.opensWithResume(s)) {
      return Signature.QEMU_POSTCOPY;
    }
    return compression(s, 0);
  }

  /**
   * The signature of a connection: the initiator's first bytes, else the responder's, else a QEMU
   * postcopy channel that carried one end-of-section word and nothing else ({@link
   * PostcopyChannel#onlyEndOfSection}), which only the two directions together show.
   */
  public static Signature match(PayloadSample initiator, PayloadSample responder) {
    Signature s = match(initiator);
    if (s == Signature.NONE) {
      s = match(responder);
    }
    if (s == Signature.NONE && PostcopyChannel.onlyEndOfSection(initiator, responder)) {
      s = Signature.QEMU_POSTCOPY;
    }
    return s;
  }

  private static boolean isTlsRecord(PayloadSample s) {
    if (s.headLength() < 5) {
      return false;
    }
    int type = s.headByte(0);
    int length = (s.headByte(3) << 8) | s.headByte(4);
    return type >= TLS_FIRST_CONTENT_TYPE
        && type <= TLS_LAST_CONTENT_TYPE
        && s.headByte(1) == TLS_MAJOR_VERSION
        && s.headByte(2) <= TLS_MAX_MINOR_VERSION
        && length > 0
        && length <= TLS_MAX_RECORD_LENGTH;
  }

  private static Signature smb(PayloadSample s) {
    if (s.headLength() < NETBIOS_HEADER + 4 || s.headByte(0) != 0) {
      return Signature.NONE;
    }
    if (s.headByte(5) != 'S' || s.headByte(6) != 'M' || s.headByte(7) != 'B') {
      return Signature.NONE;
    }
    switch (s.headByte(NETBIOS_HEADER)) {
      case SMB2_PROTOCOL_ID:
        return Signature.SMB2;
      case SMB3_TRANSFORM_ID:
        return Signature.SMB3_ENCRYPTED;
      case SMB3_COMPRESSION_ID:
        return Signature.SMB3_COMPRESSED;
      default:
        return Signature.NONE;
    }
  }

  private static Signature compression(PayloadSample s, int at) {
    if (startsWith(s, at, ZSTD_MAGIC)) {
      return Signature.ZSTD;
    }
    if (startsWith(s, at, LZ4_FRAME_MAGIC)) {
      return Signature.LZ4;
    }
    if (startsWith(s, at, GZIP_MAGIC)) {
      return Signature.GZIP;
    }
    // RFC 1950 2.2: CM = 8 (deflate), CINFO <= 7, and (CMF * 256 + FLG) is a multiple of 31.
    int cmf = s.headByte(at);
    int flg = s.headByte(at + 1);
    if ((cmf & 0x0F) == 8
        && (cmf >>> 4) <= 7
        && ((cmf << 8) | flg) % 31 == 0
        && (flg & 0x20) == 0) {
      return cmf == 0x78 ? Signature.ZLIB : Signature.NONE;
    }
    return Signature.NONE;
  }

  private static boolean startsWith(PayloadSample s, int at, byte[] magic) {
    if (s.headLength() < at + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (s.headByte(at + i) != Byte.toUnsignedInt(magic[i])) {
        return false;
      }
    }
    return true;
  }
}
