package io.migaudit.agent.source;

import io.migaudit.agent.classify.MigrationOpenings;
import io.migaudit.record.PortCatalog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the BPF filter (pcap-filter(7) syntax) a live capture sets in the kernel, so that only
 * what the agent judges crosses into user space: the port catalog's ports, IPsec ESP (IP protocol
 * 50, and in UDP 4500 through NAT), AH (51) over IPv4, Kerberos (TCP/UDP 88, for telling
 * Kerberos-authenticated Hyper-V migrations from CredSSP ones), non-first IPv4 fragments (they
 * carry no ports), and the tunnels a mirror session, overlay or host wraps them in (GRE with
 * ERSPAN, IP in IP as protocols 4 and 41, VXLAN on UDP 4789, Geneve on UDP 6081), and MACsec frames
 * that protect integrity only ({@link #MACSEC_INTEGRITY_ONLY}), whose inner packets the decoder
 * judges. The whole expression is repeated after {@code vlan} so that 802.1Q-tagged frames match
 * too.
 *
 * <p>With a {@link CaptureScope} learnt from the policy, it also passes all traffic inside each
 * migration network (so SHARED_MIGRATION_SEGMENT sees other traffic there, and a migration on an
 * unlisted port is seen) and all TCP and UDP between two hypervisor hosts (a migration on a port no
 * catalog lists, or inside a UDP tunnel that does not encrypt). IPv6 packets behind extension
 * headers (which plain {@code tcp port} does not follow) pass whole: the decoder walks the chain.
 * Segments that open a QEMU or Xen migration stream pass on any port ({@link #MIGRATION_OPENINGS}).
 * Without a scope, other traffic is only seen for what {@code extra} lets through, e.g. {@code "net
 * 192.168.50.0/24"}.
 */
public final class CaptureFilter {
  /** IANA protocol numbers of IPsec ESP and GRE. */
  static final int PROTOCOL_ESP = 50;

  static final int PROTOCOL_GRE = 47;
  static final int PROTOCOL_TCP = 6;

  /** IANA protocol numbers of IPv4 and IPv6 carried in IP (ipip, sit, ip6tnl tunnels). */
  static final int PROTOCOL_IPV4_IN_IP = 4;

  static final int PROTOCOL_IPV6_IN_IP = 41;

  /** IPv4's Authentication Header (IPv6's passes with the extension chains). */
  static final int PROTOCOL_AH = 51;

  /** IPsec NAT traversal: ESP in UDP (RFC 3948). */
  static final int NAT_T_PORT = 4500;

  static final int KERBEROS_PORT = 88;

  /** VXLAN (RFC 7348) and Geneve (RFC 8926) UDP ports, as the decoder knows them. */
  static final int VXLAN_PORT = 4789;

  static final int GENEVE_PORT = 6081;

  /**
   * Ethernet frames whose MACsec SecTAG (IEEE 802.1AE, EtherType 0x88E5) protects integrity only
   * (TCI E and C bits clear), untagged or behind one 802.1Q tag in the frame: their data is in
   * clear and the decoder reads the packet inside ({@code MacsecDecoder}). Absolute offsets, not
   * {@code ether proto}, because the TCI must be tested and libpcap does not shift {@code ether[]}
   * after {@code vlan}; the same clause is right in both halves of the filter. Encrypted MACsec
   * frames stay out: nothing in them can be judged, and on a link MACsec encrypts they are all its
   * traffic.
   */
  static final String MACSEC_INTEGRITY_ONLY =
      "((ether[12:2] == 0x88e5 and ether[14] & 0x0c == 0)"
          + " or (ether[12:2] == 0x8100 and ether[16:2] == 0x88e5 and ether[18] & 0x0c == 0))";

  /**
   * RFC 8200 section 4: hop-by-hop 0, routing 43, fragment 44, AH 51 (RFC 4302), destination
   * options 60.
   */
  private static final int[] EXTENSION_HEADERS = {0, 43, 44, 51, 60};

  /**
   * What may follow the first extension header for the packet to pass: TCP, ESP, or more headers.
   */
  private static final int[] TCP_ESP_OR_EXTENSION = {PROTOCOL_TCP, PROTOCOL_ESP, 0, 43, 44, 51, 60};

  /**
   * IPv6 packets whose first next header is an extension header followed by TCP, ESP or another
   * extension header (every extension header starts with its next header, RFC 8200 section 4, so
   * the first one's is at byte 40), which {@code tcp port} and {@code ip6 proto} do not follow:
   * passed whole, the decoder walks the chain. MLD (ICMPv6 behind hop-by-hop) stays out. Not {@code
   * ip6 protochain 6}: it compiles to a loop the Linux kernel refuses ("Kernel filter failed:
   * Invalid argument", and libpcap then filters in user space, copying every frame), and libpcap
   * cannot compile it after {@code vlan} at all.
   */
  static final String EXTENSION_CHAINS =
      "(ip6 and "
          + anyOf("ip6[6]", EXTENSION_HEADERS)
          + " and "
          + anyOf("ip6[40]", TCP_ESP_OR_EXTENSION)
          + ")";

  /**
   * TCP segments whose payload starts as a QEMU or Xen migration stream does ({@link
   * MigrationOpenings}), whatever their port and hosts: the live agent then follows the connection
   * (it widens the filter to it), so that a migration moved to a port no catalog lists, between
   * hosts the policy does not name, is judged live as in a replay. IPv4, and IPv6 with TCP as the
   * first next header (the decoder walks the other chains, which pass whole). A load past a frame's
   * end makes a BPF program drop the frame, whatever the rest of the filter says: the payload's
   * first word is read only once the IP lengths say it is there.
   */
  static final String MIGRATION_OPENINGS =
      "((tcp and ip[2:2] >= ((ip[0] & 0xf) << 2) + ((tcp[12:1] & 0xf0) >> 2) + 4 and "
          + anyWord("tcp[((tcp[12:1] & 0xf0) >> 2):4]")
          + ") or (ip6 and ip6[6] == "
          + PROTOCOL_TCP
          + " and ip6[4:2] >= ((ip6[52:1] & 0xf0) >> 2) + 4 and "
          + anyWord("ip6[(40 + ((ip6[52:1] & 0xf0) >> 2)):4]")
          + "))";

  private CaptureFilter() {}

  /**
   * {@code filter} widened to the TCP {@code connections} (each from {@link #connection}); {@code
   * filter} itself when there are none or it is blank (it passes everything). libpcap shifts every
   * load after a {@code vlan} keyword by the tag, to the end of the expression: so for a filter
   * {@link #of} built, the connections join the expression before its {@code vlan} and again inside
   * it, and tagged frames of them pass too. Any other filter is ORed after them, untagged.
   */
  public static String widened(String filter, Collection<String> connections) {
    if (connections.isEmpty() || filter == null || filter.isBlank()) {
      return filter;
    }
    String any = String.join(" or ", connections);
    String untagged = untaggedHalf(filter);
    if (untagged == null) {
      return "(" + any + ") or (" + filter + ")";
    }
    String widened = untagged + " or " + any;
    return "(" + widened + ") or (vlan and (" + widened + "))";
  }

  /** X of a filter "(X) or (vlan and (X))", as {@link #of} builds them; null for any other. */
  private static String untaggedHalf(String filter) {
    int frame = "() or (vlan and ())".length();
    if ((filter.length() - frame) % 2 != 0 || filter.length() <= frame) {
      return null;
    }
    String x = filter.substring(1, 1 + (filter.length() - frame) / 2);
    return filter.equals("(" + x + ") or (vlan and (" + x + "))") ? x : null;
  }

  /**
   * {@code filter} without the clause that passes migration openings on any port ({@link
   * #MIGRATION_OPENINGS}): what the capture would pass without it. Unchanged when it has none.
   */
  public static String withoutOpenings(String filter) {
    return filter == null ? null : filter.replace(" or " + MIGRATION_OPENINGS, "");
  }

  /**
   * Both directions of the TCP connection between {@code a} port {@code aPort} and {@code b} port
   * {@code bPort} (addresses in pcap-filter(7) {@code host} syntax, IPv4 or IPv6).
   */
  public static String connection(String a, int aPort, String b, int bPort) {
    return "(tcp and ((src host "
        + a
        + " and src port "
        + aPort
        + " and dst host "
        + b
        + " and dst port "
        + bPort
        + ") or (src host "
        + b
        + " and src port "
        + bPort
        + " and dst host "
        + a
        + " and dst port "
        + aPort
        + ")))";
  }

  /**
   * The filter for {@code catalog}, ORed with {@code extra} (a pcap-filter expression, or null or
   * blank for none).
   */
  public static String of(PortCatalog catalog, String extra) {
    return of(catalog, CaptureScope.none(), extra);
  }

  /** The filter for {@code catalog} and what {@code scope} adds, ORed with {@code extra}. */
  public static String of(PortCatalog catalog, CaptureScope scope, String extra) {
    List<String> all = clauses(catalog);
    all.addAll(scopeClauses(scope));
    String base = String.join(" or ", all);
    if (extra != null && !extra.isBlank()) {
      base = base + " or (" + extra.strip() + ")";
    }
    return "("
        + base
        + " or "
        + EXTENSION_CHAINS
        + ") or (vlan and ("
        + base
        + " or "
        + EXTENSION_CHAINS
        + "))";
  }

  static List<String> clauses(PortCatalog catalog) {
    Set<String> clauses = new LinkedHashSet<>();
    for (PortCatalog.Entry e : catalog.entries()) {
      String transport = e.transport().equals("udp") ? "udp" : "tcp";
      clauses.add(
          e.firstPort() == e.lastPort()
              ? transport + " port " + e.firstPort()
              : transport + " portrange " + e.firstPort() + "-" + e.lastPort());
    }
    clauses.add("port " + KERBEROS_PORT);
    clauses.add("ip proto " + PROTOCOL_ESP);
    clauses.add("ip6 proto " + PROTOCOL_ESP);
    clauses.add("ip proto " + PROTOCOL_GRE);
    clauses.add("ip6 proto " + PROTOCOL_GRE);
    clauses.add("ip proto " + PROTOCOL_IPV4_IN_IP);
    clauses.add("ip6 proto " + PROTOCOL_IPV4_IN_IP);
    clauses.add("ip proto " + PROTOCOL_IPV6_IN_IP);
    clauses.add("ip6 proto " + PROTOCOL_IPV6_IN_IP);
    clauses.add("ip proto " + PROTOCOL_AH);
    clauses.add("udp port " + NAT_T_PORT);
    clauses.add("udp dst port " + VXLAN_PORT);
    clauses.add("udp dst port " + GENEVE_PORT);
    clauses.add("(ip[6:2] & 0x1fff != 0)");
    clauses.add(MACSEC_INTEGRITY_ONLY);
    clauses.add(MIGRATION_OPENINGS);
    return new ArrayList<>(clauses);
  }

  static List<String> scopeClauses(CaptureScope scope) {
    List<String> clauses = new ArrayList<>();
    for (List<String> network : scope.migrationNetworks()) {
      if (!network.isEmpty()) {
        clauses.add("(" + anyNet(network, "src ") + " and " + anyNet(network, "dst ") + ")");
      }
    }
    if (!scope.hypervisorHosts().isEmpty()) {
      List<String> hosts = scope.hypervisorHosts();
      clauses.add(
          "((tcp or udp) and " + anyNet(hosts, "src ") + " and " + anyNet(hosts, "dst ") + ")");
    }
    return clauses;
  }

  /** "(FIELD == A or FIELD == B ...)". */
  private static String anyOf(String field, int[] values) {
    List<String> terms = new ArrayList<>();
    for (int v : values) {
      terms.add(field + " == " + v);
    }
    return "(" + String.join(" or ", terms) + ")";
  }

  /** "(FIELD == 0x... or ...)" over the first words of the migration openings. */
  private static String anyWord(String field) {
    List<String> terms = new ArrayList<>();
    for (int w : MigrationOpenings.firstWords()) {
      terms.add(field + " == 0x" + Integer.toHexString(w));
    }
    return "(" + String.join(" or ", terms) + ")";
  }

  /** "(src net A or src net B ...)" for {@code direction} "src ", likewise "dst ". */
  private static String anyNet(List<String> cidrs, String direction) {
    List<String> nets = new ArrayList<>();
    for (String c : cidrs) {
      nets.add(direction + "net " + c);
    }
    return "(" + String.join(" or ", nets) + ")";
  }
}
