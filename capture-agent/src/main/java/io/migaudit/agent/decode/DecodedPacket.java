package io.migaudit.agent.decode;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * What the decoders found in one frame. Mutable and reused per packet to keep the hot path free of
 * allocation; {@link #reset()} clears it. Addresses are held as two longs (IPv4: {@code hi == 0},
 * {@code lo} = the 32-bit address).
 */
public final class DecodedPacket {
  public static final int NO_VLAN = -1;
  public static final int MAX_LAYERS = 8;

  /** Layers a tunnel adds before its inner frame: the outer IP header and the tunnel header. */
  private static final int TUNNEL_LAYERS = 2;

  /** Golden-ratio multiplier that mixes tunnel endpoints and ids into {@link #tunnelPath}. */
  private static final long PATH_MIX = 0x9E3779B97F4A7C15L;

  public long timestampMicros;

  /** Innermost 802.1Q VLAN id, or {@link #NO_VLAN}. */
  public int vlan;

  /** Outer VLAN id of a double-tagged (QinQ) frame, or {@link #NO_VLAN}. */
  public int outerVlan;

  /**
   * The VXLAN or Geneve network identifier of the innermost overlay the packet travelled in, or
   * {@link #NO_VNI}.
   */
  public int vni;

  /** {@link #vni} of a packet in no overlay. */
  public static final int NO_VNI = -1;

  /** Layers outside the inner IP header, outermost first. */
  public final Layer[] layers = new Layer[MAX_LAYERS];

  public int layerCount;

  /** 4 or 6; 0 when no IP header was decoded. */
  public int ipVersion;

  public long srcHi;
  public long srcLo;
  public long dstHi;
  public long dstLo;

  /**
   * {@link #ipProtocol} of a RoCEv2 packet (UDP to port 4791 carrying the InfiniBand transport):
   * beyond IANA's numbers, which end at 255, so that RDMA flows are keyed apart from plain UDP.
   */
  public static final int PROTOCOL_ROCEV2 = 0x100 | 17;

  /**
   * IP protocol number of the transport (6 TCP, 17 UDP, 50 ESP, 1 ICMP, 58 ICMPv6, ...), or {@link
   * #PROTOCOL_ROCEV2}.
   */
  public int ipProtocol;

  /** IP packet length from its header (IPv4 total length, IPv6 40 + payload length). */
  public int ipLength;

  /** Offset in {@link #frame} of the innermost IP header. */
  public int ipOffset;

  /**
   * The path of a tunnelled packet, 0 when it came in no tunnel: a hash of each tunnel's outer
   * endpoints (the same for both directions), its kind and its id (GRE key, ERSPAN session, VXLAN
   * or Geneve VNI), outermost first. Flows are keyed with it, so a packet from another tunnel,
   * mirror session or overlay segment never joins a flow it does not belong to.
   */
  public long tunnelPath;

  /**
   * The innermost routed tunnel the packet came in (IP in IP, or GRE carrying IP), or null: the
   * outer path the packet really travelled. A mirror or overlay inside it (ERSPAN, GRE carrying
   * Ethernet, VXLAN, Geneve) carries a copy or a frame whose route it does not tell, and clears it.
   */
  public Layer routedTunnel;

  /** IP version of {@link #routedTunnel}'s outer header. */
  public int routedIpVersion;

  /** The innermost 802.1Q VLAN id of {@link #routedTunnel}'s packets, or {@link #NO_VLAN}. */
  public int routedVlan;

  /** {@link #routedTunnel}'s outer addresses, lower first (both directions give the same). */
  public long routedLowHi;

  public long routedLowLo;
  public long routedHighHi;
  public long routedHighLo;

  /** IPv4 TTL or IPv6 hop limit of the innermost IP header, as it arrived. */
  public int ttl;

  /** True for a non-first IPv4/IPv6 fragment: no transport header, ports are 0. */
  public boolean fragment;

  /**
   * True for any piece of a fragmented IPv4 packet, the first included (MF set or offset not 0).
   */
  public boolean ipv4Fragment;

  /** True for any piece of a fragmented IPv6 packet, the first included (a Fragment header). */
  public boolean ipv6Fragment;

  /**
   * True when the packet came in a tunnel (VXLAN, Geneve, GRE, IP in IP, ...) whose outer IP packet
   * was the first piece of a fragmented one: what the tunnel carries is cut at that piece's end, as
   * a snap length would cut it, until {@code Reassembly} puts the outer packet back together. The
   * underlay's MTU is smaller than the tunnel needs.
   */
  public boolean tunnelFragment;

  /**
   * Where the outermost IP header that is a piece of a fragmented packet starts in the frame, or
   * {@link #NOT_FRAGMENTED}: the layer {@code Reassembly} puts back together. Not set behind
   * MACsec, whose integrity value covers the frame as it was.
   */
  public int fragmentedIp = NOT_FRAGMENTED;

