package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.bytes;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.decodeEthernet;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.ipv6;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.tag;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MPLS: what a label stack carries (an IP packet, or an Ethernet pseudowire with or without a
 * control word) is the flow when it holds together; anything else is not IP, a cut or endless stack
 * is malformed.
 */
class MplsDecoderTest {
  private static final int SRC = v4(192, 168, 50, 11);
  private static final int DST = v4(192, 168, 50, 12);

  /** The vMotion segment inside, with a right header checksum as on any wire. */
  private static final byte[] INNER_IP =
      withChecksum(ipv4(TCP, SRC, DST, tcp(41011, 8000, 0x18, payload(6))));

  /** A VMware MAC starts with nibble 0, as a control word does. */
  private static final byte[] PW_MACS =
      bytes(0x00, 0x50, 0x56, 0, 0, 0x0c, 0x00, 0x50, 0x56, 0, 0, 0x0b);

  static byte[] withChecksum(byte[] ipv4) {
    InternetChecksum.writeIpv4(ipv4);
    return ipv4;
  }

  /** Label stack entries: label, TC 0, S on the last, TTL 64. */
  static byte[] labels(int... labels) {
    ByteBuffer b = ByteBuffer.allocate(4 * labels.length);
    for (int i = 0; i < labels.length; i++) {
      b.putInt(labels[i] << 12 | (i == labels.length - 1 ? MplsDecoder.BOTTOM_OF_STACK : 0) | 64);
    }
    return b.array();
  }

  /** An Ethernet pseudowire's frame: MACs, then EtherType and payload from {@code typed}. */
  private static byte[] pseudowireFrame(byte[] macs, byte[] typed) {
    return concat(macs, typed);
  }

  private static void assertInner(FrameBytes.Decoded d, Layer... layers) {
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(layers);
    assertThat(d.packet().srcLo).isEqualTo(Integer.toUnsignedLong(SRC));
    assertThat(d.packet().dstLo).isEqualTo(Integer.toUnsignedLong(DST));
    assertThat(d.packet().dstPort).isEqualTo(8000);
    assertThat(d.payload()).isEqualTo(payload(6));
  }

  @ParameterizedTest(name = "EtherType {0}")
  @ValueSource(ints = {MplsDecoder.ETHERTYPE_MPLS, MplsDecoder.ETHERTYPE_MPLS_MULTICAST})
  void ipUnderTwoLabelsIsThePacket(int etherType) {
    assertInner(
        decodeEthernet(ethernet(etherType, concat(labels(16001, 24005), INNER_IP))),
        Layer.ETHERNET,
        Layer.MPLS);
  }

  @Test
  void theProviderLinksVlanIsNotTheMigrations() {
    byte[] frame =
        ethernet(0x8100, concat(tag(300, MplsDecoder.ETHERTYPE_MPLS), labels(16001), INNER_IP));
    FrameBytes.Decoded d = decodeEthernet(frame);
    assertInner(d, Layer.ETHERNET, Layer.VLAN, Layer.MPLS);
    assertThat(d.packet().vlan).isEqualTo(DecodedPacket.NO_VLAN);
    assertThat(d.packet().outerVlan).isEqualTo(DecodedPacket.NO_VLAN);
  }

