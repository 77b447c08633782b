package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.bytes;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.decodeEthernet;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.tag;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static io.migaudit.agent.decode.FrameBytes.vxlan;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MACsec (IEEE 802.1AE): a SecTAG that protects integrity only hides nothing, so the packet inside
 * is the flow; an encrypted one is counted as such; a cut or unknown SecTAG is malformed.
 */
class MacsecDecoderTest {
  private static final int SRC = v4(192, 168, 50, 11);
  private static final int DST = v4(192, 168, 50, 12);

  /** The vMotion segment inside: 41011 -> 8000 with 6 payload bytes. */
  private static final byte[] INNER_IP = ipv4(TCP, SRC, DST, tcp(41011, 8000, 0x18, payload(6)));

  private static final byte[] ICV = payload(16);

  /** The SecTAG after its EtherType: TCI/AN, SL 0, PN 7, the SCI when TCI's SC bit is set. */
  private static byte[] secTag(int tci) {
    ByteBuffer b = ByteBuffer.allocate((tci & MacsecDecoder.TCI_SC) != 0 ? 14 : 6);
    b.put((byte) tci).put((byte) 0).putInt(7);
    if ((tci & MacsecDecoder.TCI_SC) != 0) {
      b.put(bytes(0, 0x50, 0x56, 0, 0, 2, 0, 1)); // the sender's MAC and port 1
    }
    return b.array();
  }

  /** An Ethernet frame protected by MACsec: SecTAG, the user's EtherType and data, the ICV. */
  private static byte[] protectedFrame(int tci, int innerEtherType, byte[] data) {
    return ethernet(
        MacsecDecoder.ETHERTYPE_MACSEC,
        concat(
            secTag(tci),
            ByteBuffer.allocate(2).putShort((short) innerEtherType).array(),
            data,
            ICV));
  }

  private static void assertInner(FrameBytes.Decoded d, Layer... layers) {
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(layers);
    assertThat(d.packet().srcLo).isEqualTo(Integer.toUnsignedLong(SRC));
    assertThat(d.packet().dstLo).isEqualTo(Integer.toUnsignedLong(DST));
    assertThat(d.packet().srcPort).isEqualTo(41011);
    assertThat(d.packet().dstPort).isEqualTo(8000);
    assertThat(d.packet().ipLength).isEqualTo(INNER_IP.length);
    assertThat(d.payload()).as("the ICV is not payload").isEqualTo(payload(6));
  }

  @ParameterizedTest(name = "TCI {0}")
  @ValueSource(ints = {0x20, 0x00, 0x40, 0x10, 0x23, 0x61})
  void integrityOnlyFrameIsThePacketInside(int tci) {
    assertInner(
        decodeEthernet(protectedFrame(tci, 0x0800, INNER_IP)), Layer.ETHERNET, Layer.MACSEC);
  }

  @Test
  void vlanTagsInsideAndOutsideTheSecTagAreRead() {
    byte[] inner = concat(tag(50, 0x0800), INNER_IP);
    FrameBytes.Decoded inside = decodeEthernet(protectedFrame(0x20, 0x8100, inner));
    assertInner(inside, Layer.ETHERNET, Layer.MACSEC, Layer.VLAN);
    assertThat(inside.packet().vlan).isEqualTo(50);

    byte[] tagged =
        ethernet(
            0x8100,
            concat(
                tag(60, MacsecDecoder.ETHERTYPE_MACSEC),
                secTag(0x20),
                bytes(0x08, 0x00),
                INNER_IP,
                ICV));
    FrameBytes.Decoded outside = decodeEthernet(tagged);
    assertInner(outside, Layer.ETHERNET, Layer.VLAN, Layer.MACSEC);
    assertThat(outside.packet().vlan).isEqualTo(60);
  }

