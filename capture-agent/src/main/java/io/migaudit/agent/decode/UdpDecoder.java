package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * UDP headers (RFC 768): ports; the payload's extent comes from the IP header, not from the UDP
 * length field, which BIG TCP/GSO senders leave at 0 or stale. Datagrams to the VXLAN and Geneve
 * ports go on to those tunnel decoders.
 */
final class UdpDecoder {
  static final int HEADER_LENGTH = 8;
  private static final int OFFSET_SOURCE_PORT = 0;
  private static final int OFFSET_DESTINATION_PORT = 2;

  private UdpDecoder() {}

  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < HEADER_LENGTH) {
      return DecodeIssue.UDP_TOO_SHORT;
    }
    out.srcPort = Short.toUnsignedInt(frame.getShort(offset + OFFSET_SOURCE_PORT));
    out.dstPort = Short.toUnsignedInt(frame.getShort(offset + OFFSET_DESTINATION_PORT));
    int payload = offset + HEADER_LENGTH;
    return switch (out.dstPort) {
      case VxlanDecoder.UDP_PORT -> VxlanDecoder.decode(frame, payload, end, wireEnd, out);
      case GeneveDecoder.UDP_PORT -> GeneveDecoder.decode(frame, payload, end, wireEnd, out);
      default -> {
        TransportDecoder.payload(payload, end, wireEnd, out);
        yield DecodeIssue.NONE;
      }
    };
  }
}
