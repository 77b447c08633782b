package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.GRE;
import static io.migaudit.agent.decode.FrameBytes.ICMP;
import static io.migaudit.agent.decode.FrameBytes.IPV4_IN_IP;
import static io.migaudit.agent.decode.FrameBytes.IPV6_IN_IP;
import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.decode;
import static io.migaudit.agent.decode.FrameBytes.decodeEthernet;
import static io.migaudit.agent.decode.FrameBytes.erspanII;
import static io.migaudit.agent.decode.FrameBytes.erspanIII;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.fragment;
import static io.migaudit.agent.decode.FrameBytes.geneve;
import static io.migaudit.agent.decode.FrameBytes.gre;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.ipv4Header;
import static io.migaudit.agent.decode.FrameBytes.ipv6;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.snapped;
import static io.migaudit.agent.decode.FrameBytes.tag;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static io.migaudit.agent.decode.FrameBytes.vxlan;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GRE, ERSPAN, VXLAN, Geneve and IP in IP: the inner packet becomes the flow; one test per way it
 * goes wrong.
 */
class TunnelDecoderTest {
  private static final int MIRROR_SOURCE = v4(10, 99, 0, 1);
  private static final int COLLECTOR = v4(10, 99, 0, 2);
  private static final int VMOTION_SRC = v4(192, 168, 50, 11);
  private static final int VMOTION_DST = v4(192, 168, 50, 12);

  /** The mirrored vMotion segment: 41011 -> 8000 with 6 payload bytes. */
  private static final byte[] INNER_IP =
      ipv4(TCP, VMOTION_SRC, VMOTION_DST, tcp(41011, 8000, 0x18, payload(6)));

  private static final byte[] INNER_FRAME = ethernet(0x0800, INNER_IP);

  /**
   * The collector's view: Ethernet, tagged 99 on the collector port, IPv4 from the mirror source.
   */
  private static byte[] outer(int protocol, byte[] payload) {
    return ethernet(
        0x8100, concat(tag(99, 0x0800), ipv4(protocol, MIRROR_SOURCE, COLLECTOR, payload)));
  }

  private static byte[] overUdp(int dstPort, byte[] payload) {
    return outer(UDP, udp(53001, dstPort, payload));
  }

  private static void assertInner(FrameBytes.Decoded d, Layer... layers) {
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(layers);
    assertThat(d.packet().ipVersion).isEqualTo(4);
    assertThat(d.packet().srcLo).isEqualTo(Integer.toUnsignedLong(VMOTION_SRC));
    assertThat(d.packet().dstLo).isEqualTo(Integer.toUnsignedLong(VMOTION_DST));
    assertThat(d.packet().ipProtocol).isEqualTo(TCP);
    assertThat(d.packet().srcPort).isEqualTo(41011);
    assertThat(d.packet().dstPort).isEqualTo(8000);
    assertThat(d.packet().tcpFlags).isEqualTo(0x18);
    assertThat(d.packet().ipLength).isEqualTo(INNER_IP.length);
    assertThat(d.payload()).isEqualTo(payload(6));
  }

