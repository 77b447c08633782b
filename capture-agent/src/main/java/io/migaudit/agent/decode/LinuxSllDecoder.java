package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * Linux cooked capture v1, LINKTYPE_LINUX_SLL
 * (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html): packet type(2) ARPHRD type(2)
 * address length(2) address(8) protocol(2). The protocol field is an EtherType for the link types
 * that carry IP.
 */
final class LinuxSllDecoder {
  static final int HEADER_LENGTH = 16;
  private static final int OFFSET_ARPHRD_TYPE = 2;
  private static final int OFFSET_PROTOCOL = 14;

  /** ARPHRD_NETLINK: the protocol field is a netlink family, never an EtherType. */
  static final int ARPHRD_NETLINK = 824;

  private LinuxSllDecoder() {}

  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    out.addLayer(Layer.LINUX_SLL);
    if (end - offset < HEADER_LENGTH) {
      return DecodeIssue.SLL_TOO_SHORT;
    }
    if (Short.toUnsignedInt(frame.getShort(offset + OFFSET_ARPHRD_TYPE)) == ARPHRD_NETLINK) {
      return DecodeIssue.NOT_IP;
    }
    int protocol = Short.toUnsignedInt(frame.getShort(offset + OFFSET_PROTOCOL));
    return EthernetDecoder.decodeEtherType(
        protocol, frame, offset + HEADER_LENGTH, end, wireEnd, out);
  }
}