  /** No IP layer of the frame is a fragment ({@link #fragmentedIp}). */
  public static final int NOT_FRAGMENTED = -1;

  /** For an IPv6 {@link #fragmentedIp}: where its Fragment header starts. */
  public int fragmentHeader;

  /**
   * For an IPv6 {@link #fragmentedIp}: the next-header byte that names the Fragment header (in the
   * IPv6 header or in the extension header before it).
   */
  public int fragmentNamedAt;

  /**
   * The VLAN, VNI and tunnel path the fragmented layer travelled in, folded: pieces of one packet
   * share it, equal packets in two tunnels do not.
   */
  public long fragmentContext;

  /**
   * The headers around {@link #fragmentedIp} whose length fields count it, outermost first, each as
   * {@code offset << 2 | kind} ({@link #ENCLOSING_IPV4}, {@link #ENCLOSING_IPV6}, {@link
   * #ENCLOSING_UDP}): a reassembled packet grows, and so must they.
   */
  public final int[] enclosing = new int[MAX_LAYERS];

  /** How many of {@link #enclosing} hold a header. */
  public int enclosingCount;

  /** Kinds of {@link #enclosing} headers. */
  public static final int ENCLOSING_IPV4 = 0;

  public static final int ENCLOSING_IPV6 = 1;
  public static final int ENCLOSING_UDP = 2;

  /** Where the last UDP header decoded starts in the frame. */
  int udpOffset;

  public int srcPort;
  public int dstPort;

  /**
   * TCP flag bits as in the header's 13th byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10).
   */
  public int tcpFlags;

  /** TCP sequence number (RFC 9293 3.1), as the 32 bits of the header. */
  public int tcpSeq;

  /** TCP acknowledgment number, meaningful when the ACK flag is set. */
  public int tcpAck;

  /** TCP window field, unscaled. */
  public int tcpWindow;

  /** Window scale shift of a SYN's option (RFC 7323 2.2), or {@link #NO_WINDOW_SCALE}. */
  public int tcpWindowScale;

  public static final int NO_WINDOW_SCALE = -1;

  /** The frame the offsets below point into. */
  public ByteBuffer frame;

  /** Offset of the transport payload in {@link #frame}. */
  public int payloadOffset;

  /** Payload bytes present in the capture (may be fewer than on the wire). */
  public int payloadCapturedLength;

  /** Payload bytes on the wire according to the headers. */
  public int payloadWireLength;

  /** The RoCEv2 decoder's copy of the headers it masks and its ICRC, made at its first packet. */
  private byte[] roceHeaders;

  private CRC32 roceCrc;

  public void reset() {
    timestampMicros = 0;
    vlan = NO_VLAN;
    outerVlan = NO_VLAN;
    layerCount = 0;
    ipVersion = 0;
    srcHi = srcLo = dstHi = dstLo = 0;
    ipProtocol = 0;
    ipLength = 0;
    ipOffset = 0;
    ttl = 0;
    fragment = false;
    ipv4Fragment = false;
    ipv6Fragment = false;
    tunnelFragment = false;
    fragmentedIp = NOT_FRAGMENTED;
    fragmentHeader = fragmentNamedAt = 0;
    fragmentContext = 0;
    enclosingCount = 0;
    udpOffset = 0;
    vni = NO_VNI;
    tunnelPath = 0;
    clearRoutedTunnel();
    srcPort = dstPort = 0;
    tcpFlags = 0;
    tcpSeq = tcpAck = tcpWindow = 0;
    tcpWindowScale = NO_WINDOW_SCALE;
    frame = null;
    payloadOffset = payloadCapturedLength = payloadWireLength = 0;
  }

  /**
   * Called by a tunnel decoder (GRE, IP in IP, VXLAN, Geneve) before it decodes the frame or packet
   * it carries: records the outer IP header and the tunnel as layers, then clears what the outer
   * layers set (IP fields, ports, payload, VLAN ids) so that the inner frame's values replace them;
   * the outer VLAN of the capture port is not the mirrored frame's. Returns false, changing
   * nothing, when the layers have no room for the tunnel and at least one layer inside it: the
   * frame nests too deep.
   */
  boolean enterTunnel(Layer tunnel) {
    if (layerCount + TUNNEL_LAYERS >= MAX_LAYERS) {
      return false;
    }
    clearRoutedTunnel();
    tunnelFragment |= ipv4Fragment || ipv6Fragment;
    if (fragmentedIp == NOT_FRAGMENTED) {
      enclosing[enclosingCount++] =
          ipOffset << 2 | (ipVersion == 6 ? ENCLOSING_IPV6 : ENCLOSING_IPV4);
      if (ipProtocol == TransportDecoder.PROTOCOL_UDP) {
        enclosing[enclosingCount++] = udpOffset << 2 | ENCLOSING_UDP;
      }
    }
    addLayer(ipVersion == 6 ? Layer.IPV6 : Layer.IPV4);
    addLayer(tunnel);
    // Outer endpoints in either order give the same value: the path of both directions.
    long outer = endpoint(srcHi, srcLo) + endpoint(dstHi, dstLo);
    tunnelPath = fold(tunnelPath, outer ^ (tunnel.ordinal() + 1));
    vlan = NO_VLAN;
    outerVlan = NO_VLAN;
    ipVersion = 0;
    srcHi = srcLo = dstHi = dstLo = 0;
    ipProtocol = 0;
    ipLength = 0;
    ipOffset = 0;
    ttl = 0;
    fragment = false;
    ipv4Fragment = false;
    ipv6Fragment = false;
    srcPort = dstPort = 0;
    tcpFlags = 0;
    tcpSeq = tcpAck = tcpWindow = 0;
    tcpWindowScale = NO_WINDOW_SCALE;
    payloadOffset = payloadCapturedLength = payloadWireLength = 0;
    return true;
  }

