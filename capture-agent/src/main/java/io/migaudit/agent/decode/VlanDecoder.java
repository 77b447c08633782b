package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * Stacked IEEE 802.1Q / 802.1ad VLAN tags: TCI(2) + EtherType(2) each (802.1Q-2018 clause 9.6). The
 * innermost tag's VLAN id goes to {@link DecodedPacket#vlan} and is recorded as {@link Layer#VLAN};
 * every tag outside it is a {@link Layer#QINQ}, and the outermost one's id goes to {@link
 * DecodedPacket#outerVlan}. VLAN id 0 marks a priority-only tag (802.1Q clause 9.6, "null VLAN ID")
 * and leaves the id at {@link DecodedPacket#NO_VLAN}.
 */
final class VlanDecoder {
  static final int TAG_LENGTH = 4;
  private static final int OFFSET_NEXT_ETHERTYPE = 2;
  private static final int VLAN_ID_MASK = 0x0FFF;
  private static final int NULL_VLAN_ID = 0;

  /** Tags beyond this many are taken for a malformed (or hostile) frame. */
  static final int MAX_TAGS = 4;

  private VlanDecoder() {}

  /** Decodes the tags starting at {@code offset} (the EtherType before it was a tag type). */
  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    int pos = offset;
    for (int tag = 0; tag < MAX_TAGS; tag++) {
      if (end - pos < TAG_LENGTH) {
        return DecodeIssue.VLAN_TOO_SHORT;
      }
      int vlanId = Short.toUnsignedInt(frame.getShort(pos)) & VLAN_ID_MASK;
      int next = Short.toUnsignedInt(frame.getShort(pos + OFFSET_NEXT_ETHERTYPE));
      pos += TAG_LENGTH;
      int id = vlanId == NULL_VLAN_ID ? DecodedPacket.NO_VLAN : vlanId;
      if (EthernetDecoder.isVlanTag(next)) {
        out.addLayer(Layer.QINQ);
        if (tag == 0) {
          out.outerVlan = id;
        }
      } else {
        out.addLayer(Layer.VLAN);
        out.vlan = id;
        return EthernetDecoder.decodeEtherType(next, frame, pos, end, wireEnd, out);
      }
    }
    return DecodeIssue.VLAN_TOO_MANY_TAGS;
  }
}
