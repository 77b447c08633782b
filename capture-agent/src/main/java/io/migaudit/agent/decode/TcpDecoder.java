package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/** TCP headers (RFC 9293 section 3.1): ports, data offset and the flags byte. */
final class TcpDecoder {
  static final int MIN_HEADER_LENGTH = 20;
  private static final int OFFSET_SOURCE_PORT = 0;
  private static final int OFFSET_DESTINATION_PORT = 2;
  private static final int OFFSET_DATA_OFFSET = 12;
  /** CWR ECE URG ACK PSH RST SYN FIN. */
  private static final int OFFSET_FLAGS = 13;
  /** Data offset counts 32-bit words in the high nibble. */
  private static final int DATA_OFFSET_UNIT = 4;

  private TcpDecoder() {}

  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < MIN_HEADER_LENGTH) {
      return DecodeIssue.TCP_TOO_SHORT;
    }
    int headerLength = (Byte.toUnsignedInt(frame.get(offset + OFFSET_DATA_OFFSET)) >>> 4) * DATA_OFFSET_UNIT;
    if (headerLength < MIN_HEADER_LENGTH || headerLength > wireEnd - offset) {
      return DecodeIssue.TCP_BAD_DATA_OFFSET;
    }
    if (headerLength > end - offset) {
      return DecodeIssue.TCP_TOO_SHORT; // options cut by the snap length
    }
    out.srcPort = Short.toUnsignedInt(frame.getShort(offset + OFFSET_SOURCE_PORT));
    out.dstPort = Short.toUnsignedInt(frame.getShort(offset + OFFSET_DESTINATION_PORT));
    out.tcpFlags = Byte.toUnsignedInt(frame.get(offset + OFFSET_FLAGS));
    TransportDecoder.payload(offset + headerLength, end, wireEnd, out);
    return DecodeIssue.NONE;
  }
}