  @Test
  void ipv6UnderALabelIsThePacket() {
    byte[] inner = ipv6(TCP, tcp(41011, 8000, 0x18, payload(6)));
    FrameBytes.Decoded d =
        decodeEthernet(ethernet(MplsDecoder.ETHERTYPE_MPLS, concat(labels(2), inner)));
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipVersion).isEqualTo(6);
    assertThat(d.packet().dstPort).isEqualTo(8000);
  }

  @Test
  void ethernetPseudowireWithoutControlWordCarriesTheVlanOfTheMigration() {
    byte[] pw = pseudowireFrame(PW_MACS, concat(bytes(0x81, 0x00), tag(50, 0x0800), INNER_IP));
    FrameBytes.Decoded d =
        decodeEthernet(ethernet(MplsDecoder.ETHERTYPE_MPLS, concat(labels(16001, 299), pw)));
    assertInner(d, Layer.ETHERNET, Layer.MPLS, Layer.ETHERNET, Layer.VLAN);
    assertThat(d.packet().vlan).isEqualTo(50);
  }

  @Test
  void ethernetPseudowireBehindAControlWordIsRead() {
    byte[] pw = pseudowireFrame(PW_MACS, concat(bytes(0x08, 0x00), INNER_IP));
    byte[] controlWord = bytes(0, 0, 0, 7); // sequence number 7
    FrameBytes.Decoded d =
        decodeEthernet(
            ethernet(MplsDecoder.ETHERTYPE_MPLS, concat(labels(16001, 299), controlWord, pw)));
    assertInner(d, Layer.ETHERNET, Layer.MPLS, Layer.ETHERNET);
  }

  /** A destination MAC starting 0x45 is not an IPv4 header: its "checksum" does not add up. */
  @Test
  void pseudowireWhoseMacLooksLikeIpv4IsStillEthernet() {
    byte[] macs = bytes(0x45, 0x00, 0x00, 0x30, 0, 1, 0x46, 0, 0, 0, 0, 2); // length 48 fits
    byte[] pw = pseudowireFrame(macs, concat(bytes(0x08, 0x00), INNER_IP));
    assertInner(
        decodeEthernet(ethernet(MplsDecoder.ETHERTYPE_MPLS, concat(labels(299), pw))),
        Layer.ETHERNET,
        Layer.MPLS,
        Layer.ETHERNET);
  }

  @Test
  void ipv4WithAWrongChecksumOrAnAssociatedChannelIsNotIp() {
    byte[] broken = INNER_IP.clone();
    broken[11] ^= 0x01;
    assertThat(
            decodeEthernet(ethernet(MplsDecoder.ETHERTYPE_MPLS, concat(labels(3), broken))).issue())
        .isEqualTo(DecodeIssue.NOT_IP);
    byte[] associatedChannel = concat(bytes(0x10, 0, 0x00, 0x07), payload(40)); // G-ACh, BFD
    assertThat(
            decodeEthernet(
                    ethernet(MplsDecoder.ETHERTYPE_MPLS, concat(labels(13), associatedChannel)))
                .issue())
        .isEqualTo(DecodeIssue.NOT_IP);
  }

  @Test
  void cutStackOrNothingPastItIsTooShort() {
    byte[] frame = ethernet(MplsDecoder.ETHERTYPE_MPLS, concat(labels(16001, 24005), INNER_IP));
    for (int cut : new int[] {14, 17, 18, 21, 22}) {
      FrameBytes.Decoded d = decodeEthernet(Arrays.copyOf(frame, cut));
      assertThat(d.issue()).as("cut at %d", cut).isEqualTo(DecodeIssue.MPLS_TOO_SHORT);
      assertThat(d.issue().malformed()).isTrue();
    }
    assertThat(decodeEthernet(Arrays.copyOf(frame, 30)).issue())
        .as("an IPv4 header the capture cut is named by the IPv4 decoder")
        .isEqualTo(DecodeIssue.IPV4_TOO_SHORT);
  }

  @Test
  void stackWithoutABottomIsTooManyLabels() {
    byte[] endless = new byte[4 * 40];
    FrameBytes.Decoded d =
        decodeEthernet(ethernet(MplsDecoder.ETHERTYPE_MPLS, concat(endless, INNER_IP)));
    assertThat(d.issue()).isEqualTo(DecodeIssue.MPLS_TOO_MANY_LABELS);
    FrameBytes.Decoded eight =
        decodeEthernet(
            ethernet(MplsDecoder.ETHERTYPE_MPLS, concat(labels(1, 2, 3, 4, 5, 6, 7, 8), INNER_IP)));
    assertThat(eight.issue()).as("eight labels are a stack").isEqualTo(DecodeIssue.NONE);
  }

  /**
   * A pseudowire's frame must carry IP: one that carries MPLS again (a stack of pseudowires, here
   * 2,000 deep) is not followed, so no chain of them recurses.
   */
  @Test
  void pseudowiresInsidePseudowiresAreNotIp() {
    byte[] frame = concat(bytes(0x08, 0x00), INNER_IP);
    for (int i = 0; i < 2_000; i++) {
      frame = concat(PW_MACS, bytes(0x88, 0x47), labels(100 + i), frame);
    }
    FrameBytes.Decoded d = decodeEthernet(frame);
    assertThat(d.issue()).isEqualTo(DecodeIssue.NOT_IP);
    assertThat(d.layers()).containsExactly(Layer.ETHERNET, Layer.MPLS);
  }

  /** A label stack past the eight layers a packet records is too deep, not read. */
  @Test
  void labelStackPastTheLayerLimitIsTooDeep() {
    byte[] data = concat(bytes(0x88, 0x47), labels(16001), INNER_IP);
    for (int i = 0; i < DecodedPacket.MAX_LAYERS - 1; i++) { // MACsec SecTAGs, integrity only
      data = concat(bytes(0x88, 0xe5, 0x00, 0, 0, 0, 0, 1), data);
    }
    FrameBytes.Decoded d = decodeEthernet(concat(PW_MACS, data));
    assertThat(d.issue()).isEqualTo(DecodeIssue.TUNNEL_TOO_DEEP);
    assertThat(d.packet().layerCount).isEqualTo(DecodedPacket.MAX_LAYERS);
  }

  private static final int PE_A = v4(10, 255, 0, 1);
  private static final int PE_B = v4(10, 255, 0, 2);

  /** An L3VPN across an IP core in GRE (RFC 4023): GRE's endpoints are the path it took. */
  @ParameterizedTest(name = "GRE protocol {0}")
  @ValueSource(ints = {MplsDecoder.ETHERTYPE_MPLS, MplsDecoder.ETHERTYPE_MPLS_MULTICAST})
  void ipUnderLabelsInGreIsThePacketOfARoutedTunnel(int protocol) {
    byte[] gre = FrameBytes.gre(0x2000, protocol, concat(labels(24005), INNER_IP)); // with a key
    FrameBytes.Decoded d =
        decodeEthernet(ethernet(0x0800, FrameBytes.ipv4(FrameBytes.GRE, PE_A, PE_B, gre)));
    assertInner(d, Layer.ETHERNET, Layer.IPV4, Layer.GRE, Layer.MPLS);
    assertThat(d.packet().routedTunnel).isEqualTo(Layer.GRE);
    assertThat(d.packet().routedLowLo).isEqualTo(Integer.toUnsignedLong(PE_A));
    assertThat(d.packet().routedHighLo).isEqualTo(Integer.toUnsignedLong(PE_B));
  }

  @Test
  void aPseudowireInGreIsReadWithItsVlan() {
    byte[] pw = pseudowireFrame(PW_MACS, concat(bytes(0x81, 0x00), tag(50, 0x0800), INNER_IP));
    byte[] gre =
        FrameBytes.gre(0, MplsDecoder.ETHERTYPE_MPLS, concat(labels(299), bytes(0, 0, 0, 1), pw));
    FrameBytes.Decoded d =
        decodeEthernet(ethernet(0x0800, FrameBytes.ipv4(FrameBytes.GRE, PE_A, PE_B, gre)));
    assertInner(d, Layer.ETHERNET, Layer.IPV4, Layer.GRE, Layer.MPLS, Layer.ETHERNET, Layer.VLAN);
    assertThat(d.packet().vlan).isEqualTo(50);
  }

  /** MPLS in UDP (RFC 7510, port 6635): a routed tunnel as GRE is. */
  @Test
  void ipUnderLabelsInUdpIsThePacketOfARoutedTunnel() {
    byte[] udp = FrameBytes.udp(49321, UdpDecoder.MPLS_PORT, concat(labels(24005), INNER_IP));
    FrameBytes.Decoded d =
        decodeEthernet(ethernet(0x0800, FrameBytes.ipv4(FrameBytes.UDP, PE_A, PE_B, udp)));
    assertInner(d, Layer.ETHERNET, Layer.IPV4, Layer.UDP_TUNNEL, Layer.MPLS);
    assertThat(d.packet().routedTunnel).isEqualTo(Layer.UDP_TUNNEL);
  }

  /** Anyone may send other bytes to 6635: what holds together as no stack stays UDP. */
  @Test
  void otherDatagramsToTheMplsPortStayUdp() {
    byte[] broken = INNER_IP.clone();
    broken[11] ^= 0x01;
    byte[] endless = new byte[4 * 40];
    for (byte[] payload :
        new byte[][] {concat(labels(24005), broken), concat(endless, INNER_IP), payload(300)}) {
      byte[] udp = FrameBytes.udp(49321, UdpDecoder.MPLS_PORT, payload);
      FrameBytes.Decoded d =
          decodeEthernet(ethernet(0x0800, FrameBytes.ipv4(FrameBytes.UDP, PE_A, PE_B, udp)));
      assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
      assertThat(d.packet().ipProtocol).isEqualTo(FrameBytes.UDP);
      assertThat(d.packet().dstPort).isEqualTo(UdpDecoder.MPLS_PORT);
      assertThat(d.layers()).containsExactly(Layer.ETHERNET);
    }
  }
}
