package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * Linux cooked capture v2, LINKTYPE_LINUX_SLL2
 * (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html): protocol(2) reserved(2) interface
 * index(4) ARPHRD type(2) packet type(1) address length(1) address(8). The protocol field is an
 * EtherType for the link types that carry IP.
 */
final class LinuxSll2Decoder {
  static final int HEADER_LENGTH = 20;
  private static final int OFFSET_PROTOCOL = 0;
  private static final int OFFSET_ARPHRD_TYPE = 8;

  private LinuxSll2Decoder() {}

  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    out.addLayer(Layer.LINUX_SLL2);
    if (end - offset < HEADER_LENGTH) {
      return DecodeIssue.SLL_TOO_SHORT;
    }
    if (Short.toUnsignedInt(frame.getShort(offset + OFFSET_ARPHRD_TYPE))
        == LinuxSllDecoder.ARPHRD_NETLINK) {
      return DecodeIssue.NOT_IP;
    }
    int protocol = Short.toUnsignedInt(frame.getShort(offset + OFFSET_PROTOCOL));
    return EthernetDecoder.decodeEtherType(
        protocol, frame, offset + HEADER_LENGTH, end, wireEnd, out);
  }
}
