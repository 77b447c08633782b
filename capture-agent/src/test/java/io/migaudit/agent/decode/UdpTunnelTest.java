package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.bytes;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.decodeEthernet;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.ipv6;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.snapped;
import static io.migaudit.agent.decode.FrameBytes.tag;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static io.migaudit.agent.decode.FrameBytes.vxlan;
import static io.migaudit.agent.decode.MplsDecoderTest.withChecksum;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * UDP tunnels that do not encrypt (OpenVPN without a cipher, Foo-over-UDP, VXLAN on another port):
 * the packet or frame inside is the flow; a datagram that only looks a little like one stays UDP.
 */
class UdpTunnelTest {
  private static final int MGMT_A = v4(10, 10, 0, 11);
  private static final int MGMT_B = v4(10, 10, 0, 12);
  private static final int SRC = v4(192, 168, 50, 11);
  private static final int DST = v4(192, 168, 50, 12);

  /** The migration's segment inside, its header checksum right as on any wire. */
  private static final byte[] INNER_IP =
      withChecksum(ipv4(TCP, SRC, DST, tcp(41011, 49152, 0x18, payload(6))));

  /** Host A's management address sends {@code payload} to B's, UDP 1194 both ways. */
  private static byte[] datagram(byte[] payload) {
    return ethernet(0x0800, ipv4(UDP, MGMT_A, MGMT_B, udp(1194, 1194, payload)));
  }

  private static void assertInner(FrameBytes.Decoded d, Layer... layers) {
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(layers);
    assertThat(d.packet().srcLo).isEqualTo(Integer.toUnsignedLong(SRC));
    assertThat(d.packet().dstLo).isEqualTo(Integer.toUnsignedLong(DST));
    assertThat(d.packet().dstPort).isEqualTo(49152);
    assertThat(d.payload()).isEqualTo(payload(6));
  }

  private static void assertPlainUdp(FrameBytes.Decoded d) {
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(Layer.ETHERNET);
    assertThat(d.packet().ipProtocol).isEqualTo(UDP);
    assertThat(d.packet().dstPort).isEqualTo(1194);
    assertThat(d.packet().routedTunnel).isNull();
  }

  /** OpenVPN without a cipher (0 bytes of its own), or with packet ids, an HMAC, a peer id. */
  @ParameterizedTest(name = "{0} bytes of tunnel header")
  @ValueSource(ints = {0, 4, 8, 28, 64})
  void ipPacketInsideIsTheFlowOfARoutedTunnel(int header) {
    FrameBytes.Decoded d = decodeEthernet(datagram(concat(payload(header), INNER_IP)));
    assertInner(d, Layer.ETHERNET, Layer.IPV4, Layer.UDP_TUNNEL);
    assertThat(d.packet().routedTunnel).isEqualTo(Layer.UDP_TUNNEL);
    assertThat(d.packet().routedLowLo).isEqualTo(Integer.toUnsignedLong(MGMT_A));
    assertThat(d.packet().routedHighLo).isEqualTo(Integer.toUnsignedLong(MGMT_B));
  }

  @Test
  void aHeaderLongerThanTheProbeLooksPastStaysUdp() {
    assertPlainUdp(decodeEthernet(datagram(concat(payload(65), INNER_IP))));
  }

  @Test
  void aPacketWhoseChecksumOrLengthIsOffStaysUdp() {
    byte[] badChecksum = INNER_IP.clone();
    badChecksum[10] ^= 0x01;
    assertPlainUdp(decodeEthernet(datagram(badChecksum)));
    assertPlainUdp(decodeEthernet(datagram(concat(INNER_IP, bytes(0)))));
    assertPlainUdp(decodeEthernet(datagram(Arrays.copyOf(INNER_IP, INNER_IP.length - 1))));
  }

