package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * TCP headers (RFC 9293 section 3.1): ports, sequence and acknowledgment numbers, data offset,
 * flags and window; on a SYN also the window scale option (RFC 7323 section 2.2), which tells how
 * far a receiver's window reaches. The checksum is not checked: captures on the sending host carry
 * unfinished checksums (offload), so it cannot tell a forged segment from a real one.
 */
final class TcpDecoder {
  static final int MIN_HEADER_LENGTH = 20;
  private static final int OFFSET_SOURCE_PORT = 0;
  private static final int OFFSET_DESTINATION_PORT = 2;
  private static final int OFFSET_SEQUENCE = 4;
  private static final int OFFSET_ACKNOWLEDGMENT = 8;
  private static final int OFFSET_DATA_OFFSET = 12;

  /** CWR ECE URG ACK PSH RST SYN FIN. */
  private static final int OFFSET_FLAGS = 13;

  private static final int OFFSET_WINDOW = 14;
  private static final int FLAG_SYN = 0x02;

  /** Data offset counts 32-bit words in the high nibble. */
  private static final int DATA_OFFSET_UNIT = 4;

  // RFC 9293 3.2 option kinds; RFC 7323 2.2: window scale is kind 3, length 3, shift at most 14.
  private static final int OPTION_END = 0;
  private static final int OPTION_NOP = 1;
  private static final int OPTION_WINDOW_SCALE = 3;
  private static final int WINDOW_SCALE_LENGTH = 3;
  private static final int MAX_WINDOW_SCALE = 14;

  private TcpDecoder() {}

  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < MIN_HEADER_LENGTH) {
      return DecodeIssue.TCP_TOO_SHORT;
    }
    int headerLength =
        (Byte.toUnsignedInt(frame.get(offset + OFFSET_DATA_OFFSET)) >>> 4) * DATA_OFFSET_UNIT;
    if (headerLength < MIN_HEADER_LENGTH || headerLength > wireEnd - offset) {
      return DecodeIssue.TCP_BAD_DATA_OFFSET;
    }
    if (headerLength > end - offset) {
      return DecodeIssue.TCP_TOO_SHORT; // options cut by the snap length
    }
    out.srcPort = Short.toUnsignedInt(frame.getShort(offset + OFFSET_SOURCE_PORT));
    out.dstPort = Short.toUnsignedInt(frame.getShort(offset + OFFSET_DESTINATION_PORT));
    out.tcpFlags = Byte.toUnsignedInt(frame.get(offset + OFFSET_FLAGS));
    out.tcpSeq = frame.getInt(offset + OFFSET_SEQUENCE);
    out.tcpAck = frame.getInt(offset + OFFSET_ACKNOWLEDGMENT);
    out.tcpWindow = Short.toUnsignedInt(frame.getShort(offset + OFFSET_WINDOW));
    out.tcpWindowScale =
        (out.tcpFlags & FLAG_SYN) == 0
            ? DecodedPacket.NO_WINDOW_SCALE
            : windowScale(frame, offset + MIN_HEADER_LENGTH, offset + headerLength);
    TransportDecoder.payload(offset + headerLength, end, wireEnd, out);
    return DecodeIssue.NONE;
  }

  /** The window scale option's shift among the options from {@code at} to {@code end}, if any. */
  private static int windowScale(ByteBuffer frame, int at, int end) {
    int i = at;
    while (i < end) {
      int kind = Byte.toUnsignedInt(frame.get(i));
      if (kind == OPTION_END) {
        break;
      }
      if (kind == OPTION_NOP) {
        i++;
        continue;
      }
      if (i + 1 >= end) {
        break;
      }
      int length = Byte.toUnsignedInt(frame.get(i + 1));
      if (length < 2 || i + length > end) {
        break; // a malformed option list: no scale is safer than a wrong one
      }
      if (kind == OPTION_WINDOW_SCALE && length == WINDOW_SCALE_LENGTH) {
        return Math.min(Byte.toUnsignedInt(frame.get(i + 2)), MAX_WINDOW_SCALE);
      }
      i += length;
    }
    return DecodedPacket.NO_WINDOW_SCALE;
  }
}
