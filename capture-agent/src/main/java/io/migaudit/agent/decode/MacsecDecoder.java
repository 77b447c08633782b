package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * MACsec frames (IEEE 802.1AE-2018 clause 9): after the source MAC, the SecTAG: EtherType 0x88E5,
 * the TCI/AN octet, the short length, a 4-octet packet number and, when the TCI's SC bit is set, an
 * 8-octet secure channel identifier; then the secure data and a 16-octet ICV. With the TCI's E and
 * C bits clear the frame is protected for integrity only (clause 9.5): the secure data is the
 * user's frame in clear, from its EtherType on, and its inner packet becomes the flow, recorded
 * behind a {@link Layer#MACSEC} layer. A frame whose E or C bit is set was encrypted (or changed)
 * and cannot be read: {@link DecodeIssue#MACSEC_ENCRYPTED}, counted, not malformed. A set V bit (a
 * SecTAG version this decoder does not know) is {@link DecodeIssue#MACSEC_BAD_TAG}.
 *
 * <p>The ICV trails the inner packet like Ethernet padding: the IP header's lengths end the packet
 * before it.
 */
final class MacsecDecoder {
  /** IEEE 802.1AE MACsec EtherType. */
  static final int ETHERTYPE_MACSEC = 0x88E5;

  /** TCI/AN(1) + SL(1) + PN(4), after the EtherType. */
  static final int TAG_LENGTH = 6;

  /** The secure channel identifier: the sender's MAC and a port number. */
  static final int SCI_LENGTH = 8;

  /** The EtherType of the user's frame, first in its secure data. */
  private static final int ETHERTYPE_LENGTH = 2;

  // TCI bits (802.1AE-2018 9.3): version, end station, SCI present, single copy broadcast,
  // encryption, changed text; the low two bits are the association number.
  static final int TCI_VERSION = 0x80;
  static final int TCI_SC = 0x20;
  static final int TCI_E = 0x08;
  static final int TCI_C = 0x04;

  private MacsecDecoder() {}

  /** Decodes the SecTAG starting at {@code offset}, just after its EtherType. */
  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < TAG_LENGTH) {
      return DecodeIssue.MACSEC_TOO_SHORT;
    }
    int tci = Byte.toUnsignedInt(frame.get(offset));
    if ((tci & TCI_VERSION) != 0) {
      return DecodeIssue.MACSEC_BAD_TAG;
    }
    if ((tci & (TCI_E | TCI_C)) != 0) {
      return DecodeIssue.MACSEC_ENCRYPTED;
    }
    int secureData = offset + TAG_LENGTH + ((tci & TCI_SC) != 0 ? SCI_LENGTH : 0);
    if (end - secureData < ETHERTYPE_LENGTH) {
      return DecodeIssue.MACSEC_TOO_SHORT;
    }
    // A SecTAG inside the secure data of another (or a chain of them) ends as too deep, not as a
    // recursion the frame's length bounds.
    if (!out.enterLayer(Layer.MACSEC)) {
      return DecodeIssue.TUNNEL_TOO_DEEP;
    }
    int etherType = Short.toUnsignedInt(frame.getShort(secureData));
    return EthernetDecoder.decodeEtherType(
        etherType, frame, secureData + ETHERTYPE_LENGTH, end, wireEnd, out);
  }
}