  /**
   * VXLAN on Linux's default port 8472 (Flannel, Cilium, NSX for vSphere before 6.2.3): VXLAN with
   * its VNI, its VLAN the inner one; with the Group Policy flag too.
   */
  @ParameterizedTest(name = "flags {0}")
  @ValueSource(ints = {0x08, 0x88})
  void vxlanOnAnotherPortIsReadAsVxlanWithItsVni(int flags) {
    byte[] frame = ethernet(0x8100, concat(tag(50, 0x0800), INNER_IP));
    FrameBytes.Decoded d =
        decodeEthernet(
            ethernet(0x0800, ipv4(UDP, MGMT_A, MGMT_B, udp(53001, 8472, vxlan(flags, frame)))));
    assertInner(d, Layer.ETHERNET, Layer.IPV4, Layer.VXLAN, Layer.ETHERNET, Layer.VLAN);
    assertThat(d.packet().vni).isEqualTo(100);
    assertThat(d.packet().vlan).isEqualTo(50);
    assertThat(d.packet().routedTunnel).isNull();
  }

  /** VXLAN on another port carrying ARP, which the probe would not find: VXLAN, not UDP. */
  @Test
  void vxlanOnAnotherPortCarryingArpIsVxlanToo() {
    byte[] arp = ethernet(0x0806, new byte[28]);
    FrameBytes.Decoded d =
        decodeEthernet(
            ethernet(0x0800, ipv4(UDP, MGMT_A, MGMT_B, udp(53001, 8472, vxlan(0x08, arp)))));
    assertThat(d.issue()).isEqualTo(DecodeIssue.NOT_IP);
    assertThat(d.layers()).contains(Layer.VXLAN);
  }

  /**
   * Eight bytes before an Ethernet frame that are no VXLAN header (I clear, a reserved flag, the
   * last byte set, a reserved byte after the flags set): an overlay of some other tunnel, no VNI.
   */
  @ParameterizedTest(name = "header {0}")
  @ValueSource(
      strings = {"0000000000000000", "0c00000000006400", "0800000000006401", "0800010000006400"})
  void anEthernetFrameBehindAnotherHeaderIsTheFlowOfAnOverlay(String header) {
    byte[] frame = ethernet(0x8100, concat(tag(50, 0x0800), INNER_IP));
    byte[] head = java.util.HexFormat.of().parseHex(header);
    FrameBytes.Decoded d =
        decodeEthernet(
            ethernet(0x0800, ipv4(UDP, MGMT_A, MGMT_B, udp(53001, 8472, concat(head, frame)))));
    assertInner(d, Layer.ETHERNET, Layer.IPV4, Layer.UDP_TUNNEL, Layer.ETHERNET, Layer.VLAN);
    assertThat(d.packet().vni).isEqualTo(DecodedPacket.NO_VNI);
    assertThat(d.packet().vlan).isEqualTo(50);
  }

  @Test
  void aPaddedShortFrameAndIpv6InAFrameAreFound() {
    byte[] ack = withChecksum(ipv4(TCP, SRC, DST, tcp(41011, 49152, 0x10, new byte[0])));
    byte[] padded = concat(ethernet(0x0800, ack), new byte[60 - 14 - ack.length]);
    FrameBytes.Decoded d = decodeEthernet(datagram(padded));
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().dstPort).isEqualTo(49152);
    assertThat(d.layers()).endsWith(Layer.UDP_TUNNEL, Layer.ETHERNET);

    byte[] v6 = ethernet(0x86DD, ipv6(TCP, tcp(41011, 49152, 0x18, payload(6))));
    FrameBytes.Decoded six = decodeEthernet(datagram(concat(payload(4), v6)));
    assertThat(six.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(six.packet().ipVersion).isEqualTo(6);
    assertThat(six.packet().dstPort).isEqualTo(49152);
  }