  @Test
  void greCarryingIpv4IsTheInnerPacketWithoutAVlan() {
    FrameBytes.Decoded d = decodeEthernet(outer(GRE, gre(0, 0x0800, INNER_IP)));

    assertInner(d, Layer.ETHERNET, Layer.VLAN, Layer.IPV4, Layer.GRE);
    assertThat(d.packet().vlan)
        .as("the collector port's VLAN is not the flow's")
        .isEqualTo(DecodedPacket.NO_VLAN);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x8000, 0x2000, 0x1000, 0xB000})
  void greOptionalFieldsAreSkipped(int flags) {
    assertInner(
        decodeEthernet(outer(GRE, gre(flags, 0x0800, INNER_IP))),
        Layer.ETHERNET,
        Layer.VLAN,
        Layer.IPV4,
        Layer.GRE);
  }

  @Test
  void greOverIpv6CarryingTransparentEthernetTakesTheInnerTag() {
    byte[] inner = ethernet(0x8100, concat(tag(50, 0x0800), INNER_IP));
    FrameBytes.Decoded d = decodeEthernet(ethernet(0x86DD, ipv6(GRE, gre(0x2000, 0x6558, inner))));

    assertInner(d, Layer.ETHERNET, Layer.IPV6, Layer.GRE, Layer.ETHERNET, Layer.VLAN);
    assertThat(d.packet().vlan).isEqualTo(50);
  }

  @Test
  void greHeaderCutIsGreTooShort() {
    byte[] frame = outer(GRE, gre(0xB000, 0x0800, INNER_IP));
    int greStart = 14 + 4 + 20;

    assertThat(decode(snapped(1, frame, greStart + 3)).issue())
        .isEqualTo(DecodeIssue.GRE_TOO_SHORT);
    assertThat(decode(snapped(1, frame, greStart + 15)).issue())
        .isEqualTo(DecodeIssue.GRE_TOO_SHORT);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x0000, 0x8909, 0x2000})
  void greOfOtherProtocolsStaysAPlainGrePacket(int protocol) {
    FrameBytes.Decoded d = decodeEthernet(outer(GRE, gre(0x2000, protocol, payload(8))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(Layer.ETHERNET, Layer.VLAN);
    assertThat(d.packet().ipProtocol).isEqualTo(GRE);
    assertThat(d.packet().srcLo).isEqualTo(MIRROR_SOURCE);
    assertThat(d.packet().vlan).isEqualTo(99);
    assertThat(d.packet().payloadCapturedLength).isEqualTo(8 + 8);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x0001, 0x4000, 0x0800})
  void greVersionOneAndRfc1701RoutingAreNotDecapsulated(int flags) {
    FrameBytes.Decoded d = decodeEthernet(outer(GRE, gre(flags, 0x0800, INNER_IP)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(GRE);
    assertThat(d.packet().srcLo).isEqualTo(MIRROR_SOURCE);
  }

  @Test
  void nonFirstFragmentOfATunnelIsNotDecapsulated() {
    byte[] gre = gre(0, 0x0800, INNER_IP);
    byte[] frame =
        ethernet(
            0x0800,
            concat(ipv4Header(0x45, 20 + gre.length, 0x0010, GRE, MIRROR_SOURCE, COLLECTOR), gre));
    FrameBytes.Decoded d = decodeEthernet(frame);

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().fragment).isTrue();
    assertThat(d.packet().srcLo).isEqualTo(MIRROR_SOURCE);
  }

  /**
   * A VXLAN datagram too big for its underlay goes out in IP fragments (Linux VXLAN leaves DF
   * clear). The first fragment holds the tunnel and the start of the inner packet: that decodes,
   * cut at the fragment's end as a snap length would cut it, and is marked as a tunnel fragment.
   * The same over IPv6 (a Fragment header); whole tunnel packets and a first fragment of plain TCP
   * are not marked.
   */
  @Test
  void firstFragmentOfATunnelIsTheInnerPacketCutAndMarked() {
    byte[] inner =
        ethernet(
            0x0800, ipv4(TCP, VMOTION_SRC, VMOTION_DST, tcp(41011, 8000, 0x18, payload(1400))));
    byte[] datagram = udp(53001, 4789, vxlan(0x08, inner));
    byte[] firstPiece = Arrays.copyOf(datagram, 1200); // a multiple of 8, as fragments are cut
    byte[] ipv4First =
        ethernet(
            0x0800,
            concat(
                ipv4Header(0x45, 20 + firstPiece.length, 0x2000, UDP, MIRROR_SOURCE, COLLECTOR),
                firstPiece));
    byte[] ipv6First = ethernet(0x86DD, ipv6(44, concat(fragment(UDP, 0, true), firstPiece)));

    for (byte[] frame : new byte[][] {ipv4First, ipv6First}) {
      FrameBytes.Decoded d = decodeEthernet(frame);
      assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
      assertThat(d.layers()).endsWith(Layer.VXLAN, Layer.ETHERNET);
      assertThat(d.packet().dstPort).isEqualTo(8000);
      assertThat(d.packet().payloadCapturedLength).isLessThan(d.packet().payloadWireLength);
      assertThat(d.packet().tunnelFragment).as("first fragment of a tunnel").isTrue();
      assertThat(d.packet().ipv4Fragment).as("the inner packet is whole").isFalse();
    }
    assertThat(decodeEthernet(overUdp(4789, vxlan(0x08, inner))).packet().tunnelFragment)
        .as("a whole tunnel packet")
        .isFalse();
    byte[] segment = tcp(41011, 8000, 0x18, payload(1400));
    FrameBytes.Decoded plain =
        decodeEthernet(
            ethernet(
                0x0800,
                concat(
                    ipv4Header(0x45, 20 + 600, 0x2000, TCP, VMOTION_SRC, VMOTION_DST),
                    Arrays.copyOf(segment, 600))));
    assertThat(plain.packet().ipv4Fragment).isTrue();
    assertThat(plain.packet().tunnelFragment).as("no tunnel").isFalse();
  }

  @Test
  void erspanTypeIHasNoHeader() {
    assertInner(
        decodeEthernet(outer(GRE, gre(0, 0x88BE, INNER_FRAME))),
        Layer.ETHERNET,
        Layer.VLAN,
        Layer.IPV4,
        Layer.GRE,
        Layer.ERSPAN,
        Layer.ETHERNET);
  }

  @Test
  void erspanTypeIIVlanStandsForTheStrippedTag() {
    FrameBytes.Decoded d =
        decodeEthernet(outer(GRE, gre(0x1000, 0x88BE, erspanII(50, 2, INNER_FRAME))));

    assertInner(d, Layer.ETHERNET, Layer.VLAN, Layer.IPV4, Layer.GRE, Layer.ERSPAN, Layer.ETHERNET);
    assertThat(d.packet().vlan).isEqualTo(50);
    assertThat(d.packet().outerVlan).isEqualTo(DecodedPacket.NO_VLAN);
  }

  @Test
  void erspanTypeIIInnerTagWinsAndUntaggedEnMeansNoVlan() {
    byte[] tagged = ethernet(0x8100, concat(tag(51, 0x0800), INNER_IP));
    FrameBytes.Decoded inner =
        decodeEthernet(outer(GRE, gre(0x1000, 0x88BE, erspanII(50, 3, tagged))));
    FrameBytes.Decoded untagged =
        decodeEthernet(outer(GRE, gre(0x1000, 0x88BE, erspanII(50, 0, INNER_FRAME))));

    assertThat(inner.packet().vlan).isEqualTo(51);
    assertThat(inner.layers()).endsWith(Layer.ETHERNET, Layer.VLAN);
    assertThat(untagged.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(untagged.packet().vlan).isEqualTo(DecodedPacket.NO_VLAN);
  }

  @Test
  void erspanTypeIICutOrOfTheWrongVersion() {
    byte[] frame = outer(GRE, gre(0x1000, 0x88BE, erspanII(50, 2, INNER_FRAME)));
    byte[] typeIII = outer(GRE, gre(0x1000, 0x88BE, erspanIII(50, 0, false, INNER_FRAME)));

    assertThat(decode(snapped(1, frame, 14 + 4 + 20 + 8 + 7)).issue())
        .isEqualTo(DecodeIssue.ERSPAN_TOO_SHORT);
    assertThat(decodeEthernet(typeIII).issue()).isEqualTo(DecodeIssue.ERSPAN_BAD_VERSION);
  }

  @Test
  void erspanTypeIIISkipsThePlatformSubheader() {
    FrameBytes.Decoded d =
        decodeEthernet(outer(GRE, gre(0x1000, 0x22EB, erspanIII(50, 0, true, INNER_FRAME))));

    assertInner(d, Layer.ETHERNET, Layer.VLAN, Layer.IPV4, Layer.GRE, Layer.ERSPAN, Layer.ETHERNET);
    assertThat(d.packet().vlan).isEqualTo(50);
  }

  @Test
  void erspanTypeIIICarriesBareIpPackets() {
    assertInner(
        decodeEthernet(outer(GRE, gre(0, 0x22EB, erspanIII(0, 2, false, INNER_IP)))),
        Layer.ETHERNET,
        Layer.VLAN,
        Layer.IPV4,
        Layer.GRE,
        Layer.ERSPAN);
  }

  @Test
  void erspanTypeIIIFailureModes() {
    byte[] withSubheader = outer(GRE, gre(0, 0x22EB, erspanIII(50, 0, true, INNER_FRAME)));
    int erspanStart = 14 + 4 + 20 + 4;

    assertThat(decode(snapped(1, withSubheader, erspanStart + 11)).issue())
        .isEqualTo(DecodeIssue.ERSPAN_TOO_SHORT);
    assertThat(decode(snapped(1, withSubheader, erspanStart + 19)).issue())
        .isEqualTo(DecodeIssue.ERSPAN_TOO_SHORT);
    assertThat(decodeEthernet(outer(GRE, gre(0, 0x22EB, erspanII(50, 2, INNER_FRAME)))).issue())
        .isEqualTo(DecodeIssue.ERSPAN_BAD_VERSION);
    assertThat(
            decodeEthernet(outer(GRE, gre(0, 0x22EB, erspanIII(50, 7, false, INNER_FRAME))))
                .issue())
        .isEqualTo(DecodeIssue.ERSPAN_UNSUPPORTED_FRAME_TYPE);
  }

  @Test
  void mirroredNonIpFrameIsNotIpAndKeepsItsVlan() {
    FrameBytes.Decoded d =
        decodeEthernet(
            outer(GRE, gre(0x1000, 0x88BE, erspanII(50, 2, ethernet(0x0806, payload(28))))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NOT_IP);
    assertThat(d.packet().vlan).isEqualTo(50);
  }

  @Test
  void vxlanIsTheInnerFrame() {
    FrameBytes.Decoded d = decodeEthernet(overUdp(4789, vxlan(0x08, INNER_FRAME)));
    assertInner(d, Layer.ETHERNET, Layer.VLAN, Layer.IPV4, Layer.VXLAN, Layer.ETHERNET);
    assertThat(d.packet().vni).as("the overlay segment").isEqualTo(100);
    assertThat(decodeEthernet(outer(GRE, gre(0, 0x0800, INNER_IP))).packet().vni)
        .as("no overlay")
        .isEqualTo(DecodedPacket.NO_VNI);
  }

  @Test
  void vxlanInnerIcmpHasNoPortsLeftFromTheOuterUdp() {
    byte[] icmp = ethernet(0x0800, ipv4(ICMP, VMOTION_SRC, VMOTION_DST, payload(16)));
    FrameBytes.Decoded d = decodeEthernet(overUdp(4789, vxlan(0x08, icmp)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(ICMP);
    assertThat(d.packet().srcPort).isZero();
    assertThat(d.packet().dstPort).isZero();
  }

  @Test
  void vxlanCutIsVxlanTooShortAndWithoutTheIFlagStaysUdp() {
    byte[] frame = overUdp(4789, vxlan(0x08, INNER_FRAME));
    FrameBytes.Decoded noFlag = decodeEthernet(overUdp(4789, vxlan(0x00, INNER_FRAME)));

    assertThat(decode(snapped(1, frame, 14 + 4 + 20 + 8 + 7)).issue())
        .isEqualTo(DecodeIssue.VXLAN_TOO_SHORT);
    assertThat(noFlag.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(noFlag.packet().dstPort).isEqualTo(4789);
    assertThat(noFlag.packet().srcLo).isEqualTo(MIRROR_SOURCE);
  }

  @Test
  void geneveSkipsItsOptions() {
    assertInner(
        decodeEthernet(overUdp(6081, geneve(3, 0x6558, INNER_FRAME))),
        Layer.ETHERNET,
        Layer.VLAN,
        Layer.IPV4,
        Layer.GENEVE,
        Layer.ETHERNET);
    assertInner(
        decodeEthernet(overUdp(6081, geneve(0, 0x0800, INNER_IP))),
        Layer.ETHERNET,
        Layer.VLAN,
        Layer.IPV4,
        Layer.GENEVE);
    assertThat(decodeEthernet(overUdp(6081, geneve(0, 0x0800, INNER_IP))).packet().vni)
        .as("Geneve VNI 0x001389")
        .isEqualTo(0x1389);
  }

  @Test
  void geneveCutOptionsAreGeneveTooShortAndOtherProtocolsStayUdp() {
    byte[] frame = overUdp(6081, geneve(3, 0x6558, INNER_FRAME));
    FrameBytes.Decoded other = decodeEthernet(overUdp(6081, geneve(0, 0x8847, payload(20))));

    assertThat(decode(snapped(1, frame, 14 + 4 + 20 + 8 + 7)).issue())
        .isEqualTo(DecodeIssue.GENEVE_TOO_SHORT);
    assertThat(decode(snapped(1, frame, 14 + 4 + 20 + 8 + 19)).issue())
        .isEqualTo(DecodeIssue.GENEVE_TOO_SHORT);
    assertThat(other.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(other.packet().dstPort).isEqualTo(6081);
  }

  @Test
  void innerMalformationIsReportedAsSuch() {
    byte[] cutInner = ethernet(0x0800, new byte[12]);

    assertThat(decodeEthernet(overUdp(4789, vxlan(0x08, cutInner))).issue())
        .isEqualTo(DecodeIssue.IPV4_TOO_SHORT);
  }

  @Test
  void twoNestedTunnelsDecodeAndAThirdIsTooDeep() {
    byte[] two =
        ethernet(
            0x0800, ipv4(UDP, MIRROR_SOURCE, COLLECTOR, udp(1, 4789, vxlan(0x08, INNER_FRAME))));
    byte[] three =
        ethernet(0x0800, ipv4(UDP, MIRROR_SOURCE, COLLECTOR, udp(1, 4789, vxlan(0x08, two))));

    assertInner(
        decodeEthernet(overUdp(4789, vxlan(0x08, two))),
        Layer.ETHERNET,
        Layer.VLAN,
        Layer.IPV4,
        Layer.VXLAN,
        Layer.ETHERNET,
        Layer.IPV4,
        Layer.VXLAN,
        Layer.ETHERNET);
    assertThat(decodeEthernet(overUdp(4789, vxlan(0x08, three))).issue())
        .isEqualTo(DecodeIssue.TUNNEL_TOO_DEEP);
  }

  @Test
  void ipv4InIpv4IsTheInnerPacket() {
    FrameBytes.Decoded d = decodeEthernet(outer(IPV4_IN_IP, INNER_IP));

    assertInner(d, Layer.ETHERNET, Layer.VLAN, Layer.IPV4, Layer.IP_IN_IP);
    assertThat(d.packet().tunnelPath).as("keyed by the tunnel's endpoints").isNotZero();
    assertThat(d.packet().vlan).isEqualTo(DecodedPacket.NO_VLAN);
  }

  @Test
  void ipv6InIpv4AndIpv4InIpv6AreTheInnerPackets() {
    byte[] inner6 = ipv6(TCP, tcp(41011, 8000, 0x18, payload(6)));
    FrameBytes.Decoded sixInFour = decodeEthernet(outer(IPV6_IN_IP, inner6));
    FrameBytes.Decoded fourInSix = decodeEthernet(ethernet(0x86DD, ipv6(IPV4_IN_IP, INNER_IP)));

    assertThat(sixInFour.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(sixInFour.layers())
        .containsExactly(Layer.ETHERNET, Layer.VLAN, Layer.IPV4, Layer.IP_IN_IP);
    assertThat(sixInFour.packet().ipVersion).isEqualTo(6);
    assertThat(sixInFour.packet().dstPort).isEqualTo(8000);
    assertThat(sixInFour.payload()).isEqualTo(payload(6));
    assertInner(fourInSix, Layer.ETHERNET, Layer.IPV6, Layer.IP_IN_IP);
  }

  @Test
  void ipInIpWhoseInnerPacketIsNotOfItsVersionIsMalformed() {
    byte[] inner6 = ipv6(TCP, tcp(41011, 8000, 0x18, payload(6)));

    assertThat(decodeEthernet(outer(IPV4_IN_IP, inner6)).issue())
        .isEqualTo(DecodeIssue.IPV4_BAD_VERSION);
    assertThat(decodeEthernet(outer(IPV6_IN_IP, INNER_IP)).issue())
        .isEqualTo(DecodeIssue.IPV6_BAD_VERSION);
    assertThat(decodeEthernet(outer(IPV4_IN_IP, new byte[12])).issue())
        .isEqualTo(DecodeIssue.IPV4_TOO_SHORT);
  }

  @Test
  void ipInIpNestedPastTheLayersIsTooDeep() {
    byte[] packet = INNER_IP;
    for (int i = 0; i < 3; i++) {
      packet = ipv4(IPV4_IN_IP, MIRROR_SOURCE, COLLECTOR, packet);
    }
    byte[] tooDeep = ipv4(IPV4_IN_IP, MIRROR_SOURCE, COLLECTOR, packet);

    assertInner(
        decodeEthernet(ethernet(0x0800, packet)),
        Layer.ETHERNET,
        Layer.IPV4,
        Layer.IP_IN_IP,
        Layer.IPV4,
        Layer.IP_IN_IP,
        Layer.IPV4,
        Layer.IP_IN_IP);
    assertThat(decodeEthernet(ethernet(0x0800, tooDeep)).issue())
        .isEqualTo(DecodeIssue.TUNNEL_TOO_DEEP);
  }

  @Test
  void twoIpInIpTunnelsBetweenOtherEndpointsAreOtherPaths() {
    int otherEnd = v4(10, 99, 0, 3);
    long one = decodeEthernet(outer(IPV4_IN_IP, INNER_IP)).packet().tunnelPath;
    long back =
        decodeEthernet(ethernet(0x0800, ipv4(IPV4_IN_IP, COLLECTOR, MIRROR_SOURCE, INNER_IP)))
            .packet()
            .tunnelPath;
    long other =
        decodeEthernet(ethernet(0x0800, ipv4(IPV4_IN_IP, MIRROR_SOURCE, otherEnd, INNER_IP)))
            .packet()
            .tunnelPath;
    long gre = decodeEthernet(outer(GRE, gre(0, 0x0800, INNER_IP))).packet().tunnelPath;

    assertThat(back).as("both directions of one tunnel").isEqualTo(one);
    assertThat(other).isNotEqualTo(one);
    assertThat(gre).as("a GRE tunnel between the same hosts").isNotEqualTo(one);
  }

  @Test
  void ipInIpAndGreCarryingIpRouteThePacketAndRecordTheirEndpoints() {
    RoutedPath ipip = RoutedPath.of(decodeEthernet(outer(IPV4_IN_IP, INNER_IP)));
    RoutedPath back =
        RoutedPath.of(
            decodeEthernet(
                ethernet(
                    0x8100,
                    concat(
                        tag(99, 0x0800), ipv4(IPV4_IN_IP, COLLECTOR, MIRROR_SOURCE, INNER_IP)))));
    RoutedPath gre = RoutedPath.of(decodeEthernet(outer(GRE, gre(0, 0x0800, INNER_IP))));

    assertThat(ipip)
        .isEqualTo(new RoutedPath(Layer.IP_IN_IP, 99, MIRROR_SOURCE, COLLECTOR))
        .as("lower address first, whichever way the packet went")
        .isEqualTo(back);
    assertThat(gre).isEqualTo(new RoutedPath(Layer.GRE, 99, MIRROR_SOURCE, COLLECTOR));
  }

  @Test
  void mirrorsAndOverlaysAreNoRoute() {
    DecodedPacket erspan =
        decodeEthernet(outer(GRE, gre(0x1000, 0x88BE, erspanII(50, 3, INNER_FRAME)))).packet();
    DecodedPacket bridged = decodeEthernet(outer(GRE, gre(0, 0x6558, INNER_FRAME))).packet();
    DecodedPacket vxlan = decodeEthernet(overUdp(4789, vxlan(0x08, INNER_FRAME))).packet();
    byte[] vxlanInIpip =
        ipv4(UDP, MIRROR_SOURCE, COLLECTOR, udp(1, 4789, vxlan(0x08, INNER_FRAME)));
    DecodedPacket overlayInTunnel = decodeEthernet(outer(IPV4_IN_IP, vxlanInIpip)).packet();

    assertThat(erspan.routedTunnel).isNull();
    assertThat(bridged.routedTunnel).isNull();
    assertThat(vxlan.routedTunnel).isNull();
    assertThat(overlayInTunnel.routedTunnel)
        .as("a frame overlaid inside a routed tunnel: its route is not told")
        .isNull();
    assertThat(overlayInTunnel.dstPort).isEqualTo(8000);
  }

  /** What a decoded packet says of its routed tunnel. */
  private record RoutedPath(Layer kind, int vlan, long low, long high) {
    RoutedPath(Layer kind, int vlan, int low, int high) {
      this(kind, vlan, Integer.toUnsignedLong(low), Integer.toUnsignedLong(high));
    }

    static RoutedPath of(FrameBytes.Decoded d) {
      DecodedPacket p = d.packet();
      assertThat(p.routedIpVersion).isEqualTo(4);
      assertThat(p.routedLowHi).isZero();
      assertThat(p.routedHighHi).isZero();
      return new RoutedPath(p.routedTunnel, p.routedVlan, p.routedLowLo, p.routedHighLo);
    }
  }
}
