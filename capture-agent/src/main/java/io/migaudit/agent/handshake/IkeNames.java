package io.migaudit.agent.handshake;

import java.util.Locale;
import java.util.Map;

/** Names of IKEv2 transform ids from IANA's "IKEv2 Parameters" registry (RFC 7296 §3.3.2). */
final class IkeNames {
  static final int TYPE_ENCR = 1;
  static final int TYPE_PRF = 2;
  static final int TYPE_INTEG = 3;
  static final int TYPE_DH = 4;
  private static final Map<Integer, String> ENCR =
      Map.ofEntries(
          Map.entry(2, "ENCR_DES"),
          Map.entry(3, "ENCR_3DES"),
          Map.entry(11, "ENCR_NULL"),
          Map.entry(12, "ENCR_AES_CBC"),
          Map.entry(13, "ENCR_AES_CTR"),
          Map.entry(18, "ENCR_AES_GCM_8"),
          Map.entry(19, "ENCR_AES_GCM_12"),
          Map.entry(20, "ENCR_AES_GCM_16"),
          Map.entry(21, "ENCR_NULL_AUTH_AES_GMAC"),
          Map.entry(28, "ENCR_CHACHA20_POLY1305"));
  private static final Map<Integer, String> PRF =
      Map.of(
          1,
          "PRF_HMAC_MD5",
          2,
          "PRF_HMAC_SHA1",
          5,
          "PRF_HMAC_SHA2_256",
          6,
          "PRF_HMAC_SHA2_384",
          7,
          "PRF_HMAC_SHA2_512");
  private static final Map<Integer, String> INTEG =
      Map.of(
          0,
          "NONE",
          1,
          "AUTH_HMAC_MD5_96",
          2,
          "AUTH_HMAC_SHA1_96",
          12,
          "AUTH_HMAC_SHA2_256_128",
          13,
          "AUTH_HMAC_SHA2_384_192",
          14,
          "AUTH_HMAC_SHA2_512_256");

  private IkeNames() {}

  /**
   * "ENCR_AES_CBC-256", "PRF_HMAC_SHA2_256", "AUTH_HMAC_SHA1_96", "DH_14", or "T1_#nn" when
   * unnamed.
   */
  static String transform(int type, int id, int keyBits) {
    String name =
        switch (type) {
          case TYPE_ENCR -> ENCR.get(id);
          case TYPE_PRF -> PRF.get(id);
          case TYPE_INTEG -> INTEG.get(id);
          case TYPE_DH -> "DH_" + id;
          default -> null;
        };
    if (name == null) {
      name = String.format(Locale.ROOT, "T%d_#%d", type, id);
    }
    return keyBits > 0 ? name + "-" + keyBits : name;
  }
}
