package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * UDP headers (RFC 768): ports; the payload's extent comes from the IP header, not from the UDP
 * length field, which BIG TCP/GSO senders leave at 0 or stale. Datagrams to the VXLAN and Geneve
 * ports go on to those tunnel decoders. A datagram to or from UDP 4500 that starts with a non-zero
 * SPI is UDP-encapsulated ESP (RFC 3948 section 2.2: IPsec through NAT): it decodes as ESP with the
 * UDP ports kept, so it is judged as ESP is; IKE on that port starts with the zero non-ESP marker
 * and stays UDP, as does a NAT keepalive (one byte 0xFF). On any other port, a packet or frame
 * carried in clear is found by {@link UdpTunnelProbe}. Datagrams to 4791 are RoCEv2 ({@link
 * RoceDecoder}) when their InfiniBand transport header holds together, and datagrams to 6635 MPLS
 * (RFC 7510) when their label stack's payload does.
 */
final class UdpDecoder {
  static final int HEADER_LENGTH = 8;
  private static final int OFFSET_SOURCE_PORT = 0;
  private static final int OFFSET_DESTINATION_PORT = 2;

  /** MPLS in UDP (RFC 7510), IANA's mpls-udp. */
  static final int MPLS_PORT = 6635;

  /** IPsec NAT traversal (RFC 3948 section 2): ESP and IKE share this port. */
  static final int NAT_T_PORT = 4500;

  /** ESP's SPI and sequence number: an ESP packet in UDP has at least these. */
  private static final int ESP_HEADER_LENGTH = 8;

  private UdpDecoder() {}

  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < HEADER_LENGTH) {
      return DecodeIssue.UDP_TOO_SHORT;
    }
    out.udpOffset = offset;
    out.srcPort = Short.toUnsignedInt(frame.getShort(offset + OFFSET_SOURCE_PORT));
    out.dstPort = Short.toUnsignedInt(frame.getShort(offset + OFFSET_DESTINATION_PORT));
    int payload = offset + HEADER_LENGTH;
    if ((out.dstPort == NAT_T_PORT || out.srcPort == NAT_T_PORT)
        && carriesEsp(frame, payload, end)) {
      out.ipProtocol = TransportDecoder.PROTOCOL_ESP;
      TransportDecoder.payload(payload, end, wireEnd, out);
      return DecodeIssue.NONE;
    }
    return switch (out.dstPort) {
      case VxlanDecoder.UDP_PORT -> VxlanDecoder.decode(frame, payload, end, wireEnd, out);
      case GeneveDecoder.UDP_PORT -> GeneveDecoder.decode(frame, payload, end, wireEnd, out);
      case RoceDecoder.UDP_PORT -> rdmaOrUdp(frame, payload, end, wireEnd, out);
      case MPLS_PORT -> mplsOrUdp(frame, payload, end, wireEnd, out);
      default -> tunnelledOrPayload(frame, payload, end, wireEnd, out);
    };
  }

  /**
   * MPLS in UDP (RFC 7510): a label stack whose payload holds together is a routed tunnel like GRE
   * carrying MPLS; any other datagram to the port is looked through as on any other port.
   */
  private static DecodeIssue mplsOrUdp(
      ByteBuffer frame, int payload, int end, int wireEnd, DecodedPacket out) {
    if (!MplsDecoder.carriesPacket(frame, payload, end, wireEnd)) {
      return tunnelledOrPayload(frame, payload, end, wireEnd, out);
    }
    return out.enterRoutedTunnel(Layer.UDP_TUNNEL)
        ? MplsDecoder.decode(frame, payload, end, wireEnd, out)
        : DecodeIssue.TUNNEL_TOO_DEEP;
  }

  /**
   * RoCEv2 ({@link RoceDecoder}), or, when it does not hold together as RoCEv2, any other datagram.
   */
  private static DecodeIssue rdmaOrUdp(
      ByteBuffer frame, int payload, int end, int wireEnd, DecodedPacket out) {
    DecodeIssue rdma = RoceDecoder.decode(frame, payload, end, wireEnd, out);
    return rdma != null ? rdma : tunnelledOrPayload(frame, payload, end, wireEnd, out);
  }

  /**
   * A datagram on no tunnel's port: the frame or packet a tunnel that does not encrypt carries in
   * it ({@link UdpTunnelProbe}) becomes the flow, an Ethernet frame as an overlay's does (as VXLAN,
   * with its VNI, when the frame follows a VXLAN header: Linux's default port 8472, NSX for
   * vSphere's before 6.2.3, Flannel, Cilium), an IP packet as a routed tunnel's (its outer
   * endpoints recorded); anything else is UDP payload.
   */
  private static DecodeIssue tunnelledOrPayload(
      ByteBuffer frame, int payload, int end, int wireEnd, DecodedPacket out) {
    if (VxlanDecoder.carriesFrame(frame, payload, end)) {
      return VxlanDecoder.decode(frame, payload, end, wireEnd, out); // on another port
    }
    int ethernet = UdpTunnelProbe.ethernetFrame(frame, payload, end, wireEnd);
    if (ethernet != UdpTunnelProbe.NOT_FOUND) {
      return out.enterTunnel(Layer.UDP_TUNNEL)
          ? EthernetDecoder.decode(frame, ethernet, end, wireEnd, out)
          : DecodeIssue.TUNNEL_TOO_DEEP;
    }
    int ip = UdpTunnelProbe.ipPacket(frame, payload, end, wireEnd);
    if (ip != UdpTunnelProbe.NOT_FOUND) {
      if (!out.enterRoutedTunnel(Layer.UDP_TUNNEL)) {
        return DecodeIssue.TUNNEL_TOO_DEEP;
      }
      return Byte.toUnsignedInt(frame.get(ip)) >>> 4 == Ipv4Decoder.VERSION
          ? Ipv4Decoder.decode(frame, ip, end, wireEnd, out)
          : Ipv6Decoder.decode(frame, ip, end, wireEnd, out);
    }
    TransportDecoder.payload(payload, end, wireEnd, out);
    return DecodeIssue.NONE;
  }

  /** True when the datagram's payload starts with an ESP header: a non-zero SPI and a sequence. */
  private static boolean carriesEsp(ByteBuffer frame, int payload, int end) {
    return end - payload >= ESP_HEADER_LENGTH && frame.getInt(payload) != 0;
  }
}
