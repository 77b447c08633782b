package io.migaudit.agent.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.PortCatalog;
import io.migaudit.testsupport.CiGate;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * The live capture's BPF filter: what it says, and (with libpcap installed) what it lets through.
 */
class CaptureFilterTest {
  private static final String FILTER = CaptureFilter.of(PortCatalog.builtIn(), null);

  private static byte[] ethernet(int etherType, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
    b.put(new byte[] {0, 0x50, 0x56, 0, 0, 1, 0, 0x50, 0x56, 0, 0, 2})
        .putShort((short) etherType)
        .put(payload);
    return b.array();
  }

  private static byte[] tagged(int vlan, byte[] ipv4) {
    ByteBuffer b = ByteBuffer.allocate(4 + ipv4.length);
    b.putShort((short) vlan).putShort((short) 0x0800).put(ipv4);
    return ethernet(0x8100, b.array());
  }

  private static byte[] ipv4(int protocol, int fragment, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
    b.put((byte) 0x45)
        .put((byte) 0)
        .putShort((short) (20 + payload.length))
        .putShort((short) 1)
        .putShort((short) fragment)
        .put((byte) 64)
        .put((byte) protocol)
        .putShort((short) 0)
        .putInt(0xC0A8320B)
        .putInt(0xC0A8320C)
        .put(payload);
    return b.array();
  }

  private static byte[] ports(int src, int dst) {
    return ByteBuffer.allocate(20)
        .putShort((short) src)
        .putShort((short) dst)
        .put(12, (byte) 0x50)
        .array();
  }

  /** A MACsec SecTAG after its EtherType (TCI, SL 0, PN 1, an SCI if the TCI says so), data. */
  private static byte[] macsec(int tci, byte[] ipv4) {
    int sci = (tci & 0x20) != 0 ? 8 : 0;
    ByteBuffer b = ByteBuffer.allocate(6 + sci + 2 + ipv4.length + 16);
    b.put((byte) tci).put((byte) 0).putInt(1).put(new byte[sci]).putShort((short) 0x0800);
    return b.put(ipv4).array();
  }

  private static byte[] vlanTag(int vlan, int next) {
    return ByteBuffer.allocate(4).putShort((short) vlan).putShort((short) next).array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
  }

  private static boolean passes(BpfProgram program, byte[] frame) {
    return program.applyFilter(frame);
  }

  @Test
  void namesEveryCatalogEntryEspKerberosAndTheTunnels() {
    assertThat(CaptureFilter.clauses(PortCatalog.builtIn()))
        .contains(
            "tcp port 8000",
            "tcp port 6600",
            "tcp portrange 49152-49215",
            "tcp portrange 60000-60050",
            "port 88",
            "ip proto 50",
            "ip6 proto 50",
            "ip proto 47",
            "ip proto 4",
            "ip proto 41",
            "ip6 proto 4",
            "ip6 proto 41",
            "ip proto 51",
            "udp port 4500",
            "udp dst port 4789",
            "udp dst port 6081");
    assertThat(FILTER).contains("or (vlan and (");
  }

  @Test
  void policyPortsAndExtraExpressionJoinTheFilter() {
    PortCatalog catalog =
        PortCatalog.builtIn().with(List.of(new PortCatalog.Entry("custom", "udp", 7000, 7000)));

    assertThat(CaptureFilter.of(catalog, " net 192.168.50.0/24 "))
        .contains("udp port 7000")
        .contains(" or (net 192.168.50.0/24) or (ip6 and (ip6[6] == 0")
        .contains(") or (vlan and (");
  }

