package io.migaudit.agent.decode;

/**
 * What decoding one frame came to: {@link #NONE} for a decoded IP packet, {@link #NOT_IP} for
 * frames that carry something else, and one named malformation per way a header can be wrong
 * (Suricata's decode events). {@link #reason()} is a bounded metric tag value.
 *
 * <p>{@code *_TOO_SHORT} means the header is cut: the frame (or, for a transport header, the IP
 * packet) ends before it does, often because of the capture's snap length. A payload cut by the
 * snap length is not an issue.
 */
public enum DecodeIssue {
  /** An IP packet was decoded (possibly a fragment, possibly with a cut payload). */
  NONE("none"),
  /** Not IP (ARP, LLDP, STP, other EtherTypes or address families): skipped, not an error. */
  NOT_IP("not-ip"),
  /**
   * A MACsec frame whose data was encrypted (TCI E or C bit set): what it carries cannot be read.
   * Skipped and counted, not an error: an auditor learns how much of a link was hidden this way.
   */
  MACSEC_ENCRYPTED("macsec-encrypted"),
  /** The capture's link type is not one the decoder knows. */
  UNSUPPORTED_LINKTYPE("unsupported-linktype"),
  ETHERNET_TOO_SHORT("ethernet-too-short"),
  VLAN_TOO_SHORT("vlan-too-short"),
  /** More than four stacked 802.1Q/802.1ad tags. */
  VLAN_TOO_MANY_TAGS("vlan-too-many-tags"),
  /** Linux cooked capture header (SLL or SLL2) cut. */
  SLL_TOO_SHORT("sll-too-short"),
  /** BSD loopback (NULL/LOOP) family field cut. */
  LOOPBACK_TOO_SHORT("loopback-too-short"),
  /** Raw IP link type with an empty frame. */
  RAW_IP_TOO_SHORT("raw-ip-too-short"),
  /** Raw IP link type whose first nibble is neither 4 nor 6. */
  RAW_IP_BAD_VERSION("raw-ip-bad-version"),
  IPV4_TOO_SHORT("ipv4-too-short"),
  IPV4_BAD_VERSION("ipv4-bad-version"),
  /** IHL below 5, or a header longer than the packet on the wire. */
  IPV4_BAD_IHL("ipv4-bad-ihl"),
  /** A non-zero total length smaller than the header. */
  IPV4_BAD_TOTAL_LENGTH("ipv4-bad-total-length"),
  IPV6_TOO_SHORT("ipv6-too-short"),
  IPV6_BAD_VERSION("ipv6-bad-version"),
  /** An extension header the capture cut although the packet holds it. */
  IPV6_EXTENSION_HEADER_TOO_SHORT("ipv6-extension-header-too-short"),
  /** An extension header running past the end of the IPv6 packet. */
  IPV6_BAD_EXTENSION_HEADER("ipv6-bad-extension-header"),
  /** A chain of more than eight extension headers. */
  IPV6_TOO_MANY_EXTENSION_HEADERS("ipv6-too-many-extension-headers"),
  TCP_TOO_SHORT("tcp-too-short"),
  /** Data offset below 5 words or past the end of the IP packet. */
  TCP_BAD_DATA_OFFSET("tcp-bad-data-offset"),
  UDP_TOO_SHORT("udp-too-short"),
  /** IPv4 Authentication Header cut by the capture although the packet holds it. */
  AH_TOO_SHORT("ah-too-short"),
  /**
   * IPv4 Authentication Header shorter than its fixed part, running past the packet, or one of more
   * than four in a row.
   */
  AH_BAD_LENGTH("ah-bad-length"),
  /** GRE header (with its optional checksum, key and sequence fields) cut. */
  GRE_TOO_SHORT("gre-too-short"),
  /** ERSPAN type II or III header (or type III platform sub-header) cut. */
  ERSPAN_TOO_SHORT("erspan-too-short"),
  /** ERSPAN header whose version is not the one its GRE protocol type announces. */
  ERSPAN_BAD_VERSION("erspan-bad-version"),
  /** ERSPAN type III frame type other than Ethernet or IP: the mirrored frame cannot be read. */
  ERSPAN_UNSUPPORTED_FRAME_TYPE("erspan-unsupported-frame-type"),
  VXLAN_TOO_SHORT("vxlan-too-short"),
  /** Geneve base header or its options cut. */
  GENEVE_TOO_SHORT("geneve-too-short"),
  /** MACsec SecTAG (with its SCI when the TCI says it is there) or the inner EtherType cut. */
  MACSEC_TOO_SHORT("macsec-too-short"),
  /** MACsec SecTAG whose TCI version bit is set: a SecTAG format 802.1AE-2018 does not define. */
  MACSEC_BAD_TAG("macsec-bad-tag"),
  /** MPLS label stack cut before its bottom entry, or nothing after it. */
  MPLS_TOO_SHORT("mpls-too-short"),
  /** More than eight MPLS labels before the bottom of the stack. */
  MPLS_TOO_MANY_LABELS("mpls-too-many-labels"),
  /**
   * A RoCEv2 packet (UDP 4791, InfiniBand transport header read) whose invariant CRC does not match
   * its bytes: the receiving NIC drops it, so what it carries never reached the destination (a
   * corrupt packet, or one forged to pass off other bytes as the transfer's).
   */
  ROCE_BAD_ICRC("roce-bad-icrc"),
  /** Tunnels nested deeper than {@link DecodedPacket#MAX_LAYERS} layers can describe. */
  TUNNEL_TOO_DEEP("tunnel-too-deep");

  private final String reason;

  DecodeIssue(String reason) {
    this.reason = reason;
  }

  /** Lowercase, hyphenated name for the {@code reason} tag of the dropped-packets metric. */
  public String reason() {
    return reason;
  }

  /**
   * True for a malformed or unsupported frame; false for {@link #NONE}, {@link #NOT_IP} and {@link
   * #MACSEC_ENCRYPTED}.
   */
  public boolean malformed() {
    return this != NONE && this != NOT_IP && this != MACSEC_ENCRYPTED;
  }
}
