package io.migaudit.agent.decode;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The invariant CRC (ICRC) that ends every RoCEv2 packet (InfiniBand Architecture annex A17.3.3): a
 * CRC-32, Ethernet's, over 64 bits of ones (standing in for InfiniBand's local route header), the
 * IP header, the UDP header and the Base Transport Header with the fields that may change on the
 * way set to ones (IPv4 type of service, TTL and header checksum, or IPv6 traffic class, flow label
 * and hop limit; the UDP checksum; the BTH's reserved byte before the destination queue pair), then
 * the rest of the packet. It is written least significant byte first, as Ethernet's FCS is. Linux's
 * rxe (drivers/infiniband/sw/rxe/rxe_icrc.c) computes the same.
 */
public final class InvariantCrc {
  /** The IP header without options or extension headers, UDP, BTH: the masked prefix's most. */
  static final int MAX_MASKED = 40 + 8 + 12;

  private static final int UDP_HEADER_LENGTH = 8;
  private static final int BTH_LENGTH = 12;
  private static final byte[] MASKED_LRH = {-1, -1, -1, -1, -1, -1, -1, -1};

  private InvariantCrc() {}

  /**
   * The ICRC of the packet whose IP header (IPv4 without options, or IPv6 with UDP next) starts at
   * {@code ip} in {@code frame} and whose ICRC is at {@code icrcAt}, as it is written there: the
   * four bytes read as a big-endian int.
   */
  public static int of(ByteBuffer frame, int ip, int icrcAt) {
    return of(frame, ip, icrcAt, new byte[MAX_MASKED], new CRC32());
  }

  /** As {@link #of(ByteBuffer, int, int)}, with a scratch array and a CRC reused per packet. */
  static int of(ByteBuffer frame, int ip, int icrcAt, byte[] masked, CRC32 crc) {
    boolean ipv4 = Byte.toUnsignedInt(frame.get(ip)) >>> 4 == 4;
    int udp = ip + (ipv4 ? 20 : 40);
    int bth = udp + UDP_HEADER_LENGTH;
    int n = bth + BTH_LENGTH - ip;
    frame.get(ip, masked, 0, n);
    if (ipv4) {
      masked[1] = -1; // type of service
      masked[8] = -1; // TTL
      masked[10] = masked[11] = -1; // header checksum
    } else {
      masked[0] |= 0x0F; // traffic class, high half
      masked[1] = masked[2] = masked[3] = -1; // traffic class, low half, and flow label
      masked[7] = -1; // hop limit
    }
    masked[udp - ip + 6] = masked[udp - ip + 7] = -1; // UDP checksum
    masked[bth - ip + 4] = -1; // BTH reserved byte
    crc.reset();
    crc.update(MASKED_LRH);
    crc.update(masked, 0, n);
    int rest = bth + BTH_LENGTH;
    if (frame.hasArray()) {
      crc.update(frame.array(), frame.arrayOffset() + rest, icrcAt - rest);
    } else {
      crc.update(frame.slice(rest, icrcAt - rest)); // a view: other readers share the frame
    }
    return Integer.reverseBytes((int) crc.getValue());
  }
}
