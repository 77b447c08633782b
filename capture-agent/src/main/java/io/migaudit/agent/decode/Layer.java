package io.migaudit.agent.decode;

/** Encapsulation layers a frame can carry around its inner IP packet. */
public enum Layer {
  ETHERNET("ethernet"),
  VLAN("vlan"),
  QINQ("qinq"),
  LINUX_SLL("linux-sll"),
  LINUX_SLL2("linux-sll2"),
  RAW_IP("raw-ip"),
  LOOPBACK("loopback"),
  IPV4("ipv4"),
  IPV6("ipv6"),
  GRE("gre"),
  ERSPAN("erspan"),
  VXLAN("vxlan"),
  GENEVE("geneve"),
  /** An IP packet directly inside another (IP protocol 4 or 41): ipip, sit, ip6tnl tunnels. */
  IP_IN_IP("ip-in-ip"),
  /** An IEEE 802.1AE SecTAG that protects the frame's integrity only: its data is in clear. */
  MACSEC("macsec"),
  /** An MPLS label stack (RFC 3032): an L3VPN, a labelled route, or an Ethernet pseudowire. */
  MPLS("mpls"),
  /**
   * A UDP datagram on no tunnel decoder's port that carries a packet or frame in clear (OpenVPN
   * without a cipher, Foo-over-UDP, a home-made tunnel): {@code UdpTunnelProbe}.
   */
  UDP_TUNNEL("udp-tunnel");

  private final String wire;

  Layer(String wire) {
    this.wire = wire;
  }

  /** Name used in FlowRecord.encapsulation. */
  public String wire() {
    return wire;
  }
}
