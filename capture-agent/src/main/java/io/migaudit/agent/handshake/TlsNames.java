package io.migaudit.agent.handshake;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Names of TLS protocol versions and cipher suites as IANA's "TLS Cipher Suites" registry spells
 * them. Covers the suites migration stacks (OpenSSL, GnuTLS, NSS, Schannel, BoringSSL) negotiate
 * and the weak families an audit must name; any other code reads "0xHHHH".
 */
final class TlsNames {
  /**
   * RFC 8701 GREASE values (0x0A0A, 0x1A1A, ... 0xFAFA): offered to keep peers honest, never
   * chosen.
   */
  private static final int GREASE_MASK = 0x0F0F;

  private static final int GREASE_PATTERN = 0x0A0A;
  private static final Map<Integer, String> SUITES = new HashMap<>();

  static {
    suite(0x0000, "TLS_NULL_WITH_NULL_NULL");
    suite(0x0001, "TLS_RSA_WITH_NULL_MD5");
    suite(0x0002, "TLS_RSA_WITH_NULL_SHA");
    suite(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5");
    suite(0x0004, "TLS_RSA_WITH_RC4_128_MD5");
    suite(0x0005, "TLS_RSA_WITH_RC4_128_SHA");
    suite(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA");
    suite(0x0009, "TLS_RSA_WITH_DES_CBC_SHA");
    suite(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    suite(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA");
    suite(0x002C, "TLS_PSK_WITH_NULL_SHA");
    suite(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA");
    suite(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
    suite(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA");
    suite(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA");
    suite(0x003B, "TLS_RSA_WITH_NULL_SHA256");
    suite(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256");
    suite(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256");
    suite(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256");
    suite(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256");
    suite(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256");
    suite(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384");
    suite(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
    suite(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
    suite(0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256");
    suite(0x00B0, "TLS_PSK_WITH_AES_128_CBC_SHA256");
    suite(0x00B1, "TLS_PSK_WITH_NULL_SHA256");
    suite(0x1301, "TLS_AES_128_GCM_SHA256");
    suite(0x1302, "TLS_AES_256_GCM_SHA384");
    suite(0x1303, "TLS_CHACHA20_POLY1305_SHA256");
    suite(0x1304, "TLS_AES_128_CCM_SHA256");
    suite(0x1305, "TLS_AES_128_CCM_8_SHA256");
    suite(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA");
    suite(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA");
    suite(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA");
    suite(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
    suite(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA");
    suite(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA");
    suite(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA");
    suite(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA");
    suite(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    suite(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
    suite(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256");
    suite(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384");
    suite(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");
    suite(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384");
    suite(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    suite(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    suite(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    suite(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    suite(0xC09C, "TLS_RSA_WITH_AES_128_CCM");
    suite(0xC09D, "TLS_RSA_WITH_AES_256_CCM");
    suite(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    suite(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    suite(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  }

  private TlsNames() {}

  private static void suite(int code, String name) {
    SUITES.put(code, name);
  }

  /** The suite's IANA name, or "0xHHHH". */
  static String cipherSuite(int code) {
    String name = SUITES.get(code);
    return name != null ? name : String.format(Locale.ROOT, "0x%04X", code);
  }

  /** "SSL 3.0", "TLS 1.0" ... "TLS 1.3", or "0xHHHH" for another code. */
  static String version(int code) {
    return switch (code) {
      case 0x0300 -> "SSL 3.0";
      case 0x0301 -> "TLS 1.0";
      case 0x0302 -> "TLS 1.1";
      case 0x0303 -> "TLS 1.2";
      case 0x0304 -> "TLS 1.3";
      default -> String.format(Locale.ROOT, "0x%04X", code);
    };
  }

  /** True for an RFC 8701 GREASE value, which says nothing about the peer's versions or suites. */
  static boolean grease(int code) {
    return (code & GREASE_MASK) == GREASE_PATTERN && (code >> 8) == (code & 0xFF);
  }
}
