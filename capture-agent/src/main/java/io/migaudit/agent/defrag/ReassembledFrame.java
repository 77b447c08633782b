package io.migaudit.agent.defrag;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.InternetChecksum;
import java.nio.ByteBuffer;

/**
 * The frame of a packet put back together: the first piece's frame up to its data (link layer, any
 * tunnel around the packet, the packet's own header), then the data of every piece in order. The
 * packet's header then says it is whole: IPv4 without More Fragments or offset, its length and
 * header checksum new; IPv6 without its Fragment header, the header before naming what the Fragment
 * header named, its payload length new. The headers around it whose lengths count it (a tunnel's
 * IPv4, IPv6 and UDP) are made to end where the frame now ends, with their checksums redone (a UDP
 * checksum over IPv4 is left out, as RFC 768 allows).
 */
final class ReassembledFrame {
  private static final int IPV4_KEEP_FLAGS = 0xC000; // reserved and Don't Fragment
  private static final int IPV6_HEADER = 40;
  private static final int UDP_HEADER = 8;
  private static final int MAX_LENGTH = 0xFFFF;
  private static final int IP_PROTOCOL_UDP = 17;

  private ReassembledFrame() {}

  /** The frame, or null when the packet or a header around it would be longer than 65,535. */
  static byte[] build(Datagram g) {
    HeldPiece first = g.pieces().get(0);
    Datagram.Geometry at = g.geometry;
    boolean v4 = first.piece().key().version() == 4;
    int head = dataAt(g);
    int ipLength = head - at.ip() + g.end();
    if (ipLength > MAX_LENGTH + (v4 ? 0 : IPV6_HEADER)) {
      return null;
    }
    byte[] out = new byte[head + g.end()];
    System.arraycopy(first.frame(), 0, out, 0, head);
    for (HeldPiece p : g.pieces()) {
      System.arraycopy(
          p.frame(), p.piece().dataAt(), out, head + p.start(), p.piece().dataLength());
    }
    int ip = at.ip();
    if (v4) {
      put16(out, ip + 2, ipLength);
      put16(out, ip + 6, get16(out, ip + 6) & IPV4_KEEP_FLAGS);
      ipv4Checksum(out, ip);
    } else {
      out[at.fragmentNamedAt()] = first.frame()[at.fragmentHeader()];
      put16(out, ip + 4, ipLength - IPV6_HEADER);
    }
    return enclose(out, at.enclosing()) ? out : null;
  }

  /**
   * Where the packet's data starts in the frame {@link #build} makes: after the first piece's IPv4
   * header, or where its IPv6 Fragment header was.
   */
  static int dataAt(Datagram g) {
    HeldPiece first = g.pieces().get(0);
    return first.piece().key().version() == 4
        ? first.piece().dataAt()
        : g.geometry.fragmentHeader();
  }

  /** Makes each header around the packet end where the frame ends; false when one cannot. */
  private static boolean enclose(byte[] out, int[] enclosing) {
    int carrier = -1; // the innermost IP header so far, for a UDP checksum
    for (int e : enclosing) {
      int off = e >>> 2;
      int kind = e & 3;
      if (kind == DecodedPacket.ENCLOSING_IPV4) {
        if (!setLength(out, off + 2, out.length - off)) {
          return false;
        }
        ipv4Checksum(out, off);
        carrier = off;
      } else if (kind == DecodedPacket.ENCLOSING_IPV6) {
        if (!setLength(out, off + 4, out.length - off - IPV6_HEADER)) {
          return false;
        }
        carrier = off;
      } else {
        if (!setLength(out, off + 4, out.length - off)) {
          return false;
        }
        udpChecksum(out, off, carrier);
      }
    }
    return true;
  }

  /** Sets a length field unless it held 0 (a presumed length): false past 65,535. */
  private static boolean setLength(byte[] out, int field, int length) {
    if (get16(out, field) == 0) {
      return true;
    }
    if (length > MAX_LENGTH) {
      return false;
    }
    put16(out, field, length);
    return true;
  }

  private static void ipv4Checksum(byte[] out, int ip) {
    int headerLength = (out[ip] & 0x0F) * 4;
    put16(out, ip + 10, 0);
    put16(out, ip + 10, ~InternetChecksum.sum(ByteBuffer.wrap(out), ip, headerLength) & 0xFFFF);
  }

  private static void udpChecksum(byte[] out, int udp, int carrier) {
    put16(out, udp + 6, 0);
    if (carrier < 0 || (out[carrier] & 0xF0) != 0x60) {
      return; // over IPv4 (or nothing known): no checksum
    }
    ByteBuffer b = ByteBuffer.wrap(out);
    int length = out.length - udp;
    int pseudo =
        InternetChecksum.sum(b, carrier + 8, 32)
            + (length >>> 16)
            + (length & 0xFFFF)
            + IP_PROTOCOL_UDP;
    int sum = InternetChecksum.fold(pseudo + InternetChecksum.sum(b, udp, length));
    int checksum = ~sum & 0xFFFF;
    put16(out, udp + 6, checksum == 0 ? 0xFFFF : checksum);
  }

  private static int get16(byte[] a, int at) {
    return ((a[at] & 0xFF) << 8) | (a[at + 1] & 0xFF);
  }

  private static void put16(byte[] a, int at, int v) {
    a[at] = (byte) (v >>> 8);
    a[at + 1] = (byte) v;
  }
}