  @Test
  void aDatagramTheCaptureCutIsStillReadWhenTheInnerHeaderIsWhole() {
    byte[] big = withChecksum(ipv4(TCP, SRC, DST, tcp(41011, 49152, 0x18, payload(1000))));
    byte[] frame = datagram(big);
    FrameBytes.Decoded d = FrameBytes.decode(snapped(PacketDecoder.LINKTYPE_ETHERNET, frame, 200));
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().dstPort).isEqualTo(49152);
    assertThat(d.packet().payloadWireLength).isEqualTo(1000);
  }

  /** The migration's segment over IPv6, its TCP checksum right, as OpenVPN carries it. */
  private static byte[] innerIpv6(int payloadBytes) {
    return FrameBytes.withTransportChecksum6(
        ipv6(TCP, tcp(41011, 49152, 0x18, payload(payloadBytes))));
  }

  /** IPv6 straight in UDP (OpenVPN carrying IPv6, FOU with IPv6): known by its TCP checksum. */
  @ParameterizedTest(name = "{0} bytes of tunnel header")
  @ValueSource(ints = {0, 4, 28, 64})
  void ipv6PacketInsideIsTheFlowOfARoutedTunnel(int header) {
    for (int n : new int[] {6, 7, 1300}) { // an odd length too: the last byte pads a word
      FrameBytes.Decoded d = decodeEthernet(datagram(concat(payload(header), innerIpv6(n))));
      assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
      assertThat(d.layers()).containsExactly(Layer.ETHERNET, Layer.IPV4, Layer.UDP_TUNNEL);
      assertThat(d.packet().ipVersion).isEqualTo(6);
      assertThat(d.packet().dstPort).isEqualTo(49152);
      assertThat(d.packet().payloadWireLength).isEqualTo(n);
      assertThat(d.packet().routedTunnel).isEqualTo(Layer.UDP_TUNNEL);
    }
  }

  /** A sender that leaves the checksum to its NIC writes the pseudo-header's sum alone. */
  @Test
  void ipv6WithTheChecksumLeftToTheNicIsFound() {
    byte[] packet = ipv6(TCP, tcp(41011, 49152, 0x18, payload(100)));
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(packet);
    int sum = 6 + (packet.length - 40);
    for (int i = 8; i < 40; i += 2) {
      sum += Short.toUnsignedInt(b.getShort(i));
    }
    while (sum >>> 16 != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    b.putShort(40 + 16, (short) sum);
    FrameBytes.Decoded d = decodeEthernet(datagram(packet));
    assertThat(d.packet().ipVersion).isEqualTo(6);
    assertThat(d.packet().dstPort).isEqualTo(49152);
  }

  @Test
  void ipv6WhoseChecksumLengthOrHeadersAreOffOrCutStaysUdp() {
    byte[] badChecksum = innerIpv6(100);
    badChecksum[40 + 16] ^= 0x01;
    assertPlainUdp(decodeEthernet(datagram(badChecksum)));
    byte[] flipped = innerIpv6(100);
    flipped[100] ^= 0x40; // a payload bit: the checksum no longer holds
    assertPlainUdp(decodeEthernet(datagram(flipped)));
    assertPlainUdp(decodeEthernet(datagram(concat(innerIpv6(100), bytes(0)))));
    // an extension header before TCP: not looked through (RoCE, OpenVPN and FOU send none)
    byte[] hopByHop =
        concat(
            FrameBytes.ipv6Header(0, 8 + 20 + 6),
            FrameBytes.extension(TCP, 0),
            tcp(41011, 49152, 0x18, payload(6)));
    assertPlainUdp(decodeEthernet(datagram(hopByHop)));
    // cut by the capture: the checksum cannot be checked
    byte[] frame = datagram(innerIpv6(1000));
    assertPlainUdp(FrameBytes.decode(snapped(PacketDecoder.LINKTYPE_ETHERNET, frame, 200)));
  }

  /** Tunnels in tunnels stop at the layer limit. */
  @Test
  void tunnelsNestedDeepAreTooDeep() {
    byte[] packet = INNER_IP;
    for (int i = 0; i < 10; i++) {
      packet = withChecksum(ipv4(UDP, MGMT_A, MGMT_B, udp(1194, 1194, packet)));
    }
    FrameBytes.Decoded d = decodeEthernet(ethernet(0x0800, packet));
    assertThat(d.issue()).isEqualTo(DecodeIssue.TUNNEL_TOO_DEEP);
  }

  /**
   * Random datagrams (what QUIC, DTLS and WireGuard look like) must stay UDP: 200,000 of them, 20
   * to 1,400 bytes, none taken for a tunnel.
   */
  @Test
  void randomDatagramsAreNotTunnels() {
    SplittableRandom random = new SplittableRandom(7);
    int tunnels = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] bytes = new byte[random.nextInt(20, 1_400)];
      random.nextBytes(bytes);
      if (decodeEthernet(datagram(bytes)).packet().dstPort != 1194) {
        tunnels++;
      }
    }
    assertThat(tunnels).isZero();
  }
}
