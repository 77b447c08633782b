package io.migaudit.agent.kerberos;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-made DER TGS-REQ messages (RFC 4120 §5.4.1) for the cases real clients never send. */
final class KdcRequests {
  private KdcRequests() {}

  /**
   * A TGS-REQ (UDP form, no length prefix) with padata, realm and, if given, an sname of these
   * parts.
   */
  static byte[] tgsRequest(String realm, String... snameParts) {
    byte[] body =
        concat(
            tlv(0xA0, tlv(0x03, new byte[] {0, 0x40, 0, 0, 0})),
            tlv(0xA2, tlv(0x1B, realm.getBytes(StandardCharsets.ISO_8859_1))),
            snameParts.length == 0 ? new byte[0] : tlv(0xA3, principal(snameParts)),
            tlv(0xA5, tlv(0x18, "20261123120000Z".getBytes(StandardCharsets.US_ASCII))));
    byte[] kdcReq =
        tlv(
            0x30,
            concat(
                tlv(0xA1, tlv(0x02, new byte[] {5})),
                tlv(0xA2, tlv(0x02, new byte[] {12})),
                tlv(
                    0xA3,
                    tlv(0x30, tlv(0x30, new byte[200]))), // stands for the AP-REQ with the TGT
                tlv(0xA4, tlv(0x30, body))));
    return tlv(0x6C, kdcReq);
  }

  private static byte[] principal(String... parts) {
    byte[][] strings = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      strings[i] = tlv(0x1B, parts[i].getBytes(StandardCharsets.ISO_8859_1));
    }
    return tlv(
        0x30, concat(tlv(0xA0, tlv(0x02, new byte[] {2})), tlv(0xA1, tlv(0x30, concat(strings)))));
  }

  static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xFF);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
