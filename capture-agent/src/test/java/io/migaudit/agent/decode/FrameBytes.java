package io.migaudit.agent.decode;

import io.migaudit.agent.source.CapturedPacket;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Builds frames byte by byte for decoder tests: each helper writes one well-formed header. */
final class FrameBytes {
  static final int TCP = 6;
  static final int UDP = 17;
  static final int ESP = 50;
  static final int ICMP = 1;
  static final int ICMPV6 = 58;
  static final int GRE = 47;
  static final int IPV4_IN_IP = 4;
  static final int IPV6_IN_IP = 41;
  static final int AH = 51;
  static final int SYN_ACK = 0x12;

  static final byte[] SRC6 = v6(0x20010db8_00000001L, 0x00000000_0000000aL);
  static final byte[] DST6 = v6(0xfd000050_00000000L, 0x00000000_00000011L);

  private FrameBytes() {}

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] payload(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'p');
    return b;
  }

  /** Destination and source MAC, then the EtherType. */
  static byte[] ethernet(int etherType, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(14);
    b.put(bytes(0, 0x50, 0x56, 0, 0, 1))
        .put(bytes(0, 0x50, 0x56, 0, 0, 2))
        .putShort((short) etherType);
    return concat(b.array(), payload);
  }

  /**
   * A tag: TCI with {@code vlanId}, then the next EtherType (the TPID is the previous EtherType).
   */
  static byte[] tag(int vlanId, int nextEtherType) {
    return ByteBuffer.allocate(4)
        .putShort((short) (0x2000 | vlanId))
        .putShort((short) nextEtherType)
        .array();
  }

  /** IPv4 header without options, total length = 20 + payload. */
  static byte[] ipv4(int protocol, int src, int dst, byte[] payload) {
    return concat(ipv4Header(0x45, 20 + payload.length, 0, protocol, src, dst), payload);
  }

  static byte[] ipv4Header(
      int versionIhl, int totalLength, int flagsFragment, int protocol, int src, int dst) {
    int length = Math.max(20, (versionIhl & 0x0F) * 4);
    ByteBuffer b = ByteBuffer.allocate(length);
    b.put((byte) versionIhl)
        .put((byte) 0)
        .putShort((short) totalLength)
        .putShort((short) 0x1234)
        .putShort((short) flagsFragment)
        .put((byte) 64)
        .put((byte) protocol)
        .putShort((short) 0)
        .putInt(src)
        .putInt(dst);
    return b.array();
  }

  /** IPv6 header, payload length = payload. */
  static byte[] ipv6(int nextHeader, byte[] payload) {
    return concat(ipv6Header(nextHeader, payload.length), payload);
  }

  static byte[] ipv6Header(int nextHeader, int payloadLength) {
    ByteBuffer b = ByteBuffer.allocate(40);
    b.putInt(0x60000000)
        .putShort((short) payloadLength)
        .put((byte) nextHeader)
        .put((byte) 64)
        .put(SRC6)
        .put(DST6);
    return b.array();
  }

  /**
   * {@code packet}, an IPv6 header with TCP or UDP right after it, with the transport checksum over
   * the pseudo-header (RFC 8200 8.1) written, as the sender's stack writes it.
   */
  static byte[] withTransportChecksum6(byte[] packet) {
    ByteBuffer b = ByteBuffer.wrap(packet);
    int next = packet[6];
    int length = packet.length - 40;
    int at = 40 + (next == TCP ? 16 : 6);
    b.putShort(at, (short) 0);
    long sum = next + length;
    for (int i = 8; i < 40; i += 2) {
      sum += Short.toUnsignedInt(b.getShort(i));
    }
    for (int i = 40; i < packet.length; i += 2) {
      sum += (packet[i] & 0xFF) << 8 | (i + 1 < packet.length ? packet[i + 1] & 0xFF : 0);
    }
    while (sum >>> 16 != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    b.putShort(at, (short) ~sum);
    return packet;
  }

  /**
   * An extension header with the Next Header/Hdr Ext Len prefix, {@code 8 * (extLen + 1)} bytes.
   */
  static byte[] extension(int nextHeader, int extLen) {
    byte[] b = new byte[8 * (extLen + 1)];
    b[0] = (byte) nextHeader;
    b[1] = (byte) extLen;
    b[2] = 1; // PadN over the rest: valid options
    b[3] = (byte) (b.length - 4);
    return b;
  }

  static byte[] fragment(int nextHeader, int offsetUnits, boolean more) {
    return ByteBuffer.allocate(8)
        .put((byte) nextHeader)
        .put((byte) 0)
        .putShort((short) ((offsetUnits << 3) | (more ? 1 : 0)))
        .putInt(0xCAFE)
        .array();
  }

  /** Authentication Header with a 12-byte ICV: Payload Len = (24 / 4) - 2 = 4. */
  static byte[] ah(int nextHeader) {
    ByteBuffer b = ByteBuffer.allocate(24);
    b.put((byte) nextHeader).put((byte) 4).putShort((short) 0).putInt(0x1000).putInt(7);
    return b.array();
  }

  /** TCP header with data offset 5. */
  static byte[] tcp(int srcPort, int dstPort, int flags, byte[] payload) {
    return concat(tcpHeader(srcPort, dstPort, 5, flags), payload);
  }

  static byte[] tcpHeader(int srcPort, int dstPort, int dataOffset, int flags) {
    ByteBuffer b = ByteBuffer.allocate(Math.max(20, dataOffset * 4));
    b.putShort((short) srcPort)
        .putShort((short) dstPort)
        .putInt(1000)
        .putInt(2000)
        .put((byte) (dataOffset << 4))
        .put((byte) flags)
        .putShort((short) 65535);
    return b.array();
  }

  static byte[] udp(int srcPort, int dstPort, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(8);
    b.putShort((short) srcPort)
        .putShort((short) dstPort)
        .putShort((short) (8 + payload.length))
        .putShort((short) 0);
    return concat(b.array(), payload);
  }

  /**
   * GRE header with the given flags word (C 0x8000, K 0x2000, S 0x1000) and its optional fields.
   */
  static byte[] gre(int flags, int protocol, byte[] payload) {
    int optional = Integer.bitCount(flags & 0xB000);
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * optional);
    b.putShort((short) flags).putShort((short) protocol);
    for (int i = 0; i < optional; i++) {
      b.putInt(0x0A0B0C00 + i);
    }
    return concat(b.array(), payload);
  }

  /** ERSPAN type II header: version 1, VLAN, En, session 666, index 32760. */
  static byte[] erspanII(int vlanId, int en, byte[] frame) {
    ByteBuffer b = ByteBuffer.allocate(8);
    b.putShort((short) (0x1000 | vlanId)).putShort((short) ((en << 11) | 666)).putInt(32760);
    return concat(b.array(), frame);
  }

  /**
   * ERSPAN type III header: version 2, VLAN, frame type, with an 8-byte platform sub-header when
   * asked.
   */
  static byte[] erspanIII(int vlanId, int frameType, boolean subheader, byte[] frame) {
    ByteBuffer b = ByteBuffer.allocate(subheader ? 20 : 12);
    b.putShort((short) (0x2000 | vlanId))
        .putShort((short) 101)
        .putInt(0x12345678)
        .putShort((short) 0)
        .putShort((short) ((frameType << 10) | (subheader ? 1 : 0)));
    return concat(b.array(), frame);
  }

  static byte[] vxlan(int flags, byte[] frame) {
    return concat(
        ByteBuffer.allocate(8).put((byte) flags).put(new byte[3]).putInt(100 << 8).array(), frame);
  }

  /** Geneve header with {@code optionWords} 4-byte words of options. */
  static byte[] geneve(int optionWords, int protocol, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * optionWords);
    b.put((byte) optionWords).put((byte) 0).putShort((short) protocol).putInt(0x00138900);
    return concat(b.array(), payload);
  }

  static int v4(int a, int b, int c, int d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
  }

  static byte[] v6(long hi, long lo) {
    return ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
  }

  /** The frame as a source would hand it out, with its wire length equal to what was captured. */
  static CapturedPacket packet(int linkType, byte[] frame) {
    return packet(linkType, frame, frame.length);
  }

  static CapturedPacket packet(int linkType, byte[] frame, int originalLength) {
    CapturedPacket p = new CapturedPacket();
    p.timestampMicros = 1_700_000_000_000_000L;
    p.linkType = linkType;
    p.originalLength = originalLength;
    p.data = ByteBuffer.wrap(frame);
    return p;
  }

  /**
   * The first {@code caplen} bytes of {@code frame}, captured from a wire frame of its full length.
   */
  static CapturedPacket snapped(int linkType, byte[] frame, int caplen) {
    return packet(linkType, Arrays.copyOf(frame, caplen), frame.length);
  }

  /** Decodes {@code packet} into a fresh DecodedPacket. */
  static Decoded decode(CapturedPacket packet) {
    DecodedPacket out = new DecodedPacket();
    DecodeIssue issue = new PacketDecoder().decode(packet, out);
    return new Decoded(issue, out);
  }

  static Decoded decodeEthernet(byte[] frame) {
    return decode(packet(PacketDecoder.LINKTYPE_ETHERNET, frame));
  }

  /** Raw IP, as LINKTYPE_RAW. */
  static Decoded decodeIp(byte[] packet) {
    return decode(packet(PacketDecoder.LINKTYPE_RAW, packet));
  }

  record Decoded(DecodeIssue issue, DecodedPacket packet) {
    Layer[] layers() {
      return Arrays.copyOf(packet.layers, packet.layerCount);
    }

    byte[] payload() {
      byte[] b = new byte[packet.payloadCapturedLength];
      packet.frame.get(packet.payloadOffset, b);
      return b;
    }
  }
}
