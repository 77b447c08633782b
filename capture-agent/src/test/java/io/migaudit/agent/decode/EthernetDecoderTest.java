package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.SYN_ACK;
import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.bytes;
import static io.migaudit.agent.decode.FrameBytes.decodeEthernet;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EthernetDecoderTest {
  private static final byte[] TCP_FRAME =
      ethernet(
          0x0800,
          ipv4(
              TCP,
              v4(192, 168, 50, 11),
              v4(192, 168, 50, 12),
              tcp(40000, 8000, SYN_ACK, payload(10))));

  @Test
  void decodesIpv4OverEthernet() {
    FrameBytes.Decoded d = decodeEthernet(TCP_FRAME);

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(Layer.ETHERNET);
    assertThat(d.packet().vlan).isEqualTo(DecodedPacket.NO_VLAN);
    assertThat(d.packet().outerVlan).isEqualTo(DecodedPacket.NO_VLAN);
    assertThat(d.packet().ipVersion).isEqualTo(4);
    assertThat(d.packet().dstPort).isEqualTo(8000);
    assertThat(d.packet().payloadOffset).isEqualTo(14 + 20 + 20);
  }

  @Test
  void aFrameShorterThanTheHeaderIsTooShort() {
    assertThat(decodeEthernet(Arrays.copyOf(TCP_FRAME, 13)).issue())
        .isEqualTo(DecodeIssue.ETHERNET_TOO_SHORT);
  }

  @Test
  void anEthernetHeaderAloneIsNotEnoughForIpv4() {
    assertThat(decodeEthernet(Arrays.copyOf(TCP_FRAME, 14)).issue())
        .isEqualTo(DecodeIssue.IPV4_TOO_SHORT);
  }

  @Test
  void arpIsNotIp() {
    assertThat(decodeEthernet(ethernet(0x0806, payload(28))).issue()).isEqualTo(DecodeIssue.NOT_IP);
  }

  @Test
  void lldpIsNotIp() {
    assertThat(decodeEthernet(ethernet(0x88CC, payload(40))).issue()).isEqualTo(DecodeIssue.NOT_IP);
  }

  @Test
  void an8023LengthFieldWithLlcIsNotIp() {
    // STP BPDU: 802.3 length 38, LLC 42 42 03
    FrameBytes.Decoded d =
        decodeEthernet(ethernet(38, FrameBytes.concat(bytes(0x42, 0x42, 0x03), payload(35))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NOT_IP);
    assertThat(d.issue().malformed()).isFalse();
  }
}
