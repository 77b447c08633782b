package io.migaudit.bench;

import io.migaudit.agent.decode.InvariantCrc;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;

/**
 * Ethernet frames built by hand for the benchmarks, as a capture truncated to a snap length holds
 * them.
 */
final class Frames {
  static final int ETHERTYPE_IPV4 = 0x0800;
  static final int ETHERTYPE_IPV6 = 0x86DD;
  static final int ETHERTYPE_VLAN = 0x8100;
  static final int TCP = 6;
  static final int UDP = 17;
  private static final int UDP_HEADER = 8;
  private static final int ETHERNET_HEADER = 14;
  private static final int VLAN_TAG = 4;
  private static final int IPV4_HEADER = 20;
  private static final int IPV6_HEADER = 40;
  private static final int TCP_HEADER = 20;

  private Frames() {}

  /**
   * Ethernet (optionally 802.1Q) + IPv4 + TCP carrying {@code payload}, cut to {@code snap} bytes.
   */
  static CapturedPacket ipv4Tcp(
      int vlan, int src, int dst, int srcPort, int dstPort, int flags, byte[] payload, int snap) {
    ByteBuffer b = ipv4(vlan, TCP, src, dst, TCP_HEADER + payload.length);
    tcp(b, b.capacity() - TCP_HEADER - payload.length, srcPort, dstPort, flags, payload);
    return captured(b.array(), snap);
  }

  /** Ethernet + IPv4 + UDP carrying {@code payload}, captured whole. */
  static CapturedPacket ipv4Udp(int src, int dst, int srcPort, int dstPort, byte[] payload) {
    ByteBuffer b = udp(src, dst, srcPort, dstPort, payload);
    return captured(b.array(), b.capacity());
  }

  /**
   * Ethernet + IPv4 + UDP to 4791 + an RC RDMA WRITE Middle (BTH, then {@code payload}) and its
   * ICRC, cut to {@code snap} bytes.
   */
  static CapturedPacket rdmaWriteMiddle(int src, int dst, byte[] payload, int snap) {
    int bth = 12;
    int icrc = 4;
    ByteBuffer transport = ByteBuffer.allocate(bth + payload.length + icrc);
    transport.put(0, (byte) 0x07); // RDMA WRITE Middle
    transport.putShort(2, (short) 0xFFFF); // P_Key
    transport.putInt(4, 0x11); // destination QP
    transport.putInt(8, 0x100); // PSN
    transport.put(bth, payload);
    ByteBuffer b = udp(src, dst, 0xC011, 4791, transport.array());
    int at = b.capacity() - icrc;
    b.putInt(at, InvariantCrc.of(b, ETHERNET_HEADER, at));
    return captured(b.array(), snap);
  }

  /** An untagged Ethernet + IPv4 + UDP frame carrying {@code payload}. */
  private static ByteBuffer udp(int src, int dst, int srcPort, int dstPort, byte[] payload) {
    ByteBuffer b = ipv4(-1, UDP, src, dst, UDP_HEADER + payload.length);
    int udp = b.capacity() - UDP_HEADER - payload.length;
    b.putShort(udp, (short) srcPort);
    b.putShort(udp + 2, (short) dstPort);
    b.putShort(udp + 4, (short) (UDP_HEADER + payload.length));
    b.put(udp + UDP_HEADER, payload);
    return b;
  }

  /** A frame of Ethernet (optionally 802.1Q) and an IPv4 header, room for {@code transport}. */
  private static ByteBuffer ipv4(int vlan, int protocol, int src, int dst, int transport) {
    int l2 = ETHERNET_HEADER + (vlan >= 0 ? VLAN_TAG : 0);
    ByteBuffer b = ByteBuffer.allocate(l2 + IPV4_HEADER + transport);
    int ip = ethernet(b, vlan, ETHERTYPE_IPV4);
    b.put(ip, (byte) 0x45);
    b.putShort(ip + 2, (short) (IPV4_HEADER + transport));
    b.put(ip + 8, (byte) 64);
    b.put(ip + 9, (byte) protocol);
    b.putInt(ip + 12, src);
    b.putInt(ip + 16, dst);
    return b;
  }

  /** Ethernet + IPv6 + TCP carrying {@code payload}, cut to {@code snap} bytes. */
  static CapturedPacket ipv6Tcp(
      long srcLo, long dstLo, int srcPort, int dstPort, int flags, byte[] payload, int snap) {
    ByteBuffer b = ByteBuffer.allocate(ETHERNET_HEADER + IPV6_HEADER + TCP_HEADER + payload.length);
    int ip = ethernet(b, -1, ETHERTYPE_IPV6);
    b.put(ip, (byte) 0x60);
    b.putShort(ip + 4, (short) (TCP_HEADER + payload.length));
    b.put(ip + 6, (byte) TCP);
    b.put(ip + 7, (byte) 64);
    b.putLong(ip + 8, 0x20010db800200000L);
    b.putLong(ip + 16, srcLo);
    b.putLong(ip + 24, 0x20010db800200000L);
    b.putLong(ip + 32, dstLo);
    tcp(b, ip + IPV6_HEADER, srcPort, dstPort, flags, payload);
    return captured(b.array(), snap);
  }

  private static int ethernet(ByteBuffer b, int vlan, int etherType) {
    b.put(0, (byte) 0x00).put(6, (byte) 0x00);
    if (vlan >= 0) {
      b.putShort(12, (short) ETHERTYPE_VLAN);
      b.putShort(14, (short) vlan);
      b.putShort(16, (short) etherType);
      return ETHERNET_HEADER + VLAN_TAG;
    }
    b.putShort(12, (short) etherType);
    return ETHERNET_HEADER;
  }

  private static void tcp(
      ByteBuffer b, int at, int srcPort, int dstPort, int flags, byte[] payload) {
    b.putShort(at, (short) srcPort);
    b.putShort(at + 2, (short) dstPort);
    b.put(at + 12, (byte) (5 << 4));
    b.put(at + 13, (byte) flags);
    b.put(at + TCP_HEADER, payload);
  }

  private static CapturedPacket captured(byte[] frame, int snap) {
    CapturedPacket p = new CapturedPacket();
    p.timestampMicros = 1_732_270_000_000_000L;
    p.linkType = PacketDecoder.LINKTYPE_ETHERNET;
    p.originalLength = frame.length;
    p.data = ByteBuffer.wrap(frame, 0, Math.min(snap, frame.length)).slice();
    return p;
  }
}
