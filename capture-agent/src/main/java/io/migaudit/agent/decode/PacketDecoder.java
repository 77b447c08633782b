package io.migaudit.agent.decode;

import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Entry point of the decode stage: picks the link-layer decoder by the frame's link type and lets
 * each layer hand its payload to the next. Stateless and allocation-free: the same instance may
 * decode every frame of a pipeline into one reused {@link DecodedPacket}.
 *
 * <p>Each layer decoder takes the frame and three positions in it: where its header starts, where
 * the captured bytes of its packet end, and where they end on the wire (past the capture when the
 * snap length cut the frame). Tunnel decoders (GRE, ERSPAN, VXLAN, Geneve) recurse into {@link
 * EthernetDecoder} or the IP decoders with the inner positions, so a mirrored or overlay frame
 * decodes to its inner packet; {@link DecodedPacket#MAX_LAYERS} bounds that recursion.
 */
public final class PacketDecoder {
  // LINKTYPE_* values, https://www.tcpdump.org/linktypes.html
  public static final int LINKTYPE_NULL = 0;
  public static final int LINKTYPE_ETHERNET = 1;

  /** DLT_RAW as written by most BSDs and older libpcap. */
  public static final int LINKTYPE_RAW_DLT12 = 12;

  /** DLT_RAW as written on OpenBSD. */
  public static final int LINKTYPE_RAW_DLT14 = 14;

  public static final int LINKTYPE_RAW = 101;
  public static final int LINKTYPE_LOOP = 108;
  public static final int LINKTYPE_LINUX_SLL = 113;
  public static final int LINKTYPE_IPV4 = 228;
  public static final int LINKTYPE_IPV6 = 229;
  public static final int LINKTYPE_LINUX_SLL2 = 276;

  /**
   * Decodes one frame. {@code out} is reset first; on {@link DecodeIssue#NONE} it describes the IP
   * packet, otherwise it holds whatever the outer layers had decoded (VLAN ids, layers) and must
   * not be fed to the flow table.
   */
  public DecodeIssue decode(CapturedPacket in, DecodedPacket out) {
    out.reset();
    out.timestampMicros = in.timestampMicros;
    ByteBuffer frame = in.data;
    if (frame.order() != ByteOrder.BIG_ENDIAN) {
      frame.order(ByteOrder.BIG_ENDIAN); // network order; sources hand out big-endian views anyway
    }
    out.frame = frame;
    int end = frame.limit();
    int wireEnd = Math.max(end, in.originalLength);
    return switch (in.linkType) {
      case LINKTYPE_ETHERNET -> EthernetDecoder.decode(frame, 0, end, wireEnd, out);
      case LINKTYPE_LINUX_SLL -> LinuxSllDecoder.decode(frame, 0, end, wireEnd, out);
      case LINKTYPE_LINUX_SLL2 -> LinuxSll2Decoder.decode(frame, 0, end, wireEnd, out);
      case LINKTYPE_RAW, LINKTYPE_RAW_DLT12, LINKTYPE_RAW_DLT14 -> raw(frame, end, wireEnd, out);
      case LINKTYPE_IPV4 -> {
        out.addLayer(Layer.RAW_IP);
        yield Ipv4Decoder.decode(frame, 0, end, wireEnd, out);
      }
      case LINKTYPE_IPV6 -> {
        out.addLayer(Layer.RAW_IP);
        yield Ipv6Decoder.decode(frame, 0, end, wireEnd, out);
      }
      case LINKTYPE_NULL -> LoopbackDecoder.decodeNull(frame, 0, end, wireEnd, out);
      case LINKTYPE_LOOP -> LoopbackDecoder.decodeLoop(frame, 0, end, wireEnd, out);
      default -> DecodeIssue.UNSUPPORTED_LINKTYPE;
    };
  }

  /** Raw IP: the version nibble says which IP it is (RFC 791 section 3.1, RFC 8200 section 3). */
  private static DecodeIssue raw(ByteBuffer frame, int end, int wireEnd, DecodedPacket out) {
    out.addLayer(Layer.RAW_IP);
    if (end < 1) {
      return DecodeIssue.RAW_IP_TOO_SHORT;
    }
    int version = Byte.toUnsignedInt(frame.get(0)) >>> 4;
    if (version == Ipv4Decoder.VERSION) {
      return Ipv4Decoder.decode(frame, 0, end, wireEnd, out);
    }
    if (version == Ipv6Decoder.VERSION) {
      return Ipv6Decoder.decode(frame, 0, end, wireEnd, out);
    }
    return DecodeIssue.RAW_IP_BAD_VERSION;
  }
}