  @Test
  void libpcapCompilesItAndItLetsThroughMigrationTunnelsAndTagsOnly() throws Exception {
    BpfProgram program;
    try {
      program =
          Pcaps.compileFilter(
              65535,
              DataLinkType.EN10MB,
              FILTER,
              BpfCompileMode.OPTIMIZE,
              (Inet4Address) InetAddress.getByName("255.255.255.255"));
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw CiGate.unavailable(
          "libpcap is not installed (Debian: apt-get install libpcap0.8): " + e);
    }
    try {
      assertThat(passes(program, ethernet(0x0800, ipv4(6, 0, ports(41011, 8000)))))
          .as("vMotion")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(6, 0, ports(8000, 41011)))))
          .as("vMotion reply")
          .isTrue();
      assertThat(passes(program, tagged(50, ipv4(6, 0, ports(50000, 6600)))))
          .as("tagged Hyper-V")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(50, 0, new byte[16])))).as("ESP").isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(47, 0, new byte[16]))))
          .as("GRE/ERSPAN")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(17, 0, ports(53001, 4789)))))
          .as("VXLAN")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(4, 0, new byte[40]))))
          .as("IPv4 in IPv4")
          .isTrue();
      assertThat(passes(program, tagged(50, ipv4(41, 0, new byte[40]))))
          .as("tagged IPv6 in IPv4")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(51, 0, new byte[40])))).as("AH").isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(17, 0, ports(4500, 4500)))))
          .as("ESP in UDP")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(6, 0x0010, new byte[16]))))
          .as("later fragment")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(6, 0, ports(50000, 443)))))
          .as("HTTPS")
          .isFalse();
      assertThat(passes(program, tagged(50, ipv4(6, 0, ports(50000, 80)))))
          .as("tagged HTTP")
          .isFalse();
      assertThat(passes(program, ethernet(0x0806, new byte[28]))).as("ARP").isFalse();
      byte[] https = ipv4(6, 0, ports(50000, 443));
      assertThat(passes(program, ethernet(0x88e5, macsec(0x20, https))))
          .as("MACsec, integrity only, with an SCI, whatever it carries")
          .isTrue();
      assertThat(passes(program, ethernet(0x88e5, macsec(0x00, https))))
          .as("MACsec, integrity only, without an SCI")
          .isTrue();
      assertThat(
              passes(program, ethernet(0x8100, concat(vlanTag(2047, 0x88e5), macsec(0x20, https)))))
          .as("MACsec, integrity only, behind an 802.1Q tag")
          .isTrue();
      for (int encrypted : new int[] {0x2c, 0x28, 0x24, 0x0c}) {
        assertThat(passes(program, ethernet(0x88e5, macsec(encrypted, https))))
            .as("MACsec with TCI %02x: encrypted or changed, nothing to read", encrypted)
            .isFalse();
        assertThat(
                passes(
                    program,
                    ethernet(0x8100, concat(vlanTag(2047, 0x88e5), macsec(encrypted, https)))))
            .as("tagged MACsec with TCI %02x", encrypted)
            .isFalse();
      }
    } finally {
      program.free();
    }
  }

  /**
   * MPLS frames stay out of the default filter (on a provider link they are all its traffic); the
   * extra expression README.md gives lets them through, tagged or not, and breaks no other clause.
   */
  @Test
  void mplsPassesOnlyWithTheExtraExpressionTheReadmeGives() throws Exception {
    byte[] vmotion = ipv4(6, 0, ports(41011, 8000));
    byte[] labels = ByteBuffer.allocate(8).putInt(16001 << 12).putInt(24001 << 12 | 0x100).array();
    byte[] labelled = ethernet(0x8847, concat(labels, vmotion));
    BpfProgram plain = compileOrSkip(FILTER);
    BpfProgram withMpls =
        compileOrSkip(
            CaptureFilter.of(PortCatalog.builtIn(), "ether proto 0x8847 or ether proto 0x8848"));
    try {
      assertThat(passes(plain, labelled)).as("MPLS, default filter").isFalse();
      assertThat(passes(withMpls, labelled)).as("MPLS with the extra expression").isTrue();
      assertThat(
              passes(
                  withMpls,
                  ethernet(0x8100, concat(vlanTag(300, 0x8847), concat(labels, vmotion)))))
          .as("tagged MPLS with the extra expression")
          .isTrue();
      assertThat(passes(withMpls, ethernet(0x0800, vmotion))).as("vMotion still").isTrue();
      assertThat(passes(withMpls, ethernet(0x0800, ipv4(6, 0, ports(50000, 443)))))
          .as("HTTPS still out")
          .isFalse();
    } finally {
      plain.free();
      withMpls.free();
    }
  }

  private static final CaptureScope SCOPE =
      new CaptureScope(
          List.of(List.of("192.168.50.0/24", "fd00:50::/64"), List.of("10.66.0.0/24")),
          List.of("192.168.50.11", "192.168.50.12", "10.10.0.11", "10.10.0.12"));

  private static byte[] ipv4(int protocol, int src, int dst, byte[] payload) {
    byte[] b = ipv4(protocol, 0, payload);
    ByteBuffer.wrap(b).putInt(12, src).putInt(16, dst);
    return b;
  }

  /** IPv6 fd00:50::11 -> fd00:50::12 with a hop-by-hop options header before {@code protocol}. */
  private static byte[] ipv6WithHopByHop(int protocol, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(40 + 8 + payload.length);
    b.putInt(0x60000000).putShort((short) (8 + payload.length)).put((byte) 0).put((byte) 64);
    b.putLong(0xfd00005000000000L).putLong(0x11).putLong(0xfd00005000000000L).putLong(0x12);
    b.put((byte) protocol).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0}).put(payload);
    return b.array();
  }

  /** IPv6 fixed header fd00:50::11 -> fd00:50::12, next header {@code protocol}. */
  private static byte[] ipv6(int protocol, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
    b.putInt(0x60000000).putShort((short) payload.length).put((byte) protocol).put((byte) 64);
    b.putLong(0xfd00005000000000L)
        .putLong(0x11)
        .putLong(0xfd00005000000000L)
        .putLong(0x12)
        .put(payload);
    return b.array();
  }

  /**
   * {@code protochain} compiles to a backward jump, which the Linux kernel refuses: libpcap then
   * filters in user space and every frame is copied to the agent. The filter must not use it.
   */
  @Test
  void noProtochainSoTheKernelTakesTheFilter() {
    assertThat(FILTER).doesNotContain("protochain");
    assertThat(CaptureFilter.of(PortCatalog.builtIn(), SCOPE, null)).doesNotContain("protochain");
  }

  @Test
  void scopeAddsMigrationNetworksAndTcpAndUdpBetweenHypervisors() {
    String filter = CaptureFilter.of(PortCatalog.builtIn(), SCOPE, null);
    assertThat(filter)
        .contains(
            "((src net 192.168.50.0/24 or src net fd00:50::/64) and (dst net 192.168.50.0/24"
                + " or dst net fd00:50::/64))",
            "((tcp or udp) and (src net 192.168.50.11 or src net 192.168.50.12");
    assertThat(CaptureFilter.of(PortCatalog.builtIn(), CaptureScope.none(), null))
        .isEqualTo(FILTER);
  }

  @Test
  void libpcapLetsThroughAnyPortInsideTheScopeOnly() throws Exception {
    BpfProgram program = compileOrSkip(CaptureFilter.of(PortCatalog.builtIn(), SCOPE, null));
    int esxA = 0xC0A8320B;
    int esxB = 0xC0A8320C;
    int mgmtA = 0x0A0A000B;
    int mgmtB = 0x0A0A000C;
    int outside = 0x0A090909;
    try {
      assertThat(passes(program, ethernet(0x0800, ipv4(6, 0, ports(41011, 5000)))))
          .as("QEMU on 5000")
          .isTrue();
      assertThat(passes(program, tagged(50, ipv4(6, 0, ports(41011, 5000)))))
          .as("tagged, on 5000")
          .isTrue();
      assertThat(passes(program, tagged(50, ipv4(17, 0, ports(5353, 5353)))))
          .as("UDP on the segment")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(6, mgmtA, mgmtB, ports(41011, 5000)))))
          .as("TCP between hypervisors' management addresses")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(17, mgmtA, mgmtB, ports(1194, 1194)))))
          .as("UDP between hypervisors outside the networks: a tunnel may carry a migration")
          .isTrue();
      assertThat(passes(program, ethernet(0x0800, ipv4(17, mgmtA, outside, ports(1194, 1194)))))
          .as("UDP from a hypervisor to a host outside the scope")
          .isFalse();
      assertThat(passes(program, ethernet(0x0800, ipv4(6, esxA, outside, ports(41011, 5000)))))
          .as("to a host outside the scope")
          .isFalse();
      assertThat(passes(program, ethernet(0x86DD, ipv6WithHopByHop(6, ports(41011, 443)))))
          .as("IPv6 TCP behind a hop-by-hop header")
          .isTrue();
      assertThat(esxB).isNotEqualTo(esxA);
    } finally {
      program.free();
    }
  }

  @Test
  void libpcapFollowsIpv6ExtensionHeadersWithoutAScope() throws Exception {
    BpfProgram program = compileOrSkip(FILTER);
    try {
      assertThat(passes(program, ethernet(0x86DD, ipv6WithHopByHop(6, ports(41011, 8000)))))
          .as("IPv6 TCP behind a hop-by-hop header")
          .isTrue();
      assertThat(passes(program, ethernet(0x86DD, ipv6WithHopByHop(50, new byte[16]))))
          .as("IPv6 ESP behind a hop-by-hop header")
          .isTrue();
      assertThat(passes(program, ethernet(0x86DD, ipv6(17, ports(41011, 53)))))
          .as("IPv6 UDP without extension headers")
          .isFalse();
      assertThat(passes(program, ethernet(0x86DD, ipv6WithHopByHop(58, new byte[24]))))
          .as("MLD: ICMPv6 behind a hop-by-hop header")
          .isFalse();
    } finally {
      program.free();
    }
  }

  /** A TCP header (data offset {@code headerWords} 32-bit words) before {@code payload}. */
  private static byte[] segment(int src, int dst, int headerWords, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(headerWords * 4 + payload.length);
    b.putShort((short) src).putShort((short) dst).put(12, (byte) (headerWords << 4));
    b.position(headerWords * 4);
    return b.put(payload).array();
  }

  private static byte[] payload(String ascii) {
    return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static final byte[] QEMU_OPENING = {'Q', 'E', 'V', 'M', 0, 0, 0, 3, 7};

  /**
   * A migration moved to a port no catalog lists, between hosts no policy names: the segment that
   * opens it passes (so the live agent can follow it), with TCP options or without, IPv4 or IPv6,
   * tagged or not; the same segment with other bytes does not.
   */
  @Test
  void libpcapLetsThroughSegmentsThatOpenAMigrationStreamOnAnyPort() throws Exception {
    BpfProgram program = compileOrSkip(CaptureFilter.of(PortCatalog.builtIn(), SCOPE, null));
    int esxA = 0xC0A8320B;
    int outside = 0x0A090909;
    byte[] multifd = {0x11, 0x22, 0x33, 0x44, 0, 0, 0, 1};
    try {
      assertThat(
              passes(
                  program,
                  ethernet(0x0800, ipv4(6, esxA, outside, segment(41011, 4444, 5, QEMU_OPENING)))))
          .as("QEMU's QEVM to an unlisted port")
          .isTrue();
      assertThat(
              passes(
                  program,
                  ethernet(0x0800, ipv4(6, esxA, outside, segment(41011, 4444, 8, multifd)))))
          .as("multifd, behind 12 bytes of TCP options")
          .isTrue();
      assertThat(
              passes(
                  program,
                  tagged(
                      50,
                      ipv4(
                          6,
                          outside,
                          esxA,
                          segment(41011, 4444, 5, payload("Xen saved domain, xl format\n"))))))
          .as("tagged xl save header")
          .isTrue();
      assertThat(
              passes(
                  program,
                  ethernet(
                      0x0800, ipv4(6, esxA, outside, segment(41011, 4444, 5, payload("GET /"))))))
          .as("other bytes to the same port")
          .isFalse();
      assertThat(
              passes(
                  program,
                  ethernet(
                      0x0800,
                      ipv4(
                          6,
                          esxA,
                          outside,
                          segment(41011, 4444, 8, new byte[] {0, 0, 'Q', 'E', 'V', 'M'})))))
          .as("QEVM not at the payload's start")
          .isFalse();
      assertThat(
              passes(
                  program,
                  ethernet(0x0800, ipv4(6, esxA, outside, segment(41011, 4444, 5, new byte[3])))))
          .as("a segment too short for a word")
          .isFalse();
    } finally {
      program.free();
    }
    // fd00:50::11 -> fd00:50::12 is a migration network of SCOPE: without one
    BpfProgram noScope = compileOrSkip(FILTER);
    try {
      assertThat(
              passes(
                  noScope, ethernet(0x86DD, ipv6(6, segment(41011, 4444, 5, payload("LibxlFmt"))))))
          .as("IPv6 libxl stream")
          .isTrue();
      assertThat(passes(noScope, ethernet(0x86DD, ipv6(6, segment(41011, 4444, 6, QEMU_OPENING)))))
          .as("IPv6 QEVM behind 4 bytes of TCP options")
          .isTrue();
      assertThat(passes(noScope, ethernet(0x86DD, ipv6(17, segment(41011, 4444, 2, QEMU_OPENING)))))
          .as("QEVM in UDP")
          .isFalse();
      assertThat(
              passes(noScope, ethernet(0x86DD, ipv6(6, segment(41011, 4444, 5, payload("Hello"))))))
          .as("IPv6, other bytes")
          .isFalse();
    } finally {
      noScope.free();
    }
  }

  @Test
  void aWidenedFilterPassesBothDirectionsOfTheConnectionFollowedAndNoOther() throws Exception {
    String base = CaptureFilter.of(PortCatalog.builtIn(), SCOPE, null);
    String followed = CaptureFilter.connection("192.168.50.11", 41011, "10.9.9.9", 4444);
    BpfProgram program = compileOrSkip(CaptureFilter.widened(base, List.of(followed)));
    int esxA = 0xC0A8320B;
    int outside = 0x0A090909;
    byte[] pages = new byte[64];
    try {
      assertThat(
              passes(
                  program,
                  ethernet(0x0800, ipv4(6, esxA, outside, segment(41011, 4444, 5, pages)))))
          .as("the migration's pages")
          .isTrue();
      assertThat(
              passes(
                  program, tagged(7, ipv4(6, outside, esxA, segment(4444, 41011, 5, new byte[0])))))
          .as("its tagged acknowledgements")
          .isTrue();
      assertThat(
              passes(
                  program,
                  ethernet(0x0800, ipv4(6, esxA, outside, segment(41012, 4444, 5, pages)))))
          .as("another connection to the same port")
          .isFalse();
      assertThat(
              passes(
                  program,
                  ethernet(0x0800, ipv4(6, outside, esxA, segment(41011, 4444, 5, pages)))))
          .as("the same ports the other way round")
          .isFalse();
    } finally {
      program.free();
    }
    String other = "tcp port 7000";
    BpfProgram widenedOther = compileOrSkip(CaptureFilter.widened(other, List.of(followed)));
    try {
      assertThat(
              passes(
                  widenedOther,
                  ethernet(0x0800, ipv4(6, esxA, outside, segment(41011, 4444, 5, pages)))))
          .as("a filter not built here, widened")
          .isTrue();
      assertThat(
              passes(
                  widenedOther,
                  ethernet(0x0800, ipv4(6, esxA, outside, segment(41011, 7000, 5, pages)))))
          .as("what it passed itself")
          .isTrue();
    } finally {
      widenedOther.free();
    }
    assertThat(CaptureFilter.widened(base, List.of())).isEqualTo(base);
    assertThat(CaptureFilter.widened("", List.of(followed))).isEmpty();
  }

  /** fd00:50::11 -> fd00:50::12 (ipv6()'s addresses), followed without a scope that holds them. */
  @Test
  void aWidenedFilterFollowsAnIpv6Connection() throws Exception {
    String followed = CaptureFilter.connection("fd00:50::11", 41011, "fd00:50::12", 4444);
    BpfProgram program = compileOrSkip(CaptureFilter.widened(FILTER, List.of(followed)));
    byte[] pages = new byte[64];
    try {
      assertThat(passes(program, ethernet(0x86DD, ipv6(6, segment(41011, 4444, 5, pages)))))
          .as("the migration's pages")
          .isTrue();
      assertThat(passes(program, ethernet(0x86DD, ipv6(6, segment(41012, 4444, 5, pages)))))
          .as("another connection")
          .isFalse();
    } finally {
      program.free();
    }
  }

  private static BpfProgram compileOrSkip(String filter) throws Exception {
    try {
      return Pcaps.compileFilter(
          65535,
          DataLinkType.EN10MB,
          filter,
          BpfCompileMode.OPTIMIZE,
          (Inet4Address) InetAddress.getByName("255.255.255.255"));
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw CiGate.unavailable(
          "libpcap is not installed (Debian: apt-get install libpcap0.8): " + e);
    }
  }

  @Test
  void openingAMissingInterfaceIsOneLineIoException() {
    try {
      Pcap4jSource.open("ma-no-such-if0", LiveCaptureOptions.defaults(FILTER)).close();
      throw new AssertionError("opened a missing interface");
    } catch (IOException e) {
      assertThat(e.getMessage()).startsWith("ma-no-such-if0: ").doesNotContain("\n");
    }
  }
}
