package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.decodeEthernet;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.ipv6;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.tag;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VlanDecoderTest {
  private static final byte[] UDP_PACKET =
      ipv4(UDP, v4(10, 0, 0, 1), v4(10, 0, 0, 2), udp(5000, 6000, payload(4)));

  @Test
  void oneTagGivesTheVlanId() {
    FrameBytes.Decoded d = decodeEthernet(ethernet(0x8100, concat(tag(50, 0x0800), UDP_PACKET)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().vlan).isEqualTo(50);
    assertThat(d.packet().outerVlan).isEqualTo(DecodedPacket.NO_VLAN);
    assertThat(d.layers()).containsExactly(Layer.ETHERNET, Layer.VLAN);
    assertThat(d.packet().srcPort).isEqualTo(5000);
    assertThat(d.packet().payloadOffset).isEqualTo(14 + 4 + 20 + 8);
  }

  @Test
  void qinqGivesInnerAndOuterIds() {
    FrameBytes.Decoded d =
        decodeEthernet(ethernet(0x88A8, concat(tag(200, 0x8100), tag(2001, 0x0800), UDP_PACKET)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().vlan).isEqualTo(2001);
    assertThat(d.packet().outerVlan).isEqualTo(200);
    assertThat(d.layers()).containsExactly(Layer.ETHERNET, Layer.QINQ, Layer.VLAN);
    assertThat(d.packet().dstPort).isEqualTo(6000);
  }

  @Test
  void theLegacy9100OuterTagIsQinqToo() {
    FrameBytes.Decoded d =
        decodeEthernet(
            ethernet(
                0x9100,
                concat(tag(300, 0x8100), tag(50, 0x86DD), ipv6(UDP, udp(1, 2, payload(0))))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().outerVlan).isEqualTo(300);
    assertThat(d.packet().vlan).isEqualTo(50);
    assertThat(d.packet().ipVersion).isEqualTo(6);
  }

  @Test
  void threeTagsKeepTheOutermostAndInnermost() {
    FrameBytes.Decoded d =
        decodeEthernet(
            ethernet(0x88A8, concat(tag(1, 0x88A8), tag(2, 0x8100), tag(3, 0x0800), UDP_PACKET)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().outerVlan).isEqualTo(1);
    assertThat(d.packet().vlan).isEqualTo(3);
    assertThat(d.layers()).containsExactly(Layer.ETHERNET, Layer.QINQ, Layer.QINQ, Layer.VLAN);
  }

  @Test
  void aPriorityTagCarriesNoVlanId() {
    FrameBytes.Decoded d = decodeEthernet(ethernet(0x8100, concat(tag(0, 0x0800), UDP_PACKET)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().vlan).isEqualTo(DecodedPacket.NO_VLAN);
    assertThat(d.layers()).containsExactly(Layer.ETHERNET, Layer.VLAN);
  }

  @Test
  void aTaggedArpIsNotIpButKeepsItsVlan() {
    FrameBytes.Decoded d = decodeEthernet(ethernet(0x8100, concat(tag(50, 0x0806), payload(28))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NOT_IP);
    assertThat(d.packet().vlan).isEqualTo(50);
  }

  @Test
  void aCutTagIsTooShort() {
    byte[] frame = ethernet(0x8100, concat(tag(50, 0x0800), UDP_PACKET));

    assertThat(decodeEthernet(Arrays.copyOf(frame, 17)).issue())
        .isEqualTo(DecodeIssue.VLAN_TOO_SHORT);
  }

  @Test
  void aCutInnerTagIsTooShort() {
    byte[] frame = ethernet(0x88A8, concat(tag(200, 0x8100), tag(2001, 0x0800), UDP_PACKET));

    assertThat(decodeEthernet(Arrays.copyOf(frame, 14 + 4 + 3)).issue())
        .isEqualTo(DecodeIssue.VLAN_TOO_SHORT);
  }

  @Test
  void moreTagsThanTheLimitAreMalformed() {
    byte[] tags = new byte[0];
    for (int i = 0; i < VlanDecoder.MAX_TAGS; i++) {
      tags = concat(tags, tag(i + 1, 0x8100));
    }
    FrameBytes.Decoded d =
        decodeEthernet(ethernet(0x8100, concat(tags, tag(9, 0x0800), UDP_PACKET)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.VLAN_TOO_MANY_TAGS);
  }
}