  private void clearRoutedTunnel() {
    routedTunnel = null;
    routedIpVersion = 0;
    routedVlan = NO_VLAN;
    routedLowHi = routedLowLo = routedHighHi = routedHighLo = 0;
  }

  /**
   * As {@link #enterTunnel}, for a tunnel that routes IP packets (IP in IP, GRE carrying IP): also
   * records its outer endpoints as {@link #routedTunnel}'s.
   */
  boolean enterRoutedTunnel(Layer tunnel) {
    int version = ipVersion;
    int tag = vlan;
    boolean srcLower =
        Long.compareUnsigned(srcHi, dstHi) < 0
            || (srcHi == dstHi && Long.compareUnsigned(srcLo, dstLo) <= 0);
    long lowHi = srcLower ? srcHi : dstHi;
    long lowLo = srcLower ? srcLo : dstLo;
    long highHi = srcLower ? dstHi : srcHi;
    long highLo = srcLower ? dstLo : srcLo;
    if (!enterTunnel(tunnel)) {
      return false;
    }
    routedTunnel = tunnel;
    routedIpVersion = version;
    routedVlan = tag;
    routedLowHi = lowHi;
    routedLowLo = lowLo;
    routedHighHi = highHi;
    routedHighLo = highLo;
    return true;
  }

  /**
   * Adds the id of the tunnel just entered (GRE key, ERSPAN session id, VNI) to {@link
   * #tunnelPath}.
   */
  void tunnelId(long id) {
    tunnelPath = fold(tunnelPath, id + 1);
  }

  private static long endpoint(long hi, long lo) {
    long h = (hi * PATH_MIX) ^ lo;
    h = (h ^ (h >>> 31)) * PATH_MIX;
    return h ^ (h >>> 29);
  }

  private static long fold(long path, long value) {
    long h = (path ^ value) * PATH_MIX;
    h ^= h >>> 32;
    return h == 0 ? 1 : h; // 0 means "no tunnel"
  }

  /**
   * Marks the IP header at {@code ip} as a piece of a fragmented packet, unless an outer one is
   * already marked or a MACsec integrity value covers the frame.
   */
  void fragmented(int ip, int header, int namedAt) {
    if (fragmentedIp != NOT_FRAGMENTED) {
      return;
    }
    for (int i = 0; i < layerCount; i++) {
      if (layers[i] == Layer.MACSEC) {
        return;
      }
    }
    fragmentedIp = ip;
    fragmentHeader = header;
    fragmentNamedAt = namedAt;
    fragmentContext = fold(fold(tunnelPath, vlan + 2L), vni + 2L);
  }

  /**
   * Appends a layer that another decoder is then called for (MACsec, MPLS): false, changing
   * nothing, when the layers are full, so that a chain of them ends as too deep instead of running
   * on unrecorded.
   */
  boolean enterLayer(Layer layer) {
    if (layerCount >= MAX_LAYERS) {
      return false;
    }
    layers[layerCount++] = layer;
    return true;
  }

  /** Room for the IP, UDP and InfiniBand headers the RoCEv2 decoder masks, reused per packet. */
  byte[] roceHeaders() {
    if (roceHeaders == null) {
      roceHeaders = new byte[InvariantCrc.MAX_MASKED];
    }
    return roceHeaders;
  }

  /** The RoCEv2 decoder's ICRC, reused per packet. */
  CRC32 roceCrc() {
    if (roceCrc == null) {
      roceCrc = new CRC32();
    }
    return roceCrc;
  }

  /** Appends an encapsulation layer; extra layers past {@link #MAX_LAYERS} are not recorded. */
  public void addLayer(Layer layer) {
    if (layerCount < MAX_LAYERS) {
      layers[layerCount++] = layer;
    }
  }
}