  @Test
  void integrityOnlyFrameInsideAVxlanOverlayIsRead() {
    byte[] overlay =
        ethernet(
            0x0800,
            ipv4(
                UDP,
                v4(10, 0, 0, 1),
                v4(10, 0, 0, 2),
                udp(53001, 4789, vxlan(0x08, protectedFrame(0x20, 0x0800, INNER_IP)))));
    assertInner(
        decodeEthernet(overlay),
        Layer.ETHERNET,
        Layer.IPV4,
        Layer.VXLAN,
        Layer.ETHERNET,
        Layer.MACSEC);
  }

  @ParameterizedTest(name = "TCI {0}")
  @ValueSource(ints = {0x2c, 0x0c, 0x28, 0x24, 0x08, 0x04})
  void encryptedOrChangedFrameIsCountedNotRead(int tci) {
    FrameBytes.Decoded d = decodeEthernet(protectedFrame(tci, 0x0800, INNER_IP));
    assertThat(d.issue()).isEqualTo(DecodeIssue.MACSEC_ENCRYPTED);
    assertThat(d.issue().malformed()).isFalse();
    assertThat(d.packet().ipVersion).isZero();
  }

  @Test
  void versionBitIsAnUnknownTag() {
    FrameBytes.Decoded d = decodeEthernet(protectedFrame(0xa0, 0x0800, INNER_IP));
    assertThat(d.issue()).isEqualTo(DecodeIssue.MACSEC_BAD_TAG);
    assertThat(d.issue().malformed()).isTrue();
  }

  @Test
  void cutSecTagSciOrInnerEtherTypeIsTooShort() {
    byte[] frame = protectedFrame(0x20, 0x0800, INNER_IP);
    int secureData = 14 + 14; // Ethernet header, then SecTAG with its SCI
    for (int cut : new int[] {14, 15, 19, 20, secureData - 1, secureData, secureData + 1}) {
      FrameBytes.Decoded d = decodeEthernet(Arrays.copyOf(frame, cut));
      assertThat(d.issue()).as("cut at %d", cut).isEqualTo(DecodeIssue.MACSEC_TOO_SHORT);
      assertThat(d.issue().malformed()).isTrue();
    }
    // Past the inner EtherType the IPv4 decoder takes over and names its own cut.
    assertThat(decodeEthernet(Arrays.copyOf(frame, secureData + 2)).issue())
        .isEqualTo(DecodeIssue.IPV4_TOO_SHORT);
  }

  @Test
  void innerNonIpFrameIsNotIp() {
    assertThat(decodeEthernet(protectedFrame(0x20, 0x0806, new byte[28])).issue())
        .isEqualTo(DecodeIssue.NOT_IP);
  }

  /** SecTAGs chained inside each other stop at the layer limit, not at the end of the stack. */
  @Test
  void secTagsNestedThousandsDeepAreTooDeep() {
    byte[] data = INNER_IP;
    int etherType = 0x0800;
    for (int i = 0; i < 5_000; i++) {
      data = concat(secTag(0x00), ByteBuffer.allocate(2).putShort((short) etherType).array(), data);
      etherType = MacsecDecoder.ETHERTYPE_MACSEC;
    }
    FrameBytes.Decoded d = decodeEthernet(ethernet(etherType, data));
    assertThat(d.issue()).isEqualTo(DecodeIssue.TUNNEL_TOO_DEEP);
    assertThat(d.packet().layerCount).isEqualTo(DecodedPacket.MAX_LAYERS);

    // Seven SecTAGs fit in the eight layers with Ethernet; the packet inside is still read.
    byte[] sevenDeep = INNER_IP;
    int type = 0x0800;
    for (int i = 0; i < 7; i++) {
      sevenDeep =
          concat(secTag(0x00), ByteBuffer.allocate(2).putShort((short) type).array(), sevenDeep);
      type = MacsecDecoder.ETHERTYPE_MACSEC;
    }
    FrameBytes.Decoded seven = decodeEthernet(ethernet(type, sevenDeep));
    assertThat(seven.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(seven.layers()).hasSize(DecodedPacket.MAX_LAYERS).endsWith(Layer.MACSEC);
    assertThat(seven.packet().dstPort).isEqualTo(8000);
  }
}
