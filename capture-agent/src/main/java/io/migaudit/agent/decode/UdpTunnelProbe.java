package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * Finds a packet carried in clear inside a UDP datagram on a port no tunnel decoder claims: what
 * OpenVPN without a key, Foo-over-UDP, GUE, L2TPv3, GRE or VXLAN on another port send, and any
 * home-made tunnel that does not encrypt. A migration moved into one is otherwise a UDP flow the
 * rules never judge.
 *
 * <p>Within the first {@value #MAX_HEADER} bytes of the payload (the tunnel's own header) it looks
 * for an Ethernet frame (a layer 2 tunnel) whose IP packet, past any VLAN tags, ends where the
 * datagram does (up to {@value CarriedPacket#MAX_FRAME_TRAILER} bytes of padding and FCS after it),
 * then for an IP packet that runs exactly to the datagram's end ({@link CarriedPacket}: an IPv4
 * header's checksum must add up; IPv6, which has none, must carry TCP or UDP at once, captured
 * whole, whose checksum adds up). A datagram of random bytes (QUIC, DTLS, WireGuard) passes by
 * chance about once in 10^8 or less.
 */
final class UdpTunnelProbe {
  /** Longest tunnel header looked past (OpenVPN's with an HMAC and a packet id is 28 bytes). */
  static final int MAX_HEADER = 64;

  /** Nothing of the kind looked for is in the datagram. */
  static final int NOT_FOUND = -1;

  private UdpTunnelProbe() {}

  /** Offset of an Ethernet frame whose IP packet ends with the datagram, or NOT_FOUND. */
  static int ethernetFrame(ByteBuffer frame, int payload, int end, int wireEnd) {
    int last = Math.min(payload + MAX_HEADER, end);
    for (int at = payload; at <= last; at++) {
      if (CarriedPacket.ethernet(frame, at, end, wireEnd, CarriedPacket.MAX_FRAME_TRAILER)) {
        return at;
      }
    }
    return NOT_FOUND;
  }

  /**
   * Offset of an IP packet that fills the datagram from there to its end, or NOT_FOUND: an IPv4
   * packet whose header checksum adds up, or an IPv6 packet with TCP or UDP whose checksum does
   * ({@link CarriedPacket#ipv6Transport}).
   */
  static int ipPacket(ByteBuffer frame, int payload, int end, int wireEnd) {
    int last = Math.min(payload + MAX_HEADER, end - 1); // a version nibble to read
    for (int at = payload; at <= last; at++) {
      int version = Byte.toUnsignedInt(frame.get(at)) >>> 4;
      if (version == Ipv4Decoder.VERSION
          ? CarriedPacket.ipv4(frame, at, end, wireEnd, 0)
          : version == Ipv6Decoder.VERSION
              && CarriedPacket.ipv6Transport(frame, at, end, wireEnd)) {
        return at;
      }
    }
    return NOT_FOUND;
  }
}
