package io.migaudit.agent.defrag;

import io.migaudit.agent.decode.InternetChecksum;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.source.CapturedPacket;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Ethernet frames of IPv4 and IPv6 packets cut into fragments, as a sender's stack cuts them (the
 * reassembly tests and its fuzz test).
 */
public final class FragmentFrames {
  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int A = 0xC0A8320B; // 192.168.50.11
  public static final int B = 0xC0A8320C; // 192.168.50.12

  private FragmentFrames() {}

  /** A TCP segment from A:41011 to B:{@code port} carrying {@code payload}, seq {@code seq}. */
  public static byte[] tcp(int port, long seq, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
    b.putShort((short) 41011).putShort((short) port).putInt((int) seq).putInt(1);
    b.put((byte) 0x50).put((byte) 0x18).putShort((short) 65535).putInt(0).put(payload);
    return b.array();
  }

  /** A UDP datagram to {@code port}. */
  public static byte[] udp(int srcPort, int port, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
    b.putShort((short) srcPort).putShort((short) port).putShort((short) (8 + payload.length));
    b.putShort((short) 0).put(payload);
    return b.array();
  }

  /** A whole IPv4 packet. */
  public static byte[] ipv4(int protocol, int src, int dst, int id, byte[] payload) {
    return ipv4Piece(protocol, src, dst, id, 0, false, payload, 0, payload.length);
  }

  /** The IPv4 piece of {@code data} from {@code from}, {@code length} bytes. */
  public static byte[] ipv4Piece(
      int protocol, int src, int dst, int id, int from, boolean more, byte[] data, int at, int n) {
    ByteBuffer b = ByteBuffer.allocate(20 + n);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + n)).putShort((short) id);
    b.putShort((short) ((more ? 0x2000 : 0) | ((from / 8) & 0x1FFF))).put((byte) 64);
    b.put((byte) protocol);
    b.putShort((short) 0).putInt(src).putInt(dst).put(data, at, n);
    byte[] packet = b.array();
    InternetChecksum.writeIpv4(packet);
    return packet;
  }

  /** IPv4 pieces of {@code data} (a transport header and payload), {@code size} bytes each. */
  public static List<byte[]> ipv4Pieces(
      int protocol, int src, int dst, int id, byte[] data, int size) {
    List<byte[]> out = new ArrayList<>();
    for (int at = 0; at < data.length; at += size) {
      int n = Math.min(size, data.length - at);
      out.add(ipv4Piece(protocol, src, dst, id, at, at + n < data.length, data, at, n));
    }
    return out;
  }

  /** IPv6 pieces of {@code data} with a Fragment header each, {@code size} bytes each. */
  public static List<byte[]> ipv6Pieces(int nextHeader, long id, byte[] data, int size) {
    List<byte[]> out = new ArrayList<>();
    for (int at = 0; at < data.length; at += size) {
      int n = Math.min(size, data.length - at);
      out.add(ipv6Piece(nextHeader, id, at, at + n < data.length, data, at, n));
    }
    return out;
  }

  /**
   * The IPv6 piece of {@code data} from {@code from} (fd00:50::11 to ::12), {@code n} bytes at
   * {@code at}, behind a Fragment header.
   */
  public static byte[] ipv6Piece(
      int nextHeader, long id, int from, boolean more, byte[] data, int at, int n) {
    ByteBuffer b = ByteBuffer.allocate(48 + n);
    b.putInt(0x60000000).putShort((short) (8 + n)).put((byte) 44).put((byte) 64);
    b.putLong(0xfd00005000000000L).putLong(0x11).putLong(0xfd00005000000000L).putLong(0x12);
    b.put((byte) nextHeader).put((byte) 0);
    b.putShort((short) ((from & 0xFFF8) | (more ? 1 : 0))).putInt((int) id);
    return b.put(data, at, n).array();
  }

  /** {@code frame} with an 802.1Q tag of VLAN {@code vlan}. */
  public static byte[] tagged(int vlan, byte[] frame) {
    ByteBuffer b = ByteBuffer.allocate(frame.length + 4);
    b.put(frame, 0, 12).putShort((short) 0x8100).putShort((short) vlan);
    return b.put(frame, 12, frame.length - 12).array();
  }

  /** {@code frame} as captured whole at {@code micros}. */
  public static CapturedPacket captured(long micros, byte[] frame) {
    return captured(micros, frame, frame.length);
  }

  /** {@code frame} captured at {@code micros}, {@code originalLength} bytes on the wire. */
  public static CapturedPacket captured(long micros, byte[] frame, int originalLength) {
    CapturedPacket c = new CapturedPacket();
    c.timestampMicros = micros;
    c.linkType = PacketDecoder.LINKTYPE_ETHERNET;
    c.originalLength = originalLength;
    c.data = ByteBuffer.wrap(frame);
    return c;
  }

  /** An Ethernet frame carrying {@code packet} (EtherType from its version). */
  public static byte[] ethernet(byte[] packet) {
    int etherType = (packet[0] & 0xF0) == 0x60 ? 0x86DD : 0x0800;
    ByteBuffer b = ByteBuffer.allocate(14 + packet.length);
    b.put(new byte[] {2, 0, 0, 0, 0, 0x12, 2, 0, 0, 0, 0, 0x11}).putShort((short) etherType);
    return b.put(packet).array();
  }

  /** {@code frame} in VXLAN (VNI {@code vni}) between tunnel endpoints 10.20.0.1 and .2. */
  public static byte[] vxlan(int vni, int id, byte[] frame) {
    ByteBuffer v = ByteBuffer.allocate(8 + frame.length);
    v.putInt(0x08000000).putInt(vni << 8).put(frame);
    return ethernet(ipv4(UDP, 0x0A140001, 0x0A140002, id, udp(50000, 4789, v.array())));
  }

  public static byte[] pages(int n) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; out.size() < n; i++) {
      out.writeBytes(("page " + i + " of guest memory, readable text in the clear; ").getBytes());
    }
    return java.util.Arrays.copyOf(out.toByteArray(), n);
  }
}
